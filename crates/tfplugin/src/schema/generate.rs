//! A configuration made from a state (GenerateResourceConfig, protocol 6.10): what a
//! user would write for an object `terraform query` found so that, once imported, it
//! plans no change.

use super::{Attribute, Block, NestedAttributes, Nesting, ObjectNesting};
use crate::value::Value;

impl Block {
    /// The configuration for `state`: what the user sets (required and optional
    /// attributes, nested blocks) keeps its stored value; what only the provider sets
    /// (computed attributes that are not optional) is null, as a configuration has it.
    /// An optional attribute still at its default is left out (null), so the generated
    /// configuration stays as short as the user's would be.
    pub fn config_from_state(&self, state: &Value) -> Value {
        let Value::Object(members) = state else {
            return state.clone();
        };
        let mut config = members.clone();
        for attribute in &self.attributes {
            if let Some(value) = config.get_mut(&attribute.name) {
                *value = attribute.config_from_state(value);
            }
        }
        for nested in &self.blocks {
            let Some(value) = config.get_mut(&nested.type_name) else {
                continue;
            };
            let inner = |item: &Value| nested.block.config_from_state(item);
            *value = match (nested.nesting, &*value) {
                (Nesting::List, Value::List(items)) => {
                    Value::List(items.iter().map(inner).collect())
                }
                (Nesting::Set, Value::Set(items)) => Value::Set(items.iter().map(inner).collect()),
                (Nesting::Map, Value::Map(items)) => {
                    Value::Map(items.iter().map(|(k, v)| (k.clone(), inner(v))).collect())
                }
                (Nesting::Single | Nesting::Group, item) if !item.is_null() => inner(item),
                (_, other) => other.clone(),
            };
        }
        Value::Object(config)
    }
}

impl Attribute {
    fn config_from_state(&self, value: &Value) -> Value {
        if !self.required && !self.optional {
            return Value::Null;
        }
        if self.default.as_ref() == Some(value) && !self.required {
            return Value::Null;
        }
        match &self.nested {
            Some(nested) => nested.config_from_state(value),
            None => value.clone(),
        }
    }
}

impl NestedAttributes {
    fn config_from_state(&self, value: &Value) -> Value {
        let object = |item: &Value| {
            let Value::Object(members) = item else {
                return item.clone();
            };
            let mut config = members.clone();
            for attribute in &self.attributes {
                if let Some(v) = config.get_mut(&attribute.name) {
                    *v = attribute.config_from_state(v);
                }
            }
            Value::Object(config)
        };
        match (self.nesting, value) {
            (ObjectNesting::Single, item) => object(item),
            (ObjectNesting::List, Value::List(items)) => {
                Value::List(items.iter().map(object).collect())
            }
            (ObjectNesting::Set, Value::Set(items)) => {
                Value::Set(items.iter().map(object).collect())
            }
            (ObjectNesting::Map, Value::Map(items)) => {
                Value::Map(items.iter().map(|(k, v)| (k.clone(), object(v))).collect())
            }
            (_, other) => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::{Attribute, Block, NestedBlock};
    use crate::test_support::object;
    use crate::value::Value;

    #[test]
    fn a_generated_configuration_keeps_arguments_and_drops_what_the_provider_sets() {
        let block = Block::new("a note")
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::string("title").required())
            .attribute(Attribute::string("colour").optional().computed())
            .attribute(
                Attribute::string("shelf")
                    .optional()
                    .computed()
                    .default_value(Value::string("top")),
            )
            .block(NestedBlock::list(
                "tag",
                Block::new("a tag")
                    .attribute(Attribute::string("name").required())
                    .attribute(Attribute::string("slug").computed()),
            ));
        let tag = object(&[("name", Value::string("x")), ("slug", Value::string("x-1"))]);
        let state = object(&[
            ("id", Value::string("n-1")),
            ("title", Value::string("Hello")),
            ("colour", Value::string("red")),
            ("shelf", Value::string("top")),
            ("tag", Value::List(vec![tag])),
        ]);
        let config = block.config_from_state(&state);
        let tag = object(&[("name", Value::string("x")), ("slug", Value::Null)]);
        assert_eq!(
            config,
            object(&[
                ("id", Value::Null),
                ("title", Value::string("Hello")),
                ("colour", Value::string("red")),
                ("shelf", Value::Null),
                ("tag", Value::List(vec![tag])),
            ])
        );
    }
}
