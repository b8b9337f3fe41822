//! Terraform "cty" values and their wire codecs for plugin protocol v6.
//!
//! A [`Value`] is known, null or unknown at every position, and is always read and written
//! against a [`Type`] from the schema, because the msgpack encoding is type-directed:
//!
//! - null is msgpack nil anywhere; unknown is any msgpack extension value on input (including
//!   Terraform's refined unknowns, ext type 12) and exactly `D4 00 00` on output;
//! - numbers are ints, finite floats, or decimal strings for values neither can hold exactly;
//! - objects are maps keyed by attribute name, and every attribute of the type is written;
//! - a known value in a `dynamic` position is a 2-array `[type JSON bytes, value]`.
//!
//! Input comes from the network, so decoding never panics, bounds nesting and allocation by
//! the input, rejects trailing bytes, and reports the [`AttributePath`] of every error.
//! [`decode_json`] reads Terraform's stored state JSON, and [`from_serde`] / [`to_serde`]
//! bridge values to ordinary Rust structs.

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

/// A cty number. Equality is numeric: `Int(1) == Float(1.0) == Big("1e0")`.
#[derive(Debug, Clone)]
pub enum Number {
    /// An integer that fits i64.
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A decimal string for a value neither i64 nor f64 holds exactly.
    Big(String),
}

impl Number {
    /// Parses a decimal number string; integers that fit i64 become `Int`, others stay `Big`.
    pub fn parse(s: &str) -> Option<Number> {
        let d = Decimal::parse(s)?;
        Some(
            d.to_i64()
                .map_or_else(|| Number::Big(s.to_owned()), Number::Int),
        )
    }

    /// A number from a float: `None` unless finite; integral values that fit i64 become `Int`.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        Some(f64_to_i64(f).map_or(Number::Float(f), Number::Int))
    }

    /// The value as i64 if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) => f64_to_i64(*f),
            Number::Big(s) => Decimal::parse(s)?.to_i64(),
        }
    }

    /// The value as the nearest f64, if finite.
    pub fn as_f64(&self) -> Option<f64> {
        let f = match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().ok()?,
        };
        f.is_finite().then_some(f)
    }

    fn decimal(&self) -> Option<Decimal> {
        match self {
            Number::Int(i) => Decimal::parse(&i.to_string()),
            // `{:e}` prints the shortest digits that round-trip, so 0.1 compares equal to "0.1".
            Number::Float(f) if f.is_finite() => Decimal::parse(&format!("{f:e}")),
            Number::Float(_) => None,
            Number::Big(s) => Decimal::parse(s),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            _ => matches!((self.decimal(), other.decimal()), (Some(a), Some(b)) if a == b),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

fn f64_to_i64(f: f64) -> Option<i64> {
    // 2^63 is exact in f64; anything below it and at or above -2^63 converts losslessly.
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f);
    (in_range && f.fract() == 0.0).then_some(f as i64)
}

/// A normalised decimal: `±digits × 10^exp`, digits without leading or trailing zeros.
#[derive(Debug, PartialEq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Accepts what Go's big.ParseFloat accepts in base 10, minus inf/nan.
    fn parse(s: &str) -> Option<Decimal> {
        fn sign(b: &[u8]) -> (bool, &[u8]) {
            match b {
                [b'-', r @ ..] => (true, r),
                [b'+', r @ ..] => (false, r),
                r => (false, r),
            }
        }
        fn digits(b: &[u8]) -> (&[u8], &[u8]) {
            b.split_at(b.iter().take_while(|c| c.is_ascii_digit()).count())
        }
        let (negative, rest) = sign(s.as_bytes());
        let (int, rest) = digits(rest);
        let (frac, rest) = match rest {
            [b'.', r @ ..] => digits(r),
            r => (&[][..], r),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let exp = match rest {
            [] => 0,
            [b'e' | b'E', r @ ..] => {
                let (eneg, r) = sign(r);
                if r.is_empty() || !r.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let mut e: i64 = 0;
                for c in r {
                    e = e * 10 + i64::from(c - b'0');
                    if e > MAX_EXPONENT {
                        return None;
                    }
                }
                if eneg { -e } else { e }
            }
            _ => return None,
        };
        let mut exp = exp.checked_sub(i64::try_from(frac.len()).ok()?)?;
        let all = int.iter().chain(frac).map(|c| c - b'0');
        let mut digits: Vec<u8> = all.skip_while(|&d| d == 0).collect();
        while digits.last() == Some(&0) {
            digits.pop();
            exp += 1;
        }
        // Zero has one form, whatever its sign or exponent.
        let (negative, exp) = if digits.is_empty() {
            (false, 0)
        } else {
            (negative, exp)
        };
        Some(Decimal {
            negative,
            digits,
            exp,
        })
    }

    fn to_i64(&self) -> Option<i64> {
        let exp = usize::try_from(self.exp).ok()?;
        if self.digits.len().checked_add(exp)? > 19 {
            return None;
        }
        let mut v = self
            .digits
            .iter()
            .fold(0i128, |v, &d| v * 10 + i128::from(d));
        for _ in 0..exp {
            v *= 10;
        }
        i64::try_from(if self.negative { -v } else { v }).ok()
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

// ---------------------------------------------------------------------------------------------
// msgpack decoding

/// Decodes a msgpack `DynamicValue` against `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut r = Reader {
        buf: bytes,
        pos: 0,
        path: AttributePath::root(),
    };
    let v = r.value(ty, 0)?;
    if r.pos != bytes.len() {
        let extra = bytes.len().saturating_sub(r.pos);
        return r.fail(format!("{extra} trailing bytes after msgpack value"));
    }
    Ok(v)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    path: AttributePath,
}

fn describe(m: Marker) -> &'static str {
    use Marker::*;
    match m {
        Null => "nil",
        True | False => "bool",
        FixPos(_) | FixNeg(_) | U8 | U16 | U32 | U64 | I8 | I16 | I32 | I64 => "integer",
        F32 | F64 => "float",
        FixStr(_) | Str8 | Str16 | Str32 => "string",
        Bin8 | Bin16 | Bin32 => "binary",
        FixArray(_) | Array16 | Array32 => "array",
        FixMap(_) | Map16 | Map32 => "map",
        FixExt1 | FixExt2 | FixExt4 | FixExt8 | FixExt16 | Ext8 | Ext16 | Ext32 => "extension",
        Reserved => "reserved byte 0xc1",
    }
}

