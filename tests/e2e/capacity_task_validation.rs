//! Malformed `outposts_capacity_task` configurations: each is rejected by
//! `terraform validate` with a diagnostic on the offending attribute's source line.

use crate::harness::Workspace;

const POOL: &str = "instance_pool {\n    instance_type = \"c5.large\"\n    count         = 2\n  }";

/// (what is wrong, resource body, expected summary, text of the line the error points at)
fn cases() -> Vec<(&'static str, String, &'static str, &'static str)> {
    let with =
        |extra: &str| format!("outpost_identifier = \"op-0123456789abcdef0\"\n  {extra}\n  {POOL}");
    let pools = |a: &str, b: &str| {
        format!(
            "outpost_identifier = \"op-0123456789abcdef0\"\n  instance_pool {{\n    {a}\n  }}\n  instance_pool {{\n    {b}\n  }}"
        )
    };
    let pool = |body: &str| {
        format!(
            "outpost_identifier = \"op-0123456789abcdef0\"\n  instance_pool {{\n    {body}\n  }}"
        )
    };
    let exclude = |body: &str| with(&format!("instances_to_exclude {{\n    {body}\n  }}"));
    vec![
        (
            "short outpost ID",
            format!("outpost_identifier = \"op-123\"\n  {POOL}"),
            "Invalid outpost_identifier",
            "op-123",
        ),
        (
            "upper-case outpost ID",
            format!("outpost_identifier = \"OP-0123456789ABCDEF0\"\n  {POOL}"),
            "Invalid outpost_identifier",
            "OP-0123",
        ),
        (
            "ARN with a short account",
            format!(
                "outpost_identifier = \"arn:aws:outposts:us-west-2:1234:outpost/op-0123456789abcdef0\"\n  {POOL}"
            ),
            "Invalid outpost_identifier",
            "arn:aws",
        ),
        (
            "site ID instead of outpost",
            format!("outpost_identifier = \"os-0123456789abcdef0\"\n  {POOL}"),
            "Invalid outpost_identifier",
            "os-0123",
        ),
        (
            "short order ID",
            with("order_id = \"oo-123\""),
            "Invalid order_id",
            "oo-123",
        ),
        (
            "order ID with wrong prefix",
            with("order_id = \"order-0123456789abcdef0\""),
            "Invalid order_id",
            "order-0123",
        ),
        (
            "short asset ID",
            with("asset_id = \"12345\""),
            "Invalid asset_id",
            "\"12345\"",
        ),
        (
            "letters in asset ID",
            with("asset_id = \"abcdefghij\""),
            "Invalid asset_id",
            "abcdefghij",
        ),
        (
            "order and asset together",
            with("order_id = \"oo-0123456789abcdef0\"\n  asset_id = \"0123456789\""),
            "Conflicting arguments",
            "asset_id",
        ),
        (
            "negative count",
            pool("instance_type = \"c5.large\"\n    count = -1"),
            "Invalid instance count",
            "count = -1",
        ),
        (
            "count above 9999",
            pool("instance_type = \"c5.large\"\n    count = 10000"),
            "Invalid instance count",
            "count = 10000",
        ),
        (
            "fractional count",
            pool("instance_type = \"c5.large\"\n    count = 1.5"),
            "Invalid instance count",
            "count = 1.5",
        ),
        (
            "upper-case instance type",
            pool("instance_type = \"C5.LARGE\"\n    count = 1"),
            "Invalid instance_type",
            "C5.LARGE",
        ),
        (
            "instance type without size",
            pool("instance_type = \"c5\"\n    count = 1"),
            "Invalid instance_type",
            "\"c5\"",
        ),
        (
            "empty instance type",
            pool("instance_type = \"\"\n    count = 1"),
            "Invalid instance_type",
            "instance_type = \"\"",
        ),
        (
            "instance type over 64 characters",
            pool(&format!(
                "instance_type = \"c5.{}\"\n    count = 1",
                "x".repeat(70)
            )),
            "Invalid instance_type",
            "xxxxxxxx",
        ),
        (
            "duplicate instance type",
            pools(
                "instance_type = \"c5.large\"\n    count = 1",
                "instance_type = \"c5.large\"\n    count = 3",
            ),
            "Duplicate instance type",
            "LAST:instance_type = \"c5.large\"",
        ),
        (
            "unknown blocking-instance action",
            with("task_action_on_blocking_instances = \"WAIT\""),
            "Invalid task_action_on_blocking_instances",
            "\"WAIT\"",
        ),
        (
            "malformed instance ID",
            exclude("instances = [\"i-1\"]"),
            "Invalid instances entry",
            "i-1",
        ),
        (
            "short account ID",
            exclude("account_ids = [\"1234\"]"),
            "Invalid account_ids entry",
            "[\"1234\"]",
        ),
        (
            "unknown service",
            exclude("services = [\"LAMBDA\"]"),
            "Invalid services entry",
            "LAMBDA",
        ),
        // Terraform only checks that a required argument is written; a null value (a
        // literal, or a variable defaulting to null) is the provider's to refuse.
        (
            "null outpost_identifier",
            format!("outpost_identifier = null\n  {POOL}"),
            "Missing Configuration for Required Attribute",
            "outpost_identifier = null",
        ),
        (
            "null instance_type in a pool",
            pool("instance_type = null\n    count = 2"),
            "Missing Configuration for Required Attribute",
            "instance_type = null",
        ),
        (
            "null count in a pool",
            pools(
                "instance_type = \"c5.large\"\n    count = 2",
                "instance_type = \"m5.large\"\n    count = null",
            ),
            "Missing Configuration for Required Attribute",
            "count = null",
        ),
        (
            "id configured",
            with("id = \"op-0123456789abcdef0/cap-0123456789abcdef0\""),
            "Invalid Configuration for Read-Only Attribute",
            "id = ",
        ),
        (
            "status configured",
            with("status = \"COMPLETED\""),
            "Invalid Configuration for Read-Only Attribute",
            "status = ",
        ),
        (
            "timeout without unit",
            with("timeouts {\n    create = \"90\"\n  }"),
            "Invalid timeout",
            "\"90\"",
        ),
        (
            "timeout in words",
            with("timeouts {\n    create = \"forever\"\n  }"),
            "Invalid timeout",
            "forever",
        ),
        (
            "zero timeout",
            with("timeouts {\n    delete = \"0s\"\n  }"),
            "Invalid timeout",
            "0s",
        ),
        (
            "negative timeout",
            with("timeouts {\n    delete = \"-5m\"\n  }"),
            "Invalid timeout",
            "-5m",
        ),
        (
            "no instance_pool",
            "outpost_identifier = \"op-0123456789abcdef0\"".to_string(),
            "Insufficient instance_pool blocks",
            "resource \"outposts_capacity_task\"",
        ),
        (
            "missing outpost_identifier",
            POOL.to_string(),
            "Missing required argument",
            "resource \"outposts_capacity_task\"",
        ),
    ]
}

