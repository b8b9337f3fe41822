//! The provider block read into [`ProviderConfig`]: each argument checked against what
//! AWS accepts, at its attribute path. Arguments not set fall back to the usual AWS
//! environment variables and shared files through `aws-config`.

use regex::Regex;
use std::sync::LazyLock;
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::value::Value;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

// Every partition's regions: us-west-2, us-gov-west-1, cn-north-1, eusc-de-east-1.
static REGION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]{2,}(-[a-z]+)+-\d{1,2}$").expect("static pattern"));
static ROLE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$")
        .expect("static pattern")
});
static SESSION_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_+=,.@-]{2,64}$").expect("static pattern"));
static EXTERNAL_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_+=,.@:/-]{2,1224}$").expect("static pattern"));

/// The longest `connect_timeout` or `response_timeout` accepted: more only delays the
/// message about a dead endpoint.
pub const MAX_NETWORK_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const MIN_ROLE_DURATION: Duration = Duration::from_secs(15 * 60);
const MAX_ROLE_DURATION: Duration = Duration::from_secs(12 * 3600);

/// Reads a provider block value, checking each known argument. Unknown values are
/// skipped (they are checked again when Terraform configures with everything known).
pub fn parse(config: &Value) -> (ProviderConfig, Diagnostics) {
    let mut r = Reader {
        diagnostics: Diagnostics::new(),
    };
    let root = AttributePath::root();
    let mut c = ProviderConfig {
        region: r.string(config, &root, "region"),
        profile: r.string(config, &root, "profile"),
        shared_config_files: r.strings(config, &root, "shared_config_files"),
        shared_credentials_files: r.strings(config, &root, "shared_credentials_files"),
        access_key: r.string(config, &root, "access_key"),
        secret_key: r.string(config, &root, "secret_key"),
        token: r.string(config, &root, "token"),
        custom_ca_bundle: r.string(config, &root, "custom_ca_bundle"),
        ..ProviderConfig::default()
    };
    c.skip_region_validation = config
        .attr("skip_region_validation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(region) = &c.region {
        if region.is_empty() {
            r.invalid(
                root.attribute("region"),
                "Invalid region",
                "region must not be empty.",
            );
        } else if !c.skip_region_validation && !REGION.is_match(region) {
            r.invalid(
                root.attribute("region"),
                "Invalid region",
                format!(
                    "{region:?} is not an AWS region name such as \"us-west-2\". If it is a \
                     region this provider does not know yet, set skip_region_validation = true."
                ),
            );
        }
    }
    for (name, value) in [
        ("profile", &c.profile),
        ("custom_ca_bundle", &c.custom_ca_bundle),
    ] {
        if value.as_deref() == Some("") {
            r.invalid(
                root.attribute(name),
                "Empty value",
                format!("{name} must not be empty."),
            );
        }
    }
    if let Some(n) = r.number(config, &root, "max_retries") {
        match u32::try_from(n) {
            Ok(n) if n <= 100 => c.max_retries = Some(n),
            _ => r.invalid(
                root.attribute("max_retries"),
                "Invalid max_retries",
                format!("max_retries must be between 0 and 100, got {n}."),
            ),
        }
    }
    if let Some(mode) = r.string(config, &root, "retry_mode") {
        c.retry_mode = match mode.as_str() {
            "standard" => Some(RetryMode::Standard),
            "adaptive" => Some(RetryMode::Adaptive),
            other => {
                r.invalid(
                    root.attribute("retry_mode"),
                    "Invalid retry_mode",
                    format!("retry_mode must be \"standard\" or \"adaptive\", got {other:?}."),
                );
                None
            }
        };
    }
    c.connect_timeout = r.network_timeout(config, &root, "connect_timeout");
    c.response_timeout = r.network_timeout(config, &root, "response_timeout");
    let keys_known = [config.attr("access_key"), config.attr("secret_key")]
        .iter()
        .all(|v| v.is_none_or(Value::is_known));
    if keys_known {
        match (&c.access_key, &c.secret_key) {
            (Some(_), None) => r.invalid(
                root.attribute("secret_key"),
                "Missing secret_key",
                "access_key is set, so secret_key must be set too.",
            ),
            (None, Some(_)) => r.invalid(
                root.attribute("access_key"),
                "Missing access_key",
                "secret_key is set, so access_key must be set too.",
            ),
            (None, None) if c.token.is_some() => r.invalid(
                root.attribute("token"),
                "token without keys",
                "token is only used with access_key and secret_key.",
            ),
            _ => {}
        }
    }
    if let Some((block, path)) = r.single_block(config, &root, "assume_role") {
        c.assume_role = r.assume_role(block, &path);
    }
    if let Some((block, path)) = r.single_block(config, &root, "endpoints") {
        c.outposts_endpoint = r.url(block, &path, "outposts");
        c.sts_endpoint = r.url(block, &path, "sts");
    }
    (c, r.diagnostics)
}

