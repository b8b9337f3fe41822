//! The capacity check: StartCapacityTask with `DryRun`, within a budget, its answer
//! sorted into what the caller acts on. Used by the plan of `outposts_capacity_task`
//! (`dry_run_on_plan`) and by the `outposts_capacity_check` data source.

use super::paths::missing_argument_path;
use crate::outposts::error::OutpostsError;
use crate::outposts::task::StartCapacityTask;
use crate::outposts::{OutpostsClient, until_stopped};
use std::time::Duration;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;

/// How long the plan-time check waits for an endpoint that does not answer: a hung
/// endpoint must not hold a plan. Throttling is an answer: it is ridden out as the
/// retry policy says (see [`OutpostsClient::dry_run_capacity_task`]).
pub(crate) const DRY_RUN_BUDGET: Duration = Duration::from_secs(20);

/// What a plan-time capacity check found.
#[derive(Debug, Clone)]
pub(crate) enum DryRunOutcome {
    Fits,
    /// AWS refused the layout.
    DoesNotFit(String),
    /// The Outpost, order or asset does not exist.
    Missing(String, AttributePath),
    /// Another task is active: applying now would be refused.
    Conflict(String),
    /// No answer (transient failures, or none within the budget): inconclusive.
    Unanswered(String),
    /// A permanent error (access denied, an unusable endpoint).
    Failed(String),
}

/// Asks AWS, giving up on silence after the budget; `None` when Terraform asked the
/// provider to stop.
pub(crate) async fn ask(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    start: &StartCapacityTask,
) -> Option<DryRunOutcome> {
    let answer = until_stopped(
        ctx.stop(),
        client.dry_run_capacity_task(start, DRY_RUN_BUDGET),
    )
    .await;
    Some(match answer {
        Ok(()) => {
            tracing::info!(outpost = %start.outpost_identifier, "dry run: the layout fits");
            DryRunOutcome::Fits
        }
        Err(OutpostsError::Interrupted) => return None,
        Err(OutpostsError::Validation(message)) => DryRunOutcome::DoesNotFit(message),
        Err(OutpostsError::NotFound(message)) => {
            let path = missing_argument_path(client, start, &message).await;
            DryRunOutcome::Missing(message, path)
        }
        Err(OutpostsError::Conflict { message, .. }) => DryRunOutcome::Conflict(message),
        Err(error) if error.is_transient() => {
            DryRunOutcome::Unanswered(format!("The dry run could not reach AWS: {error}"))
        }
        Err(error) => DryRunOutcome::Failed(error.to_string()),
    })
}
