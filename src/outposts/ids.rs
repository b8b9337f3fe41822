//! Identifiers and the API's own constraints on them, checked before AWS sees them.

use regex::Regex;
use std::sync::LazyLock;

fn pattern(p: &str) -> Regex {
    // The patterns are constants of this file; a test compiles each one.
    Regex::new(p).unwrap_or_else(|e| panic!("invalid built-in pattern {p}: {e}"))
}

static OUTPOST_IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"^(arn:aws([a-z-]+)?:outposts:[a-z0-9-]+:[0-9]{12}:outpost/)?op-[a-f0-9]{17}$")
});
static CAPACITY_TASK_ID: LazyLock<Regex> = LazyLock::new(|| pattern(r"^cap-[a-f0-9]{17}$"));
static ORDER_ID: LazyLock<Regex> = LazyLock::new(|| pattern(r"^oo-[a-f0-9]{17}$"));
static ASSET_ID: LazyLock<Regex> = LazyLock::new(|| pattern(r"^[0-9]{10}$"));
static INSTANCE_TYPE: LazyLock<Regex> = LazyLock::new(|| pattern(r"^[a-z0-9\-]+\.[a-z0-9\-]+$"));
static INSTANCE_ID: LazyLock<Regex> = LazyLock::new(|| pattern(r"^i-[0-9a-z]+$"));
static ACCOUNT_ID: LazyLock<Regex> = LazyLock::new(|| pattern(r"^[0-9]{12}$"));

/// The largest count of one instance type in a pool.
pub const MAX_INSTANCE_COUNT: i64 = 9999;

pub fn is_outpost_identifier(s: &str) -> bool {
    s.len() <= 180 && OUTPOST_IDENTIFIER.is_match(s)
}

pub fn is_capacity_task_id(s: &str) -> bool {
    CAPACITY_TASK_ID.is_match(s)
}

pub fn is_order_id(s: &str) -> bool {
    ORDER_ID.is_match(s)
}

pub fn is_asset_id(s: &str) -> bool {
    ASSET_ID.is_match(s)
}

pub fn is_instance_type(s: &str) -> bool {
    s.len() <= 64 && INSTANCE_TYPE.is_match(s)
}

pub fn is_instance_id(s: &str) -> bool {
    (11..=32).contains(&s.len()) && INSTANCE_ID.is_match(s)
}

pub fn is_account_id(s: &str) -> bool {
    ACCOUNT_ID.is_match(s)
}

/// The `op-...` ID inside an Outpost ID or ARN.
pub fn outpost_id(identifier: &str) -> &str {
    identifier.rsplit('/').next().unwrap_or(identifier)
}

/// The region in an Outpost ARN (`arn:aws:outposts:us-west-2:...`); `None` for an ID.
pub fn outpost_arn_region(identifier: &str) -> Option<&str> {
    let mut parts = identifier.strip_prefix("arn:")?.splitn(4, ':');
    let (_partition, service, region) = (parts.next()?, parts.next()?, parts.next()?);
    (service == "outposts" && !region.is_empty()).then_some(region)
}

/// The account that owns the Outpost, from an Outpost ARN
/// (`arn:aws:outposts:us-west-2:123456789012:outpost/op-...`); `None` for an ID.
pub fn outpost_arn_account(identifier: &str) -> Option<&str> {
    outpost_arn_region(identifier)?;
    let account = identifier.strip_prefix("arn:")?.split(':').nth(3)?;
    is_account_id(account).then_some(account)
}

/// The ARN partition of a region: `aws-cn` for `cn-north-1`, `aws-us-gov` for
/// `us-gov-west-1`, the isolated and sovereign partitions by their prefixes, `aws`
/// for every other region.
pub fn partition_of(region: &str) -> &'static str {
    const PARTITIONS: [(&str, &str); 7] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-iso-", "aws-iso"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("eu-isoe-", "aws-iso-e"),
        ("eusc-", "aws-eusc"),
    ];
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

/// The ARN import ID of a task ([`parse_import_id`]'s second form):
/// `arn:PARTITION:outposts:REGION:ACCOUNT:outpost/OUTPOST_ID/TASK_ID`.
pub fn arn_import_id(region: &str, account: &str, outpost_id: &str, task_id: &str) -> String {
    let partition = partition_of(region);
    format!("arn:{partition}:outposts:{region}:{account}:outpost/{outpost_id}/{task_id}")
}

