//! What the service serves: each schema with its value type, worked out once; finding
//! a resource or data source by its type name; validating a configuration.

use super::wire::{decode, diags};
use crate::action::Action;
use crate::diag::{Diagnostic, Diagnostics};
use crate::erased::{ErasedDataSource, ErasedResource};
use crate::function::{Function, Signature};
use crate::identity::IdentitySchema;
use crate::list::ErasedListResource;
use crate::proto::tfplugin6 as pb;
use crate::schema::Schema;
use crate::value::{Type, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A schema and the value type of its values, which every call decodes and encodes
/// with: both worked out once, when the provider's schemas are built, not at every call.
pub(super) struct ServedSchema {
    pub(super) schema: Schema,
    pub(super) ty: Type,
    /// A resource's identity schema and the type of its values.
    pub(super) identity: Option<(IdentitySchema, Type)>,
}

impl ServedSchema {
    pub(super) fn new(schema: Schema) -> Self {
        let ty = schema.value_type();
        ServedSchema {
            schema,
            ty,
            identity: None,
        }
    }

    pub(super) fn with_identity(mut self, identity: Option<IdentitySchema>) -> Self {
        self.identity = identity.map(|i| {
            let ty = i.value_type();
            (i, ty)
        });
        self
    }
}

/// A resource with the schema it declared; shared with the tasks that stream answers.
pub(super) type ServedResource<C> = (Arc<dyn ErasedResource<C>>, ServedSchema);
/// A list resource with the schema of its configuration.
pub(super) type ServedList<C> = (Arc<dyn ErasedListResource<C>>, ServedSchema);
/// An action with the schema of its configuration.
pub(super) type ServedAction<C> = (Arc<dyn Action<C>>, ServedSchema);
/// A data source with the schema it declared.
pub(super) type ServedDataSource<C> = (Box<dyn ErasedDataSource<C>>, ServedSchema);
/// A function with the signature it declared, computed once.
pub(super) type ServedFunction = (Box<dyn Function>, Signature);

/// Decodes a configuration with its schema's type, then checks it against the schema
/// and with the provider's own validation.
pub(super) fn validate(
    raw: Option<&pb::DynamicValue>,
    served: &ServedSchema,
    what: &str,
    check: impl FnOnce(&Value) -> Diagnostics,
) -> Diagnostics {
    match decode(raw, &served.ty, what) {
        Ok(config) => {
            let mut d = served.schema.block.validate_config(&config);
            d.extend(check(&config));
            d
        }
        Err(d) => d,
    }
}

/// What `type_name` names among the served resources or data sources; an error
/// with `summary` where it names nothing (`kind` is what the provider has none of).
pub(super) fn find_served<'a, T>(
    served: &'a BTreeMap<&'static str, (T, ServedSchema)>,
    type_name: &str,
    summary: &str,
    kind: &str,
) -> Result<&'a (T, ServedSchema), Diagnostics> {
    served.get(type_name).ok_or_else(|| {
        Diagnostic::error(
            summary,
            format!("This provider does not have {kind} named {type_name:?}."),
        )
        .into()
    })
}

/// Validates a resource's or data source's configuration, once `found`, with its
/// schema and with its own `check`.
pub(super) fn validate_found<T>(
    found: Result<&(T, ServedSchema), Diagnostics>,
    raw: Option<&pb::DynamicValue>,
    check: impl FnOnce(&T, &Value) -> Diagnostics,
) -> Vec<pb::Diagnostic> {
    let diagnostics = match found {
        Ok((found, served)) => {
            validate(raw, served, "configuration", |config| check(found, config))
        }
        Err(d) => d,
    };
    diags(&diagnostics)
}
