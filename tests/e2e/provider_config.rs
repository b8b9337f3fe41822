//! The provider block as users write it, through `terraform` itself.

use crate::harness::Workspace;

const REGION_READER: &str = r#"
data "outposts_region" "current" {}
output "region" { value = data.outposts_region.current.name }
output "endpoint" { value = data.outposts_region.current.endpoint }
"#;

fn provider_block(body: &str) -> String {
    format!("provider \"outposts\" {{\n{body}\n}}\n{REGION_READER}")
}

#[test]
fn providers_schema_json_shows_the_provider_schema_with_descriptions() {
    let ws = Workspace::new("provider \"outposts\" {}\n");
    let run = ws.ok(&["providers", "schema", "-json"]);
    let schema: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON schema");
    let provider = &schema["provider_schemas"]["registry.terraform.io/outposts-labs/outposts"];
    let block = &provider["provider"]["block"];
    for name in [
        "region",
        "profile",
        "shared_config_files",
        "shared_credentials_files",
        "access_key",
        "secret_key",
        "token",
        "max_retries",
        "retry_mode",
        "custom_ca_bundle",
    ] {
        let attribute = &block["attributes"][name];
        let description = attribute["description"].as_str().unwrap_or_default();
        assert!(
            description.len() > 20,
            "{name} lacks a description: {attribute}"
        );
    }
    assert_eq!(block["attributes"]["secret_key"]["sensitive"], true);
    assert_eq!(block["attributes"]["token"]["sensitive"], true);
    for (nested, attributes) in [
        (
            "assume_role",
            &["role_arn", "session_name", "external_id", "duration"][..],
        ),
        ("endpoints", &["outposts", "sts"][..]),
    ] {
        let nested_block = &block["block_types"][nested];
        assert_eq!(nested_block["max_items"], 1, "{nested}");
        for name in attributes {
            let description = nested_block["block"]["attributes"][name]["description"]
                .as_str()
                .unwrap_or_default();
            assert!(
                !description.is_empty(),
                "{nested}.{name} lacks a description"
            );
        }
    }
    let data_source = &provider["data_source_schemas"]["outposts_region"]["block"];
    assert!(data_source["attributes"]["name"]["description"].is_string());
}

#[test]
fn validate_plan_and_apply_succeed_with_a_provider_block() {
    let ws = Workspace::new(&provider_block(
        r#"  region      = "eu-west-1"
  retry_mode  = "adaptive"
  max_retries = 4
  endpoints {
    outposts = "http://127.0.0.1:9"
  }"#,
    ));
    ws.ok(&["validate", "-no-color"])
        .assert_mentions("The configuration is valid");
    ws.ok(&["plan", "-no-color"]);
    ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value =
        serde_json::from_str(&ws.ok(&["output", "-json"]).stdout()).expect("outputs");
    assert_eq!(outputs["region"]["value"], "eu-west-1");
    assert_eq!(outputs["endpoint"]["value"], "http://127.0.0.1:9");
}

#[test]
fn settings_fall_back_to_the_aws_environment() {
    let mut ws = Workspace::new(&provider_block(""));
    ws.set_env("AWS_REGION", "ap-southeast-2");
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", "http://127.0.0.1:10");
    ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value =
        serde_json::from_str(&ws.ok(&["output", "-json"]).stdout()).expect("outputs");
    assert_eq!(outputs["region"]["value"], "ap-southeast-2");
    assert_eq!(outputs["endpoint"]["value"], "http://127.0.0.1:10");
}

#[test]
fn a_missing_region_is_a_clear_error() {
    let mut ws = Workspace::new(&provider_block(""));
    ws.remove_env("AWS_REGION");
    ws.fails(&["plan", "-no-color"])
        .assert_mentions("No AWS region");
}

