//! The schema as the protocol carries it.

use super::{Attribute, Block, NestedAttributes, NestedBlock, Nesting, ObjectNesting, Schema};
use crate::identity::IdentitySchema;
use crate::proto::tfplugin6 as pb;

impl Schema {
    pub(crate) fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
}

impl Block {
    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self.blocks.iter().map(NestedBlock::to_proto).collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            // The framework warns about deprecated attributes itself (see validate.rs).
            deprecation_message: String::new(),
            computed: false,
        }
    }
}

impl Attribute {
    fn to_proto(&self) -> pb::schema::Attribute {
        // A nested attribute is described by its nested type alone; Terraform refuses
        // an attribute that has both.
        let (r#type, nested_type) = match &self.nested {
            Some(nested) => (Vec::new(), Some(nested.to_proto())),
            None => (self.ty.to_json().to_string().into_bytes(), None),
        };
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type,
            nested_type,
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecation.is_some(),
            write_only: false,
            deprecation_message: String::new(),
        }
    }
}

impl NestedAttributes {
    fn to_proto(&self) -> pb::schema::Object {
        let nesting = match self.nesting {
            ObjectNesting::Single => pb::schema::object::NestingMode::Single,
            ObjectNesting::List => pb::schema::object::NestingMode::List,
            ObjectNesting::Set => pb::schema::object::NestingMode::Set,
            ObjectNesting::Map => pb::schema::object::NestingMode::Map,
        };
        pb::schema::Object {
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            nesting: nesting as i32,
        }
    }
}

impl NestedBlock {
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

impl IdentitySchema {
    pub(crate) fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    r#type: a.ty.to_json().to_string().into_bytes(),
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description.clone(),
                })
                .collect(),
        }
    }
}
