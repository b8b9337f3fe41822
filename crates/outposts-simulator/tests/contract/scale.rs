//! A thousand tasks across a hundred Outposts.

use super::*;

fn hundred_outposts() -> World {
    let outposts = (1..=100u64)
        .map(|i| Outpost {
            outpost_id: format!("op-{i:017x}"),
            owner_id: "111122223333".into(),
            region: "us-west-2".into(),
            site_id: format!("os-{i:017x}"),
            name: Some(format!("rack-{i}")),
            description: None,
            hardware_type: HardwareType::Rack,
            life_cycle_status: "ACTIVE".into(),
            availability_zone: Some("us-west-2a".into()),
            availability_zone_id: Some("usw2-az1".into()),
            tags: Default::default(),
            generation: None,
            rack_scaling_type: None,
            orders: vec![format!("oo-{i:017x}")],
            assets: vec![ComputeAsset {
                asset_id: format!("{:010}", 4_000_000_000 + i),
                host_id: None,
                rack_id: None,
                max_vcpus: 64,
                instance_families: vec!["m5".into()],
                instance_type_capacities: vec![InstancePool {
                    instance_type: "m5.large".into(),
                    count: 32,
                }],
                state: "ACTIVE".into(),
                rack_elevation: None,
            }],
            running_instances: Vec::new(),
        })
        .collect();
    World {
        instance_types: vec![
            InstanceTypeSpec {
                instance_type: "m5.large".into(),
                vcpus: 2,
            },
            InstanceTypeSpec {
                instance_type: "m5.xlarge".into(),
                vcpus: 4,
            },
        ],
        outposts,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_tasks_across_a_hundred_outposts_list_and_paginate_correctly() {
    let sim = start(SimulatorConfig {
        world: hundred_outposts(),
        ..frozen_config()
    })
    .await;
    let client = client(&sim);

    // Ten tasks per outpost: nine forced terminal so the next may start, the last
    // left REQUESTED. Outposts are filled concurrently.
    let mut workers = tokio::task::JoinSet::new();
    for i in 1..=100u64 {
        let client = client.clone();
        let simulator = sim.simulator().clone();
        workers.spawn(async move {
            let outpost = format!("op-{i:017x}");
            for j in 0..10 {
                let out = client
                    .start_capacity_task()
                    .outpost_identifier(&outpost)
                    .order_id(format!("oo-{i:017x}"))
                    .instance_pools(pool("m5.xlarge", j + 1))
                    .send()
                    .await
                    .expect("task starts");
                let id = out.capacity_task_id().expect("id");
                let status = match j {
                    9 => continue,
                    j if j % 3 == 0 => CapacityTaskStatus::Completed,
                    j if j % 3 == 1 => CapacityTaskStatus::Failed,
                    _ => CapacityTaskStatus::Cancelled,
                };
                simulator
                    .force_task_status(id, status, None)
                    .expect("forced");
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("worker finished");
    }
    let all = sim.tasks();
    assert_eq!(all.len(), 1000);

    let began = Instant::now();
    let pages: Vec<_> = client
        .list_capacity_tasks()
        .max_results(37)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("pages");
    let listing = began.elapsed();
    assert_eq!(pages.len(), 28);
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| p.capacity_tasks())
        .filter_map(|t| t.capacity_task_id().map(str::to_string))
        .collect();
    let expected: Vec<String> = all.iter().map(|t| t.capacity_task_id.clone()).collect();
    assert_eq!(listed, expected, "every task once, in creation order");
    assert_eq!(listed.iter().collect::<HashSet<_>>().len(), 1000);
    assert!(
        listing < Duration::from_secs(20),
        "listing 1000 tasks took {listing:?}"
    );

    let one_page = client
        .list_capacity_tasks()
        .max_results(1000)
        .send()
        .await
        .expect("one page");
    assert_eq!(one_page.capacity_tasks().len(), 1000);
    assert_eq!(one_page.next_token(), None);

    let outpost = format!("op-{:017x}", 7);
    let arn = format!("arn:aws:outposts:us-west-2:111122223333:outpost/{outpost}");
    for filter in [outpost.as_str(), arn.as_str()] {
        let items: Vec<_> = client
            .list_capacity_tasks()
            .outpost_identifier_filter(filter)
            .max_results(3)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .expect("outpost items");
        assert_eq!(items.len(), 10);
        assert!(
            items
                .iter()
                .all(|t| t.outpost_id() == Some(outpost.as_str()))
        );
    }

    let count = |statuses: Vec<SdkStatus>| {
        let client = client.clone();
        async move {
            let items: Vec<_> = client
                .list_capacity_tasks()
                .set_capacity_task_status_filter(Some(statuses))
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .expect("status items");
            items.len()
        }
    };
    assert_eq!(count(vec![SdkStatus::Requested]).await, 100);
    assert_eq!(
        count(vec![SdkStatus::Completed, SdkStatus::Failed]).await,
        600
    );
    assert_eq!(count(vec![SdkStatus::Cancelled]).await, 300);

    // A token belongs to its query.
    let token = pages[0].next_token().expect("token").to_string();
    let err = client
        .list_capacity_tasks()
        .capacity_task_status_filter(SdkStatus::Requested)
        .next_token(token)
        .send()
        .await
        .expect_err("token of another query");
    assert_typed!(err, ListCapacityTasksError::ValidationException(_));
}
