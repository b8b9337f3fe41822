//! Refuse early, explain exactly: configuration mistakes, credentials, endpoints and
//! AWS errors each end with a message that says what is wrong, on the right attribute,
//! at the earliest phase that can know. Real `terraform` against the simulator.

use crate::endpoints::FakeEndpoint;
use crate::harness::{REQUIRED_PROVIDERS, Run, Workspace};
use crate::sim::{ORDER, OUTPOST, Sim, state, task_config};
use outposts_simulator::{FaultKind, FaultRule, Operation};
use std::time::{Duration, Instant};

const LAYOUT: &[(&str, u32)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];

fn apply(ws: &Workspace) -> Run {
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
}

/// A workspace on the simulator with extra provider arguments.
fn workspace_with_provider(sim: &Sim, provider_body: &str, resources: &str) -> Workspace {
    let ws = sim.workspace(resources);
    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n{provider_body}\n}}\n\n{resources}"
        ),
    );
    ws
}

/// The line of `main.tf` a `-json` diagnostic with `summary` points at.
fn diagnostic_line(run: &Run, summary: &str) -> Option<(u64, String)> {
    let source = std::fs::read_to_string(run.dir().join("main.tf")).unwrap_or_default();
    run.stdout()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            // `plan -json` prints one message per line; `validate -json` one document.
            if v["type"] == "diagnostic" {
                Some(vec![v["diagnostic"].clone()])
            } else {
                v["diagnostics"].as_array().cloned()
            }
        })
        .flatten()
        .find(|d| d["summary"] == summary)
        .and_then(|d| d["range"]["start"]["line"].as_u64())
        .map(|line| {
            let text = source
                .lines()
                .nth(line as usize - 1)
                .unwrap_or_default()
                .trim()
                .to_string();
            (line, text)
        })
}

// ---- item 6: nothing invalid past validate ---------------------------------------------

#[test]
fn a_read_only_attribute_cannot_be_configured() {
    let ws = Workspace::new(&format!(
        "provider \"outposts\" {{}}\n{}",
        task_config("  status = \"COMPLETED\"", LAYOUT)
    ));
    ws.fails(&["validate", "-no-color"])
        .assert_mentions("Invalid Configuration for Read-Only Attribute")
        .assert_mentions("can't configure a value")
        .assert_mentions("status = \"COMPLETED\"");
}

#[test]
fn a_null_from_a_variable_fails_the_plan_before_any_api_call() {
    let sim = Sim::fast();
    let ws = sim.workspace(&format!(
        "variable \"outpost\" {{\n  type    = string\n  default = null\n}}\n{}",
        task_config("", LAYOUT).replace(&format!("\"{OUTPOST}\""), "var.outpost")
    ));
    // `terraform validate` treats root variables as unknown; the plan knows the null.
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("Missing Configuration for Required Attribute")
        .assert_mentions("outpost_identifier = var.outpost");
    assert!(
        sim.handle.request_counts().is_empty(),
        "no AWS call for an invalid configuration: {:?}",
        sim.handle.request_counts()
    );
    // A null handed to a module's argument is known null to validate.
    let local = sim.workspace(&format!(
        "locals {{\n  outpost = null\n}}\n{}",
        task_config("", LAYOUT).replace(&format!("\"{OUTPOST}\""), "local.outpost")
    ));
    local
        .fails(&["validate", "-no-color"])
        .assert_mentions("Missing Configuration for Required Attribute");
}

#[test]
fn required_arguments_of_provider_blocks_are_checked_too() {
    let ws = Workspace::new(
        "provider \"outposts\" {\n  assume_role {\n    role_arn = null\n  }\n}\ndata \"outposts_region\" \"r\" {}\n",
    );
    ws.fails(&["validate", "-no-color"])
        .assert_mentions("Missing Configuration for Required Attribute")
        .assert_mentions("role_arn = null");
}

// ---- item 7: credentials fail at configuration -------------------------------------------

fn credentials_workspace(sim: &Sim, provider_body: &str) -> Workspace {
    let mut ws = workspace_with_provider(sim, provider_body, &task_config("", LAYOUT));
    ws.remove_env("AWS_ACCESS_KEY_ID");
    ws.remove_env("AWS_SECRET_ACCESS_KEY");
    ws
}

fn assert_configuration_error(run: &Run) {
    for wrong in [
        "temporary failure",
        "could not be checked",
        "Could not start",
    ] {
        assert!(
            !run.stderr().contains(wrong),
            "a credentials problem reported as {wrong:?}\n{}",
            run.report()
        );
    }
}

