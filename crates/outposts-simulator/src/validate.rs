//! The service model's constraints (patterns, lengths, ranges, enums) and the
//! ValidationException message that names every violated field, in AWS's wording:
//! `1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …`.
//!
//! The model's patterns use `\d`, `\S` and `\w`; the regex crate reads those as
//! Unicode classes, so the compiled forms spell out the ASCII classes the service
//! means, while messages quote the model's text.

use std::sync::LazyLock;

use regex::Regex;

fn compile(pattern: &str) -> Regex {
    // The patterns are constants of this file, covered by the tests below.
    Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern} does not compile: {e}"))
}

/// `^(arn:aws([a-z-]+)?:outposts:[a-z\d-]+:\d{12}:outpost/)?op-[a-f0-9]{17}$`
pub static OUTPOST_IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"^(arn:aws([a-z-]+)?:outposts:[a-z0-9-]+:[0-9]{12}:outpost/)?op-[a-f0-9]{17}$")
});
pub const OUTPOST_IDENTIFIER_TEXT: &str =
    r"^(arn:aws([a-z-]+)?:outposts:[a-z\d-]+:\d{12}:outpost/)?op-[a-f0-9]{17}$";
/// A bare outpost ID (seed files).
pub static OUTPOST_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"^op-[a-f0-9]{17}$"));
pub static SITE_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"^os-[a-f0-9]{17}$"));
pub static CAPACITY_TASK_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"^cap-[a-f0-9]{17}$"));
pub const CAPACITY_TASK_ID_TEXT: &str = r"^cap-[a-f0-9]{17}$";
/// The model's order pattern has no leading anchor; with the 20-character limit it
/// still only admits `oo-` plus 17 hex digits.
pub static ORDER_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"oo-[a-f0-9]{17}$"));
pub const ORDER_ID_TEXT: &str = r"oo-[a-f0-9]{17}$";
pub static ASSET_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"[0-9]{10}"));
pub const ASSET_ID_TEXT: &str = r"\d{10}";
pub static INSTANCE_TYPE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^[a-z0-9\-]+\.[a-z0-9\-]+$"));
pub const INSTANCE_TYPE_TEXT: &str = r"^[a-z0-9\-]+\.[a-z0-9\-]+$";
pub static INSTANCE_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"^i-[0-9a-z]+$"));
pub const INSTANCE_ID_TEXT: &str = r"^i-[0-9a-z]+$";
pub static ACCOUNT_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"[0-9]{12}"));
pub const ACCOUNT_ID_TEXT: &str = r"\d{12}";
pub static NEXT_TOKEN: LazyLock<Regex> = LazyLock::new(|| compile(r"^([0-9]+)##([^\s]+)$"));
pub const NEXT_TOKEN_TEXT: &str = r"^(\d+)##(\S+)$";
pub static HOST_ID: LazyLock<Regex> = LazyLock::new(|| compile(r"^[A-Za-z0-9-]*$"));
pub const HOST_ID_TEXT: &str = r"^[A-Za-z0-9-]*$";
pub static LIFE_CYCLE_STATUS: LazyLock<Regex> = LazyLock::new(|| compile(r"^[ A-Za-z]+$"));
pub const LIFE_CYCLE_STATUS_TEXT: &str = r"^[ A-Za-z]+$";
pub static AVAILABILITY_ZONE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^([a-zA-Z]+-){1,3}([a-zA-Z]+)?([0-9]+[a-zA-Z]?)?$"));
pub const AVAILABILITY_ZONE_TEXT: &str = r"^([a-zA-Z]+-){1,3}([a-zA-Z]+)?(\d+[a-zA-Z]?)?$";
pub static AVAILABILITY_ZONE_ID: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^[a-zA-Z]+[0-9]-[a-zA-Z]+[0-9]$"));
pub const AVAILABILITY_ZONE_ID_TEXT: &str = r"^[a-zA-Z]+\d-[a-zA-Z]+\d$";

