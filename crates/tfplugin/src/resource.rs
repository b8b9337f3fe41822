//! Managed resources: the [`Resource`] trait a resource type implements, with its
//! state as a plain serde struct, and the requests and answers of its operations. It
//! knows values, schemas and diagnostics but nothing of gRPC or msgpack.

use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::identity::IdentitySchema;
use crate::path::AttributePath;
use crate::schema::Schema;
use crate::value::{Type, Value};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

impl PlanRequest {
    /// The configuration as the serde struct `T`; a value not yet known reads as null
    /// (see [`typed`](crate::typed)). Fails, naming the attribute, when a value does not
    /// fit `T`.
    pub fn config_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        typed(&self.config, "configuration")
    }

    /// The stored state as the serde struct `T`; `None` for a create.
    pub fn prior_as<T: DeserializeOwned>(&self) -> Option<Result<T, Diagnostic>> {
        self.prior_state.as_ref().map(|v| typed(v, "prior state"))
    }
}

impl<S> ApplyRequest<S> {
    /// The configuration as the serde struct `T` (see [`PlanRequest::config_as`]).
    pub fn config_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        typed(&self.config, "configuration")
    }

    /// The planned state as the serde struct `T`; computed members still unknown on
    /// create read as null (see [`typed`](crate::typed)).
    pub fn planned_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        typed(&self.planned_state, "planned state")
    }
}

fn typed<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T, Diagnostic> {
    crate::typed::decode(value, what)
}

/// Import by ID passthrough: the state of an object known only by `id`, with the
/// attribute `attribute` holding it and everything else null, for Read to fill in.
/// Every member of the state but the ID must therefore accept null (an `Option`):
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use tfplugin::resource::import_passthrough;
/// use tfplugin::schema::{Attribute, Block, Schema};
///
/// #[derive(Serialize, Deserialize)]
/// struct BucketState {
///     id: String,
///     name: Option<String>, // null until Read fills it in
/// }
///
/// let schema = Schema::new(
///     0,
///     Block::new("A bucket.")
///         .attribute(Attribute::string("id").computed())
///         .attribute(Attribute::string("name").required()),
/// );
/// // In `Resource::import`: `import_passthrough(&self.schema(), "id", id)`.
/// let imported: BucketState = import_passthrough(&schema, "id", "b-123").expect("importable");
/// assert_eq!(imported.id, "b-123");
/// assert!(imported.name.is_none());
/// ```
pub fn import_passthrough<S: DeserializeOwned>(
    schema: &Schema,
    attribute: &str,
    id: &str,
) -> Result<S, Diagnostics> {
    let Type::Object(members) = schema.value_type() else {
        return Err(
            Diagnostic::error("Import not supported", "The schema is not an object.").into(),
        );
    };
    if !members.contains_key(attribute) {
        return Err(Diagnostic::error(
            "Import not supported",
            format!("The schema has no attribute {attribute:?} to import into."),
        )
        .into());
    }
    let object = members
        .keys()
        .map(|name| {
            let value = if name == attribute {
                Value::string(id)
            } else {
                Value::Null
            };
            (name.clone(), value)
        })
        .collect();
    let state = schema.block.normalize_state(Value::Object(object));
    crate::value::decode(&state).map_err(|e| {
        Diagnostic::error(
            "Import not supported",
            format!("The ID alone does not make a state of this resource: {e}"),
        )
        .into()
    })
}

/// PlanResourceChange for a create or update (destroys are planned by Terraform itself).
pub struct PlanRequest {
    /// `None` when the object does not exist yet (create, or the create half of a replace).
    pub prior_state: Option<Value>,
    /// Terraform's proposal: the config merged with prior computed values.
    pub proposed_new_state: Value,
    /// The configuration as written (unknown where it depends on later values).
    pub config: Value,
    /// What the last apply or read stored privately for this object.
    pub prior_private: Vec<u8>,
    /// What the Terraform client said it can do.
    pub client: ClientCapabilities,
    /// When Terraform plans this change again at apply, with a client that stores
    /// planned private data (protocol 6.11, Terraform 1.16): what this resource's first
    /// plan of the change returned as [`PlanResponse::planned_private`]. `None` for a
    /// first plan, and always with older clients, which plan again from scratch.
    pub stored_plan_private: Option<Vec<u8>>,
}

