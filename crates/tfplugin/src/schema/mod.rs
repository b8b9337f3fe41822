//! Schema model: what a provider, resource or data source declares once. It feeds
//! Terraform's type checks, the msgpack codec (through [`Block::value_type`]), the
//! framework's validation ([`validators`](crate::validators)) and planning
//! ([`plan_modifiers`](crate::plan_modifiers)), and the docs.
//!
//! Attributes and blocks are declared with builders:
//!
//! ```
//! use tfplugin::plan_modifiers::{requires_replace, use_state_for_unknown};
//! use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
//! use tfplugin::validators::{int_between, length_between};
//! use tfplugin::value::Value;
//!
//! let schema = Schema::new(
//!     0,
//!     Block::new("A queue.")
//!         .attribute(
//!             Attribute::string("name")
//!                 .required()
//!                 .description("Its name.")
//!                 .validator(length_between(1, 80))
//!                 .plan_modifier(requires_replace()),
//!         )
//!         .attribute(
//!             Attribute::number("retention_days")
//!                 .optional()
//!                 .computed()
//!                 .default_value(Value::int(7))
//!                 .validator(int_between(1, 14)),
//!         )
//!         .attribute(
//!             Attribute::string("id")
//!                 .computed()
//!                 .plan_modifier(use_state_for_unknown()),
//!         )
//!         .block(
//!             NestedBlock::list(
//!                 "subscriber",
//!                 Block::new("Who reads it.").attribute(Attribute::string("url").required()),
//!             )
//!             .max_items(10),
//!         ),
//! );
//! assert_eq!(schema.block.attributes.len(), 3);
//! ```

mod debug;
mod generate;
mod json;
mod proto;
mod validate;

use crate::plan_modifiers::{Equivalence, SharedPlanModifier};
use crate::validators::SharedValidator;
use crate::value::{Type, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A versioned schema for a provider, resource or data source.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Bumped when the stored state shape changes; drives UpgradeResourceState.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A configuration block: attributes and nested blocks.
#[derive(Clone, Default)]
pub struct Block {
    /// What the block is for, in Markdown.
    pub description: String,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
    /// Its nested block types.
    pub blocks: Vec<NestedBlock>,
    /// Shown by Terraform as deprecated.
    pub deprecated: bool,
    /// Checks of the block as a whole, run with the block's object as the value.
    pub validators: Vec<SharedValidator>,
}

/// One attribute of a block.
#[derive(Clone)]
pub struct Attribute {
    /// The attribute's name in configurations.
    pub name: String,
    /// Its type; for a nested attribute, the type its attributes make.
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
    /// Why it is deprecated and what to use instead; configuring it warns with this.
    pub deprecation: Option<String>,
    /// The attributes of a nested attribute (an object, or a collection of objects).
    pub nested: Option<NestedAttributes>,
    /// Checks of its configured value.
    pub validators: Vec<SharedValidator>,
    /// Rules that shape its planned value, in order.
    pub plan_modifiers: Vec<SharedPlanModifier>,
    /// The value planned when the configuration leaves it null (it must be computed).
    pub default: Option<Value>,
    /// When a configured value means the same as the stored one, the stored one is
    /// planned, so that writing the same thing differently plans no change.
    pub equivalence: Option<Equivalence>,
}

/// The attributes of a nested attribute, and how its objects repeat.
#[derive(Debug, Clone)]
pub struct NestedAttributes {
    /// How the objects repeat.
    pub nesting: ObjectNesting,
    /// The attributes of each object.
    pub attributes: Vec<Attribute>,
}

/// How a nested attribute's objects repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectNesting {
    /// One object (or null).
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
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
#[derive(Clone)]
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
    /// Checks of all the blocks of this type together (the list, set or map).
    pub validators: Vec<SharedValidator>,
    /// Rules that shape the planned blocks, in order.
    pub plan_modifiers: Vec<SharedPlanModifier>,
    /// See [`Attribute::equivalence`].
    pub equivalence: Option<Equivalence>,
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

    /// Adds a check of the block as a whole.
    pub fn validator(mut self, validator: SharedValidator) -> Self {
        self.validators.push(validator);
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
            members.insert(nested.type_name.clone(), nested.value_type());
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

    /// A stored value in the shape Terraform expects: nested blocks absent from it (a
    /// hand-edited state, or one written before the block existed) become empty
    /// collections, never null, because Terraform rejects a null list of blocks.
    pub fn normalize_state(&self, value: Value) -> Value {
        let Value::Object(mut members) = value else {
            return value;
        };
        for nested in &self.blocks {
            let member = members.remove(&nested.type_name).unwrap_or(Value::Null);
            let inner = |item: Value| nested.block.normalize_state(item);
            let normalized = match (nested.nesting, member) {
                (Nesting::List, Value::Null) => Value::List(Vec::new()),
                (Nesting::Set, Value::Null) => Value::Set(Vec::new()),
                (Nesting::Map, Value::Null) => Value::Map(BTreeMap::new()),
                (Nesting::List, Value::List(items)) => {
                    Value::List(items.into_iter().map(inner).collect())
                }
                (Nesting::Set, Value::Set(items)) => {
                    Value::Set(items.into_iter().map(inner).collect())
                }
                (Nesting::Map, Value::Map(items)) => {
                    Value::Map(items.into_iter().map(|(k, v)| (k, inner(v))).collect())
                }
                (Nesting::Single | Nesting::Group, item) => inner(item),
                (_, other) => other,
            };
            members.insert(nested.type_name.clone(), normalized);
        }
        Value::Object(members)
    }
}

impl Attribute {
    /// An attribute of type `ty` that is neither required, optional nor computed yet:
    /// say which with [`required`](Self::required), [`optional`](Self::optional) and
    /// [`computed`](Self::computed).
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecation: None,
            nested: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
            default: None,
            equivalence: None,
        }
    }

    /// A string attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    /// A number attribute.
    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    /// A bool attribute.
    pub fn bool(name: impl Into<String>) -> Self {
        Self::new(name, Type::Bool)
    }

    /// A list of `element`.
    pub fn list(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::List(Box::new(element)))
    }

    /// A set of `element`.
    pub fn set(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::Set(Box::new(element)))
    }

    /// A map of `element`.
    pub fn map(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::Map(Box::new(element)))
    }

    /// A nested attribute: objects of `attributes`, repeating as `nesting` says.
    pub fn nested(
        name: impl Into<String>,
        nesting: ObjectNesting,
        attributes: impl IntoIterator<Item = Attribute>,
    ) -> Self {
        let attributes: Vec<Attribute> = attributes.into_iter().collect();
        let object = Type::Object(
            attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        );
        let ty = match nesting {
            ObjectNesting::Single => object,
            ObjectNesting::List => Type::List(Box::new(object)),
            ObjectNesting::Set => Type::Set(Box::new(object)),
            ObjectNesting::Map => Type::Map(Box::new(object)),
        };
        Attribute {
            nested: Some(NestedAttributes {
                nesting,
                attributes,
            }),
            ..Self::new(name, ty)
        }
    }

    /// One nested object.
    pub fn single_nested(
        name: impl Into<String>,
        attributes: impl IntoIterator<Item = Attribute>,
    ) -> Self {
        Self::nested(name, ObjectNesting::Single, attributes)
    }

    /// A list of nested objects.
    pub fn list_nested(
        name: impl Into<String>,
        attributes: impl IntoIterator<Item = Attribute>,
    ) -> Self {
        Self::nested(name, ObjectNesting::List, attributes)
    }

    /// A set of nested objects.
    pub fn set_nested(
        name: impl Into<String>,
        attributes: impl IntoIterator<Item = Attribute>,
    ) -> Self {
        Self::nested(name, ObjectNesting::Set, attributes)
    }

    /// A map of nested objects.
    pub fn map_nested(
        name: impl Into<String>,
        attributes: impl IntoIterator<Item = Attribute>,
    ) -> Self {
        Self::nested(name, ObjectNesting::Map, attributes)
    }

    /// The user must set it.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The user may set it.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// The provider sets it; with [`optional`](Self::optional), when the user did not.
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Its description for users, in Markdown.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Marks the value sensitive: Terraform hides it in plans and output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks it deprecated: configuring it warns with `message`, which should say what
    /// to use instead.
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    /// Adds a check of its configured value.
    pub fn validator(mut self, validator: SharedValidator) -> Self {
        self.validators.push(validator);
        self
    }

    /// Adds a plan rule; rules run in the order they were added.
    pub fn plan_modifier(mut self, modifier: SharedPlanModifier) -> Self {
        self.plan_modifiers.push(modifier);
        self
    }

    /// The value planned when the configuration leaves it null. A default makes the
    /// attribute optional and computed, as Terraform requires of a provider-set value.
    pub fn default_value(mut self, value: Value) -> Self {
        self.default = Some(value);
        self.optional = true;
        self.computed = true;
        self
    }

    /// When `equivalent(stored, configured)` holds, the stored value is planned: the same
    /// thing written differently plans no change.
    pub fn equivalence(
        mut self,
        equivalent: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.equivalence = Some(Arc::new(equivalent));
        self
    }
}

