//! Schema model: what a provider, resource or data source declares once, and what feeds
//! Terraform's type checks, the msgpack codec (through [`Block::value_type`]) and the docs.

use super::diag::{Diagnostic, Diagnostics};
use super::path::AttributePath;
use super::proto::tfplugin6 as pb;
use super::value::{Type, Value};
use std::collections::BTreeMap;

/// A versioned schema for a provider, resource or data source.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Bumped when the stored state shape changes; drives UpgradeResourceState.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A configuration block: attributes and nested blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    /// What the block is for, in Markdown.
    pub description: String,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
    /// Its nested block types.
    pub blocks: Vec<NestedBlock>,
    /// Shown by Terraform as deprecated.
    pub deprecated: bool,
}

/// One attribute of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The attribute's name in configurations.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// One line for users, in Markdown.
    pub description: String,
    /// The user must set it.
    pub required: bool,
    /// The user may set it.
    pub optional: bool,
    /// The provider sets it (when the user did not, if also optional).
    pub computed: bool,
    /// Terraform redacts sensitive values in plans and output.
    pub sensitive: bool,
    /// Shown by Terraform as deprecated.
    pub deprecated: bool,
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; absent is null.
    Single,
    /// Exactly one block, whose absence is an empty object.
    Group,
    /// Repeated blocks in order.
    List,
    /// Repeated blocks whose order does not matter.
    Set,
    /// Blocks with a label, as a map.
    Map,
}

/// A block type nested in another block.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    /// The block's name in configurations.
    pub type_name: String,
    /// What the block holds.
    pub block: Block,
    /// How it repeats.
    pub nesting: Nesting,
    /// The fewest blocks allowed.
    pub min_items: i64,
    /// The most blocks allowed; 0 for no limit.
    pub max_items: i64,
}

impl Schema {
    /// A schema of `version` whose top level is `block`.
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }

    /// The object type of a whole value of this schema.
    pub fn value_type(&self) -> Type {
        #[cfg(test)]
        value_type_calls::record();
        self.block.value_type()
    }

    pub(crate) fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
}

impl Block {
    /// An empty block described by `description`.
    pub fn new(description: impl Into<String>) -> Self {
        Block {
            description: description.into(),
            ..Block::default()
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Adds several attributes, in order: a group that more than one schema shares.
    pub fn attributes(self, attributes: impl IntoIterator<Item = Attribute>) -> Self {
        attributes.into_iter().fold(self, Block::attribute)
    }

    /// Adds a nested block type.
    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    /// The cty object type Terraform uses for a value of this block: one member per
    /// attribute and per nested block type.
    pub fn value_type(&self) -> Type {
        let mut members = BTreeMap::new();
        for attribute in &self.attributes {
            members.insert(attribute.name.clone(), attribute.ty.clone());
        }
        for nested in &self.blocks {
            let object = nested.block.value_type();
            let ty = match nested.nesting {
                Nesting::Single | Nesting::Group => object,
                Nesting::List => Type::List(Box::new(object)),
                Nesting::Set => Type::Set(Box::new(object)),
                Nesting::Map => Type::Map(Box::new(object)),
            };
            members.insert(nested.type_name.clone(), ty);
        }
        Type::Object(members)
    }

    /// Looks up an attribute by name.
    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Looks up a nested block type by name.
    pub fn find_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.type_name == name)
    }

    /// The checks the schema itself implies, for every provider block, resource and data
    /// source alike: a required attribute must not be null (Terraform only checks that
    /// the argument is written, so `x = var.nullable` gets through), and an attribute only
    /// the provider sets must not be configured. Nested blocks are checked the same way.
    /// Unknown values are skipped; Terraform validates again once they are known.
    pub fn validate_config(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        self.validate_config_at(config, &AttributePath::root(), &mut diagnostics);
        diagnostics
    }

