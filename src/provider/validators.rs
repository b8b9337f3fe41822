//! The provider block's own validators: the rules the framework's built-ins cannot say,
//! because they read a sibling argument, parse a duration, or must keep the same words
//! users have always seen. None of them repeats the value of a secret
//! (`access_key`, `secret_key`, `token`) or of `external_id`.

use regex::Regex;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::validators::{Check, SharedValidator, Validator, from_fn, name_of};
use tfplugin::value::Value;

// Every partition's regions: us-west-2, us-gov-west-1, cn-north-1, eusc-de-east-1.
static REGION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]{2,}(-[a-z]+)+-\d{1,2}$").expect("static pattern"));

/// The known string value, if any.
fn known_str<'a>(check: &'a Check<'_>) -> Option<&'a str> {
    check.known().and_then(Value::as_str)
}

/// Whether the sibling `name` is set; `None` while it is unknown.
fn sibling_set(parent: &Value, name: &str) -> Option<bool> {
    let member = parent.attr(name).unwrap_or(&Value::Null);
    (!member.is_unknown()).then(|| !member.is_null())
}

/// `region`: not empty, and an AWS region name unless `skip_region_validation` is
/// true. While `skip_region_validation` is unknown, only emptiness is checked.
pub struct RegionName;

impl Validator for RegionName {
    fn description(&self) -> String {
        "Not empty; an AWS region name such as `us-west-2` unless `skip_region_validation` \
         is true."
            .to_string()
    }

    fn validate(&self, check: &Check<'_>, out: &mut Diagnostics) {
        let Some(region) = known_str(check) else {
            return;
        };
        if region.is_empty() {
            out.push(check.error("region must not be empty."));
            return;
        }
        let skip = check
            .parent
            .attr("skip_region_validation")
            .unwrap_or(&Value::Null);
        if skip.is_unknown() || skip.as_bool() == Some(true) || REGION.is_match(region) {
            return;
        }
        out.push(check.error(format!(
            "{region:?} is not an AWS region name such as \"us-west-2\". If it is a region \
             this provider does not know yet, set skip_region_validation = true."
        )));
    }
}

/// A string that must not be empty: "Empty value" on its path.
pub fn not_empty() -> SharedValidator {
    from_fn("Not empty.", |check, out| {
        if known_str(check) == Some("") {
            let name = name_of(check.path);
            out.push(
                Diagnostic::error("Empty value", format!("{name} must not be empty."))
                    .at(check.path.clone()),
            );
        }
    })
}

/// A list of file paths, none empty or null, each reported at its index.
pub fn file_paths() -> SharedValidator {
    from_fn("File paths, none empty.", |check, out| {
        let Some(items) = check.known().and_then(Value::as_list) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let at = check.path.index(i as i64);
            if item.is_null() {
                out.push(Diagnostic::error("Missing path", "File paths must not be null.").at(at));
            } else if item.as_str() == Some("") {
                out.push(Diagnostic::error("Empty path", "File paths must not be empty.").at(at));
            }
        }
    })
}

/// A duration such as `"10s"` from `min` to `max` (`min` zero: longer than zero);
/// `bounds` completes "{name} must be {bounds}, got ...".
pub struct DurationBetween {
    pub min: Duration,
    pub max: Duration,
    pub bounds: &'static str,
}

impl DurationBetween {
    /// `connect_timeout` and `response_timeout`: longer than zero, at most
    /// [`MAX_NETWORK_TIMEOUT`](super::config::MAX_NETWORK_TIMEOUT).
    pub fn network_timeout() -> SharedValidator {
        Arc::new(DurationBetween {
            min: Duration::ZERO,
            max: super::config::MAX_NETWORK_TIMEOUT,
            bounds: "longer than zero and at most 10m",
        })
    }

    /// `assume_role.duration`: what STS accepts for a role session.
    pub fn role_session() -> SharedValidator {
        Arc::new(DurationBetween {
            min: Duration::from_secs(15 * 60),
            max: Duration::from_secs(12 * 3600),
            bounds: "between 15m and 12h",
        })
    }
}

impl Validator for DurationBetween {
    fn description(&self) -> String {
        format!("A duration such as `30s`, {}.", self.bounds)
    }

    fn validate(&self, check: &Check<'_>, out: &mut Diagnostics) {
        let Some(text) = known_str(check) else {
            return;
        };
        match tfplugin::duration::parse(text) {
            Ok(d) => {
                let long_enough = if self.min.is_zero() {
                    !d.is_zero()
                } else {
                    d >= self.min
                };
                if !long_enough || d > self.max {
                    let name = name_of(check.path);
                    out.push(check.error(format!("{name} must be {}, got {text:?}.", self.bounds)));
                }
            }
            Err(e) => out.push(check.error(e)),
        }
    }
}

/// A string matching `pattern` whose value the message does not repeat: `detail` says
/// what is expected.
pub fn matches_quietly(pattern: &'static str, detail: &'static str) -> SharedValidator {
    let regex = Regex::new(pattern).expect("static pattern");
    from_fn(format!("Matches `{pattern}`."), move |check, out| {
        if let Some(s) = known_str(check)
            && !regex.is_match(s)
        {
            out.push(check.error(detail));
        }
    })
}

