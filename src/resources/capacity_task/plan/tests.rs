//! Plan decisions as a table: each case is a prior state, a configuration and what the
//! plan must say, checked through one helper (the rust-analyzer `check` style).

use super::*;
use crate::resources::capacity_task::schema::{CapacityTaskState, InstancePoolBlock};
use tfplugin::timeouts::Timeouts;
use tfplugin::value::{from_serde, to_serde};

#[test]
fn an_outpost_by_arn_is_the_outpost_by_id() {
    let op = Value::string("op-0123456789abcdef0");
    let arn = Value::string("arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0");
    let other = Value::string("op-0fffffffffffffff0");
    assert!(same_argument("outpost_identifier", Some(&op), Some(&arn)));
    assert!(same_argument("outpost_identifier", Some(&arn), Some(&op)));
    assert!(!same_argument(
        "outpost_identifier",
        Some(&other),
        Some(&arn)
    ));
}

#[test]
fn pools_compare_as_sets() {
    let pool = |t: &str, n: i64| {
        Value::Object(
            [
                ("instance_type".to_string(), Value::string(t)),
                ("count".to_string(), Value::int(n)),
            ]
            .into(),
        )
    };
    let a = Value::List(vec![pool("c5.large", 2), pool("m5.large", 1)]);
    let b = Value::List(vec![pool("m5.large", 1), pool("c5.large", 2)]);
    let c = Value::List(vec![pool("m5.large", 2), pool("c5.large", 1)]);
    assert!(same_argument("instance_pool", Some(&a), Some(&b)));
    assert!(!same_argument("instance_pool", Some(&a), Some(&c)));
    assert!(same_shape(Some(&a), &b));
}

#[test]
fn exclusions_compare_as_sets_with_absent_lists_empty() {
    let block = |members: &[(&str, &[&str])]| {
        Value::Object(
            members
                .iter()
                .map(|(name, items)| {
                    let items = items.iter().map(|i| Value::string(*i)).collect();
                    (name.to_string(), Value::List(items))
                })
                .collect(),
        )
    };
    let a = Value::List(vec![block(&[("services", &["EC2", "RDS"])])]);
    let b = Value::List(vec![block(&[
        ("services", &["RDS", "EC2"]),
        ("instances", &[]),
    ])]);
    let c = Value::List(vec![block(&[("services", &["EC2"])])]);
    assert!(same_argument("instances_to_exclude", Some(&a), Some(&b)));
    assert!(!same_argument("instances_to_exclude", Some(&a), Some(&c)));
    let empty = Value::List(vec![block(&[("instances", &[])])]);
    assert!(same_argument(
        "instances_to_exclude",
        Some(&empty),
        Some(&Value::Null)
    ));
    assert!(same_argument(
        "instances_to_exclude",
        Some(&Value::List(vec![])),
        Some(&Value::Null)
    ));
    assert!(!same_argument(
        "instances_to_exclude",
        Some(&Value::Unknown),
        Some(&Value::Null)
    ));
    assert!(!same_argument(
        "order_id",
        Some(&Value::string("oo-0123456789abcdef0")),
        Some(&Value::Null)
    ));
}

pub(super) const OP: &str = "op-0123456789abcdef0";
const ARN: &str = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0";

fn pools(list: &[(&str, i64)]) -> Vec<InstancePoolBlock> {
    list.iter()
        .map(|(t, n)| InstancePoolBlock {
            instance_type: t.to_string(),
            count: *n,
        })
        .collect()
}

/// A configuration: the arguments only.
pub(super) fn config(outpost: &str, layout: &[(&str, i64)]) -> CapacityTaskState {
    CapacityTaskState {
        outpost_identifier: outpost.into(),
        order_id: Some("oo-0123456789abcdef0".into()),
        instance_pool: pools(layout),
        ..CapacityTaskState::default()
    }
}

