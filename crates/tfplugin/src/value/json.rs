//! JSON: Terraform's stored state, and the bridge to serde types.

use super::*;

/// Decodes Terraform's stored state JSON (e.g. `RawState.json`) against `ty`.
///
/// Attributes the type lacks are ignored, because the state may come from an older schema.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let root = AttributePath::root();
    let j: Json = serde_json::from_slice(bytes)
        .map_err(|e| ValueError::new(&root, format!("invalid JSON: {e}")))?;
    FromJson {
        state: true,
        path: root,
    }
    .value(&j, ty, 0)
}

/// Converts a serde-serialisable value into a [`Value`] of type `ty`.
///
/// Missing object attributes become null, extra ones are an error, and a `dynamic` position
/// takes its type from the data.
pub fn from_serde<T: serde::Serialize>(t: &T, ty: &Type) -> Result<Value, ValueError> {
    let root = AttributePath::root();
    let j = serde_json::to_value(t).map_err(|e| ValueError::new(&root, e.to_string()))?;
    FromJson {
        state: false,
        path: root,
    }
    .value(&j, ty, 0)
}

/// Converts a wholly known [`Value`] into a serde-deserialisable type.
pub fn to_serde<T: serde::de::DeserializeOwned>(v: &Value, ty: &Type) -> Result<T, ValueError> {
    let mut path = AttributePath::root();
    let j = value_to_json(v, ty, &mut path)?;
    serde_path_to_error::deserialize(j).map_err(|e| {
        let path = serde_path(e.path());
        ValueError::new(&path, e.into_inner().to_string())
    })
}

/// Decodes a wholly known [`Value`] (a configuration, plan or state as the framework
/// hands it over) into a serde struct; an error names the attribute path it concerns.
pub fn decode<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, ValueError> {
    to_serde(v, &DYNAMIC)
}

/// A serde path as an attribute path: fields become attributes, sequence positions
/// indexes.
fn serde_path(path: &serde_path_to_error::Path) -> AttributePath {
    use serde_path_to_error::Segment;
    let mut out = AttributePath::root();
    for segment in path.iter() {
        out = match segment {
            Segment::Seq { index } => out.index(*index as i64),
            Segment::Map { key } => out.attribute(key.clone()),
            Segment::Enum { variant } => out.attribute(variant.clone()),
            Segment::Unknown => out,
        };
    }
    out
}

struct FromJson {
    /// State JSON: extra attributes ignored, dynamic as `{"value", "type"}`; otherwise serde.
    state: bool,
    path: AttributePath,
}

fn json_number(n: &serde_json::Number) -> Option<Number> {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => Some(Number::Int(i)),
        (None, Some(u)) => Some(Number::Big(u.to_string())),
        _ => n.as_f64().and_then(Number::from_f64),
    }
}

