//! The Outposts API on the wire (rest-json): routes, query and body parsing,
//! validation, response shapes and the error format the AWS SDKs parse
//! (`X-Amzn-ErrorType` header plus a `{"Message": …}` body).
//!
//! Every request goes: route → count → SigV4 → injected faults (maybe a rival's
//! start first) → validation → operation → (maybe) reshaped or lost response.
//! Nothing here trusts the request: bad input is answered with an AWS error, never
//! a panic.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::capacity;
use super::faults::FaultKind;
use super::server::ConnectionControl;
use super::sigv4::{self, AuthError, SignedRequest};
use super::state::{self, Simulator};
use super::tasks::{
    CapacityTask, CapacityTaskStatus, InstancesToExclude, TaskAction, epoch_seconds,
};
use super::validate::{
    self, ACCOUNT_ID, ACCOUNT_ID_TEXT, AVAILABILITY_ZONE, AVAILABILITY_ZONE_ID,
    AVAILABILITY_ZONE_ID_TEXT, AVAILABILITY_ZONE_TEXT, HOST_ID, HOST_ID_TEXT, INSTANCE_ID,
    INSTANCE_ID_TEXT, INSTANCE_TYPE, INSTANCE_TYPE_TEXT, LIFE_CYCLE_STATUS, LIFE_CYCLE_STATUS_TEXT,
    Violations,
};
use super::world::{
    ComputeAsset, Generation, InstancePool, Outpost, RackScalingType, RunningInstance, World,
};

/// The largest body the simulator reads; StartCapacityTask bodies are tiny.
const MAX_BODY: usize = 1024 * 1024;
/// Page size when a list request gives no MaxResults.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The operations the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Operation {
    StartCapacityTask,
    GetCapacityTask,
    CancelCapacityTask,
    ListCapacityTasks,
    ListBlockingInstancesForCapacityTask,
    GetOutpostSupportedInstanceTypes,
    GetOutpostInstanceTypes,
    GetOutpost,
    ListOutposts,
    ListAssets,
}

impl Operation {
    pub const ALL: [Operation; 10] = [
        Operation::StartCapacityTask,
        Operation::GetCapacityTask,
        Operation::CancelCapacityTask,
        Operation::ListCapacityTasks,
        Operation::ListBlockingInstancesForCapacityTask,
        Operation::GetOutpostSupportedInstanceTypes,
        Operation::GetOutpostInstanceTypes,
        Operation::GetOutpost,
        Operation::ListOutposts,
        Operation::ListAssets,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::StartCapacityTask => "StartCapacityTask",
            Operation::GetCapacityTask => "GetCapacityTask",
            Operation::CancelCapacityTask => "CancelCapacityTask",
            Operation::ListCapacityTasks => "ListCapacityTasks",
            Operation::ListBlockingInstancesForCapacityTask => {
                "ListBlockingInstancesForCapacityTask"
            }
            Operation::GetOutpostSupportedInstanceTypes => "GetOutpostSupportedInstanceTypes",
            Operation::GetOutpostInstanceTypes => "GetOutpostInstanceTypes",
            Operation::GetOutpost => "GetOutpost",
            Operation::ListOutposts => "ListOutposts",
            Operation::ListAssets => "ListAssets",
        }
    }

    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// An error answered in AWS's rest-json error format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// ConflictException's `ResourceId` and `ResourceType`.
    pub resource: Option<(String, Option<&'static str>)>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            resource: None,
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationException", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFoundException", message)
    }

    pub fn conflict(
        message: impl Into<String>,
        resource_id: &str,
        resource_type: Option<&'static str>,
    ) -> Self {
        Self {
            resource: Some((resource_id.to_string(), resource_type)),
            ..Self::new(StatusCode::CONFLICT, "ConflictException", message)
        }
    }

    fn serialization(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException", message)
    }

    fn unknown_operation() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "Unknown operation",
        )
    }

    fn auth(error: &AuthError) -> Self {
        Self::new(StatusCode::FORBIDDEN, error.code(), error.to_string())
    }

    fn injected(kind: FaultKind, operation: Operation) -> Self {
        let op = operation.as_str();
        match kind {
            FaultKind::Throttle => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "ThrottlingException",
                "Rate exceeded",
            ),
            FaultKind::ServiceUnavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableException",
                "Service is unavailable (injected by the simulator)",
            ),
            FaultKind::AccessDenied => Self::new(
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                format!(
                    "User is not authorized to perform: outposts:{op} (injected by the simulator)"
                ),
            ),
            FaultKind::NotFound => Self::not_found(format!(
                "Resource not found (injected by the simulator for {op})"
            )),
            FaultKind::ServerError
            | FaultKind::Latency
            | FaultKind::LoseResponse
            | FaultKind::RivalStart
            | FaultKind::OmitTaskId => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                "An internal error has occurred (injected by the simulator)",
            ),
        }
    }

    fn into_response(self, request_id: &str) -> Response {
        // `Message` is the member every modelled Outposts error has, so clients that
        // parse errors by the model find it; `message` is the spelling generic
        // rest-json error parsers look for first.
        let mut body = json!({ "Message": self.message, "message": self.message });
        if let Some((id, resource_type)) = &self.resource {
            body["ResourceId"] = json!(id);
            if let Some(t) = resource_type {
                body["ResourceType"] = json!(t);
            }
        }
        let mut response = json_response(self.status, &body, request_id);
        response
            .headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(self.code));
        response
    }
}

fn json_response(status: StatusCode, body: &impl Serialize, request_id: &str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

type ApiResult = Result<serde_json::Value, ApiError>;

/// A request matched to an operation, with its path labels decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    StartCapacityTask { outpost: String },
    GetCapacityTask { outpost: String, task: String },
    CancelCapacityTask { outpost: String, task: String },
    ListCapacityTasks,
    ListBlockingInstances { outpost: String, task: String },
    GetOutpostSupportedInstanceTypes { outpost: String },
    GetOutpostInstanceTypes { outpost: String },
    GetOutpost { outpost: String },
    ListOutposts,
    ListAssets { outpost: String },
}