    fn validate_config_at(&self, value: &Value, path: &AttributePath, out: &mut Diagnostics) {
        if value.is_null() || value.is_unknown() {
            return;
        }
        for attribute in &self.attributes {
            let at = path.attribute(&attribute.name);
            let member = value.attr(&attribute.name).unwrap_or(&Value::Null);
            if member.is_unknown() {
                continue;
            }
            if attribute.required && member.is_null() {
                out.push(
                    Diagnostic::error(
                        "Missing Configuration for Required Attribute",
                        format!(
                            "{at} is required, but its value is null. Set it to a value; when it \
                             comes from a variable or an expression, that value must not be null."
                        ),
                    )
                    .at(at),
                );
            } else if attribute.computed && !attribute.optional && !member.is_null() {
                out.push(
                    Diagnostic::error(
                        "Invalid Configuration for Read-Only Attribute",
                        format!(
                            "{at} is set by the provider: you can't configure a value for it. \
                             Remove this argument; read the value from the resource instead."
                        ),
                    )
                    .at(at),
                );
            }
        }
        for nested in &self.blocks {
            let at = path.attribute(&nested.type_name);
            let Some(member) = value.attr(&nested.type_name) else {
                continue;
            };
            match nested.nesting {
                Nesting::Single | Nesting::Group => {
                    nested.block.validate_config_at(member, &at, out);
                }
                Nesting::List => {
                    for (i, item) in member.as_list().unwrap_or_default().iter().enumerate() {
                        nested
                            .block
                            .validate_config_at(item, &at.index(i as i64), out);
                    }
                }
                // A set element has no index Terraform could point at: the block it is.
                Nesting::Set => {
                    for item in member.as_list().unwrap_or_default() {
                        nested.block.validate_config_at(item, &at, out);
                    }
                }
                Nesting::Map => {
                    for (key, item) in member.as_map().into_iter().flatten() {
                        nested.block.validate_config_at(item, &at.key(key), out);
                    }
                }
            }
        }
    }

    /// A stored value in the shape Terraform expects: nested blocks absent from it (a
    /// hand-edited state, or one written before the block existed) become empty
    /// collections, never null, because Terraform rejects a null list of blocks.
    pub fn normalize_state(&self, value: Value) -> Value {
        let Value::Object(mut members) = value else {
            return value;
        };
        for nested in &self.blocks {
            let member = members.remove(&nested.type_name).unwrap_or(Value::Null);
            let normalized = match (nested.nesting, member) {
                (Nesting::List, Value::Null) => Value::List(Vec::new()),
                (Nesting::Set, Value::Null) => Value::Set(Vec::new()),
                (Nesting::Map, Value::Null) => Value::Map(BTreeMap::new()),
                (Nesting::List, Value::List(items)) => Value::List(
                    items
                        .into_iter()
                        .map(|item| nested.block.normalize_state(item))
                        .collect(),
                ),
                (Nesting::Set, Value::Set(items)) => Value::Set(
                    items
                        .into_iter()
                        .map(|item| nested.block.normalize_state(item))
                        .collect(),
                ),
                (Nesting::Map, Value::Map(items)) => Value::Map(
                    items
                        .into_iter()
                        .map(|(k, item)| (k, nested.block.normalize_state(item)))
                        .collect(),
                ),
                (Nesting::Single | Nesting::Group, item) => nested.block.normalize_state(item),
                (_, other) => other,
            };
            members.insert(nested.type_name.clone(), normalized);
        }
        Value::Object(members)
    }

    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self.blocks.iter().map(NestedBlock::to_proto).collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
        }
    }
}

impl Attribute {
    fn new(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
        }
    }

    /// An argument the user must set.
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            required: true,
            ..Self::new(name, ty, description)
        }
    }

    /// An argument the user may set.
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            optional: true,
            ..Self::new(name, ty, description)
        }
    }

    /// A value only the provider sets.
    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            computed: true,
            ..Self::new(name, ty, description)
        }
    }

    /// An argument the user may set and the provider fills in when they do not.
    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            optional: true,
            computed: true,
            ..Self::new(name, ty, description)
        }
    }

    /// Marks the value sensitive: Terraform hides it in plans and output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: self.ty.to_json().to_string().into_bytes(),
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            nested_type: None,
            write_only: false,
        }
    }
}

impl NestedBlock {
    /// A repeated block kept in order (`instance_pool { ... }` written several times).
    pub fn list(type_name: &str, block: Block, min_items: i64, max_items: i64) -> Self {
        NestedBlock {
            type_name: type_name.to_string(),
            block,
            nesting: Nesting::List,
            min_items,
            max_items,
        }
    }

