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
        (
            "unicode in the outpost ID",
            format!("outpost_identifier = \"op-0123456789abcdéf0\"\n  {POOL}"),
            "Invalid outpost_identifier",
            "abcdéf0",
        ),
        (
            "outpost ID of 5,000 characters",
            format!("outpost_identifier = \"op-{}\"\n  {POOL}", "a".repeat(5000)),
            "Invalid outpost_identifier",
            "outpost_identifier = \"op-aaaa",
        ),
        (
            "outpost ID given as a map",
            format!("outpost_identifier = {{ id = \"op-0123456789abcdef0\" }}\n  {POOL}"),
            "Incorrect attribute value type",
            "outpost_identifier = {",
        ),
        (
            "unicode instance type",
            pool("instance_type = \"c5.lärge\"\n    count = 1"),
            "Invalid instance_type",
            "c5.lärge",
        ),
        (
            "count as a word",
            pool("instance_type = \"c5.large\"\n    count = \"many\""),
            "Incorrect attribute value type",
            "\"many\"",
        ),
        (
            "count as a list",
            pool("instance_type = \"c5.large\"\n    count = [1]"),
            "Incorrect attribute value type",
            "count = [1]",
        ),
        (
            "instances as one string",
            exclude("instances = \"i-0123456789abcdef0\""),
            "Incorrect attribute value type",
            "instances = \"i-",
        ),
        (
            "a null among the instances",
            exclude("instances = [\"i-0123456789abcdef0\", null]"),
            "Invalid instances entry",
            "instances = [",
        ),
        (
            "instance ID of 40 characters",
            exclude(&format!("instances = [\"i-{}\"]", "a".repeat(38))),
            "Invalid instances entry",
            "instances = [",
        ),
        (
            "account ID in other digits",
            exclude("account_ids = [\"١٢٣٤٥٦٧٨٩٠١٢\"]"),
            "Invalid account_ids entry",
            "account_ids",
        ),
        (
            "service in lower case",
            exclude("services = [\"ec2\"]"),
            "Invalid services entry",
            "services",
        ),
        (
            "two instances_to_exclude blocks",
            format!(
                "{}\n  instances_to_exclude {{\n    services = [\"EC2\"]\n  }}",
                exclude("services = [\"RDS\"]")
            ),
            "Too many instances_to_exclude blocks",
            "LAST:instances_to_exclude {",
        ),
        (
            "blocking-instance action in lower case",
            with("task_action_on_blocking_instances = \"fail_task\""),
            "Invalid task_action_on_blocking_instances",
            "fail_task",
        ),
        (
            "dry_run_on_plan as a word",
            with("dry_run_on_plan = \"perhaps\""),
            "Incorrect attribute value type",
            "perhaps",
        ),
        (
            "an argument the resource does not have",
            with("colour = \"blue\""),
            "Unsupported argument",
            "colour",
        ),
        (
            "a timeout the resource does not have",
            with("timeouts {\n    update = \"1h\"\n  }"),
            "Unsupported argument",
            "update",
        ),
    ]
}

#[test]
fn malformed_configurations_are_rejected_at_their_attribute() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
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

/// Malformed import IDs are refused with the form expected, before any AWS call.
#[test]
fn malformed_import_ids_are_refused_with_the_form_expected() {
    let sim = crate::sim::Sim::fast();
    let ws = sim.workspace(&crate::sim::task_config("", &[("c5.large", 2)]));
    let long = format!("op-0123456789abcdef0/cap-{}", "0".repeat(4000));
    for id in [
        "cap-0123456789abcdef0",
        "op-0123456789abcdef0",
        "op-0123456789abcdef0/",
        "/cap-0123456789abcdef0",
        "cap-0123456789abcdef0/op-0123456789abcdef0",
        "op-0123456789abcdef0/cap-0123456789abcdef0/extra",
        "op-0123456789abcdef0,cap-0123456789abcdef0",
        "op-0123456789abcdéf0/cap-0123456789abcdef0",
        "arn:aws:outposts:us-west-2:1234:outpost/op-0123456789abcdef0/cap-0123456789abcdef0",
        long.as_str(),
    ] {
        let run = ws.fails(&["import", "-no-color", "outposts_capacity_task.t", id]);
        run.assert_mentions("Invalid import ID")
            .assert_mentions("Use OUTPOST/TASK");
        assert!(!run.stderr().contains("panicked"), "{id}: {}", run.report());
    }
    assert_eq!(
        sim.handle.request_counts().values().sum::<u64>(),
        0,
        "no AWS call for a malformed import ID"
    );
}
