//! Every error type, with the field or resource it names.

use super::*;

#[tokio::test]
async fn invalid_input_is_a_validation_exception_naming_the_field() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);
    let message = |err: &dyn ProvideErrorMetadata| {
        assert_eq!(err.code(), Some("ValidationException"));
        err.message().unwrap_or_default().to_string()
    };

    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("c5.4xlarge", 10_000))
        .send()
        .await
        .expect_err("count too big");
    assert_typed!(err, StartCapacityTaskError::ValidationException(_));
    let text = message(&err);
    assert!(
        text.contains("'instancePools.1.member.count'") && text.contains("9999"),
        "{text}"
    );
    assert_eq!(status_of(&err), Some(400));

    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id("oo-1")
        .asset_id("12")
        .instance_pools(pool("C5.4XLARGE", -1))
        .instances_to_exclude(
            InstancesToExclude::builder()
                .instances("i-1")
                .account_ids("12345")
                .build(),
        )
        .task_action_on_blocking_instances(TaskActionOnBlockingInstances::from("SOMETIMES"))
        .send()
        .await
        .expect_err("many bad fields");
    let text = message(&err);
    for field in [
        "'orderId'",
        "'assetId'",
        "'instancePools.1.member.instanceType'",
        "'instancePools.1.member.count'",
        "'instancesToExclude.instances.1.member'",
        "'instancesToExclude.accountIds.1.member'",
        "'taskActionOnBlockingInstances'",
    ] {
        assert!(text.contains(field), "{field} not in {text}");
    }
    // assetId and accountIds fail both their length and their pattern.
    assert!(text.starts_with("9 validation errors detected"), "{text}");

    let err = get_request(&client, RACK, "cap-123")
        .send()
        .await
        .expect_err("bad task id");
    assert_typed!(err, GetCapacityTaskError::ValidationException(_));
    assert!(message(&err).contains("'capacityTaskId'"));

    let err = client
        .get_outpost()
        .outpost_id("op-xyz")
        .send()
        .await
        .expect_err("bad outpost id");
    assert!(message(&err).contains("'outpostId'"));

    for max in [0, 1001] {
        let err = client
            .list_capacity_tasks()
            .max_results(max)
            .send()
            .await
            .expect_err("bad page size");
        assert!(message(&err).contains("'maxResults'"));
    }
    let err = client
        .list_capacity_tasks()
        .next_token("garbage")
        .send()
        .await
        .expect_err("bad token");
    assert!(message(&err).contains("'nextToken'"));
    let err = client
        .list_capacity_tasks()
        .next_token("5##forged")
        .send()
        .await
        .expect_err("forged token");
    assert_typed!(err, ListCapacityTasksError::ValidationException(_));

    let err = client
        .list_capacity_tasks()
        .capacity_task_status_filter(SdkStatus::from("DONE"))
        .send()
        .await
        .expect_err("bad status");
    assert!(message(&err).contains("'capacityTaskStatusFilter.1.member'"));

    let err = client
        .list_assets()
        .outpost_identifier(RACK)
        .status_filter(aws_sdk_outposts::types::AssetState::from("GONE"))
        .send()
        .await
        .expect_err("bad asset state");
    assert_typed!(err, ListAssetsError::ValidationException(_));
}

#[tokio::test]
async fn unknown_outposts_orders_assets_and_tasks_are_not_found() {
    let sim = start(frozen_config()).await;
    let client = client(&sim);

    let err = client
        .get_outpost()
        .outpost_id(UNKNOWN_OUTPOST)
        .send()
        .await
        .expect_err("no outpost");
    assert_typed!(err, GetOutpostError::NotFoundException(_));
    assert_eq!(status_of(&err), Some(404));

    let err = get_err(&client, RACK, UNKNOWN_TASK).await;
    assert_typed!(err, GetCapacityTaskError::NotFoundException(_));

    // A task is only found under its own outpost.
    let id = start_task(&client, RACK, QUICKSTART).await;
    let err = get_err(&client, SERVER, &id).await;
    assert_typed!(err, GetCapacityTaskError::NotFoundException(_));

    let err = client
        .start_capacity_task()
        .outpost_identifier(SERVER)
        .order_id(RACK_ORDER)
        .instance_pools(pool("c5.xlarge", 1))
        .send()
        .await
        .expect_err("order of another outpost");
    assert_typed!(err, StartCapacityTaskError::NotFoundException(_));

    let err = client
        .start_capacity_task()
        .outpost_identifier(SERVER)
        .asset_id("9999999999")
        .instance_pools(pool("c5.xlarge", 1))
        .send()
        .await
        .expect_err("unknown asset");
    assert_typed!(err, StartCapacityTaskError::NotFoundException(_));

    let err = client
        .list_capacity_tasks()
        .outpost_identifier_filter(UNKNOWN_OUTPOST)
        .send()
        .await
        .expect_err("unknown outpost filter");
    assert_typed!(err, ListCapacityTasksError::NotFoundException(_));

    let err = cancel_request(&client, RACK, UNKNOWN_TASK)
        .send()
        .await
        .expect_err("cancel unknown");
    assert_typed!(err, CancelCapacityTaskError::NotFoundException(_));
}