    /// A block written at most once whose absence is a null value.
    pub fn single(type_name: &str, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.to_string(),
            block,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        }
    }

    fn to_proto(&self) -> pb::schema::NestedBlock {
        let nesting = match self.nesting {
            Nesting::Single => pb::schema::nested_block::NestingMode::Single,
            Nesting::Group => pb::schema::nested_block::NestingMode::Group,
            Nesting::List => pb::schema::nested_block::NestingMode::List,
            Nesting::Set => pb::schema::nested_block::NestingMode::Set,
            Nesting::Map => pb::schema::nested_block::NestingMode::Map,
        };
        pb::schema::NestedBlock {
            type_name: self.type_name.clone(),
            block: Some(self.block.to_proto(0)),
            nesting: nesting as i32,
            min_items: self.min_items,
            max_items: self.max_items,
        }
    }
}

/// How often [`Schema::value_type`] ran on this thread, so that tests can check that the
/// server works each schema's value type out once, not at every call.
#[cfg(test)]
pub(crate) mod value_type_calls {
    use std::cell::Cell;

    thread_local! {
        static CALLS: Cell<usize> = const { Cell::new(0) };
    }

    pub(crate) fn record() {
        CALLS.with(|calls| calls.set(calls.get() + 1));
    }

    pub(crate) fn count() -> usize {
        CALLS.with(Cell::get)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Schema {
        Schema::new(
            1,
            Block::new("A sample.")
                .attribute(Attribute::required("name", Type::String, "The name."))
                .attribute(Attribute::optional("secret", Type::String, "A secret.").sensitive())
                .block(NestedBlock::list(
                    "pool",
                    Block::new("A pool.").attribute(Attribute::required(
                        "count",
                        Type::Number,
                        "How many.",
                    )),
                    0,
                    0,
                ))
                .block(NestedBlock::single("timeouts", Block::new("Timeouts."))),
        )
    }

    #[test]
    fn value_type_has_one_member_per_attribute_and_block() {
        let ty = sample().value_type();
        let Type::Object(members) = ty else {
            panic!("not an object: {ty:?}")
        };
        assert_eq!(members.get("name"), Some(&Type::String));
        assert!(matches!(members.get("pool"), Some(Type::List(_))));
        assert!(matches!(members.get("timeouts"), Some(Type::Object(_))));
        assert_eq!(members.len(), 4);
    }

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn with_id() -> Block {
        sample()
            .block
            .attribute(Attribute::computed("id", Type::String, "The ID."))
    }

    fn paths(d: &Diagnostics) -> Vec<(String, String)> {
        d.iter()
            .map(|d| {
                (
                    d.summary.clone(),
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn null_required_and_configured_read_only_attributes_are_errors() {
        let pool = |count: Value| object(&[("count", count)]);
        let config = object(&[
            ("name", Value::Null),
            ("secret", Value::Null),
            ("id", Value::string("x")),
            (
                "pool",
                Value::List(vec![pool(Value::int(1)), pool(Value::Null)]),
            ),
            ("timeouts", Value::Null),
        ]);
        assert_eq!(
            paths(&with_id().validate_config(&config)),
            vec![
                (
                    "Missing Configuration for Required Attribute".to_string(),
                    "name".to_string()
                ),
                (
                    "Invalid Configuration for Read-Only Attribute".to_string(),
                    "id".to_string()
                ),
                (
                    "Missing Configuration for Required Attribute".to_string(),
                    "pool[1].count".to_string()
                ),
            ]
        );
    }

    #[test]
    fn unknown_values_are_left_for_later() {
        let config = object(&[
            ("name", Value::Unknown),
            ("id", Value::Unknown),
            ("pool", Value::Unknown),
        ]);
        assert!(with_id().validate_config(&config).is_empty());
        assert!(with_id().validate_config(&Value::Unknown).is_empty());
    }

    #[test]
    fn absent_blocks_in_stored_state_become_empty() {
        let state = object(&[("name", Value::string("a"))]);
        let normalized = sample().block.normalize_state(state);
        assert_eq!(normalized.attr("pool"), Some(&Value::List(Vec::new())));
        assert_eq!(normalized.attr("timeouts"), Some(&Value::Null));
        assert_eq!(normalized.attr("name"), Some(&Value::string("a")));
    }

    #[test]
    fn proto_carries_types_as_json_and_markdown_descriptions() {
        let proto = sample().to_proto();
        let block = proto.block.expect("block");
        assert_eq!(proto.version, 1);
        let name = &block.attributes[0];
        assert_eq!(name.r#type, b"\"string\"");
        assert_eq!(name.description_kind, pb::StringKind::Markdown as i32);
        assert!(block.attributes[1].sensitive);
        assert_eq!(
            block.block_types[0].nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
    }
}
