//! The `outposts` provider: its configuration block and the resources it serves.

pub mod config;

use crate::outposts::OutpostsClient;
use crate::resources::capacity_task::CapacityTaskResource;
use crate::resources::region::RegionDataSource;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::path::AttributePath;
use crate::tfplugin::resource::{
    Configured, ErasedDataSource, ErasedResource, Provider, erase, erase_data_source,
};
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::Value;
use async_trait::async_trait;
use aws_config::{AppName, BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use config::{ProviderConfig, RetryMode};
use std::time::Duration;

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
        config::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        config::parse(config).1
    }

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
        let (parsed, diagnostics) = config::parse(config);
        if diagnostics.has_errors() {
            return Configured::Failed(diagnostics);
        }
        match build_client(parsed, terraform_version).await {
            Ok(client) => {
                tracing::info!(region = client.region(), "provider configured");
                Configured::Ready(client)
            }
            Err(d) => Configured::Failed(d.into()),
        }
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<OutpostsClient>>> {
        vec![erase(CapacityTaskResource)]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<OutpostsClient>>> {
        vec![erase_data_source(RegionDataSource)]
    }
}

/// Builds the SDK configuration: explicit arguments first, then what `aws-config`
/// finds in the environment, shared files and instance metadata.
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
    if !c.shared_config_files.is_empty() || !c.shared_credentials_files.is_empty() {
        use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
        let mut files = EnvConfigFiles::builder();
        if c.shared_config_files.is_empty() {
            files = files.include_default_config_file(true);
        }
        if c.shared_credentials_files.is_empty() {
            files = files.include_default_credentials_file(true);
        }
        for path in &c.shared_config_files {
            files = files.with_file(EnvConfigFileKind::Config, path);
        }
        for path in &c.shared_credentials_files {
            files = files.with_file(EnvConfigFileKind::Credentials, path);
        }
        loader = loader.profile_files(files.build());
    }
    if let (Some(access_key), Some(secret_key)) = (&c.access_key, &c.secret_key) {
        loader = loader.credentials_provider(Credentials::new(
            access_key,
            secret_key,
            c.token.clone(),
            None,
            "terraform-provider-outposts",
        ));
    }
    if c.max_retries.is_some() || c.retry_mode.is_some() {
        let mut retry = match c.retry_mode {
            Some(RetryMode::Adaptive) => RetryConfig::adaptive(),
            _ => RetryConfig::standard(),
        };
        if let Some(retries) = c.max_retries {
            retry = retry.with_max_attempts(retries + 1);
        }
        loader = loader.retry_config(retry);
    }
    let ca_bundle = c
        .custom_ca_bundle
        .clone()
        .map(|p| (p, true))
        .or_else(|| env_nonempty("AWS_CA_BUNDLE").map(|p| (p, false)));
    if let Some((path, from_config)) = ca_bundle {
        loader = loader.http_client(https_client_trusting(&path, from_config).await?);
    }

    // Without these a request whose response never comes would hang an apply: the SDK
    // sets no per-attempt timeout by default. Retries still apply per attempt.
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(60))
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

    let mut outposts = aws_sdk_outposts::config::Builder::from(&sdk);
    if let Some(endpoint) = &c.outposts_endpoint {
        outposts = outposts.endpoint_url(endpoint);
    }
    // The SDK does not report the endpoint it resolved; this follows the same order:
    // the provider block, the service-specific variable, the global one, the default.
    let endpoint = c
        .outposts_endpoint
        .clone()
        .or_else(|| env_nonempty("AWS_ENDPOINT_URL_OUTPOSTS"))
        .or_else(|| env_nonempty("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://outposts.{region}.amazonaws.com"));
    Ok(OutpostsClient::new(
        aws_sdk_outposts::Client::from_conf(outposts.build()),
        region,
        endpoint,
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
