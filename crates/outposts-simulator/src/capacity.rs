//! The capacity model a capacity task (and its DryRun) is checked against.
//!
//! The rule, also stated in docs/simulator.md:
//! 1. The targeted assets are the given `AssetId`, or every compute asset of the
//!    outpost when no asset is given.
//! 2. Every requested type must be in the catalog and its family (`c5` of
//!    `c5.4xlarge`) must be one of a targeted asset's `InstanceFamilies`.
//! 3. The sum of `Count × vCPUs` must not exceed the sum of the targeted assets'
//!    `MaxVcpus`, and the pools must pack onto the assets: pools are placed largest
//!    type first, each on the assets (in seed order) whose families include it, as
//!    many per asset as its remaining vCPUs allow.
//! 4. The packing is the layout the assets get when the task completes.
//!
//! A running instance blocks the task when it runs on a targeted asset (or has no
//! asset), its type ends up with fewer slots than the targeted assets have now, and
//! `InstancesToExclude` does not name its instance ID, account or service.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::world::instance_family;
use super::world::{ComputeAsset, InstancePool, InstanceTypeSpec, Outpost, RunningInstance};

/// `InstancesToExclude`, as the request gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstancesToExclude {
    pub instances: Vec<String>,
    pub account_ids: Vec<String>,
    pub services: Vec<String>,
}

impl InstancesToExclude {
    pub fn excludes(&self, instance: &RunningInstance) -> bool {
        self.instances.contains(&instance.instance_id)
            || self.account_ids.contains(&instance.account_id)
            || self.services.contains(&instance.service)
    }
}

/// Why a requested layout does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortfall {
    NoComputeAssets,
    /// The type is not in the catalog at all (1-based pool index, as AWS counts).
    UnknownInstanceType {
        pool: usize,
        instance_type: String,
    },
    /// The type's family is not one of the targeted assets' families.
    UnsupportedFamily {
        pool: usize,
        instance_type: String,
        families: Vec<String>,
    },
    NotEnoughVcpus {
        requested: u64,
        available: u64,
    },
    /// Enough vCPUs in total, but the pools cannot be packed onto the hosts.
    DoesNotPack {
        instance_type: String,
        unplaced: u64,
    },
}

impl Shortfall {
    /// The request member the shortfall is about, for ValidationException messages.
    pub fn field(&self) -> String {
        match self {
            Shortfall::UnknownInstanceType { pool, .. }
            | Shortfall::UnsupportedFamily { pool, .. } => {
                format!("instancePools.{pool}.member.instanceType")
            }
            _ => "instancePools".to_string(),
        }
    }
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shortfall::NoComputeAssets => write!(f, "the outpost has no compute assets"),
            Shortfall::UnknownInstanceType { instance_type, .. } => {
                write!(
                    f,
                    "instance type {instance_type} is not supported on this outpost"
                )
            }
            Shortfall::UnsupportedFamily {
                instance_type,
                families,
                ..
            } => write!(
                f,
                "instance type {instance_type} is not supported; supported families: {}",
                families.join(", ")
            ),
            Shortfall::NotEnoughVcpus {
                requested,
                available,
            } => write!(
                f,
                "requested pools need {requested} vCPUs but only {available} are available \
                 (short by {})",
                requested - available
            ),
            Shortfall::DoesNotPack {
                instance_type,
                unplaced,
            } => write!(
                f,
                "{unplaced} x {instance_type} do not fit on the hosts' remaining vCPUs"
            ),
        }
    }
}

/// The layout each targeted asset gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement(pub Vec<(String, Vec<InstancePool>)>);

pub fn vcpus_of(catalog: &[InstanceTypeSpec], instance_type: &str) -> Option<u32> {
    catalog
        .iter()
        .find(|t| t.instance_type == instance_type)
        .map(|t| t.vcpus)
}

/// The assets a task or query is about (rule 1). An unknown asset gives none.
pub fn targeted_assets<'a>(outpost: &'a Outpost, asset_id: Option<&str>) -> Vec<&'a ComputeAsset> {
    match asset_id {
        Some(id) => outpost.assets.iter().filter(|a| a.asset_id == id).collect(),
        None => outpost.assets.iter().collect(),
    }
}

