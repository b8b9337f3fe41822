//! Validators: checks an attribute or nested block declares once, that the framework
//! runs on every configuration Terraform validates, each reporting on the attribute
//! path it concerns.
//!
//! A validator is anything implementing [`Validator`]; the functions here build the
//! common ones. Value validators (length, pattern, range, size, ...) pass null and
//! unknown values: requiredness is the schema's business, and Terraform validates again
//! once an unknown value is known. Cross-attribute validators ([`conflicts_with`],
//! [`also_requires`], [`exactly_one_of`], [`at_least_one_of`]) name the other attributes
//! of the same block.
//!
//! ```
//! use tfplugin::schema::Attribute;
//! use tfplugin::validators::{conflicts_with, length_between, one_of};
//!
//! let size = Attribute::string("size")
//!     .optional()
//!     .description("How big.")
//!     .validator(one_of(["small", "large"]))
//!     .validator(conflicts_with(["bytes"]));
//! let name = Attribute::string("name").required().validator(length_between(1, 64));
//! # let _ = (size, name);
//! ```

use crate::diag::{Diagnostic, Diagnostics};
use crate::path::{AttributePath, PathStep};
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a validator is given: the value and where it is.
pub struct Check<'a> {
    /// The value's path from the root of the configuration.
    pub path: &'a AttributePath,
    /// The value; it may be null or unknown.
    pub value: &'a Value,
    /// The object the value is a member of: the block it is an attribute of (for a
    /// block's own validators, the block itself).
    pub parent: &'a Value,
}

impl Check<'_> {
    /// The value, when it is known and not null: what value validators look at.
    pub fn known(&self) -> Option<&Value> {
        (!self.value.is_null() && self.value.is_known()).then_some(self.value)
    }

    /// An error on this value's path, its summary naming the attribute.
    pub fn error(&self, detail: impl Into<String>) -> Diagnostic {
        Diagnostic::error(format!("Invalid {}", name_of(self.path)), detail).at(self.path.clone())
    }
}

/// A check of one configuration value. Implement it for checks of your own; they
/// compose with the built-in ones.
pub trait Validator: Send + Sync + 'static {
    /// What the validator requires, in Markdown, for docs and debugging.
    fn description(&self) -> String;

    /// Checks the value, adding any problem to `out`.
    fn validate(&self, check: &Check<'_>, out: &mut Diagnostics);
}

/// How attributes and blocks hold their validators.
pub type SharedValidator = Arc<dyn Validator>;

/// The name a path ends in, as messages give it: `count` for `instance_pool[0].count`,
/// `services entry` for `services[2]`.
pub fn name_of(path: &AttributePath) -> String {
    let mut entry = false;
    for step in path.steps.iter().rev() {
        match step {
            PathStep::Attribute(name) if entry => return format!("{name} entry"),
            PathStep::Attribute(name) => return name.clone(),
            _ => entry = true,
        }
    }
    "value".to_string()
}

/// A value shown in a message: strings quoted, numbers as written.
pub fn show(value: &Value) -> String {
    match value.inner() {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Unknown => "(known after apply)".to_string(),
        other => format!("{other:?}"),
    }
}

/// A validator made of a description and a function; what the built-ins are.
struct FnValidator<F> {
    description: String,
    check: F,
}

