//! Codec tests: every position, every shape, and property tests on arbitrary input.

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
    assert_eq!(e(Number::Float(0.5)), [0xa3, b'0', b'.', b'5']);
    assert_eq!(e(Number::Float(1.0)), [0xa1, b'1']);
    assert_eq!(e(Number::Float(-3.0)), [0xa2, b'-', b'3']);
    assert_eq!(e(Number::Int(-200)), [0xa4, b'-', b'2', b'0', b'0']);
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

/// Numbers go to Terraform as the text its state file holds for them (Go's
/// `big.Float.Text('f', -1)`), whatever form they were given in.
#[test]
fn numbers_are_written_as_the_text_terraform_stores() {
    use Number::*;
    let cases = [
        (Int(5), "5"),
        (Int(0), "0"),
        (Int(-200), "-200"),
        (Int(i64::MAX), "9223372036854775807"),
        (Int(i64::MIN), "-9223372036854775808"),
        (Float(1.0), "1"),
        (Float(-3.0), "-3"),
        (Float(-0.0), "0"),
        (Float(0.5), "0.5"),
        (Float(0.1), "0.1"),
        (Float(-12.75), "-12.75"),
        (Float(1e-7), "0.0000001"),
        (Float(1e21), "1000000000000000000000"),
        // Beyond 2^53 a whole float is the integer it holds, not its shortest digits.
        (Float(-2.2861925083147415e18), "-2286192508314741504"),
        (Float(1.5e300), &format!("15{}", "0".repeat(299))),
        (Big(u64::MAX.to_string()), "18446744073709551615"),
        (
            Big("123456789012345678901234567890".into()),
            "123456789012345678901234567890",
        ),
        (Big("1e5".into()), "100000"),
        (Big("1E-3".into()), "0.001"),
        (Big("-1.50e-3".into()), "-0.0015"),
        (Big("0012.3400".into()), "12.34"),
        (Big("12.34e1".into()), "123.4"),
        (Big("1234e-2".into()), "12.34"),
        (Big("+7".into()), "7"),
        (Big(".5".into()), "0.5"),
        (Big("5.".into()), "5"),
        (Big("-0.0e9".into()), "0"),
    ];
    for (n, text) in cases {
        assert_eq!(n.state_text().as_deref(), Some(text), "{n:?}");
        let bytes = enc(&Value::Number(n.clone()), &Type::Number);
        let mut want = Vec::new();
        rmp::encode::write_str(&mut want, text).unwrap();
        assert_eq!(bytes, want, "{n:?}");
        // Read back (as Terraform reads it) the same number, written the same way again.
        let back = dec(&bytes, &Type::Number).unwrap();
        assert_eq!(back, Value::Number(n.clone()), "{n:?}");
        assert_eq!(enc(&back, &Type::Number), bytes, "{n:?}");
    }
    assert_eq!(Float(f64::INFINITY).state_text(), None);
    assert_eq!(Float(f64::NAN).state_text(), None);
    assert_eq!(Big("1e".into()).state_text(), None);
}

/// A number read from the state file (JSON) goes back out as the very text it was read
/// from, so Terraform sees the refreshed value as identical to the stored one.
#[test]
fn numbers_from_the_state_file_go_back_as_the_same_text() {
    for text in [
        "5",
        "0",
        "-7",
        "40",
        "9999",
        "0.5",
        "-12.75",
        "18446744073709551615",
    ] {
        let v = decode_json(text.as_bytes(), &Type::Number).unwrap();
        let mut want = Vec::new();
        rmp::encode::write_str(&mut want, text).unwrap();
        assert_eq!(enc(&v, &Type::Number), want, "{text}");
    }
    // Terraform may also send a number as an int, a float or text: all read the same.
    let forty = Value::int(40);
    assert_eq!(dec(&[0x28], &Type::Number).unwrap(), forty);
    assert_eq!(dec(&[0xd0, 0x28], &Type::Number).unwrap(), forty);
    assert_eq!(
        dec(
            &[[0xcb].as_slice(), &40f64.to_be_bytes()].concat(),
            &Type::Number
        )
        .unwrap(),
        forty
    );
    assert_eq!(dec(&[0xa2, b'4', b'0'], &Type::Number).unwrap(), forty);
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
                arb_value(&t, budget - 1).prop_map(move |v| Value::Dynamic(t2.clone(), Box::new(v)))
            })
            .boxed(),
    };
    prop_oneof![1 => Just(Value::Unknown), 1 => Just(Value::Null), 6 => known].boxed()
}

fn typed_value() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|t| (Just(t.clone()), arb_value(&t, 2)))
}

/// Found by `cargo xtask fuzz`: a whole float beyond 2^53 is encoded as the integer it
/// holds, and must compare equal to it (its shortest decimal form rounds the last digits).
#[test]
fn whole_floats_round_trip_as_the_integer_they_hold() {
    let ty = Type::Set(Box::new(Type::Number));
    let v = Value::Set(vec![Value::Number(Number::Float(-2.2861925083147415e18))]);
    assert_eq!(dec(&enc(&v, &ty), &ty).unwrap(), v);
    assert_eq!(
        Number::Float(-2.2861925083147415e18),
        Number::Int(-2_286_192_508_314_741_504)
    );
    assert_ne!(Number::Float(0.5), Number::Int(0));
}

proptest! {
    #[test]
    fn fuzz_state_text_is_plain_exact_and_stable(n in arb_number()) {
        let text = n.state_text().unwrap();
        prop_assert!(!text.contains(['e', 'E', '+']), "{}", text);
        let unsigned = text.strip_prefix('-').unwrap_or(&text);
        prop_assert!(unsigned == "0" || !unsigned.starts_with("00"), "{}", text);
        prop_assert!(!unsigned.starts_with('0') || unsigned.len() == 1 || unsigned.starts_with("0."), "{}", text);
        prop_assert!(!text.contains('.') || !text.ends_with(['0', '.']), "{}", text);
        let back = Number::parse(&text).unwrap();
        prop_assert_eq!(&back, &n);
        prop_assert_eq!(back.state_text().unwrap(), text);
    }

    #[test]
    fn fuzz_msgpack_roundtrip((ty, v) in typed_value()) {
        prop_assert_eq!(dec(&enc(&v, &ty), &ty).unwrap(), v);
    }

    #[test]
    fn fuzz_arbitrary_bytes_never_panic(ty in arb_type(), bytes in vec(any::<u8>(), 0..64)) {
        let _ = dec(&bytes, &ty);
    }

    #[test]
    fn fuzz_damaged_encodings_never_panic(
        (ty, v) in typed_value(), at in any::<prop::sample::Index>(), byte: u8, cut: bool
    ) {
        let mut bytes = enc(&v, &ty);
        let i = at.index(bytes.len());
        if cut { bytes.truncate(i) } else { bytes[i] = byte }
        let _ = dec(&bytes, &ty);
    }

    #[test]
    fn fuzz_arbitrary_json_never_panics(
        ty in arb_type(), text in r#"[\[\]{}",:0-9a-z.eE+\- ]{0,48}"#, bytes in vec(any::<u8>(), 0..32)
    ) {
        let _ = decode_json(text.as_bytes(), &ty);
        let _ = decode_json(&bytes, &ty);
        let dynamic = br#"{"value":[1,{"a":"x"}],"type":["tuple",["number",["object",{"a":"string"}]]]}"#;
        let _ = decode_json(dynamic, &ty);
    }
}
