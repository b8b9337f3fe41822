//! The task state machine on the simulator clock: completion, failure, evacuation, cancellation.

use super::*;

#[tokio::test]
async fn task_goes_requested_in_progress_completed_and_changes_the_layout() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let started = start_quickstart_task(&client).await;
    let id = started.capacity_task_id().expect("id");
    let created = started.creation_date().expect("created").as_secs_f64();

    sim.advance_clock(Duration::from_secs(59));
    assert_eq!(status(&client, RACK, id).await, SdkStatus::Requested);
    sim.advance_clock(Duration::from_secs(1));
    let task = get_task(&client, RACK, id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::InProgress));
    assert_eq!(
        task.last_modified_date().map(|d| d.as_secs_f64()),
        Some(created + 60.0)
    );
    assert_eq!(task.completion_date(), None);

    // Over HTTP, as a test in another process would.
    post(&sim, "/_sim/clock/advance", json!({ "seconds": 3600 })).await;
    let task = get_task(&client, RACK, id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Completed));
    assert_eq!(
        task.completion_date().map(|d| d.as_secs_f64()),
        Some(created + 360.0)
    );
    assert_eq!(task.failed(), None);

    let assets = list_assets(&client, RACK).await;
    let layouts: Vec<Vec<(String, i32)>> = assets
        .assets()
        .iter()
        .map(|a| {
            a.compute_attributes()
                .map(|c| {
                    c.instance_type_capacities()
                        .iter()
                        .map(|p| (p.instance_type().to_string(), p.count()))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        layouts,
        vec![
            vec![("c5.4xlarge".to_string(), 6)],
            vec![],
            vec![("g4dn.12xlarge".to_string(), 2)]
        ]
    );
    let types = client
        .get_outpost_instance_types()
        .outpost_id(RACK)
        .send()
        .await
        .expect("types");
    let names: Vec<_> = types
        .instance_types()
        .iter()
        .filter_map(|t| t.instance_type())
        .collect();
    assert_eq!(names, ["c5.4xlarge", "g4dn.12xlarge"]);
}

#[tokio::test]
async fn task_with_zero_durations_completes_on_the_next_read() {
    let sim = start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::ZERO,
            in_progress: Duration::ZERO,
            ..timing()
        },
        ..frozen_config()
    })
    .await;
    let client = client(&sim);
    let started = start_quickstart_task(&client).await;
    assert_eq!(started.capacity_task_status(), Some(&SdkStatus::Requested));
    let task = get_task(&client, RACK, started.capacity_task_id().expect("id")).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Completed));
}

#[tokio::test]
async fn infeasible_layout_fails_with_unsupported_capacity_configuration() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let started = start_one(&client, RACK, "m5.12xlarge", 7)
        .send()
        .await
        .expect("accepted, then fails");
    let id = started.capacity_task_id().expect("id");
    assert_eq!(started.capacity_task_status(), Some(&SdkStatus::Requested));
    sim.advance_clock(Duration::from_secs(60));
    let task = get_task(&client, RACK, id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Failed));
    let failed = task.failed().expect("failure");
    assert_eq!(
        failed.r#type(),
        Some(&CapacityTaskFailureType::UnsupportedCapacityConfiguration)
    );
    assert!(
        failed.reason().contains("short by 48"),
        "{}",
        failed.reason()
    );
    assert!(task.completion_date().is_some());
}

#[tokio::test]
async fn blocked_task_waits_for_evacuation_then_completes() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_busy_task(
        &client,
        TaskActionOnBlockingInstances::WaitForEvacuation,
        None,
    )
    .await;
    sim.advance_clock(Duration::from_secs(60));
    let task = get_task(&client, BUSY, &id).await;
    assert_eq!(
        task.capacity_task_status(),
        Some(&SdkStatus::WaitingForEvacuation)
    );

    // Paginated one by one.
    let pages: Vec<_> = blocking_request(&client, BUSY, &id)
        .max_results(1)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.len(), 2);
    let blockers: Vec<_> = pages
        .iter()
        .flat_map(|p| p.blocking_instances())
        .map(|b| {
            (
                b.instance_id().unwrap_or_default(),
                b.account_id().unwrap_or_default(),
                b.aws_service_name().cloned(),
            )
        })
        .collect();
    assert_eq!(
        blockers,
        [
            (
                "i-0aaaaaaaaaaaaaaa1",
                "111122223333",
                Some(AwsServiceName::Ec2)
            ),
            (
                "i-0aaaaaaaaaaaaaaa2",
                "444455556666",
                Some(AwsServiceName::Eks)
            ),
        ]
    );

    // Waiting does not time out before AWS's 48 hours.
    sim.advance_clock(Duration::from_secs(47 * 3600));
    assert_eq!(
        status(&client, BUSY, &id).await,
        SdkStatus::WaitingForEvacuation
    );
    let evacuated = post(&sim, "/_sim/evacuate", json!({ "capacity_task_id": id })).await;
    assert_eq!(
        evacuated["evacuated"],
        json!(["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"])
    );
    assert_eq!(status(&client, BUSY, &id).await, SdkStatus::InProgress);
    sim.advance_clock(Duration::from_secs(300));
    assert_eq!(status(&client, BUSY, &id).await, SdkStatus::Completed);
}

#[tokio::test]
async fn blocked_task_with_fail_task_fails_with_blocking_instances_not_evacuated() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_busy_task(&client, TaskActionOnBlockingInstances::FailTask, None).await;
    sim.advance_clock(Duration::from_secs(60));
    let task = get_task(&client, BUSY, &id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Failed));
    assert_eq!(
        task.failed().and_then(|f| f.r#type()),
        Some(&CapacityTaskFailureType::BlockingInstancesNotEvacuated)
    );
    let blocking = blocking_request(&client, BUSY, &id)
        .send()
        .await
        .expect("blockers");
    assert_eq!(blocking.blocking_instances().len(), 2);
}

