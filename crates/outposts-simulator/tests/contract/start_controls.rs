//! Rival starts, answers without a task ID, list lag, forced statuses and counters.

use super::*;

/// Starts the quickstart layout on the rack as a DryRun; it must fit.
async fn dry_run_quickstart(client: &Client) {
    let answer = quickstart_request(client)
        .dry_run(true)
        .send()
        .await
        .expect("the dry run fits");
    assert!(answer.dry_run());
}

/// Starts these pools (on the rack, with its order) expecting a ConflictException;
/// returns its `ResourceId` and message.
async fn start_conflict(client: &Client, outpost: &str, pools: &[(&str, i32)]) -> (String, String) {
    let pools = pools.iter().map(|(t, n)| pool(t, *n)).collect();
    let order = (outpost == RACK).then(|| RACK_ORDER.to_string());
    let err = client
        .start_capacity_task()
        .outpost_identifier(outpost)
        .set_order_id(order)
        .set_instance_pools(Some(pools))
        .send()
        .await
        .expect_err("conflict");
    let conflict = conflict_of(&err);
    (
        conflict.resource_id().unwrap_or_default().to_string(),
        conflict.message().unwrap_or_default().to_string(),
    )
}

async fn listed_task_ids(client: &Client, outpost: Option<&str>) -> Vec<String> {
    let listed = client
        .list_capacity_tasks()
        .set_outpost_identifier_filter(outpost.map(str::to_string))
        .send()
        .await
        .expect("ListCapacityTasks");
    listed
        .capacity_tasks()
        .iter()
        .filter_map(|t| t.capacity_task_id().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn rival_start_makes_our_first_start_conflict_naming_the_rivals_task() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    inject(&sim, Operation::StartCapacityTask, FaultKind::RivalStart, 1);

    // A DryRun neither triggers nor spends the rival.
    dry_run_quickstart(&client).await;
    assert!(sim.tasks().is_empty());
    assert_eq!(sim.faults().len(), 1);

    let err = quickstart_request(&client)
        .send()
        .await
        .expect_err("the rival got there first");
    let conflict = conflict_of(&err);
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 1, "only the rival's task: {tasks:?}");
    let rival = &tasks[0];
    assert!(
        conflict
            .message()
            .unwrap_or_default()
            .contains(&rival.capacity_task_id),
        "{conflict:?}"
    );
    assert_eq!(conflict.resource_id(), Some(RACK_ORDER));
    assert_eq!(conflict.resource_type(), Some(&ResourceType::Order));

    // The rival's task is the very request we sent, and an ordinary task.
    assert_eq!(rival.outpost_id, RACK);
    assert_eq!(rival.order_id.as_deref(), Some(RACK_ORDER));
    let pools: Vec<_> = rival
        .requested_instance_pools
        .iter()
        .map(|p| (p.instance_type.as_str(), p.count))
        .collect();
    assert_eq!(pools, [("g4dn.12xlarge", 2), ("c5.4xlarge", 6)]);
    let got = get_task(&client, RACK, &rival.capacity_task_id).await;
    assert_eq!(got.capacity_task_status(), Some(&SdkStatus::Requested));
    assert_eq!(
        listed_task_ids(&client, Some(RACK)).await,
        [rival.capacity_task_id.as_str()]
    );

    // Counts are what we sent: the DryRun and our start, not the rival's start.
    assert_eq!(sim.request_count("StartCapacityTask"), 2);
    assert!(sim.faults().is_empty(), "the count rule is spent");
}

