//! Resource `outposts_capacity_task`: start a capacity task and wait for it, never losing
//! it. The behaviour users rely on is documented in `docs/resources/capacity_task.md`
//! ("Behaviour"); in short:
//!
//! - plan ([`plan`]): every task argument forces a new task, but an Outpost by ARN or ID
//!   and pools in any order are the same task; an optional DryRun checks capacity; a task
//!   still running in state is planned as an in-place "wait" (status unknown).
//! - create ([`create`]): StartCapacityTask, then wait ([`waiting`]). Once AWS has accepted
//!   the task its ID is in the returned state whatever happens next: FAILED and timeouts
//!   return the state with an error (Terraform saves it tainted); Ctrl-C returns it with a
//!   warning (saved as is, so the next apply resumes the wait instead of starting a second
//!   task). A task is adopted only when our own lost attempt may have started it.
//! - read: refresh; NotFound removes the task (tolerated briefly after creation).
//! - delete ([`delete`]): cancel what is cancellable and wait for CANCELLED; forget
//!   terminal tasks.
//! - import: `op-.../cap-...` or the Outpost ARN form; by identity ([`identity`],
//!   Terraform 1.12+) the same way. [`generated`] adjusts the configuration Terraform
//!   generates for a task found by the list resource or imported.
//!
//! [`flatten`] converts between the API's shapes and the state. What the resource shares
//! with the `outposts_capacity_check` data source (the layout's schema, validation and
//! request, the capacity check, which attribute an AWS error is about) is in
//! [`crate::layout`].

mod create;
mod delete;
mod flatten;
mod generated;
pub(crate) mod identity;
mod journal;
mod messages;
mod plan;
pub(crate) mod schema;
mod waiting;

pub use schema::{CapacityTaskState, TYPE_NAME};

use crate::checks::other_region;
use crate::outposts::error::OutpostsError;
use crate::outposts::{OutpostsClient, ids, until_stopped};
use async_trait::async_trait;
use flatten::{created_within, imported_state, refresh_state};
pub(crate) use flatten::{listed_state, summary_state};
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::identity::IdentitySchema;
use tfplugin::provider::Context;
use tfplugin::resource::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadResponse, Resource,
};
use tfplugin::schema::Schema;
use tfplugin::value::{self, Value};

/// GetCapacityTask may not see a task for a short while after it was started.
const NOT_FOUND_GRACE: Duration = Duration::from_secs(120);

/// The resource. It keeps the answers of recent plan-time capacity checks, so one plan
/// does not ask AWS twice for the same layout.
#[derive(Default)]
pub struct CapacityTaskResource {
    dry_runs: plan::DryRunCache,
}

#[async_trait]
impl Resource<OutpostsClient> for CapacityTaskResource {
    type State = CapacityTaskState;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn modify_plan(
        &self,
        ctx: &Context<OutpostsClient>,
        request: &PlanRequest,
        plan: &mut PlanResponse,
    ) {
        plan::modify_plan(ctx, &self.dry_runs, request, plan).await
    }

    async fn create(
        &self,
        ctx: &Context<OutpostsClient>,
        request: ApplyRequest<CapacityTaskState>,
    ) -> ApplyResponse<CapacityTaskState> {
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        match typed_config(&request.config) {
            Ok(config) => create::create(ctx, client, config).await,
            Err(d) => ApplyResponse::failed(d),
        }
    }

