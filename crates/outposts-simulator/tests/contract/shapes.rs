//! Response shapes: every member of the service model.

use super::*;

/// Asserts that an SDK timestamp is this simulator time (epoch seconds, to the ms).
fn assert_time(at: Option<&aws_sdk_outposts::primitives::DateTime>, expected: f64, what: &str) {
    let at = at.unwrap_or_else(|| panic!("{what} missing"));
    assert!(
        (at.as_secs_f64() - expected).abs() < 1e-3,
        "{what}: {} is not {expected}",
        at.as_secs_f64()
    );
}

#[tokio::test]
async fn outposts_answer_every_member_of_the_model() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let got = client
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect("GetOutpost");
    let listed = client.list_outposts().send().await.expect("ListOutposts");
    assert_eq!(listed.outposts().len(), 3);
    for rack in [got.outpost().expect("outpost"), &listed.outposts()[0]] {
        assert_eq!(rack.outpost_id(), Some(RACK));
        assert_eq!(rack.owner_id(), Some("111122223333"));
        assert_eq!(rack.outpost_arn(), Some(RACK_ARN));
        assert_eq!(rack.site_id(), Some("os-0123456789abcdef0"));
        assert_eq!(rack.name(), Some("quickstart-rack"));
        assert_eq!(
            rack.description(),
            Some("Rack used by the README quickstart")
        );
        assert_eq!(rack.life_cycle_status(), Some("ACTIVE"));
        assert_eq!(rack.availability_zone(), Some("us-west-2a"));
        assert_eq!(rack.availability_zone_id(), Some("usw2-az1"));
        let tags = rack.tags().expect("Tags");
        assert_eq!(tags.get("team").map(String::as_str), Some("platform"));
        assert_eq!(tags.get("purpose").map(String::as_str), Some("quickstart"));
        assert_eq!(
            rack.site_arn(),
            Some("arn:aws:outposts:us-west-2:111122223333:site/os-0123456789abcdef0")
        );
        assert_eq!(
            rack.supported_hardware_type(),
            Some(&SupportedHardwareType::Rack)
        );
        assert_eq!(rack.generation(), Some(&OutpostGeneration::Generation2));
        assert_eq!(rack.rack_scaling_type(), Some(&RackScalingType::SingleRack));
    }
    let busy = &listed.outposts()[2];
    assert_eq!(busy.generation(), Some(&OutpostGeneration::Generation1));
    assert_eq!(busy.rack_scaling_type(), Some(&RackScalingType::SingleRack));

    // A server: everything but the rack-only Generation and RackScalingType.
    let server = &listed.outposts()[1];
    assert_eq!(server.outpost_id(), Some(SERVER));
    assert_eq!(server.owner_id(), Some("111122223333"));
    assert!(server.outpost_arn().is_some());
    assert_eq!(server.site_id(), Some("os-0fedcba9876543210"));
    assert_eq!(server.name(), Some("edge-server"));
    assert_eq!(
        server.description(),
        Some("Outposts server at an edge site")
    );
    assert_eq!(server.life_cycle_status(), Some("ACTIVE"));
    assert_eq!(server.availability_zone(), Some("us-west-2b"));
    assert_eq!(server.availability_zone_id(), Some("usw2-az2"));
    assert_eq!(
        server
            .tags()
            .and_then(|t| t.get("team"))
            .map(String::as_str),
        Some("edge")
    );
    assert!(server.site_arn().is_some());
    assert_eq!(
        server.supported_hardware_type(),
        Some(&SupportedHardwareType::Server)
    );
    assert_eq!(server.generation(), None);
    assert_eq!(server.rack_scaling_type(), None);
}

#[tokio::test]
async fn assets_answer_every_member_of_the_model() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let assets = list_assets(&client, RACK).await;
    let elevations: Vec<_> = assets
        .assets()
        .iter()
        .map(|a| a.asset_location().and_then(|l| l.rack_elevation()))
        .collect();
    assert_eq!(elevations, [Some(10.0), Some(12.0), Some(14.0)]);
    let asset = &assets.assets()[0];
    assert_eq!(asset.asset_id(), Some("1000000001"));
    assert!(asset.rack_id().is_some_and(|r| (5..=20).contains(&r.len())));
    assert_eq!(asset.asset_type(), Some(&AssetType::Compute));
    let compute = asset.compute_attributes().expect("ComputeAttributes");
    assert!(compute.host_id().is_some_and(|h| !h.is_empty()));
    assert_eq!(compute.state(), Some(&ComputeAssetState::Active));
    assert_eq!(compute.instance_families(), ["c5", "m5", "r5"]);
    let layout: Vec<_> = compute
        .instance_type_capacities()
        .iter()
        .map(|c| (c.instance_type(), c.count()))
        .collect();
    assert_eq!(layout, [("c5.4xlarge", 2), ("m5.xlarge", 16)]);
    assert_eq!(compute.max_vcpus(), Some(96));

    // A server is not in a rack: no location; the rest is there.
    let assets = list_assets(&client, SERVER).await;
    let asset = &assets.assets()[0];
    assert!(asset.asset_location().is_none());
    assert_eq!(asset.asset_id(), Some("2000000001"));
    assert!(asset.rack_id().is_some());
    assert_eq!(asset.asset_type(), Some(&AssetType::Compute));
    assert!(asset.compute_attributes().is_some());
}