#[test]
fn a_bad_provider_value_fails_with_a_diagnostic_naming_the_attribute() {
    let cases = [
        (
            r#"retry_mode = "sometimes""#,
            "Invalid retry_mode",
            r#"retry_mode = "sometimes""#,
        ),
        (r#"region = "mars""#, "Invalid region", r#"region = "mars""#),
        (
            "max_retries = -3",
            "Invalid max_retries",
            "max_retries = -3",
        ),
        (
            r#"access_key = "AKIDONLY""#,
            "Missing secret_key",
            "provider \"outposts\"",
        ),
        (
            "assume_role {\n  role_arn = \"arn:aws:iam::123456789012:role/x\"\n  duration = \"20h\"\n}",
            "Invalid duration",
            r#"duration = "20h""#,
        ),
        (
            "endpoints {\n  outposts = \"localhost:4566\"\n}",
            "Invalid endpoint URL",
            r#"outposts = "localhost:4566""#,
        ),
        (
            "custom_ca_bundle = \"/nonexistent/ca.pem\"",
            "Unreadable CA bundle",
            "custom_ca_bundle",
        ),
    ];
    for (body, summary, source_line) in cases {
        let ws = Workspace::new(&provider_block(body));
        let run = ws.fails(&["plan", "-no-color"]);
        run.assert_mentions(&format!("Error: {summary}"));
        // Terraform quotes the offending source line when the diagnostic has a path.
        run.assert_mentions(source_line);
    }
}

#[test]
fn bad_retry_settings_in_the_environment_are_refused_by_name() {
    let cases = [
        (
            "AWS_MAX_ATTEMPTS",
            "abc",
            "Invalid AWS_MAX_ATTEMPTS",
            "AWS_MAX_ATTEMPTS must be a whole number between 1 and 101",
        ),
        (
            "AWS_MAX_ATTEMPTS",
            "0",
            "Invalid AWS_MAX_ATTEMPTS",
            "got \"0\"",
        ),
        (
            "AWS_RETRY_MODE",
            "bogus",
            "Invalid AWS_RETRY_MODE",
            "AWS_RETRY_MODE must be \"standard\" or \"adaptive\", got \"bogus\"",
        ),
    ];
    for (variable, value, summary, detail) in cases {
        let mut ws = Workspace::new(&provider_block(""));
        ws.set_env(variable, value);
        ws.fails(&["plan", "-no-color"])
            .assert_mentions(&format!("Error: {summary}"))
            .assert_mentions(detail);
    }
    // Good values in any case, and values the provider block overrides, are accepted.
    let mut ws = Workspace::new(&provider_block("  max_retries = 2"));
    ws.set_env("AWS_RETRY_MODE", "Adaptive");
    ws.set_env("AWS_MAX_ATTEMPTS", "abc");
    ws.ok(&["plan", "-no-color"]);
}

#[test]
fn unknown_provider_values_at_plan_time_are_explained_not_crashed_on() {
    let ws = Workspace::new(&provider_block(
        r#"  region = terraform_data.region.output"#,
    ));
    ws.write(
        "region.tf",
        "resource \"terraform_data\" \"region\" { input = \"us-east-2\" }\n",
    );
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("Provider not configured")
        .assert_mentions("known only during apply")
        .assert_mentions("(region)");
    assert!(!run.stderr().contains("panic"), "{}", run.report());
    assert!(!run.stderr().contains("plugin exited"), "{}", run.report());
}

#[test]
fn tf_log_provider_debug_shows_provider_lines_as_structured_entries() {
    let mut ws = Workspace::new(&provider_block(r#"  region = "us-west-2""#));
    ws.remove_env("TF_LOG_PATH");
    ws.set_env("TF_LOG_PROVIDER", "DEBUG");
    let run = ws.ok(&["plan", "-no-color"]);
    let stderr = run.stderr();
    // Terraform renders a structured entry as "<level> provider.<name>: <message>: @module=..."
    let structured = stderr.lines().find(|l| {
        l.contains("[INFO]  provider.terraform-provider-outposts: provider configured:")
            && l.contains("@module=provider")
            && l.contains("region=us-west-2")
    });
    assert!(
        structured.is_some(),
        "no structured provider entry\n{}",
        run.report()
    );
    let debug = stderr.lines().any(|l| {
        l.contains("[DEBUG] provider.terraform-provider-outposts: Terraform requested shutdown")
    });
    assert!(debug, "debug entries missing\n{}", run.report());
    // Secrets never reach the logs.
    assert!(
        !stderr.contains("test-secret-key"),
        "secret leaked\n{}",
        run.report()
    );
}

#[test]
fn secrets_in_the_provider_block_stay_out_of_logs() {
    let mut ws = Workspace::new(&provider_block(
        r#"  access_key = "AKIDLOGCHECK0000001"
  secret_key = "very-secret-value-1234"
  token      = "session-token-value-5678""#,
    ));
    ws.set_env("TF_LOG_PROVIDER", "TRACE");
    let run = ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let everything = format!("{}{}{}", run.stdout(), run.stderr(), run.log());
    assert!(
        !everything.contains("very-secret-value-1234"),
        "{}",
        run.report()
    );
    assert!(
        !everything.contains("session-token-value-5678"),
        "{}",
        run.report()
    );
    let state = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap_or_default();
    assert!(!state.contains("very-secret-value-1234"));
}