impl Route {
    fn parse(method: &str, path: &str) -> Option<Route> {
        let mut segments: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        if segments.last().is_some_and(String::is_empty) {
            segments.pop();
        }
        let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
        let route = match (method, parts.as_slice()) {
            ("GET", ["outposts"]) => Route::ListOutposts,
            ("GET", ["outposts", id]) => Route::GetOutpost {
                outpost: id.to_string(),
            },
            ("POST", ["outposts", id, "capacity"]) => Route::StartCapacityTask {
                outpost: id.to_string(),
            },
            ("GET", ["outposts", id, "capacity", task]) => Route::GetCapacityTask {
                outpost: id.to_string(),
                task: task.to_string(),
            },
            ("POST", ["outposts", id, "capacity", task]) => Route::CancelCapacityTask {
                outpost: id.to_string(),
                task: task.to_string(),
            },
            ("GET", ["outposts", id, "capacity", task, "blockingInstances"]) => {
                Route::ListBlockingInstances {
                    outpost: id.to_string(),
                    task: task.to_string(),
                }
            }
            ("GET", ["outposts", id, "supportedInstanceTypes"]) => {
                Route::GetOutpostSupportedInstanceTypes {
                    outpost: id.to_string(),
                }
            }
            ("GET", ["outposts", id, "instanceTypes"]) => Route::GetOutpostInstanceTypes {
                outpost: id.to_string(),
            },
            ("GET", ["outposts", id, "assets"]) => Route::ListAssets {
                outpost: id.to_string(),
            },
            ("GET", ["capacity", "tasks"]) => Route::ListCapacityTasks,
            _ => return None,
        };
        Some(route)
    }

    fn operation(&self) -> Operation {
        match self {
            Route::StartCapacityTask { .. } => Operation::StartCapacityTask,
            Route::GetCapacityTask { .. } => Operation::GetCapacityTask,
            Route::CancelCapacityTask { .. } => Operation::CancelCapacityTask,
            Route::ListCapacityTasks => Operation::ListCapacityTasks,
            Route::ListBlockingInstances { .. } => Operation::ListBlockingInstancesForCapacityTask,
            Route::GetOutpostSupportedInstanceTypes { .. } => {
                Operation::GetOutpostSupportedInstanceTypes
            }
            Route::GetOutpostInstanceTypes { .. } => Operation::GetOutpostInstanceTypes,
            Route::GetOutpost { .. } => Operation::GetOutpost,
            Route::ListOutposts => Operation::ListOutposts,
            Route::ListAssets { .. } => Operation::ListAssets,
        }
    }
}

/// Query parameters in order; list members repeat their key.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Query {
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The entry point for every request that is not a control request.
pub(crate) async fn handle(
    State(sim): State<Arc<Simulator>>,
    ConnectInfo(connection): ConnectInfo<ConnectionControl>,
    request: Request,
) -> Response {
    let request_id = sim.next_request_id();
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();

    let Some(route) = Route::parse(&method, &path) else {
        log(&sim, &method, &path, "unknown operation");
        return ApiError::unknown_operation().into_response(&request_id);
    };
    let operation = route.operation();
    sim.count_request(operation);

    let body = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::serialization("The request body could not be read")
                .into_response(&request_id);
        }
    };
    let signed = SignedRequest {
        method: &method,
        path: &path,
        query: &raw_query,
        headers: &parts.headers,
        body: &body,
    };
    if let Err(error) = sigv4::verify(&signed, sim.credentials.as_ref()) {
        log(
            &sim,
            &method,
            &path,
            &format!("{} {}", operation.as_str(), error.code()),
        );
        return ApiError::auth(&error).into_response(&request_id);
    }
    let dry_run = operation == Operation::StartCapacityTask && is_dry_run(&body);
    let decision = sim.decide_faults(operation, dry_run);
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }
    if decision.rival_start {
        let rival = start_as_rival(&sim, &route, &body);
        let what = rival.as_deref().unwrap_or("nothing: its start was refused");
        log(
            &sim,
            &method,
            &path,
            &format!("{} rival start (not counted) -> {what}", operation.as_str()),
        );
    }
    let mut result = match decision.error {
        Some(kind) => Err(ApiError::injected(kind, operation)),
        None => dispatch(&sim, &route, &Query::parse(&raw_query), &body),
    };
    if decision.omit_task_id
        && let Ok(serde_json::Value::Object(members)) = &mut result
    {
        members.remove("CapacityTaskId");
    }
    let (response, outcome) = match result {
        Ok(value) => (
            json_response(StatusCode::OK, &value, &request_id),
            "200".to_string(),
        ),
        Err(error) => {
            let outcome = format!("{} {}", error.status.as_u16(), error.code);
            (error.into_response(&request_id), outcome)
        }
    };
    if decision.lose_response {
        connection.lose_response();
        log(
            &sim,
            &method,
            &path,
            &format!("{} {outcome} (response dropped)", operation.as_str()),
        );
    } else {
        log(
            &sim,
            &method,
            &path,
            &format!("{} {outcome}", operation.as_str()),
        );
    }
    response
}

/// Whether a StartCapacityTask body asks for a DryRun. Faults about real starts
/// must know before the request is validated; a body that is not JSON of the
/// right shape is no DryRun (it is refused as a SerializationException anyway).
fn is_dry_run(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("DryRun").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// [`FaultKind::RivalStart`]: another client sends this very StartCapacityTask
/// first. It is not counted (the counters count what the caller sent), its answer
/// goes nowhere, and if it is refused no rival task exists. Returns the rival's
/// task ID when it started one.
fn start_as_rival(sim: &Simulator, route: &Route, body: &[u8]) -> Option<String> {
    let Route::StartCapacityTask { outpost } = route else {
        return None;
    };
    let answer = start_capacity_task(sim, outpost, body).ok()?;
    answer["CapacityTaskId"].as_str().map(str::to_string)
}

fn log(sim: &Simulator, method: &str, path: &str, outcome: &str) {
    if sim.log_requests {
        eprintln!("outposts-simulator: {method} {path} -> {outcome}");
    }
}

fn dispatch(sim: &Simulator, route: &Route, query: &Query, body: &[u8]) -> ApiResult {
    match route {
        Route::StartCapacityTask { outpost } => start_capacity_task(sim, outpost, body),
        Route::GetCapacityTask { outpost, task } => get_capacity_task(sim, outpost, task),
        Route::CancelCapacityTask { outpost, task } => cancel_capacity_task(sim, outpost, task),
        Route::ListCapacityTasks => list_capacity_tasks(sim, query),
        Route::ListBlockingInstances { outpost, task } => {
            list_blocking_instances(sim, outpost, task, query)
        }
        Route::GetOutpostSupportedInstanceTypes { outpost } => {
            supported_instance_types(sim, outpost, query)
        }
        Route::GetOutpostInstanceTypes { outpost } => outpost_instance_types(sim, outpost, query),
        Route::GetOutpost { outpost } => get_outpost(sim, outpost),
        Route::ListOutposts => list_outposts(sim, query),
        Route::ListAssets { outpost } => list_assets(sim, outpost, query),
    }
}

fn check(violations: Violations) -> Result<(), ApiError> {
    match violations.message() {
        Some(message) => Err(ApiError::validation(message)),
        None => Ok(()),
    }
}

/// Finds an outpost by `op-…` ID or by its exact ARN.
fn resolve_outpost<'w>(world: &'w World, identifier: &str) -> Result<&'w Outpost, ApiError> {
    let found = if identifier.starts_with("arn:") {
        world.outposts.iter().find(|o| o.arn() == identifier)
    } else {
        world.outpost(identifier)
    };
    found.ok_or_else(|| ApiError::not_found(format!("Outpost {identifier} not found.")))
}

