//! The simulated world: outposts with their orders, compute assets, instance-type
//! catalog and running instances. The same types are the seed file format (JSON,
//! snake_case keys; see docs/simulator.md) and the live state the API reads and a
//! completed capacity task rewrites.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::validate::{
    ACCOUNT_ID, ASSET_ID, INSTANCE_ID, INSTANCE_TYPE, ORDER_ID, OUTPOST_ID, SITE_ID, is_aws_service,
};

const DEFAULT_SEED: &str = include_str!("../../../examples/simulator-seed.json");

/// Everything the simulator knows before the first request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// The instance types any asset may be configured with, and their vCPUs.
    #[serde(default)]
    pub instance_types: Vec<InstanceTypeSpec>,
    pub outposts: Vec<Outpost>,
}

/// One instance type of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceTypeSpec {
    pub instance_type: String,
    pub vcpus: u32,
}

/// An Outpost rack or server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outpost {
    pub outpost_id: String,
    pub owner_id: String,
    /// Region of the ARN; the simulator answers for any signing region.
    #[serde(default = "default_region")]
    pub region: String,
    pub site_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub hardware_type: HardwareType,
    #[serde(default = "default_life_cycle_status")]
    pub life_cycle_status: String,
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub availability_zone_id: Option<String>,
    /// The outpost's tags, as GetOutpost and ListOutposts report them.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `Generation`; racks without one report GENERATION_1 (see [`Outpost::generation`]).
    #[serde(default)]
    pub generation: Option<Generation>,
    /// `RackScalingType`; racks without one report SINGLE_RACK.
    #[serde(default)]
    pub rack_scaling_type: Option<RackScalingType>,
    /// Orders (`oo-…`) whose capacity tasks target this outpost.
    #[serde(default)]
    pub orders: Vec<String>,
    #[serde(default)]
    pub assets: Vec<ComputeAsset>,
    /// Instances that can block a capacity task until they are evacuated.
    #[serde(default)]
    pub running_instances: Vec<RunningInstance>,
}

/// `SupportedHardwareType` of an outpost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HardwareType {
    #[serde(rename = "RACK")]
    Rack,
    #[serde(rename = "SERVER")]
    Server,
}

impl HardwareType {
    pub fn as_str(self) -> &'static str {
        match self {
            HardwareType::Rack => "RACK",
            HardwareType::Server => "SERVER",
        }
    }
}

/// `Generation` of an outpost (a property of rack deployments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Generation {
    #[serde(rename = "GENERATION_1")]
    Generation1,
    #[serde(rename = "GENERATION_2")]
    Generation2,
}

impl Generation {
    pub fn as_str(self) -> &'static str {
        match self {
            Generation::Generation1 => "GENERATION_1",
            Generation::Generation2 => "GENERATION_2",
        }
    }
}

/// `RackScalingType` of an outpost (a property of rack deployments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RackScalingType {
    #[serde(rename = "SINGLE_RACK")]
    SingleRack,
    #[serde(rename = "MULTI_RACK")]
    MultiRack,
}

impl RackScalingType {
    pub fn as_str(self) -> &'static str {
        match self {
            RackScalingType::SingleRack => "SINGLE_RACK",
            RackScalingType::MultiRack => "MULTI_RACK",
        }
    }
}

/// A compute host of an outpost and its current instance-type layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeAsset {
    pub asset_id: String,
    #[serde(default)]
    pub host_id: Option<String>,
    #[serde(default)]
    pub rack_id: Option<String>,
    pub max_vcpus: u32,
    pub instance_families: Vec<String>,
    #[serde(default)]
    pub instance_type_capacities: Vec<InstancePool>,
    #[serde(default = "default_asset_state")]
    pub state: String,
    /// `AssetLocation.RackElevation` in rack units; on racks, a missing one is
    /// derived from the asset's position (see [`Outpost::rack_elevation`]).
    #[serde(default)]
    pub rack_elevation: Option<f32>,
}

/// A number of slots of one instance type: a requested pool or an asset's layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstancePool {
    pub instance_type: String,
    pub count: u32,
}

/// An instance running on an outpost (in some account, launched by some service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunningInstance {
    pub instance_id: String,
    pub instance_type: String,
    pub account_id: String,
    /// One of AWS, EC2, EKS, ELASTICACHE, ELB, RDS, ROUTE53.
    #[serde(default = "default_service")]
    pub service: String,
    /// The host it runs on; `None` counts it on every asset a task targets.
    #[serde(default)]
    pub asset_id: Option<String>,
}

