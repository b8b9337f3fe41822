//! The provider block read into [`ProviderConfig`]. The arguments are checked by the
//! validators the schema declares ([`super::schema`]); this only reads them, once every
//! value is known. Arguments not set fall back to the usual AWS environment variables
//! and shared files through `aws-config`.

use serde::Deserialize;
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::path::{AttributePath, PathStep};
use tfplugin::value::{self, Value};

/// The provider block with every value known. Holds secrets: no `Debug`, never logged.
#[derive(Default)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub skip_region_validation: bool,
    pub profile: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub max_retries: Option<u32>,
    pub retry_mode: Option<RetryMode>,
    /// How long to wait for a connection to an AWS endpoint.
    pub connect_timeout: Option<Duration>,
    /// How long one attempt of a call may take, the connection included.
    pub response_timeout: Option<Duration>,
    pub custom_ca_bundle: Option<String>,
    pub assume_role: Option<AssumeRole>,
    pub outposts_endpoint: Option<String>,
    pub sts_endpoint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryMode {
    Standard,
    Adaptive,
}

pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
}

/// The longest `connect_timeout` or `response_timeout` accepted: more only delays the
/// message about a dead endpoint.
pub const MAX_NETWORK_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The block as Terraform sends it; durations still text.
#[derive(Deserialize)]
struct Block {
    region: Option<String>,
    skip_region_validation: Option<bool>,
    profile: Option<String>,
    #[serde(default)]
    shared_config_files: Option<Vec<String>>,
    #[serde(default)]
    shared_credentials_files: Option<Vec<String>>,
    access_key: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    max_retries: Option<u32>,
    retry_mode: Option<RetryMode>,
    connect_timeout: Option<String>,
    response_timeout: Option<String>,
    custom_ca_bundle: Option<String>,
    #[serde(default)]
    assume_role: Option<Vec<AssumeRoleBlock>>,
    #[serde(default)]
    endpoints: Option<Vec<EndpointsBlock>>,
}