#[test]
fn malformed_configurations_are_rejected_at_their_attribute() {
    let cases = cases();
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for (what, body, summary, line_text) in &cases {
        let config = format!(
            "provider \"outposts\" {{}}\n\nresource \"outposts_capacity_task\" \"t\" {{\n  {body}\n}}\n"
        );
        let ws = Workspace::new(&config);
        let run = ws.run(&["validate", "-json", "-no-color"]);
        let source = std::fs::read_to_string(ws.path().join("main.tf")).unwrap_or_default();
        let (last, needle) = match line_text.strip_prefix("LAST:") {
            Some(rest) => (true, rest),
            None => (false, *line_text),
        };
        let mut matching = source
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i as u64 + 1);
        let expected_line = if last {
            matching.last()
        } else {
            matching.next()
        };
        let output: serde_json::Value = match serde_json::from_str(&run.stdout()) {
            Ok(v) => v,
            Err(_) => {
                failures.push(format!(
                    "{what}: validate -json printed no JSON\n{}",
                    run.report()
                ));
                continue;
            }
        };
        let diagnostics = output["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let hit = diagnostics
            .iter()
            .find(|d| d["severity"] == "error" && d["summary"] == *summary);
        match hit {
            None => failures.push(format!(
                "{what}: no error {summary:?}; got {diagnostics:#?}"
            )),
            Some(d) => {
                let line = d["range"]["start"]["line"].as_u64();
                if line != expected_line {
                    failures.push(format!(
                        "{what}: {summary:?} points at line {line:?}, expected {expected_line:?} ({needle:?})\n{source}"
                    ));
                }
            }
        }
        if output["valid"] != false {
            failures.push(format!("{what}: configuration reported valid"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