fn default_region() -> String {
    "us-west-2".into()
}
fn default_life_cycle_status() -> String {
    "ACTIVE".into()
}
fn default_asset_state() -> String {
    "ACTIVE".into()
}
fn default_service() -> String {
    "EC2".into()
}

/// Why a seed was refused.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read seed file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("seed is not valid JSON for the seed format: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("invalid seed: {0}")]
    Invalid(String),
}

impl Outpost {
    /// `arn:aws:outposts:REGION:OWNER:outpost/op-…`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:outposts:{}:{}:outpost/{}",
            self.region, self.owner_id, self.outpost_id
        )
    }

    pub fn site_arn(&self) -> String {
        format!(
            "arn:aws:outposts:{}:{}:site/{}",
            self.region, self.owner_id, self.site_id
        )
    }

    pub fn asset(&self, asset_id: &str) -> Option<&ComputeAsset> {
        self.assets.iter().find(|a| a.asset_id == asset_id)
    }

    /// The outpost's `Generation`. AWS describes generations for rack deployments
    /// only, so a rack the seed says nothing about is first generation (the older,
    /// more common kind) and a server has none unless the seed gives one.
    pub fn generation(&self) -> Option<Generation> {
        self.generation.or(match self.hardware_type {
            HardwareType::Rack => Some(Generation::Generation1),
            HardwareType::Server => None,
        })
    }

    /// The outpost's `RackScalingType`: as the seed says, else SINGLE_RACK for a
    /// rack (one rack is what a seed describes) and none for a server.
    pub fn rack_scaling_type(&self) -> Option<RackScalingType> {
        self.rack_scaling_type.or(match self.hardware_type {
            HardwareType::Rack => Some(RackScalingType::SingleRack),
            HardwareType::Server => None,
        })
    }

    /// Where an asset sits in its rack, in rack units. Seeds written before the
    /// simulator reported locations have none: on a rack their assets are then
    /// stacked as 2U hosts from the bottom in seed order (1, 3, 5, …), so every
    /// rack asset has a location; a server is not in a rack and has none.
    pub fn rack_elevation(&self, asset: &ComputeAsset) -> Option<f32> {
        if asset.rack_elevation.is_some() || self.hardware_type == HardwareType::Server {
            return asset.rack_elevation;
        }
        let position = self
            .assets
            .iter()
            .position(|a| a.asset_id == asset.asset_id)?;
        Some(1.0 + 2.0 * position as f32)
    }
}

impl ComputeAsset {
    /// The host ID ListAssets reports: the seeded one or one derived from the asset ID.
    pub fn host_id(&self) -> String {
        self.host_id
            .clone()
            .unwrap_or_else(|| format!("h-{:0>17}", self.asset_id))
    }
}

/// The family of an instance type: `c5` for `c5.4xlarge`.
pub fn instance_family(instance_type: &str) -> &str {
    instance_type
        .split_once('.')
        .map_or(instance_type, |(family, _)| family)
}

