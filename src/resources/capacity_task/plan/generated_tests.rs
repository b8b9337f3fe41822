//! The configuration generated for a task found or imported plans no change over the
//! imported state, for each layout AWS reports.

use super::tests::plan_unconfigured;
use super::*;
use crate::outposts::task::{CapacityTask, InstancePool, InstancesToExclude};
use crate::resources::capacity_task::flatten::imported_state;
use crate::resources::capacity_task::generated::generate_config;
use std::time::{Duration, SystemTime};
use tfplugin::value::from_serde;

const OP: &str = "op-0123456789abcdef0";

fn task(order_id: Option<&str>, asset_id: Option<&str>) -> CapacityTask {
    let created = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    CapacityTask {
        id: "cap-0123456789abcdef0".into(),
        outpost_id: OP.into(),
        order_id: order_id.map(str::to_string),
        asset_id: asset_id.map(str::to_string),
        instance_pools: vec![
            InstancePool {
                instance_type: "m5.xlarge".into(),
                count: 12,
            },
            InstancePool {
                instance_type: "c5.4xlarge".into(),
                count: 2,
            },
        ],
        instances_to_exclude: InstancesToExclude::default(),
        task_action_on_blocking_instances: Some("WAIT_FOR_EVACUATION".into()),
        dry_run: false,
        status: CapacityTaskStatus::Completed,
        failure: None,
        creation_date: Some(created),
        completion_date: Some(created + Duration::from_secs(3600)),
        last_modified_date: Some(created + Duration::from_secs(3600)),
    }
}

/// Plans the configuration generated from the state of `task` imported as `outpost`
/// over that state: no change and no replacement.
fn plans_no_change(name: &str, outpost: &str, task: &CapacityTask) {
    let schema = schema::schema();
    let ty = schema.value_type();
    let state = from_serde(&imported_state(outpost.into(), task), &ty).expect("state");
    let config = generate_config(schema.block.config_from_state(&state));
    let invalid = schema.block.validate_config(&config);
    assert!(!invalid.has_errors(), "{name}: {invalid:?}");
    for setting in [
        "dry_run_on_plan",
        "timeouts",
        "id",
        "status",
        "capacity_task_id",
    ] {
        assert_eq!(
            config.attr(setting),
            Some(&Value::Null),
            "{name}: {setting}"
        );
    }
    for argument in ["outpost_identifier", "instance_pool"] {
        assert_eq!(
            config.attr(argument),
            state.attr(argument),
            "{name}: {argument}"
        );
    }
    let plan = plan_unconfigured(Some(state.clone()), config);
    assert!(
        plan.requires_replace.is_empty(),
        "{name}: {:?}",
        plan.requires_replace
    );
    assert!(
        plan.diagnostics.is_empty(),
        "{name}: {:?}",
        plan.diagnostics
    );
    assert_eq!(
        plan.planned_state, state,
        "{name}: the plan changes nothing"
    );
}

#[test]
fn generated_configurations_plan_no_change_after_import() {
    let rack = task(Some("oo-0123456789abcdef0"), None);
    plans_no_change("a rack task by order", OP, &rack);
    let arn = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0";
    plans_no_change("a rack task of an Outpost by ARN", arn, &rack);
    let server = CapacityTask {
        instances_to_exclude: InstancesToExclude {
            instances: vec!["i-0123456789abcdef0".into()],
            account_ids: Vec::new(),
            services: vec!["EKS".into(), "RDS".into()],
        },
        task_action_on_blocking_instances: Some("FAIL_TASK".into()),
        ..task(None, Some("2000000001"))
    };
    plans_no_change("a server task by asset, with exclusions", OP, &server);
    let both = task(Some("oo-0123456789abcdef0"), Some("1000000001"));
    plans_no_change(
        "a rack task reported with its order and an asset",
        OP,
        &both,
    );
}

#[test]
fn a_generated_configuration_names_an_order_or_an_asset_never_both() {
    let schema = schema::schema();
    let ty = schema.value_type();
    let both = task(Some("oo-0123456789abcdef0"), Some("1000000001"));
    let state = from_serde(&imported_state(OP.into(), &both), &ty).expect("state");
    let config = generate_config(schema.block.config_from_state(&state));
    assert_eq!(config.attr("order_id"), Some(&Value::Null));
    assert_eq!(config.attr("asset_id"), Some(&Value::string("1000000001")));
}