#[test]
fn a_missing_profile_fails_at_configuration_by_name() {
    let sim = Sim::fast();
    let ws = credentials_workspace(&sim, "");
    let credentials = ws.path().join("credentials");
    std::fs::write(
        &credentials,
        "[team-a]\naws_access_key_id = AKIDTEAMA\naws_secret_access_key = team-a-secret\n",
    )
    .expect("write credentials");
    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n  profile = \"team-b\"\n  shared_credentials_files = [{:?}]\n}}\n{}",
            credentials.display().to_string(),
            task_config("", LAYOUT)
        ),
    );
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("AWS profile not found")
        .assert_mentions("\"team-b\"")
        .assert_mentions("team-a")
        .assert_mentions("profile = \"team-b\"");
    assert_configuration_error(&run);
    assert!(sim.handle.request_counts().is_empty());
}

#[test]
fn no_credentials_at_all_fail_at_configuration() {
    let sim = Sim::fast();
    let mut ws = credentials_workspace(&sim, "");
    ws.set_env("AWS_EC2_METADATA_DISABLED", "true");
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("No AWS credentials found")
        .assert_mentions("AWS_ACCESS_KEY_ID");
    assert_configuration_error(&run);
    assert!(sim.handle.request_counts().is_empty());
}

#[test]
fn half_a_key_pair_in_the_environment_names_the_missing_half() {
    let sim = Sim::fast();
    for (set, missing) in [
        ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
    ] {
        let mut ws = credentials_workspace(&sim, "");
        ws.set_env("AWS_EC2_METADATA_DISABLED", "true");
        ws.set_env(set, "AKIDHALFAPAIR000001");
        let run = ws.fails(&["plan", "-no-color"]);
        run.assert_mentions(&format!("Error: Missing {missing}"))
            .assert_mentions(&format!("{set} is set, but {missing} is not"));
        assert_configuration_error(&run);
    }
    assert!(sim.handle.request_counts().is_empty());
}

#[test]
fn an_unreadable_shared_file_is_named_at_its_argument() {
    let sim = Sim::fast();
    // A directory where a file should be: it exists and cannot be read.
    let ws = credentials_workspace(&sim, "");
    let path = ws.path().join("not-a-file");
    std::fs::create_dir(&path).expect("mkdir");
    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n  shared_config_files = [{:?}]\n}}\n{}",
            path.display().to_string(),
            task_config("", LAYOUT)
        ),
    );
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("Unreadable AWS shared file")
        .assert_mentions("shared_config_files[0]")
        .assert_mentions("not-a-file");
    assert_configuration_error(&run);
}

// ---- item 8: errors classified by the SDK --------------------------------------------------

#[test]
fn a_permanent_error_ends_the_wait_at_once_with_status_and_request_id() {
    let sim = Sim::fast();
    sim.fault(Operation::GetCapacityTask, FaultKind::AccessDenied, 1);
    let ws = sim.workspace(&task_config("", LAYOUT));
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("access denied")
        .assert_mentions("HTTP 403")
        .assert_mentions("request ID");
    assert_eq!(
        sim.count("GetCapacityTask"),
        1,
        "access denied is not retried"
    );
    let s = state(&ws);
    assert_eq!(
        s["capacity_task_id"],
        sim.handle.tasks()[0].capacity_task_id.as_str(),
        "the task stays in state"
    );
}

#[test]
fn an_endpoint_that_is_not_the_outposts_api_never_makes_a_task_look_deleted() {
    let sim = Sim::fast();
    let mut ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let task_id = state(&ws)["capacity_task_id"].clone();
    let web = FakeEndpoint::not_found();
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", &web.url);
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("HTTP 404")
        .assert_mentions("may not be the Outposts API");
    assert_eq!(
        web.connections(),
        1,
        "a 404 from a web server is not retried"
    );
    assert_eq!(
        state(&ws)["capacity_task_id"],
        task_id,
        "the task is still in state"
    );
}

#[test]
fn tls_failures_are_reported_at_once_not_retried() {
    let sim = Sim::fast();
    let mut ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let untrusted = FakeEndpoint::untrusted_tls();
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", &untrusted.url);
    let run = ws.fails(&["plan", "-no-color"]);
    run.assert_mentions("TLS failed");
    assert_eq!(untrusted.connections(), 1, "a TLS failure is not retried");
}

