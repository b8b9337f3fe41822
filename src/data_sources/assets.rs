//! Data source `outposts_assets`: an Outpost's assets with their current instance-type
//! layout and the vCPUs it uses, so a module can see what a rack or server has before
//! it asks for a new layout.

use super::{call, list_of, object, strings};
use crate::outposts::catalog::{ASSET_STATES, ASSET_TYPES, Asset, AssetFilter};
use crate::outposts::{OutpostsClient, ids};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tfplugin::data_source::DataSource;
use tfplugin::diag::Diagnostics;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::{one_of, string_is};
use tfplugin::value::{Type, Value};

pub struct AssetsDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct AssetsState {
    pub outpost_identifier: String,
    pub host_ids: Option<Vec<String>>,
    pub states: Option<Vec<String>>,
    pub asset_types: Option<Vec<String>>,
    pub outpost_id: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub assets: Vec<AssetItem>,
    pub max_vcpus: Option<i64>,
    pub vcpus_used: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AssetItem {
    pub asset_id: String,
    pub rack_id: Option<String>,
    pub asset_type: Option<String>,
    pub host_id: Option<String>,
    pub state: Option<String>,
    pub instance_families: Vec<String>,
    pub max_vcpus: Option<i64>,
    pub instance_type_capacities: Vec<CapacityItem>,
    pub vcpus_used: Option<i64>,
    pub rack_elevation: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CapacityItem {
    pub instance_type: String,
    pub count: i64,
}

fn asset_type() -> Type {
    object(&[
        ("asset_id", Type::String),
        ("rack_id", Type::String),
        ("asset_type", Type::String),
        ("host_id", Type::String),
        ("state", Type::String),
        ("instance_families", strings()),
        ("max_vcpus", Type::Number),
        (
            "instance_type_capacities",
            list_of(object(&[
                ("instance_type", Type::String),
                ("count", Type::Number),
            ])),
        ),
        ("vcpus_used", Type::Number),
        ("rack_elevation", Type::Number),
    ])
}

/// The vCPUs a layout uses, when every type's vCPUs are known.
fn vcpus_used(layout: &[CapacityItem], vcpus: &HashMap<String, i64>) -> Option<i64> {
    layout.iter().try_fold(0i64, |sum, item| {
        vcpus
            .get(&item.instance_type)
            .map(|v| sum.saturating_add(v.saturating_mul(item.count)))
    })
}

fn asset_item(asset: Asset, vcpus: &HashMap<String, i64>) -> AssetItem {
    let layout: Vec<CapacityItem> = asset
        .instance_type_capacities
        .into_iter()
        .map(|c| CapacityItem {
            instance_type: c.instance_type,
            count: i64::from(c.count),
        })
        .collect();
    AssetItem {
        asset_id: asset.asset_id,
        rack_id: asset.rack_id,
        asset_type: asset.asset_type,
        host_id: asset.host_id,
        state: asset.state,
        instance_families: asset.instance_families,
        max_vcpus: asset.max_vcpus.map(i64::from),
        vcpus_used: vcpus_used(&layout, vcpus),
        instance_type_capacities: layout,
        // Shortest decimal form of the API's float, not its binary expansion.
        rack_elevation: asset
            .rack_elevation
            .and_then(|e| e.to_string().parse::<f64>().ok()),
    }
}

#[async_trait]
impl DataSource<OutpostsClient> for AssetsDataSource {
    type State = AssetsState;

    fn type_name(&self) -> &'static str {
        "outposts_assets"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "The assets of an Outpost (`ListAssets`, all pages): hosts, their rack, \
                 state, instance families, vCPUs, and the instance-type layout each compute \
                 asset has now with the vCPUs it uses (vCPUs per type from \
                 `GetOutpostInstanceTypes`).",
            )
            .attribute(super::outpost_identifier())
            .attribute(super::filter(
                "host_ids",
                string_is(
                    is_host_id,
                    "a host ID (letters, digits and dashes, at most 50)",
                ),
                "Only the assets of these hosts (at least one; leave it out for all).",
            ))
            .attribute(super::filter(
                "states",
                one_of(ASSET_STATES.iter().copied()),
                "Only compute assets in one of these states: `ACTIVE`, `RETIRING`, \
                 `ISOLATED`, `INSTALLING` (at least one; leave it out for all).",
            ))
            .attribute(super::filter(
                "asset_types",
                one_of(ASSET_TYPES.iter().copied()),
                "Only assets of these types: `COMPUTE`, `STORAGE`, `POWERSHELF`, `SWITCH`, \
                 `NETWORKING` (at least one; leave it out for all).",
            ))
            .attribute(super::outpost_id())
            .attribute(
                Attribute::new("assets", list_of(asset_type()))
                    .computed()
                    .description(
                        "The assets found, in the order AWS lists them: `asset_id`, `rack_id`, \
                         `asset_type`, `host_id`, `state`, `instance_families`, `max_vcpus`, \
                         `instance_type_capacities` (the current layout: `instance_type`, \
                         `count`), `vcpus_used` by that layout (null when a type's vCPUs are not \
                         known) and `rack_elevation` (rack units; null for servers).",
                    ),
            )
            .attribute(
                Attribute::number("max_vcpus")
                    .computed()
                    .description("The vCPUs of all assets found, together."),
            )
            .attribute(Attribute::number("vcpus_used").computed().description(
                "The vCPUs the current layouts of all assets found use, together; null \
                 when some asset's is not known.",
            )),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        config: &Value,
    ) -> Result<AssetsState, Diagnostics> {
        let mut state: AssetsState = super::read_config(config)?;
        let client = ctx.client()?;
        let outpost = state.outpost_identifier.clone();
        super::same_region(client, &outpost)?;
        let filter = AssetFilter {
            host_ids: state.host_ids.clone().unwrap_or_default(),
            states: state.states.clone().unwrap_or_default(),
            asset_types: state.asset_types.clone().unwrap_or_default(),
        };
        let path = AttributePath::attr("outpost_identifier");
        let assets = call(
            ctx,
            "ListAssets",
            "Outpost",
            path.clone(),
            client.list_assets(&outpost, &filter),
        )
        .await?;
        let types = call(
            ctx,
            "GetOutpostInstanceTypes",
            "Outpost",
            path,
            client.outpost_instance_types(&outpost),
        )
        .await?;
        let vcpus: HashMap<String, i64> = types
            .into_iter()
            .filter_map(|t| Some((t.instance_type, i64::from(t.vcpus?))))
            .collect();
        state.outpost_id = Some(ids::outpost_id(&outpost).to_string());
        state.assets = assets.into_iter().map(|a| asset_item(a, &vcpus)).collect();
        state.max_vcpus = Some(state.assets.iter().filter_map(|a| a.max_vcpus).sum());
        state.vcpus_used = state
            .assets
            .iter()
            .try_fold(0i64, |sum, a| a.vcpus_used.map(|v| sum + v));
        Ok(state)
    }
}

/// A host ID as AWS gives them: letters, digits and dashes, at most 50.
fn is_host_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 50 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcpus_used_needs_every_type() {
        let vcpus = HashMap::from([("m5.large".to_string(), 2), ("c5.xlarge".to_string(), 4)]);
        let item = |t: &str, n| CapacityItem {
            instance_type: t.into(),
            count: n,
        };
        assert_eq!(vcpus_used(&[], &vcpus), Some(0));
        assert_eq!(
            vcpus_used(&[item("m5.large", 3), item("c5.xlarge", 2)], &vcpus),
            Some(14)
        );
        assert_eq!(vcpus_used(&[item("x9.huge", 1)], &vcpus), None);
    }
}