// ---- pagination ---------------------------------------------------------------

/// A validated page request. Tokens are `<sequence>##<fingerprint>`: the sequence
/// of the first item of the next page, and a digest of the request's filters so a
/// token cannot be replayed against a different query.
struct Page {
    max_results: usize,
    start: u64,
    fingerprint: String,
}

fn read_page(violations: &mut Violations, query: &Query) -> (usize, Option<String>) {
    let mut max_results = DEFAULT_PAGE_SIZE;
    if let Some(raw) = query.first("MaxResults") {
        match raw.parse::<i64>() {
            Ok(n) => {
                violations.range("maxResults", n, 1, 1000);
                max_results = usize::try_from(n.clamp(1, 1000)).unwrap_or(DEFAULT_PAGE_SIZE);
            }
            Err(_) => violations.not_a("maxResults", raw, "an integer"),
        }
    }
    let token = query.first("NextToken").map(str::to_string);
    if let Some(token) = &token {
        violations.next_token("nextToken", token);
    }
    (max_results, token)
}

fn fingerprint(parts: &[&str]) -> String {
    hex::encode(&Sha256::digest(parts.join("\u{1f}"))[..8])
}

fn resolve_page(
    max_results: usize,
    token: Option<String>,
    fingerprint: String,
) -> Result<Page, ApiError> {
    let start = match token {
        None => 0,
        Some(token) => {
            let parsed = token
                .split_once("##")
                .filter(|(_, fp)| *fp == fingerprint)
                .and_then(|(seq, _)| seq.parse::<u64>().ok());
            parsed.ok_or_else(|| {
                ApiError::validation("The NextToken is not valid for this request.")
            })?
        }
    };
    Ok(Page {
        max_results,
        start,
        fingerprint,
    })
}

/// One page of `items` (keyed by ascending sequence) and the token for the next.
fn paginate<T>(items: impl Iterator<Item = (u64, T)>, page: &Page) -> (Vec<T>, Option<String>) {
    let mut out = Vec::new();
    let mut next = None;
    for (key, item) in items.filter(|(key, _)| *key >= page.start) {
        if out.len() == page.max_results {
            next = Some(format!("{key}##{}", page.fingerprint));
            break;
        }
        out.push(item);
    }
    (out, next)
}

fn with_token(mut body: serde_json::Value, token: Option<String>) -> serde_json::Value {
    if let Some(token) = token {
        body["NextToken"] = json!(token);
    }
    body
}

// ---- wire shapes ----------------------------------------------------------------

fn pools_wire(pools: &[InstancePool]) -> serde_json::Value {
    pools
        .iter()
        .map(|p| json!({ "InstanceType": p.instance_type, "Count": p.count }))
        .collect()
}

fn exclude_wire(exclude: &InstancesToExclude) -> serde_json::Value {
    json!({
        "Instances": exclude.instances,
        "AccountIds": exclude.account_ids,
        "Services": exclude.services,
    })
}

fn task_wire(task: &CapacityTask) -> serde_json::Value {
    let mut body = json!({
        "CapacityTaskId": task.capacity_task_id,
        "OutpostId": task.outpost_id,
        "RequestedInstancePools": pools_wire(&task.requested_instance_pools),
        "DryRun": false,
        "CapacityTaskStatus": task.status.as_str(),
        "CreationDate": epoch_seconds(task.creation_date),
        "LastModifiedDate": epoch_seconds(task.last_modified_date),
        "TaskActionOnBlockingInstances": task.task_action_on_blocking_instances.as_str(),
    });
    if let Some(order) = &task.order_id {
        body["OrderId"] = json!(order);
    }
    if let Some(asset) = &task.asset_id {
        body["AssetId"] = json!(asset);
    }
    if let Some(exclude) = &task.instances_to_exclude {
        body["InstancesToExclude"] = exclude_wire(exclude);
    }
    if let Some(failure) = &task.failed {
        body["Failed"] = json!({ "Reason": failure.reason, "Type": failure.failure_type.as_str() });
    }
    if let Some(done) = task.completion_date {
        body["CompletionDate"] = json!(epoch_seconds(done));
    }
    body
}

fn task_summary_wire(task: &CapacityTask) -> serde_json::Value {
    let mut body = json!({
        "CapacityTaskId": task.capacity_task_id,
        "OutpostId": task.outpost_id,
        "CapacityTaskStatus": task.status.as_str(),
        "CreationDate": epoch_seconds(task.creation_date),
        "LastModifiedDate": epoch_seconds(task.last_modified_date),
    });
    if let Some(order) = &task.order_id {
        body["OrderId"] = json!(order);
    }
    if let Some(asset) = &task.asset_id {
        body["AssetId"] = json!(asset);
    }
    if let Some(done) = task.completion_date {
        body["CompletionDate"] = json!(epoch_seconds(done));
    }
    body
}

fn outpost_wire(outpost: &Outpost) -> serde_json::Value {
    let mut body = json!({
        "OutpostId": outpost.outpost_id,
        "OwnerId": outpost.owner_id,
        "OutpostArn": outpost.arn(),
        "SiteId": outpost.site_id,
        "SiteArn": outpost.site_arn(),
        "LifeCycleStatus": outpost.life_cycle_status,
        "SupportedHardwareType": outpost.hardware_type.as_str(),
        "Tags": outpost.tags,
    });
    let optional = [
        ("Name", outpost.name.as_deref()),
        ("Description", outpost.description.as_deref()),
        ("AvailabilityZone", outpost.availability_zone.as_deref()),
        (
            "AvailabilityZoneId",
            outpost.availability_zone_id.as_deref(),
        ),
        ("Generation", outpost.generation().map(Generation::as_str)),
        (
            "RackScalingType",
            outpost.rack_scaling_type().map(RackScalingType::as_str),
        ),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            body[key] = json!(value);
        }
    }
    body
}