/// MoveResourceState: an object of another resource type (perhaps of another provider)
/// that a `moved` block makes an object of this one (Terraform 1.8+).
pub struct MoveRequest {
    /// The source's provider, e.g. `registry.terraform.io/example/old`.
    pub source_provider_address: String,
    /// The source's resource type.
    pub source_type_name: String,
    /// The schema version its state was stored with.
    pub source_schema_version: i64,
    /// Its state as stored (JSON), in the source's schema.
    pub source_state: serde_json::Value,
    /// Its private data.
    pub source_private: Vec<u8>,
    /// Its identity as stored (JSON), when it had one (Terraform 1.12+).
    pub source_identity: Option<serde_json::Value>,
    /// The identity schema version of `source_identity`.
    pub source_identity_schema_version: i64,
}

/// What the Terraform client said it can do (protocol ClientCapabilities); a client that
/// says nothing can do none of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// The client can take a deferred answer. The framework never defers.
    pub deferral_allowed: bool,
    /// The client knows write-only attributes. The framework declares none.
    pub write_only_attributes_allowed: bool,
    /// The client keeps a plan's private data and sends it back when it plans the same
    /// change at apply (see [`PlanRequest::stored_plan_private`]).
    pub store_planned_private: bool,
}

/// The provider's plan for one object.
pub struct PlanResponse {
    /// The planned state: the configuration's values, unknown where apply decides.
    pub planned_state: Value,
    /// The changed attributes that force a new object.
    pub requires_replace: Vec<AttributePath>,
    /// Handed back to apply unchanged: how the plan passes facts to apply.
    pub planned_private: Vec<u8>,
    /// Errors fail the plan; warnings are shown.
    pub diagnostics: Diagnostics,
}

/// ApplyResourceChange for a create or an update.
pub struct ApplyRequest<S> {
    /// `None` for a create.
    pub prior_state: Option<S>,
    /// The planned state; on create its computed members may still be unknown.
    pub planned_state: Value,
    /// The configuration as written, now wholly known.
    pub config: Value,
    /// What the plan passed on (see [`PlanResponse::planned_private`]).
    pub planned_private: Vec<u8>,
}

/// What an apply produced. A state together with errors is saved by Terraform (tainted
/// on create): this is how a started but failed operation is never lost.
pub struct ApplyResponse<S> {
    /// The object as it now is; `None` when nothing was created.
    pub new_state: Option<S>,
    /// Kept in state beside the object, for later operations.
    pub private: Vec<u8>,
    /// What happened; errors together with a state save the object (tainted on create).
    pub diagnostics: Diagnostics,
}

impl<S> ApplyResponse<S> {
    /// Success with `state`.
    pub fn ok(state: S) -> Self {
        ApplyResponse {
            new_state: Some(state),
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Failure with no object.
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        ApplyResponse {
            new_state: None,
            private: Vec::new(),
            diagnostics: diagnostics.into(),
        }
    }
}

/// The result of refreshing an object.
pub struct ReadResponse<S> {
    /// `None` removes the object from state: it no longer exists.
    pub new_state: Option<S>,
    /// Kept in state beside the object.
    pub private: Vec<u8>,
    /// Errors keep the object as it was in state.
    pub diagnostics: Diagnostics,
}

/// A managed resource type. Its stored state is the serde struct [`Resource::State`].
/// A provider serves it boxed with [`erase`](crate::erased::erase).
#[async_trait]
pub trait Resource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The object's state, as Terraform stores it.
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// The full type name, e.g. `notes_note`.
    fn type_name(&self) -> &'static str;

    /// The resource's schema, declared once: it drives validation, the codecs and docs.
    fn schema(&self) -> Schema;

