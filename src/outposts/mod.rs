//! The Outposts client layer: the only code that calls the AWS SDK. Thin and typed:
//! find / status / wait, error classification, and ID parsing.

pub mod catalog;
pub mod error;
pub mod ids;
mod sdk_hooks;
pub mod task;
pub mod time;
pub mod wait;

use error::OutpostsError;
use std::future::Future;
use tokio_util::sync::CancellationToken;

/// How many attempts a call gets and how they are paced; the provider's `max_retries`
/// and `retry_mode`. The SDK applies it to every call but StartCapacityTask, whose
/// attempts the client layer makes itself (see [`task`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (`max_retries` + 1).
    pub max_attempts: u32,
    /// Client-side rate limiting (`retry_mode = "adaptive"`).
    pub adaptive: bool,
}

impl RetryPolicy {
    /// The SDK's retry configuration for this policy.
    pub(crate) fn sdk_config(&self) -> aws_smithy_types::retry::RetryConfig {
        let config = if self.adaptive {
            aws_smithy_types::retry::RetryConfig::adaptive()
        } else {
            aws_smithy_types::retry::RetryConfig::standard()
        };
        config.with_max_attempts(self.max_attempts.max(1))
    }
}

/// The configured clients handed to every resource and data source operation.
#[derive(Clone, Debug)]
pub struct OutpostsClient {
    sdk: aws_sdk_outposts::Client,
    region: String,
    endpoint: String,
    retry: RetryPolicy,
}

/// What the provider block decided, beyond the shared AWS configuration.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub region: String,
    /// `endpoints { outposts = ... }`, when set.
    pub endpoint_override: Option<String>,
    /// The endpoint in use, for messages and the `outposts_region` data source.
    pub endpoint: String,
    pub retry: RetryPolicy,
}

impl OutpostsClient {
    /// The Outposts client for a loaded AWS configuration: every HTTP attempt logged at
    /// DEBUG, TLS failures never retried, retries as the provider block says.
    pub fn new(shared: &aws_types::SdkConfig, settings: ClientSettings) -> Self {
        let mut config = aws_sdk_outposts::config::Builder::from(shared)
            .retry_config(settings.retry.sdk_config())
            .interceptor(sdk_hooks::RequestLog)
            .retry_classifier(sdk_hooks::TlsFailuresAreFinal);
        if let Some(endpoint) = &settings.endpoint_override {
            config = config.endpoint_url(endpoint);
        }
        OutpostsClient {
            sdk: aws_sdk_outposts::Client::from_conf(config.build()),
            region: settings.region,
            endpoint: settings.endpoint,
            retry: settings.retry,
        }
    }

    /// The Outposts API endpoint URL in use.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The region the client was configured for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The underlying SDK client, for the client layer's own modules.
    pub(crate) fn sdk(&self) -> &aws_sdk_outposts::Client {
        &self.sdk
    }
}

/// Runs a read-only call unless Terraform asks the provider to stop first: the SDK's
/// own retries and back-off sleeps do not watch the stop signal, so a stop abandons the
/// call (nothing it could have changed is lost) and answers
/// [`OutpostsError::Interrupted`].
pub async fn until_stopped<T>(
    stop: &CancellationToken,
    call: impl Future<Output = Result<T, OutpostsError>>,
) -> Result<T, OutpostsError> {
    tokio::select! {
        biased;
        _ = stop.cancelled() => Err(OutpostsError::Interrupted),
        result = call => result,
    }
}
