//! The traits a provider, its resources and its data sources implement. They know
//! values, schemas and diagnostics but nothing of gRPC or msgpack.
//!
//! Resources are stateless descriptions created before the provider is configured; the
//! configured client reaches them in every call through [`Context`], so nothing holds a
//! half-initialised client and there is no global state.

use super::diag::{Diagnostic, Diagnostics};
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What every operation can see: the configured client and the stop signal.
pub struct Context<C> {
    client: Option<Arc<C>>,
    unconfigured_reason: Option<String>,
    stop: CancellationToken,
}

impl<C> Context<C> {
    pub fn new(client: Option<Arc<C>>, stop: CancellationToken) -> Self {
        Context {
            client,
            unconfigured_reason: None,
            stop,
        }
    }

    pub(crate) fn with_unconfigured_reason(mut self, reason: Option<String>) -> Self {
        self.unconfigured_reason = reason;
        self
    }

    /// The client made by ConfigureProvider, or a diagnostic saying why there is none.
    pub fn client(&self) -> Result<&C, Diagnostic> {
        self.client.as_deref().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                self.unconfigured_reason.clone().unwrap_or_else(|| {
                    "The provider has not been configured yet, so it cannot call AWS. \
                     This is a bug in the provider or in the order of calls from Terraform."
                        .to_string()
                }),
            )
        })
    }

    /// Cancelled when Terraform asks the provider to stop (the user pressed Ctrl-C).
    /// Long operations must watch it and return promptly with the state they have.
    pub fn stop(&self) -> &CancellationToken {
        &self.stop
    }
}