    /// Checks of a configuration beyond what the schema's validators declare; values
    /// may still be unknown. Most resources need none.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the plan the schema made (defaults, equivalence, unknown computed values,
    /// plan modifiers: see [`planning`](crate::planning)) with what only the
    /// resource knows, e.g. rules that depend on the stored status or on a remote call.
    /// Most resources need none.
    async fn modify_plan(
        &self,
        _ctx: &Context<C>,
        _request: &PlanRequest,
        _plan: &mut PlanResponse,
    ) {
    }

    /// Creates the object.
    async fn create(
        &self,
        ctx: &Context<C>,
        request: ApplyRequest<Self::State>,
    ) -> ApplyResponse<Self::State>;

    /// In-place update; only reachable when the plan did not require replacement.
    async fn update(
        &self,
        _ctx: &Context<C>,
        _request: ApplyRequest<Self::State>,
    ) -> ApplyResponse<Self::State> {
        ApplyResponse::failed(Diagnostic::error(
            "Update not supported",
            format!(
                "{} cannot be changed in place; every change must replace it.",
                self.type_name()
            ),
        ))
    }

    /// Destroys the object; errors keep it in state.
    async fn delete(&self, ctx: &Context<C>, state: Self::State, private: Vec<u8>) -> Diagnostics;

    /// Refreshes the object; `None` in the answer removes it (it no longer exists).
    async fn read(
        &self,
        ctx: &Context<C>,
        state: Self::State,
        private: Vec<u8>,
    ) -> ReadResponse<Self::State>;

    /// Turns an import ID into a state that Read then refreshes; [`import_passthrough`]
    /// does it for a resource whose ID is all Read needs.
    async fn import(&self, _ctx: &Context<C>, _id: &str) -> Result<Self::State, Diagnostics> {
        Err(Diagnostic::error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        )
        .into())
    }

    /// The identity schema (protocol 6.9, Terraform 1.12): declaring one makes the
    /// framework serve it, fill identities in from [`Resource::identity`], import by
    /// identity and list this resource's objects. `None`: no identity.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object `state` describes, a value of the identity schema's
    /// type ([`IdentitySchema::value`] builds one); `None` while the object has none
    /// yet. It must never change for one object: the framework refuses a change.
    fn identity(&self, _ctx: &Context<C>, _state: &Self::State) -> Option<Value> {
        None
    }

    /// Import by identity (`import { identity = { … } }`): the identity, already checked
    /// against the schema's required attributes, made a state that Read then refreshes.
    async fn import_by_identity(
        &self,
        _ctx: &Context<C>,
        _identity: &Value,
    ) -> Result<Self::State, Diagnostics> {
        Err(Diagnostic::error(
            "Import by identity not supported",
            format!("{} cannot be imported by identity.", self.type_name()),
        )
        .into())
    }

    /// An identity stored as JSON by identity schema `version`, in the current schema.
    /// By default it is read with the current schema ([`IdentitySchema::read_stored`]).
    fn upgrade_identity(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        match self.identity_schema() {
            Some(schema) => schema.read_stored(version, json),
            None => Err(Diagnostic::error(
                "No identity",
                format!("{} has no identity to upgrade.", self.type_name()),
            )
            .into()),
        }
    }

    /// Moves an object of another resource type into this one (`moved { from = …
    /// to = … }` across types): its state in this resource's schema, or why not. `None`
    /// (the default) says this resource takes no objects from `request`'s type; the
    /// framework then refuses the move, naming both types.
    async fn move_state(
        &self,
        _ctx: &Context<C>,
        _request: &MoveRequest,
    ) -> Option<Result<Self::State, Diagnostics>> {
        None
    }

    /// Adjusts the configuration the framework generated for an object found by a list
    /// resource (the state's arguments; see
    /// [`Block::config_from_state`](crate::schema::Block::config_from_state)), e.g. to
    /// leave out an argument that an API echoes back but users never write.
    fn generate_config(&self, config: Value) -> Value {
        config
    }
}