impl<'a> Reader<'a> {
    fn fail<T>(&self, message: impl Into<String>) -> Result<T, ValueError> {
        Err(ValueError::new(&self.path, message))
    }

    fn mismatch<T>(&self, expected: &str, m: Marker) -> Result<T, ValueError> {
        self.fail(format!(
            "expected {expected}, found msgpack {}",
            describe(m)
        ))
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.buf.get(self.pos..end)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => self.fail("unexpected end of msgpack data"),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ValueError> {
        let s = self.bytes(N)?;
        s.try_into()
            .or_else(|_| self.fail("unexpected end of msgpack data"))
    }

    fn u8(&mut self) -> Result<u8, ValueError> {
        let [b] = self.array()?;
        Ok(b)
    }

    fn u16(&mut self) -> Result<u16, ValueError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, ValueError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn marker(&mut self) -> Result<Marker, ValueError> {
        Ok(Marker::from_u8(self.u8()?))
    }

    /// The payload of a str or bin, or `None` if `m` is neither.
    fn raw_str(&mut self, m: Marker) -> Result<Option<&'a [u8]>, ValueError> {
        let n = match m {
            Marker::FixStr(n) => u32::from(n),
            Marker::Str8 | Marker::Bin8 => u32::from(self.u8()?),
            Marker::Str16 | Marker::Bin16 => u32::from(self.u16()?),
            Marker::Str32 | Marker::Bin32 => self.u32()?,
            _ => return Ok(None),
        };
        self.bytes(n as usize).map(Some)
    }