/// PlanResourceChange for a create or update (destroys are planned by Terraform itself).
pub struct PlanRequest {
    /// `None` when the object does not exist yet (create, or the create half of a replace).
    pub prior_state: Option<Value>,
    /// Terraform's proposal: the config merged with prior computed values.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

/// The provider's plan for one object.
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<super::path::AttributePath>,
    /// Handed back to apply unchanged: how the plan passes facts to apply.
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// ApplyResourceChange for a create or an update.
pub struct ApplyRequest<S> {
    /// `None` for a create.
    pub prior_state: Option<S>,
    /// The planned state; on create its computed members may still be unknown.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

/// What an apply produced. A state together with errors is saved by Terraform (tainted
/// on create): this is how a started but failed operation is never lost.
pub struct ApplyResponse<S> {
    pub new_state: Option<S>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl<S> ApplyResponse<S> {
    pub fn ok(state: S) -> Self {
        ApplyResponse {
            new_state: Some(state),
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

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
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// A managed resource type. Its stored state is the serde struct [`Resource::State`].
#[async_trait]
pub trait Resource<C: Send + Sync + 'static>: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// The full type name, e.g. `outposts_capacity_task`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Static checks of a configuration whose values may still be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn plan(&self, ctx: &Context<C>, request: PlanRequest) -> PlanResponse;

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

    async fn delete(&self, ctx: &Context<C>, state: Self::State, private: Vec<u8>) -> Diagnostics;

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

/// A data source type. What it reads is the serde struct [`DataSource::State`].
#[async_trait]
pub trait DataSource<C: Send + Sync + 'static>: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Send + Sync;

    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(&self, ctx: &Context<C>, config: &Value) -> Result<Self::State, Diagnostics>;
}

/// The outcome of ConfigureProvider.
pub enum Configured<C> {
    /// Ready to call the API.
    Ready(C),
    /// The configuration depends on values Terraform knows only during apply; operations
    /// that need the API report the reason instead of failing obscurely.
    Unknown {
        reason: String,
    },
    Failed(Diagnostics),
}

/// The provider: its own configuration block and the resources it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What [`Provider::configure`] produces and every operation receives.
    type Client: Send + Sync + 'static;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(&self, config: &Value, terraform_version: &str) -> Configured<Self::Client>;

    fn resources(&self) -> Vec<Box<dyn ErasedResource<Self::Client>>>;

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Self::Client>>>;
}

/// A resource with its state type erased to [`Value`], so a provider can hold several.
/// Implemented for every [`Resource`]; providers box their resources with [`erase`].
#[async_trait]
pub trait ErasedResource<C: Send + Sync + 'static>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn plan(&self, ctx: &Context<C>, request: PlanRequest) -> PlanResponse;
    async fn apply(&self, ctx: &Context<C>, request: ErasedApply) -> ErasedApplied;
    async fn read(&self, ctx: &Context<C>, state: Value, private: Vec<u8>) -> ErasedApplied;
    async fn import(&self, ctx: &Context<C>, id: &str) -> ErasedApplied;
}

/// ApplyResourceChange with values still as [`Value`].
pub struct ErasedApply {
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

/// A state, private data and diagnostics, with the state as [`Value`].
pub struct ErasedApplied {
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// Boxes a resource for [`Provider::resources`].
pub fn erase<C, R>(resource: R) -> Box<dyn ErasedResource<C>>
where
    C: Send + Sync + 'static,
    R: Resource<C>,
{
    Box::new(Typed(resource))
}

/// Boxes a data source for [`Provider::data_sources`].
pub fn erase_data_source<C, D>(data_source: D) -> Box<dyn ErasedDataSource<C>>
where
    C: Send + Sync + 'static,
    D: DataSource<C>,
{
    Box::new(Typed(data_source))
}

struct Typed<T>(T);

fn state_from_value<S: DeserializeOwned>(value: &Value, schema: &Schema) -> Result<S, Diagnostic> {
    super::value::to_serde(value, &schema.value_type()).map_err(|e| {
        Diagnostic::error(
            "Unreadable resource state",
            format!("The state Terraform holds for this object does not match the schema: {e}"),
        )
    })
}

fn state_to_value<S: Serialize>(state: &Option<S>, schema: &Schema) -> Result<Value, Diagnostic> {
    match state {
        None => Ok(Value::Null),
        Some(s) => super::value::from_serde(s, &schema.value_type()).map_err(|e| {
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
    schema: &Schema,
    state: Option<S>,
    private: Vec<u8>,
    mut diagnostics: Diagnostics,
) -> ErasedApplied {
    let state = match state_to_value(&state, schema) {
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
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.0.validate(config)
    }

    async fn plan(&self, ctx: &Context<C>, request: PlanRequest) -> PlanResponse {
        self.0.plan(ctx, request).await
    }

    async fn apply(&self, ctx: &Context<C>, request: ErasedApply) -> ErasedApplied {
        let schema = self.0.schema();
        let prior = if request.prior_state.is_null() {
            None
        } else {
            match state_from_value::<R::State>(&request.prior_state, &schema) {
                Ok(s) => Some(s),
                Err(d) => return failed(d),
            }
        };
        if request.planned_state.is_null() {
            // Destroy: a null planned state.
            let Some(prior) = prior else {
                return erase_outcome::<R::State>(&schema, None, Vec::new(), Diagnostics::new());
            };
            let diagnostics = self.0.delete(ctx, prior, request.planned_private).await;
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
            self.0.create(ctx, typed).await
        } else {
            self.0.update(ctx, typed).await
        };
        erase_outcome(
            &schema,
            outcome.new_state,
            outcome.private,
            outcome.diagnostics,
        )
    }

    async fn read(&self, ctx: &Context<C>, state: Value, private: Vec<u8>) -> ErasedApplied {
        let schema = self.0.schema();
        let typed = match state_from_value::<R::State>(&state, &schema) {
            Ok(s) => s,
            Err(d) => return failed(d),
        };
        let outcome = self.0.read(ctx, typed, private).await;
        erase_outcome(
            &schema,
            outcome.new_state,
            outcome.private,
            outcome.diagnostics,
        )
    }

    async fn import(&self, ctx: &Context<C>, id: &str) -> ErasedApplied {
        let schema = self.0.schema();
        match self.0.import(ctx, id).await {
            Ok(state) => erase_outcome(&schema, Some(state), Vec::new(), Diagnostics::new()),
            Err(diagnostics) => erase_outcome::<R::State>(&schema, None, Vec::new(), diagnostics),
        }
    }
}

/// A data source with its state type erased to [`Value`].
#[async_trait]
pub trait ErasedDataSource<C: Send + Sync + 'static>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn read(&self, ctx: &Context<C>, config: &Value) -> ErasedApplied;
}

#[async_trait]
impl<C, D> ErasedDataSource<C> for Typed<D>
where
    C: Send + Sync + 'static,
    D: DataSource<C>,
{
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.0.validate(config)
    }

    async fn read(&self, ctx: &Context<C>, config: &Value) -> ErasedApplied {
        let schema = self.0.schema();
        match self.0.read(ctx, config).await {
            Ok(state) => erase_outcome(&schema, Some(state), Vec::new(), Diagnostics::new()),
            Err(diagnostics) => erase_outcome::<D::State>(&schema, None, Vec::new(), diagnostics),
        }
    }
}
