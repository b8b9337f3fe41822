//! Data source `outposts_outposts`: the account's Outposts in the provider's region,
//! filtered, so a module can find the racks and servers it may lay out.

use super::{call, object, strings};
use crate::checks;
use crate::outposts::OutpostsClient;
use crate::outposts::catalog::{HARDWARE_TYPES, Outpost, OutpostFilter};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::data_source::DataSource;
use tfplugin::diag::Diagnostics;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::one_of;
use tfplugin::value::{Type, Value};

pub struct OutpostsDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct OutpostsState {
    pub life_cycle_statuses: Option<Vec<String>>,
    pub availability_zones: Option<Vec<String>>,
    pub availability_zone_ids: Option<Vec<String>>,
    pub supported_hardware_type: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub ids: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub arns: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub outposts: Vec<Outpost>,
}

fn outpost_type() -> Type {
    object(&[
        ("id", Type::String),
        ("arn", Type::String),
        ("name", Type::String),
        ("description", Type::String),
        ("owner_id", Type::String),
        ("site_id", Type::String),
        ("site_arn", Type::String),
        ("availability_zone", Type::String),
        ("availability_zone_id", Type::String),
        ("life_cycle_status", Type::String),
        ("supported_hardware_type", Type::String),
        ("tags", Type::Map(Box::new(Type::String))),
    ])
}

#[async_trait]
impl DataSource<OutpostsClient> for OutpostsDataSource {
    type State = OutpostsState;

    fn type_name(&self) -> &'static str {
        "outposts_outposts"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "The Outposts of the account in the provider's region (`ListOutposts`, all \
                 pages), optionally filtered. Each filter matches any of its values; filters \
                 combine with AND.",
            )
            .attribute(
                Attribute::new("life_cycle_statuses", strings())
                    .optional()
                    .validator(checks::filter_not_empty())
                    .description(
                        "Only Outposts in one of these life-cycle statuses, e.g. `ACTIVE` (at \
                         least one; leave it out for all).",
                    ),
            )
            .attribute(
                Attribute::new("availability_zones", strings())
                    .optional()
                    .validator(checks::filter_not_empty())
                    .description(
                        "Only Outposts in one of these Availability Zones, e.g. `us-west-2a` (at \
                         least one; leave it out for all).",
                    ),
            )
            .attribute(
                Attribute::new("availability_zone_ids", strings())
                    .optional()
                    .validator(checks::filter_not_empty())
                    .description(
                        "Only Outposts in one of these Availability Zone IDs, e.g. `usw2-az1` (at \
                         least one; leave it out for all).",
                    ),
            )
            .attribute(
                Attribute::string("supported_hardware_type")
                    .optional()
                    .validator(one_of(HARDWARE_TYPES.iter().copied()))
                    .description(
                        "Only racks (`RACK`) or only servers (`SERVER`). Applied by the provider \
                         to what AWS lists.",
                    ),
            )
            .attribute(
                Attribute::new("ids", strings()).computed().description(
                    "IDs (`op-...`) of the Outposts found, in the order AWS lists them.",
                ),
            )
            .attribute(
                Attribute::new("arns", strings())
                    .computed()
                    .description("ARNs of the Outposts found, in the same order as `ids`."),
            )
            .attribute(
                Attribute::new("outposts", super::list_of(outpost_type()))
                    .computed()
                    .description(
                        "The Outposts found: `id`, `arn`, `name`, `description`, `owner_id`, \
                         `site_id`, `site_arn`, `availability_zone`, `availability_zone_id`, \
                         `life_cycle_status`, `supported_hardware_type` (`RACK` or `SERVER`) and \
                         `tags`.",
                    ),
            ),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        config: &Value,
    ) -> Result<OutpostsState, Diagnostics> {
        let mut state: OutpostsState = super::read_config(config)?;
        let client = ctx.client()?;
        let filter = OutpostFilter {
            life_cycle_statuses: state.life_cycle_statuses.clone().unwrap_or_default(),
            availability_zones: state.availability_zones.clone().unwrap_or_default(),
            availability_zone_ids: state.availability_zone_ids.clone().unwrap_or_default(),
        };
        let found = call(
            ctx,
            "ListOutposts",
            "Outposts",
            AttributePath::root(),
            client.list_outposts(&filter),
        )
        .await?;
        state.outposts = found
            .into_iter()
            .filter(|o| {
                state
                    .supported_hardware_type
                    .as_ref()
                    .is_none_or(|wanted| o.supported_hardware_type.as_ref() == Some(wanted))
            })
            .collect();
        state.ids = state.outposts.iter().map(|o| o.id.clone()).collect();
        state.arns = state
            .outposts
            .iter()
            .map(|o| o.arn.clone().unwrap_or_default())
            .collect();
        Ok(state)
    }
}
