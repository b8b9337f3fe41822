//! AWS's rest-json error format: the HTTP status, the `X-Amzn-ErrorType` header and
//! a `{"Message": ...}` body the SDKs parse into their typed errors.

use super::*;

/// An error answered in AWS's rest-json error format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// ConflictException's `ResourceId` and `ResourceType`.
    pub resource: Option<(String, Option<&'static str>)>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            resource: None,
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationException", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFoundException", message)
    }

    pub fn conflict(
        message: impl Into<String>,
        resource_id: &str,
        resource_type: Option<&'static str>,
    ) -> Self {
        Self {
            resource: Some((resource_id.to_string(), resource_type)),
            ..Self::new(StatusCode::CONFLICT, "ConflictException", message)
        }
    }

    pub(super) fn serialization(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException", message)
    }

    pub(super) fn unknown_operation() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "Unknown operation",
        )
    }

    pub(super) fn auth(error: &AuthError) -> Self {
        Self::new(StatusCode::FORBIDDEN, error.code(), error.to_string())
    }

    /// What an AWS front answers a caller over its rate limit: 429
    /// `ThrottlingException`, "Rate exceeded". Injected `throttle` faults and the rate
    /// limits answer alike.
    pub(super) fn throttling() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "ThrottlingException",
            "Rate exceeded",
        )
    }

    pub(super) fn injected(kind: FaultKind, operation: Operation) -> Self {
        let op = operation.as_str();
        match kind {
            FaultKind::Throttle => Self::throttling(),
            FaultKind::ServiceUnavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableException",
                "Service is unavailable (injected by the simulator)",
            ),
            FaultKind::AccessDenied => Self::new(
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                format!(
                    "User is not authorized to perform: outposts:{op} (injected by the simulator)"
                ),
            ),
            FaultKind::NotFound => Self::not_found(format!(
                "Resource not found (injected by the simulator for {op})"
            )),
            FaultKind::ServerError
            | FaultKind::Latency
            | FaultKind::LoseResponse
            | FaultKind::RivalStart
            | FaultKind::OmitTaskId => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                "An internal error has occurred (injected by the simulator)",
            ),
        }
    }

    pub(super) fn into_response(self, request_id: &str) -> Response {
        // `Message` is the member every modelled Outposts error has, so clients that
        // parse errors by the model find it; `message` is the spelling generic
        // rest-json error parsers look for first.
        let mut body = json!({ "Message": self.message, "message": self.message });
        if let Some((id, resource_type)) = &self.resource {
            body["ResourceId"] = json!(id);
            if let Some(t) = resource_type {
                body["ResourceType"] = json!(t);
            }
        }
        let mut response = json_response(self.status, &body, request_id);
        response
            .headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(self.code));
        response
    }
}

pub(super) fn json_response(
    status: StatusCode,
    body: &impl Serialize,
    request_id: &str,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

pub(super) type ApiResult = Result<serde_json::Value, ApiError>;