#[tokio::test]
async fn unsigned_request_is_refused_with_403() {
    let sim = start(frozen_config()).await;
    let response = raw(sim.local_addr(), "GET", "/outposts", &[], "").await;
    assert_eq!(response.status, 403);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );
    assert!(response.json()["message"].is_string());

    let response = raw(
        sim.local_addr(),
        "GET",
        "/outposts",
        &[("Authorization", "Bearer token")],
        "",
    )
    .await;
    assert_eq!(response.status, 403);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("IncompleteSignatureException")
    );
    assert_eq!(sim.request_count("ListOutposts"), 2);
}

#[tokio::test]
async fn wrong_secret_is_refused_with_403_when_credentials_are_configured() {
    let sim = start(SimulatorConfig {
        credentials: Some(Credentials::new("AKIDSIMULATOR", "the-right-secret")),
        ..frozen_config()
    })
    .await;
    let right = client_with(
        sim.endpoint(),
        "AKIDSIMULATOR",
        "the-right-secret",
        RetryConfig::disabled(),
    );
    right
        .list_outposts()
        .send()
        .await
        .expect("correct signature verifies");
    // The ARN label is double-encoded when signed; it must verify too.
    right
        .get_outpost()
        .outpost_id(RACK_ARN)
        .send()
        .await
        .expect("ARN path verifies");
    right
        .list_capacity_tasks()
        .capacity_task_status_filter(SdkStatus::Requested)
        .capacity_task_status_filter(SdkStatus::Failed)
        .max_results(5)
        .send()
        .await
        .expect("repeated query keys verify");
    start_quickstart_task(&right).await;

    let wrong = client_with(
        sim.endpoint(),
        "AKIDSIMULATOR",
        "a-wrong-secret",
        RetryConfig::disabled(),
    );
    let err = wrong
        .list_outposts()
        .send()
        .await
        .expect_err("wrong secret");
    assert_eq!(err.code(), Some("InvalidSignatureException"));
    assert_eq!(status_of(&err), Some(403));

    let stranger = client_with(
        sim.endpoint(),
        "AKIDSTRANGER",
        "the-right-secret",
        RetryConfig::disabled(),
    );
    let err = stranger
        .list_outposts()
        .send()
        .await
        .expect_err("unknown key");
    assert_eq!(err.code(), Some("UnrecognizedClientException"));
    assert_eq!(status_of(&err), Some(403));
}

#[tokio::test]
async fn malformed_json_body_is_a_serialization_exception() {
    let sim = start(frozen_config()).await;
    let headers = FAKE_SIGNED;
    let path = format!("/outposts/{RACK}/capacity");
    let response = raw(
        sim.local_addr(),
        "POST",
        &path,
        &headers,
        "{\"InstancePools\": [",
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("SerializationException")
    );
    assert!(sim.tasks().is_empty());
}

#[tokio::test]
async fn unknown_route_is_an_unknown_operation() {
    let sim = start(frozen_config()).await;
    let headers = FAKE_SIGNED;
    let response = raw(
        sim.local_addr(),
        "DELETE",
        &format!("/outposts/{RACK}"),
        &headers,
        "",
    )
    .await;
    assert_eq!(response.status, 404);
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("UnknownOperationException")
    );
    let response = raw(sim.local_addr(), "GET", "/_sim/nothing-here", &[], "").await;
    assert_eq!(response.status, 404);
}