/// The catalog entries the targeted assets can run, in catalog order.
pub fn supported_instance_types(
    catalog: &[InstanceTypeSpec],
    assets: &[&ComputeAsset],
) -> Vec<InstanceTypeSpec> {
    catalog
        .iter()
        .filter(|spec| supports(assets, &spec.instance_type))
        .cloned()
        .collect()
}

fn supports(assets: &[&ComputeAsset], instance_type: &str) -> bool {
    let family = instance_family(instance_type);
    assets
        .iter()
        .any(|a| a.instance_families.iter().any(|f| f == family))
}

fn families(assets: &[&ComputeAsset]) -> Vec<String> {
    let mut all: Vec<String> = assets
        .iter()
        .flat_map(|a| a.instance_families.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Checks rules 2 and 3 and returns the packing.
pub fn place(
    catalog: &[InstanceTypeSpec],
    assets: &[&ComputeAsset],
    pools: &[InstancePool],
) -> Result<Placement, Shortfall> {
    if assets.is_empty() {
        return Err(Shortfall::NoComputeAssets);
    }
    let mut sized = Vec::with_capacity(pools.len());
    for (index, pool) in pools.iter().enumerate() {
        let Some(vcpus) = vcpus_of(catalog, &pool.instance_type) else {
            return Err(Shortfall::UnknownInstanceType {
                pool: index + 1,
                instance_type: pool.instance_type.clone(),
            });
        };
        if !supports(assets, &pool.instance_type) {
            return Err(Shortfall::UnsupportedFamily {
                pool: index + 1,
                instance_type: pool.instance_type.clone(),
                families: families(assets),
            });
        }
        sized.push((pool, u64::from(vcpus)));
    }
    let requested: u64 = sized.iter().map(|(p, v)| u64::from(p.count) * v).sum();
    let available: u64 = assets.iter().map(|a| u64::from(a.max_vcpus)).sum();
    if requested > available {
        return Err(Shortfall::NotEnoughVcpus {
            requested,
            available,
        });
    }
    // Largest type first packs best; the sort is stable so equal sizes keep request order.
    sized.sort_by_key(|(_, vcpus)| std::cmp::Reverse(*vcpus));
    let mut free: Vec<u64> = assets.iter().map(|a| u64::from(a.max_vcpus)).collect();
    let mut layout: Vec<Vec<InstancePool>> = vec![Vec::new(); assets.len()];
    for (pool, vcpus) in sized {
        let family = instance_family(&pool.instance_type);
        let mut remaining = u64::from(pool.count);
        for (i, asset) in assets.iter().enumerate() {
            if remaining == 0 {
                break;
            }
            if !asset.instance_families.iter().any(|f| f == family) {
                continue;
            }
            let fits = (free[i] / vcpus).min(remaining);
            if fits > 0 {
                free[i] -= fits * vcpus;
                remaining -= fits;
                layout[i].push(InstancePool {
                    instance_type: pool.instance_type.clone(),
                    // fits <= count, which is a u32.
                    count: u32::try_from(fits).unwrap_or(u32::MAX),
                });
            }
        }
        if remaining > 0 {
            return Err(Shortfall::DoesNotPack {
                instance_type: pool.instance_type.clone(),
                unplaced: remaining,
            });
        }
    }
    Ok(Placement(
        assets
            .iter()
            .zip(layout)
            .map(|(a, pools)| (a.asset_id.clone(), pools))
            .collect(),
    ))
}

/// The running instances that stop the requested layout from being applied.
pub fn blocking_instances(
    outpost: &Outpost,
    assets: &[&ComputeAsset],
    pools: &[InstancePool],
    exclude: Option<&InstancesToExclude>,
) -> Vec<RunningInstance> {
    let mut current: BTreeMap<&str, u64> = BTreeMap::new();
    for asset in assets {
        for pool in &asset.instance_type_capacities {
            *current.entry(pool.instance_type.as_str()).or_default() += u64::from(pool.count);
        }
    }
    let mut wanted: BTreeMap<&str, u64> = BTreeMap::new();
    for pool in pools {
        *wanted.entry(pool.instance_type.as_str()).or_default() += u64::from(pool.count);
    }
    let loses_slots = |instance_type: &str| {
        wanted.get(instance_type).copied().unwrap_or(0)
            < current.get(instance_type).copied().unwrap_or(0)
    };
    let on_target = |instance: &RunningInstance| match &instance.asset_id {
        None => true,
        Some(id) => assets.iter().any(|a| &a.asset_id == id),
    };
    outpost
        .running_instances
        .iter()
        .filter(|i| on_target(i) && loses_slots(&i.instance_type))
        .filter(|i| !exclude.is_some_and(|e| e.excludes(i)))
        .cloned()
        .collect()
}

/// Rewrites the targeted assets' layouts (rule 4).
pub fn apply(outpost: &mut Outpost, placement: &Placement) {
    for (asset_id, pools) in &placement.0 {
        if let Some(asset) = outpost.assets.iter_mut().find(|a| &a.asset_id == asset_id) {
            asset.instance_type_capacities = pools.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    fn pool(t: &str, n: u32) -> InstancePool {
        InstancePool {
            instance_type: t.into(),
            count: n,
        }
    }

    #[test]
    fn quickstart_layout_fits_the_default_rack() {
        let world = World::default_seed();
        let outpost = &world.outposts[0];
        let assets = targeted_assets(outpost, None);
        let placement = place(
            &world.instance_types,
            &assets,
            &[pool("g4dn.12xlarge", 2), pool("c5.4xlarge", 6)],
        )
        .expect("fits");
        assert_eq!(placement.0[0].1, vec![pool("c5.4xlarge", 6)]);
        assert_eq!(placement.0[2].1, vec![pool("g4dn.12xlarge", 2)]);
    }

    #[test]
    fn too_many_vcpus_is_a_shortfall_with_numbers() {
        let world = World::default_seed();
        let assets = targeted_assets(&world.outposts[0], None);
        let err = place(&world.instance_types, &assets, &[pool("m5.12xlarge", 7)])
            .expect_err("does not fit");
        assert_eq!(
            err,
            Shortfall::NotEnoughVcpus {
                requested: 336,
                available: 288
            }
        );
        assert!(err.to_string().contains("short by 48"), "{err}");
    }

    #[test]
    fn family_not_on_the_asset_is_unsupported() {
        let world = World::default_seed();
        let assets = targeted_assets(&world.outposts[0], Some("1000000003"));
        let err = place(&world.instance_types, &assets, &[pool("c5.large", 1)])
            .expect_err("g4dn-only asset");
        assert_eq!(err.field(), "instancePools.1.member.instanceType");
    }

    #[test]
    fn enough_vcpus_in_total_but_not_per_host_does_not_pack() {
        let world = World::default_seed();
        // Two 96-vCPU c5 hosts: three 36-vCPU instances fit (2 + 1), but 5 need 180 of
        // 192 vCPUs and only 2 fit per host.
        let assets = targeted_assets(&world.outposts[0], None);
        let err = place(&world.instance_types, &assets, &[pool("c5.9xlarge", 5)])
            .expect_err("does not pack");
        assert!(
            matches!(err, Shortfall::DoesNotPack { unplaced: 1, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn shrinking_a_type_blocks_its_running_instances_unless_excluded() {
        let world = World::default_seed();
        let outpost = &world.outposts[2];
        let assets = targeted_assets(outpost, None);
        let pools = [pool("c5.2xlarge", 6)];
        let blockers = blocking_instances(outpost, &assets, &pools, None);
        let ids: Vec<_> = blockers.iter().map(|i| i.instance_id.as_str()).collect();
        assert_eq!(ids, ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"]);

        let exclude = InstancesToExclude {
            services: vec!["EKS".into()],
            ..Default::default()
        };
        let blockers = blocking_instances(outpost, &assets, &pools, Some(&exclude));
        assert_eq!(blockers.len(), 1);
    }
}