#[tokio::test]
async fn rival_start_over_the_control_endpoint_with_count_and_rate() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let added = post(
        &sim,
        "/_sim/faults",
        json!({ "operation": "StartCapacityTask", "kind": "rival_start", "count": 1 }),
    )
    .await;
    assert!(added["id"].is_u64(), "{added}");
    let listed = control(&sim, "GET", "/_sim/faults", Value::Null).await;
    assert_eq!(listed[0]["kind"], "rival_start");

    let (resource, message) = start_conflict(&client, SERVER, &[("c5.xlarge", 4)]).await;
    assert_eq!(resource, SERVER);
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 1);
    assert!(message.contains(&tasks[0].capacity_task_id), "{message}");

    // With a rate of 1 every real start meets a rival; DryRuns still pass untouched.
    control(&sim, "DELETE", "/_sim/faults", Value::Null).await;
    post(
        &sim,
        "/_sim/faults",
        json!({ "operation": "StartCapacityTask", "kind": "rival_start", "rate": 1.0 }),
    )
    .await;
    dry_run_quickstart(&client).await;
    let (_, message) = start_conflict(&client, RACK, QUICKSTART).await;
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 2);
    assert!(message.contains(&tasks[1].capacity_task_id), "{message}");
    let fired = control(&sim, "GET", "/_sim/faults", Value::Null).await;
    assert_eq!(fired[0]["fired"], 1, "the DryRun did not fire it: {fired}");

    // A rate of 0 never fires.
    control(&sim, "DELETE", "/_sim/faults", Value::Null).await;
    sim.inject_fault(FaultRule::rate(
        Operation::StartCapacityTask,
        FaultKind::RivalStart,
        0.0,
    ))
    .expect("fault");
    sim.advance_clock(Duration::from_secs(3600));
    start_quickstart_task(&client).await;
    assert_eq!(sim.tasks().len(), 3);
}

#[tokio::test]
async fn refused_rival_start_leaves_our_start_to_be_handled_as_usual() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    inject(&sim, Operation::StartCapacityTask, FaultKind::RivalStart, 2);
    // The rival sends what we send: an order of another outpost is refused for both.
    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id("oo-0fedcba9876543210")
        .instance_pools(pool("c5.4xlarge", 1))
        .send()
        .await
        .expect_err("not this outpost's order");
    assert_typed!(err, StartCapacityTaskError::NotFoundException(_));
    assert!(sim.tasks().is_empty());

    // With a task already active, the rival conflicts too; our conflict names the
    // task that was there.
    sim.clear_faults();
    let existing = start_task(&client, SERVER, &[("c5.xlarge", 4)]).await;
    inject(&sim, Operation::StartCapacityTask, FaultKind::RivalStart, 1);
    let (_, message) = start_conflict(&client, SERVER, &[("m5.xlarge", 4)]).await;
    assert!(message.contains(&existing), "{message}");
    assert_eq!(sim.tasks().len(), 1);
    assert_eq!(sim.request_count("StartCapacityTask"), 3);
}

#[tokio::test]
async fn start_only_faults_are_refused_for_other_operations() {
    let sim = start(frozen_config()).await;
    for kind in ["rival_start", "omit_task_id"] {
        for operation in [json!("GetCapacityTask"), json!("*"), Value::Null] {
            let mut body = json!({ "kind": kind, "count": 1 });
            if !operation.is_null() {
                body["operation"] = operation.clone();
            }
            let bad = raw(
                sim.local_addr(),
                "POST",
                "/_sim/faults",
                &[],
                &body.to_string(),
            )
            .await;
            assert_eq!(bad.status, 400, "{kind} on {operation}: {}", bad.body);
            assert!(
                bad.json()["error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("StartCapacityTask"),
                "{}",
                bad.body
            );
        }
    }
    let err = sim.inject_fault(FaultRule::next_calls(
        Operation::ListCapacityTasks,
        FaultKind::OmitTaskId,
        1,
    ));
    assert!(err.is_err(), "{err:?}");
    assert!(sim.faults().is_empty());
}

#[tokio::test]
async fn start_answer_without_a_task_id_still_starts_the_task() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    inject(&sim, Operation::StartCapacityTask, FaultKind::OmitTaskId, 1);
    // A DryRun does not spend it.
    dry_run_quickstart(&client).await;
    assert_eq!(sim.faults().len(), 1);

    let started = start_quickstart_task(&client).await;
    assert_eq!(started.capacity_task_id(), None);
    // Every other member is there.
    assert_eq!(started.outpost_id(), Some(RACK));
    assert_eq!(started.order_id(), Some(RACK_ORDER));
    assert_eq!(started.requested_instance_pools().len(), 2);
    assert_eq!(started.capacity_task_status(), Some(&SdkStatus::Requested));
    assert!(started.creation_date().is_some());
    assert!(started.last_modified_date().is_some());
    assert_eq!(
        started.task_action_on_blocking_instances(),
        Some(&TaskActionOnBlockingInstances::WaitForEvacuation)
    );
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 1, "the task was created");
    assert_eq!(
        listed_task_ids(&client, Some(RACK)).await,
        [tasks[0].capacity_task_id.as_str()]
    );
    assert!(sim.faults().is_empty());
}

