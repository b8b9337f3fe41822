//! Schemas in the JSON form `terraform providers schema -json` prints, for docs
//! generators. Terraform 1.14 and later print list resources, actions and identities
//! too; with an older Terraform, a provider's docs tooling takes them from here.

use super::{Attribute, Block, NestedAttributes, NestedBlock, Nesting, ObjectNesting, Schema};
use crate::identity::IdentitySchema;
use serde_json::{Map, Value as Json, json};

impl Schema {
    /// `{"version": …, "block": …}`, as Terraform prints a resource's schema.
    pub fn to_json(&self) -> Json {
        json!({ "version": self.version, "block": self.block.to_json() })
    }
}

impl Block {
    /// The block, as Terraform prints one: attributes and block types by name.
    pub fn to_json(&self) -> Json {
        let mut out = Map::new();
        if !self.attributes.is_empty() {
            let attributes = self
                .attributes
                .iter()
                .map(|a| (a.name.clone(), a.to_json()));
            out.insert("attributes".into(), Json::Object(attributes.collect()));
        }
        if !self.blocks.is_empty() {
            let blocks = self
                .blocks
                .iter()
                .map(|b| (b.type_name.clone(), b.to_json()));
            out.insert("block_types".into(), Json::Object(blocks.collect()));
        }
        describe(&mut out, &self.description);
        if self.deprecated {
            out.insert("deprecated".into(), Json::Bool(true));
        }
        Json::Object(out)
    }
}

/// The description and its kind, when there is one.
fn describe(out: &mut Map<String, Json>, description: &str) {
    if !description.is_empty() {
        out.insert("description".into(), Json::from(description));
    }
    out.insert("description_kind".into(), Json::from("markdown"));
}

impl Attribute {
    fn to_json(&self) -> Json {
        let mut out = Map::new();
        match &self.nested {
            Some(nested) => out.insert("nested_type".into(), nested.to_json()),
            None => out.insert("type".into(), self.ty.to_json()),
        };
        describe(&mut out, &self.description);
        for (flag, set) in [
            ("deprecated", self.deprecation.is_some()),
            ("required", self.required),
            ("optional", self.optional),
            ("computed", self.computed),
            ("sensitive", self.sensitive),
        ] {
            if set {
                out.insert(flag.into(), Json::Bool(true));
            }
        }
        Json::Object(out)
    }
}

impl NestedAttributes {
    fn to_json(&self) -> Json {
        let nesting = match self.nesting {
            ObjectNesting::Single => "single",
            ObjectNesting::List => "list",
            ObjectNesting::Set => "set",
            ObjectNesting::Map => "map",
        };
        let attributes = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.to_json()));
        json!({
            "attributes": Json::Object(attributes.collect()),
            "nesting_mode": nesting,
        })
    }
}

impl NestedBlock {
    fn to_json(&self) -> Json {
        let nesting = match self.nesting {
            Nesting::Single => "single",
            Nesting::Group => "group",
            Nesting::List => "list",
            Nesting::Set => "set",
            Nesting::Map => "map",
        };
        let mut out = Map::new();
        out.insert("nesting_mode".into(), Json::from(nesting));
        out.insert("block".into(), self.block.to_json());
        if self.min_items > 0 {
            out.insert("min_items".into(), Json::from(self.min_items));
        }
        if self.max_items > 0 {
            out.insert("max_items".into(), Json::from(self.max_items));
        }
        Json::Object(out)
    }
}

impl IdentitySchema {
    /// `{"version": …, "attributes": …}`, as Terraform prints an identity schema.
    pub fn to_json(&self) -> Json {
        let attributes = self.attributes.iter().map(|a| {
            let mut out = Map::new();
            out.insert("type".into(), a.ty.to_json());
            if !a.description.is_empty() {
                out.insert("description".into(), Json::from(a.description.as_str()));
            }
            if a.required_for_import {
                out.insert("required_for_import".into(), Json::Bool(true));
            }
            if a.optional_for_import {
                out.insert("optional_for_import".into(), Json::Bool(true));
            }
            (a.name.clone(), Json::Object(out))
        });
        json!({ "version": self.version, "attributes": Json::Object(attributes.collect()) })
    }
}

#[cfg(test)]
mod tests {
    use crate::identity::{IdentityAttribute, IdentitySchema};
    use crate::schema::{Attribute, Block, NestedBlock, Schema};
    use serde_json::json;

    #[test]
    fn schemas_print_as_terraform_prints_them() {
        let schema = Schema::new(
            1,
            Block::new("A note.")
                .attribute(
                    Attribute::string("title")
                        .required()
                        .description("Its title."),
                )
                .attribute(Attribute::string("id").computed())
                .block(
                    NestedBlock::list("tag", Block::new("A tag."))
                        .min_items(1)
                        .max_items(3),
                ),
        );
        assert_eq!(
            schema.to_json(),
            json!({
                "version": 1,
                "block": {
                    "attributes": {
                        "title": {"type": "string", "description": "Its title.",
                                  "description_kind": "markdown", "required": true},
                        "id": {"type": "string", "description_kind": "markdown", "computed": true},
                    },
                    "block_types": {
                        "tag": {"nesting_mode": "list", "min_items": 1, "max_items": 3,
                                "block": {"description": "A tag.", "description_kind": "markdown"}},
                    },
                    "description": "A note.",
                    "description_kind": "markdown",
                }
            })
        );
        let identity = IdentitySchema::new(0)
            .attribute(IdentityAttribute::string("id").required_for_import())
            .attribute(IdentityAttribute::string("region").description("Where."));
        assert_eq!(
            identity.to_json(),
            json!({"version": 0, "attributes": {
                "id": {"type": "string", "required_for_import": true},
                "region": {"type": "string", "description": "Where.", "optional_for_import": true},
            }})
        );
    }
}