fn asset_wire(outpost: &Outpost, asset: &ComputeAsset) -> serde_json::Value {
    let rack_id = asset.rack_id.clone().unwrap_or_else(|| {
        format!(
            "fc-{}",
            outpost
                .outpost_id
                .trim_start_matches("op-")
                .chars()
                .take(16)
                .collect::<String>()
        )
    });
    let mut body = json!({
        "AssetId": asset.asset_id,
        "RackId": rack_id,
        "AssetType": "COMPUTE",
        "ComputeAttributes": {
            "HostId": asset.host_id(),
            "State": asset.state,
            "InstanceFamilies": asset.instance_families,
            "InstanceTypeCapacities": pools_wire(&asset.instance_type_capacities),
            "MaxVcpus": asset.max_vcpus,
        },
    });
    if let Some(elevation) = outpost.rack_elevation(asset) {
        body["AssetLocation"] = json!({ "RackElevation": elevation });
    }
    body
}

fn blocking_wire(instance: &RunningInstance) -> serde_json::Value {
    json!({
        "InstanceId": instance.instance_id,
        "AccountId": instance.account_id,
        "AwsServiceName": instance.service,
    })
}

// ---- StartCapacityTask ------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartBody {
    order_id: Option<String>,
    asset_id: Option<String>,
    instance_pools: Option<Vec<PoolBody>>,
    instances_to_exclude: Option<ExcludeBody>,
    dry_run: Option<bool>,
    task_action_on_blocking_instances: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolBody {
    instance_type: Option<String>,
    count: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExcludeBody {
    instances: Option<Vec<String>>,
    account_ids: Option<Vec<String>>,
    services: Option<Vec<String>>,
}

/// The checked request: pools and exclusions in their model types.
struct StartRequest {
    order_id: Option<String>,
    asset_id: Option<String>,
    pools: Vec<InstancePool>,
    exclude: Option<InstancesToExclude>,
    dry_run: bool,
    action: TaskAction,
}

fn parse_start(outpost_identifier: &str, body: &[u8]) -> Result<StartRequest, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let parsed: StartBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::serialization(format!("The request body is not valid: {e}")))?;
    let mut v = Violations::new();
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    if let Some(order) = &parsed.order_id {
        v.order_id("orderId", order);
    }
    if let Some(asset) = &parsed.asset_id {
        v.asset_id("assetId", asset);
    }
    let mut pools = Vec::new();
    match &parsed.instance_pools {
        None => v.missing("instancePools"),
        Some(items) => {
            let mut seen = HashSet::new();
            for (i, item) in items.iter().enumerate() {
                let n = i + 1;
                let type_field = format!("instancePools.{n}.member.instanceType");
                let count_field = format!("instancePools.{n}.member.count");
                match &item.instance_type {
                    None => v.missing(&type_field),
                    Some(t) => {
                        v.string(
                            &type_field,
                            t,
                            (1, 64),
                            Some((&INSTANCE_TYPE, INSTANCE_TYPE_TEXT)),
                        );
                        if !seen.insert(t.as_str()) {
                            v.custom(&type_field, t, "Member must be unique within instancePools");
                        }
                    }
                }
                match item.count {
                    None => v.missing(&count_field),
                    Some(c) => v.range(&count_field, c, 0, 9999),
                }
                if let (Some(t), Some(c)) = (&item.instance_type, item.count) {
                    pools.push(InstancePool {
                        instance_type: t.clone(),
                        count: u32::try_from(c.clamp(0, 9999)).unwrap_or(0),
                    });
                }
            }
        }
    }
    let exclude = parsed.instances_to_exclude.map(|e| {
        let list = |items: Option<Vec<String>>| items.unwrap_or_default();
        InstancesToExclude {
            instances: list(e.instances),
            account_ids: list(e.account_ids),
            services: list(e.services),
        }
    });
    if let Some(exclude) = &exclude {
        v.members(
            "instancesToExclude.instances",
            &exclude.instances,
            (11, 32),
            Some((&INSTANCE_ID, INSTANCE_ID_TEXT)),
        );
        v.members(
            "instancesToExclude.accountIds",
            &exclude.account_ids,
            (12, 12),
            Some((&ACCOUNT_ID, ACCOUNT_ID_TEXT)),
        );
        v.members_one_of(
            "instancesToExclude.services",
            &exclude.services,
            validate::AWS_SERVICES,
        );
    }
    let action = match parsed.task_action_on_blocking_instances.as_deref() {
        // Not specified by AWS; waiting is the choice that never fails a task
        // the user could still unblock (docs/simulator.md).
        None | Some("WAIT_FOR_EVACUATION") => TaskAction::WaitForEvacuation,
        Some("FAIL_TASK") => TaskAction::FailTask,
        Some(other) => {
            v.one_of(
                "taskActionOnBlockingInstances",
                other,
                validate::TASK_ACTIONS,
            );
            TaskAction::WaitForEvacuation
        }
    };
    check(v)?;
    Ok(StartRequest {
        order_id: parsed.order_id,
        asset_id: parsed.asset_id,
        pools,
        exclude,
        dry_run: parsed.dry_run.unwrap_or(false),
        action,
    })
}

