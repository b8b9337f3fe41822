//! Outposts errors, classified the way callers branch on them. The classification
//! follows the SDK's own: its error codes for throttling and transient failures, and
//! its connector-error kinds; nothing is guessed from message text.

use aws_sdk_outposts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::retry::ErrorKind;
use std::error::Error as StdError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutpostsError {
    /// The outpost, order or capacity task does not exist (or is not visible). Only an
    /// answer whose error code says so: a bare HTTP 404 is not the Outposts API talking.
    #[error("not found: {0}")]
    NotFound(String),
    /// Another capacity task is active for the same order or outpost.
    #[error("conflict: {message}")]
    Conflict {
        message: String,
        /// The order or outpost that already has an active task (AWS names the
        /// resource in conflict, not the task).
        resource_id: Option<String>,
        resource_type: Option<String>,
    },
    /// AWS asked us to slow down and the retries were exhausted. The request had no
    /// effect.
    #[error("throttled: {0}")]
    Throttled(String),
    /// The request broke one of the API's constraints.
    #[error("invalid request: {0}")]
    Validation(String),
    /// The credentials may not do this, or the signature was refused.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// No usable credentials: nothing was sent.
    #[error("no usable AWS credentials: {0}")]
    Credentials(String),
    /// A server error or a connection broken after the request went out: worth trying
    /// again, and the request may or may not have taken effect.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// No answer at all: the connection failed or the attempt timed out, as many times
    /// as a call may go unanswered. The request may have reached AWS and taken effect.
    #[error("{0}")]
    NoAnswer(String),
    /// The endpoint cannot be used: TLS failed, or what answered is not the Outposts
    /// API. Trying again will not help.
    #[error("unusable endpoint: {0}")]
    Endpoint(String),
    /// Terraform asked the provider to stop before the call finished.
    #[error("interrupted: Terraform asked the provider to stop")]
    Interrupted,
    #[error("{0}")]
    Other(String),
}

