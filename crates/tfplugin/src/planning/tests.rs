use super::*;
use crate::plan_modifiers::{
    requires_replace, requires_replace_if, unordered, use_state_for_unknown,
};
use crate::schema::NestedBlock;
use crate::test_support::object;

/// A disk: `zone` forces a new one, `size` only when it shrinks, `label` is changed
/// in place, `kind` defaults to "ssd", `id` never changes, `etag` changes with
/// every update; `rule` blocks compare in any order and force a new disk.
fn disk() -> Block {
    Block::new("A disk.")
        .attribute(
            Attribute::string("zone")
                .required()
                .plan_modifier(requires_replace())
                .equivalence(|stored, configured| {
                    stored.as_str().map(str::to_lowercase)
                        == configured.as_str().map(str::to_lowercase)
                }),
        )
        .attribute(
            Attribute::number("size")
                .required()
                .plan_modifier(requires_replace_if(
                    "Shrinking replaces it.",
                    |request, planned| match (
                        request.state.and_then(Value::as_i64),
                        planned.as_i64(),
                    ) {
                        (Some(before), Some(after)) => after < before,
                        _ => false,
                    },
                )),
        )
        .attribute(Attribute::string("label").optional())
        .attribute(Attribute::string("kind").default_value(Value::string("ssd")))
        .attribute(
            Attribute::string("id")
                .computed()
                .plan_modifier(use_state_for_unknown()),
        )
        .attribute(Attribute::string("etag").computed())
        .block(
            NestedBlock::list(
                "rule",
                Block::new("A rule.")
                    .attribute(Attribute::string("name").required())
                    .attribute(Attribute::string("rule_id").computed()),
            )
            .equivalence(|stored, configured| unordered(&names(stored), &names(configured)))
            .plan_modifier(requires_replace()),
        )
}

/// The rules' names: what the configuration sets of them.
fn names(rules: &Value) -> Value {
    let names = rules.as_list().unwrap_or_default().iter();
    Value::List(names.filter_map(|r| r.attr("name").cloned()).collect())
}

fn rule(name: &str, id: Value) -> Value {
    object(&[("name", Value::string(name)), ("rule_id", id)])
}

fn config(zone: &str, size: i64, label: Value, rules: &[&str]) -> Value {
    object(&[
        ("zone", Value::string(zone)),
        ("size", Value::int(size)),
        ("label", label),
        ("kind", Value::Null),
        ("id", Value::Null),
        ("etag", Value::Null),
        (
            "rule",
            Value::List(rules.iter().map(|n| rule(n, Value::Null)).collect()),
        ),
    ])
}

fn stored() -> Value {
    object(&[
        ("zone", Value::string("eu-1a")),
        ("size", Value::int(10)),
        ("label", Value::string("data")),
        ("kind", Value::string("ssd")),
        ("id", Value::string("d-1")),
        ("etag", Value::string("e-1")),
        (
            "rule",
            Value::List(vec![
                rule("a", Value::string("r-a")),
                rule("b", Value::string("r-b")),
            ]),
        ),
    ])
}

/// What Terraform proposes: the configuration, with computed values the
/// configuration leaves null taken from the stored object.
fn proposed(prior: Option<&Value>, config: &Value) -> Value {
    let Some(prior) = prior else {
        return config.clone();
    };
    let mut out = config.clone();
    if let Value::Object(members) = &mut out {
        for name in ["kind", "id", "etag"] {
            members.insert(
                name.into(),
                prior.attr(name).cloned().unwrap_or(Value::Null),
            );
        }
        // Nested computed members, element by element.
        if let (Some(Value::List(rules)), Some(before)) = (
            members.get_mut("rule"),
            prior.attr("rule").and_then(Value::as_list),
        ) {
            for (rule, before) in rules.iter_mut().zip(before) {
                if let Value::Object(m) = rule {
                    m.insert(
                        "rule_id".into(),
                        before.attr("rule_id").cloned().unwrap_or(Value::Null),
                    );
                }
            }
        }
    }
    out
}

fn plan_of(prior: Option<Value>, config: Value) -> PlanResponse {
    let request = PlanRequest {
        proposed_new_state: proposed(prior.as_ref(), &config),
        prior_state: prior,
        config,
        prior_private: b"private".to_vec(),
        client: Default::default(),
        stored_plan_private: None,
    };
    plan(&disk(), &request)
}

