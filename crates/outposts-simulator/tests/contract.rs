//! Contract tests: the real `aws-sdk-outposts` client against the simulator over
//! real HTTP on 127.0.0.1 — every operation, every error type, pagination and
//! filters, the task state machine, SigV4, and each test control (in-process and
//! over the `/_sim/` endpoint). Tests that count calls or observe one fault use a
//! client without retries; tests about retries use a client with fast retries.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use aws_sdk_outposts::Client;
use aws_sdk_outposts::config::http::HttpResponse;
use aws_sdk_outposts::config::retry::RetryConfig;
use aws_sdk_outposts::config::{BehaviorVersion, Credentials as SdkCredentials, Region};
use aws_sdk_outposts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_outposts::operation::cancel_capacity_task::CancelCapacityTaskError;
use aws_sdk_outposts::operation::get_capacity_task::{GetCapacityTaskError, GetCapacityTaskOutput};
use aws_sdk_outposts::operation::get_outpost::GetOutpostError;
use aws_sdk_outposts::operation::list_assets::ListAssetsError;
use aws_sdk_outposts::operation::list_capacity_tasks::ListCapacityTasksError;
use aws_sdk_outposts::operation::list_outposts::ListOutpostsError;
use aws_sdk_outposts::operation::start_capacity_task::{
    StartCapacityTaskError, StartCapacityTaskOutput,
};
use aws_sdk_outposts::types::{
    AssetType, AwsServiceName, CapacityTaskFailureType, CapacityTaskStatus as SdkStatus,
    ComputeAssetState, InstanceTypeCapacity, InstancesToExclude, OutpostGeneration,
    RackScalingType, ResourceType, SupportedHardwareType, TaskActionOnBlockingInstances,
};
use outposts_simulator::world::{
    ComputeAsset, HardwareType, InstancePool, InstanceTypeSpec, Outpost,
};
use outposts_simulator::{
    self, CapacityTaskStatus, Credentials, EventualConsistency, FaultKind, FaultRule, Operation,
    SimulatorConfig, SimulatorHandle, TaskTiming, World,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Asserts that the SDK parsed the error into this typed variant.
macro_rules! assert_typed {
    ($err:expr, $variant:pat) => {
        assert!(
            matches!($err.as_service_error(), Some($variant)),
            "{:?}",
            $err
        )
    };
}

const RACK: &str = "op-0123456789abcdef0";
const RACK_ARN: &str = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0";
const RACK_ORDER: &str = "oo-0123456789abcdef0";
/// The README quickstart layout; it fits the built-in rack.
const QUICKSTART: &[(&str, i32)] = &[("g4dn.12xlarge", 2), ("c5.4xlarge", 6)];
const SERVER: &str = "op-0fedcba9876543210";
const BUSY: &str = "op-0aaaaaaaaaaaaaaa1";
const UNKNOWN_OUTPOST: &str = "op-0ffffffffffffffff";
const UNKNOWN_TASK: &str = "cap-0ffffffffffffffff";

// ---- harness -------------------------------------------------------------------------

/// Long steps on a frozen clock: nothing moves unless a test advances it.
fn timing() -> TaskTiming {
    TaskTiming {
        requested: Duration::from_secs(60),
        in_progress: Duration::from_secs(300),
        cancellation: Duration::from_secs(30),
        evacuation_timeout: Duration::from_secs(48 * 3600),
    }
}

fn frozen_config() -> SimulatorConfig {
    SimulatorConfig {
        frozen_clock: true,
        timing: timing(),
        ..SimulatorConfig::default()
    }
}

async fn start(config: SimulatorConfig) -> SimulatorHandle {
    outposts_simulator::start(config)
        .await
        .expect("simulator starts")
}

fn client_with(endpoint: &str, key: &str, secret: &str, retry: RetryConfig) -> Client {
    let config = aws_sdk_outposts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .credentials_provider(SdkCredentials::new(
            key,
            secret,
            None,
            None,
            "simulator-contract",
        ))
        .endpoint_url(endpoint)
        .retry_config(retry)
        .build();
    Client::from_conf(config)
}

/// One attempt per call: what the test sees is what the simulator answered.
fn client(sim: &SimulatorHandle) -> Client {
    client_with(
        sim.endpoint(),
        "AKIDSIMULATOR",
        "simulator-secret",
        RetryConfig::disabled(),
    )
}

/// The SDK's standard retries, with short backoff so tests stay fast.
fn retrying_client(sim: &SimulatorHandle) -> Client {
    let retry = RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(10));
    client_with(sim.endpoint(), "AKIDSIMULATOR", "simulator-secret", retry)
}

