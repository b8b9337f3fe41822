//! The msgpack codec Terraform uses in DynamicValue.msgpack.

use super::*;

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

// Encoding.

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

    /// Every number goes out as text, in the form Terraform keeps in its state file:
    /// Terraform reads a string exactly as it reads that file, so a refreshed number is
    /// identical to the stored one, where an int or a float would differ in precision
    /// and make a refresh-only plan report a change that is not there.
    fn number(&mut self, n: &Number) -> Result<(), ValueError> {
        match n.state_text() {
            Some(text) => self.write(|o| rmp::encode::write_str(o, &text)),
            None => self.fail(format!("{n} is not a finite decimal number")),
        }
    }
}
