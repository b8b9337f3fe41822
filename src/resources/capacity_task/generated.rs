//! The configuration Terraform generates for a task it found (`terraform query
//! -generate-config-out`, or `terraform plan -generate-config-out` for an import): the
//! framework keeps the state's arguments; this leaves out what no task's configuration
//! needs, so that the generated configuration plans no change over the imported state.

use tfplugin::value::Value;

/// Adjusts the framework's configuration from a state
/// ([`tfplugin::schema::Block::config_from_state`]):
///
/// - `dry_run_on_plan` and `timeouts` are settings of this provider, not of the task:
///   left out (null), as after an import.
/// - A task AWS reports with both an order and an asset (a rack task on one of the
///   rack's servers) keeps `asset_id`, which names what it changes more precisely, and
///   drops `order_id`: the schema allows one of them only. The other stays in state and
///   plans no change.
///
/// `outpost_identifier`, `task_action_on_blocking_instances`, the `instance_pool` blocks
/// and `instances_to_exclude` stay as the state has them.
pub(super) fn generate_config(config: Value) -> Value {
    let Value::Object(mut members) = config else {
        return config;
    };
    for setting in ["dry_run_on_plan", "timeouts"] {
        if let Some(value) = members.get_mut(setting) {
            *value = Value::Null;
        }
    }
    let set = |name: &str| members.get(name).is_some_and(|v| !v.is_null());
    if set("order_id")
        && set("asset_id")
        && let Some(order) = members.get_mut("order_id")
    {
        *order = Value::Null;
    }
    Value::Object(members)
}
