//! Data source `outposts_capacity_check`: asks AWS (StartCapacityTask with `DryRun`)
//! whether a layout fits an Outpost, and reports the answer as `fits` and `reason`
//! instead of failing, so a module can put it in a `precondition` or `check` block with
//! its own message. It starts nothing.

use crate::checks::in_code_listed;
use crate::layout::{
    self, DryRunOutcome, Layout, ask, instance_pool_block, instances_to_exclude_block,
    start_request, what_is_missing,
};
use crate::outposts::OutpostsClient;
use crate::outposts::error::aws_words;
use crate::outposts::task::TASK_ACTIONS;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::data_source::DataSource;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Value;

pub struct CapacityCheckDataSource;

/// What the check reports. The arguments are echoed back as Terraform requires; they
/// are read through [`Layout`], which shares their names and types.
#[derive(Debug, Serialize, Deserialize)]
pub struct CapacityCheckState {
    pub outpost_identifier: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub task_action_on_blocking_instances: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub instance_pool: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub instances_to_exclude: Vec<serde_json::Value>,
    pub fits: Option<bool>,
    pub reason: Option<String>,
    pub conflict: Option<bool>,
}

#[async_trait]
impl DataSource<OutpostsClient> for CapacityCheckDataSource {
    type State = CapacityCheckState;

    fn type_name(&self) -> &'static str {
        "outposts_capacity_check"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Whether a layout fits an Outpost: asks AWS with `StartCapacityTask` and \
                 `DryRun` (nothing is started) and reports `fits` and AWS's `reason` \
                 instead of failing, for a module's `precondition` or `check` block. Takes \
                 the same layout arguments as the `outposts_capacity_task` resource. A \
                 missing Outpost, order or asset, or refused credentials, are errors. When \
                 an argument is known only during apply, Terraform reads the check then.",
            )
            .attribute(super::outpost_identifier())
            .attribute(super::optional_id(
                "order_id",
                "ID (`oo-...`) of the rack order the layout is for.",
            ))
            .attribute(
                super::optional_id(
                    "asset_id",
                    "10-digit ID of the server asset the layout is for.",
                )
                .validator(layout::order_or_asset()),
            )
            .attribute(
                Attribute::string("task_action_on_blocking_instances")
                    .optional()
                    .validator(layout::task_action())
                    .description(format!(
                        "{}, as the task would be started.",
                        in_code_listed(TASK_ACTIONS)
                    )),
            )
            .attribute(Attribute::bool("fits").computed().description(
                "`true` when AWS would accept the layout; `false` when it refuses it or \
                 another capacity task is active (see `reason` and `conflict`).",
            ))
            .attribute(Attribute::string("reason").computed().description(
                "Why the layout does not fit, in AWS's words (e.g. the vCPUs short, or the \
                 instance type not supported); null when it fits.",
            ))
            .attribute(Attribute::bool("conflict").computed().description(
                "`true` when AWS refused because another capacity task is active on the \
                 Outpost or order: the layout may fit, but cannot start now.",
            ))
            .block(instance_pool_block())
            .block(instances_to_exclude_block()),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        config: &Value,
    ) -> Result<CapacityCheckState, Diagnostics> {
        let mut state: CapacityCheckState = super::read_config(config)?;
        let layout: Layout = super::read_config(config)?;
        let client = ctx.client()?;
        super::same_region(client, &layout.outpost_identifier)?;
        let start = start_request(&layout);
        let Some(outcome) = ask(ctx, client, &start).await else {
            return Err(Diagnostic::error(
                "Interrupted",
                "Terraform asked the provider to stop before AWS answered the capacity check.",
            )
            .into());
        };
        let (fits, reason, conflict) = match outcome {
            DryRunOutcome::Fits => (true, None, false),
            DryRunOutcome::DoesNotFit(message) => {
                tracing::info!(answer = %message, "capacity check: the layout does not fit");
                (false, Some(aws_words(&message).to_string()), false)
            }
            DryRunOutcome::Conflict(message) => (
                false,
                Some(format!(
                    "Another capacity task is active: {}",
                    aws_words(&message)
                )),
                true,
            ),
            DryRunOutcome::Missing(message, path) => {
                return Err(Diagnostic::error(
                    format!("{} not found", what_is_missing(&path)),
                    format!("The capacity check could not find what it names: {message}"),
                )
                .at(path)
                .into());
            }
            DryRunOutcome::Unanswered(detail) => {
                return Err(Diagnostic::error(
                    "Capacity check unanswered",
                    format!("AWS gave no answer to the capacity check: {detail}"),
                )
                .into());
            }
            DryRunOutcome::Failed(detail) => {
                return Err(Diagnostic::error(
                    "Capacity check failed",
                    format!("The capacity check failed: {detail}"),
                )
                .into());
            }
        };
        state.fits = Some(fits);
        state.reason = reason;
        state.conflict = Some(conflict);
        Ok(state)
    }
}