#[test]
fn max_retries_defaults_to_25_and_is_honoured() {
    // Three throttled answers in a row: the SDK's own default (3 attempts) gives up, the
    // provider's default (26 attempts) rides them out.
    let sim = Sim::fast();
    sim.fault(Operation::StartCapacityTask, FaultKind::Throttle, 3);
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    assert_eq!(sim.count("StartCapacityTask"), 4);
    assert_eq!(sim.handle.tasks().len(), 1);

    let sim = Sim::fast();
    sim.fault(Operation::StartCapacityTask, FaultKind::Throttle, 3);
    let ws = workspace_with_provider(&sim, "  max_retries = 1", &task_config("", LAYOUT));
    ws.fails(&["apply", "-auto-approve", "-no-color"])
        .assert_mentions("throttled")
        .assert_mentions("No task was started");
    assert_eq!(
        sim.count("StartCapacityTask"),
        2,
        "max_retries = 1: two attempts"
    );
    assert!(sim.handle.tasks().is_empty());

    // The same policy governs the SDK's own retries of every other call.
    sim.fault(
        Operation::ListCapacityTasks,
        FaultKind::ServiceUnavailable,
        5,
    );
    let lists = sim.count("ListCapacityTasks");
    ws.fails(&["apply", "-auto-approve", "-no-color"])
        .assert_mentions("No task was started");
    assert_eq!(sim.count("ListCapacityTasks") - lists, 2);
}

#[test]
fn every_aws_request_is_logged_at_debug_without_secrets() {
    let sim = Sim::fast();
    let ws = sim.workspace(&task_config("", LAYOUT));
    let run = apply(&ws);
    let log = run.log();
    let line = log
        .lines()
        .find(|l| l.contains("AWS request") && l.contains("operation=StartCapacityTask"))
        .unwrap_or_else(|| panic!("no request log line\n{}", run.report()));
    for field in [
        "status=200",
        "request_id=",
        "duration_ms=",
        "attempt=1",
        "method=POST",
    ] {
        assert!(line.contains(field), "{field} missing from {line}");
    }
    assert!(
        log.lines()
            .any(|l| l.contains("AWS request") && l.contains("operation=GetCapacityTask")),
        "{}",
        run.report()
    );
    assert!(!log.contains("test-secret-key"), "secret in the log");
    assert!(!log.contains("Signature="), "signature in the log");
}

// ---- item 9: the plan-time dry run ------------------------------------------------------------

#[test]
fn dry_run_warnings_reach_the_user_on_a_replacement() {
    let sim = Sim::fast();
    let ws = workspace_with_provider(
        &sim,
        "  max_retries = 0",
        &task_config("  dry_run_on_plan = true", LAYOUT),
    );
    apply(&ws);
    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n  max_retries = 0\n}}\n{}",
            task_config("  dry_run_on_plan = true", &[("c5.4xlarge", 4), ("m5.xlarge", 12)])
        ),
    );
    sim.fault(
        Operation::StartCapacityTask,
        FaultKind::ServiceUnavailable,
        1,
    );
    let before = sim.count("StartCapacityTask");
    let run = ws.ok(&["plan", "-no-color"]);
    run.assert_mentions("must be replaced")
        .assert_mentions("Capacity check skipped")
        .assert_mentions("could not reach AWS");
    assert_eq!(
        sim.count("StartCapacityTask") - before,
        1,
        "one dry run for the replacement"
    );
}

#[test]
fn a_hung_endpoint_does_not_hold_the_plan() {
    let sim = Sim::fast();
    let hang = |calls| {
        sim.handle
            .inject_fault(
                FaultRule::next_calls(Operation::StartCapacityTask, FaultKind::Latency, calls)
                    .with_latency_ms(120_000),
            )
            .expect("fault");
    };
    // One hung attempt: it is given up after the response timeout (15 s) and the next
    // attempt answers.
    hang(1);
    let ws = sim.workspace(&task_config("  dry_run_on_plan = true", LAYOUT));
    let started = Instant::now();
    let run = ws.ok(&["plan", "-no-color"]);
    let took = started.elapsed();
    assert!(
        !run.stdout().contains("Capacity check skipped"),
        "{}",
        run.report()
    );
    assert!(took < Duration::from_secs(20), "the plan took {took:?}");
    assert_eq!(sim.dry_runs(), 2, "the hung attempt and the answered one");

    // Every attempt hung: the check's own budget (20 s) ends it.
    hang(3);
    let started = Instant::now();
    let run = ws.ok(&["plan", "-no-color"]);
    let took = started.elapsed();
    run.assert_mentions("Capacity check skipped")
        .assert_mentions("did not answer within 20s");
    assert!(took < Duration::from_secs(30), "the plan took {took:?}");
}