/// Whether `url` is an `http://` or `https://` URL with a host.
fn is_endpoint_url(url: &str) -> bool {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .is_some_and(|rest| {
            !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
        })
}

/// An endpoint URL: "Invalid endpoint URL" on its path.
pub fn endpoint_url() -> SharedValidator {
    from_fn(
        "An `http://` or `https://` URL with a host.",
        |check, out| {
            if let Some(url) = known_str(check)
                && !is_endpoint_url(url)
            {
                out.push(
                    Diagnostic::error(
                        "Invalid endpoint URL",
                        format!("{url:?} is not an http:// or https:// URL with a host."),
                    )
                    .at(check.path.clone()),
                );
            }
        },
    )
}

/// Declared on `access_key` and `secret_key`: when this one is null and `other` is set,
/// "Missing {this}" on this one's path. Neither value appears in the message. Nothing
/// is reported while either is unknown.
pub fn paired_with(other: &'static str) -> SharedValidator {
    from_fn(
        format!("Set together with `{other}`."),
        move |check, out| {
            if check.value.is_unknown() || !check.value.is_null() {
                return;
            }
            if sibling_set(check.parent, other) == Some(true) {
                let me = name_of(check.path);
                out.push(
                    Diagnostic::error(
                        format!("Missing {me}"),
                        format!("{other} is set, so {me} must be set too."),
                    )
                    .at(check.path.clone()),
                );
            }
        },
    )
}

