//! Outposts errors, classified the way callers branch on them.

use aws_sdk_outposts::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutpostsError {
    /// The outpost, order or capacity task does not exist (or is not visible).
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
    /// AWS asked us to slow down and the SDK's retries were exhausted.
    #[error("throttled: {0}")]
    Throttled(String),
    /// The request broke one of the API's constraints.
    #[error("invalid request: {0}")]
    Validation(String),
    /// The credentials may not do this, or the signature was refused.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// A server error, a timeout or a broken connection: worth trying again.
    #[error("temporary failure: {0}")]
    Transient(String),
    #[error("{0}")]
    Other(String),
}

impl OutpostsError {
    /// Errors a long wait rides out instead of failing.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            OutpostsError::Throttled(_) | OutpostsError::Transient(_)
        )
    }

    /// Classifies an SDK error by its error code, then by HTTP status, then by kind.
    pub(crate) fn from_sdk<E, R>(error: SdkError<E, R>) -> OutpostsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + HttpStatus,
    {
        match &error {
            SdkError::ServiceError(service) => {
                let status = service.raw().status_code();
                let err = service.err();
                let message = err
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| err.to_string());
                Self::classify(err.code(), status, message)
            }
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => OutpostsError::Transient(describe(&error)),
            _ => OutpostsError::Other(describe(&error)),
        }
    }

    fn classify(code: Option<&str>, status: u16, message: String) -> OutpostsError {
        match code.unwrap_or_default() {
            "NotFoundException" => OutpostsError::NotFound(message),
            "ConflictException" => OutpostsError::Conflict {
                message,
                resource_id: None,
                resource_type: None,
            },
            "ValidationException" => OutpostsError::Validation(message),
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "MissingAuthenticationTokenException"
            | "ExpiredTokenException" => OutpostsError::AccessDenied(message),
            "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
                OutpostsError::Throttled(message)
            }
            "InternalServerException" | "ServiceUnavailableException" => {
                OutpostsError::Transient(message)
            }
            _ => match status {
                429 => OutpostsError::Throttled(message),
                403 => OutpostsError::AccessDenied(message),
                404 => OutpostsError::NotFound(message),
                500..=599 => OutpostsError::Transient(message),
                _ => OutpostsError::Other(message),
            },
        }
    }
}

/// The HTTP status of a raw response, for classification.
pub(crate) trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// The whole error chain in one line: the SDK's top-level message alone is often just
/// "dispatch failure".
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_classify() {
        let c = |code: &str, status| OutpostsError::classify(Some(code), status, "m".into());
        assert_eq!(
            c("NotFoundException", 404),
            OutpostsError::NotFound("m".into())
        );
        assert!(matches!(
            c("ConflictException", 409),
            OutpostsError::Conflict { .. }
        ));
        assert_eq!(
            c("ThrottlingException", 429),
            OutpostsError::Throttled("m".into())
        );
        assert_eq!(c("", 429), OutpostsError::Throttled("m".into()));
        assert_eq!(c("", 503), OutpostsError::Transient("m".into()));
        assert_eq!(
            c("InvalidSignatureException", 403),
            OutpostsError::AccessDenied("m".into())
        );
        assert_eq!(c("Weird", 418), OutpostsError::Other("m".into()));
        assert!(c("InternalServerException", 500).is_transient());
        assert!(!c("ValidationException", 400).is_transient());
    }
}
