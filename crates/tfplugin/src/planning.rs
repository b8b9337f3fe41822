//! The planning the schema drives.
//!
//! For every create or update, before a resource's own
//! [`modify_plan`](crate::resource::Resource::modify_plan) sees it, the framework plans
//! from the schema, in this order:
//!
//! 1. **Defaults**: an attribute with a [default](crate::schema::Attribute::default_value)
//!    that the configuration leaves null is planned as the default.
//! 2. **Equivalence**: where an attribute or block declares an
//!    [equivalence](crate::schema::Attribute::equivalence) and the configured value means
//!    the same as the stored one (an ARN and its ID, a list in another order), the stored
//!    value is planned, so no change shows.
//! 3. **Unknown computed values**: when the object is created, or when anything in it
//!    changes, a computed attribute the configuration leaves null (and with no default)
//!    is planned unknown ("known after apply"), as Terraform expects. Otherwise it keeps
//!    its stored value.
//! 4. **Plan modifiers**, attribute by attribute in the order they were declared:
//!    [`use_state_for_unknown`](crate::plan_modifiers::use_state_for_unknown) keeps a stored value instead of "known after apply";
//!    [`requires_replace`](crate::plan_modifiers::requires_replace) and
//!    [`requires_replace_if`](crate::plan_modifiers::requires_replace_if) make a change force a new object.
//!
//! Elements of set-nested blocks and attributes have no stored counterpart to compare
//! with (a set has no positions), so only steps 1 and 3 reach into them.

use crate::diag::Diagnostics;
use crate::path::AttributePath;
use crate::plan_modifiers::{Equivalence, ModifyRequest, ModifyResponse, SharedPlanModifier};
use crate::resource::{PlanRequest, PlanResponse};
use crate::schema::{Attribute, Block, Nesting, ObjectNesting};
use crate::value::Value;

/// The plan the schema makes for a create or an update (see the module docs): what the
/// server hands to [`Resource::modify_plan`](crate::resource::Resource::modify_plan), and
/// what a provider's tests can call to plan as Terraform would have it planned.
pub fn plan(block: &Block, request: &PlanRequest) -> PlanResponse {
    let prior = request.prior_state.as_ref();
    let mut planned = request.proposed_new_state.clone();
    prepare_block(block, &request.config, prior, &mut planned);
    let mut walk = Walk {
        changed: prior.is_none_or(|p| *p != planned),
        prior_object: prior,
        config_object: &request.config,
        requires_replace: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    walk.block(
        block,
        &AttributePath::root(),
        &request.config,
        prior,
        &mut planned,
    );
    PlanResponse {
        planned_state: planned,
        requires_replace: walk.requires_replace,
        // Planned again at apply by a client that stores planned private data, the
        // change starts from what its first plan passed on, so apply gets it even when
        // the resource's hook does not look at private data.
        planned_private: request
            .stored_plan_private
            .clone()
            .filter(|_| request.client.store_planned_private)
            .unwrap_or_else(|| request.prior_private.clone()),
        diagnostics: walk.diagnostics,
    }
}

fn member_mut<'v>(object: &'v mut Value, name: &str) -> Option<&'v mut Value> {
    match object {
        Value::Object(members) => members.get_mut(name),
        _ => None,
    }
}

/// The member `name` of an object with its path and its configured and stored
/// counterparts; `None` where the planned object has no such member.
fn member<'v>(
    name: &str,
    path: &AttributePath,
    config: &'v Value,
    prior: Option<&'v Value>,
    planned: &'v mut Value,
) -> Option<(AttributePath, &'v Value, Option<&'v Value>, &'v mut Value)> {
    let slot = member_mut(planned, name)?;
    let config = config.attr(name).unwrap_or(&Value::Null);
    let prior = prior.and_then(|p| p.attr(name));
    Some((path.attribute(name), config, prior, slot))
}

