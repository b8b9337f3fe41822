//! Terraform "cty" values and their wire codecs for plugin protocol v6.
//!
//! A [`Value`] is known, null or unknown at every position, and is always read and written
//! against a [`Type`] from the schema, because the msgpack encoding is type-directed:
//!
//! - null is msgpack nil anywhere; unknown is any msgpack extension value on input (including
//!   Terraform's refined unknowns, ext type 12) and exactly `D4 00 00` on output;
//! - numbers are read as ints, floats or decimal strings, and written as decimal strings in
//!   the form Terraform's state file holds them ([`Number::state_text`]);
//! - objects are maps keyed by attribute name, and every attribute of the type is written;
//! - a known value in a `dynamic` position is a 2-array `[type JSON bytes, value]`.
//!
//! Input comes from the network, so decoding never panics, bounds nesting and allocation by
//! the input, rejects trailing bytes, and reports the [`AttributePath`] of every error.
//! [`decode_json`] reads Terraform's stored state JSON, and [`from_serde`] / [`to_serde`]
//! bridge values to ordinary Rust structs.

mod json;
mod msgpack;
mod number;
#[cfg(test)]
mod tests;

pub use json::{decode, decode_json, from_serde, to_serde};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::Number;

use std::collections::BTreeMap;
use std::fmt;

use rmp::Marker;
use serde_json::Value as Json;

use super::path::{AttributePath, PathStep};

/// Deepest nesting of values or types accepted from the wire; keeps recursion off the stack limit.
const MAX_DEPTH: usize = 128;
/// Largest decimal exponent accepted in a number string, well inside Go's big.Float range.
const MAX_EXPONENT: i64 = 100_000_000;

/// A codec or conversion error, with the path of the value it concerns.
#[derive(thiserror::Error, Debug)]
#[error("{message}{}", at_suffix(.path))]
pub struct ValueError {
    /// Where in the value the error happened; empty for the root.
    pub path: AttributePath,
    /// What went wrong.
    pub message: String,
}

fn at_suffix(path: &AttributePath) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at {path}")
    }
}

impl ValueError {
    /// An error at `path`.
    pub fn new(path: &AttributePath, message: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            message: message.into(),
        }
    }
}

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `number`: arbitrary-precision decimal.
    Number,
    /// `string`.
    String,
    /// `["list", T]`.
    List(Box<Type>),
    /// `["set", T]`.
    Set(Box<Type>),
    /// `["map", T]`: string keys.
    Map(Box<Type>),
    /// `["object", {name: T}]`.
    Object(BTreeMap<String, Type>),
    /// `["tuple", [T, ...]]`.
    Tuple(Vec<Type>),
    /// cty's DynamicPseudoType: the concrete type travels with the value.
    Dynamic,
}

impl Type {
    /// The cty JSON form of this type, e.g. `["list","string"]`.
    pub fn to_json(&self) -> Json {
        match self {
            Type::Bool => Json::from("bool"),
            Type::Number => Json::from("number"),
            Type::String => Json::from("string"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(t) => Json::from(vec![Json::from("list"), t.to_json()]),
            Type::Set(t) => Json::from(vec![Json::from("set"), t.to_json()]),
            Type::Map(t) => Json::from(vec![Json::from("map"), t.to_json()]),
            Type::Object(attrs) => {
                let attrs = attrs.iter().map(|(k, t)| (k.clone(), t.to_json()));
                Json::from(vec![Json::from("object"), Json::Object(attrs.collect())])
            }
            Type::Tuple(ts) => Json::from(vec![
                Json::from("tuple"),
                Json::from(ts.iter().map(Type::to_json).collect::<Vec<_>>()),
            ]),
        }
    }

    /// The type of element `i` of a collection or tuple of this type (dynamic if none).
    fn element(&self, i: usize) -> &Type {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => t,
            Type::Tuple(ts) => ts.get(i).unwrap_or(&DYNAMIC),
            _ => &DYNAMIC,
        }
    }

    /// The elements of an array as a value of this list, set or tuple type.
    fn sequence(&self, items: Vec<Value>) -> Value {
        match self {
            Type::Set(_) => Value::Set(items),
            Type::Tuple(_) => Value::Tuple(items),
            _ => Value::List(items),
        }
    }

    /// Parses the cty JSON form of a type; an object's optional-attribute list is ignored.
    pub fn from_json(v: &Json) -> Result<Type, ValueError> {
        type_from_json(v, 0)
    }
}

