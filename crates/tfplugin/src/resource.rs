//! Managed resources: the [`Resource`] trait a resource type implements, with its
//! state as a plain serde struct, and the requests and answers of its operations. It
//! knows values, schemas and diagnostics but nothing of gRPC or msgpack.

use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::schema::Schema;
use crate::value::Value;
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
/// A provider serves it boxed with [`erase`](crate::erased::erase).
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
