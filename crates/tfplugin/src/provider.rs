//! The provider itself: its configuration block, what configuring it produces, and the
//! resources, data sources and functions it serves.

use crate::action::Action;
use crate::diag::Diagnostics;
use crate::erased::{ErasedDataSource, ErasedResource};
use crate::function::Function;
use crate::list::ErasedListResource;
use crate::schema::Schema;
use crate::value::Value;
use async_trait::async_trait;

/// What every operation receives, re-exported beside the provider that configures it.
pub use crate::context::Context;

/// The outcome of ConfigureProvider.
pub enum Configured<C> {
    /// Ready to call the API.
    Ready(C),
    /// The configuration depends on values Terraform knows only during apply; operations
    /// that need the API report the reason instead of failing obscurely.
    Unknown {
        /// Why: which configuration values are not known yet.
        reason: String,
    },
    /// The configuration is unusable; the diagnostics say why.
    Failed(Diagnostics),
}

/// The provider: its own configuration block and the resources it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What [`Provider::configure`] produces and every operation receives.
    type Client: Send + Sync + 'static;

    /// The provider block's schema.
    fn schema(&self) -> Schema;

    /// Checks of the provider block beyond what the schema implies (which the framework
    /// checks itself); values may still be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Builds the client from the provider block. Called once per provider process,
    /// before any operation that needs the client.
    async fn configure(&self, config: &Value, terraform_version: &str) -> Configured<Self::Client>;

    /// The resource types, each boxed with [`erase`](crate::erased::erase).
    fn resources(&self) -> Vec<Box<dyn ErasedResource<Self::Client>>>;

    /// The data sources, each boxed with
    /// [`erase_data_source`](crate::erased::erase_data_source).
    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Self::Client>>>;

    /// Provider-defined functions (`provider::NAME::FUNCTION(...)`, Terraform 1.8+).
    /// Terraform may call them before the provider is configured, so they get no client.
    fn functions(&self) -> Vec<Box<dyn Function>> {
        Vec::new()
    }

    /// List resources for `terraform query` (Terraform 1.14+), each boxed with
    /// [`erase_list`](crate::list::erase_list) and named after a managed resource of
    /// [`Provider::resources`] that has an identity.
    fn list_resources(&self) -> Vec<Box<dyn ErasedListResource<Self::Client>>> {
        Vec::new()
    }

    /// Actions (Terraform 1.14+).
    fn actions(&self) -> Vec<Box<dyn Action<Self::Client>>> {
        Vec::new()
    }
}

/// What Terraform 1.14 and later print for a provider in `terraform providers schema
/// -json` beside resources and data sources: `list_resource_schemas`, `action_schemas`
/// and `resource_identity_schemas`, in that JSON form. Docs tooling merges them into
/// what an older Terraform prints.
pub fn newer_schemas_json<P: Provider>(provider: &P) -> serde_json::Value {
    let lists = provider
        .list_resources()
        .iter()
        .map(|l| (l.type_name().to_string(), l.schema().to_json()))
        .collect::<serde_json::Map<_, _>>();
    let actions = provider
        .actions()
        .iter()
        .map(|a| {
            let block = a.schema().block.to_json();
            (
                a.type_name().to_string(),
                serde_json::json!({ "block": block }),
            )
        })
        .collect::<serde_json::Map<_, _>>();
    let identities = provider
        .resources()
        .iter()
        .filter_map(|r| Some((r.type_name().to_string(), r.identity_schema()?.to_json())))
        .collect::<serde_json::Map<_, _>>();
    serde_json::json!({
        "list_resource_schemas": lists,
        "action_schemas": actions,
        "resource_identity_schemas": identities,
    })
}