pub const AWS_SERVICES: &[&str] = &["AWS", "EC2", "EKS", "ELASTICACHE", "ELB", "RDS", "ROUTE53"];
pub const TASK_ACTIONS: &[&str] = &["WAIT_FOR_EVACUATION", "FAIL_TASK"];
pub const TASK_STATUSES: &[&str] = &[
    "REQUESTED",
    "IN_PROGRESS",
    "FAILED",
    "COMPLETED",
    "WAITING_FOR_EVACUATION",
    "CANCELLATION_IN_PROGRESS",
    "CANCELLED",
];
pub const ASSET_STATES: &[&str] = &["ACTIVE", "RETIRING", "ISOLATED", "INSTALLING"];
pub const ASSET_TYPES: &[&str] = &["COMPUTE", "STORAGE", "POWERSHELF", "SWITCH", "NETWORKING"];

pub fn is_aws_service(value: &str) -> bool {
    AWS_SERVICES.contains(&value)
}

/// The violations found in one request, in the order the fields were checked.
#[derive(Debug, Default)]
pub struct Violations(Vec<String>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn violate(&mut self, value: Option<&str>, field: &str, constraint: &str) {
        let value = match value {
            Some(v) => format!("'{v}'"),
            None => "null".to_string(),
        };
        self.0.push(format!(
            "Value {value} at '{field}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// A required member that was absent.
    pub fn missing(&mut self, field: &str) {
        self.violate(None, field, "Member must not be null");
    }

    /// A value that could not be read as the member's type (e.g. `MaxResults=abc`).
    pub fn not_a(&mut self, field: &str, value: &str, kind: &str) {
        self.violate(Some(value), field, &format!("Member must be {kind}"));
    }

    /// Length bounds, then the pattern: AWS reports both when both fail.
    pub fn string(
        &mut self,
        field: &str,
        value: &str,
        (min, max): (usize, usize),
        pattern: Option<(&Regex, &str)>,
    ) {
        let len = value.chars().count();
        if len < min {
            self.violate(
                Some(value),
                field,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if len > max {
            self.violate(
                Some(value),
                field,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
        if let Some((regex, text)) = pattern
            && !regex.is_match(value)
        {
            self.violate(
                Some(value),
                field,
                &format!("Member must satisfy regular expression pattern: {text}"),
            );
        }
    }

    /// [`Violations::string`] for each member of a list, named `list.N.member` (1-based)
    /// as AWS names them.
    pub fn members(
        &mut self,
        list: &str,
        values: &[impl AsRef<str>],
        bounds: (usize, usize),
        pattern: Option<(&Regex, &str)>,
    ) {
        for (i, value) in values.iter().enumerate() {
            self.string(
                &format!("{list}.{}.member", i + 1),
                value.as_ref(),
                bounds,
                pattern,
            );
        }
    }

    /// [`Violations::one_of`] for each member of a list, named as in [`Violations::members`].
    pub fn members_one_of(&mut self, list: &str, values: &[impl AsRef<str>], allowed: &[&str]) {
        for (i, value) in values.iter().enumerate() {
            self.one_of(&format!("{list}.{}.member", i + 1), value.as_ref(), allowed);
        }
    }

    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if value < min {
            self.violate(
                Some(&value.to_string()),
                field,
                &format!("Member must have value greater than or equal to {min}"),
            );
        }
        if value > max {
            self.violate(
                Some(&value.to_string()),
                field,
                &format!("Member must have value less than or equal to {max}"),
            );
        }
    }

    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.violate(
                Some(value),
                field,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            );
        }
    }

    /// A constraint outside the model (duplicate instance types).
    pub fn custom(&mut self, field: &str, value: &str, constraint: &str) {
        self.violate(Some(value), field, constraint);
    }

    /// `None` when the request is valid, else the ValidationException message.
    pub fn message(&self) -> Option<String> {
        match self.0.len() {
            0 => None,
            1 => Some(format!("1 validation error detected: {}", self.0[0])),
            n => Some(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            )),
        }
    }

    // The common members, checked the same way by every operation.

    pub fn outpost_identifier(&mut self, field: &str, value: &str) {
        self.string(
            field,
            value,
            (1, 180),
            Some((&OUTPOST_IDENTIFIER, OUTPOST_IDENTIFIER_TEXT)),
        );
    }

    pub fn capacity_task_id(&mut self, field: &str, value: &str) {
        self.string(
            field,
            value,
            (21, 21),
            Some((&CAPACITY_TASK_ID, CAPACITY_TASK_ID_TEXT)),
        );
    }

    pub fn order_id(&mut self, field: &str, value: &str) {
        self.string(field, value, (1, 20), Some((&ORDER_ID, ORDER_ID_TEXT)));
    }

    pub fn asset_id(&mut self, field: &str, value: &str) {
        self.string(field, value, (10, 10), Some((&ASSET_ID, ASSET_ID_TEXT)));
    }

    pub fn next_token(&mut self, field: &str, value: &str) {
        self.string(
            field,
            value,
            (1, 2048),
            Some((&NEXT_TOKEN, NEXT_TOKEN_TEXT)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outpost_identifier_accepts_id_and_arn() {
        assert!(OUTPOST_IDENTIFIER.is_match("op-0123456789abcdef0"));
        assert!(
            OUTPOST_IDENTIFIER
                .is_match("arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0")
        );
        assert!(OUTPOST_IDENTIFIER.is_match(
            "arn:aws-us-gov:outposts:us-gov-west-1:111122223333:outpost/op-0123456789abcdef0"
        ));
        assert!(!OUTPOST_IDENTIFIER.is_match("op-0123456789ABCDEF0"));
        assert!(!OUTPOST_IDENTIFIER.is_match("op-0123456789abcdef"));
        assert!(!OUTPOST_IDENTIFIER.is_match("xop-0123456789abcdef0"));
    }

    #[test]
    fn digit_classes_are_ascii_only() {
        // U+0663 is an Arabic-Indic digit three: Unicode \d, but not the service's \d.
        assert!(
            !ASSET_ID
                .is_match("\u{663}\u{663}\u{663}\u{663}\u{663}\u{663}\u{663}\u{663}\u{663}\u{663}")
        );
        assert!(ASSET_ID.is_match("0123456789"));
    }

    #[test]
    fn task_order_and_instance_patterns() {
        assert!(CAPACITY_TASK_ID.is_match("cap-0123456789abcdef0"));
        assert!(!CAPACITY_TASK_ID.is_match("cap-0123456789abcdef"));
        assert!(ORDER_ID.is_match("oo-0123456789abcdef0"));
        assert!(INSTANCE_TYPE.is_match("g4dn.12xlarge"));
        assert!(!INSTANCE_TYPE.is_match("G4dn.12xlarge"));
        assert!(!INSTANCE_TYPE.is_match("m5"));
        assert!(INSTANCE_ID.is_match("i-0123456789abcdef0"));
        assert!(NEXT_TOKEN.is_match("100##abc"));
        assert!(!NEXT_TOKEN.is_match("abc##100"));
        assert!(AVAILABILITY_ZONE.is_match("us-west-2a"));
        assert!(AVAILABILITY_ZONE_ID.is_match("usw2-az1"));
        assert!(LIFE_CYCLE_STATUS.is_match("ACTIVE"));
        assert!(HOST_ID.is_match("h-123"));
    }

    #[test]
    fn message_names_each_field_in_aws_wording() {
        let mut v = Violations::new();
        v.range("instancePools.1.member.count", 10000, 0, 9999);
        assert_eq!(
            v.message().as_deref(),
            Some(
                "1 validation error detected: Value '10000' at 'instancePools.1.member.count' \
                 failed to satisfy constraint: Member must have value less than or equal to 9999"
            )
        );
        v.missing("instancePools");
        v.one_of("taskActionOnBlockingInstances", "NOPE", TASK_ACTIONS);
        let message = v.message().unwrap_or_default();
        assert!(
            message.starts_with("3 validation errors detected: "),
            "{message}"
        );
        assert!(
            message.contains("Value null at 'instancePools'"),
            "{message}"
        );
        assert!(
            message.contains("[WAIT_FOR_EVACUATION, FAIL_TASK]"),
            "{message}"
        );
    }

    #[test]
    fn length_and_pattern_are_both_reported() {
        let mut v = Violations::new();
        v.capacity_task_id("capacityTaskId", "cap-1");
        let message = v.message().unwrap_or_default();
        assert!(message.starts_with("2 validation errors"), "{message}");
    }

    #[test]
    fn valid_values_produce_no_message() {
        let mut v = Violations::new();
        v.outpost_identifier("outpostIdentifier", "op-0123456789abcdef0");
        v.order_id("orderId", "oo-0123456789abcdef0");
        v.asset_id("assetId", "0123456789");
        v.next_token("nextToken", "3##abcdef");
        v.range("maxResults", 1000, 1, 1000);
        assert!(v.is_empty());
        assert_eq!(v.message(), None);
    }
}