#[tokio::test]
async fn start_answer_without_a_task_id_over_the_control_endpoint() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    post(
        &sim,
        "/_sim/faults",
        json!({ "operation": "StartCapacityTask", "kind": "omit_task_id", "count": 1 }),
    )
    .await;
    let headers = [
        ("Authorization", FAKE_AUTH),
        ("X-Amz-Date", "20260101T000000Z"),
        ("Content-Type", "application/json"),
    ];
    let body = json!({ "InstancePools": [{ "InstanceType": "c5.xlarge", "Count": 4 }] });
    let path = format!("/outposts/{SERVER}/capacity");
    let answer = raw(sim.local_addr(), "POST", &path, &headers, &body.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let members = answer.json();
    assert!(members.get("CapacityTaskId").is_none(), "{members}");
    for member in [
        "OutpostId",
        "RequestedInstancePools",
        "DryRun",
        "CapacityTaskStatus",
        "CreationDate",
        "LastModifiedDate",
        "TaskActionOnBlockingInstances",
    ] {
        assert!(members.get(member).is_some(), "{member} missing: {members}");
    }
    // The rule is spent: the next start answers with its ID.
    sim.advance_clock(Duration::from_secs(3600));
    let started = start_one(&client, SERVER, "c5.xlarge", 8)
        .send()
        .await
        .expect("starts");
    assert!(started.capacity_task_id().is_some());
    assert_eq!(sim.tasks().len(), 2);
}

#[tokio::test]
async fn list_leaves_a_new_task_out_for_its_first_calls() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    sim.set_eventual_consistency(EventualConsistency {
        list_hidden_calls: 2,
        ..EventualConsistency::default()
    });
    let id = start_task(&client, RACK, QUICKSTART).await;
    // A list that would not show it anyway spends none of its hidden calls.
    assert!(listed_task_ids(&client, Some(SERVER)).await.is_empty());
    assert!(listed_task_ids(&client, Some(RACK)).await.is_empty());
    assert!(listed_task_ids(&client, None).await.is_empty());
    assert_eq!(listed_task_ids(&client, None).await, [id.as_str()]);
    // Only the list lags: GetCapacityTask and the one-active-task rule see it.
    get_task(&client, RACK, &id).await;
    let (_, message) = start_conflict(&client, RACK, QUICKSTART).await;
    assert!(message.contains(&id), "{message}");

    // Counted per task: a later task has its own two hidden calls.
    let second = start_task(&client, SERVER, &[("c5.xlarge", 4)]).await;
    assert_eq!(listed_task_ids(&client, None).await, [id.as_str()]);
    assert_eq!(listed_task_ids(&client, None).await, [id.as_str()]);
    assert_eq!(listed_task_ids(&client, None).await, [id, second]);
}