/// A task in state with `status`, created from `config`.
pub(super) fn prior(config: &CapacityTaskState, status: &str) -> CapacityTaskState {
    CapacityTaskState {
        id: Some(format!("{OP}/cap-0123456789abcdef0")),
        capacity_task_id: Some("cap-0123456789abcdef0".into()),
        outpost_id: Some(OP.into()),
        task_action_on_blocking_instances: Some("WAIT_FOR_EVACUATION".into()),
        status: Some(CapacityTaskStatus::parse(status)),
        creation_date: Some("2026-11-26T10:00:00Z".into()),
        last_modified_date: Some("2026-11-26T10:00:00Z".into()),
        ..config.clone()
    }
}

/// What the plan must say.
struct Expect {
    replace: &'static [&'static str],
    /// Attributes planned unknown.
    unknown: &'static [&'static str],
    /// Attributes planned as the prior value although the configuration differs.
    kept: &'static [&'static str],
    warnings: &'static [&'static str],
}

/// Terraform's proposal: the configuration, with computed values it leaves unset taken
/// from the prior state.
pub(super) fn proposed(prior: Option<&Value>, config: &Value) -> Value {
    let (Value::Object(c), Some(Value::Object(p))) = (config, prior) else {
        return config.clone();
    };
    let mut out = c.clone();
    for name in COMPUTED_ON_CREATE
        .iter()
        .chain(["order_id", "asset_id"].iter())
    {
        if c.get(*name).is_none_or(Value::is_null)
            && let Some(v) = p.get(*name)
        {
            out.insert(name.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

fn check(prior: Option<CapacityTaskState>, config: CapacityTaskState, expect: Expect) {
    let ty = schema::schema().value_type();
    let prior = prior.map(|p| from_serde(&p, &ty).expect("prior"));
    let config = from_serde(&config, &ty).expect("config");
    let request = PlanRequest {
        prior_state: prior.clone(),
        proposed_new_state: proposed(prior.as_ref(), &config),
        config: config.clone(),
        prior_private: Vec::new(),
        client: Default::default(),
        stored_plan_private: None,
    };
    let ctx = Context::new(None, tokio_util::sync::CancellationToken::new());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let plan = runtime.block_on(super::plan(&ctx, &DryRunCache::default(), request));
    let replace: Vec<String> = plan
        .requires_replace
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(replace, expect.replace, "requires_replace");
    let Value::Object(planned) = &plan.planned_state else {
        panic!("planned state is not an object")
    };
    let unknown: Vec<&str> = planned
        .iter()
        .filter(|(_, v)| v.is_unknown())
        .map(|(k, _)| k.as_str())
        .collect();
    let mut expected_unknown = expect.unknown.to_vec();
    expected_unknown.sort_unstable();
    assert_eq!(unknown, expected_unknown, "unknown attributes");
    for name in expect.kept {
        let before = prior.as_ref().and_then(|p| p.attr(name));
        assert_eq!(planned.get(*name), before, "{name} keeps the prior value");
        assert_ne!(
            config.attr(name),
            before,
            "{name}: the case must differ from the prior"
        );
    }
    let warnings: Vec<&str> = plan
        .diagnostics
        .iter()
        .map(|d| d.summary.as_str())
        .collect();
    assert_eq!(warnings, expect.warnings, "diagnostics");
    assert!(!plan.diagnostics.has_errors());
    // Terraform's rule: a configured value is planned as configured, or as the prior.
    for (name, value) in planned {
        let configured = config.attr(name).filter(|v| !v.is_null());
        if let (Some(configured), false) = (configured, value.is_unknown()) {
            let before = prior.as_ref().and_then(|p| p.attr(name));
            assert!(
                value == configured || Some(value) == before,
                "{name} planned neither as configured nor as before"
            );
        }
    }
}

/// What a new rack task (its `order_id` set) leaves to AWS: not `asset_id`, which a task
/// for an order does not have.
pub(super) const COMPUTED_ON_CREATE: &[&str] = &[
    "id",
    "capacity_task_id",
    "outpost_id",
    "status",
    "failure",
    "creation_date",
    "completion_date",
    "last_modified_date",
    "task_action_on_blocking_instances",
];

/// A server's task: `asset_id` set, no order.
fn server_config(layout: &[(&str, i64)]) -> CapacityTaskState {
    CapacityTaskState {
        order_id: None,
        asset_id: Some("2000000001".into()),
        ..config(OP, layout)
    }
}

/// Plans `config` over `prior` and returns the planned value of `name`.
fn planned_value(
    prior: Option<CapacityTaskState>,
    config: CapacityTaskState,
    name: &str,
) -> Option<Value> {
    let ty = schema::schema().value_type();
    let prior = prior.map(|p| from_serde(&p, &ty).expect("prior"));
    let config = from_serde(&config, &ty).expect("config");
    plan_unconfigured(prior, config)
        .planned_state
        .attr(name)
        .cloned()
}

/// The plan of `config` over `prior` (Terraform's proposal worked out by [`proposed`])
/// by a provider not configured yet, so no capacity check runs.
pub(super) fn plan_unconfigured(prior: Option<Value>, config: Value) -> PlanResponse {
    let request = PlanRequest {
        proposed_new_state: proposed(prior.as_ref(), &config),
        prior_state: prior,
        config,
        prior_private: Vec::new(),
        client: Default::default(),
        stored_plan_private: None,
    };
    let ctx = Context::new(None, tokio_util::sync::CancellationToken::new());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(super::plan(&ctx, &DryRunCache::default(), request))
}

#[test]
fn a_server_task_plans_no_order_and_a_rack_task_no_asset() {
    check(
        None,
        server_config(LAYOUT),
        Expect {
            replace: &[],
            unknown: COMPUTED_ON_CREATE,
            kept: &[],
            warnings: &[],
        },
    );
    assert_eq!(
        planned_value(None, server_config(LAYOUT), "order_id"),
        Some(Value::Null)
    );
    assert_eq!(
        planned_value(None, config(OP, LAYOUT), "asset_id"),
        Some(Value::Null)
    );
}

#[test]
fn a_replaced_server_task_plans_no_order() {
    let c = server_config(LAYOUT);
    let changed = server_config(&[("c5.large", 3)]);
    check(
        Some(prior(&c, "COMPLETED")),
        changed.clone(),
        Expect {
            replace: &["instance_pool"],
            unknown: COMPUTED_ON_CREATE,
            kept: &[],
            warnings: &[],
        },
    );
    assert_eq!(
        planned_value(Some(prior(&c, "COMPLETED")), changed, "order_id"),
        Some(Value::Null)
    );
}

#[test]
fn with_neither_order_nor_asset_aws_decides_both() {
    let neither = CapacityTaskState {
        order_id: None,
        ..config(OP, LAYOUT)
    };
    check(
        None,
        neither,
        Expect {
            replace: &[],
            unknown: &[
                "id",
                "capacity_task_id",
                "outpost_id",
                "status",
                "failure",
                "creation_date",
                "completion_date",
                "last_modified_date",
                "task_action_on_blocking_instances",
                "order_id",
                "asset_id",
            ],
            kept: &[],
            warnings: &[],
        },
    );
}

const LAYOUT: &[(&str, i64)] = &[("c5.large", 2), ("m5.large", 1)];

#[test]
fn a_new_task_plans_what_aws_decides_as_unknown() {
    check(
        None,
        config(OP, LAYOUT),
        Expect {
            replace: &[],
            unknown: COMPUTED_ON_CREATE,
            kept: &[],
            warnings: &[],
        },
    );
}

#[test]
fn an_unchanged_finished_task_plans_nothing() {
    let c = config(OP, LAYOUT);
    check(
        Some(prior(&c, "COMPLETED")),
        c,
        Expect {
            replace: &[],
            unknown: &[],
            kept: &[],
            warnings: &[],
        },
    );
}

#[test]
fn pools_in_another_order_keep_the_prior_order() {
    let c = config(OP, LAYOUT);
    let reordered = config(OP, &[("m5.large", 1), ("c5.large", 2)]);
    check(
        Some(prior(&c, "COMPLETED")),
        reordered,
        Expect {
            replace: &[],
            unknown: &[],
            kept: &["instance_pool"],
            warnings: &[],
        },
    );
}

#[test]
fn the_outpost_by_arn_keeps_the_prior_id_and_the_reverse() {
    for (before, after) in [(OP, ARN), (ARN, OP)] {
        check(
            Some(prior(&config(before, LAYOUT), "COMPLETED")),
            config(after, LAYOUT),
            Expect {
                replace: &[],
                unknown: &[],
                kept: &["outpost_identifier"],
                warnings: &[],
            },
        );
    }
}

/// What a plan does with the stored task's status, with the layout kept or changed.
#[test]
fn plans_follow_the_stored_tasks_status() {
    let c = config(OP, LAYOUT);
    let other_layout = config(OP, &[("c5.large", 3), ("m5.large", 1)]);
    let waiting = &["status", "failure", "completion_date", "last_modified_date"];
    let rows: [(&str, &CapacityTaskState, Expect); 7] = [
        (
            "COMPLETED",
            &other_layout,
            Expect {
                replace: &["instance_pool"],
                unknown: COMPUTED_ON_CREATE,
                kept: &[],
                warnings: &[],
            },
        ),
        (
            "REQUESTED",
            &other_layout,
            Expect {
                replace: &["instance_pool"],
                unknown: COMPUTED_ON_CREATE,
                kept: &[],
                warnings: &["Replacing a capacity task that is still running"],
            },
        ),
        (
            "REQUESTED",
            &c,
            Expect {
                replace: &[],
                unknown: waiting,
                kept: &[],
                warnings: &[],
            },
        ),
        (
            "IN_PROGRESS",
            &c,
            Expect {
                replace: &[],
                unknown: waiting,
                kept: &[],
                warnings: &[],
            },
        ),
        (
            "WAITING_FOR_EVACUATION",
            &c,
            Expect {
                replace: &[],
                unknown: waiting,
                kept: &[],
                warnings: &[],
            },
        ),
        (
            "FAILED",
            &c,
            Expect {
                replace: &["status"],
                unknown: COMPUTED_ON_CREATE,
                kept: &[],
                warnings: &["Capacity task did not complete"],
            },
        ),
        (
            "CANCELLED",
            &c,
            Expect {
                replace: &["status"],
                unknown: COMPUTED_ON_CREATE,
                kept: &[],
                warnings: &["Capacity task did not complete"],
            },
        ),
    ];
    for (status, configured, expect) in rows {
        check(Some(prior(&c, status)), configured.clone(), expect);
    }
}

#[test]
fn timeouts_change_in_place_without_replacing() {
    let c = config(OP, LAYOUT);
    let longer = CapacityTaskState {
        timeouts: Some(Timeouts(
            [("create".to_string(), Some("24h".to_string()))].into(),
        )),
        ..c.clone()
    };
    check(
        Some(prior(&c, "COMPLETED")),
        longer.clone(),
        Expect {
            replace: &[],
            unknown: &[],
            kept: &[],
            warnings: &[],
        },
    );
    // The typed timeout reads what was configured.
    let typed: CapacityTaskState = to_serde(
        &from_serde(&longer, &schema::schema().value_type()).expect("value"),
        &schema::schema().value_type(),
    )
    .expect("typed");
    assert_eq!(
        typed.create_timeout(),
        std::time::Duration::from_secs(24 * 3600)
    );
    assert_eq!(typed.delete_timeout(), schema::DELETE.default);
}
