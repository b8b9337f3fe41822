//! Static checks of a layout (the arguments `outposts_capacity_task` and
//! `outposts_capacity_check` share) against the API's own constraints, each reported at
//! its attribute path. Unknown values are skipped: Terraform validates again once they
//! are known.

use crate::checks::{Checker, describe, known_str};
use crate::outposts::ids;
use crate::outposts::task::{AWS_SERVICES, TASK_ACTIONS};
use std::collections::BTreeMap;
use tfplugin::diag::Diagnostics;
use tfplugin::path::AttributePath;
use tfplugin::value::Value;

/// The actions as messages name them, in the order the documentation gives them.
const TASK_ACTIONS_LISTED: &str = "WAIT_FOR_EVACUATION, FAIL_TASK";
/// The services as messages name them.
const AWS_SERVICES_LISTED: &str = "one of AWS, EC2, EKS, ELASTICACHE, ELB, RDS, ROUTE53";

/// The layout's diagnostics: what [`check_layout`] finds.
pub(crate) fn validate(config: &Value) -> Diagnostics {
    let mut check = Checker::default();
    check_layout(&mut check, config);
    check.diagnostics
}

/// Checks the layout arguments of `config`: the IDs, the action on blocking instances,
/// order and asset not both, the pools and the exclusions.
pub(crate) fn check_layout(check: &mut Checker, config: &Value) {
    let root = AttributePath::root();
    check.id(config, &root, "outpost_identifier");
    check.id(config, &root, "order_id");
    check.id(config, &root, "asset_id");
    check.one_of(
        config,
        &root,
        "task_action_on_blocking_instances",
        TASK_ACTIONS,
        TASK_ACTIONS_LISTED,
    );
    let order = known_str(config, "order_id");
    let asset = known_str(config, "asset_id");
    if order.is_some() && asset.is_some() {
        check.error(
            root.attribute("asset_id"),
            "Conflicting arguments",
            "Set order_id for an Outposts rack or asset_id for an Outposts server, not both.",
        );
    }

    if let Some(pools) = config.attr("instance_pool").and_then(Value::as_list) {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, pool) in pools.iter().enumerate() {
            let path = root.attribute("instance_pool").index(i as i64);
            check.string(
                pool,
                &path,
                "instance_type",
                ids::is_instance_type,
                "an EC2 instance type such as \"c5.4xlarge\" (lower case, family.size)",
            );
            if let Some(instance_type) = known_str(pool, "instance_type")
                && let Some(first) = seen.insert(instance_type.to_string(), i)
            {
                check.error(
                    path.attribute("instance_type"),
                    "Duplicate instance type",
                    format!(
                        "{instance_type:?} already appears in instance_pool[{first}]. Give each \
                         instance type one instance_pool block with the total count."
                    ),
                );
            }
            if let Some(count) = pool.attr("count").filter(|v| v.is_known() && !v.is_null()) {
                match count.as_i64() {
                    Some(n) if (0..=ids::MAX_INSTANCE_COUNT).contains(&n) => {}
                    _ => check.error(
                        path.attribute("count"),
                        "Invalid instance count",
                        format!(
                            "count must be a whole number from 0 to 9999, got {}.",
                            describe(count)
                        ),
                    ),
                }
            }
        }
    }

    if let Some(blocks) = config.attr("instances_to_exclude").and_then(Value::as_list) {
        for (i, block) in blocks.iter().enumerate() {
            let path = root.attribute("instances_to_exclude").index(i as i64);
            check.each(
                block,
                &path,
                "instances",
                ids::is_instance_id,
                "an instance ID such as \"i-0123456789abcdef0\"",
            );
            check.each(
                block,
                &path,
                "account_ids",
                ids::is_account_id,
                "a 12-digit AWS account ID",
            );
            check.each(
                block,
                &path,
                "services",
                |s| AWS_SERVICES.contains(&s),
                AWS_SERVICES_LISTED,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::names_exactly;

    #[test]
    fn messages_name_every_value_the_sdk_knows() {
        assert!(names_exactly(TASK_ACTIONS_LISTED, TASK_ACTIONS));
        assert!(names_exactly(AWS_SERVICES_LISTED, AWS_SERVICES));
    }
}
