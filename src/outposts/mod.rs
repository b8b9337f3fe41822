//! The Outposts client layer: the only code that calls the AWS SDK. Thin and typed:
//! find / status / wait, error classification, and ID parsing.

pub mod cancel;
pub mod catalog;
pub mod error;
pub mod ids;
mod sdk_hooks;
pub mod task;
pub mod time;
pub mod wait;

use aws_sdk_outposts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use error::{HttpResponseInfo, OutpostsError};
use std::error::Error as StdError;
use std::future::Future;
use std::time::Duration;
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

/// How many attempts of one call may go unanswered (no connection, or no answer within
/// the response timeout) before the call fails, whatever the retry policy allows.
pub const MAX_UNANSWERED_ATTEMPTS: u32 = 3;

/// How long the client waits for the network: the provider's `connect_timeout` and
/// `response_timeout`, for messages (the SDK configuration applies them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkTimeouts {
    pub connect: Duration,
    /// One attempt, the connection included.
    pub response: Duration,
}

/// The configured clients handed to every resource and data source operation.
#[derive(Clone, Debug)]
pub struct OutpostsClient {
    sdk: aws_sdk_outposts::Client,
    region: String,
    endpoint: String,
    retry: RetryPolicy,
    timeouts: NetworkTimeouts,
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
    pub timeouts: NetworkTimeouts,
}

impl OutpostsClient {
    /// The Outposts client for a loaded AWS configuration: every HTTP attempt logged at
    /// DEBUG, TLS failures never retried, retries as the provider block says but at most
    /// [`MAX_UNANSWERED_ATTEMPTS`] unanswered ones.
    pub fn new(shared: &aws_types::SdkConfig, settings: ClientSettings) -> Self {
        let mut config = aws_sdk_outposts::config::Builder::from(shared)
            .retry_config(settings.retry.sdk_config())
            .interceptor(sdk_hooks::RequestLog)
            .interceptor(sdk_hooks::UnansweredAttemptsCap {
                max: MAX_UNANSWERED_ATTEMPTS,
            })
            .retry_classifier(sdk_hooks::TlsFailuresAreFinal);
        if let Some(endpoint) = &settings.endpoint_override {
            config = config.endpoint_url(endpoint);
        }
        OutpostsClient {
            sdk: aws_sdk_outposts::Client::from_conf(config.build()),
            region: settings.region,
            endpoint: settings.endpoint,
            retry: settings.retry,
            timeouts: settings.timeouts,
        }
    }

    /// A client of an Outposts API at `endpoint` (the simulator, in unit tests), with
    /// test credentials, one attempt per call and short network timeouts.
    #[cfg(test)]
    pub(crate) fn for_endpoint(endpoint: &str) -> Self {
        let sdk = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("us-west-2"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        "AKIDTESTACCESSKEY01",
                        "test-secret-key",
                        None,
                        None,
                        "unit-tests",
                    ),
                ),
            )
            .build();
        OutpostsClient::new(
            &sdk,
            ClientSettings {
                region: "us-west-2".into(),
                endpoint_override: Some(endpoint.to_string()),
                endpoint: endpoint.to_string(),
                retry: RetryPolicy {
                    max_attempts: 1,
                    adaptive: false,
                },
                timeouts: NetworkTimeouts {
                    connect: Duration::from_secs(5),
                    response: Duration::from_secs(10),
                },
            },
        )
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

    /// Every item a paginated call lists (`.into_paginator().items().send()`), all pages
    /// read; the first failed page fails the call.
    pub(crate) async fn every_item<T, E, R>(
        &self,
        items: PaginationStream<Result<T, SdkError<E, R>>>,
    ) -> Result<Vec<T>, OutpostsError>
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + HttpResponseInfo + 'static,
    {
        items
            .try_collect()
            .await
            .map_err(|e| self.error_from_sdk(e))
    }

    /// Classifies an SDK error ([`OutpostsError::from_sdk`]); when the endpoint could not
    /// be reached, the error names it and says what to check.
    pub(crate) fn error_from_sdk<E, R>(&self, error: SdkError<E, R>) -> OutpostsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + HttpResponseInfo + 'static,
    {
        // No answer is a timeout, or a connection that could not be made at all.
        let timed_out = match &error {
            SdkError::TimeoutError(_) => true,
            SdkError::DispatchFailure(failure) => {
                failure.as_connector_error().is_some_and(|c| c.is_timeout())
            }
            _ => false,
        };
        let detail = error::error_chain(&error);
        match OutpostsError::from_sdk(error) {
            OutpostsError::NoAnswer(_) => {
                let what = if timed_out {
                    "did not answer in time"
                } else {
                    "could not be reached"
                };
                OutpostsError::NoAnswer(format!(
                    "the Outposts endpoint {} {what} ({detail}). {}",
                    self.endpoint,
                    self.reachability_advice()
                ))
            }
            other => other,
        }
    }

    /// What to check when the endpoint does not answer.
    fn reachability_advice(&self) -> String {
        format!(
            "Check that it is reachable from where Terraform runs, that endpoints.outposts \
             or AWS_ENDPOINT_URL_OUTPOSTS (when set) names the Outposts API, and the \
             provider's connect_timeout ({}) and response_timeout ({}); a call gives up \
             after {MAX_UNANSWERED_ATTEMPTS} unanswered attempts.",
            tfplugin::duration::format(self.timeouts.connect),
            tfplugin::duration::format(self.timeouts.response),
        )
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
