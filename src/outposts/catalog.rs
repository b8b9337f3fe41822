//! What an Outpost is and has: the Outposts of the account, their compute assets and the
//! instance types they support. Typed views of the API's shapes; every list reads all
//! pages through the SDK's paginators.

use super::OutpostsClient;
use super::error::OutpostsError;
use aws_sdk_outposts::types as sdk;
use std::collections::BTreeMap;

/// Every asset state the API knows, from the SDK.
pub const ASSET_STATES: &[&str] = sdk::AssetState::values();
/// Every asset type the API knows, from the SDK.
pub const ASSET_TYPES: &[&str] = sdk::AssetType::values();
/// The hardware an Outpost may be (`RACK`, `SERVER`), from the SDK.
pub const HARDWARE_TYPES: &[&str] = sdk::SupportedHardwareType::values();

/// An Outpost as ListOutposts / GetOutpost report it, and as the `outposts` data source
/// shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outpost {
    pub id: String,
    pub arn: Option<String>,
    pub owner_id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub site_id: Option<String>,
    pub site_arn: Option<String>,
    pub availability_zone: Option<String>,
    pub availability_zone_id: Option<String>,
    pub life_cycle_status: Option<String>,
    pub supported_hardware_type: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// Which Outposts ListOutposts returns: each filter matches any of its values, and an
/// empty filter matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutpostFilter {
    pub life_cycle_statuses: Vec<String>,
    pub availability_zones: Vec<String>,
    pub availability_zone_ids: Vec<String>,
}

/// An instance type and its vCPUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceTypeInfo {
    pub instance_type: String,
    pub vcpus: Option<i32>,
}

/// A count of one instance type in an asset's current layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceTypeCount {
    pub instance_type: String,
    pub count: i32,
}

/// One asset of an Outpost as ListAssets reports it; the compute fields are set for
/// compute assets only.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub asset_id: String,
    pub rack_id: Option<String>,
    pub asset_type: Option<String>,
    pub host_id: Option<String>,
    pub state: Option<String>,
    pub instance_families: Vec<String>,
    pub max_vcpus: Option<i32>,
    pub instance_type_capacities: Vec<InstanceTypeCount>,
    pub rack_elevation: Option<f32>,
}

/// Which assets ListAssets returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetFilter {
    pub host_ids: Vec<String>,
    pub states: Vec<String>,
    pub asset_types: Vec<String>,
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn outpost(o: &sdk::Outpost) -> Outpost {
    let text = |v: Option<&str>| v.map(str::to_string);
    Outpost {
        id: o.outpost_id().unwrap_or_default().to_string(),
        arn: text(o.outpost_arn()),
        owner_id: text(o.owner_id()),
        name: text(o.name()),
        description: text(o.description()),
        site_id: text(o.site_id()),
        site_arn: text(o.site_arn()),
        availability_zone: text(o.availability_zone()),
        availability_zone_id: text(o.availability_zone_id()),
        life_cycle_status: text(o.life_cycle_status()),
        supported_hardware_type: o.supported_hardware_type().map(|t| t.as_str().to_string()),
        tags: o
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

fn instance_type(item: &sdk::InstanceTypeItem) -> InstanceTypeInfo {
    InstanceTypeInfo {
        instance_type: item.instance_type().unwrap_or_default().to_string(),
        vcpus: item.vcpus(),
    }
}

fn asset(a: &sdk::AssetInfo) -> Asset {
    let compute = a.compute_attributes();
    Asset {
        asset_id: a.asset_id().unwrap_or_default().to_string(),
        rack_id: a.rack_id().map(str::to_string),
        asset_type: a.asset_type().map(|t| t.as_str().to_string()),
        host_id: compute.and_then(|c| c.host_id()).map(str::to_string),
        state: compute
            .and_then(|c| c.state())
            .map(|s| s.as_str().to_string()),
        instance_families: compute
            .map(|c| c.instance_families().to_vec())
            .unwrap_or_default(),
        max_vcpus: compute.and_then(|c| c.max_vcpus()),
        instance_type_capacities: compute
            .map(|c| {
                c.instance_type_capacities()
                    .iter()
                    .map(|p| InstanceTypeCount {
                        instance_type: p.instance_type().to_string(),
                        count: p.count(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        rack_elevation: a.asset_location().and_then(|l| l.rack_elevation()),
    }
}

impl OutpostsClient {
    /// The account's Outposts that match `filter`, all pages.
    pub async fn list_outposts(
        &self,
        filter: &OutpostFilter,
    ) -> Result<Vec<Outpost>, OutpostsError> {
        let items: Vec<sdk::Outpost> = self
            .every_item(
                self.sdk()
                    .list_outposts()
                    .set_life_cycle_status_filter(non_empty(filter.life_cycle_statuses.clone()))
                    .set_availability_zone_filter(non_empty(filter.availability_zones.clone()))
                    .set_availability_zone_id_filter(non_empty(
                        filter.availability_zone_ids.clone(),
                    ))
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
        Ok(items.iter().map(outpost).collect())
    }

    /// The instance types an Outpost supports for a capacity task, optionally for one
    /// order or one asset, all pages.
    pub async fn supported_instance_types(
        &self,
        outpost_identifier: &str,
        order_id: Option<&str>,
        asset_id: Option<&str>,
    ) -> Result<Vec<InstanceTypeInfo>, OutpostsError> {
        let items: Vec<sdk::InstanceTypeItem> = self
            .every_item(
                self.sdk()
                    .get_outpost_supported_instance_types()
                    .outpost_identifier(outpost_identifier)
                    .set_order_id(order_id.map(str::to_string))
                    .set_asset_id(asset_id.map(str::to_string))
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
        Ok(items.iter().map(instance_type).collect())
    }

    /// The instance types an Outpost has (GetOutpostInstanceTypes), all pages: the
    /// vCPUs of every type its assets may be laid out with.
    pub async fn outpost_instance_types(
        &self,
        outpost_identifier: &str,
    ) -> Result<Vec<InstanceTypeInfo>, OutpostsError> {
        let items: Vec<sdk::InstanceTypeItem> = self
            .every_item(
                self.sdk()
                    .get_outpost_instance_types()
                    .outpost_id(outpost_identifier)
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
        Ok(items.iter().map(instance_type).collect())
    }

    /// The assets of an Outpost that match `filter`, all pages.
    pub async fn list_assets(
        &self,
        outpost_identifier: &str,
        filter: &AssetFilter,
    ) -> Result<Vec<Asset>, OutpostsError> {
        let request = self
            .sdk()
            .list_assets()
            .outpost_identifier(outpost_identifier)
            .set_host_id_filter(non_empty(filter.host_ids.clone()))
            .set_status_filter(non_empty(
                filter
                    .states
                    .iter()
                    .map(|s| sdk::AssetState::from(s.as_str()))
                    .collect(),
            ))
            .set_asset_type_filter(non_empty(
                filter
                    .asset_types
                    .iter()
                    .map(|s| sdk::AssetType::from(s.as_str()))
                    .collect(),
            ))
            .into_paginator()
            .items()
            .send();
        let items: Vec<sdk::AssetInfo> = self.every_item(request).await?;
        Ok(items.iter().map(asset).collect())
    }
}
