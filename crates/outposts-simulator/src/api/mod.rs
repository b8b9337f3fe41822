//! The Outposts API on the wire (rest-json): routes, query and body parsing,
//! validation, response shapes and the error format the AWS SDKs parse
//! (`X-Amzn-ErrorType` header plus a `{"Message": …}` body).
//!
//! Every request goes: route → count → SigV4 → rate limit → injected faults (maybe a
//! rival's start first) → validation → operation → (maybe) reshaped or lost response.
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

use super::capacity::{self, InstancesToExclude};
use super::connection::ConnectionControl;
use super::consistency;
use super::faults::FaultKind;
use super::sigv4::{self, AuthError, SignedRequest};
use super::state::Simulator;
use super::tasks::{CapacityTask, CapacityTaskStatus, Millis, TaskAction, epoch_seconds};
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
pub use super::config::DEFAULT_PAGE_SIZE;

mod catalog;
mod error;
mod page;
mod route;
mod tasks;
#[cfg(test)]
mod tests;
mod wire;

pub use super::operation::Operation;
use catalog::*;
pub use error::ApiError;
use error::*;
use page::*;
use route::*;
use tasks::*;
use wire::*;

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
    let caller = match sigv4::authenticate(&signed, sim.credentials.as_ref()) {
        Ok(caller) => caller,
        Err(error) => {
            log(
                &sim,
                &method,
                &path,
                &format!("{} {}", operation.as_str(), error.code()),
            );
            return ApiError::auth(&error).into_response(&request_id);
        }
    };
    // Over the caller's rate limit, the call does nothing at all: no fault rule is
    // spent, no task moves, no rival starts.
    if !sim.admit(&caller.access_key_id, operation) {
        log(
            &sim,
            &method,
            &path,
            &format!(
                "{} 429 ThrottlingException (rate limit of {})",
                operation.as_str(),
                caller.access_key_id
            ),
        );
        return ApiError::throttling().into_response(&request_id);
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
