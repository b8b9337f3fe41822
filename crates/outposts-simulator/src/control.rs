//! The test control endpoint under `/_sim/` (a prefix no Outposts path uses):
//! JSON in and out, no SigV4, so a test in another process (Terraform running the
//! provider) can steer the simulator. Each route calls the same [`Simulator`]
//! method an in-process test would. Reference: docs/simulator.md.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::consistency::EventualConsistency;
use super::faults::{FaultKind, FaultRule, FaultTrigger};
use super::operation::Operation;
use super::rate_limit::{RateLimit, RateScope};
use super::state::{ControlError, Evacuation, Simulator};
use super::tasks::{CapacityTaskFailure, CapacityTaskStatus, FailureType, TaskTiming};
use super::world::RunningInstance;

type Sim = State<Arc<Simulator>>;

pub(crate) fn routes() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/_sim/health", get(health))
        .route("/_sim/state", get(state))
        .route("/_sim/counts", get(counts).delete(reset_counts))
        .route(
            "/_sim/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sim/faults/{id}", delete(remove_fault))
        .route(
            "/_sim/rate-limits",
            get(list_rate_limits)
                .post(set_rate_limit)
                .delete(clear_rate_limits),
        )
        .route("/_sim/rate-limits/{operation}", delete(remove_rate_limit))
        .route("/_sim/throttles", get(throttles).delete(reset_throttles))
        .route("/_sim/consistency", post(set_consistency))
        .route("/_sim/evacuate", post(evacuate))
        .route("/_sim/instances", post(add_instance))
        .route("/_sim/tasks", get(list_tasks))
        .route("/_sim/tasks/{id}", get(get_task).delete(delete_task))
        .route("/_sim/tasks/{id}/status", post(force_status))
        .route("/_sim/clock", get(clock))
        .route("/_sim/clock/advance", post(advance_clock))
        .route("/_sim/timing", get(timing).post(set_timing))
        .route("/_sim/reset", post(reset))
        .route("/_sim/{*rest}", get(unknown).post(unknown).delete(unknown))
}