fn replaced(plan: &PlanResponse) -> Vec<String> {
    plan.requires_replace
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_create_plans_defaults_and_unknown_computed_values() {
    let plan = plan_of(None, config("eu-1a", 10, Value::Null, &["a"]));
    let planned = &plan.planned_state;
    assert_eq!(planned.attr("kind"), Some(&Value::string("ssd")));
    assert_eq!(planned.attr("id"), Some(&Value::Unknown));
    assert_eq!(planned.attr("etag"), Some(&Value::Unknown));
    assert_eq!(planned.attr("label"), Some(&Value::Null));
    let rules = planned
        .attr("rule")
        .and_then(Value::as_list)
        .expect("rules");
    assert_eq!(rules[0].attr("rule_id"), Some(&Value::Unknown));
    assert!(plan.requires_replace.is_empty());
    assert_eq!(plan.planned_private, b"private");
}

#[test]
fn an_unchanged_object_plans_exactly_its_stored_value() {
    let plan = plan_of(
        Some(stored()),
        config("eu-1a", 10, Value::string("data"), &["a", "b"]),
    );
    assert_eq!(plan.planned_state, stored());
    assert!(plan.requires_replace.is_empty());
}

#[test]
fn an_in_place_change_keeps_what_use_state_for_unknown_keeps_and_no_more() {
    let plan = plan_of(
        Some(stored()),
        config("eu-1a", 12, Value::string("logs"), &["a", "b"]),
    );
    let planned = &plan.planned_state;
    assert_eq!(planned.attr("id"), Some(&Value::string("d-1")));
    assert_eq!(planned.attr("etag"), Some(&Value::Unknown));
    assert_eq!(planned.attr("label"), Some(&Value::string("logs")));
    assert!(plan.requires_replace.is_empty(), "{:?}", replaced(&plan));
}

#[test]
fn the_same_thing_written_differently_plans_the_stored_value() {
    // Another case of the zone, the rules in another order.
    let plan = plan_of(
        Some(stored()),
        config("EU-1A", 10, Value::string("data"), &["b", "a"]),
    );
    assert_eq!(plan.planned_state, stored());
    assert!(plan.requires_replace.is_empty());
}

#[test]
fn requires_replace_names_each_changed_attribute_and_block() {
    let plan = plan_of(
        Some(stored()),
        config("eu-1b", 8, Value::string("data"), &["a", "c"]),
    );
    assert_eq!(replaced(&plan), vec!["zone", "size", "rule"]);
    // A larger size alone is an update.
    let plan = plan_of(
        Some(stored()),
        config("eu-1a", 20, Value::string("data"), &["a", "b"]),
    );
    assert!(plan.requires_replace.is_empty());
}

#[test]
fn an_unknown_configured_value_forces_a_replacement_it_may_need() {
    let mut unknown_zone = config("eu-1a", 10, Value::string("data"), &["a", "b"]);
    if let Value::Object(m) = &mut unknown_zone {
        m.insert("zone".into(), Value::Unknown);
    }
    let plan = plan_of(Some(stored()), unknown_zone);
    assert_eq!(replaced(&plan), vec!["zone"]);
    assert_eq!(plan.planned_state.attr("zone"), Some(&Value::Unknown));
}

#[test]
fn a_configured_value_overrides_the_default_and_null_brings_it_back() {
    let mut with_kind = config("eu-1a", 10, Value::string("data"), &["a", "b"]);
    if let Value::Object(m) = &mut with_kind {
        m.insert("kind".into(), Value::string("hdd"));
    }
    let request = PlanRequest {
        proposed_new_state: with_kind.clone(),
        prior_state: Some(stored()),
        config: with_kind,
        prior_private: Vec::new(),
        client: Default::default(),
        stored_plan_private: None,
    };
    let plan = plan(&disk(), &request);
    assert_eq!(plan.planned_state.attr("kind"), Some(&Value::string("hdd")));
}

#[test]
fn nested_attributes_plan_element_by_element() {
    let block = Block::new("b").attribute(
        Attribute::list_nested(
            "port",
            [
                Attribute::number("number").required(),
                Attribute::string("protocol").default_value(Value::string("tcp")),
                Attribute::string("port_id")
                    .computed()
                    .plan_modifier(use_state_for_unknown()),
            ],
        )
        .optional(),
    );
    let port = |n: i64, protocol: Value, id: Value| {
        object(&[
            ("number", Value::int(n)),
            ("protocol", protocol),
            ("port_id", id),
        ])
    };
    let config = object(&[(
        "port",
        Value::List(vec![
            port(80, Value::Null, Value::Null),
            port(443, Value::string("udp"), Value::Null),
        ]),
    )]);
    let prior = object(&[(
        "port",
        Value::List(vec![port(80, Value::string("tcp"), Value::string("p-80"))]),
    )]);
    let proposed = object(&[(
        "port",
        Value::List(vec![
            port(80, Value::Null, Value::string("p-80")),
            port(443, Value::string("udp"), Value::Null),
        ]),
    )]);
    let request = PlanRequest {
        prior_state: Some(prior),
        proposed_new_state: proposed,
        config,
        prior_private: Vec::new(),
        client: Default::default(),
        stored_plan_private: None,
    };
    let planned = plan(&block, &request).planned_state;
    let ports = planned
        .attr("port")
        .and_then(Value::as_list)
        .expect("ports");
    assert_eq!(
        ports[0],
        port(80, Value::string("tcp"), Value::string("p-80"))
    );
    assert_eq!(ports[1], port(443, Value::string("udp"), Value::Unknown));
}

#[test]
fn unordered_compares_as_multisets() {
    let list = |items: &[&str]| Value::List(items.iter().map(|s| Value::string(*s)).collect());
    assert!(unordered(&list(&["a", "b", "a"]), &list(&["a", "a", "b"])));
    assert!(!unordered(&list(&["a", "b", "b"]), &list(&["a", "a", "b"])));
    assert!(!unordered(&list(&["a"]), &list(&["a", "a"])));
    assert!(!unordered(&Value::Null, &list(&[])));
}

#[test]
fn a_plan_made_again_at_apply_starts_from_the_first_plans_private_data() {
    let config = config("eu-1a", 10, Value::Null, &["a"]);
    let first = plan_of(None, config.clone());
    assert_eq!(first.planned_private, b"private".to_vec());
    let request = PlanRequest {
        proposed_new_state: proposed(None, &config),
        prior_state: None,
        config,
        prior_private: b"private".to_vec(),
        client: crate::resource::ClientCapabilities {
            store_planned_private: true,
            ..Default::default()
        },
        stored_plan_private: Some(b"from the first plan".to_vec()),
    };
    assert_eq!(
        plan(&disk(), &request).planned_private,
        b"from the first plan".to_vec()
    );
}