    async fn update(
        &self,
        ctx: &Context<OutpostsClient>,
        request: ApplyRequest<CapacityTaskState>,
    ) -> ApplyResponse<CapacityTaskState> {
        let Some(prior) = request.prior_state else {
            return ApplyResponse::failed(Diagnostic::error(
                "Missing prior state",
                "update without a prior state",
            ));
        };
        let planned = match typed_planned(&request.planned_state) {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(d),
        };
        // In place, the task itself does not change: the arguments are as planned (the
        // plan keeps the prior form of equivalent values), the settings as configured.
        let mut state = CapacityTaskState {
            outpost_identifier: planned.outpost_identifier,
            order_id: planned.order_id.or(prior.order_id.clone()),
            asset_id: planned.asset_id.or(prior.asset_id.clone()),
            task_action_on_blocking_instances: planned
                .task_action_on_blocking_instances
                .or(prior.task_action_on_blocking_instances.clone()),
            instance_pool: planned.instance_pool,
            instances_to_exclude: planned.instances_to_exclude,
            dry_run_on_plan: planned.dry_run_on_plan,
            timeouts: planned.timeouts,
            ..prior
        };
        if !state.is_running() {
            return ApplyResponse::ok(state);
        }
        let with_error = |state: CapacityTaskState, d: Diagnostics| ApplyResponse {
            new_state: Some(state),
            private: Vec::new(),
            diagnostics: d,
        };
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => return with_error(state, d.into()),
        };
        let Some(task_id) = state.capacity_task_id.clone() else {
            return ApplyResponse::ok(state);
        };
        journal::here().forget(&task_id);
        let outpost = state.outpost_identifier.clone();
        tracing::info!(task = %task_id, "resuming the wait for a capacity task started earlier");
        // A task that was never seen (Ctrl-C right after the start) may not be visible
        // yet: the same grace as a fresh start.
        let grace = if state.creation_date.is_none() || created_within(&state, NOT_FOUND_GRACE) {
            NOT_FOUND_GRACE
        } else {
            Duration::ZERO
        };
        let task = match waiting::read_when_visible(ctx, client, &outpost, &task_id, grace).await {
            Ok(task) => task,
            Err(error) => {
                return with_error(
                    state,
                    Diagnostic::error(
                        "Could not read the capacity task",
                        format!("Reading {task_id} failed: {error}. It stays in state."),
                    )
                    .into(),
                );
            }
        };
        refresh_state(&mut state, &task);
        let timeout = state.create_timeout();
        let diagnostics = waiting::wait_into_state(
            ctx,
            client,
            &mut state,
            &task,
            timeout,
            messages::Origin::Resumed,
        )
        .await;
        with_error(state, diagnostics)
    }

    async fn delete(
        &self,
        ctx: &Context<OutpostsClient>,
        state: CapacityTaskState,
        _private: Vec<u8>,
    ) -> Diagnostics {
        if let Some(task_id) = &state.capacity_task_id {
            journal::here().forget(task_id);
        }
        match ctx.client() {
            Ok(client) => delete::delete(ctx, client, state).await,
            Err(d) => d.into(),
        }
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        mut state: CapacityTaskState,
        private: Vec<u8>,
    ) -> ReadResponse<CapacityTaskState> {
        let answer = |new_state, diagnostics| ReadResponse {
            new_state,
            private: private.clone(),
            diagnostics,
        };
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => return answer(None, d.into()),
        };
        let Some(task_id) = state.capacity_task_id.clone() else {
            return answer(Some(state), Diagnostics::new());
        };
        // Terraform's state holds this task: the start journal lets it go.
        journal::here().forget(&task_id);
        let outpost_path = tfplugin::path::AttributePath::attr("outpost_identifier");
        if let Some(d) = other_region(&state.outpost_identifier, client.region(), outpost_path) {
            return answer(Some(state), d.into());
        }
        match until_stopped(
            ctx.stop(),
            client.get_capacity_task(&state.outpost_identifier, &task_id),
        )
        .await
        {
            Ok(task) => {
                refresh_state(&mut state, &task);
                answer(Some(state), Diagnostics::new())
            }
            // Right after StartCapacityTask, GetCapacityTask may not see the task yet; a
            // task already seen finished that is not found is really gone.
            Err(OutpostsError::NotFound(_))
                if state.is_running() && created_within(&state, NOT_FOUND_GRACE) =>
            {
                tracing::debug!(task = %task_id, "capacity task not visible yet; keeping it");
                answer(Some(state), Diagnostics::new())
            }
            Err(OutpostsError::NotFound(_)) => {
                tracing::warn!(task = %task_id, "capacity task no longer exists; removing it from state");
                answer(None, Diagnostics::new())
            }
            Err(error) => answer(
                None,
                Diagnostic::error(
                    "Could not read the capacity task",
                    format!("Reading {task_id} failed: {error}"),
                )
                .into(),
            ),
        }
    }

    async fn import(
        &self,
        ctx: &Context<OutpostsClient>,
        id: &str,
    ) -> Result<CapacityTaskState, Diagnostics> {
        let (outpost, task_id) =
            ids::parse_import_id(id).map_err(|e| Diagnostic::error("Invalid import ID", e))?;
        let client = ctx.client()?;
        // Imported, the task is in state: no create may adopt it from the journal.
        journal::here().forget(&task_id);
        let import_id = tfplugin::path::AttributePath::root();
        if let Some(d) = other_region(&outpost, client.region(), import_id) {
            return Err(d.into());
        }
        let task = until_stopped(ctx.stop(), client.get_capacity_task(&outpost, &task_id))
            .await
            .map_err(|error| {
                Diagnostic::error(
                    "Cannot import the capacity task",
                    format!("Reading {task_id} on {outpost} failed: {error}"),
                )
            })?;
        Ok(imported_state(outpost, &task))
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity::schema())
    }

    fn identity(&self, ctx: &Context<OutpostsClient>, state: &CapacityTaskState) -> Option<Value> {
        let region = ctx.client().ok().map(OutpostsClient::region);
        identity::of_state(state, region)
    }

    /// The identity's import ID (`op-…/cap-…`, or the ARN form when it names the
    /// account), imported as `terraform import` would: the same state either way.
    async fn import_by_identity(
        &self,
        ctx: &Context<OutpostsClient>,
        identity: &Value,
    ) -> Result<CapacityTaskState, Diagnostics> {
        let client = ctx.client()?;
        let id = identity::import_id(identity, client.region())?;
        self.import(ctx, &id).await
    }

    fn generate_config(&self, config: Value) -> Value {
        generated::generate_config(config)
    }
}

/// The schema's value type, worked out once: configurations and planned states are
/// decoded with it at every plan and apply of every instance.
fn value_type() -> &'static tfplugin::value::Type {
    static VALUE_TYPE: std::sync::LazyLock<tfplugin::value::Type> =
        std::sync::LazyLock::new(|| schema::schema().value_type());
    &VALUE_TYPE
}

fn typed_config(config: &Value) -> Result<CapacityTaskState, Diagnostic> {
    value::to_serde(config, value_type())
        .map_err(|e| Diagnostic::error("Invalid configuration", e.to_string()))
}

/// The planned state's known values; what is still unknown (the task's status and
/// dates during a resumed wait) reads as absent.
fn typed_planned(planned: &Value) -> Result<CapacityTaskState, Diagnostic> {
    let known = match planned {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| {
                    let v = if v.is_unknown() {
                        Value::Null
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    };
    value::to_serde(&known, value_type())
        .map_err(|e| Diagnostic::error("Invalid planned state", e.to_string()))
}
