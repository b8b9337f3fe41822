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
use aws_sdk_outposts::operation::cancel_capacity_task::builders::CancelCapacityTaskFluentBuilder;
use aws_sdk_outposts::operation::get_capacity_task::builders::GetCapacityTaskFluentBuilder;
use aws_sdk_outposts::operation::get_capacity_task::{GetCapacityTaskError, GetCapacityTaskOutput};
use aws_sdk_outposts::operation::get_outpost::GetOutpostError;
use aws_sdk_outposts::operation::list_assets::ListAssetsError;
use aws_sdk_outposts::operation::list_assets::ListAssetsOutput;
use aws_sdk_outposts::operation::list_blocking_instances_for_capacity_task::builders::ListBlockingInstancesForCapacityTaskFluentBuilder;
use aws_sdk_outposts::operation::list_capacity_tasks::ListCapacityTasksError;
use aws_sdk_outposts::operation::list_outposts::ListOutpostsError;
use aws_sdk_outposts::operation::start_capacity_task::builders::StartCapacityTaskFluentBuilder;
use aws_sdk_outposts::operation::start_capacity_task::{
    StartCapacityTaskError, StartCapacityTaskOutput,
};
use aws_sdk_outposts::types::error::ConflictException;
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

mod binary;
mod conflicts;
mod errors;
mod faults;
mod listing;
mod operations;
mod rate_limits;
mod scale;
mod shapes;
mod start_controls;
mod state_machine;

const RACK: &str = "op-0123456789abcdef0";
const RACK_ARN: &str = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0";
const RACK_ORDER: &str = "oo-0123456789abcdef0";
/// The README quickstart layout; it fits the built-in rack.
const QUICKSTART: &[(&str, i32)] = &[("g4dn.12xlarge", 2), ("c5.4xlarge", 6)];
const SERVER: &str = "op-0fedcba9876543210";
const BUSY: &str = "op-0aaaaaaaaaaaaaaa1";
const UNKNOWN_OUTPOST: &str = "op-0ffffffffffffffff";
const UNKNOWN_TASK: &str = "cap-0ffffffffffffffff";

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

/// A StartCapacityTask request for one pool on this outpost; callers add to it.
fn start_one(
    client: &Client,
    outpost: &str,
    instance_type: &str,
    count: i32,
) -> StartCapacityTaskFluentBuilder {
    client
        .start_capacity_task()
        .outpost_identifier(outpost)
        .instance_pools(pool(instance_type, count))
}

/// The README quickstart request: the rack, its order and the quickstart layout.
fn quickstart_request(client: &Client) -> StartCapacityTaskFluentBuilder {
    client
        .start_capacity_task()
        .outpost_identifier(RACK)
        .order_id(RACK_ORDER)
        .instance_pools(pool("g4dn.12xlarge", 2))
        .instance_pools(pool("c5.4xlarge", 6))
}

async fn start_quickstart_task(client: &Client) -> StartCapacityTaskOutput {
    quickstart_request(client)
        .send()
        .await
        .expect("task starts")
}

/// The ConflictException a start was refused with.
fn conflict_of(err: &SdkError<StartCapacityTaskError, HttpResponse>) -> &ConflictException {
    let Some(StartCapacityTaskError::ConflictException(conflict)) = err.as_service_error() else {
        panic!("expected ConflictException, got {err:?}");
    };
    conflict
}

fn get_request(client: &Client, outpost: &str, id: &str) -> GetCapacityTaskFluentBuilder {
    client
        .get_capacity_task()
        .outpost_identifier(outpost)
        .capacity_task_id(id)
}

fn cancel_request(client: &Client, outpost: &str, id: &str) -> CancelCapacityTaskFluentBuilder {
    client
        .cancel_capacity_task()
        .outpost_identifier(outpost)
        .capacity_task_id(id)
}

fn blocking_request(
    client: &Client,
    outpost: &str,
    id: &str,
) -> ListBlockingInstancesForCapacityTaskFluentBuilder {
    client
        .list_blocking_instances_for_capacity_task()
        .outpost_identifier(outpost)
        .capacity_task_id(id)
}

async fn list_assets(client: &Client, outpost: &str) -> ListAssetsOutput {
    client
        .list_assets()
        .outpost_identifier(outpost)
        .send()
        .await
        .expect("ListAssets")
}

async fn get_task(client: &Client, outpost: &str, id: &str) -> GetCapacityTaskOutput {
    get_request(client, outpost, id)
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

/// FAKE_AUTH and its date: the headers of a request any client could send.
const FAKE_SIGNED: [(&str, &str); 2] = [
    ("Authorization", FAKE_AUTH),
    ("X-Amz-Date", "20260101T000000Z"),
];

/// Injects a fault into the next `count` calls of an operation.
fn inject(sim: &SimulatorHandle, operation: Operation, kind: FaultKind, count: u32) {
    sim.inject_fault(FaultRule::next_calls(operation, kind, count))
        .expect("fault");
}

/// POSTs to the control endpoint and expects 200.
async fn post(sim: &SimulatorHandle, path: &str, body: Value) -> Value {
    control(sim, "POST", path, body).await
}

async fn get_err(
    client: &Client,
    outpost: &str,
    id: &str,
) -> SdkError<GetCapacityTaskError, HttpResponse> {
    get_request(client, outpost, id)
        .send()
        .await
        .expect_err("expected an error")
}

async fn start_busy_task(
    client: &Client,
    action: TaskActionOnBlockingInstances,
    exclude: Option<InstancesToExclude>,
) -> String {
    start_one(client, BUSY, "c5.2xlarge", 6)
        .task_action_on_blocking_instances(action)
        .set_instances_to_exclude(exclude)
        .send()
        .await
        .expect("busy task starts")
        .capacity_task_id()
        .expect("id")
        .to_string()
}