/// The type serde data would have in a `dynamic` position.
fn infer_type(j: &Json) -> Type {
    match j {
        Json::Null => Type::Dynamic,
        Json::Bool(_) => Type::Bool,
        Json::Number(_) => Type::Number,
        Json::String(_) => Type::String,
        Json::Array(a) => Type::Tuple(a.iter().map(infer_type).collect()),
        Json::Object(o) => {
            Type::Object(o.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
    }
}

impl FromJson {
    fn fail<T>(&self, message: impl Into<String>) -> Result<T, ValueError> {
        Err(ValueError::new(&self.path, message))
    }

    fn elem(&mut self, step: PathStep, j: &Json, ty: &Type, d: usize) -> Result<Value, ValueError> {
        self.path.steps.push(step);
        let v = self.value(j, ty, d + 1)?;
        self.path.steps.pop();
        Ok(v)
    }

    fn value(&mut self, j: &Json, ty: &Type, depth: usize) -> Result<Value, ValueError> {
        if depth > MAX_DEPTH {
            return self.fail("value nesting too deep");
        }
        // Primitive conversions follow cty's JSON decoder, which is lenient between them.
        Ok(match (ty, j) {
            (_, Json::Null) => Value::Null,
            (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
            (Type::Bool, Json::String(s)) if s == "true" || s == "false" => {
                Value::Bool(s == "true")
            }
            (Type::Number, Json::Number(n)) => match json_number(n) {
                Some(n) => Value::Number(n),
                None => return self.fail("number is not finite"),
            },
            (Type::Number, Json::String(s)) => match Number::parse(s) {
                Some(n) => Value::Number(n),
                None => return self.fail("string is not a valid number"),
            },
            (Type::String, Json::String(s)) => Value::String(s.clone()),
            (Type::String, Json::Number(n)) => Value::String(n.to_string()),
            (Type::String, Json::Bool(b)) => Value::String(b.to_string()),
            (Type::List(_) | Type::Set(_) | Type::Tuple(_), Json::Array(a)) => {
                if let Type::Tuple(ts) = ty
                    && a.len() != ts.len()
                {
                    let (n, want) = (a.len(), ts.len());
                    return self.fail(format!("tuple has {n} elements, expected {want}"));
                }
                let mut items = Vec::with_capacity(a.len());
                for (i, item) in a.iter().enumerate() {
                    let step = PathStep::ElementKeyInt(i as i64);
                    items.push(self.elem(step, item, ty.element(i), depth)?);
                }
                ty.sequence(items)
            }
            (Type::Map(et), Json::Object(o)) => {
                let mut out = BTreeMap::new();
                for (k, item) in o {
                    let step = PathStep::ElementKeyString(k.clone());
                    out.insert(k.clone(), self.elem(step, item, et, depth)?);
                }
                Value::Map(out)
            }
            (Type::Object(attrs), Json::Object(o)) => {
                let mut out = BTreeMap::new();
                for (k, item) in o {
                    match attrs.get(k) {
                        Some(t) => {
                            let v = self.elem(PathStep::Attribute(k.clone()), item, t, depth)?;
                            out.insert(k.clone(), v);
                        }
                        None if self.state => {}
                        None => return self.fail(format!("unsupported attribute {k:?}")),
                    }
                }
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Value::Object(out)
            }
            (Type::Dynamic, _) if self.state => {
                let t = match j.get("type").map(Type::from_json) {
                    Some(Ok(t)) => t,
                    _ => return self.fail("dynamic value needs a valid \"type\""),
                };
                let v = self.value(j.get("value").unwrap_or(&Json::Null), &t, depth + 1)?;
                Value::Dynamic(t, Box::new(v))
            }
            (Type::Dynamic, _) => {
                let t = infer_type(j);
                let v = self.value(j, &t, depth + 1)?;
                Value::Dynamic(t, Box::new(v))
            }
            _ => return self.fail(format!("JSON value does not fit type {}", ty.to_json())),
        })
    }
}

fn number_to_json(n: &Number) -> Option<Json> {
    // Integral values become JSON integers so that they deserialise into integer fields.
    if let Some(i) = n.as_i64() {
        return Some(Json::from(i));
    } else if let Number::Big(s) = n
        && let Ok(u) = s.parse::<u64>()
    {
        return Some(Json::from(u));
    }
    n.as_f64()
        .and_then(serde_json::Number::from_f64)
        .map(Json::Number)
}

fn value_to_json(v: &Value, ty: &Type, path: &mut AttributePath) -> Result<Json, ValueError> {
    fn elem(
        step: PathStep,
        v: &Value,
        ty: &Type,
        path: &mut AttributePath,
    ) -> Result<Json, ValueError> {
        path.steps.push(step);
        let j = value_to_json(v, ty, path)?;
        path.steps.pop();
        Ok(j)
    }
    Ok(match v {
        Value::Unknown => return Err(ValueError::new(path, "value is unknown")),
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Number(n) => match number_to_json(n) {
            Some(j) => j,
            None => return Err(ValueError::new(path, format!("number {n} is out of range"))),
        },
        Value::List(vs) | Value::Set(vs) | Value::Tuple(vs) => {
            let mut out = Vec::with_capacity(vs.len());
            for (i, item) in vs.iter().enumerate() {
                out.push(elem(
                    PathStep::ElementKeyInt(i as i64),
                    item,
                    ty.element(i),
                    path,
                )?);
            }
            Json::Array(out)
        }
        Value::Map(m) | Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, item) in m {
                let (step, et) = match ty {
                    Type::Object(attrs) => (PathStep::Attribute(k.clone()), attrs.get(k)),
                    Type::Map(t) => (PathStep::ElementKeyString(k.clone()), Some(&**t)),
                    _ => (PathStep::Attribute(k.clone()), None),
                };
                out.insert(k.clone(), elem(step, item, et.unwrap_or(&DYNAMIC), path)?);
            }
            if let (Value::Object(_), Type::Object(attrs)) = (v, ty) {
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Json::Null);
                }
            }
            Json::Object(out)
        }
        Value::Dynamic(t, inner) => value_to_json(inner, t, path)?,
    })
}
