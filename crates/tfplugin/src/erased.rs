//! Resources and data sources with their state types erased to [`Value`], so that a
//! provider can serve several of different types: [`erase`] and [`erase_data_source`]
//! box a typed [`Resource`] or [`DataSource`], and the server works on the boxes. The
//! conversions between a state struct and its [`Value`] happen here, with the value type
//! of the schema worked out once per resource or data source.

use crate::context::Context;
use crate::data_source::DataSource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::identity::IdentitySchema;
use crate::resource::{ApplyRequest, MoveRequest, PlanRequest, PlanResponse, Resource};
use crate::schema::Schema;
use crate::value::{Type, Value};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A resource with its state type erased to [`Value`], so a provider can hold several.
/// Implemented for every [`Resource`]; providers box their resources with [`erase`].
#[async_trait]
pub trait ErasedResource<C: Send + Sync + 'static>: Send + Sync {
    /// [`Resource::type_name`].
    fn type_name(&self) -> &'static str;
    /// [`Resource::schema`].
    fn schema(&self) -> Schema;
    /// [`Resource::validate`].
    fn validate(&self, config: &Value) -> Diagnostics;
    /// [`Resource::modify_plan`].
    async fn modify_plan(&self, ctx: &Context<C>, request: &PlanRequest, plan: &mut PlanResponse);
    /// [`Resource::create`], [`Resource::update`] or [`Resource::delete`], as the
    /// prior and planned states say.
    async fn apply(&self, ctx: &Context<C>, request: ErasedApply) -> ErasedApplied;
    /// [`Resource::read`].
    async fn read(&self, ctx: &Context<C>, state: Value, private: Vec<u8>) -> ErasedApplied;
    /// [`Resource::import`].
    async fn import(&self, ctx: &Context<C>, id: &str) -> ErasedApplied;
    /// [`Resource::identity_schema`].
    fn identity_schema(&self) -> Option<IdentitySchema>;
    /// [`Resource::identity`] of a state given as a [`Value`]; `None` for a null state
    /// or one that does not decode.
    fn identity(&self, ctx: &Context<C>, state: &Value) -> Option<Value>;
    /// [`Resource::import_by_identity`].
    async fn import_by_identity(&self, ctx: &Context<C>, identity: &Value) -> ErasedApplied;
    /// [`Resource::upgrade_identity`].
    fn upgrade_identity(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics>;
    /// [`Resource::generate_config`].
    fn generate_config(&self, config: Value) -> Value;
    /// [`Resource::move_state`].
    async fn move_state(&self, ctx: &Context<C>, request: &MoveRequest) -> Option<ErasedApplied>;
}

/// ApplyResourceChange with values still as [`Value`].
pub struct ErasedApply {
    /// Null for a create.
    pub prior_state: Value,
    /// Null for a destroy.
    pub planned_state: Value,
    /// The configuration, wholly known.
    pub config: Value,
    /// What the plan passed on.
    pub planned_private: Vec<u8>,
}

/// A state, private data and diagnostics, with the state as [`Value`].
pub struct ErasedApplied {
    /// Null when there is no object.
    pub state: Value,
    /// Kept in state beside the object.
    pub private: Vec<u8>,
    /// What happened.
    pub diagnostics: Diagnostics,
}

/// Boxes a resource for [`Provider::resources`](crate::provider::Provider::resources).
pub fn erase<C, R>(resource: R) -> Box<dyn ErasedResource<C>>
where
    C: Send + Sync + 'static,
    R: Resource<C>,
{
    let value_type = resource.schema().value_type();
    Box::new(Typed {
        resource,
        value_type,
    })
}

/// A resource with its schema's value type worked out once, not at every call.
struct Typed<T> {
    resource: T,
    value_type: Type,
}

fn state_from_value<S: DeserializeOwned>(
    value: &Value,
    value_type: &Type,
) -> Result<S, Diagnostic> {
    crate::value::to_serde(value, value_type).map_err(|e| {
        Diagnostic::error(
            "Unreadable resource state",
            format!("The state Terraform holds for this object does not match the schema: {e}"),
        )
    })
}

fn state_to_value<S: Serialize>(state: &Option<S>, value_type: &Type) -> Result<Value, Diagnostic> {
    match state {
        None => Ok(Value::Null),
        Some(s) => crate::value::from_serde(s, value_type).map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid state",
                format!("This is a bug in the provider: {e}"),
            )
        }),
    }
}

/// Converts a typed outcome to the erased one; a state that cannot be encoded becomes
/// an error but never hides the diagnostics already collected.
fn erase_outcome<S: Serialize>(
    value_type: &Type,
    state: Option<S>,
    private: Vec<u8>,
    mut diagnostics: Diagnostics,
) -> ErasedApplied {
    let state = match state_to_value(&state, value_type) {
        Ok(v) => v,
        Err(d) => {
            diagnostics.push(d);
            Value::Null
        }
    };
    ErasedApplied {
        state,
        private,
        diagnostics,
    }
}

/// Converts what an import or a data source's read found: a state, or why there is
/// none.
fn erase_found<S: Serialize>(value_type: &Type, found: Result<S, Diagnostics>) -> ErasedApplied {
    match found {
        Ok(state) => erase_outcome(value_type, Some(state), Vec::new(), Diagnostics::new()),
        Err(diagnostics) => erase_outcome::<S>(value_type, None, Vec::new(), diagnostics),
    }
}

