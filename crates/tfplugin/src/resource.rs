//! Managed resources: the [`Resource`] trait a resource type implements, with its
//! state as a plain serde struct, and the requests and answers of its operations. It
//! knows values, schemas and diagnostics but nothing of gRPC or msgpack.

use crate::diag::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::provider::Context;
use crate::schema::Schema;
use crate::value::{Type, Value};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

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
#[async_trait]
pub trait Resource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The object's state, as Terraform stores it.
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// The full type name, e.g. `notes_note`.
    fn type_name(&self) -> &'static str;

    /// The resource's schema, declared once: it drives validation, the codecs and docs.
    fn schema(&self) -> Schema;

    /// Static checks of a configuration whose values may still be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Plans a create or an update: what the object will be, and what forces a new one.
    async fn plan(&self, ctx: &Context<C>, request: PlanRequest) -> PlanResponse;

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

    /// Turns an import ID into a state that Read then refreshes.
    async fn import(&self, _ctx: &Context<C>, _id: &str) -> Result<Self::State, Diagnostics> {
        Err(Diagnostic::error(
            "Import not supported",
            format!("{} cannot be imported.", self.type_name()),
        )
        .into())
    }
}

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
    /// [`Resource::plan`].
    async fn plan(&self, ctx: &Context<C>, request: PlanRequest) -> PlanResponse;
    /// [`Resource::create`], [`Resource::update`] or [`Resource::delete`], as the
    /// prior and planned states say.
    async fn apply(&self, ctx: &Context<C>, request: ErasedApply) -> ErasedApplied;
    /// [`Resource::read`].
    async fn read(&self, ctx: &Context<C>, state: Value, private: Vec<u8>) -> ErasedApplied;
    /// [`Resource::import`].
    async fn import(&self, ctx: &Context<C>, id: &str) -> ErasedApplied;
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
    super::value::to_serde(value, value_type).map_err(|e| {
        Diagnostic::error(
            "Unreadable resource state",
            format!("The state Terraform holds for this object does not match the schema: {e}"),
        )
    })
}

fn state_to_value<S: Serialize>(state: &Option<S>, value_type: &Type) -> Result<Value, Diagnostic> {
    match state {
        None => Ok(Value::Null),
        Some(s) => super::value::from_serde(s, value_type).map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid state",
                format!("This is a bug in the provider: {e}"),
            )
        }),
    }
}

/// Converts a typed outcome to the erased one; a state that cannot be encoded becomes
/// an error but never hides the diagnostics already collected.
pub(crate) fn erase_outcome<S: Serialize>(
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

    async fn plan(&self, ctx: &Context<C>, request: PlanRequest) -> PlanResponse {
        self.resource.plan(ctx, request).await
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
        match self.resource.import(ctx, id).await {
            Ok(state) => erase_outcome(
                &self.value_type,
                Some(state),
                Vec::new(),
                Diagnostics::new(),
            ),
            Err(diagnostics) => {
                erase_outcome::<R::State>(&self.value_type, None, Vec::new(), diagnostics)
            }
        }
    }
}
