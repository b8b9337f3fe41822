//! Resource identity (protocol 6.9, Terraform 1.12 and OpenTofu 1.12): the few
//! attributes that name one remote object, declared beside a resource's schema.
//!
//! Terraform stores an object's identity beside its state, imports by it
//! (`import { to = …, identity = { … } }`), and a list resource's results carry it. A
//! resource declares an [`IdentitySchema`] and derives the identity from its state
//! ([`Resource::identity`](crate::resource::Resource::identity)); the framework serves
//! the schema, fills the identity into every answer that carries one, and checks an
//! identity Terraform sends before the resource sees it. Clients older than 1.12 never
//! ask for identities and see nothing of them.

use crate::diag::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// One attribute of an identity.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    /// Its name.
    pub name: String,
    /// Its type: identities hold strings, numbers, booleans and lists of them.
    pub ty: Type,
    /// An import by identity must give it.
    pub required_for_import: bool,
    /// An import by identity may leave it out.
    pub optional_for_import: bool,
    /// Markdown for docs.
    pub description: String,
}

impl IdentityAttribute {
    /// An attribute of type `ty`, optional for import until declared required.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        IdentityAttribute {
            name: name.into(),
            ty,
            required_for_import: false,
            optional_for_import: true,
            description: String::new(),
        }
    }

    /// A string attribute.
    pub fn string(name: impl Into<String>) -> Self {
        IdentityAttribute::new(name, Type::String)
    }

    /// An import by identity must give this attribute.
    pub fn required_for_import(mut self) -> Self {
        self.required_for_import = true;
        self.optional_for_import = false;
        self
    }

    /// An import by identity may leave this attribute out (the default).
    pub fn optional_for_import(mut self) -> Self {
        self.required_for_import = false;
        self.optional_for_import = true;
        self
    }

    /// Markdown for docs.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
}

/// A resource's identity schema and its version.
#[derive(Clone, Debug, Default)]
pub struct IdentitySchema {
    /// Raised when the identity's shape changes; Terraform asks to upgrade identities
    /// stored with an older version.
    pub version: i64,
    /// The attributes, in the order declared.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// An identity schema of `version`, without attributes yet.
    pub fn new(version: i64) -> Self {
        IdentitySchema {
            version,
            attributes: Vec::new(),
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: IdentityAttribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The type of its values: an object of the attributes.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }

    /// Checks an identity given for an import: an object whose required attributes are
    /// set and known, each error on the attribute at fault.
    pub fn check_for_import(&self, identity: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if !identity.is_known() || identity.is_null() {
            diagnostics.push(Diagnostic::error(
                "Invalid identity",
                "An import by identity needs the identity's attributes.",
            ));
            return diagnostics;
        }
        for attribute in &self.attributes {
            let value = identity.attr(&attribute.name);
            if !value.is_none_or(Value::is_fully_known) {
                diagnostics.push(
                    Diagnostic::error(
                        "Identity not known",
                        format!(
                            "{} will only be known during apply; an import needs it now.",
                            attribute.name
                        ),
                    )
                    .at(AttributePath::attr(&attribute.name)),
                );
            } else if attribute.required_for_import && value.is_none_or(Value::is_null) {
                diagnostics.push(
                    Diagnostic::error(
                        "Missing identity attribute",
                        format!(
                            "An import by identity must give {}. Required: {}.",
                            attribute.name,
                            self.required_names().join(", ")
                        ),
                    )
                    .at(AttributePath::attr(&attribute.name)),
                );
            }
        }
        diagnostics
    }

    fn required_names(&self) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|a| a.required_for_import)
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Reads an identity stored as JSON by identity schema `version` (Terraform sends
    /// it for UpgradeResourceIdentity) with the current schema: attributes no longer
    /// declared are dropped and new ones are null. This is the upgrade for every change
    /// that only adds or removes attributes; a resource with other changes overrides
    /// [`Resource::upgrade_identity`](crate::resource::Resource::upgrade_identity).
    pub fn read_stored(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        if version > self.version {
            return Err(Diagnostic::error(
                "Identity from a newer provider",
                format!(
                    "The identity was stored by a provider with identity version {version}, \
                     but this provider knows versions up to {}. Upgrade the provider.",
                    self.version
                ),
            )
            .into());
        }
        let stored: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
            Diagnostic::error(
                "Unreadable stored identity",
                format!("The stored identity is not JSON: {e}"),
            )
        })?;
        let serde_json::Value::Object(stored) = stored else {
            return Err(Diagnostic::error(
                "Unreadable stored identity",
                "The stored identity is not a JSON object.",
            )
            .into());
        };
        let kept: serde_json::Map<String, serde_json::Value> = stored
            .into_iter()
            .filter(|(name, _)| self.attributes.iter().any(|a| &a.name == name))
            .collect();
        let text = serde_json::Value::Object(kept).to_string();
        crate::value::decode_json(text.as_bytes(), &self.value_type()).map_err(|e| {
            Diagnostic::error(
                "Unreadable stored identity",
                format!("The stored identity does not fit identity version {version}: {e}"),
            )
            .into()
        })
    }

    /// The identity with every declared attribute present (null where `members` has
    /// none): how a resource builds one from its state.
    pub fn value(&self, mut members: BTreeMap<String, Value>) -> Value {
        Value::Object(
            self.attributes
                .iter()
                .map(|a| {
                    let value = members.remove(&a.name).unwrap_or(Value::Null);
                    (a.name.clone(), value)
                })
                .collect(),
        )
    }
}