fn pool(instance_type: &str, count: i32) -> InstanceTypeCapacity {
    InstanceTypeCapacity::builder()
        .instance_type(instance_type)
        .count(count)
        .build()
        .expect("pool has both fields")
}

/// The HTTP status the simulator answered with, for service errors.
fn status_of<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

async fn start_quickstart_task(client: &Client) -> StartCapacityTaskOutput {
    client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id(RACK_ORDER)
        .instance_pools(pool("g4dn.12xlarge", 2))
        .instance_pools(pool("c5.4xlarge", 6))
        .send()
        .await
        .expect("task starts")
}

async fn get_task(client: &Client, outpost: &str, id: &str) -> GetCapacityTaskOutput {
    client
        .get_capacity_task()
        .outpost_identifier(outpost)
        .capacity_task_id(id)
        .send()
        .await
        .expect("task found")
}

async fn status(client: &Client, outpost: &str, id: &str) -> SdkStatus {
    let task = get_task(client, outpost, id).await;
    task.capacity_task_status().cloned().expect("status")
}

/// Starts a task with these pools and returns its ID.
async fn start_task(client: &Client, outpost: &str, pools: &[(&str, i32)]) -> String {
    let pools = pools.iter().map(|(t, n)| pool(t, *n)).collect();
    let out = client
        .start_capacity_task()
        .outpost_identifier(outpost)
        .set_instance_pools(Some(pools))
        .send()
        .await
        .expect("task starts");
    out.capacity_task_id().expect("id").to_string()
}

/// A plain HTTP/1.1 exchange, for unsigned requests and the control endpoint.
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("reads");
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Calls the control endpoint and expects 200.
async fn control(sim: &SimulatorHandle, method: &str, path: &str, body: Value) -> Value {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let response = raw(
        sim.local_addr(),
        method,
        path,
        &[("Content-Type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(response.status, 200, "{method} {path}: {}", response.body);
    response.json()
}

/// A syntactically valid SigV4 header; accepted when the simulator has no credentials.
const FAKE_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDANY/20260101/us-west-2/outposts/aws4_request, \
    SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000";

// ---- every operation -------------------------------------------------------------------

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

    let assets = client
        .list_assets()
        .outpost_identifier(RACK)
        .send()
        .await
        .expect("ListAssets");
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

    let blocking = client
        .list_blocking_instances_for_capacity_task()
        .outpost_identifier(RACK)
        .capacity_task_id(&id)
        .send()
        .await
        .expect("ListBlockingInstancesForCapacityTask");
    assert!(blocking.blocking_instances().is_empty());

    client
        .cancel_capacity_task()
        .outpost_identifier(RACK)
        .capacity_task_id(&id)
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

    let started = client
        .start_capacity_task()
        .outpost_identifier(RACK_ARN)
        .instance_pools(pool("c5.4xlarge", 2))
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

// ---- errors ------------------------------------------------------------------------------

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

    let err = client
        .get_capacity_task()
        .outpost_identifier(RACK)
        .capacity_task_id("cap-123")
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

    let err = client
        .cancel_capacity_task()
        .outpost_identifier(RACK)
        .capacity_task_id(UNKNOWN_TASK)
        .send()
        .await
        .expect_err("cancel unknown");
    assert_typed!(err, CancelCapacityTaskError::NotFoundException(_));
}

async fn get_err(
    client: &Client,
    outpost: &str,
    id: &str,
) -> SdkError<GetCapacityTaskError, HttpResponse> {
    client
        .get_capacity_task()
        .outpost_identifier(outpost)
        .capacity_task_id(id)
        .send()
        .await
        .expect_err("expected an error")
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
    let headers = [
        ("Authorization", FAKE_AUTH),
        ("X-Amz-Date", "20260101T000000Z"),
    ];
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
    let headers = [
        ("Authorization", FAKE_AUTH),
        ("X-Amz-Date", "20260101T000000Z"),
    ];
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

// ---- conflicts and DryRun --------------------------------------------------------------

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
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
    assert_eq!(conflict.resource_id(), Some(RACK_ORDER));
    assert_eq!(conflict.resource_type(), Some(&ResourceType::Order));
    assert!(conflict.message().unwrap_or_default().contains(first_id));
    assert_eq!(status_of(&err), Some(409));

    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("c5.4xlarge", 1))
        .send()
        .await
        .expect_err("same outpost");
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
    assert_eq!(conflict.resource_id(), Some(RACK));
    assert_eq!(conflict.resource_type(), Some(&ResourceType::Outpost));
    assert!(conflict.message().unwrap_or_default().contains(first_id));

    // Other outposts are independent, and a terminal task frees its outpost.
    client
        .start_capacity_task()
        .outpost_identifier(SERVER)
        .instance_pools(pool("c5.xlarge", 4))
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
    let answer = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id(RACK_ORDER)
        .instance_pools(pool("g4dn.12xlarge", 2))
        .instance_pools(pool("c5.4xlarge", 6))
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
    client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("m5.xlarge", 4))
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
    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("m5.12xlarge", 7))
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