fn failed(diagnostic: Diagnostic) -> ErasedApplied {
    ErasedApplied {
        state: Value::Null,
        private: Vec::new(),
        diagnostics: diagnostic.into(),
    }
}

#[async_trait]
impl<C, R> ErasedResource<C> for Typed<R>
where
    C: Send + Sync + 'static,
    R: Resource<C>,
{
    fn type_name(&self) -> &'static str {
        self.resource.type_name()
    }

    fn schema(&self) -> Schema {
        self.resource.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.resource.validate(config)
    }

    async fn modify_plan(&self, ctx: &Context<C>, request: &PlanRequest, plan: &mut PlanResponse) {
        self.resource.modify_plan(ctx, request, plan).await
    }

    async fn apply(&self, ctx: &Context<C>, request: ErasedApply) -> ErasedApplied {
        let prior = if request.prior_state.is_null() {
            None
        } else {
            match state_from_value::<R::State>(&request.prior_state, &self.value_type) {
                Ok(s) => Some(s),
                Err(d) => return failed(d),
            }
        };
        if request.planned_state.is_null() {
            // Destroy: a null planned state.
            let Some(prior) = prior else {
                return erase_outcome::<R::State>(
                    &self.value_type,
                    None,
                    Vec::new(),
                    Diagnostics::new(),
                );
            };
            let diagnostics = self
                .resource
                .delete(ctx, prior, request.planned_private)
                .await;
            // A failed delete keeps the object: returning the prior state tells Terraform
            // it still exists.
            if diagnostics.has_errors() {
                return ErasedApplied {
                    state: request.prior_state,
                    private: Vec::new(),
                    diagnostics,
                };
            }
            return ErasedApplied {
                state: Value::Null,
                private: Vec::new(),
                diagnostics,
            };
        }
        let typed = ApplyRequest {
            prior_state: prior,
            planned_state: request.planned_state,
            config: request.config,
            planned_private: request.planned_private,
        };
        let outcome = if typed.prior_state.is_none() {
            self.resource.create(ctx, typed).await
        } else {
            self.resource.update(ctx, typed).await
        };
        erase_outcome(
            &self.value_type,
            outcome.new_state,
            outcome.private,
            outcome.diagnostics,
        )
    }

    async fn read(&self, ctx: &Context<C>, state: Value, private: Vec<u8>) -> ErasedApplied {
        let typed = match state_from_value::<R::State>(&state, &self.value_type) {
            Ok(s) => s,
            Err(d) => return failed(d),
        };
        let outcome = self.resource.read(ctx, typed, private).await;
        erase_outcome(
            &self.value_type,
            outcome.new_state,
            outcome.private,
            outcome.diagnostics,
        )
    }

    async fn import(&self, ctx: &Context<C>, id: &str) -> ErasedApplied {
        erase_found(&self.value_type, self.resource.import(ctx, id).await)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.resource.identity_schema()
    }

    fn identity(&self, ctx: &Context<C>, state: &Value) -> Option<Value> {
        if state.is_null() {
            return None;
        }
        let typed = state_from_value::<R::State>(state, &self.value_type).ok()?;
        self.resource.identity(ctx, &typed)
    }

    async fn import_by_identity(&self, ctx: &Context<C>, identity: &Value) -> ErasedApplied {
        let found = self.resource.import_by_identity(ctx, identity).await;
        erase_found(&self.value_type, found)
    }

    fn upgrade_identity(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        self.resource.upgrade_identity(version, json)
    }

    fn generate_config(&self, config: Value) -> Value {
        self.resource.generate_config(config)
    }

    async fn move_state(&self, ctx: &Context<C>, request: &MoveRequest) -> Option<ErasedApplied> {
        let moved = self.resource.move_state(ctx, request).await?;
        Some(erase_found(&self.value_type, moved))
    }
}

/// Boxes a data source for [`Provider::data_sources`](crate::provider::Provider::data_sources).
pub fn erase_data_source<C, D>(data_source: D) -> Box<dyn ErasedDataSource<C>>
where
    C: Send + Sync + 'static,
    D: DataSource<C>,
{
    let value_type = data_source.schema().value_type();
    Box::new(TypedDataSource {
        data_source,
        value_type,
    })
}

/// A data source with its schema's value type worked out once, not at every read.
struct TypedDataSource<T> {
    data_source: T,
    value_type: Type,
}

/// A data source with its state type erased to [`Value`].
#[async_trait]
pub trait ErasedDataSource<C: Send + Sync + 'static>: Send + Sync {
    /// [`DataSource::type_name`].
    fn type_name(&self) -> &'static str;
    /// [`DataSource::schema`].
    fn schema(&self) -> Schema;
    /// [`DataSource::validate`].
    fn validate(&self, config: &Value) -> Diagnostics;
    /// [`DataSource::read`], with the state as a [`Value`].
    async fn read(&self, ctx: &Context<C>, config: &Value) -> ErasedApplied;
}

#[async_trait]
impl<C, D> ErasedDataSource<C> for TypedDataSource<D>
where
    C: Send + Sync + 'static,
    D: DataSource<C>,
{
    fn type_name(&self) -> &'static str {
        self.data_source.type_name()
    }

    fn schema(&self) -> Schema {
        self.data_source.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.data_source.validate(config)
    }

    async fn read(&self, ctx: &Context<C>, config: &Value) -> ErasedApplied {
        erase_found(&self.value_type, self.data_source.read(ctx, config).await)
    }
}