impl<F> Validator for FnValidator<F>
where
    F: Fn(&Check<'_>, &mut Diagnostics) + Send + Sync + 'static,
{
    fn description(&self) -> String {
        self.description.clone()
    }

    fn validate(&self, check: &Check<'_>, out: &mut Diagnostics) {
        (self.check)(check, out)
    }
}

/// A validator from a description and a check function, for one-off rules.
pub fn from_fn(
    description: impl Into<String>,
    check: impl Fn(&Check<'_>, &mut Diagnostics) + Send + Sync + 'static,
) -> SharedValidator {
    Arc::new(FnValidator {
        description: description.into(),
        check,
    })
}

/// `validator`, with `why` added to the detail of everything it reports: the provider's
/// words on top of a generic rule, e.g. what each of two conflicting arguments is for.
pub fn explained(validator: SharedValidator, why: impl Into<String>) -> SharedValidator {
    let why = why.into();
    reworded(validator, move |d| d.detail = format!("{} {why}", d.detail))
}

/// `validator`, with its errors summarised as `summary`: the provider's name for a
/// generic rule, e.g. "Invalid instance count" for a range on `count`.
pub fn titled(validator: SharedValidator, summary: impl Into<String>) -> SharedValidator {
    let summary = summary.into();
    reworded(validator, move |d| d.summary = summary.clone())
}

/// `validator`, with `reword` applied to everything it reports.
fn reworded(
    validator: SharedValidator,
    reword: impl Fn(&mut Diagnostic) + Send + Sync + 'static,
) -> SharedValidator {
    from_fn(validator.description(), move |check, out| {
        let mut found = Diagnostics::new();
        validator.validate(check, &mut found);
        for mut diagnostic in found.0 {
            reword(&mut diagnostic);
            out.push(diagnostic);
        }
    })
}

/// A string for which `valid` holds; `expected` completes "... is not {expected}.",
/// e.g. `an instance ID such as "i-0123456789abcdef0"`.
pub fn string_is(valid: fn(&str) -> bool, expected: impl Into<String>) -> SharedValidator {
    let expected = expected.into();
    from_fn(format!("Must be {expected}."), move |check, out| {
        if let Some(s) = check.known().and_then(Value::as_str)
            && !valid(s)
        {
            out.push(check.error(format!("{s:?} is not {expected}.")));
        }
    })
}

/// A string of `min` to `max` characters.
pub fn length_between(min: usize, max: usize) -> SharedValidator {
    from_fn(
        format!("Between {min} and {max} characters long."),
        move |check, out| {
            if let Some(s) = check.known().and_then(Value::as_str) {
                let length = s.chars().count();
                if !(min..=max).contains(&length) {
                    out.push(check.error(format!(
                        "{s:?} is {length} characters long; it must be {min} to {max}."
                    )));
                }
            }
        },
    )
}

/// A string of at least `min` characters.
pub fn length_at_least(min: usize) -> SharedValidator {
    length_between(min, usize::MAX)
}

/// A string matching `pattern` (a regular expression, anchored by the caller where it
/// must match whole); `expected` says in words what it means.
///
/// # Panics
/// When `pattern` is not a valid regular expression: a schema is written by the
/// provider's author, and a broken pattern is a bug to find at the first test.
pub fn matches(pattern: &str, expected: impl Into<String>) -> SharedValidator {
    let regex = match regex::Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => panic!("validators::matches: {pattern:?} is not a regular expression: {e}"),
    };
    let expected = expected.into();
    from_fn(
        format!("Must be {expected} (matching `{pattern}`)."),
        move |check, out| {
            if let Some(s) = check.known().and_then(Value::as_str)
                && !regex.is_match(s)
            {
                out.push(check.error(format!("{s:?} is not {expected}.")));
            }
        },
    )
}

/// Lists values as messages give them: `A, B or C`.
pub fn listing<S: AsRef<str>>(values: &[S], quote: &str) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("{quote}{}{quote}", v.as_ref()))
        .collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// One of the `allowed` strings, compared exactly.
pub fn one_of<S: Into<String>>(allowed: impl IntoIterator<Item = S>) -> SharedValidator {
    let allowed: Vec<String> = allowed.into_iter().map(Into::into).collect();
    let listed = allowed.join(", ");
    let documented: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
    from_fn(
        format!("One of {}.", documented.join(", ")),
        move |check, out| {
            if let Some(s) = check.known().and_then(Value::as_str)
                && !allowed.iter().any(|a| a == s)
            {
                out.push(check.error(format!("{s:?} is not one of {listed}.")));
            }
        },
    )
}

/// A whole number from `min` to `max`.
pub fn int_between(min: i64, max: i64) -> SharedValidator {
    from_fn(
        format!("A whole number from {min} to {max}."),
        move |check, out| {
            if let Some(value) = check.known() {
                match value.as_i64() {
                    Some(n) if (min..=max).contains(&n) => {}
                    _ => out.push(check.error(format!(
                        "{} must be a whole number from {min} to {max}, got {}.",
                        name_of(check.path),
                        show(value)
                    ))),
                }
            }
        },
    )
}