#[tokio::test]
async fn instance_types_and_blocking_instances_answer_every_member_of_the_model() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let types = client
        .get_outpost_instance_types()
        .outpost_id(RACK_ARN)
        .send()
        .await
        .expect("GetOutpostInstanceTypes");
    assert_eq!(types.outpost_id(), Some(RACK));
    assert_eq!(types.outpost_arn(), Some(RACK_ARN));
    let first = &types.instance_types()[0];
    assert_eq!(first.instance_type(), Some("m5.xlarge"));
    assert_eq!(first.vcpus(), Some(4));
    let supported = client
        .get_outpost_supported_instance_types()
        .outpost_identifier(RACK)
        .max_results(1)
        .send()
        .await
        .expect("GetOutpostSupportedInstanceTypes");
    let first = &supported.instance_types()[0];
    assert_eq!(first.instance_type(), Some("m5.large"));
    assert_eq!(first.vcpus(), Some(2));
    assert!(supported.next_token().is_some());

    // On the busy rack, shrinking m5.large to nothing is blocked by its instances.
    let id = start_busy_task(
        &client,
        TaskActionOnBlockingInstances::WaitForEvacuation,
        None,
    )
    .await;
    sim.advance_clock(Duration::from_secs(60));
    let blocking = blocking_request(&client, BUSY, &id)
        .send()
        .await
        .expect("ListBlockingInstancesForCapacityTask");
    let blockers: Vec<_> = blocking
        .blocking_instances()
        .iter()
        .map(|b| {
            (
                b.instance_id().expect("InstanceId"),
                b.account_id().expect("AccountId"),
                b.aws_service_name().expect("AwsServiceName").clone(),
            )
        })
        .collect();
    assert_eq!(
        blockers,
        [
            ("i-0aaaaaaaaaaaaaaa1", "111122223333", AwsServiceName::Ec2),
            ("i-0aaaaaaaaaaaaaaa2", "444455556666", AwsServiceName::Eks),
        ]
    );
}

#[tokio::test]
async fn tasks_answer_every_member_of_the_model() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let created = sim.now();
    let exclude = InstancesToExclude::builder()
        .instances("i-0123456789abcdef0")
        .account_ids("444455556666")
        .services(AwsServiceName::Rds)
        .build();
    let started = client
        .start_capacity_task()
        .outpost_identifier(RACK_ARN)
        .order_id(RACK_ORDER)
        .asset_id("1000000001")
        .instance_pools(pool("c5.4xlarge", 6))
        .instances_to_exclude(exclude.clone())
        .task_action_on_blocking_instances(TaskActionOnBlockingInstances::FailTask)
        .send()
        .await
        .expect("starts");
    let id = started
        .capacity_task_id()
        .expect("CapacityTaskId")
        .to_string();
    assert_eq!(started.outpost_id(), Some(RACK));
    assert_eq!(started.order_id(), Some(RACK_ORDER));
    assert_eq!(started.asset_id(), Some("1000000001"));
    assert_eq!(started.requested_instance_pools(), [pool("c5.4xlarge", 6)]);
    assert_eq!(started.instances_to_exclude(), Some(&exclude));
    assert!(!started.dry_run());
    assert_eq!(started.capacity_task_status(), Some(&SdkStatus::Requested));
    assert_time(started.creation_date(), created, "CreationDate");
    assert_time(started.last_modified_date(), created, "LastModifiedDate");
    assert_eq!(
        started.task_action_on_blocking_instances(),
        Some(&TaskActionOnBlockingInstances::FailTask)
    );
    // Still running: no CompletionDate and no Failed, as AWS answers.
    assert!(started.completion_date().is_none());
    assert!(started.failed().is_none());

    // Requested 60 s, in progress 300 s: completed at created + 360.
    sim.advance_clock(Duration::from_secs(3600));
    let done = created + 360.0;
    let got = get_task(&client, RACK, &id).await;
    assert_eq!(got.capacity_task_id(), Some(id.as_str()));
    assert_eq!(got.outpost_id(), Some(RACK));
    assert_eq!(got.order_id(), Some(RACK_ORDER));
    assert_eq!(got.asset_id(), Some("1000000001"));
    assert_eq!(got.requested_instance_pools(), [pool("c5.4xlarge", 6)]);
    assert_eq!(got.instances_to_exclude(), Some(&exclude));
    assert!(!got.dry_run());
    assert_eq!(got.capacity_task_status(), Some(&SdkStatus::Completed));
    assert_time(got.creation_date(), created, "CreationDate");
    assert_time(got.last_modified_date(), done, "LastModifiedDate");
    assert_time(got.completion_date(), done, "CompletionDate");
    assert_eq!(
        got.task_action_on_blocking_instances(),
        Some(&TaskActionOnBlockingInstances::FailTask)
    );
    assert!(got.failed().is_none());

    let listed = client
        .list_capacity_tasks()
        .send()
        .await
        .expect("ListCapacityTasks");
    let summary = &listed.capacity_tasks()[0];
    assert_eq!(summary.capacity_task_id(), Some(id.as_str()));
    assert_eq!(summary.outpost_id(), Some(RACK));
    assert_eq!(summary.order_id(), Some(RACK_ORDER));
    assert_eq!(summary.asset_id(), Some("1000000001"));
    assert_eq!(summary.capacity_task_status(), Some(&SdkStatus::Completed));
    assert_time(summary.creation_date(), created, "CreationDate");
    assert_time(summary.completion_date(), done, "CompletionDate");
    assert_time(summary.last_modified_date(), done, "LastModifiedDate");

    // A failed task carries Failed with both members.
    let id = start_busy_task(&client, TaskActionOnBlockingInstances::FailTask, None).await;
    sim.advance_clock(Duration::from_secs(60));
    let failed = get_task(&client, BUSY, &id).await;
    let failure = failed.failed().expect("Failed");
    assert_eq!(
        failure.r#type(),
        Some(&CapacityTaskFailureType::BlockingInstancesNotEvacuated)
    );
    assert!(
        failure.reason().contains("i-0aaaaaaaaaaaaaaa1"),
        "{failure:?}"
    );
    assert!(failed.completion_date().is_some());
}