    fn text(&mut self, m: Marker) -> Result<Option<&'a str>, ValueError> {
        match self.raw_str(m)? {
            Some(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(Some(s)),
                Err(_) => self.fail("string is not valid UTF-8"),
            },
            None => Ok(None),
        }
    }

    /// The length of the array (or, with `map`, the map) that `m` begins.
    fn len(&mut self, m: Marker, map: bool, what: &str) -> Result<usize, ValueError> {
        match (m, map) {
            (Marker::FixArray(n), false) | (Marker::FixMap(n), true) => Ok(n.into()),
            (Marker::Array16, false) | (Marker::Map16, true) => Ok(self.u16()?.into()),
            (Marker::Array32, false) | (Marker::Map32, true) => Ok(self.u32()? as usize),
            _ => self.mismatch(what, m),
        }
    }

    /// Skips the extension value that `m` begins, if it does begin one.
    fn skip_ext(&mut self, m: Marker) -> Result<bool, ValueError> {
        let len = match m {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => usize::from(self.u8()?),
            Marker::Ext16 => usize::from(self.u16()?),
            Marker::Ext32 => self.u32()? as usize,
            _ => return Ok(false),
        };
        self.u8()?; // extension type: every type means "unknown", refined (12) or not
        self.bytes(len)?;
        Ok(true)
    }

    fn elem(&mut self, step: PathStep, ty: &Type, depth: usize) -> Result<Value, ValueError> {
        self.path.steps.push(step);
        let v = self.value(ty, depth + 1)?;
        self.path.steps.pop();
        Ok(v)
    }

    fn key(&mut self) -> Result<String, ValueError> {
        let m = self.marker()?;
        match self.text(m)? {
            Some(s) => Ok(s.to_owned()),
            None => self.mismatch("string map key", m),
        }
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, ValueError> {
        if depth > MAX_DEPTH {
            return self.fail("value nesting too deep");
        }
        let m = self.marker()?;
        if m == Marker::Null {
            return Ok(Value::Null);
        } else if self.skip_ext(m)? {
            return Ok(Value::Unknown);
        }
        match ty {
            Type::Bool => match m {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                _ => self.mismatch("bool", m),
            },
            Type::Number => self.number(m).map(Value::Number),
            Type::String => match self.text(m)? {
                Some(s) => Ok(Value::String(s.to_owned())),
                None => self.mismatch("string", m),
            },
            Type::List(_) | Type::Set(_) | Type::Tuple(_) => {
                let n = self.len(m, false, "array")?;
                if let Type::Tuple(ts) = ty
                    && n != ts.len()
                {
                    return self.fail(format!("tuple has {n} elements, expected {}", ts.len()));
                }
                // Each element takes at least one byte, so the input bounds the allocation.
                let mut items = Vec::with_capacity(n.min(self.buf.len().saturating_sub(self.pos)));
                for i in 0..n {
                    items.push(self.elem(
                        PathStep::ElementKeyInt(i as i64),
                        ty.element(i),
                        depth,
                    )?);
                }
                Ok(ty.sequence(items))
            }
            Type::Map(et) => {
                let n = self.len(m, true, "map")?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    let v = self.elem(PathStep::ElementKeyString(k.clone()), et, depth)?;
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let n = self.len(m, true, "map for object")?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    let Some(at) = attrs.get(&k) else {
                        return self.fail(format!("unsupported attribute {k:?}"));
                    };
                    let v = self.elem(PathStep::Attribute(k.clone()), at, depth)?;
                    out.insert(k, v);
                }
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                if self.len(m, false, "[type, value] array for dynamic value")? != 2 {
                    return self.fail("dynamic value must be a [type, value] array");
                }
                let tm = self.marker()?;
                let Some(json) = self.raw_str(tm)? else {
                    return self.mismatch("type JSON for dynamic value", tm);
                };
                let t = serde_json::from_slice(json)
                    .map_err(|e| e.to_string())
                    .and_then(|j| Type::from_json(&j).map_err(|e| e.message))
                    .or_else(|e| self.fail(format!("invalid dynamic value type: {e}")))?;
                let v = self.value(&t, depth + 1)?;
                Ok(Value::Dynamic(t, Box::new(v)))
            }
        }
    }

    fn number(&mut self, m: Marker) -> Result<Number, ValueError> {
        let float = |f: f64, r: &Self| match Number::from_f64(f) {
            Some(n) => Ok(n),
            None => r.fail("number is not finite"),
        };
        Ok(match m {
            Marker::FixPos(n) => Number::Int(n.into()),
            Marker::FixNeg(n) => Number::Int(n.into()),
            Marker::U8 => Number::Int(self.u8()?.into()),
            Marker::U16 => Number::Int(self.u16()?.into()),
            Marker::U32 => Number::Int(self.u32()?.into()),
            Marker::U64 => {
                let u = u64::from_be_bytes(self.array()?);
                i64::try_from(u).map_or_else(|_| Number::Big(u.to_string()), Number::Int)
            }
            Marker::I8 => Number::Int(i8::from_be_bytes(self.array()?).into()),
            Marker::I16 => Number::Int(i16::from_be_bytes(self.array()?).into()),
            Marker::I32 => Number::Int(i32::from_be_bytes(self.array()?).into()),
            Marker::I64 => Number::Int(i64::from_be_bytes(self.array()?)),
            Marker::F32 => float(f32::from_be_bytes(self.array()?).into(), self)?,
            Marker::F64 => float(f64::from_be_bytes(self.array()?), self)?,
            _ => match self.text(m)? {
                Some(s) => match Number::parse(s) {
                    Some(n) => n,
                    None => return self.fail("string is not a valid number"),
                },
                None => return self.mismatch("number", m),
            },
        })
    }
}

// ---------------------------------------------------------------------------------------------
// msgpack encoding

/// Encodes `value` as a msgpack `DynamicValue` of type `ty`.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut w = Writer {
        out: Vec::new(),
        path: AttributePath::root(),
    };
    w.value(value, ty)?;
    Ok(w.out)
}

struct Writer {
    out: Vec<u8>,
    path: AttributePath,
}

impl Writer {
    fn fail<T>(&self, message: impl Into<String>) -> Result<T, ValueError> {
        Err(ValueError::new(&self.path, message))
    }

    /// Writing into a Vec cannot fail, but rmp's signatures say it may.
    fn write<T, E: fmt::Display>(
        &mut self,
        f: impl FnOnce(&mut Vec<u8>) -> Result<T, E>,
    ) -> Result<(), ValueError> {
        let r = f(&mut self.out);
        r.map(drop).or_else(|e| self.fail(e.to_string()))
    }

    fn len(&self, n: usize) -> Result<u32, ValueError> {
        u32::try_from(n).or_else(|_| self.fail("collection too large for msgpack"))
    }