/// Whether `new` may follow `prior` as the identity of one object: every attribute the
/// prior identity had set keeps its value (one it left null may be filled in).
pub fn same_object(prior: &Value, new: &Value) -> bool {
    let (Value::Object(prior), Value::Object(new)) = (prior, new) else {
        return prior.is_null() || prior == new;
    };
    prior
        .iter()
        .all(|(name, value)| value.is_null() || new.get(name) == Some(value))
}

/// The error for an identity that changed under a resource: Terraform would refuse it
/// later with less to go on.
pub(crate) fn changed(prior: &Value, new: &Value) -> Diagnostic {
    Diagnostic::error(
        "Unexpected identity change",
        format!(
            "The provider derived the identity {new:?} for an object whose identity was \
             {prior:?}. An object's identity never changes; this is a bug in the provider."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::object;

    fn schema() -> IdentitySchema {
        IdentitySchema::new(1)
            .attribute(IdentityAttribute::string("id").required_for_import())
            .attribute(IdentityAttribute::string("region"))
    }

    #[test]
    fn an_import_identity_needs_its_required_attributes_known() {
        let s = schema();
        let ok = object(&[("id", Value::string("n-1")), ("region", Value::Null)]);
        assert!(s.check_for_import(&ok).is_empty());
        let missing = object(&[("id", Value::Null), ("region", Value::string("r"))]);
        let d = s.check_for_import(&missing);
        assert_eq!(d.iter().count(), 1);
        let first = d.iter().next().expect("one diagnostic");
        assert_eq!(first.summary, "Missing identity attribute");
        assert_eq!(first.attribute, Some(AttributePath::attr("id")));
        let unknown = object(&[("id", Value::Unknown), ("region", Value::Null)]);
        assert!(s.check_for_import(&unknown).has_errors());
    }

    #[test]
    fn a_stored_identity_is_read_with_the_current_schema() {
        let s = schema();
        let old = br#"{"id":"n-1","zone":"gone"}"#;
        let read = s.read_stored(0, old).expect("readable");
        assert_eq!(
            read,
            object(&[("id", Value::string("n-1")), ("region", Value::Null)])
        );
        assert!(s.read_stored(2, old).is_err(), "newer versions are refused");
        assert!(s.read_stored(0, b"[1]").is_err());
    }

    #[test]
    fn an_identity_may_gain_values_but_never_change_them() {
        let prior = object(&[("id", Value::string("n-1")), ("region", Value::Null)]);
        let filled = object(&[("id", Value::string("n-1")), ("region", Value::string("r"))]);
        let other = object(&[("id", Value::string("n-2")), ("region", Value::Null)]);
        assert!(same_object(&prior, &filled));
        assert!(!same_object(&prior, &other));
        assert!(!same_object(&filled, &prior));
    }
}
