//! Data source `outposts_supported_instance_types`: the instance types a capacity task
//! may ask for on an Outpost, optionally for one order or one asset, with their vCPUs.

use super::{call_within, list_of, object, strings};
use crate::checks;
use crate::outposts::{OutpostsClient, ids};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::data_source::DataSource;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};

pub struct SupportedInstanceTypesDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct SupportedInstanceTypesState {
    pub outpost_identifier: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub outpost_id: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub instance_types: Vec<InstanceTypeItem>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub names: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct InstanceTypeItem {
    pub instance_type: String,
    pub vcpus: Option<i64>,
}

#[async_trait]
impl DataSource<OutpostsClient> for SupportedInstanceTypesDataSource {
    type State = SupportedInstanceTypesState;

    fn type_name(&self) -> &'static str {
        "outposts_supported_instance_types"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "The instance types a capacity task may lay out on an Outpost \
                 (`GetOutpostSupportedInstanceTypes`, all pages), with their vCPUs; for one \
                 rack order or one server asset when given.",
            )
            .attribute(super::outpost_identifier())
            .attribute(super::optional_id(
                "order_id",
                "ID (`oo-...`) of a rack order: the types that order's capacity supports.",
            ))
            .attribute(
                super::optional_id(
                    "asset_id",
                    "10-digit ID of a server asset: the types that asset supports. Not with \
                     `order_id`.",
                )
                .validator(checks::order_or_asset(
                    "order_id is for a rack order, asset_id for a server asset.",
                )),
            )
            .attribute(super::outpost_id())
            .attribute(
                Attribute::new(
                    "instance_types",
                    list_of(object(&[
                        ("instance_type", Type::String),
                        ("vcpus", Type::Number),
                    ])),
                )
                .computed()
                .description(
                    "The supported types in the order AWS lists them: `instance_type` and its \
                     `vcpus`.",
                ),
            )
            .attribute(Attribute::new("names", strings()).computed().description(
                "The names of the supported types, e.g. for `contains()` in a \
                 variable validation or a precondition.",
            )),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        config: &Value,
    ) -> Result<SupportedInstanceTypesState, Diagnostics> {
        let mut state: SupportedInstanceTypesState = super::read_config(config)?;
        let client = ctx.client()?;
        super::same_region(client, &state.outpost_identifier)?;
        // NotFound is about the Outpost, or else the order or asset named.
        let (inner, what) = if state.order_id.is_some() {
            ("order_id", "Order")
        } else if state.asset_id.is_some() {
            ("asset_id", "Asset")
        } else {
            ("outpost_identifier", "Outpost")
        };
        let types = call_within(
            ctx,
            "GetOutpostSupportedInstanceTypes",
            what,
            (&state.outpost_identifier, inner),
            client.supported_instance_types(
                &state.outpost_identifier,
                state.order_id.as_deref(),
                state.asset_id.as_deref(),
            ),
        )
        .await?;
        state.outpost_id = Some(ids::outpost_id(&state.outpost_identifier).to_string());
        state.names = types.iter().map(|t| t.instance_type.clone()).collect();
        state.instance_types = types
            .into_iter()
            .map(|t| InstanceTypeItem {
                instance_type: t.instance_type,
                vcpus: t.vcpus.map(i64::from),
            })
            .collect();
        Ok(state)
    }
}
