//! The Outposts client layer: the only code that calls the AWS SDK. Thin and typed:
//! find / status / wait, error classification, and ID parsing.

pub mod error;
pub mod ids;
pub mod task;
pub mod wait;

/// The configured clients handed to every resource and data source operation.
#[derive(Clone, Debug)]
pub struct OutpostsClient {
    sdk: aws_sdk_outposts::Client,
    region: String,
    endpoint: String,
}

impl OutpostsClient {
    pub fn new(sdk: aws_sdk_outposts::Client, region: String, endpoint: String) -> Self {
        OutpostsClient {
            sdk,
            region,
            endpoint,
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

    /// The underlying SDK client, for the client layer's own modules.
    pub(crate) fn sdk(&self) -> &aws_sdk_outposts::Client {
        &self.sdk
    }
}