struct Reader {
    diagnostics: Diagnostics,
}

impl Reader {
    fn invalid(&mut self, path: AttributePath, summary: &str, detail: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(summary, detail).at(path));
    }

    fn string(&mut self, block: &Value, path: &AttributePath, name: &str) -> Option<String> {
        let value = block.attr(name)?;
        if value.is_null() || value.is_unknown() {
            return None;
        }
        match value.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.invalid(
                    path.attribute(name),
                    "Expected a string",
                    format!("{name} must be a string."),
                );
                None
            }
        }
    }

    fn number(&mut self, block: &Value, path: &AttributePath, name: &str) -> Option<i64> {
        let value = block.attr(name)?;
        if value.is_null() || value.is_unknown() {
            return None;
        }
        let n = value.as_i64();
        if n.is_none() {
            self.invalid(
                path.attribute(name),
                "Expected a whole number",
                format!("{name} must be a whole number."),
            );
        }
        n
    }

    fn strings(&mut self, block: &Value, path: &AttributePath, name: &str) -> Vec<String> {
        let Some(items) = block.attr(name).and_then(Value::as_list) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = path.attribute(name).index(i as i64);
            match item.as_str() {
                Some("") => self.invalid(item_path, "Empty path", "File paths must not be empty."),
                Some(s) => out.push(s.to_string()),
                None if item.is_unknown() => {}
                None => self.invalid(item_path, "Missing path", "File paths must not be null."),
            }
        }
        out
    }

    /// A Terraform-style duration such as `"10s"`, longer than zero and at most
    /// [`MAX_NETWORK_TIMEOUT`].
    fn network_timeout(
        &mut self,
        block: &Value,
        path: &AttributePath,
        name: &str,
    ) -> Option<Duration> {
        let text = self.string(block, path, name)?;
        match tfplugin::duration::parse(&text) {
            Ok(d) if !d.is_zero() && d <= MAX_NETWORK_TIMEOUT => Some(d),
            Ok(_) => {
                self.invalid(
                    path.attribute(name),
                    &format!("Invalid {name}"),
                    format!("{name} must be longer than zero and at most 10m, got {text:?}."),
                );
                None
            }
            Err(e) => {
                self.invalid(path.attribute(name), &format!("Invalid {name}"), e);
                None
            }
        }
    }

    /// A list block limited to one element (the hashicorp/aws shape).
    fn single_block<'a>(
        &mut self,
        block: &'a Value,
        path: &AttributePath,
        name: &str,
    ) -> Option<(&'a Value, AttributePath)> {
        let items = block.attr(name)?.as_list()?;
        let first = items.first()?;
        first
            .is_known()
            .then(|| (first, path.attribute(name).index(0)))
    }

    fn assume_role(&mut self, block: &Value, path: &AttributePath) -> Option<AssumeRole> {
        let role_arn = self.string(block, path, "role_arn");
        let session_name = self.string(block, path, "session_name");
        let external_id = self.string(block, path, "external_id");
        let duration = self.string(block, path, "duration");
        if let Some(arn) = &role_arn
            && !ROLE_ARN.is_match(arn)
        {
            self.invalid(
                path.attribute("role_arn"),
                "Invalid role_arn",
                format!("{arn:?} is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/Deploy\"."),
            );
        }
        if let Some(name) = &session_name
            && !SESSION_NAME.is_match(name)
        {
            self.invalid(
                path.attribute("session_name"),
                "Invalid session_name",
                "session_name must be 2 to 64 characters of letters, digits and +=,.@_-.",
            );
        }
        if let Some(id) = &external_id
            && !EXTERNAL_ID.is_match(id)
        {
            self.invalid(
                path.attribute("external_id"),
                "Invalid external_id",
                "external_id must be 2 to 1224 characters of letters, digits and +=,.@:/_-.",
            );
        }
        let duration = duration.and_then(|text| match tfplugin::duration::parse(&text) {
            Ok(d) if (MIN_ROLE_DURATION..=MAX_ROLE_DURATION).contains(&d) => Some(d),
            Ok(_) => {
                self.invalid(
                    path.attribute("duration"),
                    "Invalid duration",
                    format!("duration must be between 15m and 12h, got {text:?}."),
                );
                None
            }
            Err(e) => {
                self.invalid(path.attribute("duration"), "Invalid duration", e);
                None
            }
        });
        Some(AssumeRole {
            role_arn: role_arn?,
            session_name,
            external_id,
            duration,
        })
    }

    fn url(&mut self, block: &Value, path: &AttributePath, name: &str) -> Option<String> {
        let url = self.string(block, path, name)?;
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match host {
            Some(rest)
                if !rest.is_empty()
                    && !rest.starts_with('/')
                    && !rest.contains(char::is_whitespace) =>
            {
                Some(url)
            }
            _ => {
                self.invalid(
                    path.attribute(name),
                    "Invalid endpoint URL",
                    format!("{url:?} is not an http:// or https:// URL with a host."),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::schema;
    use super::*;
    use std::collections::BTreeMap;
    use tfplugin::path::PathStep;
    use tfplugin::value::Type;

    fn config(pairs: &[(&str, Value)]) -> Value {
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

    fn block(pairs: &[(&str, Value)]) -> Value {
        Value::List(vec![Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )])
    }

    fn error_paths(diagnostics: &Diagnostics) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn empty_block_is_valid() {
        let (c, d) = parse(&config(&[]));
        assert!(d.is_empty(), "{d:?}");
        assert!(c.region.is_none() && c.assume_role.is_none());
    }

    #[test]
    fn good_values_are_read() {
        let (c, d) = parse(&config(&[
            ("region", Value::string("us-west-2")),
            ("max_retries", Value::int(5)),
            ("retry_mode", Value::string("adaptive")),
            ("connect_timeout", Value::string("3s")),
            ("response_timeout", Value::string("1m30s")),
            (
                "assume_role",
                block(&[
                    (
                        "role_arn",
                        Value::string("arn:aws:iam::123456789012:role/Deploy"),
                    ),
                    ("session_name", Value::string("terraform")),
                    ("external_id", Value::string("ext-id:1")),
                    ("duration", Value::string("2h")),
                ]),
            ),
            (
                "endpoints",
                block(&[
                    ("outposts", Value::string("http://127.0.0.1:4566")),
                    ("sts", Value::Null),
                ]),
            ),
        ]));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.max_retries, Some(5));
        assert_eq!(c.retry_mode, Some(RetryMode::Adaptive));
        assert_eq!(c.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(c.response_timeout, Some(Duration::from_secs(90)));
        let role = c.assume_role.expect("role");
        assert_eq!(role.duration, Some(Duration::from_secs(7200)));
        assert_eq!(
            c.outposts_endpoint.as_deref(),
            Some("http://127.0.0.1:4566")
        );
    }

    #[test]
    fn each_bad_value_is_reported_at_its_path() {
        let cases: Vec<(Value, &str)> = vec![
            (config(&[("region", Value::string("mars"))]), "region"),
            (
                config(&[("retry_mode", Value::string("sometimes"))]),
                "retry_mode",
            ),
            (config(&[("max_retries", Value::int(-1))]), "max_retries"),
            (config(&[("max_retries", Value::int(1000))]), "max_retries"),
            (config(&[("profile", Value::string(""))]), "profile"),
            (
                config(&[("connect_timeout", Value::string("10"))]),
                "connect_timeout",
            ),
            (
                config(&[("connect_timeout", Value::string("0s"))]),
                "connect_timeout",
            ),
            (
                config(&[("response_timeout", Value::string("2h"))]),
                "response_timeout",
            ),
            (
                config(&[("access_key", Value::string("AKIA"))]),
                "secret_key",
            ),
            (config(&[("secret_key", Value::string("s"))]), "access_key"),
            (config(&[("token", Value::string("t"))]), "token"),
            (
                config(&[("shared_config_files", Value::List(vec![Value::string("")]))]),
                "shared_config_files[0]",
            ),
            (
                config(&[("assume_role", block(&[("role_arn", Value::string("role"))]))]),
                "assume_role[0].role_arn",
            ),
            (
                config(&[(
                    "assume_role",
                    block(&[
                        (
                            "role_arn",
                            Value::string("arn:aws:iam::123456789012:role/x"),
                        ),
                        ("duration", Value::string("13h")),
                    ]),
                )]),
                "assume_role[0].duration",
            ),
            (
                config(&[(
                    "assume_role",
                    block(&[
                        (
                            "role_arn",
                            Value::string("arn:aws:iam::123456789012:role/x"),
                        ),
                        ("session_name", Value::string("has space")),
                    ]),
                )]),
                "assume_role[0].session_name",
            ),
            (
                config(&[(
                    "endpoints",
                    block(&[("outposts", Value::string("ftp://x"))]),
                )]),
                "endpoints[0].outposts",
            ),
        ];
        for (value, path) in cases {
            let (_, d) = parse(&value);
            assert!(d.has_errors(), "{path}: expected an error");
            assert_eq!(error_paths(&d), vec![path.to_string()], "{path}");
        }
    }

    #[test]
    fn regions_of_every_partition_and_skip_region_validation() {
        for region in ["us-west-2", "us-gov-west-1", "cn-north-1", "eusc-de-east-1"] {
            let (c, d) = parse(&config(&[("region", Value::string(region))]));
            assert!(d.is_empty(), "{region}: {d:?}");
            assert_eq!(c.region.as_deref(), Some(region));
        }
        let (_, d) = parse(&config(&[("region", Value::string("lab-rack"))]));
        assert_eq!(error_paths(&d), vec!["region".to_string()]);
        let (c, d) = parse(&config(&[
            ("region", Value::string("lab-rack")),
            ("skip_region_validation", Value::Bool(true)),
        ]));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.region.as_deref(), Some("lab-rack"));
        let (_, d) = parse(&config(&[
            ("region", Value::string("")),
            ("skip_region_validation", Value::Bool(true)),
        ]));
        assert_eq!(error_paths(&d), vec!["region".to_string()]);
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let (c, d) = parse(&config(&[
            ("region", Value::Unknown),
            ("access_key", Value::Unknown),
            ("secret_key", Value::string("s")),
            ("assume_role", Value::Unknown),
            ("endpoints", block(&[("outposts", Value::Unknown)])),
        ]));
        assert!(d.is_empty(), "{d:?}");
        assert!(c.region.is_none());
        let _ = PathStep::Attribute(String::new());
    }
}
