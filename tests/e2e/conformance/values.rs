//! Values and types as Terraform handles them: the type a schema block implies, a
//! configuration decoded from JSON as from HCL, cty msgpack both ways, and the
//! diagnostics a provider answers with.

use serde_json::Value as Json;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack, from_serde};

use pb::schema::nested_block::NestingMode as BlockNesting;
use pb::schema::object::NestingMode as ObjectNesting;

/// What a Terraform 1.16 client announces; `store_planned_private` as asked.
pub fn capabilities(store_planned_private: bool) -> pb::ClientCapabilities {
    pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
        store_planned_private,
        computed_blocks_allowed: false,
    }
}

/// The error diagnostics among `diagnostics`, as "summary: detail".
pub fn errors(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity() == pb::diagnostic::Severity::Error)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

/// A diagnostic's attribute path as its attribute names and keys, e.g. `["statuses", "0"]`.
pub fn path(diagnostic: &pb::Diagnostic) -> Vec<String> {
    use pb::attribute_path::step::Selector;
    let steps = diagnostic.attribute.iter().flat_map(|p| &p.steps);
    steps
        .filter_map(|s| match s.selector.as_ref()? {
            Selector::AttributeName(n) | Selector::ElementKeyString(n) => Some(n.clone()),
            Selector::ElementKeyInt(i) => Some(i.to_string()),
        })
        .collect()
}

/// The value type a schema block implies, as Terraform computes it.
pub fn block_type(block: &pb::schema::Block) -> Type {
    let mut attributes = std::collections::BTreeMap::new();
    for a in &block.attributes {
        attributes.insert(a.name.clone(), attribute_type(a));
    }
    for b in &block.block_types {
        let inner = block_type(b.block.as_ref().expect("a nested block"));
        let ty = match b.nesting() {
            BlockNesting::List => Type::List(Box::new(inner)),
            BlockNesting::Set => Type::Set(Box::new(inner)),
            BlockNesting::Map => Type::Map(Box::new(inner)),
            _ => inner,
        };
        attributes.insert(b.type_name.clone(), ty);
    }
    Type::Object(attributes)
}

fn attribute_type(a: &pb::schema::Attribute) -> Type {
    let Some(nested) = &a.nested_type else {
        let json: Json = serde_json::from_slice(&a.r#type).expect("a JSON type");
        return Type::from_json(&json).expect("a cty type");
    };
    let object = Type::Object(
        nested
            .attributes
            .iter()
            .map(|a| (a.name.clone(), attribute_type(a)))
            .collect(),
    );
    match nested.nesting() {
        ObjectNesting::List => Type::List(Box::new(object)),
        ObjectNesting::Set => Type::Set(Box::new(object)),
        ObjectNesting::Map => Type::Map(Box::new(object)),
        _ => object,
    }
}

pub fn proposed_create(block: &pb::schema::Block, config: &Value) -> Value {
    let Value::Object(fields) = config else {
        return config.clone();
    };
    let mut out = fields.clone();
    for a in &block.attributes {
        if a.computed && out.get(&a.name).is_none_or(Value::is_null) {
            out.insert(a.name.clone(), Value::Unknown);
        }
    }
    for b in &block.block_types {
        let inner = b.block.as_ref().expect("a nested block");
        let nested = match out.get(&b.type_name) {
            Some(Value::List(items)) => {
                Value::List(items.iter().map(|i| proposed_create(inner, i)).collect())
            }
            Some(Value::Set(items)) => {
                Value::Set(items.iter().map(|i| proposed_create(inner, i)).collect())
            }
            Some(single @ Value::Object(_)) => proposed_create(inner, single),
            _ => continue,
        };
        out.insert(b.type_name.clone(), nested);
    }
    Value::Object(out)
}

/// `config` with every absent list or set block given as empty, recursively.
pub fn block_config(block: &pb::schema::Block, mut config: Json) -> Json {
    let Json::Object(fields) = &mut config else {
        return config;
    };
    for b in &block.block_types {
        let inner = b.block.as_ref().expect("a nested block");
        let many = matches!(b.nesting(), BlockNesting::List | BlockNesting::Set);
        match fields.remove(&b.type_name) {
            None | Some(Json::Null) if many => {
                fields.insert(b.type_name.clone(), Json::Array(Vec::new()));
            }
            Some(Json::Array(items)) => {
                let items = items.into_iter().map(|i| block_config(inner, i));
                fields.insert(b.type_name.clone(), Json::Array(items.collect()));
            }
            Some(other) => {
                fields.insert(b.type_name.clone(), block_config(inner, other));
            }
            None => {}
        }
    }
    config
}

/// `json` as a value of type `ty`.
pub fn value(json: &Json, ty: &Type) -> Value {
    from_serde(json, ty).unwrap_or_else(|e| panic!("{json} as {}: {e:?}", ty.to_json()))
}

pub fn dynamic(json: &Json, ty: &Type) -> pb::DynamicValue {
    encode(&value(json, ty), ty)
}

/// `v` in cty msgpack.
pub fn encode(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap_or_else(|e| panic!("encoding {v:?}: {e:?}")),
        json: Vec::new(),
    }
}

/// A DynamicValue the provider sent, which must be msgpack.
pub fn decode(v: &pb::DynamicValue, ty: &Type) -> Value {
    assert!(
        v.json.is_empty(),
        "the provider answered in JSON, not msgpack"
    );
    decode_msgpack(&v.msgpack, ty).unwrap_or_else(|e| panic!("decoding msgpack: {e:?}"))
}