#[tokio::test]
async fn waiting_task_fails_when_nothing_is_evacuated_for_48_hours() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_busy_task(
        &client,
        TaskActionOnBlockingInstances::WaitForEvacuation,
        None,
    )
    .await;
    sim.advance_clock(Duration::from_secs(49 * 3600));
    let task = get_task(&client, BUSY, &id).await;
    assert_eq!(
        task.failed().and_then(|f| f.r#type()),
        Some(&CapacityTaskFailureType::BlockingInstancesNotEvacuated)
    );

    // Once the whole outpost is evacuated, the same layout goes through.
    let body = json!({ "outpost_id": BUSY });
    let evacuated = post(&sim, "/_sim/evacuate", body).await;
    assert_eq!(evacuated["evacuated"].as_array().map(Vec::len), Some(3));
    let action = TaskActionOnBlockingInstances::FailTask;
    let id = start_busy_task(&client, action, None).await;
    sim.advance_clock(Duration::from_secs(360));
    assert_eq!(status(&client, BUSY, &id).await, SdkStatus::Completed);
}

#[tokio::test]
async fn excluded_instances_do_not_block() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let exclude = InstancesToExclude::builder()
        .instances("i-0aaaaaaaaaaaaaaa1")
        .services(AwsServiceName::Eks)
        .build();
    let id = start_busy_task(
        &client,
        TaskActionOnBlockingInstances::FailTask,
        Some(exclude),
    )
    .await;
    sim.advance_clock(Duration::from_secs(60));
    let task = get_task(&client, BUSY, &id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::InProgress));
    let echoed = task.instances_to_exclude().expect("echoed");
    assert_eq!(echoed.instances(), ["i-0aaaaaaaaaaaaaaa1"]);
    assert_eq!(echoed.services(), [AwsServiceName::Eks]);
}

#[tokio::test]
async fn instance_started_through_the_control_endpoint_blocks_a_task() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let instance = json!({
        "outpost_id": SERVER,
        "instance_id": "i-0bbbbbbbbbbbbbbb1",
        "instance_type": "m5.xlarge",
        "account_id": "111122223333",
        "service": "ELB",
    });
    post(&sim, "/_sim/instances", instance).await;
    let id = start_one(&client, SERVER, "c5.xlarge", 16)
        .task_action_on_blocking_instances(TaskActionOnBlockingInstances::WaitForEvacuation)
        .send()
        .await
        .expect("starts")
        .capacity_task_id()
        .expect("id")
        .to_string();
    sim.advance_clock(Duration::from_secs(60));
    assert_eq!(
        status(&client, SERVER, &id).await,
        SdkStatus::WaitingForEvacuation
    );
    post(
        &sim,
        "/_sim/evacuate",
        json!({ "instance_ids": ["i-0bbbbbbbbbbbbbbb1"] }),
    )
    .await;
    assert_eq!(status(&client, SERVER, &id).await, SdkStatus::InProgress);
}

#[tokio::test]
async fn cancel_moves_through_cancellation_in_progress_to_cancelled() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_task(&client, RACK, QUICKSTART).await;
    cancel_request(&client, RACK, &id)
        .send()
        .await
        .expect("cancel accepted");
    let task = get_task(&client, RACK, &id).await;
    assert_eq!(
        task.capacity_task_status(),
        Some(&SdkStatus::CancellationInProgress)
    );
    // Cancelling again while cancelling is accepted.
    cancel_request(&client, RACK_ARN, &id)
        .send()
        .await
        .expect("repeat cancel accepted");
    // Still active: it holds the outpost.
    let err = start_one(&client, RACK, "c5.4xlarge", 1)
        .send()
        .await
        .expect_err("still cancelling");
    assert_typed!(err, StartCapacityTaskError::ConflictException(_));

    sim.advance_clock(Duration::from_secs(30));
    let task = get_task(&client, RACK, &id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Cancelled));
    assert!(task.completion_date().is_some());
    // The layout did not change.
    assert_eq!(
        sim.world().outposts[0].assets[0]
            .instance_type_capacities
            .len(),
        2
    );
    start_quickstart_task(&client).await;
}

#[tokio::test]
async fn waiting_task_can_be_cancelled() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_busy_task(
        &client,
        TaskActionOnBlockingInstances::WaitForEvacuation,
        None,
    )
    .await;
    sim.advance_clock(Duration::from_secs(60));
    cancel_request(&client, BUSY, &id)
        .send()
        .await
        .expect("cancel waiting task");
    sim.advance_clock(Duration::from_secs(30));
    assert_eq!(status(&client, BUSY, &id).await, SdkStatus::Cancelled);
}

#[tokio::test]
async fn cancel_is_refused_for_in_progress_and_terminal_tasks() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_task(&client, RACK, QUICKSTART).await;
    sim.advance_clock(Duration::from_secs(60));
    let cancel = || cancel_request(&client, RACK, &id).send();

    let err = cancel().await.expect_err("in progress");
    let Some(CancelCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
    assert_eq!(conflict.resource_id(), Some(id.as_str()));
    assert!(
        conflict
            .message()
            .unwrap_or_default()
            .contains("IN_PROGRESS")
    );

    sim.advance_clock(Duration::from_secs(300));
    let err = cancel().await.expect_err("completed");
    assert_typed!(err, CancelCapacityTaskError::ConflictException(_));
    assert!(err.message().unwrap_or_default().contains("terminal"));
    assert_eq!(status(&client, RACK, &id).await, SdkStatus::Completed);
}