impl OutpostsError {
    /// Errors a long wait rides out instead of failing.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            OutpostsError::Throttled(_) | OutpostsError::Transient(_) | OutpostsError::NoAnswer(_)
        )
    }

    /// Whether the request may have reached AWS and taken effect although no answer
    /// says so: a server error, a timeout, a broken connection.
    pub fn may_have_taken_effect(&self) -> bool {
        matches!(
            self,
            OutpostsError::Transient(_) | OutpostsError::NoAnswer(_)
        )
    }

    /// Classifies an SDK error: service errors by error code (then HTTP status),
    /// everything else by the SDK's own kind of failure.
    pub(crate) fn from_sdk<E, R>(error: SdkError<E, R>) -> OutpostsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + HttpResponseInfo + 'static,
    {
        match &error {
            SdkError::ServiceError(service) => {
                let raw = service.raw();
                let err = service.err();
                let message = err
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| err.to_string());
                let context = response_context(raw.status_code(), raw.request_id());
                Self::classify(err.code(), raw.status_code(), message, &context)
            }
            SdkError::TimeoutError(_) => {
                OutpostsError::NoAnswer(format!("no answer in time ({})", error_chain(&error)))
            }
            SdkError::DispatchFailure(failure) => match failure.as_connector_error() {
                Some(connector) => Self::from_connector(connector, error_chain(&error)),
                None => OutpostsError::Other(error_chain(&error)),
            },
            SdkError::ResponseError(response) => {
                let raw = response.raw();
                let context = response_context(raw.status_code(), raw.request_id());
                if find_source::<std::io::Error>(&error).is_some() {
                    // The connection broke while the answer was being read.
                    OutpostsError::Transient(format!("{} {context}", error_chain(&error)))
                } else {
                    OutpostsError::Endpoint(format!(
                        "the answer is not one the Outposts API gives {context}: {}",
                        error_chain(&error)
                    ))
                }
            }
            _ => OutpostsError::Other(error_chain(&error)),
        }
    }

    /// A failure before any answer: no credentials, TLS, or the network.
    fn from_connector(connector: &ConnectorError, text: String) -> OutpostsError {
        if find_source::<aws_credential_types::provider::error::CredentialsError>(connector)
            .is_some()
        {
            OutpostsError::Credentials(text)
        } else if is_tls_failure(connector) {
            OutpostsError::Endpoint(format!("TLS failed: {text}"))
        } else if connector.is_timeout() || is_connect_failure(connector) {
            OutpostsError::NoAnswer(format!("no answer ({text})"))
        } else if connector.is_io() || connector.as_other() == Some(ErrorKind::TransientError) {
            OutpostsError::Transient(text)
        } else if connector.is_user() {
            OutpostsError::Endpoint(text)
        } else {
            OutpostsError::Other(text)
        }
    }

    fn classify(code: Option<&str>, status: u16, message: String, context: &str) -> OutpostsError {
        use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
        let text = format!("{message} {context}");
        let code = code.unwrap_or_default();
        match code {
            "NotFoundException" => OutpostsError::NotFound(text),
            "ConflictException" => OutpostsError::Conflict {
                message: text,
                resource_id: None,
                resource_type: None,
            },
            "ValidationException" => OutpostsError::Validation(text),
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "MissingAuthenticationTokenException"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "SignatureDoesNotMatch" => OutpostsError::AccessDenied(text),
            "InternalServerException" | "ServiceUnavailableException" => {
                OutpostsError::Transient(text)
            }
            c if THROTTLING_ERRORS.contains(&c) => OutpostsError::Throttled(text),
            c if TRANSIENT_ERRORS.contains(&c) => OutpostsError::Transient(text),
            "" => match status {
                429 => OutpostsError::Throttled(text),
                500..=599 => OutpostsError::Transient(text),
                // AWS always names its errors; a bare 4xx comes from something else.
                _ => OutpostsError::Endpoint(format!(
                    "HTTP {status} without an AWS error code; the endpoint may not be the \
                     Outposts API {context}"
                )),
            },
            "UnknownOperationException" | "SerializationException" => OutpostsError::Endpoint(
                format!("{code}: the endpoint does not speak the Outposts API: {text}"),
            ),
            other => match status {
                429 => OutpostsError::Throttled(text),
                401 | 403 => OutpostsError::AccessDenied(text),
                500..=599 => OutpostsError::Transient(text),
                _ => OutpostsError::Other(format!("{other}: {text}")),
            },
        }
    }
}

/// `(HTTP 403, request ID …)`: what AWS support asks for.
fn response_context(status: u16, request_id: Option<&str>) -> String {
    match request_id {
        Some(id) => format!("(HTTP {status}, request ID {id})"),
        None => format!("(HTTP {status})"),
    }
}

/// AWS's message without the [`response_context`] the client layer adds to it (the
/// context is logged): for text a user's own configuration shows, such as a capacity
/// check's `reason`.
pub(crate) fn aws_words(message: &str) -> &str {
    match message.rfind(" (HTTP ") {
        Some(at) if message.ends_with(')') => message[..at].trim_end(),
        _ => message,
    }
}

/// Whether a connection failed in TLS (a certificate not trusted, a name mismatch, a
/// server that does not speak TLS): the SDK files these as I/O errors and would retry.
pub(crate) fn is_tls_failure(error: &(dyn StdError + 'static)) -> bool {
    find_source::<rustls::Error>(error).is_some()
}

/// Whether a connection could not be made at all (refused, no route, no such host), as
/// opposed to one that broke after the request went out. TLS failures are apart.
pub(crate) fn is_connect_failure(connector: &ConnectorError) -> bool {
    connector.is_io()
        && !is_tls_failure(connector)
        && find_source::<hyper_util::client::legacy::Error>(connector)
            .is_some_and(hyper_util::client::legacy::Error::is_connect)
}

/// What classification needs of a raw response.
pub(crate) trait HttpResponseInfo {
    fn status_code(&self) -> u16;
    fn request_id(&self) -> Option<&str>;
}

impl HttpResponseInfo for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }

    fn request_id(&self) -> Option<&str> {
        request_id_of(self.headers())
    }
}