#[tokio::test]
async fn answers_are_json_of_the_models_types_for_any_client() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let id = start_task(&client, RACK, QUICKSTART).await;
    sim.advance_clock(Duration::from_secs(3600));
    let headers = FAKE_SIGNED;
    let get = |path: String| {
        let addr = sim.local_addr();
        async move {
            let response = raw(addr, "GET", &path, &headers, "").await;
            assert_eq!(response.status, 200, "{path}: {}", response.body);
            response.json()
        }
    };
    let task = get(format!("/outposts/{RACK}/capacity/{id}")).await;
    for member in ["CreationDate", "LastModifiedDate", "CompletionDate"] {
        assert!(
            task[member].is_number(),
            "{member} is epoch seconds: {task}"
        );
    }
    assert!(task["DryRun"].is_boolean(), "{task}");
    assert!(
        task["RequestedInstancePools"][0]["Count"].is_u64(),
        "{task}"
    );
    let listed = get("/capacity/tasks".into()).await;
    assert!(listed["CapacityTasks"][0]["CompletionDate"].is_number());

    let outpost = get(format!("/outposts/{RACK}")).await;
    let outpost = &outpost["Outpost"];
    assert!(outpost["Tags"].is_object(), "{outpost}");
    for member in ["Generation", "RackScalingType", "SiteArn", "OwnerId"] {
        assert!(outpost[member].is_string(), "{member}: {outpost}");
    }
    let assets = get(format!("/outposts/{RACK}/assets")).await;
    let asset = &assets["Assets"][0];
    assert!(
        asset["AssetLocation"]["RackElevation"].is_number(),
        "{asset}"
    );
    assert!(asset["ComputeAttributes"]["MaxVcpus"].is_u64(), "{asset}");
    let types = get(format!("/outposts/{RACK}/instanceTypes")).await;
    assert!(types["InstanceTypes"][0]["VCPUs"].is_u64(), "{types}");
    assert!(types["OutpostArn"].is_string(), "{types}");
}

#[tokio::test]
async fn errors_carry_the_models_message_member() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let headers = FAKE_SIGNED;
    let path = format!("/outposts/{UNKNOWN_OUTPOST}");
    let response = raw(sim.local_addr(), "GET", &path, &headers, "").await;
    assert_eq!(response.status, 404);
    let body = response.json();
    assert!(
        body["Message"]
            .as_str()
            .is_some_and(|m| m.contains(UNKNOWN_OUTPOST)),
        "{body}"
    );
    assert_eq!(body["Message"], body["message"]);

    // Through the SDK every typed error has its message, and a conflict its resource.
    let err = client
        .get_outpost()
        .outpost_id(UNKNOWN_OUTPOST)
        .send()
        .await
        .expect_err("unknown");
    let Some(GetOutpostError::NotFoundException(not_found)) = err.as_service_error() else {
        panic!("expected NotFoundException, got {err:?}");
    };
    assert!(
        not_found
            .message()
            .is_some_and(|m| m.contains(UNKNOWN_OUTPOST))
    );
    let first = start_task(&client, RACK, QUICKSTART).await;
    let err = start_one(&client, RACK, "c5.4xlarge", 1)
        .send()
        .await
        .expect_err("conflict");
    let conflict = conflict_of(&err);
    assert!(conflict.message().is_some_and(|m| m.contains(&first)));
    assert_eq!(conflict.resource_id(), Some(RACK));
    assert_eq!(conflict.resource_type(), Some(&ResourceType::Outpost));
    let err = client
        .list_capacity_tasks()
        .max_results(0)
        .send()
        .await
        .expect_err("invalid");
    let Some(ListCapacityTasksError::ValidationException(invalid)) = err.as_service_error() else {
        panic!("expected ValidationException, got {err:?}");
    };
    assert!(invalid.message().is_some_and(|m| m.contains("maxResults")));
}