/// Declared on `token`: set, it needs `access_key` and `secret_key`. Reported only when
/// both keys are known to be null; the token's value never appears in the message.
pub fn token_needs_keys() -> SharedValidator {
    from_fn(
        "Only used with `access_key` and `secret_key`.",
        |check, out| {
            if check.known().is_none() {
                return;
            }
            let keys = ["access_key", "secret_key"].map(|k| sibling_set(check.parent, k));
            if keys == [Some(false), Some(false)] {
                out.push(
                    Diagnostic::error(
                        "token without keys",
                        "token is only used with access_key and secret_key.",
                    )
                    .at(check.path.clone()),
                );
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::config::tests::{assume_role, block, config};
    use super::super::schema::schema;
    use tfplugin::diag::Diagnostics;
    use tfplugin::value::Value;

    fn validate(value: &Value) -> Diagnostics {
        schema().block.validate_config(value)
    }

    /// Each error as `path: summary`.
    fn errors(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|d| {
                let path = d
                    .attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                format!("{path}: {}", d.summary)
            })
            .collect()
    }

    fn role(pairs: &[(&str, Value)]) -> Value {
        let mut all = vec![(
            "role_arn",
            Value::string("arn:aws:iam::123456789012:role/x"),
        )];
        all.extend(pairs.iter().cloned());
        config(&[("assume_role", block(&all))])
    }

    #[test]
    fn empty_block_is_valid() {
        let d = validate(&config(&[]));
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn good_values_are_valid() {
        let d = validate(&config(&[
            ("region", Value::string("us-west-2")),
            ("profile", Value::string("dev")),
            ("max_retries", Value::int(0)),
            ("retry_mode", Value::string("standard")),
            ("connect_timeout", Value::string("10m")),
            ("response_timeout", Value::string("1ms")),
            ("access_key", Value::string("AKID")),
            ("secret_key", Value::string("s")),
            ("token", Value::string("t")),
            ("assume_role", assume_role("15m")),
            (
                "endpoints",
                block(&[
                    ("outposts", Value::string("http://127.0.0.1:4566")),
                    ("sts", Value::string("https://sts.example")),
                ]),
            ),
        ]));
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn each_bad_value_is_reported_at_its_path_with_its_summary() {
        let cases: Vec<(Value, &str)> = vec![
            (
                config(&[("region", Value::string("mars"))]),
                "region: Invalid region",
            ),
            (
                config(&[("retry_mode", Value::string("sometimes"))]),
                "retry_mode: Invalid retry_mode",
            ),
            (
                config(&[("max_retries", Value::int(-1))]),
                "max_retries: Invalid max_retries",
            ),
            (
                config(&[("max_retries", Value::int(1000))]),
                "max_retries: Invalid max_retries",
            ),
            (
                config(&[("profile", Value::string(""))]),
                "profile: Empty value",
            ),
            (
                config(&[("custom_ca_bundle", Value::string(""))]),
                "custom_ca_bundle: Empty value",
            ),
            (
                config(&[("connect_timeout", Value::string("10"))]),
                "connect_timeout: Invalid connect_timeout",
            ),
            (
                config(&[("connect_timeout", Value::string("0s"))]),
                "connect_timeout: Invalid connect_timeout",
            ),
            (
                config(&[("response_timeout", Value::string("2h"))]),
                "response_timeout: Invalid response_timeout",
            ),
            (
                config(&[("access_key", Value::string("AKIA"))]),
                "secret_key: Missing secret_key",
            ),
            (
                config(&[("secret_key", Value::string("s"))]),
                "access_key: Missing access_key",
            ),
            (
                config(&[("token", Value::string("t"))]),
                "token: token without keys",
            ),
            (
                config(&[("shared_config_files", Value::List(vec![Value::string("")]))]),
                "shared_config_files[0]: Empty path",
            ),
            (
                config(&[(
                    "shared_credentials_files",
                    Value::List(vec![Value::string("/a"), Value::Null]),
                )]),
                "shared_credentials_files[1]: Missing path",
            ),
            (
                config(&[("assume_role", block(&[("role_arn", Value::string("role"))]))]),
                "assume_role[0].role_arn: Invalid role_arn",
            ),
            (
                role(&[("duration", Value::string("13h"))]),
                "assume_role[0].duration: Invalid duration",
            ),
            (
                role(&[("duration", Value::string("14m"))]),
                "assume_role[0].duration: Invalid duration",
            ),
            (
                role(&[("duration", Value::string("soon"))]),
                "assume_role[0].duration: Invalid duration",
            ),
            (
                role(&[("session_name", Value::string("has space"))]),
                "assume_role[0].session_name: Invalid session_name",
            ),
            (
                role(&[("external_id", Value::string("x"))]),
                "assume_role[0].external_id: Invalid external_id",
            ),
            (
                config(&[(
                    "endpoints",
                    block(&[("outposts", Value::string("ftp://x"))]),
                )]),
                "endpoints[0].outposts: Invalid endpoint URL",
            ),
            (
                config(&[("endpoints", block(&[("sts", Value::string("https://"))]))]),
                "endpoints[0].sts: Invalid endpoint URL",
            ),
        ];
        for (value, expected) in cases {
            let d = validate(&value);
            assert!(d.has_errors(), "{expected}: expected an error");
            assert_eq!(errors(&d), [expected]);
        }
    }

    #[test]
    fn details_users_see() {
        let detail = |value: Value| {
            validate(&value)
                .iter()
                .map(|d| d.detail.clone())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            detail(config(&[("region", Value::string("mars"))])),
            "\"mars\" is not an AWS region name such as \"us-west-2\". If it is a region this \
             provider does not know yet, set skip_region_validation = true."
        );
        assert_eq!(
            detail(config(&[("access_key", Value::string("AKIA"))])),
            "access_key is set, so secret_key must be set too."
        );
        assert_eq!(
            detail(config(&[("response_timeout", Value::string("0s"))])),
            "response_timeout must be longer than zero and at most 10m, got \"0s\"."
        );
        assert_eq!(
            detail(role(&[("duration", Value::string("20h"))])),
            "duration must be between 15m and 12h, got \"20h\"."
        );
        assert_eq!(
            detail(config(&[(
                "endpoints",
                block(&[("outposts", Value::string("localhost:4566"))])
            )])),
            "\"localhost:4566\" is not an http:// or https:// URL with a host."
        );
        assert_eq!(
            detail(config(&[(
                "assume_role",
                block(&[("role_arn", Value::string("role"))])
            )])),
            "\"role\" is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/Deploy\"."
        );
    }

    #[test]
    fn secrets_never_appear_in_messages() {
        for (name, other) in [
            ("access_key", None),
            ("secret_key", None),
            ("token", None),
            ("token", Some("access_key")),
        ] {
            let mut pairs = vec![(name, Value::string("SECRET-VALUE-1234"))];
            if let Some(other) = other {
                pairs.push((other, Value::string("SECRET-VALUE-1234")));
            }
            let d = validate(&config(&pairs));
            assert!(d.has_errors(), "{name}");
            for diagnostic in d.iter() {
                assert!(
                    !diagnostic.summary.contains("SECRET") && !diagnostic.detail.contains("SECRET"),
                    "{name}: {diagnostic:?}"
                );
            }
        }
    }

    #[test]
    fn regions_of_every_partition_and_skip_region_validation() {
        for region in ["us-west-2", "us-gov-west-1", "cn-north-1", "eusc-de-east-1"] {
            let d = validate(&config(&[("region", Value::string(region))]));
            assert!(d.is_empty(), "{region}: {d:?}");
        }
        let d = validate(&config(&[("region", Value::string("lab-rack"))]));
        assert_eq!(errors(&d), ["region: Invalid region"]);
        let d = validate(&config(&[
            ("region", Value::string("lab-rack")),
            ("skip_region_validation", Value::Bool(true)),
        ]));
        assert!(d.is_empty(), "{d:?}");
        let d = validate(&config(&[
            ("region", Value::string("lab-rack")),
            ("skip_region_validation", Value::Unknown),
        ]));
        assert!(d.is_empty(), "{d:?}");
        let d = validate(&config(&[
            ("region", Value::string("")),
            ("skip_region_validation", Value::Bool(true)),
        ]));
        assert_eq!(errors(&d), ["region: Invalid region"]);
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let d = validate(&config(&[
            ("region", Value::Unknown),
            ("access_key", Value::Unknown),
            ("secret_key", Value::string("s")),
            ("token", Value::string("t")),
            ("assume_role", Value::Unknown),
            ("endpoints", block(&[("outposts", Value::Unknown)])),
        ]));
        assert!(d.is_empty(), "{d:?}");
    }
}