fn ok(body: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

fn control_error(err: ControlError) -> Response {
    let status = match err {
        ControlError::Invalid(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::NOT_FOUND,
    };
    error(status, err.to_string())
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ControlError> {
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(text)
        .map_err(|e| ControlError::Invalid(format!("invalid JSON body: {e}")))
}

async fn unknown() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "unknown control route; see docs/simulator.md",
    )
}

async fn health(State(sim): Sim) -> Response {
    ok(json!({ "status": "ok", "now": sim.now() }))
}

async fn state(State(sim): Sim) -> Response {
    ok(json!({
        "now": sim.now(),
        "world": sim.world(),
        "tasks": sim.tasks(),
        "timing": timing_json(sim.timing()),
        "faults": sim.faults(),
        "counts": sim.request_counts(),
        "rate_limits": sim.rate_limits().by_name(),
        "throttled": sim.throttled_counts(),
    }))
}

async fn counts(State(sim): Sim) -> Response {
    ok(json!(sim.request_counts()))
}

async fn reset_counts(State(sim): Sim) -> Response {
    sim.reset_request_counts();
    ok(json!({}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// An operation name, `"*"` or absent for every operation.
    operation: Option<String>,
    kind: FaultKind,
    count: Option<u32>,
    rate: Option<f64>,
    latency_ms: Option<u64>,
}

fn fault_rule(request: FaultRequest) -> Result<FaultRule, ControlError> {
    let operation = match request.operation.as_deref() {
        None | Some("*") => None,
        Some(name) => Some(Operation::parse(name).ok_or_else(|| {
            let names: Vec<_> = Operation::ALL.iter().map(|op| op.as_str()).collect();
            ControlError::Invalid(format!(
                "unknown operation {name:?}; use one of {} or \"*\"",
                names.join(", ")
            ))
        })?),
    };
    let trigger = match (request.count, request.rate) {
        (Some(n), None) => FaultTrigger::Count(n),
        (None, Some(rate)) => FaultTrigger::Rate(rate),
        _ => {
            return Err(ControlError::Invalid(
                "give exactly one of \"count\" or \"rate\"".into(),
            ));
        }
    };
    if request.kind == FaultKind::Latency && request.latency_ms.is_none() {
        return Err(ControlError::Invalid(
            "a latency fault needs \"latency_ms\"".into(),
        ));
    }
    Ok(FaultRule {
        operation,
        kind: request.kind,
        trigger,
        latency_ms: request.latency_ms.unwrap_or(0),
    })
}

async fn add_fault(State(sim): Sim, body: Bytes) -> Response {
    let request: FaultRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    match fault_rule(request).and_then(|rule| sim.inject_fault(rule)) {
        Ok(id) => ok(json!({ "id": id })),
        Err(e) => control_error(e),
    }
}

async fn list_faults(State(sim): Sim) -> Response {
    ok(json!(sim.faults()))
}

async fn clear_faults(State(sim): Sim) -> Response {
    sim.clear_faults();
    ok(json!({}))
}

async fn remove_fault(State(sim): Sim, Path(id): Path<String>) -> Response {
    match id.parse::<u64>() {
        Ok(id) if sim.remove_fault(id) => ok(json!({})),
        _ => error(StatusCode::NOT_FOUND, format!("fault {id} not found")),
    }
}

/// The limits by scope, every bucket with its tokens and counters, and the
/// throttled calls per operation.
fn rate_limits_json(sim: &Simulator) -> serde_json::Value {
    json!({
        "limits": sim.rate_limits().by_name(),
        "buckets": sim.rate_limit_buckets(),
        "throttled": sim.throttled_counts(),
    })
}

async fn list_rate_limits(State(sim): Sim) -> Response {
    ok(rate_limits_json(&sim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitRequest {
    /// An operation name, `"*"` or absent for every operation without its own limit.
    operation: Option<String>,
    rate: f64,
    /// One second's worth when absent.
    burst: Option<u32>,
}

async fn set_rate_limit(State(sim): Sim, body: Bytes) -> Response {
    let request: RateLimitRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    let scope = match RateScope::parse(request.operation.as_deref().unwrap_or("*")) {
        Ok(scope) => scope,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let burst = request
        .burst
        .unwrap_or_else(|| RateLimit::default_burst(request.rate));
    match RateLimit::new(request.rate, burst) {
        Ok(limit) => {
            sim.set_rate_limit(scope, limit);
            ok(rate_limits_json(&sim))
        }
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

async fn clear_rate_limits(State(sim): Sim) -> Response {
    sim.clear_rate_limits();
    ok(rate_limits_json(&sim))
}

async fn remove_rate_limit(State(sim): Sim, Path(operation): Path<String>) -> Response {
    let scope = match RateScope::parse(&operation) {
        Ok(scope) => scope,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    if sim.remove_rate_limit(scope) {
        ok(rate_limits_json(&sim))
    } else {
        error(
            StatusCode::NOT_FOUND,
            format!("no rate limit is set for {}", scope.as_str()),
        )
    }
}

async fn throttles(State(sim): Sim) -> Response {
    ok(json!(sim.throttled_counts()))
}

async fn reset_throttles(State(sim): Sim) -> Response {
    sim.reset_throttled_counts();
    ok(json!({}))
}

async fn set_consistency(State(sim): Sim, body: Bytes) -> Response {
    match parse::<EventualConsistency>(&body) {
        Ok(consistency) => {
            sim.set_eventual_consistency(consistency);
            ok(json!(consistency))
        }
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvacuateRequest {
    instance_ids: Option<Vec<String>>,
    outpost_id: Option<String>,
    capacity_task_id: Option<String>,
}

async fn evacuate(State(sim): Sim, body: Bytes) -> Response {
    let request: EvacuateRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    let evacuation = match (
        request.instance_ids,
        request.outpost_id,
        request.capacity_task_id,
    ) {
        (Some(ids), None, None) => Evacuation::Instances(ids),
        (None, Some(outpost), None) => Evacuation::Outpost(outpost),
        (None, None, Some(task)) => Evacuation::BlockingTask(task),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "give exactly one of \"instance_ids\", \"outpost_id\" or \"capacity_task_id\"",
            );
        }
    };
    match sim.evacuate(evacuation) {
        Ok(removed) => ok(json!({ "evacuated": removed })),
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
struct AddInstanceRequest {
    outpost_id: String,
    #[serde(flatten)]
    instance: RunningInstance,
}

async fn add_instance(State(sim): Sim, body: Bytes) -> Response {
    let request: AddInstanceRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    match sim.add_running_instance(&request.outpost_id, request.instance) {
        Ok(()) => ok(json!({})),
        Err(e) => control_error(e),
    }
}

async fn list_tasks(State(sim): Sim) -> Response {
    ok(json!(sim.tasks()))
}

async fn get_task(State(sim): Sim, Path(id): Path<String>) -> Response {
    match sim.task(&id) {
        Some(task) => ok(json!(task)),
        None => control_error(ControlError::TaskNotFound(id)),
    }
}

async fn delete_task(State(sim): Sim, Path(id): Path<String>) -> Response {
    match sim.delete_task(&id) {
        Ok(()) => ok(json!({})),
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForceStatusRequest {
    status: String,
    failure_type: Option<String>,
    reason: Option<String>,
}

async fn force_status(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Response {
    let request: ForceStatusRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    let Some(status) = CapacityTaskStatus::parse(&request.status) else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("unknown status {:?}", request.status),
        );
    };
    let failure = match (request.failure_type.as_deref(), request.reason) {
        (None, None) => None,
        (failure_type, reason) => {
            let failure_type = match failure_type.map(FailureType::parse) {
                None => FailureType::InternalServerError,
                Some(Some(t)) => t,
                Some(None) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("unknown failure_type {failure_type:?}"),
                    );
                }
            };
            let reason = reason.unwrap_or_else(|| "Failed by the simulator's test control".into());
            Some(CapacityTaskFailure::new(failure_type, reason))
        }
    };
    match sim.force_task_status(&id, status, failure) {
        Ok(task) => ok(json!(task)),
        Err(e) => control_error(e),
    }
}

async fn clock(State(sim): Sim) -> Response {
    ok(json!({ "now": sim.now() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceRequest {
    seconds: f64,
}

async fn advance_clock(State(sim): Sim, body: Bytes) -> Response {
    let request: AdvanceRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    match Duration::try_from_secs_f64(request.seconds) {
        Ok(by) => ok(json!({ "now": sim.advance_clock(by) })),
        Err(_) => error(
            StatusCode::BAD_REQUEST,
            "seconds must be a non-negative number",
        ),
    }
}

fn timing_json(timing: TaskTiming) -> serde_json::Value {
    json!({
        "requested_seconds": timing.requested.as_secs_f64(),
        "in_progress_seconds": timing.in_progress.as_secs_f64(),
        "cancellation_seconds": timing.cancellation.as_secs_f64(),
        "evacuation_timeout_seconds": timing.evacuation_timeout.as_secs_f64(),
    })
}

async fn timing(State(sim): Sim) -> Response {
    ok(timing_json(sim.timing()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimingRequest {
    requested_seconds: Option<f64>,
    in_progress_seconds: Option<f64>,
    cancellation_seconds: Option<f64>,
    evacuation_timeout_seconds: Option<f64>,
}

async fn set_timing(State(sim): Sim, body: Bytes) -> Response {
    let request: TimingRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return control_error(e),
    };
    let mut timing = sim.timing();
    let fields = [
        (request.requested_seconds, &mut timing.requested),
        (request.in_progress_seconds, &mut timing.in_progress),
        (request.cancellation_seconds, &mut timing.cancellation),
        (
            request.evacuation_timeout_seconds,
            &mut timing.evacuation_timeout,
        ),
    ];
    for (seconds, slot) in fields {
        if let Some(seconds) = seconds {
            match Duration::try_from_secs_f64(seconds) {
                Ok(d) => *slot = d,
                Err(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "durations must be non-negative numbers",
                    );
                }
            }
        }
    }
    sim.set_timing(timing);
    ok(timing_json(timing))
}

async fn reset(State(sim): Sim) -> Response {
    sim.reset();
    ok(json!({}))
}