// ---- item 10: the right attribute -------------------------------------------------------------

#[test]
fn a_missing_order_or_asset_is_reported_on_its_argument() {
    let sim = Sim::fast();
    let missing_order = task_config("  dry_run_on_plan = true", LAYOUT)
        .replace("oo-0123456789abcdef0", "oo-0ffffffffffffffff");
    let ws = sim.workspace(&missing_order);
    let run = ws.fails(&["plan", "-json", "-no-color"]);
    let (_, text) = diagnostic_line(&run, "Order not found")
        .unwrap_or_else(|| panic!("no \"Order not found\"\n{}", run.report()));
    assert!(text.starts_with("order_id"), "points at {text:?}");

    // A server's asset, at apply (no dry run): the start itself is refused.
    let missing_asset = format!(
        "resource \"outposts_capacity_task\" \"t\" {{\n  outpost_identifier = \"{OUTPOST}\"\n  asset_id = \"9999999999\"\n  instance_pool {{\n    instance_type = \"c5.large\"\n    count = 1\n  }}\n}}\n"
    );
    let ws = sim.workspace(&missing_asset);
    let run = ws.fails(&["apply", "-auto-approve", "-json", "-no-color"]);
    let (_, text) = diagnostic_line(&run, "Asset not found")
        .unwrap_or_else(|| panic!("no \"Asset not found\"\n{}", run.report()));
    assert!(text.starts_with("asset_id"), "points at {text:?}");
    assert!(sim.handle.tasks().is_empty());
}

#[test]
fn an_outpost_arn_of_another_region_is_refused_before_any_call() {
    let sim = Sim::fast();
    let arn = sim.outpost_arn();
    assert!(arn.contains(":us-west-2:"), "{arn}");
    let elsewhere = arn.replace(":us-west-2:", ":us-east-1:");
    let summary = "Outpost in another region";
    let task_id = "cap-0123456789abcdef0";

    // The resource's plan, and every data source that takes an Outpost.
    let configs = [
        task_config("", LAYOUT).replace(&format!("\"{OUTPOST}\""), &format!("{elsewhere:?}")),
        format!("data \"outposts_assets\" \"a\" {{\n  outpost_identifier = {elsewhere:?}\n}}\n"),
        format!(
            "data \"outposts_supported_instance_types\" \"t\" {{\n  outpost_identifier = {elsewhere:?}\n}}\n"
        ),
        format!(
            "data \"outposts_capacity_tasks\" \"t\" {{\n  outpost_identifier = {elsewhere:?}\n}}\n"
        ),
        format!(
            "data \"outposts_capacity_task\" \"t\" {{\n  outpost_identifier = {elsewhere:?}\n  capacity_task_id   = \"{task_id}\"\n}}\n"
        ),
        format!(
            "data \"outposts_capacity_check\" \"c\" {{\n  outpost_identifier = {elsewhere:?}\n  order_id           = \"{ORDER}\"\n  instance_pool {{\n    instance_type = \"c5.4xlarge\"\n    count         = 1\n  }}\n}}\n"
        ),
    ];
    for config in &configs {
        let ws = sim.workspace(config);
        let run = ws.fails(&["plan", "-json", "-no-color"]);
        let (_, text) = diagnostic_line(&run, summary)
            .unwrap_or_else(|| panic!("no {summary:?}\n{}", run.report()));
        assert!(text.starts_with("outpost_identifier"), "points at {text:?}");
        assert!(
            run.stdout().contains("us-east-1") && run.stdout().contains("us-west-2"),
            "{}",
            run.report()
        );
    }
    assert!(
        sim.handle.request_counts().is_empty(),
        "no AWS call: {:?}",
        sim.handle.request_counts()
    );

    // Import.
    let ws = sim.workspace(&task_config("", LAYOUT));
    ws.fails(&[
        "import",
        "-no-color",
        "outposts_capacity_task.t",
        &format!("{elsewhere}/{task_id}"),
    ])
    .assert_mentions(summary);
    assert!(sim.handle.request_counts().is_empty());

    // Refresh: a task in state, and a provider moved to another region. The task stays.
    let ws = sim.workspace(
        &task_config("", LAYOUT).replace(&format!("\"{OUTPOST}\""), &format!("{arn:?}")),
    );
    apply(&ws);
    let before = state(&ws)["capacity_task_id"].clone();
    let gets = sim.count("GetCapacityTask");
    let moved = std::fs::read_to_string(ws.path().join("main.tf"))
        .expect("main.tf")
        .replace("region = \"us-west-2\"", "region = \"us-east-1\"");
    ws.write("main.tf", &moved);
    ws.fails(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .assert_mentions(summary)
        .assert_mentions(before.as_str().unwrap_or_default());
    assert_eq!(sim.count("GetCapacityTask"), gets, "no GetCapacityTask");
    assert_eq!(
        state(&ws)["capacity_task_id"],
        before,
        "the task stays in state"
    );
}

// ---- item 11: small things users see --------------------------------------------------------

#[test]
fn timestamps_have_the_precision_aws_gives() {
    // AWS sends epoch seconds with milliseconds; .893 is one of the many fractions a
    // float cannot hold exactly (it reads back as .892999…). The frozen clock is set to
    // such a millisecond before the task starts.
    let sim = Sim::frozen();
    let now_ms = (sim.handle.now() * 1000.0).round() as u64;
    sim.handle
        .advance_clock(Duration::from_millis((1000 + 893 - now_ms % 1000) % 1000));
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"1s\"\n  }",
        LAYOUT,
    ));
    ws.fails(&["apply", "-auto-approve", "-no-color"])
        .assert_mentions("Timed out waiting for the capacity task");
    let task = &sim.handle.tasks()[0];
    assert_eq!(task.creation_date % 1000, 893, "the simulator's clock");
    let seconds = time::OffsetDateTime::from_unix_timestamp((task.creation_date / 1000) as i64)
        .expect("time")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let expected = format!("{}.893Z", seconds.trim_end_matches('Z'));
    assert_eq!(state(&ws)["creation_date"], expected.as_str());
}

