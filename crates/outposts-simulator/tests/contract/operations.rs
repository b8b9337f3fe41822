//! Every operation through the SDK.

use super::*;

#[tokio::test]
async fn every_operation_answers_through_the_sdk() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);

    let outposts = client.list_outposts().send().await.expect("ListOutposts");
    let ids: Vec<_> = outposts
        .outposts()
        .iter()
        .filter_map(|o| o.outpost_id())
        .collect();
    assert_eq!(ids, [RACK, SERVER, BUSY]);

    let outpost = client
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect("GetOutpost");
    let outpost = outpost.outpost().expect("outpost");
    assert_eq!(outpost.outpost_arn(), Some(RACK_ARN));
    assert_eq!(outpost.owner_id(), Some("111122223333"));
    assert_eq!(outpost.name(), Some("quickstart-rack"));
    assert_eq!(
        outpost.supported_hardware_type().map(|t| t.as_str()),
        Some("RACK")
    );

    let types = client
        .get_outpost_instance_types()
        .outpost_id(RACK)
        .send()
        .await
        .expect("GetOutpostInstanceTypes");
    assert_eq!(types.outpost_arn(), Some(RACK_ARN));
    let names: Vec<_> = types
        .instance_types()
        .iter()
        .filter_map(|t| t.instance_type())
        .collect();
    assert_eq!(
        names,
        [
            "m5.xlarge",
            "m5.2xlarge",
            "c5.4xlarge",
            "r5.2xlarge",
            "g4dn.4xlarge"
        ]
    );

    let supported = client
        .get_outpost_supported_instance_types()
        .outpost_identifier(RACK)
        .asset_id("1000000003")
        .send()
        .await
        .expect("GetOutpostSupportedInstanceTypes");
    let gpu: Vec<_> = supported
        .instance_types()
        .iter()
        .map(|t| {
            (
                t.instance_type().unwrap_or_default(),
                t.vcpus().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        gpu,
        [
            ("g4dn.xlarge", 4),
            ("g4dn.4xlarge", 16),
            ("g4dn.12xlarge", 48)
        ]
    );

    let assets = list_assets(&client, RACK).await;
    assert_eq!(assets.assets().len(), 3);
    let compute = assets.assets()[0]
        .compute_attributes()
        .expect("compute attributes");
    assert_eq!(compute.max_vcpus(), Some(96));
    assert_eq!(compute.instance_families(), ["c5", "m5", "r5"]);

    let started = start_quickstart_task(&client).await;
    let id = started.capacity_task_id().expect("id").to_string();
    assert_eq!(started.capacity_task_status(), Some(&SdkStatus::Requested));
    assert_eq!(started.outpost_id(), Some(RACK));
    assert_eq!(started.order_id(), Some(RACK_ORDER));
    assert!(!started.dry_run());
    assert_eq!(started.requested_instance_pools().len(), 2);
    assert!(started.creation_date().is_some());

    let got = get_task(&client, RACK, &id).await;
    assert_eq!(got.capacity_task_id(), Some(id.as_str()));
    assert_eq!(
        got.task_action_on_blocking_instances(),
        Some(&TaskActionOnBlockingInstances::WaitForEvacuation)
    );

    let listed = client
        .list_capacity_tasks()
        .send()
        .await
        .expect("ListCapacityTasks");
    assert_eq!(listed.capacity_tasks().len(), 1);
    assert_eq!(
        listed.capacity_tasks()[0].capacity_task_id(),
        Some(id.as_str())
    );

    let blocking = blocking_request(&client, RACK, &id)
        .send()
        .await
        .expect("ListBlockingInstancesForCapacityTask");
    assert!(blocking.blocking_instances().is_empty());

    cancel_request(&client, RACK, &id)
        .send()
        .await
        .expect("CancelCapacityTask");

    for op in Operation::ALL {
        assert_eq!(sim.request_count(op.as_str()), 1, "{}", op.as_str());
    }
}

#[tokio::test]
async fn outpost_given_by_arn_is_accepted_and_answered_with_its_id() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let outpost = client
        .get_outpost()
        .outpost_id(RACK_ARN)
        .send()
        .await
        .expect("by ARN");
    assert_eq!(outpost.outpost().and_then(|o| o.outpost_id()), Some(RACK));

    let started = start_one(&client, RACK_ARN, "c5.4xlarge", 2)
        .send()
        .await
        .expect("starts by ARN");
    assert_eq!(started.outpost_id(), Some(RACK));
    let id = started.capacity_task_id().expect("id");
    assert_eq!(
        get_task(&client, RACK_ARN, id).await.outpost_id(),
        Some(RACK)
    );
    assert_eq!(
        get_task(&client, RACK, id).await.capacity_task_id(),
        Some(id)
    );

    // An ARN naming another account is a different (unknown) outpost.
    let other = RACK_ARN.replace("111122223333", "999999999999");
    let err = client
        .get_outpost()
        .outpost_id(other)
        .send()
        .await
        .expect_err("unknown");
    assert_typed!(err, GetOutpostError::NotFoundException(_));
}
