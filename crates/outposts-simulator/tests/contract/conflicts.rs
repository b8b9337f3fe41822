//! One active task per order and Outpost; DryRun.

use super::*;

#[tokio::test]
async fn second_task_conflicts_and_names_the_active_task() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let first = start_quickstart_task(&client).await;
    let first_id = first.capacity_task_id().expect("id");

    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK_ARN)
        .order_id(RACK_ORDER)
        .instance_pools(pool("c5.4xlarge", 1))
        .send()
        .await
        .expect_err("same order");
    let conflict = conflict_of(&err);
    assert_eq!(conflict.resource_id(), Some(RACK_ORDER));
    assert_eq!(conflict.resource_type(), Some(&ResourceType::Order));
    assert!(conflict.message().unwrap_or_default().contains(first_id));
    assert_eq!(status_of(&err), Some(409));

    let err = start_one(&client, RACK, "c5.4xlarge", 1)
        .send()
        .await
        .expect_err("same outpost");
    let conflict = conflict_of(&err);
    assert_eq!(conflict.resource_id(), Some(RACK));
    assert_eq!(conflict.resource_type(), Some(&ResourceType::Outpost));
    assert!(conflict.message().unwrap_or_default().contains(first_id));

    // Other outposts are independent, and a terminal task frees its outpost.
    start_one(&client, SERVER, "c5.xlarge", 4)
        .send()
        .await
        .expect("other outpost");
    sim.advance_clock(Duration::from_secs(3600));
    assert_eq!(status(&client, RACK, first_id).await, SdkStatus::Completed);
    start_quickstart_task(&client).await;
}

#[tokio::test]
async fn dry_run_that_fits_answers_without_creating_a_task() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let answer = quickstart_request(&client)
        .dry_run(true)
        .send()
        .await
        .expect("fits");
    assert!(answer.dry_run());
    assert_eq!(answer.capacity_task_id(), None);
    assert_eq!(answer.capacity_task_status(), None);
    assert_eq!(answer.outpost_id(), Some(RACK));
    assert_eq!(answer.requested_instance_pools().len(), 2);

    let listed = client.list_capacity_tasks().send().await.expect("list");
    assert!(listed.capacity_tasks().is_empty());
    // Nothing holds the outpost: a real start still works.
    start_quickstart_task(&client).await;
    // And a DryRun is answered even while a task is active.
    start_one(&client, RACK, "m5.xlarge", 4)
        .dry_run(true)
        .send()
        .await
        .expect("dry run beside an active task");
    assert_eq!(sim.tasks().len(), 1);
}

#[tokio::test]
async fn dry_run_that_does_not_fit_is_a_validation_exception_explaining_the_shortfall() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let err = start_one(&client, RACK, "m5.12xlarge", 7)
        .dry_run(true)
        .send()
        .await
        .expect_err("336 vCPUs on 288");
    assert_typed!(err, StartCapacityTaskError::ValidationException(_));
    let text = err.message().unwrap_or_default();
    assert!(
        text.contains("336") && text.contains("288") && text.contains("short by 48"),
        "{text}"
    );

    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .asset_id("1000000003")
        .instance_pools(pool("c5.large", 1))
        .dry_run(true)
        .send()
        .await
        .expect_err("c5 on a g4dn host");
    let text = err.message().unwrap_or_default();
    assert!(
        text.contains("instancePools.1.member.instanceType") && text.contains("g4dn"),
        "{text}"
    );
    assert!(sim.tasks().is_empty());
}