/// A number from `min` to `max`, fractions allowed.
pub fn number_between(min: f64, max: f64) -> SharedValidator {
    from_fn(
        format!("A number from {min} to {max}."),
        move |check, out| {
            if let Some(value) = check.known() {
                let n = match value.inner() {
                    Value::Number(n) => n.as_f64(),
                    _ => None,
                };
                if !n.is_some_and(|n| (min..=max).contains(&n)) {
                    out.push(check.error(format!(
                        "{} must be from {min} to {max}, got {}.",
                        name_of(check.path),
                        show(value)
                    )));
                }
            }
        },
    )
}

fn size_of(value: &Value) -> Option<usize> {
    match value.inner() {
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v.len()),
        Value::Map(m) => Some(m.len()),
        _ => None,
    }
}

/// A list, set or map of `min` to `max` elements.
pub fn size_between(min: usize, max: usize) -> SharedValidator {
    let wanted = if max == usize::MAX {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    };
    from_fn(format!("Holds {wanted} elements."), move |check, out| {
        if let Some(size) = check.known().and_then(size_of)
            && !(min..=max).contains(&size)
        {
            out.push(check.error(format!(
                "{} must have {wanted} elements, got {size}.",
                name_of(check.path)
            )));
        }
    })
}

/// A list, set or map of at least `min` elements.
pub fn size_at_least(min: usize) -> SharedValidator {
    size_between(min, usize::MAX)
}

/// A list whose known elements are all different.
pub fn unique() -> SharedValidator {
    from_fn("Its elements are all different.", |check, out| {
        let Some(items) = check.known().and_then(Value::as_list) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if item.is_fully_known()
                && let Some(first) = items[..i].iter().position(|earlier| earlier == item)
            {
                out.push(
                    Diagnostic::error(
                        format!("Duplicate {} entry", name_of(check.path)),
                        format!("{} already appears at index {first}.", show(item)),
                    )
                    .at(check.path.index(i as i64)),
                );
            }
        }
    })
}

/// A list of blocks (or objects) in which no two give `member` the same known value;
/// the error is on the later one's member, and `hint` says what to do instead.
pub fn unique_by(member: &'static str, hint: impl Into<String>) -> SharedValidator {
    let hint = hint.into();
    from_fn(
        format!("Each `{member}` appears once."),
        move |check, out| {
            let Some(items) = check.known().and_then(Value::as_list) else {
                return;
            };
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            let list = name_of(check.path);
            for (i, item) in items.iter().enumerate() {
                let Some(value) = item
                    .attr(member)
                    .filter(|v| v.is_fully_known() && !v.is_null())
                else {
                    continue;
                };
                if let Some(first) = seen.insert(show(value), i) {
                    out.push(
                        Diagnostic::error(
                            format!("Duplicate {member}"),
                            format!("{} already appears in {list}[{first}]. {hint}", show(value)),
                        )
                        .at(check.path.index(i as i64).attribute(member)),
                    );
                }
            }
        },
    )
}

/// Applies `element` to every element of a list, set or map, at the element's path
/// (a set element has none of its own, so the set's). A null element is an error.
pub fn each(element: SharedValidator) -> SharedValidator {
    from_fn(
        format!("Each element: {}", element.description()),
        move |check, out| {
            let Some(value) = check.known() else { return };
            let mut visit = |path: AttributePath, item: &Value| {
                if item.is_null() {
                    out.push(
                        Diagnostic::error(
                            format!("Invalid {}", name_of(&path)),
                            "Entries must not be null.",
                        )
                        .at(path),
                    );
                    return;
                }
                element.validate(
                    &Check {
                        path: &path,
                        value: item,
                        parent: check.value,
                    },
                    out,
                );
            };
            match value.inner() {
                Value::List(items) | Value::Tuple(items) => {
                    for (i, item) in items.iter().enumerate() {
                        visit(check.path.index(i as i64), item);
                    }
                }
                Value::Set(items) => {
                    for item in items {
                        visit(check.path.clone(), item);
                    }
                }
                Value::Map(items) => {
                    for (key, item) in items {
                        visit(check.path.key(key), item);
                    }
                }
                _ => {}
            }
        },
    )
}

