//! Filters and pagination.

use super::*;

#[tokio::test]
async fn list_capacity_tasks_filters_by_outpost_and_status() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let rack_task = start_task(&client, RACK, QUICKSTART).await;
    let server_task = start_task(&client, SERVER, &[("c5.xlarge", 4)]).await;
    sim.force_task_status(&server_task, CapacityTaskStatus::Completed, None)
        .expect("forced");

    let ids = |out: &aws_sdk_outposts::operation::list_capacity_tasks::ListCapacityTasksOutput| {
        out.capacity_tasks()
            .iter()
            .filter_map(|t| t.capacity_task_id().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let by_arn = client
        .list_capacity_tasks()
        .outpost_identifier_filter(RACK_ARN)
        .send()
        .await
        .expect("list");
    assert_eq!(ids(&by_arn), std::slice::from_ref(&rack_task));
    let completed = client
        .list_capacity_tasks()
        .capacity_task_status_filter(SdkStatus::Completed)
        .send()
        .await
        .expect("list");
    assert_eq!(ids(&completed), std::slice::from_ref(&server_task));
    let both = client
        .list_capacity_tasks()
        .capacity_task_status_filter(SdkStatus::Completed)
        .capacity_task_status_filter(SdkStatus::Requested)
        .send()
        .await
        .expect("list");
    assert_eq!(ids(&both), [rack_task.clone(), server_task.clone()]);
    let none = client
        .list_capacity_tasks()
        .outpost_identifier_filter(SERVER)
        .capacity_task_status_filter(SdkStatus::Failed)
        .send()
        .await
        .expect("list");
    assert!(ids(&none).is_empty());
    let summary = &both.capacity_tasks()[1];
    assert_eq!(summary.outpost_id(), Some(SERVER));
    assert!(summary.completion_date().is_some());
}

#[tokio::test]
async fn outposts_assets_and_instance_types_paginate() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let pages: Vec<_> = client
        .list_outposts()
        .max_results(2)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("outpost pages");
    assert_eq!(
        pages.iter().map(|p| p.outposts().len()).collect::<Vec<_>>(),
        [2, 1]
    );

    let assets: Vec<_> = client
        .list_assets()
        .outpost_identifier(RACK)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("asset items");
    assert_eq!(assets.len(), 3);

    let types: Vec<_> = client
        .get_outpost_supported_instance_types()
        .outpost_identifier(RACK)
        .max_results(5)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("supported types");
    assert_eq!(types.len(), 17);

    let filtered = client
        .list_outposts()
        .availability_zone_filter("us-west-2b")
        .send()
        .await
        .expect("filtered");
    assert_eq!(filtered.outposts().len(), 1);
    let host = client
        .list_assets()
        .outpost_identifier(RACK)
        .host_id_filter("h-00000001000000002")
        .status_filter(aws_sdk_outposts::types::AssetState::Active)
        .send()
        .await
        .expect("by host");
    assert_eq!(
        host.assets()
            .iter()
            .filter_map(|a| a.asset_id())
            .collect::<Vec<_>>(),
        ["1000000002"]
    );
}