#[derive(Deserialize)]
struct AssumeRoleBlock {
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct EndpointsBlock {
    outposts: Option<String>,
    sts: Option<String>,
}

/// The arguments whose values no message may repeat.
const SECRETS: [&str; 3] = ["access_key", "secret_key", "token"];

/// Reads a wholly known provider block that the schema's validators have passed.
/// Anything still unreadable is an error on its path (a value that is unknown, or one
/// the validators did not see); the message never repeats a secret.
pub fn parse(config: &Value) -> Result<ProviderConfig, Diagnostics> {
    let block: Block = value::decode(config).map_err(|e| {
        let secret = e.path.steps.iter().any(
            |step| matches!(step, PathStep::Attribute(name) if SECRETS.contains(&name.as_str())),
        );
        let detail = if secret {
            "The value cannot be read.".to_string()
        } else {
            e.message
        };
        Diagnostics::from(Diagnostic::error("Invalid provider configuration", detail).at(e.path))
    })?;
    let mut diagnostics = Diagnostics::new();
    let mut duration = |text: Option<String>, path: AttributePath| {
        let text = text?;
        tfplugin::duration::parse(&text)
            .map_err(|e| {
                diagnostics.push(
                    Diagnostic::error(
                        format!("Invalid {}", tfplugin::validators::name_of(&path)),
                        e,
                    )
                    .at(path),
                )
            })
            .ok()
    };
    let root = AttributePath::root();
    let connect_timeout = duration(block.connect_timeout, root.attribute("connect_timeout"));
    let response_timeout = duration(block.response_timeout, root.attribute("response_timeout"));
    let assume_role = block
        .assume_role
        .and_then(|roles| roles.into_iter().next())
        .map(|role| AssumeRole {
            duration: duration(
                role.duration,
                root.attribute("assume_role").index(0).attribute("duration"),
            ),
            role_arn: role.role_arn,
            session_name: role.session_name,
            external_id: role.external_id,
        });
    let endpoints = block.endpoints.and_then(|e| e.into_iter().next());
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(ProviderConfig {
        region: block.region,
        skip_region_validation: block.skip_region_validation.unwrap_or(false),
        profile: block.profile,
        shared_config_files: block.shared_config_files.unwrap_or_default(),
        shared_credentials_files: block.shared_credentials_files.unwrap_or_default(),
        access_key: block.access_key,
        secret_key: block.secret_key,
        token: block.token,
        max_retries: block.max_retries,
        retry_mode: block.retry_mode,
        connect_timeout,
        response_timeout,
        custom_ca_bundle: block.custom_ca_bundle,
        assume_role,
        outposts_endpoint: endpoints.as_ref().and_then(|e| e.outposts.clone()),
        sts_endpoint: endpoints.and_then(|e| e.sts),
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::schema::schema;
    use super::*;
    use std::collections::BTreeMap;
    use tfplugin::value::Type;

    /// A provider block: every attribute null, no nested blocks, then `pairs`.
    pub(in crate::provider) fn config(pairs: &[(&str, Value)]) -> Value {
        let Type::Object(members) = schema().value_type() else {
            unreachable!()
        };
        let mut object: BTreeMap<String, Value> =
            members.keys().map(|k| (k.clone(), Value::Null)).collect();
        object.insert("assume_role".into(), Value::List(vec![]));
        object.insert("endpoints".into(), Value::List(vec![]));
        for (k, v) in pairs {
            object.insert(k.to_string(), v.clone());
        }
        Value::Object(object)
    }

    /// A list block of one element.
    /// An `assume_role` block of the tests, lasting `duration`.
    pub(in crate::provider) fn assume_role(duration: &str) -> Value {
        block(&[
            (
                "role_arn",
                Value::string("arn:aws:iam::123456789012:role/Deploy"),
            ),
            ("session_name", Value::string("terraform")),
            ("external_id", Value::string("ext-id:1")),
            ("duration", Value::string(duration)),
        ])
    }

    pub(in crate::provider) fn block(pairs: &[(&str, Value)]) -> Value {
        Value::List(vec![Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )])
    }

    fn read(value: &Value) -> ProviderConfig {
        match parse(value) {
            Ok(c) => c,
            Err(d) => panic!("{d:?}"),
        }
    }

    #[test]
    fn empty_block_is_read() {
        let c = read(&config(&[]));
        assert!(c.region.is_none() && c.assume_role.is_none());
        assert!(!c.skip_region_validation && c.shared_config_files.is_empty());
    }

    #[test]
    fn good_values_are_read() {
        let c = read(&config(&[
            ("region", Value::string("us-west-2")),
            ("skip_region_validation", Value::Bool(true)),
            ("max_retries", Value::int(5)),
            ("retry_mode", Value::string("adaptive")),
            ("connect_timeout", Value::string("3s")),
            ("response_timeout", Value::string("1m30s")),
            (
                "shared_config_files",
                Value::List(vec![Value::string("/a"), Value::string("/b")]),
            ),
            ("access_key", Value::string("AKID")),
            ("secret_key", Value::string("secret")),
            ("assume_role", assume_role("2h")),
            (
                "endpoints",
                block(&[
                    ("outposts", Value::string("http://127.0.0.1:4566")),
                    ("sts", Value::Null),
                ]),
            ),
        ]));
        assert_eq!(c.region.as_deref(), Some("us-west-2"));
        assert!(c.skip_region_validation);
        assert_eq!(c.max_retries, Some(5));
        assert_eq!(c.retry_mode, Some(RetryMode::Adaptive));
        assert_eq!(c.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(c.response_timeout, Some(Duration::from_secs(90)));
        assert_eq!(c.shared_config_files, ["/a", "/b"]);
        assert_eq!(c.access_key.as_deref(), Some("AKID"));
        assert_eq!(c.secret_key.as_deref(), Some("secret"));
        let role = c.assume_role.expect("role");
        assert_eq!(role.role_arn, "arn:aws:iam::123456789012:role/Deploy");
        assert_eq!(role.session_name.as_deref(), Some("terraform"));
        assert_eq!(role.external_id.as_deref(), Some("ext-id:1"));
        assert_eq!(role.duration, Some(Duration::from_secs(7200)));
        assert_eq!(
            c.outposts_endpoint.as_deref(),
            Some("http://127.0.0.1:4566")
        );
        assert!(c.sts_endpoint.is_none());
    }

    #[test]
    fn what_cannot_be_read_is_an_error_at_its_path_without_secrets() {
        let Err(d) = parse(&config(&[("access_key", Value::Unknown)])) else {
            panic!("an unknown value was read");
        };
        let shown = format!("{d:?}");
        assert!(shown.contains("access_key"), "{shown}");
        let Err(d) = parse(&config(&[("connect_timeout", Value::string("10"))])) else {
            panic!("a bad duration was read");
        };
        assert_eq!(
            d.iter()
                .filter_map(|d| d.attribute.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>(),
            ["connect_timeout"]
        );
    }
}