/// An import ID: `op-<id>/cap-<id>` or `arn:...:outpost/op-<id>/cap-<id>`. Returns the
/// Outpost identifier as written and the task ID.
pub fn parse_import_id(id: &str) -> Result<(String, String), String> {
    let explain = || {
        format!(
            "{id:?} is not a capacity task import ID. Use OUTPOST/TASK, where OUTPOST is the \
             Outpost ID or ARN and TASK the capacity task ID, e.g. \
             op-0123456789abcdef0/cap-0123456789abcdef0 or \
             arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0/cap-0123456789abcdef0"
        )
    };
    let (outpost, task) = id.trim().rsplit_once('/').ok_or_else(explain)?;
    if is_outpost_identifier(outpost) && is_capacity_task_id(task) {
        Ok((outpost.to_string(), task.to_string()))
    } else {
        Err(explain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "op-0123456789abcdef0";
    const ARN: &str = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0";
    const CAP: &str = "cap-0123456789abcdef0";

    #[test]
    fn every_pattern_compiles_and_checks() {
        assert!(is_outpost_identifier(OP) && is_outpost_identifier(ARN));
        assert!(
            !is_outpost_identifier("op-0123") && !is_outpost_identifier("OP-0123456789ABCDEF0")
        );
        assert!(is_capacity_task_id(CAP) && !is_capacity_task_id("cap-xyz"));
        assert!(is_order_id("oo-0123456789abcdef0") && !is_order_id("oo-1"));
        assert!(is_asset_id("0123456789") && !is_asset_id("123"));
        assert!(is_instance_type("c5.4xlarge") && is_instance_type("g4dn.metal"));
        assert!(
            !is_instance_type("C5.large")
                && !is_instance_type("c5")
                && !is_instance_type(&"a".repeat(70))
        );
        assert!(is_instance_id("i-0123456789") && !is_instance_id("i-1"));
        assert!(is_account_id("123456789012") && !is_account_id("12345"));
        assert_eq!(outpost_id(ARN), OP);
        assert_eq!(outpost_id(OP), OP);
        assert_eq!(outpost_arn_region(ARN), Some("us-west-2"));
        assert_eq!(
            outpost_arn_region(
                "arn:aws-us-gov:outposts:us-gov-west-1:123456789012:outpost/op-0123456789abcdef0"
            ),
            Some("us-gov-west-1")
        );
        assert_eq!(outpost_arn_region(OP), None);
        assert_eq!(outpost_arn_region("arn:aws"), None);
    }

    #[test]
    fn accounts_and_partitions_of_arns() {
        assert_eq!(outpost_arn_account(ARN), Some("123456789012"));
        assert_eq!(outpost_arn_account(OP), None);
        assert_eq!(
            outpost_arn_account("arn:aws:outposts:us-west-2:12:outpost/x"),
            None
        );
        assert_eq!(partition_of("us-west-2"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition_of("eusc-de-east-1"), "aws-eusc");
        let id = arn_import_id("us-west-2", "123456789012", OP, CAP);
        assert_eq!(id, format!("{ARN}/{CAP}"));
        assert_eq!(parse_import_id(&id), Ok((ARN.to_string(), CAP.to_string())));
        let gov = arn_import_id("us-gov-west-1", "123456789012", OP, CAP);
        assert!(
            gov.starts_with("arn:aws-us-gov:outposts:us-gov-west-1:"),
            "{gov}"
        );
        assert!(parse_import_id(&gov).is_ok(), "{gov}");
    }

    #[test]
    fn import_ids_in_both_forms() {
        assert_eq!(
            parse_import_id(&format!("{OP}/{CAP}")),
            Ok((OP.to_string(), CAP.to_string()))
        );
        assert_eq!(
            parse_import_id(&format!("{ARN}/{CAP}")),
            Ok((ARN.to_string(), CAP.to_string()))
        );
        for bad in [
            "",
            CAP,
            OP,
            "op-1/cap-2",
            &format!("{CAP}/{OP}"),
            &format!("{OP},{CAP}"),
        ] {
            let error = parse_import_id(bad).expect_err(bad);
            assert!(error.contains("OUTPOST/TASK"), "{error}");
        }
    }
}