impl World {
    /// Reads and validates a seed file.
    pub fn load(path: &Path) -> Result<World, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.display().to_string(),
            source,
        })?;
        World::from_json(&text)
    }

    /// Parses and validates a seed document.
    pub fn from_json(text: &str) -> Result<World, SeedError> {
        let world: World = serde_json::from_str(text)?;
        world.validate()?;
        Ok(world)
    }

    pub fn vcpus_of(&self, instance_type: &str) -> Option<u32> {
        self.instance_types
            .iter()
            .find(|t| t.instance_type == instance_type)
            .map(|t| t.vcpus)
    }

    pub fn outpost(&self, outpost_id: &str) -> Option<&Outpost> {
        self.outposts.iter().find(|o| o.outpost_id == outpost_id)
    }

    pub fn outpost_mut(&mut self, outpost_id: &str) -> Option<&mut Outpost> {
        self.outposts
            .iter_mut()
            .find(|o| o.outpost_id == outpost_id)
    }

    /// Checks identifiers against the API's patterns, uniqueness, and that every
    /// layout uses known types of the asset's families within its vCPUs.
    pub fn validate(&self) -> Result<(), SeedError> {
        let bad = |msg: String| Err(SeedError::Invalid(msg));
        let mut type_names = HashSet::new();
        for spec in &self.instance_types {
            if !INSTANCE_TYPE.is_match(&spec.instance_type) {
                return bad(format!(
                    "instance type {:?} is not of the form family.size",
                    spec.instance_type
                ));
            }
            if spec.vcpus == 0 {
                return bad(format!("instance type {} has 0 vCPUs", spec.instance_type));
            }
            if !type_names.insert(spec.instance_type.as_str()) {
                return bad(format!("instance type {} listed twice", spec.instance_type));
            }
        }
        let (mut outposts, mut orders, mut assets, mut instances) = (
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
        );
        for outpost in &self.outposts {
            let id = &outpost.outpost_id;
            if !OUTPOST_ID.is_match(id) {
                return bad(format!("outpost_id {id:?} must match op-[a-f0-9]{{17}}"));
            }
            if !outposts.insert(id.as_str()) {
                return bad(format!("outpost {id} listed twice"));
            }
            if !ACCOUNT_ID.is_match(&outpost.owner_id) {
                return bad(format!("owner_id of {id} must be 12 digits"));
            }
            if !SITE_ID.is_match(&outpost.site_id) {
                return bad(format!("site_id of {id} must match os-[a-f0-9]{{17}}"));
            }
            if outpost.region.is_empty()
                || !outpost
                    .region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return bad(format!("region of {id} must be like us-west-2"));
            }
            for (key, value) in &outpost.tags {
                // The model's TagKey and TagValue lengths.
                if !(1..=128).contains(&key.chars().count()) || value.chars().count() > 256 {
                    return bad(format!(
                        "tag {key:?} of {id}: keys must have 1..128 characters, values at most 256"
                    ));
                }
            }
            for order in &outpost.orders {
                if !ORDER_ID.is_match(order) {
                    return bad(format!(
                        "order {order:?} of {id} must match oo-[a-f0-9]{{17}}"
                    ));
                }
                if !orders.insert(order.as_str()) {
                    return bad(format!("order {order} listed twice"));
                }
            }
            for asset in &outpost.assets {
                self.validate_asset(id, asset)?;
                if !assets.insert(asset.asset_id.as_str()) {
                    return bad(format!("asset {} listed twice", asset.asset_id));
                }
            }
            for instance in &outpost.running_instances {
                let iid = &instance.instance_id;
                if !INSTANCE_ID.is_match(iid) || !(11..=32).contains(&iid.len()) {
                    return bad(format!(
                        "instance_id {iid:?} must match ^i-[0-9a-z]+$ (11..32)"
                    ));
                }
                if !instances.insert(iid.as_str()) {
                    return bad(format!("instance {iid} listed twice"));
                }
                if self.vcpus_of(&instance.instance_type).is_none() {
                    return bad(format!(
                        "instance {iid} has type {} which is not in instance_types",
                        instance.instance_type
                    ));
                }
                if !ACCOUNT_ID.is_match(&instance.account_id) {
                    return bad(format!("account_id of {iid} must be 12 digits"));
                }
                if !is_aws_service(&instance.service) {
                    return bad(format!(
                        "service of {iid} must be one of AWS, EC2, EKS, ELASTICACHE, ELB, RDS, ROUTE53"
                    ));
                }
                if let Some(asset_id) = &instance.asset_id
                    && outpost.asset(asset_id).is_none()
                {
                    return bad(format!("instance {iid} runs on unknown asset {asset_id}"));
                }
            }
        }
        Ok(())
    }

    fn validate_asset(&self, outpost_id: &str, asset: &ComputeAsset) -> Result<(), SeedError> {
        let aid = &asset.asset_id;
        if !ASSET_ID.is_match(aid) || aid.len() != 10 {
            return Err(SeedError::Invalid(format!(
                "asset_id {aid:?} of {outpost_id} must be 10 digits"
            )));
        }
        if let Some(elevation) = asset.rack_elevation
            && !(elevation.is_finite() && elevation >= 0.0)
        {
            return Err(SeedError::Invalid(format!(
                "rack_elevation of asset {aid} must be a non-negative number of rack units"
            )));
        }
        if asset.instance_families.is_empty() {
            return Err(SeedError::Invalid(format!(
                "asset {aid} has no instance_families"
            )));
        }
        let mut used = 0u64;
        for pool in &asset.instance_type_capacities {
            let Some(vcpus) = self.vcpus_of(&pool.instance_type) else {
                return Err(SeedError::Invalid(format!(
                    "asset {aid} lists {} which is not in instance_types",
                    pool.instance_type
                )));
            };
            let family = instance_family(&pool.instance_type);
            if !asset.instance_families.iter().any(|f| f == family) {
                return Err(SeedError::Invalid(format!(
                    "asset {aid} lists {} but its families are {:?}",
                    pool.instance_type, asset.instance_families
                )));
            }
            used += u64::from(vcpus) * u64::from(pool.count);
        }
        if used > u64::from(asset.max_vcpus) {
            return Err(SeedError::Invalid(format!(
                "asset {aid} layout uses {used} vCPUs but max_vcpus is {}",
                asset.max_vcpus
            )));
        }
        Ok(())
    }

    /// The built-in world used when no seed file is given: examples/simulator-seed.json,
    /// compiled in. It has the IDs the README's quickstart uses
    /// (`op-0123456789abcdef0`, `oo-0123456789abcdef0`).
    pub fn default_seed() -> World {
        // A constant of this crate, checked by `default_seed_is_valid`.
        World::from_json(DEFAULT_SEED)
            .unwrap_or_else(|e| panic!("examples/simulator-seed.json is not a valid seed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_is_valid() {
        World::default_seed()
            .validate()
            .expect("default seed validates");
    }

    #[test]
    fn seed_round_trips_through_json() {
        let world = World::default_seed();
        let text = serde_json::to_string_pretty(&world).expect("serialises");
        assert_eq!(World::from_json(&text).expect("parses"), world);
    }

    #[test]
    fn seed_with_layout_over_max_vcpus_is_refused() {
        let mut world = World::default_seed();
        world.outposts[0].assets[0].instance_type_capacities[0].count = 100;
        let err = world.validate().expect_err("refused");
        assert!(err.to_string().contains("max_vcpus"), "{err}");
    }

    #[test]
    fn seed_with_bad_outpost_id_is_refused() {
        let mut world = World::default_seed();
        world.outposts[0].outpost_id = "op-123".into();
        assert!(world.validate().is_err());
    }

    /// A seed as written before tags, generations and rack locations existed.
    const OLD_SEED: &str = r#"{
        "instance_types": [{ "instance_type": "m5.large", "vcpus": 2 }],
        "outposts": [
            { "outpost_id": "op-0abc0000000000001", "owner_id": "123456789012",
              "site_id": "os-0abc0000000000001", "hardware_type": "RACK",
              "assets": [
                { "asset_id": "0000000101", "max_vcpus": 8, "instance_families": ["m5"] },
                { "asset_id": "0000000102", "max_vcpus": 8, "instance_families": ["m5"] }
              ] },
            { "outpost_id": "op-0abc0000000000002", "owner_id": "123456789012",
              "site_id": "os-0abc0000000000002", "hardware_type": "SERVER",
              "assets": [
                { "asset_id": "0000000201", "max_vcpus": 8, "instance_families": ["m5"] }
              ] }
        ]
    }"#;

    #[test]
    fn old_seeds_load_with_rack_defaults_for_new_members() {
        let world = World::from_json(OLD_SEED).expect("an old seed still loads");
        let (rack, server) = (&world.outposts[0], &world.outposts[1]);
        assert!(rack.tags.is_empty());
        assert_eq!(rack.generation(), Some(Generation::Generation1));
        assert_eq!(rack.rack_scaling_type(), Some(RackScalingType::SingleRack));
        let elevations: Vec<_> = rack.assets.iter().map(|a| rack.rack_elevation(a)).collect();
        assert_eq!(elevations, [Some(1.0), Some(3.0)]);
        // A server is not a rack: no generation, scaling type or rack location.
        assert_eq!(server.generation(), None);
        assert_eq!(server.rack_scaling_type(), None);
        assert_eq!(server.rack_elevation(&server.assets[0]), None);
    }

    #[test]
    fn seeded_generation_scaling_and_elevation_win_over_defaults() {
        let world = World::default_seed();
        let rack = &world.outposts[0];
        assert_eq!(rack.generation(), Some(Generation::Generation2));
        assert_eq!(rack.rack_scaling_type(), Some(RackScalingType::SingleRack));
        assert_eq!(rack.rack_elevation(&rack.assets[1]), Some(12.0));
        assert_eq!(rack.tags.get("team").map(String::as_str), Some("platform"));
    }

    #[test]
    fn seed_with_bad_rack_elevation_or_tag_is_refused() {
        let mut world = World::default_seed();
        world.outposts[0].assets[0].rack_elevation = Some(f32::NAN);
        let err = world.validate().expect_err("refused");
        assert!(err.to_string().contains("rack_elevation"), "{err}");

        let mut world = World::default_seed();
        world.outposts[0].tags.insert(String::new(), "v".into());
        let err = world.validate().expect_err("refused");
        assert!(err.to_string().contains("tag"), "{err}");
    }

    #[test]
    fn family_is_the_part_before_the_dot() {
        assert_eq!(instance_family("g4dn.12xlarge"), "g4dn");
        assert_eq!(instance_family("weird"), "weird");
    }
}