impl NestedBlock {
    fn new(type_name: &str, block: Block, nesting: Nesting) -> Self {
        NestedBlock {
            type_name: type_name.to_string(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
            equivalence: None,
        }
    }

    /// A repeated block kept in order (`rule { ... }` written several times).
    pub fn list(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::List)
    }

    /// A repeated block whose order does not matter.
    pub fn set(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Set)
    }

    /// Labelled blocks (`rule "name" { ... }`), as a map by label.
    pub fn map(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Map)
    }

    /// A block written at most once whose absence is a null value.
    pub fn single(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Single)
    }

    /// A block written at most once whose absence is an object of nulls.
    pub fn group(type_name: &str, block: Block) -> Self {
        Self::new(type_name, block, Nesting::Group)
    }

    /// The fewest blocks allowed (Terraform checks it).
    pub fn min_items(mut self, min: i64) -> Self {
        self.min_items = min;
        self
    }

    /// The most blocks allowed (Terraform checks it).
    pub fn max_items(mut self, max: i64) -> Self {
        self.max_items = max;
        self
    }

    /// Adds a check of all the blocks of this type together.
    pub fn validator(mut self, validator: SharedValidator) -> Self {
        self.validators.push(validator);
        self
    }

    /// Adds a plan rule for the blocks of this type together.
    pub fn plan_modifier(mut self, modifier: SharedPlanModifier) -> Self {
        self.plan_modifiers.push(modifier);
        self
    }

    /// See [`Attribute::equivalence`]; it compares all the blocks of this type.
    pub fn equivalence(
        mut self,
        equivalent: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.equivalence = Some(Arc::new(equivalent));
        self
    }

    /// The type of all the blocks of this type together.
    pub fn value_type(&self) -> Type {
        let object = self.block.value_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::List(Box::new(object)),
            Nesting::Set => Type::Set(Box::new(object)),
            Nesting::Map => Type::Map(Box::new(object)),
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
mod tests;