/// The request ID AWS puts in every answer.
pub(crate) fn request_id_of(headers: &aws_smithy_runtime_api::http::Headers) -> Option<&str> {
    headers
        .get("x-amzn-requestid")
        .or_else(|| headers.get("x-amz-request-id"))
}

/// The first error of type `T` in `error`'s chain. An `io::Error`'s own `source()` skips
/// its payload, and TLS errors arrive as a rustls error inside an `io::Error` inside
/// another, so payloads are visited too.
fn find_source<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    fn visit<'a, T: StdError + 'static>(
        error: &'a (dyn StdError + 'static),
        depth: usize,
    ) -> Option<&'a T> {
        if depth > 32 {
            return None;
        }
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(payload) = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            && let Some(found) = visit::<T>(payload, depth + 1)
        {
            return Some(found);
        }
        error
            .source()
            .and_then(|source| visit::<T>(source, depth + 1))
    }
    visit::<T>(error, 0)
}

/// The whole error chain in one line: the SDK's top-level message alone is often just
/// "dispatch failure".
pub fn error_chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn reasons_are_aws_words_without_transport_details() {
        assert_eq!(
            aws_words("short by 4 (at 'instancePools'). (HTTP 400, request ID abc)"),
            "short by 4 (at 'instancePools')."
        );
        assert_eq!(aws_words("no context here"), "no context here");
        assert_eq!(aws_words("(HTTP 400)"), "(HTTP 400)");
    }

    use super::*;

    #[test]
    fn codes_and_statuses_classify() {
        let c = |code: &str, status| {
            OutpostsError::classify(Some(code), status, "m".into(), "(HTTP x)")
        };
        assert_eq!(
            c("NotFoundException", 404),
            OutpostsError::NotFound("m (HTTP x)".into())
        );
        assert!(matches!(
            c("ConflictException", 409),
            OutpostsError::Conflict { .. }
        ));
        for code in [
            "ThrottlingException",
            "Throttling",
            "SlowDown",
            "RequestLimitExceeded",
        ] {
            assert!(
                matches!(c(code, 400), OutpostsError::Throttled(_)),
                "{code}"
            );
        }
        assert!(matches!(c("", 429), OutpostsError::Throttled(_)));
        assert!(matches!(c("", 503), OutpostsError::Transient(_)));
        assert!(matches!(
            c("RequestTimeout", 400),
            OutpostsError::Transient(_)
        ));
        assert!(matches!(
            c("InvalidSignatureException", 403),
            OutpostsError::AccessDenied(_)
        ));
        assert!(matches!(c("Weird", 418), OutpostsError::Other(_)));
        assert!(c("InternalServerException", 500).is_transient());
        assert!(c("InternalServerException", 500).may_have_taken_effect());
        assert!(!c("ThrottlingException", 429).may_have_taken_effect());
        assert!(!c("ValidationException", 400).is_transient());
    }

    #[test]
    fn a_bare_404_is_not_a_missing_task() {
        // A web server that is not the Outposts API must never make a task look deleted.
        let e = OutpostsError::classify(None, 404, "Not Found".into(), "(HTTP 404)");
        assert!(matches!(e, OutpostsError::Endpoint(_)), "{e:?}");
        assert!(e.to_string().contains("HTTP 404"), "{e}");
        let e = OutpostsError::classify(
            Some("UnknownOperationException"),
            404,
            "Unknown operation".into(),
            "(HTTP 404)",
        );
        assert!(matches!(e, OutpostsError::Endpoint(_)), "{e:?}");
    }

    #[test]
    fn tls_failures_are_found_inside_io_errors() {
        let rustls_error =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls_error);
        // hyper-rustls nests it in a second io::Error.
        let outer = std::io::Error::other(io);
        let connector = ConnectorError::io(Box::new(outer));
        assert!(is_tls_failure(&connector));
        let plain = ConnectorError::io(Box::new(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )));
        assert!(!is_tls_failure(&plain));
        // An I/O error alone may come after the request went out: not "no answer".
        assert!(!is_connect_failure(&plain));
        assert!(matches!(
            OutpostsError::from_connector(&plain, "reset".into()),
            OutpostsError::Transient(_)
        ));
    }
}