fn start_capacity_task(sim: &Simulator, outpost_identifier: &str, body: &[u8]) -> ApiResult {
    let request = parse_start(outpost_identifier, body)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    let outpost_id = outpost.outpost_id.clone();
    if let Some(order) = &request.order_id
        && !outpost.orders.contains(order)
    {
        return Err(ApiError::not_found(format!(
            "Order {order} not found for outpost {outpost_id}."
        )));
    }
    if let Some(asset) = &request.asset_id
        && outpost.asset(asset).is_none()
    {
        return Err(ApiError::not_found(format!(
            "Asset {asset} not found on outpost {outpost_id}."
        )));
    }

    if request.dry_run {
        let assets = capacity::targeted_assets(outpost, request.asset_id.as_deref());
        if let Err(shortfall) =
            capacity::place(&state.world.instance_types, &assets, &request.pools)
        {
            return Err(ApiError::validation(format!(
                "DryRun: the requested capacity does not fit on {outpost_id}: {shortfall} (at '{}').",
                shortfall.field()
            )));
        }
        // A fitting DryRun echoes the request with DryRun=true; there is no task, so
        // no CapacityTaskId, status or dates.
        let mut body = json!({
            "OutpostId": outpost_id,
            "RequestedInstancePools": pools_wire(&request.pools),
            "DryRun": true,
            "TaskActionOnBlockingInstances": request.action.as_str(),
        });
        if let Some(order) = &request.order_id {
            body["OrderId"] = json!(order);
        }
        if let Some(asset) = &request.asset_id {
            body["AssetId"] = json!(asset);
        }
        if let Some(exclude) = &request.exclude {
            body["InstancesToExclude"] = exclude_wire(exclude);
        }
        return Ok(body);
    }

    if let Some(active) = state.active_task(&outpost_id, request.order_id.as_deref()) {
        let by_order = request.order_id.is_some() && active.order_id == request.order_id;
        // The model's ResourceType is ORDER or OUTPOST, so ResourceId names that order or
        // outpost; the message names the active task.
        let (what, resource_id, resource_type) = if by_order {
            let order = active.order_id.clone().unwrap_or_default();
            (format!("order {order}"), order, "ORDER")
        } else {
            (
                format!("outpost {outpost_id}"),
                outpost_id.clone(),
                "OUTPOST",
            )
        };
        return Err(ApiError::conflict(
            format!(
                "Capacity task {} is already active for {what}; only one active capacity task is allowed.",
                active.capacity_task_id
            ),
            &resource_id,
            Some(resource_type),
        ));
    }

    let now = state.now();
    let id = state.new_task_id(sim.nonce());
    let sequence = state.next_sequence();
    let mut task = CapacityTask {
        capacity_task_id: id,
        outpost_id,
        order_id: request.order_id,
        asset_id: request.asset_id,
        requested_instance_pools: request.pools,
        instances_to_exclude: request.exclude,
        task_action_on_blocking_instances: request.action,
        status: CapacityTaskStatus::Requested,
        failed: None,
        creation_date: now,
        last_modified_date: now,
        completion_date: None,
        blocking_instances: Vec::new(),
        sequence,
        phase_started: now,
        hidden_gets_remaining: 0,
        hidden_until: 0,
        hidden_lists_remaining: 0,
        hidden_from_lists_until: 0,
    };
    state.consistency.hide_new_task(&mut task);
    let body = task_wire(&task);
    state.insert_task(task);
    Ok(body)
}

// ---- task reads and cancel ------------------------------------------------------------

fn task_path_violations(outpost_identifier: &str, task_id: &str) -> Violations {
    let mut v = Violations::new();
    v.capacity_task_id("capacityTaskId", task_id);
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    v
}

fn task_not_found(task_id: &str) -> ApiError {
    ApiError::not_found(format!("Capacity task {task_id} not found."))
}

fn get_capacity_task(sim: &Simulator, outpost_identifier: &str, task_id: &str) -> ApiResult {
    check(task_path_violations(outpost_identifier, task_id))?;
    let mut state = sim.lock();
    state.advance();
    let now = state.now();
    let outpost_id = resolve_outpost(&state.world, outpost_identifier)?
        .outpost_id
        .clone();
    let task = state
        .task_mut(task_id)
        .filter(|t| t.outpost_id == outpost_id)
        .ok_or_else(|| task_not_found(task_id))?;
    if state::hide_from_get(task, now) {
        return Err(task_not_found(task_id));
    }
    Ok(task_wire(task))
}

fn cancel_capacity_task(sim: &Simulator, outpost_identifier: &str, task_id: &str) -> ApiResult {
    check(task_path_violations(outpost_identifier, task_id))?;
    let mut state = sim.lock();
    state.advance();
    let now = state.now();
    let outpost_id = resolve_outpost(&state.world, outpost_identifier)?
        .outpost_id
        .clone();
    let task = state
        .task_mut(task_id)
        .filter(|t| t.outpost_id == outpost_id)
        .ok_or_else(|| task_not_found(task_id))?;
    match task.status {
        CapacityTaskStatus::Requested | CapacityTaskStatus::WaitingForEvacuation => {
            task.cancel(now)
        }
        CapacityTaskStatus::CancellationInProgress => {}
        CapacityTaskStatus::InProgress => {
            return Err(ApiError::conflict(
                format!("Capacity task {task_id} is IN_PROGRESS and can no longer be cancelled."),
                task_id,
                None,
            ));
        }
        status => {
            return Err(ApiError::conflict(
                format!(
                    "Capacity task {task_id} is already in a terminal state ({}) and cannot be cancelled.",
                    status.as_str()
                ),
                task_id,
                None,
            ));
        }
    }
    Ok(json!({}))
}

fn list_capacity_tasks(sim: &Simulator, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    let outpost_filter = query.first("OutpostIdentifierFilter");
    if let Some(filter) = outpost_filter {
        v.outpost_identifier("outpostIdentifierFilter", filter);
    }
    let mut statuses = Vec::new();
    let raw_statuses = query.all("CapacityTaskStatusFilter");
    v.members_one_of(
        "capacityTaskStatusFilter",
        &raw_statuses,
        validate::TASK_STATUSES,
    );
    statuses.extend(
        raw_statuses
            .iter()
            .filter_map(|raw| CapacityTaskStatus::parse(raw)),
    );
    let (max_results, token) = read_page(&mut v, query);
    check(v)?;

    let mut state = sim.lock();
    state.advance();
    let outpost_id = match outpost_filter {
        Some(filter) => Some(resolve_outpost(&state.world, filter)?.outpost_id.clone()),
        None => None,
    };
    let mut status_names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    status_names.sort_unstable();
    status_names.dedup();
    let fp = fingerprint(&[
        "ListCapacityTasks",
        outpost_id.as_deref().unwrap_or("*"),
        &status_names.join(","),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    let matching = state.tasks.iter().filter(|(_, t)| {
        outpost_id.as_ref().is_none_or(|id| &t.outpost_id == id)
            && (statuses.is_empty() || statuses.contains(&t.status))
    });
    let (sequences, next) = paginate(matching.map(|(seq, _)| (*seq, *seq)), &page);
    // List lag: a task this page would include may still be left out. Only the
    // tasks of this page spend a hidden call, and the token is the one the page
    // would have had, so a later page never skips a task that was not hidden.
    let now = state.now();
    let mut tasks = Vec::with_capacity(sequences.len());
    for sequence in sequences {
        if let Some(task) = state.tasks.get_mut(&sequence)
            && !state::hide_from_list(task, now)
        {
            tasks.push(task_summary_wire(task));
        }
    }
    Ok(with_token(json!({ "CapacityTasks": tasks }), next))
}

fn list_blocking_instances(
    sim: &Simulator,
    outpost_identifier: &str,
    task_id: &str,
    query: &Query,
) -> ApiResult {
    let mut v = task_path_violations(outpost_identifier, task_id);
    let (max_results, token) = read_page(&mut v, query);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost_id = resolve_outpost(&state.world, outpost_identifier)?
        .outpost_id
        .clone();
    let task = state
        .task(task_id)
        .filter(|t| t.outpost_id == outpost_id)
        .ok_or_else(|| task_not_found(task_id))?;
    let page = resolve_page(
        max_results,
        token,
        fingerprint(&["ListBlockingInstances", task_id]),
    )?;
    let (items, next) = paginate(
        task.blocking_instances
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u64, blocking_wire(b))),
        &page,
    );
    Ok(with_token(json!({ "BlockingInstances": items }), next))
}