/// Whether the sibling `name` is set: not null. Unknown counts as set, since it will be
/// a value.
fn sibling_set(parent: &Value, name: &str) -> Option<bool> {
    let member = parent.attr(name).unwrap_or(&Value::Null);
    if member.is_unknown() {
        return None;
    }
    Some(!member.is_null())
}

fn sibling_path(path: &AttributePath, name: &str) -> AttributePath {
    let mut steps = path.steps.clone();
    steps.pop();
    AttributePath { steps }.attribute(name)
}

fn names<S: Into<String>>(others: impl IntoIterator<Item = S>) -> Vec<String> {
    others.into_iter().map(Into::into).collect()
}

/// A rule over the `others` (attributes of the same block) that applies while this
/// attribute is set: each other whose being set is `offending` is reported with
/// `problem(this, other)`, at this attribute.
fn while_set(
    description: String,
    others: Vec<String>,
    offending: bool,
    problem: fn(&str, &str) -> Diagnostic,
) -> SharedValidator {
    from_fn(description, move |check, out| {
        if check.value.is_null() {
            return;
        }
        let me = name_of(check.path);
        for other in &others {
            if sibling_set(check.parent, other) == Some(offending) {
                out.push(problem(&me, other).at(check.path.clone()));
            }
        }
    })
}

/// When this attribute is set, none of the `others` (attributes of the same block)
/// may be.
pub fn conflicts_with<S: Into<String>>(others: impl IntoIterator<Item = S>) -> SharedValidator {
    let others = names(others);
    let description = format!("Conflicts with {}.", listing(&others, "`"));
    while_set(description, others, true, |me, other| {
        Diagnostic::error(
            "Conflicting arguments",
            format!("Set {other} or {me}, not both."),
        )
    })
}

/// When this attribute is set, every one of the `others` must be set too.
pub fn also_requires<S: Into<String>>(others: impl IntoIterator<Item = S>) -> SharedValidator {
    let others = names(others);
    let description = format!("Requires {} too.", listing(&others, "`"));
    while_set(description, others, false, |me, other| {
        Diagnostic::error(
            "Missing required argument",
            format!("{me} is set, so {other} must be set too."),
        )
    })
}

/// How many of this attribute and the `others` are set; `None` while any is unknown.
fn count_set(check: &Check<'_>, others: &[String]) -> Option<(usize, String)> {
    let me = name_of(check.path);
    let mut all = vec![me.clone()];
    all.extend(others.iter().cloned());
    let mut set = 0;
    for name in &all {
        let is_set = if *name == me {
            (!check.value.is_unknown()).then(|| !check.value.is_null())?
        } else {
            sibling_set(check.parent, name)?
        };
        set += usize::from(is_set);
    }
    Some((set, listing(&all, "")))
}

/// Exactly one of this attribute and the `others` must be set. Declare it on one of
/// them; the error is on that one.
pub fn exactly_one_of<S: Into<String>>(others: impl IntoIterator<Item = S>) -> SharedValidator {
    let others = names(others);
    from_fn(
        format!("Exactly one of this and {} is set.", listing(&others, "`")),
        move |check, out| match count_set(check, &others) {
            Some((0, all)) => out.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!("Exactly one of {all} must be set; none is."),
                )
                .at(check.path.clone()),
            ),
            Some((n, all)) if n > 1 => out.push(
                Diagnostic::error(
                    "Conflicting arguments",
                    format!("Exactly one of {all} must be set; {n} are."),
                )
                .at(sibling_path(check.path, &name_of(check.path))),
            ),
            _ => {}
        },
    )
}

/// At least one of this attribute and the `others` must be set.
pub fn at_least_one_of<S: Into<String>>(others: impl IntoIterator<Item = S>) -> SharedValidator {
    let others = names(others);
    from_fn(
        format!("At least one of this and {} is set.", listing(&others, "`")),
        move |check, out| {
            if let Some((0, all)) = count_set(check, &others) {
                out.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!("At least one of {all} must be set; none is."),
                    )
                    .at(check.path.clone()),
                );
            }
        },
    )
}

#[cfg(test)]
mod tests;
