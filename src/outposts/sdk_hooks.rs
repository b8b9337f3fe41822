//! Hooks into the SDK's request pipeline: a DEBUG log line per HTTP attempt, a retry
//! classifier that stops the SDK from retrying failures that retrying cannot fix, and a
//! cap on the attempts that go unanswered.

use super::error::{is_connect_failure, is_tls_failure, request_id_of};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::orchestrator::{Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::retry::RetryConfig;
use std::time::Instant;

/// The current attempt as it was handed to the HTTP client (the request itself is gone
/// by the time the attempt ends).
#[derive(Debug, Clone)]
struct AttemptStarted {
    at: Instant,
    method: String,
    path: String,
}

impl Storable for AttemptStarted {
    type Storer = StoreReplace<Self>;
}

/// Logs every HTTP attempt at DEBUG: operation, attempt number, method and path, HTTP
/// status, request ID and duration. Headers (where the signature and session token
/// travel) and bodies are never logged.
#[derive(Debug, Default)]
pub(crate) struct RequestLog;

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        cfg.interceptor_state().store_put(AttemptStarted {
            at: Instant::now(),
            method: request.method().to_string(),
            path: path_of(request.uri()).to_string(),
        });
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        let attempt = cfg
            .load::<RequestAttempts>()
            .map(|a| a.attempts())
            .unwrap_or(1);
        let (duration_ms, method, path) = cfg
            .load::<AttemptStarted>()
            .map(|s| {
                (
                    Some(s.at.elapsed().as_millis() as u64),
                    s.method.clone(),
                    s.path.clone(),
                )
            })
            .unwrap_or_default();
        match context.response() {
            Some(response) => tracing::debug!(
                %operation,
                attempt,
                %method,
                %path,
                status = response.status().as_u16(),
                request_id = request_id_of(response.headers()).unwrap_or(""),
                duration_ms,
                "AWS request"
            ),
            None => {
                let error = match context.output_or_error() {
                    Some(Err(e)) => {
                        aws_smithy_types::error::display::DisplayErrorContext(e).to_string()
                    }
                    _ => "no response".to_string(),
                };
                tracing::debug!(
                    %operation,
                    attempt,
                    %method,
                    %path,
                    duration_ms,
                    %error,
                    "AWS request failed before a response"
                );
            }
        }
        Ok(())
    }
}

/// The path of a request URI: no host (it may carry user information), no query.
fn path_of(uri: &str) -> &str {
    let without_query = uri.split('?').next().unwrap_or(uri);
    match without_query.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None => without_query,
    }
}

/// The SDK files TLS failures (an untrusted certificate, a name mismatch, a server that
/// does not speak TLS) as I/O errors and retries them like a dropped connection. They
/// are configuration errors: retrying only delays the message by minutes.
#[derive(Debug, Default)]
pub(crate) struct TlsFailuresAreFinal;

impl ClassifyRetry for TlsFailuresAreFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(error)) => match error.as_connector_error() {
                Some(connector) if is_tls_failure(connector) => RetryAction::RetryForbidden,
                _ => RetryAction::NoActionIndicated,
            },
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "TlsFailuresAreFinal"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // After the SDK's transient-error classifier, so this verdict is the last word.
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Whether an attempt ended without any answer: it timed out (`response_timeout`), or
/// the connection timed out (`connect_timeout`) or could not be made. TLS failures are
/// not retried at all ([`TlsFailuresAreFinal`]).
fn is_unanswered<E>(error: &OrchestratorError<E>) -> bool {
    error.is_timeout_error()
        || error
            .as_connector_error()
            .is_some_and(|c| c.is_timeout() || is_connect_failure(c))
}

/// How many attempts of the current call went unanswered.
#[derive(Debug, Clone, Copy)]
struct UnansweredAttempts(u32);

impl Storable for UnansweredAttempts {
    type Storer = StoreReplace<Self>;
}

/// Ends a call's retries once `max` of its attempts got no answer, whatever
/// `max_retries` allows: an API that answers in milliseconds and has not answered
/// several attempts is not reachable, and 26 attempts of 15 s (or a refused connection
/// retried with back-off 26 times) would hold Terraform for minutes. Answered failures
/// (throttling, server errors) keep the full retry policy.
#[derive(Debug)]
pub(crate) struct UnansweredAttemptsCap {
    pub max: u32,
}

impl Intercept for UnansweredAttemptsCap {
    fn name(&self) -> &'static str {
        "UnansweredAttemptsCap"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let unanswered = matches!(context.output_or_error(), Some(Err(e)) if is_unanswered(e));
        if !unanswered {
            return Ok(());
        }
        let count = cfg.load::<UnansweredAttempts>().map_or(0, |u| u.0) + 1;
        cfg.interceptor_state().store_put(UnansweredAttempts(count));
        if count >= self.max {
            // The retry strategy reads the operation's retry configuration after this
            // hook: with no attempts left, it stops here.
            let attempts = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
            if let Some(retry) = cfg.load::<RetryConfig>().cloned() {
                cfg.interceptor_state()
                    .store_put(retry.with_max_attempts(attempts));
            }
        }
        Ok(())
    }
}