// ---- the state machine -------------------------------------------------------------------

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
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        json!({ "seconds": 3600 }),
    )
    .await;
    let task = get_task(&client, RACK, id).await;
    assert_eq!(task.capacity_task_status(), Some(&SdkStatus::Completed));
    assert_eq!(
        task.completion_date().map(|d| d.as_secs_f64()),
        Some(created + 360.0)
    );
    assert_eq!(task.failed(), None);

    let assets = client
        .list_assets()
        .outpost_identifier(RACK)
        .send()
        .await
        .expect("assets");
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
    let started = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("m5.12xlarge", 7))
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

async fn start_busy_task(
    client: &Client,
    action: TaskActionOnBlockingInstances,
    exclude: Option<InstancesToExclude>,
) -> String {
    client
        .start_capacity_task()
        .outpost_identifier(BUSY)
        .instance_pools(pool("c5.2xlarge", 6))
        .task_action_on_blocking_instances(action)
        .set_instances_to_exclude(exclude)
        .send()
        .await
        .expect("busy task starts")
        .capacity_task_id()
        .expect("id")
        .to_string()
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
    let pages: Vec<_> = client
        .list_blocking_instances_for_capacity_task()
        .outpost_identifier(BUSY)
        .capacity_task_id(&id)
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
    let evacuated = control(
        &sim,
        "POST",
        "/_sim/evacuate",
        json!({ "capacity_task_id": id }),
    )
    .await;
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
    let blocking = client
        .list_blocking_instances_for_capacity_task()
        .outpost_identifier(BUSY)
        .capacity_task_id(&id)
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
    let evacuated = control(&sim, "POST", "/_sim/evacuate", body).await;
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
    control(
        &sim,
        "POST",
        "/_sim/instances",
        json!({ "outpost_id": SERVER, "instance_id": "i-0bbbbbbbbbbbbbbb1", "instance_type": "m5.xlarge",
                "account_id": "111122223333", "service": "ELB" }),
    )
    .await;
    let id = client
        .start_capacity_task()
        .outpost_identifier(SERVER)
        .instance_pools(pool("c5.xlarge", 16))
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
    control(
        &sim,
        "POST",
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
    client
        .cancel_capacity_task()
        .outpost_identifier(RACK)
        .capacity_task_id(&id)
        .send()
        .await
        .expect("cancel accepted");
    let task = get_task(&client, RACK, &id).await;
    assert_eq!(
        task.capacity_task_status(),
        Some(&SdkStatus::CancellationInProgress)
    );
    // Cancelling again while cancelling is accepted.
    client
        .cancel_capacity_task()
        .outpost_identifier(RACK_ARN)
        .capacity_task_id(&id)
        .send()
        .await
        .expect("repeat cancel accepted");
    // Still active: it holds the outpost.
    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("c5.4xlarge", 1))
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
    client
        .cancel_capacity_task()
        .outpost_identifier(BUSY)
        .capacity_task_id(&id)
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
    let cancel = || {
        client
            .cancel_capacity_task()
            .outpost_identifier(RACK)
            .capacity_task_id(&id)
            .send()
    };

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

// ---- listing ---------------------------------------------------------------------------------

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

// ---- faults, each observed through the SDK -------------------------------------------------

#[tokio::test]
async fn throttling_fault_is_a_429_the_sdk_retries() {
    let sim = start(frozen_config()).await;
    sim.inject_fault(FaultRule::next_calls(
        Operation::GetOutpost,
        FaultKind::Throttle,
        1,
    ))
    .expect("fault");
    let err = client(&sim)
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(status_of(&err), Some(429));
    assert_eq!(sim.request_count("GetOutpost"), 1);

    sim.inject_fault(FaultRule::next_calls(
        Operation::GetOutpost,
        FaultKind::Throttle,
        2,
    ))
    .expect("fault");
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
    control(
        &sim,
        "POST",
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

    control(
        &sim,
        "POST",
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::ListOutposts,
        FaultKind::AccessDenied,
        1,
    ))
    .expect("fault");
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

    sim.inject_fault(FaultRule::next_calls(
        Operation::GetOutpost,
        FaultKind::NotFound,
        1,
    ))
    .expect("fault");
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
    let faults = control(
        &sim,
        "POST",
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::StartCapacityTask,
        FaultKind::LoseResponse,
        1,
    ))
    .expect("fault");

    // Without retries the caller sees a transport error, and the task exists anyway.
    let err = client(&sim)
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("c5.4xlarge", 6))
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::StartCapacityTask,
        FaultKind::LoseResponse,
        1,
    ))
    .expect("fault");
    let err = retrying_client(&sim)
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("c5.4xlarge", 6))
        .send()
        .await
        .expect_err("conflict after retry");
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 1);
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
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
    control(
        &sim,
        "POST",
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

    control(
        &sim,
        "POST",
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

// ---- rival starts, answers without a task ID, list lag ------------------------------------

/// Starts the quickstart layout on the rack as a DryRun; it must fit.
async fn dry_run_quickstart(client: &Client) {
    let answer = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id(RACK_ORDER)
        .instance_pools(pool("g4dn.12xlarge", 2))
        .instance_pools(pool("c5.4xlarge", 6))
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
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::StartCapacityTask,
        FaultKind::RivalStart,
        1,
    ))
    .expect("fault");

    // A DryRun neither triggers nor spends the rival.
    dry_run_quickstart(&client).await;
    assert!(sim.tasks().is_empty());
    assert_eq!(sim.faults().len(), 1);

    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id(RACK_ORDER)
        .instance_pools(pool("g4dn.12xlarge", 2))
        .instance_pools(pool("c5.4xlarge", 6))
        .send()
        .await
        .expect_err("the rival got there first");
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
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
    let added = control(
        &sim,
        "POST",
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
    control(
        &sim,
        "POST",
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::StartCapacityTask,
        FaultKind::RivalStart,
        2,
    ))
    .expect("fault");
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::StartCapacityTask,
        FaultKind::RivalStart,
        1,
    ))
    .expect("fault");
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
    sim.inject_fault(FaultRule::next_calls(
        Operation::StartCapacityTask,
        FaultKind::OmitTaskId,
        1,
    ))
    .expect("fault");
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
    control(
        &sim,
        "POST",
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
    let started = client
        .start_capacity_task()
        .outpost_identifier(SERVER)
        .instance_pools(pool("c5.xlarge", 8))
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
    let set = control(
        &sim,
        "POST",
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
    let set = control(
        &sim,
        "POST",
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
    control(&sim, "POST", "/_sim/reset", Value::Null).await;
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
    let timing = control(&sim, "POST", "/_sim/timing", timing).await;
    assert_eq!(timing["cancellation_seconds"], json!(30.0));
    let tasks = control(&sim, "GET", "/_sim/tasks", Value::Null).await;
    assert_eq!(
        tasks[0]["status"], "COMPLETED",
        "zero durations apply at once"
    );

    control(
        &sim,
        "POST",
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
    control(&sim, "POST", "/_sim/reset", Value::Null).await;
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

// ---- response shapes: every member of the model --------------------------------------------

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
    let assets = client
        .list_assets()
        .outpost_identifier(RACK)
        .send()
        .await
        .expect("ListAssets");
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
    let assets = client
        .list_assets()
        .outpost_identifier(SERVER)
        .send()
        .await
        .expect("ListAssets");
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
    let blocking = client
        .list_blocking_instances_for_capacity_task()
        .outpost_identifier(BUSY)
        .capacity_task_id(&id)
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
    let headers = [
        ("Authorization", FAKE_AUTH),
        ("X-Amz-Date", "20260101T000000Z"),
    ];
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
    let headers = [
        ("Authorization", FAKE_AUTH),
        ("X-Amz-Date", "20260101T000000Z"),
    ];
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
    let err = client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .instance_pools(pool("c5.4xlarge", 1))
        .send()
        .await
        .expect_err("conflict");
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
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

// ---- scale ---------------------------------------------------------------------------------------

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

// ---- seed file and binary -------------------------------------------------------------------------

#[tokio::test]
async fn example_seed_file_is_the_default_world_and_serves_from_disk() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/simulator-seed.json");
    let world = World::load(&path).expect("example seed is valid");
    assert_eq!(world, World::default_seed());
    let sim = start(SimulatorConfig {
        world,
        ..frozen_config()
    })
    .await;
    let client = client(&sim);
    let outposts = client.list_outposts().send().await.expect("list");
    assert_eq!(outposts.outposts().len(), 3);
    let id = start_task(&client, RACK_ARN, QUICKSTART).await;
    sim.advance_clock(Duration::from_secs(3600));
    assert_eq!(status(&client, RACK, &id).await, SdkStatus::Completed);
}

#[tokio::test]
async fn non_loopback_listener_is_refused_unless_allowed() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    let err = outposts_simulator::start_on(listener, frozen_config())
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    let config = SimulatorConfig {
        allow_non_loopback: true,
        ..frozen_config()
    };
    let sim = outposts_simulator::start_on(listener, config)
        .await
        .expect("allowed explicitly");
    sim.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn binary_prints_its_address_serves_and_stops_on_sigterm() {
    use tokio::io::AsyncBufReadExt;
    let binary = env!("CARGO_BIN_EXE_outposts-simulator");
    let mut child = tokio::process::Command::new(binary)
        .args(["--quiet", "--frozen-clock", "--requested-duration", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("simulator binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("prints in time")
        .expect("reads")
        .expect("a first line");
    let url = first
        .strip_prefix("outposts-simulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr: SocketAddr = url.parse().expect("address");
    assert!(addr.ip().is_loopback());

    let health = raw(addr, "GET", "/_sim/health", &[], "").await;
    assert_eq!(health.status, 200, "{}", health.body);
    let endpoint = format!("http://{addr}");
    let client = client_with(&endpoint, "AKIDANY", "any-secret", RetryConfig::disabled());
    let listed = client
        .list_outposts()
        .send()
        .await
        .expect("binary serves the API");
    assert_eq!(listed.outposts().len(), 3);

    let pid = child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("stops in time")
        .expect("waits");
    assert!(output.status.success(), "{:?}", output.status);
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopped"));
}

#[tokio::test]
async fn binary_refuses_a_non_loopback_address() {
    let binary = env!("CARGO_BIN_EXE_outposts-simulator");
    let output = tokio::process::Command::new(binary)
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .await
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("non-loopback"));
    assert!(output.stdout.is_empty());
}