    fn elem(&mut self, step: PathStep, v: &Value, ty: &Type) -> Result<(), ValueError> {
        self.path.steps.push(step);
        self.value(v, ty)?;
        self.path.steps.pop();
        Ok(())
    }

    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), ValueError> {
        use rmp::encode as e;
        match (v, ty) {
            (Value::Unknown, _) => self.out.extend_from_slice(&[0xd4, 0, 0]),
            (Value::Null, _) => self.write(e::write_nil)?,
            (Value::Dynamic(t, inner), Type::Dynamic) => {
                self.write(|o| e::write_array_len(o, 2))?;
                let json = t.to_json().to_string();
                self.write(|o| e::write_bin(o, json.as_bytes()))?;
                self.value(inner, t)?;
            }
            (_, Type::Dynamic) => return self.fail("a dynamic position needs Value::Dynamic"),
            (Value::Bool(b), Type::Bool) => self.write(|o| e::write_bool(o, *b))?,
            (Value::Number(n), Type::Number) => self.number(n)?,
            (Value::String(s), Type::String) => self.write(|o| e::write_str(o, s))?,
            (Value::List(items), Type::List(_))
            | (Value::Set(items), Type::Set(_))
            | (Value::Tuple(items), Type::Tuple(_)) => {
                if let Type::Tuple(ts) = ty
                    && items.len() != ts.len()
                {
                    let (n, want) = (items.len(), ts.len());
                    return self.fail(format!("tuple has {n} elements, expected {want}"));
                }
                let n = self.len(items.len())?;
                self.write(|o| e::write_array_len(o, n))?;
                for (i, item) in items.iter().enumerate() {
                    self.elem(PathStep::ElementKeyInt(i as i64), item, ty.element(i))?;
                }
            }
            (Value::Map(m), Type::Map(et)) => {
                let n = self.len(m.len())?;
                self.write(|o| e::write_map_len(o, n))?;
                for (k, item) in m {
                    self.write(|o| e::write_str(o, k))?;
                    self.elem(PathStep::ElementKeyString(k.clone()), item, et)?;
                }
            }
            (Value::Object(m), Type::Object(attrs)) => {
                if let Some(k) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    return self.fail(format!("unsupported attribute {k:?}"));
                }
                // Terraform rejects an object map that lacks any attribute of the type.
                let n = self.len(attrs.len())?;
                self.write(|o| e::write_map_len(o, n))?;
                for (name, t) in attrs {
                    self.write(|o| e::write_str(o, name))?;
                    match m.get(name) {
                        Some(item) => self.elem(PathStep::Attribute(name.clone()), item, t)?,
                        None => self.write(e::write_nil)?,
                    }
                }
            }
            _ => return self.fail(format!("value does not fit type {}", ty.to_json())),
        }
        Ok(())
    }

    fn number(&mut self, n: &Number) -> Result<(), ValueError> {
        use rmp::encode as e;
        match n {
            Number::Int(i) => self.write(|o| e::write_sint(o, *i)),
            Number::Float(f) if !f.is_finite() => self.fail("number is not finite"),
            Number::Float(f) => match f64_to_i64(*f) {
                Some(i) => self.write(|o| e::write_sint(o, i)),
                None => self.write(|o| e::write_f64(o, *f)),
            },
            // A decimal string is exact for Terraform, where a float would round.
            Number::Big(s) => match Decimal::parse(s).map(|d| d.to_i64()) {
                Some(Some(i)) => self.write(|o| e::write_sint(o, i)),
                Some(None) => self.write(|o| e::write_str(o, s)),
                None => self.fail(format!("{s:?} is not a valid number")),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON: stored state and the serde bridge

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
    serde_json::from_value(j).map_err(|e| ValueError::new(&path, e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    fn m<T: Clone>(kv: &[(&str, T)]) -> BTreeMap<String, T> {
        kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }
    fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn enc(v: &Value, ty: &Type) -> Vec<u8> {
        encode_msgpack(v, ty).unwrap()
    }
    fn dec(b: &[u8], ty: &Type) -> Result<Value, ValueError> {
        decode_msgpack(b, ty)
    }
    fn err_path(r: Result<Value, ValueError>) -> String {
        r.unwrap_err().path.to_string()
    }
    fn all_types() -> Vec<Type> {
        let (str_, num) = (Type::String, Type::Number);
        vec![
            Type::Bool,
            list(str_.clone()),
            Type::Set(Box::new(num.clone())),
            Type::Map(Box::new(Type::Bool)),
            Type::Object(m(&[("a", str_.clone())])),
            Type::Tuple(vec![str_.clone(), num.clone()]),
            Type::Dynamic,
            str_,
            num,
        ]
    }

    #[test]
    fn unknown_and_null_in_every_position() {
        for ty in all_types() {
            assert_eq!(dec(&[0xd4, 0, 0], &ty).unwrap(), Value::Unknown);
            assert_eq!(enc(&Value::Unknown, &ty), [0xd4, 0, 0]);
            assert_eq!(dec(&[0xc0], &ty).unwrap(), Value::Null);
            let (nested, bytes) = (list(ty.clone()), [0x92, 0xd4, 0, 0, 0xc0]);
            let v = dec(&bytes, &nested).unwrap();
            assert_eq!(v, Value::List(vec![Value::Unknown, Value::Null]));
            assert_eq!(enc(&v, &nested), bytes);
        }
    }

    #[test]
    fn refined_and_other_extensions_are_unknown() {
        let exts: [&[u8]; 9] = [
            &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], // ext8 type 12: {1: false}, "not null"
            &[0xc7, 0x06, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa1, 0x61], // + prefix "a"
            &[0xd5, 0x05, 1, 2],
            &[0xd6, 0x00, 1, 2, 3, 4],
            &[0xd7, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0xd8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0xc7, 0x00, 0x00],
            &[0xc8, 0x00, 0x02, 0x0c, 0x80, 0xc0],
            &[0xc9, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00],
        ];
        for ty in all_types() {
            for ext in exts {
                assert_eq!(dec(ext, &ty).unwrap(), Value::Unknown, "{ext:x?}");
                assert!(dec(&ext[..ext.len() - 1], &ty).is_err());
            }
        }
    }

    #[test]
    fn numbers() {
        let num = |n| Value::Number(n);
        let n = |b: &[u8]| dec(b, &Type::Number);
        let e = |x| enc(&num(x), &Type::Number);
        let big = num(Number::Big(u64::MAX.to_string()));
        assert_eq!(
            n(&[[0xcf].as_slice(), &u64::MAX.to_be_bytes()].concat()).unwrap(),
            big
        );
        assert_eq!(n(&enc(&big, &Type::Number)).unwrap(), big);
        let digits = "123456789012345678901234567890";
        let s30 = [&[0xbe], digits.as_bytes()].concat();
        let v = n(&s30).unwrap();
        assert!(matches!(&v, Value::Number(Number::Big(s)) if s == digits));
        assert_eq!(enc(&v, &Type::Number), s30);
        assert_eq!(
            e(Number::Float(0.5)),
            [[0xcb].as_slice(), &0.5f64.to_be_bytes()].concat()
        );
        assert_eq!(e(Number::Float(1.0)), [0x01]);
        assert_eq!(e(Number::Float(-3.0)), [0xfd]);
        assert_eq!(e(Number::Int(-200)), [0xd1, 0xff, 0x38]);
        assert_eq!(
            n(&[0xca, 0x3f, 0xc0, 0, 0]).unwrap(),
            num(Number::Float(1.5))
        );
        assert_eq!(n(&[0xd0, 0x80]).unwrap(), Value::int(-128));
        assert_eq!(n(&[0xcd, 0x01, 0x00]).unwrap(), Value::int(256));
        assert!(n(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]).is_err()); // NaN
        assert!(n(&[0xca, 0x7f, 0x80, 0, 0]).is_err()); // +Inf as float32
        assert!(n(&[0xc3]).is_err());
        assert!(encode_msgpack(&num(Number::Float(f64::NAN)), &Type::Number).is_err());
        for ok in ["0.1", "-1.5e400", "1e5", "+7", ".5", "5.", "1E-3"] {
            assert!(n(&enc(&s(ok), &Type::String)).is_ok(), "{ok}");
        }
        assert_eq!(n(&[0xa3, b'1', b'e', b'5']).unwrap(), Value::int(100_000));
        let bad = [
            "abc",
            "",
            "1e",
            "--1",
            ".",
            "1.2.3",
            "NaN",
            "inf",
            "1e99999999999",
            " 1",
        ];
        for b in bad {
            assert!(n(&enc(&s(b), &Type::String)).is_err(), "{b}");
            assert!(encode_msgpack(&num(Number::Big(b.into())), &Type::Number).is_err());
        }
    }

    #[test]
    fn number_equality_is_numeric() {
        use Number::*;
        assert_eq!(Int(1), Float(1.0));
        assert_eq!(Big("1.0e0".into()), Int(1));
        assert_eq!(Big("0.10".into()), Float(0.1));
        assert_eq!(Big("-0".into()), Float(-0.0));
        assert_ne!(Int(1), Int(2));
        assert_ne!(Big("1e400".into()), Big("1e401".into()));
        assert_ne!(Float(f64::NAN), Float(f64::NAN));
    }

    #[test]
    fn objects_write_every_attribute() {
        let ty = Type::Object(m(&[("a", Type::String), ("b", Type::Number)]));
        let bytes = enc(&Value::Object(m(&[("a", s("x"))])), &ty);
        assert_eq!(bytes, [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]);
        let back = dec(&bytes, &ty).unwrap();
        assert_eq!(back, Value::Object(m(&[("a", s("x")), ("b", Value::Null)])));
        // A map lacking an attribute decodes it as null; an extra key is an error.
        assert_eq!(dec(&[0x81, 0xa1, b'a', 0xa1, b'x'], &ty).unwrap(), back);
        let e = dec(&[0x81, 0xa1, b'z', 0xc0], &ty).unwrap_err();
        assert!(e.message.contains("\"z\""), "{e}");
        assert!(encode_msgpack(&Value::Object(m(&[("z", Value::Null)])), &ty).is_err());
    }

    #[test]
    fn nested_block_shapes() {
        let pool = Type::Object(m(&[("count", Type::Number), ("name", Type::String)]));
        let ty = Type::Object(m(&[
            ("pools", list(pool.clone())),
            ("cfg", Type::Object(m(&[("x", Type::Bool)]))),
            ("tags", Type::Set(Box::new(pool))),
            ("labels", Type::Map(Box::new(Type::String))),
            ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
        ]));
        let p = Value::Object(m(&[("count", Value::int(2)), ("name", s("a"))]));
        let v = Value::Object(m(&[
            ("pools", Value::List(vec![])),
            ("cfg", Value::Null),
            ("tags", Value::Set(vec![Value::Null, p])),
            ("labels", Value::Map(m(&[("Name", s("n"))]))),
            ("pair", Value::Tuple(vec![s("s"), Value::Bool(true)])),
        ]));
        let bytes = enc(&v, &ty);
        assert_eq!(dec(&bytes, &ty).unwrap(), v);
        let short = Value::Object(m(&[("pair", Value::Tuple(vec![]))]));
        assert_eq!(
            encode_msgpack(&short, &ty).unwrap_err().path.to_string(),
            "pair"
        );
        // Every prefix of a valid encoding is truncated input, and so an error.
        for end in 0..bytes.len() {
            assert!(dec(&bytes[..end], &ty).is_err());
        }
        let trailing = [bytes.as_slice(), &[0xc0]].concat();
        assert!(
            dec(&trailing, &ty)
                .unwrap_err()
                .message
                .contains("trailing")
        );
    }

    #[test]
    fn dynamic_values() {
        let v = Value::Dynamic(list(Type::String), Box::new(Value::List(vec![s("a")])));
        let bytes = enc(&v, &Type::Dynamic);
        let json = br#"["list","string"]"#;
        assert_eq!(
            bytes[..3 + json.len()],
            [&[0x92, 0xc4, json.len() as u8], &json[..]].concat()
        );
        assert_eq!(dec(&bytes, &Type::Dynamic).unwrap(), v);
        // The type may also arrive as a msgpack str.
        let text = [&[0x92, 0xa8], &br#""string""#[..], &[0xa1, b'x']].concat();
        let want = Value::Dynamic(Type::String, Box::new(s("x")));
        assert_eq!(dec(&text, &Type::Dynamic).unwrap(), want);
        for typed in [Value::Unknown, Value::Null] {
            let v = Value::Dynamic(Type::Number, Box::new(typed.clone()));
            assert_eq!(dec(&enc(&v, &Type::Dynamic), &Type::Dynamic).unwrap(), v);
            assert_eq!(
                dec(&enc(&typed, &Type::Dynamic), &Type::Dynamic).unwrap(),
                typed
            );
        }
        assert!(Value::Dynamic(Type::Number, Box::new(Value::Null)).is_null());
        assert!(encode_msgpack(&s("x"), &Type::Dynamic).is_err());
        assert!(dec(&[0x92, 0xa3, b'"', b'x', b'"', 0xc0], &Type::Dynamic).is_err());
        assert!(dec(&[0x91, 0xc0], &Type::Dynamic).is_err());
        // Dynamic inside dynamic nests without bound in the input: refused, not a stack overflow.
        let level = [&[0x92, 0xa9], &br#""dynamic""#[..]].concat();
        let deep = [level.repeat(100_000), vec![0xc0]].concat();
        assert!(
            dec(&deep, &Type::Dynamic)
                .unwrap_err()
                .message
                .contains("deep")
        );
    }

    #[test]
    fn errors_carry_paths() {
        let pools = |t: Type| Type::Object(m(&[("pools", list(Type::Object(m(&[("count", t)]))))]));
        let p = Value::Object(m(&[("count", Value::Bool(true))]));
        let bytes = enc(
            &Value::Object(m(&[("pools", Value::List(vec![Value::Null, p]))])),
            &pools(Type::Bool),
        );
        let e = dec(&bytes, &pools(Type::Number)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected number, found msgpack bool at pools[1].count"
        );
        let map = Type::Map(Box::new(Type::String));
        assert_eq!(
            err_path(dec(&[0x81, 0xa4, b'N', b'a', b'm', b'e', 0x01], &map)),
            "[\"Name\"]"
        );
        assert_eq!(err_path(dec(&[0xc3, 0x00], &Type::Bool)), "");
        assert_eq!(
            err_path(dec(&[0x91, 0xa2, 0xff, 0xfe], &list(Type::String))),
            "[0]"
        );
        assert_eq!(dec(&[0xc4, 2, b'h', b'i'], &Type::String).unwrap(), s("hi"));
        assert!(dec(&[0xc1], &Type::String).is_err());
        let path = AttributePath::attr("instance_pool")
            .index(0)
            .attribute("count");
        assert_eq!(path.to_string(), "instance_pool[0].count");
        assert_eq!(
            AttributePath::attr("tags").key("Name").to_string(),
            "tags[\"Name\"]"
        );
        assert_eq!(AttributePath::root().to_string(), "");
        assert_eq!(
            ValueError::new(&AttributePath::root(), "boom").to_string(),
            "boom"
        );
    }

    #[test]
    fn type_json() {
        let ty = Type::Object(m(&[
            ("a", list(Type::Dynamic)),
            ("t", Type::Tuple(vec![Type::Bool])),
        ]));
        let j = ty.to_json();
        let text = r#"["object",{"a":["list","dynamic"],"t":["tuple",["bool"]]}]"#;
        assert_eq!(j.to_string(), text);
        assert_eq!(Type::from_json(&j).unwrap(), ty);
        let opt = serde_json::json!(["object", {"a": "string"}, ["a"]]);
        assert_eq!(
            Type::from_json(&opt).unwrap(),
            Type::Object(m(&[("a", Type::String)]))
        );
        for bad in [
            r#""float""#,
            r#"["list"]"#,
            r#"["map","string",1]"#,
            "3",
            r#"["tuple",{}]"#,
        ] {
            let j: Json = serde_json::from_str(bad).unwrap();
            assert!(Type::from_json(&j).is_err(), "{bad}");
        }
    }

    #[test]
    fn state_json() {
        let ty = Type::Object(m(&[
            ("a", Type::String),
            ("n", Type::Number),
            ("gone", Type::Bool),
            ("d", Type::Dynamic),
            ("l", list(Type::Number)),
            ("m", Type::Map(Box::new(Type::String))),
        ]));
        let json = br#"{"a":"x","old_attr":1,"n":"12","l":[1,2.5,18446744073709551615],
            "d":{"value":["p",1],"type":["tuple",["string","number"]]},"m":{"k":"v"}}"#;
        let v = decode_json(json, &ty).unwrap();
        let tuple = Type::Tuple(vec![Type::String, Type::Number]);
        let d = Value::Dynamic(tuple, Box::new(Value::Tuple(vec![s("p"), Value::int(1)])));
        let big = Value::Number(Number::Big(u64::MAX.to_string()));
        let nums = Value::List(vec![Value::int(1), Value::Number(Number::Float(2.5)), big]);
        let want = [
            ("a", s("x")),
            ("n", Value::int(12)),
            ("gone", Value::Null),
            ("d", d),
        ];
        let want = [
            &want[..],
            &[("l", nums), ("m", Value::Map(m(&[("k", s("v"))])))],
        ]
        .concat();
        assert_eq!(v, Value::Object(m(&want)));
        assert!(v.is_fully_known());
        assert_eq!(decode_json(b"null", &ty).unwrap(), Value::Null);
        assert_eq!(err_path(decode_json(br#"{"l":[1,"x"]}"#, &ty)), "l[1]");
        assert!(decode_json(br#"{"d":"bare"}"#, &ty).is_err());
        assert!(decode_json(b"{", &ty).is_err());
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Pool {
        name: String,
        count: i64,
        note: Option<String>,
        weight: Option<f64>,
        parts: Vec<Part>,
        extra: Option<Part>,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Part {
        id: String,
        size: Option<i64>,
    }

    #[test]
    fn serde_bridge() {
        let part = Type::Object(m(&[("id", Type::String), ("size", Type::Number)]));
        let ty = Type::Object(m(&[
            ("name", Type::String),
            ("count", Type::Number),
            ("note", Type::String),
            ("weight", Type::Number),
            ("parts", list(part.clone())),
            ("extra", part),
            ("meta", Type::Dynamic),
        ]));
        let part = |id: &str, size| Part {
            id: id.into(),
            size,
        };
        let parts = vec![part("a", Some(4)), part("b", None)];
        let (name, note, weight, extra) = ("p".into(), None, Some(0.25), None);
        let pool = Pool {
            name,
            count: -3,
            note,
            weight,
            parts,
            extra,
        };
        let v = from_serde(&pool, &ty).unwrap();
        assert_eq!(v.attr("count").and_then(Value::as_i64), Some(-3));
        assert!(v.attr("note").unwrap().is_null() && v.attr("meta").unwrap().is_null());
        assert_eq!(
            v.attr("parts").and_then(Value::as_list).map(<[_]>::len),
            Some(2)
        );
        assert_eq!(to_serde::<Pool>(&v, &ty).unwrap(), pool);
        assert_eq!(
            to_serde::<Pool>(&dec(&enc(&v, &ty), &ty).unwrap(), &ty).unwrap(),
            pool
        );
        let dynamic = from_serde(&serde_json::json!({"k": [1, "x"]}), &Type::Dynamic).unwrap();
        let want_ty = Type::Object(m(&[("k", Type::Tuple(vec![Type::Number, Type::String]))]));
        assert!(matches!(&dynamic, Value::Dynamic(t, _) if *t == want_ty));
        assert_eq!(
            dec(&enc(&dynamic, &Type::Dynamic), &Type::Dynamic).unwrap(),
            dynamic
        );
        assert!(from_serde(&serde_json::json!({"bogus": 1}), &ty).is_err());

        let Value::Object(mut attrs) = v else {
            panic!("not an object")
        };
        let unknown_id = Value::Object(m(&[("id", Value::Unknown), ("size", Value::Null)]));
        attrs.insert("parts".into(), Value::List(vec![unknown_id]));
        let v = Value::Object(attrs);
        assert!(!v.is_fully_known() && v.is_known());
        let path = AttributePath::attr("parts").index(0).attribute("id");
        assert_eq!(v.unknown_paths(), vec![path]);
        let e = to_serde::<Pool>(&v, &ty).unwrap_err();
        assert_eq!(e.to_string(), "value is unknown at parts[0].id");
    }

    fn arb_type() -> impl Strategy<Value = Type> {
        let leaf = prop_oneof![
            Just(Type::Bool),
            Just(Type::Number),
            Just(Type::String),
            Just(Type::Dynamic)
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|t| Type::List(Box::new(t))),
                inner.clone().prop_map(|t| Type::Set(Box::new(t))),
                inner.clone().prop_map(|t| Type::Map(Box::new(t))),
                btree_map("[a-z]{1,3}", inner.clone(), 0..3).prop_map(Type::Object),
                vec(inner, 0..3).prop_map(Type::Tuple),
            ]
        })
    }

    fn arb_number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<i64>().prop_map(Number::Int),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Number::Float),
            (-1e6f64..1e6).prop_map(Number::Float),
            any::<u64>().prop_map(|u| Number::Big(u.to_string())),
            "-?[1-9][0-9]{19,35}".prop_map(Number::Big),
            "-?[0-9]{1,4}\\.[0-9]{1,6}(e-?[0-9]{2,3})?".prop_map(Number::Big),
        ]
    }

    /// A value of `ty`, unknown or null anywhere; `budget` bounds types nested in dynamics.
    fn arb_value(ty: &Type, budget: u32) -> BoxedStrategy<Value> {
        let elems = |t| vec(arb_value(t, budget), 0..3);
        let known = match ty {
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Type::Number => arb_number().prop_map(Value::Number).boxed(),
            Type::String => ".{0,6}".prop_map(Value::String).boxed(),
            Type::List(t) => elems(t).prop_map(Value::List).boxed(),
            Type::Set(t) => elems(t).prop_map(Value::Set).boxed(),
            Type::Map(t) => btree_map(".{0,3}", arb_value(t, budget), 0..3)
                .prop_map(Value::Map)
                .boxed(),
            Type::Object(attrs) => {
                let attrs: Vec<_> = attrs
                    .iter()
                    .map(|(k, t)| (Just(k.clone()), arb_value(t, budget)))
                    .collect();
                attrs
                    .prop_map(|kv| Value::Object(kv.into_iter().collect()))
                    .boxed()
            }
            Type::Tuple(ts) => {
                let ts: Vec<_> = ts.iter().map(|t| arb_value(t, budget)).collect();
                ts.prop_map(Value::Tuple).boxed()
            }
            Type::Dynamic if budget == 0 => Just(Value::Null).boxed(),
            Type::Dynamic => arb_type()
                .prop_flat_map(move |t| {
                    let t2 = t.clone();
                    arb_value(&t, budget - 1)
                        .prop_map(move |v| Value::Dynamic(t2.clone(), Box::new(v)))
                })
                .boxed(),
        };
        prop_oneof![1 => Just(Value::Unknown), 1 => Just(Value::Null), 6 => known].boxed()
    }

    fn typed_value() -> impl Strategy<Value = (Type, Value)> {
        arb_type().prop_flat_map(|t| (Just(t.clone()), arb_value(&t, 2)))
    }

    proptest! {
        #[test]
        fn msgpack_roundtrip((ty, v) in typed_value()) {
            prop_assert_eq!(dec(&enc(&v, &ty), &ty).unwrap(), v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(ty in arb_type(), bytes in vec(any::<u8>(), 0..64)) {
            let _ = dec(&bytes, &ty);
        }

        #[test]
        fn damaged_encodings_never_panic(
            (ty, v) in typed_value(), at in any::<prop::sample::Index>(), byte: u8, cut: bool
        ) {
            let mut bytes = enc(&v, &ty);
            let i = at.index(bytes.len());
            if cut { bytes.truncate(i) } else { bytes[i] = byte }
            let _ = dec(&bytes, &ty);
        }

        #[test]
        fn arbitrary_json_never_panics(
            ty in arb_type(), text in r#"[\[\]{}",:0-9a-z.eE+\- ]{0,48}"#, bytes in vec(any::<u8>(), 0..32)
        ) {
            let _ = decode_json(text.as_bytes(), &ty);
            let _ = decode_json(&bytes, &ty);
            let dynamic = br#"{"value":[1,{"a":"x"}],"type":["tuple",["number",["object",{"a":"string"}]]]}"#;
            let _ = decode_json(dynamic, &ty);
        }
    }
}