/// The elements of a planned collection with their configured and stored counterparts:
/// by index in a list, by key in a map, the value itself for a single object. Set
/// elements have no counterparts.
fn pair_elements<'v>(
    single: bool,
    config: &'v Value,
    prior: Option<&'v Value>,
    planned: &'v mut Value,
    path: &AttributePath,
) -> Vec<(AttributePath, &'v Value, Option<&'v Value>, &'v mut Value)> {
    static NULL: Value = Value::Null;
    if single {
        return vec![(path.clone(), config, prior, planned)];
    }
    match planned {
        Value::List(items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, item)| {
                let config = config.as_list().and_then(|c| c.get(i)).unwrap_or(&NULL);
                let prior = prior.and_then(Value::as_list).and_then(|p| p.get(i));
                (path.index(i as i64), config, prior, item)
            })
            .collect(),
        Value::Map(items) => items
            .iter_mut()
            .map(|(key, item)| {
                let config = config.as_map().and_then(|c| c.get(key)).unwrap_or(&NULL);
                let prior = prior.and_then(Value::as_map).and_then(|p| p.get(key));
                (path.key(key), config, prior, item)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Steps 1 and 2: defaults and equivalence.
fn prepare_block(block: &Block, config: &Value, prior: Option<&Value>, planned: &mut Value) {
    prepare_attributes(&block.attributes, config, prior, planned);
    let root = AttributePath::root();
    for nested in &block.blocks {
        let Some((_, config, prior, slot)) =
            member(&nested.type_name, &root, config, prior, planned)
        else {
            continue;
        };
        if let (Some(equivalent), Some(stored)) = (&nested.equivalence, prior)
            && equivalent_known(equivalent, stored, slot)
        {
            *slot = stored.clone();
            continue;
        }
        if nested.nesting == Nesting::Set {
            continue;
        }
        let single = matches!(nested.nesting, Nesting::Single | Nesting::Group);
        for (_, config, prior, item) in pair_elements(single, config, prior, slot, &root) {
            prepare_block(&nested.block, config, prior, item);
        }
    }
}

fn equivalent_known(equivalent: &Equivalence, stored: &Value, planned: &Value) -> bool {
    *stored != *planned
        && !stored.is_null()
        && stored.is_fully_known()
        && !planned.is_null()
        && planned.is_fully_known()
        && equivalent(stored, planned)
}

fn prepare_attributes(
    attributes: &[Attribute],
    config: &Value,
    prior: Option<&Value>,
    planned: &mut Value,
) {
    let root = AttributePath::root();
    for attribute in attributes {
        let Some((_, config, prior, slot)) = member(&attribute.name, &root, config, prior, planned)
        else {
            continue;
        };
        if config.is_null()
            && let Some(default) = &attribute.default
        {
            *slot = default.clone();
        }
        if let (Some(equivalent), Some(stored)) = (&attribute.equivalence, prior)
            && equivalent_known(equivalent, stored, slot)
        {
            *slot = stored.clone();
            continue;
        }
        if let Some(nested) = &attribute.nested
            && nested.nesting != ObjectNesting::Set
        {
            let single = nested.nesting == ObjectNesting::Single;
            for (_, config, prior, item) in pair_elements(single, config, prior, slot, &root) {
                prepare_attributes(&nested.attributes, config, prior, item);
            }
        }
    }
}

/// Steps 3 and 4: unknown computed values, then the plan modifiers.
struct Walk<'a> {
    changed: bool,
    prior_object: Option<&'a Value>,
    config_object: &'a Value,
    requires_replace: Vec<AttributePath>,
    diagnostics: Diagnostics,
}

impl Walk<'_> {
    fn block(
        &mut self,
        block: &Block,
        path: &AttributePath,
        config: &Value,
        prior: Option<&Value>,
        planned: &mut Value,
    ) {
        self.attributes(&block.attributes, path, config, prior, planned);
        for nested in &block.blocks {
            let Some((at, config, prior, slot)) =
                member(&nested.type_name, path, config, prior, planned)
            else {
                continue;
            };
            self.modifiers(&nested.plan_modifiers, &at, config, prior, slot);
            let single = matches!(nested.nesting, Nesting::Single | Nesting::Group);
            if nested.nesting == Nesting::Set {
                if let Value::Set(items) = slot {
                    for item in items {
                        self.block(&nested.block, &at, &Value::Null, None, item);
                    }
                }
                continue;
            }
            for (at, config, prior, item) in pair_elements(single, config, prior, slot, &at) {
                self.block(&nested.block, &at, config, prior, item);
            }
        }
    }

    fn attributes(
        &mut self,
        attributes: &[Attribute],
        path: &AttributePath,
        config: &Value,
        prior: Option<&Value>,
        planned: &mut Value,
    ) {
        if !matches!(planned, Value::Object(_)) {
            return;
        }
        for attribute in attributes {
            let Some((at, config, prior, slot)) =
                member(&attribute.name, path, config, prior, planned)
            else {
                continue;
            };
            if attribute.computed && attribute.default.is_none() && config.is_null() && self.changed
            {
                *slot = Value::Unknown;
            }
            self.modifiers(&attribute.plan_modifiers, &at, config, prior, slot);
            let Some(nested) = &attribute.nested else {
                continue;
            };
            if nested.nesting == ObjectNesting::Set {
                continue;
            }
            let single = nested.nesting == ObjectNesting::Single;
            for (at, config, prior, item) in pair_elements(single, config, prior, slot, &at) {
                self.attributes(&nested.attributes, &at, config, prior, item);
            }
        }
    }

    fn modifiers(
        &mut self,
        modifiers: &[SharedPlanModifier],
        path: &AttributePath,
        config: &Value,
        prior: Option<&Value>,
        slot: &mut Value,
    ) {
        if modifiers.is_empty() {
            return;
        }
        let request = ModifyRequest {
            path,
            config,
            // A stored object, but no stored counterpart of a new list element or map
            // entry: that element is being created.
            state: self.prior_object.and(prior),
            prior_object: self.prior_object,
            config_object: self.config_object,
        };
        let mut response = ModifyResponse {
            planned: std::mem::replace(slot, Value::Null),
            requires_replace: false,
            diagnostics: Diagnostics::new(),
        };
        for modifier in modifiers {
            modifier.modify(&request, &mut response);
        }
        *slot = response.planned;
        if response.requires_replace {
            self.requires_replace.push(path.clone());
        }
        self.diagnostics.extend(response.diagnostics);
    }
}

#[cfg(test)]
mod tests;
