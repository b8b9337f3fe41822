//! The `outposts` provider: its configuration block and the resources it serves.

pub mod config;
mod credentials;
#[cfg(test)]
mod protocol_tests;
pub mod schema;
mod validators;

use crate::outposts::{ClientSettings, NetworkTimeouts, OutpostsClient, RetryPolicy};
use crate::resources::capacity_task::CapacityTaskResource;
use async_trait::async_trait;
use aws_config::{AppName, BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_types::timeout::TimeoutConfig;
use config::{ProviderConfig, RetryMode};
use std::time::Duration;
use tfplugin::action::Action;
use tfplugin::diag::Diagnostic;
use tfplugin::erased::{ErasedDataSource, ErasedResource, erase};
use tfplugin::function::Function;
use tfplugin::list::ErasedListResource;
use tfplugin::path::AttributePath;
use tfplugin::provider::{Configured, Provider};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

/// The provider's source address in the registry.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/outposts-labs/outposts";

/// The provider served to Terraform.
#[derive(Default)]
pub struct OutpostsProvider;

impl OutpostsProvider {
    pub fn new() -> Self {
        OutpostsProvider
    }
}

#[async_trait]
impl Provider for OutpostsProvider {
    type Client = OutpostsClient;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    // No `validate` hook: every check of the provider block is a validator in its
    // schema, which the framework runs on ValidateProviderConfig.

    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
    ) -> Configured<OutpostsClient> {
        if !config.is_fully_known() {
            let paths: Vec<String> = config
                .unknown_paths()
                .iter()
                .map(ToString::to_string)
                .collect();
            tracing::info!(unknown = %paths.join(", "), "provider configuration not yet known");
            return Configured::Unknown {
                reason: format!(
                    "The provider configuration depends on values that are known only during \
                     apply ({}), so the provider cannot call AWS while planning. Apply the \
                     resources those values come from first (for example with -target), or \
                     use values known at plan time.",
                    paths.join(", ")
                ),
            };
        }
        // Terraform validated the block before, but with values it did not know yet
        // skipped; now all are known, so the schema's validators run again.
        let diagnostics = schema::schema().block.validate_config(config);
        if diagnostics.has_errors() {
            return Configured::Failed(diagnostics);
        }
        let parsed = match config::parse(config) {
            Ok(parsed) => parsed,
            Err(diagnostics) => return Configured::Failed(diagnostics),
        };
        match build_client(parsed, terraform_version).await {
            Ok(client) => {
                tracing::info!(region = client.region(), "provider configured");
                Configured::Ready(client)
            }
            Err(d) => Configured::Failed(d.into()),
        }
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<OutpostsClient>>> {
        vec![erase(CapacityTaskResource::default())]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<OutpostsClient>>> {
        crate::data_sources::all()
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        crate::functions::all()
    }

    fn actions(&self) -> Vec<Box<dyn Action<OutpostsClient>>> {
        crate::actions::all()
    }

    fn list_resources(&self) -> Vec<Box<dyn ErasedListResource<OutpostsClient>>> {
        crate::list_resources::all()
    }
}

/// How long a connection to an AWS endpoint may take, unless `connect_timeout` says.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt may take, unless `response_timeout` says.
const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(15);

/// Attempts in all when neither `max_retries` nor `AWS_MAX_ATTEMPTS` says: 25 retries,
/// as the hashicorp/aws provider.
const DEFAULT_MAX_ATTEMPTS: u32 = 26;

/// The retry policy: the provider block first, then the SDK's environment variables,
/// which are checked as strictly as the arguments they stand in for.
fn retry_policy(c: &ProviderConfig) -> Result<RetryPolicy, Diagnostic> {
    let max_attempts = match (c.max_retries, env_nonempty("AWS_MAX_ATTEMPTS")) {
        (Some(retries), _) => retries + 1,
        (None, Some(text)) => match text.trim().parse::<u32>() {
            Ok(n) if (1..=101).contains(&n) => n,
            _ => {
                return Err(Diagnostic::error(
                    "Invalid AWS_MAX_ATTEMPTS",
                    format!(
                        "AWS_MAX_ATTEMPTS must be a whole number between 1 and 101 (attempts \
                         in all: max_retries + 1), got {text:?}. Fix or unset it, or set \
                         max_retries in the provider block."
                    ),
                ));
            }
        },
        (None, None) => DEFAULT_MAX_ATTEMPTS,
    };
    let adaptive = match (c.retry_mode, env_nonempty("AWS_RETRY_MODE")) {
        (Some(mode), _) => mode == RetryMode::Adaptive,
        // As the SDK reads it: surrounding space and case do not matter.
        (None, Some(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "standard" => false,
            "adaptive" => true,
            _ => {
                return Err(Diagnostic::error(
                    "Invalid AWS_RETRY_MODE",
                    format!(
                        "AWS_RETRY_MODE must be \"standard\" or \"adaptive\", got {text:?}. \
                         Fix or unset it, or set retry_mode in the provider block."
                    ),
                ));
            }
        },
        (None, None) => false,
    };
    Ok(RetryPolicy {
        max_attempts,
        adaptive,
    })
}

/// Builds the SDK configuration: explicit arguments first, then what `aws-config`
/// finds in the environment, shared files and instance metadata. Credentials are
/// resolved here, so a configuration that cannot authenticate fails now, by name.
async fn build_client(
    c: ProviderConfig,
    terraform_version: &str,
) -> Result<OutpostsClient, Diagnostic> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Ok(name) = AppName::new(format!(
        "terraform-provider-outposts.{}",
        env!("CARGO_PKG_VERSION")
    )) {
        loader = loader.app_name(name);
    }
    tracing::debug!(terraform_version, "configuring AWS clients");

    let missing_files = credentials::check_shared_files(&credentials::shared_files(&c))?;
    let region = c
        .region
        .clone()
        .or_else(|| env_nonempty("AWS_DEFAULT_REGION"));
    if let Some(region) = &region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &c.profile {
        loader = loader.profile_name(profile);
    }
    let profile_files = credentials::profile_files(&c);
    if let Some(files) = &profile_files {
        loader = loader.profile_files(files.clone());
    }
    let static_keys = c.access_key.is_some() && c.secret_key.is_some();
    if let (Some(access_key), Some(secret_key)) = (&c.access_key, &c.secret_key) {
        loader = loader.credentials_provider(Credentials::new(
            access_key,
            secret_key,
            c.token.clone(),
            None,
            "terraform-provider-outposts",
        ));
    }
    let retry = retry_policy(&c)?;
    loader = loader.retry_config(retry.sdk_config());
    let ca_bundle = c
        .custom_ca_bundle
        .clone()
        .map(|p| (p, true))
        .or_else(|| env_nonempty("AWS_CA_BUNDLE").map(|p| (p, false)));
    if let Some((path, from_config)) = ca_bundle {
        loader = loader.http_client(https_client_trusting(&path, from_config).await?);
    }

    // Without these a request whose response never comes would hang an apply: the SDK
    // sets no timeouts by default. The API answers in milliseconds, so an attempt gets
    // seconds, and the client stops after a few unanswered attempts; five minutes bound
    // a call whose retries ride out throttling.
    let timeouts = NetworkTimeouts {
        connect: c.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        response: c.response_timeout.unwrap_or(DEFAULT_RESPONSE_TIMEOUT),
    };
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(timeouts.connect)
            .operation_attempt_timeout(timeouts.response)
            .operation_timeout(Duration::from_secs(300))
            .build(),
    );
    let mut sdk = loader.load().await;
    let Some(region) = sdk.region().map(|r| r.to_string()) else {
        return Err(Diagnostic::error(
            "No AWS region",
            "Set region in the provider block, or AWS_REGION / AWS_DEFAULT_REGION, or a \
             region in the selected profile.",
        )
        .at(AttributePath::attr("region")));
    };
    if !static_keys {
        credentials::check_profile(&c, profile_files.as_ref(), &missing_files).await?;
    }

    if let Some(role) = &c.assume_role {
        let mut sts_config = sdk.to_builder();
        if let Some(sts) = &c.sts_endpoint {
            sts_config = sts_config.endpoint_url(sts);
        }
        let sts_config = sts_config.build();
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(&role.role_arn)
            .session_name(
                role.session_name
                    .clone()
                    .unwrap_or_else(|| "terraform-provider-outposts".to_string()),
            )
            .configure(&sts_config);
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id);
        }
        if let Some(duration) = role.duration {
            builder = builder.session_length(duration);
        }
        let provider = builder.build().await;
        sdk = sdk
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
    }
    credentials::check_credentials(&sdk, &c, &missing_files).await?;

    // The SDK does not report the endpoint it resolved; this follows the same order:
    // the provider block, the service-specific variable, the global one, the default.
    let endpoint = c
        .outposts_endpoint
        .clone()
        .or_else(|| env_nonempty("AWS_ENDPOINT_URL_OUTPOSTS"))
        .or_else(|| env_nonempty("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://outposts.{region}.amazonaws.com"));
    Ok(OutpostsClient::new(
        &sdk,
        ClientSettings {
            region,
            endpoint_override: c.outposts_endpoint.clone(),
            endpoint,
            retry,
            timeouts,
        },
    ))
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// An HTTPS client that trusts exactly the certificate authorities in a PEM bundle.
async fn https_client_trusting(
    path: &str,
    from_config: bool,
) -> Result<aws_smithy_runtime_api::client::http::SharedHttpClient, Diagnostic> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let source = if from_config {
        "custom_ca_bundle"
    } else {
        "AWS_CA_BUNDLE"
    };
    let at = |d: Diagnostic| {
        if from_config {
            d.at(AttributePath::attr("custom_ca_bundle"))
        } else {
            d
        }
    };
    let pem = tokio::fs::read(path).await.map_err(|e| {
        at(Diagnostic::error(
            "Unreadable CA bundle",
            format!("{source} is {path:?}, which could not be read: {e}"),
        ))
    })?;
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(pem))
        .build()
        .map_err(|e| {
            at(Diagnostic::error(
                "Invalid CA bundle",
                format!("{source} is {path:?}, which is not a usable PEM bundle: {e}"),
            ))
        })?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

#[cfg(test)]
mod tests {
    use super::config::tests::config;
    use super::*;

    /// ConfigureProvider gets values ValidateProviderConfig saw unknown: the schema's
    /// validators run again there, before any AWS client is built.
    #[tokio::test]
    async fn configure_rejects_what_validation_could_not_see() {
        for (pairs, expected) in [
            (
                vec![("region", Value::string("mars"))],
                "region: Invalid region",
            ),
            (
                vec![("access_key", Value::string("SECRET-AKID"))],
                "secret_key: Missing secret_key",
            ),
        ] {
            let configured = OutpostsProvider::new()
                .configure(&config(&pairs), "1.9.0")
                .await;
            let Configured::Failed(d) = configured else {
                panic!("{expected}: configured");
            };
            let errors: Vec<String> = d
                .iter()
                .map(|d| {
                    let path = d.attribute.as_ref().map(ToString::to_string);
                    format!("{}: {}", path.unwrap_or_default(), d.summary)
                })
                .collect();
            assert_eq!(errors, [expected]);
            assert!(!format!("{d:?}").contains("SECRET"), "{d:?}");
        }
    }
}