#[test]
fn new_partitions_and_skip_region_validation() {
    let sim = Sim::fast();
    let reader =
        "data \"outposts_region\" \"r\" {}\noutput \"r\" { value = data.outposts_region.r.name }\n";
    let ws = sim.workspace(reader);
    ws.write(
        "main.tf",
        &format!("{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"eusc-de-east-1\"\n}}\n{reader}"),
    );
    apply(&ws).assert_mentions("r = \"eusc-de-east-1\"");

    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"lab-rack\"\n}}\n{reader}"
        ),
    );
    ws.fails(&["plan", "-no-color"])
        .assert_mentions("Invalid region")
        .assert_mentions("skip_region_validation");
    ws.write(
        "main.tf",
        &format!("{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"lab-rack\"\n  skip_region_validation = true\n}}\n{reader}"),
    );
    apply(&ws).assert_mentions("r = \"lab-rack\"");
}

#[test]
fn a_state_missing_blocks_is_read_not_rejected() {
    let sim = Sim::fast();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let path = ws.path().join("terraform.tfstate");
    let mut tfstate: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("JSON");
    let attributes = &mut tfstate["resources"][0]["instances"][0]["attributes"];
    let object = attributes.as_object_mut().expect("attributes");
    // An older or hand-edited state: blocks and attributes the schema has are absent.
    for name in [
        "instances_to_exclude",
        "timeouts",
        "dry_run_on_plan",
        "last_modified_date",
    ] {
        assert!(
            object.remove(name).is_some() || name == "dry_run_on_plan",
            "{name}"
        );
    }
    tfstate["serial"] = serde_json::json!(tfstate["serial"].as_u64().unwrap_or(1) + 1);
    std::fs::write(&path, tfstate.to_string()).expect("write state");
    let run = ws.run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.report());
}

#[test]
fn terraform_logs_no_unimplemented_stdio_error() {
    let sim = Sim::fast();
    let mut ws = sim.workspace(&task_config("", LAYOUT));
    ws.set_env("TF_LOG", "DEBUG");
    let run = ws.ok(&["plan", "-no-color"]);
    let log = run.log();
    assert!(
        log.contains("provider.stdio"),
        "Terraform did not open the stdio stream\n{}",
        run.report()
    );
    assert!(
        !log.contains("Unimplemented"),
        "{}",
        log.lines()
            .filter(|l| l.contains("Unimplemented"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
