//! The [`Context`] every operation of a resource or data source receives: the client
//! the provider's configuration produced, and the stop signal.
//!
//! Resources and data sources are stateless descriptions created before the provider is
//! configured; the configured client reaches them in every call through [`Context`], so
//! nothing holds a half-initialised client and there is no global state.

use crate::diag::Diagnostic;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What every operation can see: the configured client and the stop signal.
pub struct Context<C> {
    client: Option<Arc<C>>,
    unconfigured_reason: Option<String>,
    stop: CancellationToken,
}

// Not derived: a context clones whatever the client is.
impl<C> Clone for Context<C> {
    fn clone(&self) -> Self {
        Context {
            client: self.client.clone(),
            unconfigured_reason: self.unconfigured_reason.clone(),
            stop: self.stop.clone(),
        }
    }
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
