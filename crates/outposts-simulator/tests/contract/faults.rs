//! Each injected fault, observed through the SDK.

use super::*;

#[tokio::test]
async fn throttling_fault_is_a_429_the_sdk_retries() {
    let sim = start(frozen_config()).await;
    inject(&sim, Operation::GetOutpost, FaultKind::Throttle, 1);
    let err = client(&sim)
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(status_of(&err), Some(429));
    assert_eq!(sim.request_count("GetOutpost"), 1);

    inject(&sim, Operation::GetOutpost, FaultKind::Throttle, 2);
    retrying_client(&sim)
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect("retried past throttling");
    assert_eq!(sim.request_count("GetOutpost"), 4);
}

#[tokio::test]
async fn server_error_fault_is_an_internal_server_exception_the_sdk_retries() {
    let sim = start(frozen_config()).await;
    post(
        &sim,
        "/_sim/faults",
        json!({ "operation": "ListAssets", "kind": "server_error", "count": 1 }),
    )
    .await;
    let err = client(&sim)
        .list_assets()
        .outpost_identifier(RACK)
        .send()
        .await
        .expect_err("500");
    assert_typed!(err, ListAssetsError::InternalServerException(_));
    assert_eq!(status_of(&err), Some(500));

    post(
        &sim,
        "/_sim/faults",
        json!({ "operation": "ListAssets", "kind": "server_error", "count": 1 }),
    )
    .await;
    retrying_client(&sim)
        .list_assets()
        .outpost_identifier(RACK)
        .send()
        .await
        .expect("retried");
    assert_eq!(sim.request_count("ListAssets"), 3);
}

#[tokio::test]
async fn access_denied_and_unavailable_faults_reach_the_sdk() {
    let sim = start(frozen_config()).await;
    inject(&sim, Operation::ListOutposts, FaultKind::AccessDenied, 1);
    let err = client(&sim)
        .list_outposts()
        .send()
        .await
        .expect_err("denied");
    assert_typed!(err, ListOutpostsError::AccessDeniedException(_));
    assert_eq!(status_of(&err), Some(403));

    // A rate of 1 fires on every call until removed.
    let id = sim
        .inject_fault(FaultRule::rate(
            Operation::ListOutposts,
            FaultKind::ServiceUnavailable,
            1.0,
        ))
        .expect("fault");
    for _ in 0..3 {
        let err = client(&sim)
            .list_outposts()
            .send()
            .await
            .expect_err("unavailable");
        assert_eq!(status_of(&err), Some(503));
    }
    assert!(sim.remove_fault(id));
    client(&sim)
        .list_outposts()
        .send()
        .await
        .expect("recovered");

    inject(&sim, Operation::GetOutpost, FaultKind::NotFound, 1);
    let err = client(&sim)
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("not found");
    assert_typed!(err, GetOutpostError::NotFoundException(_));
}

#[tokio::test]
async fn latency_fault_delays_the_response() {
    let sim = start(frozen_config()).await;
    let faults = post(
        &sim,
        "/_sim/faults",
        json!({ "operation": "ListOutposts", "kind": "latency", "latency_ms": 300, "count": 1 }),
    )
    .await;
    assert!(faults["id"].is_u64());
    let began = Instant::now();
    client(&sim)
        .list_outposts()
        .send()
        .await
        .expect("slow but fine");
    assert!(
        began.elapsed() >= Duration::from_millis(300),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn lost_start_response_is_retried_into_a_conflict_naming_the_created_task() {
    let sim = start(frozen_config()).await;
    inject(
        &sim,
        Operation::StartCapacityTask,
        FaultKind::LoseResponse,
        1,
    );

    // Without retries the caller sees a transport error, and the task exists anyway.
    let err = start_one(&client(&sim), RACK, "c5.4xlarge", 6)
        .send()
        .await
        .expect_err("response lost");
    assert!(
        matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
        ),
        "{err:?}"
    );
    let created = sim.tasks();
    assert_eq!(created.len(), 1);

    // With retries, the retry hits the one-active-task rule and names that task.
    sim.delete_task(&created[0].capacity_task_id)
        .expect("deleted");
    inject(
        &sim,
        Operation::StartCapacityTask,
        FaultKind::LoseResponse,
        1,
    );
    let err = start_one(&retrying_client(&sim), RACK, "c5.4xlarge", 6)
        .send()
        .await
        .expect_err("conflict after retry");
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 1);
    let conflict = conflict_of(&err);
    // The conflict names the outpost, and its message the task the lost call created.
    assert_eq!(conflict.resource_id(), Some(RACK));
    assert!(
        conflict
            .message()
            .unwrap_or_default()
            .contains(tasks[0].capacity_task_id.as_str())
    );
    assert_eq!(sim.request_count("StartCapacityTask"), 3);
}

#[tokio::test]
async fn get_answers_not_found_for_a_while_after_start() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    post(
        &sim,
        "/_sim/consistency",
        json!({ "get_not_found_calls": 2 }),
    )
    .await;
    let id = start_task(&client, RACK, QUICKSTART).await;
    for _ in 0..2 {
        let err = get_err(&client, RACK, &id).await;
        assert_typed!(err, GetCapacityTaskError::NotFoundException(_));
    }
    get_task(&client, RACK, &id).await;

    post(
        &sim,
        "/_sim/consistency",
        json!({ "get_not_found_seconds": 30 }),
    )
    .await;
    let id = start_task(&client, SERVER, &[("c5.xlarge", 4)]).await;
    let err = get_err(&client, SERVER, &id).await;
    assert_typed!(err, GetCapacityTaskError::NotFoundException(_));
    // The task is listed meanwhile; only GetCapacityTask lags.
    let listed = client
        .list_capacity_tasks()
        .outpost_identifier_filter(SERVER)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.capacity_tasks().len(), 1);
    sim.advance_clock(Duration::from_secs(30));
    get_task(&client, SERVER, &id).await;
}