#[tokio::test]
async fn list_leaves_a_new_task_out_for_its_seconds_over_the_control_endpoint() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let set = post(
        &sim,
        "/_sim/consistency",
        json!({ "list_hidden_seconds": 60 }),
    )
    .await;
    assert_eq!(
        set,
        json!({
            "get_not_found_calls": 0,
            "get_not_found_seconds": 0.0,
            "list_hidden_calls": 0,
            "list_hidden_seconds": 60.0
        })
    );
    let id = start_task(&client, RACK, QUICKSTART).await;
    assert!(listed_task_ids(&client, None).await.is_empty());
    sim.advance_clock(Duration::from_secs(59));
    assert!(listed_task_ids(&client, Some(RACK)).await.is_empty());
    sim.advance_clock(Duration::from_secs(1));
    assert_eq!(listed_task_ids(&client, None).await, [id]);

    // A body of the older form still works, and sets no list lag.
    let set = post(
        &sim,
        "/_sim/consistency",
        json!({ "get_not_found_calls": 1 }),
    )
    .await;
    assert_eq!(set["list_hidden_seconds"], json!(0.0));
    let second = start_task(&client, SERVER, &[("c5.xlarge", 4)]).await;
    assert_eq!(listed_task_ids(&client, Some(SERVER)).await, [second]);
    // `reset` clears the lag.
    sim.set_eventual_consistency(EventualConsistency {
        list_hidden_calls: 5,
        ..EventualConsistency::default()
    });
    post(&sim, "/_sim/reset", Value::Null).await;
    let third = start_task(&client, RACK, QUICKSTART).await;
    assert_eq!(listed_task_ids(&client, None).await, [third]);
}

#[tokio::test]
async fn forced_status_and_deletion_are_visible_through_the_sdk() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_task(&client, RACK, QUICKSTART).await;

    let forced = control(
        &sim,
        "POST",
        &format!("/_sim/tasks/{id}/status"),
        json!({ "status": "FAILED", "failure_type": "UNEXPECTED_ASSET_STATE", "reason": "host went away" }),
    )
    .await;
    assert_eq!(forced["status"], "FAILED");
    let task = get_task(&client, RACK, &id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Failed));
    let failed = task.failed().expect("failure");
    assert_eq!(
        failed.r#type(),
        Some(&CapacityTaskFailureType::UnexpectedAssetState)
    );
    assert_eq!(failed.reason(), "host went away");

    control(&sim, "DELETE", &format!("/_sim/tasks/{id}"), Value::Null).await;
    let err = get_err(&client, RACK, &id).await;
    assert_typed!(err, GetCapacityTaskError::NotFoundException(_));
    assert!(
        client
            .list_capacity_tasks()
            .send()
            .await
            .expect("list")
            .capacity_tasks()
            .is_empty()
    );

    let missing = raw(
        sim.local_addr(),
        "DELETE",
        &format!("/_sim/tasks/{id}"),
        &[],
        "",
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn counts_and_reset_over_the_control_endpoint() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    client.list_outposts().send().await.expect("list");
    client.list_outposts().send().await.expect("list");
    start_quickstart_task(&client).await;
    let counts = control(&sim, "GET", "/_sim/counts", Value::Null).await;
    assert_eq!(counts, json!({ "StartCapacityTask": 1, "ListOutposts": 2 }));
    let state = control(&sim, "GET", "/_sim/state", Value::Null).await;
    assert_eq!(state["tasks"].as_array().map(Vec::len), Some(1));
    assert_eq!(state["world"]["outposts"].as_array().map(Vec::len), Some(3));
    let timing = json!({ "requested_seconds": 0, "in_progress_seconds": 0 });
    let timing = post(&sim, "/_sim/timing", timing).await;
    assert_eq!(timing["cancellation_seconds"], json!(30.0));
    let tasks = control(&sim, "GET", "/_sim/tasks", Value::Null).await;
    assert_eq!(
        tasks[0]["status"], "COMPLETED",
        "zero durations apply at once"
    );

    post(
        &sim,
        "/_sim/faults",
        json!({ "kind": "throttle", "rate": 1.0 }),
    )
    .await;
    assert_eq!(
        control(&sim, "GET", "/_sim/faults", Value::Null)
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    post(&sim, "/_sim/reset", Value::Null).await;
    assert_eq!(
        control(&sim, "GET", "/_sim/counts", Value::Null).await,
        json!({})
    );
    assert!(
        client
            .list_capacity_tasks()
            .send()
            .await
            .expect("no faults")
            .capacity_tasks()
            .is_empty()
    );

    let bad = raw(
        sim.local_addr(),
        "POST",
        "/_sim/faults",
        &[],
        r#"{"operation":"Nope","kind":"throttle","count":1}"#,
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("Nope")
    );
}