fn type_from_json(v: &Json, depth: usize) -> Result<Type, ValueError> {
    let root = AttributePath::root();
    if depth > MAX_DEPTH {
        return Err(ValueError::new(&root, "type nesting too deep"));
    }
    let sub = |t: &Json| type_from_json(t, depth + 1);
    let boxed = |t: &Json| sub(t).map(Box::new);
    match v {
        Json::String(s) => match s.as_str() {
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            "dynamic" => Ok(Type::Dynamic),
            _ => Err(ValueError::new(&root, format!("unknown type {s:?}"))),
        },
        Json::Array(a) => match a.as_slice() {
            [Json::String(k), t] if k == "list" => Ok(Type::List(boxed(t)?)),
            [Json::String(k), t] if k == "set" => Ok(Type::Set(boxed(t)?)),
            [Json::String(k), t] if k == "map" => Ok(Type::Map(boxed(t)?)),
            [Json::String(k), Json::Object(attrs)]
            | [Json::String(k), Json::Object(attrs), Json::Array(_)]
                if k == "object" =>
            {
                let attrs = attrs.iter().map(|(n, t)| Ok((n.clone(), sub(t)?)));
                Ok(Type::Object(attrs.collect::<Result<_, ValueError>>()?))
            }
            [Json::String(k), Json::Array(ts)] if k == "tuple" => {
                Ok(Type::Tuple(ts.iter().map(sub).collect::<Result<_, _>>()?))
            }
            _ => Err(ValueError::new(&root, "invalid type specification")),
        },
        _ => Err(ValueError::new(&root, "invalid type specification")),
    }
}

/// A cty value: unknown, null, or known of the shape its [`Type`] says.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Not known until apply.
    Unknown,
    /// Null.
    Null,
    /// A known bool.
    Bool(bool),
    /// A known number.
    Number(Number),
    /// A known string.
    String(String),
    /// A known list.
    List(Vec<Value>),
    /// A known set, its elements in the order received.
    Set(Vec<Value>),
    /// A known map.
    Map(BTreeMap<String, Value>),
    /// A known object; decoding fills attributes the input lacks with `Null`.
    Object(BTreeMap<String, Value>),
    /// A known tuple.
    Tuple(Vec<Value>),
    /// A value in a `dynamic` schema position with its concrete type. The inner value may be a
    /// typed null or unknown, which Terraform sends as `[type, nil]` / `[type, ext]`.
    Dynamic(Type, Box<Value>),
}

static DYNAMIC: Type = Type::Dynamic;

impl Value {
    /// This value with any `Dynamic` wrappers removed.
    pub fn inner(&self) -> &Value {
        match self {
            Value::Dynamic(_, v) => v.inner(),
            v => v,
        }
    }

    /// Whether the value is null (looking through `Dynamic`).
    pub fn is_null(&self) -> bool {
        matches!(self.inner(), Value::Null)
    }

    /// Whether the value is wholly unknown (looking through `Dynamic`).
    pub fn is_unknown(&self) -> bool {
        matches!(self.inner(), Value::Unknown)
    }

    /// Whether the value itself is known (it may still contain unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Whether no unknown appears anywhere in the value.
    pub fn is_fully_known(&self) -> bool {
        match self.inner() {
            Value::Unknown => false,
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
                vs.iter().all(Value::is_fully_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_fully_known),
            _ => true,
        }
    }

    /// The part of this value at `path`; `None` where the path leads nowhere (a
    /// missing attribute, key or index, or a step into a null or unknown value).
    pub fn at(&self, path: &AttributePath) -> Option<&Value> {
        path.steps
            .iter()
            .try_fold(self, |value, step| match (step, value.inner()) {
                (PathStep::Attribute(name), Value::Object(m)) => m.get(name),
                (PathStep::ElementKeyString(key), Value::Map(m)) => m.get(key),
                (
                    PathStep::ElementKeyInt(index),
                    Value::List(items) | Value::Set(items) | Value::Tuple(items),
                ) => usize::try_from(*index).ok().and_then(|i| items.get(i)),
                _ => None,
            })
    }

    /// An object attribute.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self.inner() {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self.inner() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.inner() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as i64, if this is a known integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.inner() {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The elements of a known list, set or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.inner() {
            Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => Some(vs),
            _ => None,
        }
    }

    /// The entries of a known map or object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.inner() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// A known string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A known integer.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// A null of the given type (nulls are untyped here; the type is for readability).
    pub fn null_of(_ty: &Type) -> Value {
        Value::Null
    }

    /// The paths of every unknown in the value; set elements are addressed by index.
    pub fn unknown_paths(&self) -> Vec<AttributePath> {
        fn walk(v: &Value, path: &mut AttributePath, out: &mut Vec<AttributePath>) {
            let mut step = |step, v: &Value, out: &mut Vec<AttributePath>| {
                path.steps.push(step);
                walk(v, path, out);
                path.steps.pop();
            };
            match v.inner() {
                Value::Unknown => out.push(path.clone()),
                Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
                    for (i, v) in vs.iter().enumerate() {
                        step(PathStep::ElementKeyInt(i as i64), v, out);
                    }
                }
                Value::Map(m) => m
                    .iter()
                    .for_each(|(k, v)| step(PathStep::ElementKeyString(k.clone()), v, out)),
                Value::Object(m) => m
                    .iter()
                    .for_each(|(k, v)| step(PathStep::Attribute(k.clone()), v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut AttributePath::root(), &mut out);
        out
    }
}
