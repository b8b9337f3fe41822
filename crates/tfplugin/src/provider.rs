//! The provider itself: its configuration block, what configuring it produces, and the
//! [`Context`] every operation receives.
//!
//! Resources and data sources are stateless descriptions created before the provider is
//! configured; the configured client reaches them in every call through [`Context`], so
//! nothing holds a half-initialised client and there is no global state.

use crate::data_source::ErasedDataSource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::function::Function;
use crate::resource::ErasedResource;
use crate::schema::Schema;
use crate::value::Value;
use async_trait::async_trait;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What every operation can see: the configured client and the stop signal.
pub struct Context<C> {
    client: Option<Arc<C>>,
    unconfigured_reason: Option<String>,
    stop: CancellationToken,
}

impl<C> Context<C> {
    /// A context with the configured client (if any) and the stop signal.
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
                    "The provider has not been configured yet, so it has no client to \
                     work with. This is a bug in the provider or in the order of calls \
                     from Terraform."
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

    /// The resource types, each boxed with [`erase`](crate::resource::erase).
    fn resources(&self) -> Vec<Box<dyn ErasedResource<Self::Client>>>;

    /// The data sources, each boxed with [`erase_data_source`](crate::data_source::erase_data_source).
    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Self::Client>>>;

    /// Provider-defined functions (`provider::NAME::FUNCTION(...)`, Terraform 1.8+).
    /// Terraform may call them before the provider is configured, so they get no client.
    fn functions(&self) -> Vec<Box<dyn Function>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::mentions_a_foreign_word;

    #[test]
    fn an_unconfigured_provider_says_so_without_naming_a_cloud() {
        let context = Context::<()>::new(None, CancellationToken::new());
        let Err(diagnostic) = context.client() else {
            panic!("an unconfigured provider has no client");
        };
        assert_eq!(diagnostic.summary, "Provider not configured");
        let detail = diagnostic.detail;
        assert!(detail.contains("not been configured"), "{detail}");
        assert_eq!(mentions_a_foreign_word(&detail), None, "{detail}");
    }
}