// ---- outposts, instance types, assets ----------------------------------------------------

fn supported_instance_types(sim: &Simulator, outpost_identifier: &str, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    let order = query.first("OrderId");
    if let Some(order) = order {
        v.order_id("orderId", order);
    }
    let asset = query.first("AssetId");
    if let Some(asset) = asset {
        v.asset_id("assetId", asset);
    }
    let (max_results, token) = read_page(&mut v, query);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    if let Some(order) = order
        && !outpost.orders.iter().any(|o| o == order)
    {
        return Err(ApiError::not_found(format!(
            "Order {order} not found for outpost {}.",
            outpost.outpost_id
        )));
    }
    if let Some(asset) = asset
        && outpost.asset(asset).is_none()
    {
        return Err(ApiError::not_found(format!(
            "Asset {asset} not found on outpost {}.",
            outpost.outpost_id
        )));
    }
    let assets = capacity::targeted_assets(outpost, asset);
    let types = capacity::supported_instance_types(&state.world.instance_types, &assets);
    let fp = fingerprint(&[
        "GetOutpostSupportedInstanceTypes",
        &outpost.outpost_id,
        order.unwrap_or("*"),
        asset.unwrap_or("*"),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    let (items, next) = paginate(
        types.iter().enumerate().map(|(i, t)| {
            (
                i as u64,
                json!({ "InstanceType": t.instance_type, "VCPUs": t.vcpus }),
            )
        }),
        &page,
    );
    Ok(with_token(json!({ "InstanceTypes": items }), next))
}

fn outpost_instance_types(sim: &Simulator, outpost_identifier: &str, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostId", outpost_identifier);
    let (max_results, token) = read_page(&mut v, query);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    // The types the outpost is configured with now, in catalog order.
    let configured: HashSet<&str> = outpost
        .assets
        .iter()
        .flat_map(|a| a.instance_type_capacities.iter())
        .filter(|p| p.count > 0)
        .map(|p| p.instance_type.as_str())
        .collect();
    let types = state
        .world
        .instance_types
        .iter()
        .filter(|t| configured.contains(t.instance_type.as_str()));
    let page = resolve_page(
        max_results,
        token,
        fingerprint(&["GetOutpostInstanceTypes", &outpost.outpost_id]),
    )?;
    let (items, next) = paginate(
        types.enumerate().map(|(i, t)| {
            (
                i as u64,
                json!({ "InstanceType": t.instance_type, "VCPUs": t.vcpus }),
            )
        }),
        &page,
    );
    let body = json!({
        "InstanceTypes": items,
        "OutpostId": outpost.outpost_id,
        "OutpostArn": outpost.arn(),
    });
    Ok(with_token(body, next))
}

fn get_outpost(sim: &Simulator, outpost_identifier: &str) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostId", outpost_identifier);
    check(v)?;
    let state = sim.lock();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    Ok(json!({ "Outpost": outpost_wire(outpost) }))
}

fn list_outposts(sim: &Simulator, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    let life_cycle = query.all("LifeCycleStatusFilter");
    let zones = query.all("AvailabilityZoneFilter");
    let zone_ids = query.all("AvailabilityZoneIdFilter");
    v.members(
        "lifeCycleStatusFilter",
        &life_cycle,
        (1, 20),
        Some((&LIFE_CYCLE_STATUS, LIFE_CYCLE_STATUS_TEXT)),
    );
    v.members(
        "availabilityZoneFilter",
        &zones,
        (1, 1000),
        Some((&AVAILABILITY_ZONE, AVAILABILITY_ZONE_TEXT)),
    );
    v.members(
        "availabilityZoneIdFilter",
        &zone_ids,
        (1, 255),
        Some((&AVAILABILITY_ZONE_ID, AVAILABILITY_ZONE_ID_TEXT)),
    );
    let (max_results, token) = read_page(&mut v, query);
    check(v)?;
    let fp = fingerprint(&[
        "ListOutposts",
        &life_cycle.join(","),
        &zones.join(","),
        &zone_ids.join(","),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    let state = sim.lock();
    let matches = |filter: &[&str], value: &Option<String>| {
        filter.is_empty() || value.as_deref().is_some_and(|v| filter.contains(&v))
    };
    let outposts = state.world.outposts.iter().filter(|o| {
        (life_cycle.is_empty() || life_cycle.contains(&o.life_cycle_status.as_str()))
            && matches(&zones, &o.availability_zone)
            && matches(&zone_ids, &o.availability_zone_id)
    });
    let (items, next) = paginate(
        outposts
            .enumerate()
            .map(|(i, o)| (i as u64, outpost_wire(o))),
        &page,
    );
    Ok(with_token(json!({ "Outposts": items }), next))
}

fn list_assets(sim: &Simulator, outpost_identifier: &str, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    let hosts = query.all("HostIdFilter");
    let states = query.all("StatusFilter");
    let types = query.all("AssetTypeFilter");
    v.members(
        "hostIdFilter",
        &hosts,
        (1, 50),
        Some((&HOST_ID, HOST_ID_TEXT)),
    );
    v.members_one_of("statusFilter", &states, validate::ASSET_STATES);
    v.members_one_of("assetTypeFilter", &types, validate::ASSET_TYPES);
    let (max_results, token) = read_page(&mut v, query);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    let fp = fingerprint(&[
        "ListAssets",
        &outpost.outpost_id,
        &hosts.join(","),
        &states.join(","),
        &types.join(","),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    // Every simulated asset is a compute asset.
    let assets = outpost.assets.iter().filter(|a| {
        (hosts.is_empty() || hosts.contains(&a.host_id().as_str()))
            && (states.is_empty() || states.contains(&a.state.as_str()))
            && (types.is_empty() || types.contains(&"COMPUTE"))
    });
    let (items, next) = paginate(
        assets
            .enumerate()
            .map(|(i, a)| (i as u64, asset_wire(outpost, a))),
        &page,
    );
    Ok(with_token(json!({ "Assets": items }), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_sdk_paths_and_methods() {
        let op = |m, p| Route::parse(m, p).map(|r| r.operation());
        assert_eq!(
            op("POST", "/outposts/op-0123456789abcdef0/capacity"),
            Some(Operation::StartCapacityTask)
        );
        assert_eq!(
            op(
                "GET",
                "/outposts/op-0123456789abcdef0/capacity/cap-0123456789abcdef0"
            ),
            Some(Operation::GetCapacityTask)
        );
        assert_eq!(
            op(
                "POST",
                "/outposts/op-0123456789abcdef0/capacity/cap-0123456789abcdef0"
            ),
            Some(Operation::CancelCapacityTask)
        );
        assert_eq!(
            op(
                "GET",
                "/outposts/op-0123456789abcdef0/capacity/cap-0123456789abcdef0/blockingInstances"
            ),
            Some(Operation::ListBlockingInstancesForCapacityTask)
        );
        assert_eq!(
            op("GET", "/capacity/tasks"),
            Some(Operation::ListCapacityTasks)
        );
        assert_eq!(op("GET", "/outposts"), Some(Operation::ListOutposts));
        assert_eq!(op("GET", "/outposts/x/assets"), Some(Operation::ListAssets));
        assert_eq!(
            op("GET", "/outposts/x/instanceTypes"),
            Some(Operation::GetOutpostInstanceTypes)
        );
        assert_eq!(
            op("GET", "/outposts/x/supportedInstanceTypes"),
            Some(Operation::GetOutpostSupportedInstanceTypes)
        );
        assert_eq!(op("DELETE", "/outposts/x"), None);
        assert_eq!(op("GET", "/nope"), None);
    }

    #[test]
    fn arn_labels_are_decoded() {
        let route = Route::parse(
            "GET",
            "/outposts/arn%3Aaws%3Aoutposts%3Aus-west-2%3A111122223333%3Aoutpost%2Fop-0123456789abcdef0",
        );
        assert_eq!(
            route,
            Some(Route::GetOutpost {
                outpost: "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0"
                    .into()
            })
        );
    }

    #[test]
    fn repeated_query_keys_are_a_list() {
        let q = Query::parse(
            "CapacityTaskStatusFilter=REQUESTED&MaxResults=5&CapacityTaskStatusFilter=FAILED",
        );
        assert_eq!(q.all("CapacityTaskStatusFilter"), ["REQUESTED", "FAILED"]);
        assert_eq!(q.first("MaxResults"), Some("5"));
    }

    #[test]
    fn start_body_violations_name_each_field() {
        let body = br#"{"InstancePools":[{"InstanceType":"M5.large","Count":10000},{"Count":1}],
            "InstancesToExclude":{"AccountIds":["12"],"Services":["LAMBDA"]},
            "TaskActionOnBlockingInstances":"SOMETIMES","OrderId":"oo-1"}"#;
        let err = parse_start("op-0123456789abcdef0", body)
            .err()
            .expect("invalid");
        for field in [
            "'instancePools.1.member.instanceType'",
            "'instancePools.1.member.count'",
            "'instancePools.2.member.instanceType'",
            "'instancesToExclude.accountIds.1.member'",
            "'instancesToExclude.services.1.member'",
            "'taskActionOnBlockingInstances'",
            "'orderId'",
        ] {
            assert!(
                err.message.contains(field),
                "{field} missing from {}",
                err.message
            );
        }
        assert_eq!(err.code, "ValidationException");
    }

    #[test]
    fn malformed_body_is_a_serialization_error() {
        let err = parse_start("op-0123456789abcdef0", b"{not json")
            .err()
            .expect("invalid");
        assert_eq!(err.code, "SerializationException");
        let err = parse_start(
            "op-0123456789abcdef0",
            br#"{"InstancePools":[{"InstanceType":"m5.large","Count":"two"}]}"#,
        )
        .err()
        .expect("invalid");
        assert_eq!(err.code, "SerializationException");
    }

    #[test]
    fn duplicate_instance_types_are_refused() {
        let body = br#"{"InstancePools":[{"InstanceType":"m5.large","Count":1},{"InstanceType":"m5.large","Count":2}]}"#;
        let err = parse_start("op-0123456789abcdef0", body)
            .err()
            .expect("invalid");
        assert!(
            err.message.contains("instancePools.2.member.instanceType"),
            "{}",
            err.message
        );
    }

    #[test]
    fn pages_carry_a_token_bound_to_the_query() {
        let page = resolve_page(2, None, "fp".into()).expect("page");
        let (items, next) = paginate((10u64..15).map(|k| (k, k)), &page);
        assert_eq!(items, [10, 11]);
        assert_eq!(next.as_deref(), Some("12##fp"));
        let page = resolve_page(2, next, "fp".into()).expect("page");
        assert_eq!(paginate((10u64..15).map(|k| (k, k)), &page).0, [12, 13]);
        assert!(resolve_page(2, Some("12##other".into()), "fp".into()).is_err());
    }

    use crate::SimulatorConfig;
    use crate::state::EventualConsistency;

    const RACK: &str = "op-0123456789abcdef0";
    const SERVER: &str = "op-0fedcba9876543210";
    const START: &[u8] = br#"{"OrderId":"oo-0123456789abcdef0","InstancePools":[{"InstanceType":"c5.4xlarge","Count":2}]}"#;

    fn frozen() -> Simulator {
        Simulator::new(SimulatorConfig {
            frozen_clock: true,
            ..SimulatorConfig::default()
        })
        .expect("default world")
    }

    fn listed_ids(sim: &Simulator, query: &str) -> Vec<String> {
        let answer = list_capacity_tasks(sim, &Query::parse(query)).expect("lists");
        answer["CapacityTasks"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|t| t["CapacityTaskId"].as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn rival_start_makes_the_callers_start_a_conflict_naming_the_rival() {
        let sim = frozen();
        let route = Route::StartCapacityTask {
            outpost: RACK.into(),
        };
        let rival = start_as_rival(&sim, &route, START).expect("the rival starts a task");
        let err = start_capacity_task(&sim, RACK, START).expect_err("the caller conflicts");
        assert_eq!(err.code, "ConflictException");
        assert!(err.message.contains(&rival), "{}", err.message);
        let tasks = sim.tasks();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].capacity_task_id, rival);
    }

    #[test]
    fn refused_rival_start_leaves_the_callers_request_as_it_was() {
        let sim = frozen();
        let route = Route::StartCapacityTask {
            outpost: RACK.into(),
        };
        // The order belongs to another outpost: the rival is refused like the caller.
        let body = br#"{"OrderId":"oo-0fedcba9876543210","InstancePools":[{"InstanceType":"c5.4xlarge","Count":2}]}"#;
        assert_eq!(start_as_rival(&sim, &route, body), None);
        let err = start_capacity_task(&sim, RACK, body).expect_err("refused");
        assert_eq!(err.code, "NotFoundException");
        assert!(sim.tasks().is_empty());
        // With a task already active, the rival conflicts too: the caller's
        // conflict names the task that was there, not a rival's.
        let existing = start_capacity_task(&sim, RACK, START).expect("starts");
        let existing = existing["CapacityTaskId"].as_str().expect("id").to_string();
        assert_eq!(start_as_rival(&sim, &route, START), None);
        let err = start_capacity_task(&sim, RACK, START).expect_err("conflicts");
        assert!(err.message.contains(&existing), "{}", err.message);
        assert_eq!(sim.tasks().len(), 1);
    }

    #[test]
    fn dry_run_is_read_from_a_boolean_dry_run_member_only() {
        assert!(is_dry_run(br#"{"DryRun":true,"InstancePools":[]}"#));
        assert!(!is_dry_run(br#"{"DryRun":false}"#));
        assert!(!is_dry_run(br#"{"DryRun":"true"}"#));
        assert!(!is_dry_run(b"{not json"));
        assert!(!is_dry_run(b""));
    }

    #[test]
    fn list_leaves_a_new_task_out_for_its_first_calls_that_would_include_it() {
        let sim = frozen();
        sim.set_eventual_consistency(EventualConsistency {
            list_hidden_calls: 2,
            ..EventualConsistency::default()
        });
        let started = start_capacity_task(&sim, RACK, START).expect("starts");
        let id = started["CapacityTaskId"].as_str().expect("id").to_string();
        // Lists that would not include it anyway spend nothing.
        assert!(listed_ids(&sim, &format!("OutpostIdentifierFilter={SERVER}")).is_empty());
        assert!(listed_ids(&sim, "CapacityTaskStatusFilter=COMPLETED").is_empty());
        assert!(listed_ids(&sim, "").is_empty());
        assert!(listed_ids(&sim, &format!("OutpostIdentifierFilter={RACK}")).is_empty());
        assert_eq!(listed_ids(&sim, ""), [id.as_str()]);
        // GetCapacityTask was never lagging.
        assert!(get_capacity_task(&sim, RACK, &id).is_ok());
    }

    #[test]
    fn list_leaves_a_new_task_out_until_its_seconds_passed() {
        let sim = frozen();
        sim.set_eventual_consistency(EventualConsistency {
            list_hidden_seconds: 30.0,
            ..EventualConsistency::default()
        });
        let started = start_capacity_task(&sim, RACK, START).expect("starts");
        let id = started["CapacityTaskId"].as_str().expect("id").to_string();
        assert!(listed_ids(&sim, "").is_empty());
        sim.advance_clock(Duration::from_secs(29));
        assert!(listed_ids(&sim, "").is_empty());
        sim.advance_clock(Duration::from_secs(1));
        assert_eq!(listed_ids(&sim, ""), [id]);
    }

    #[test]
    fn list_lag_applies_to_tasks_created_after_it_was_set() {
        let sim = frozen();
        let before = start_capacity_task(&sim, RACK, START).expect("starts");
        let before = before["CapacityTaskId"].as_str().expect("id").to_string();
        sim.set_eventual_consistency(EventualConsistency {
            list_hidden_calls: 1,
            ..EventualConsistency::default()
        });
        let body = br#"{"InstancePools":[{"InstanceType":"c5.xlarge","Count":2}]}"#;
        let after = start_capacity_task(&sim, SERVER, body).expect("starts");
        let after = after["CapacityTaskId"].as_str().expect("id").to_string();
        assert_eq!(listed_ids(&sim, ""), [before.as_str()]);
        assert_eq!(listed_ids(&sim, ""), [before, after]);
    }

    #[test]
    fn hidden_task_on_a_full_page_keeps_the_next_token_of_that_page() {
        let sim = frozen();
        let first = start_capacity_task(&sim, RACK, START).expect("starts");
        let first = first["CapacityTaskId"].as_str().expect("id").to_string();
        sim.set_eventual_consistency(EventualConsistency {
            list_hidden_calls: 1,
            ..EventualConsistency::default()
        });
        let body = br#"{"InstancePools":[{"InstanceType":"c5.xlarge","Count":2}]}"#;
        start_capacity_task(&sim, SERVER, body).expect("starts");
        // Page one holds only the first task: the hidden second spends nothing.
        let page = list_capacity_tasks(&sim, &Query::parse("MaxResults=1")).expect("lists");
        assert_eq!(page["CapacityTasks"][0]["CapacityTaskId"], json!(first));
        let token = page["NextToken"].as_str().expect("a token").to_string();
        let query = format!("MaxResults=1&NextToken={token}");
        let page = list_capacity_tasks(&sim, &Query::parse(&query)).expect("lists");
        assert_eq!(page["CapacityTasks"], json!([]));
        let page = list_capacity_tasks(&sim, &Query::parse(&query)).expect("lists");
        assert_eq!(page["CapacityTasks"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn outposts_carry_every_member_of_the_model() {
        let world = World::default_seed();
        let rack = outpost_wire(&world.outposts[0]);
        for member in [
            "OutpostId",
            "OwnerId",
            "OutpostArn",
            "SiteId",
            "Name",
            "Description",
            "LifeCycleStatus",
            "AvailabilityZone",
            "AvailabilityZoneId",
            "Tags",
            "SiteArn",
            "SupportedHardwareType",
            "Generation",
            "RackScalingType",
        ] {
            assert!(rack.get(member).is_some(), "{member} missing from {rack}");
        }
        assert_eq!(rack["Tags"]["team"], json!("platform"));
        assert_eq!(rack["Generation"], json!("GENERATION_2"));
        // A server has no rack generation or scaling type.
        let server = outpost_wire(&world.outposts[1]);
        assert!(server.get("Generation").is_none(), "{server}");
        assert!(server.get("RackScalingType").is_none(), "{server}");
    }

    #[test]
    fn rack_assets_carry_their_location_as_a_number() {
        let world = World::default_seed();
        let rack = &world.outposts[0];
        let asset = asset_wire(rack, &rack.assets[0]);
        assert_eq!(asset["AssetLocation"]["RackElevation"], json!(10.0));
        let server = &world.outposts[1];
        assert!(
            asset_wire(server, &server.assets[0])
                .get("AssetLocation")
                .is_none()
        );
    }
}
