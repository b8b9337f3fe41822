//! Plan modifiers: rules an attribute or nested block declares that shape its planned
//! value. [`planning`](crate::planning) says when they run, after defaults, equivalence
//! and unknown computed values.
//!
//! ```
//! use tfplugin::plan_modifiers::{requires_replace, requires_replace_if, use_state_for_unknown};
//! use tfplugin::schema::Attribute;
//! use tfplugin::value::Value;
//!
//! let zone = Attribute::string("zone").required().plan_modifier(requires_replace());
//! // A smaller disk is a new disk; a larger one grows in place.
//! let size = Attribute::number("size").required().plan_modifier(requires_replace_if(
//!     "Shrinking it replaces the disk.",
//!     |request, planned| match (request.state.and_then(Value::as_i64), planned.as_i64()) {
//!         (Some(before), Some(after)) => after < before,
//!         _ => false,
//!     },
//! ));
//! let id = Attribute::string("id").computed().plan_modifier(use_state_for_unknown());
//! # let _ = (zone, size, id);
//! ```

use crate::diag::Diagnostics;
use crate::path::AttributePath;
use crate::value::Value;
use std::sync::Arc;

/// Whether a configured value means the same as a stored one: `(stored, configured)`.
pub type Equivalence = Arc<dyn Fn(&Value, &Value) -> bool + Send + Sync>;

/// What a plan modifier is given.
pub struct ModifyRequest<'a> {
    /// Where the value is.
    pub path: &'a AttributePath,
    /// Its configured value (null when not written, unknown until apply knows it).
    pub config: &'a Value,
    /// Its stored value; `None` when the object is being created.
    pub state: Option<&'a Value>,
    /// The whole stored object; `None` when it is being created.
    pub prior_object: Option<&'a Value>,
    /// The whole configuration.
    pub config_object: &'a Value,
}

/// What a plan modifier may change.
pub struct ModifyResponse {
    /// The planned value so far; a modifier may replace it.
    pub planned: Value,
    /// Set to force a new object.
    pub requires_replace: bool,
    /// Warnings and errors for the plan.
    pub diagnostics: Diagnostics,
}

/// A rule that shapes an attribute's or block's planned value.
pub trait PlanModifier: Send + Sync + 'static {
    /// What the rule does, in Markdown.
    fn description(&self) -> String;

    /// Adjusts the planned value.
    fn modify(&self, request: &ModifyRequest<'_>, response: &mut ModifyResponse);
}

/// How attributes and blocks hold their plan modifiers.
pub type SharedPlanModifier = Arc<dyn PlanModifier>;

struct FnModifier<F> {
    description: String,
    modify: F,
}

impl<F> PlanModifier for FnModifier<F>
where
    F: Fn(&ModifyRequest<'_>, &mut ModifyResponse) + Send + Sync + 'static,
{
    fn description(&self) -> String {
        self.description.clone()
    }

    fn modify(&self, request: &ModifyRequest<'_>, response: &mut ModifyResponse) {
        (self.modify)(request, response)
    }
}

/// A plan modifier from a description and a function, for one-off rules.
pub fn from_fn(
    description: impl Into<String>,
    modify: impl Fn(&ModifyRequest<'_>, &mut ModifyResponse) + Send + Sync + 'static,
) -> SharedPlanModifier {
    Arc::new(FnModifier {
        description: description.into(),
        modify,
    })
}

/// A change of the value replaces the object instead of updating it.
pub fn requires_replace() -> SharedPlanModifier {
    from_fn("Changing it replaces the object.", |request, response| {
        if request
            .state
            .is_some_and(|stored| *stored != response.planned)
        {
            response.requires_replace = true;
        }
    })
}

/// A change of the value replaces the object when `predicate(request, planned)` holds;
/// `description` says when, for the docs.
pub fn requires_replace_if(
    description: impl Into<String>,
    predicate: impl Fn(&ModifyRequest<'_>, &Value) -> bool + Send + Sync + 'static,
) -> SharedPlanModifier {
    from_fn(description, move |request, response| {
        if request
            .state
            .is_some_and(|stored| *stored != response.planned)
            && predicate(request, &response.planned)
        {
            response.requires_replace = true;
        }
    })
}

/// A computed value that does not change once set: an update plans the stored value
/// instead of "known after apply".
pub fn use_state_for_unknown() -> SharedPlanModifier {
    from_fn("Keeps its value on update.", |request, response| {
        if let Some(stored) = request.state
            && response.planned.is_unknown()
            && !request.config.is_unknown()
        {
            response.planned = stored.clone();
        }
    })
}

/// An [`Equivalence`] for lists whose order does not matter: the same elements, as
/// many times each, in any order.
pub fn unordered(stored: &Value, configured: &Value) -> bool {
    let (Some(a), Some(b)) = (stored.as_list(), configured.as_list()) else {
        return false;
    };
    if a.len() != b.len() {
        return false;
    }
    let mut unmatched: Vec<&Value> = b.iter().collect();
    a.iter().all(|item| {
        unmatched
            .iter()
            .position(|other| *other == item)
            .map(|at| unmatched.swap_remove(at))
            .is_some()
    })
}
