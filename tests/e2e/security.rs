//! Secrets stay secret: with Terraform's most verbose logging, no secret key, session
//! token or TLS private key appears in Terraform's output, its log (which holds the
//! provider's) or the state; a refused signature is explained without echoing either
//! key. (Other guarantees have their own tests: sensitive schema attributes in
//! provider_config.rs, the refused client without Terraform's certificate in
//! plugin.rs, the simulator's loopback-only listener in its contract tests.)

use crate::sim::{ORDER, OUTPOST, Sim};
use outposts_simulator::{Credentials, SimulatorConfig};

const SECRET: &str = "tr4ce-secret-key-0123456789abcdefSECRET";
const TOKEN: &str = "tr4ce-session-token-FwoGZXIvYXdzEJr-TOKEN";

fn task() -> String {
    format!(
        "resource \"outposts_capacity_task\" \"t\" {{\n  outpost_identifier = \"{OUTPOST}\"\n  order_id = \"{ORDER}\"\n  dry_run_on_plan = true\n  instance_pool {{\n    instance_type = \"c5.4xlarge\"\n    count = 3\n  }}\n}}\n"
    )
}

#[test]
fn at_trace_level_no_secret_reaches_output_logs_or_state() {
    let sim = Sim::fast();
    let mut ws = sim.workspace(&task());
    ws.set_env("AWS_SECRET_ACCESS_KEY", SECRET);
    ws.set_env("AWS_SESSION_TOKEN", TOKEN);
    ws.set_env("TF_LOG", "TRACE");
    ws.remove_env("TF_LOG_PROVIDER");
    let apply = ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let destroy = ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    let state = std::fs::read_to_string(ws.path().join("terraform.tfstate")).unwrap_or_default();
    let backup =
        std::fs::read_to_string(ws.path().join("terraform.tfstate.backup")).unwrap_or_default();
    let log = apply.log();
    assert!(
        log.lines().count() > 1000 && log.contains("[TRACE]"),
        "the log is at trace level"
    );
    assert!(
        log.contains("provider.terraform-provider-outposts"),
        "the provider's entries are in the log"
    );
    for (what, text) in [
        (
            "apply output",
            format!("{}{}", apply.stdout(), apply.stderr()),
        ),
        (
            "destroy output",
            format!("{}{}", destroy.stdout(), destroy.stderr()),
        ),
        ("log", log),
        ("state", state),
        ("state backup", backup),
    ] {
        for secret in [SECRET, TOKEN] {
            assert!(!text.contains(secret), "{what} holds a secret");
        }
        // The plugin's TLS key, or any private key, in PEM.
        assert!(!text.contains("PRIVATE KEY"), "{what} holds a private key");
    }
}

#[test]
fn a_refused_signature_is_explained_without_echoing_either_key() {
    let sim = Sim::start(SimulatorConfig {
        credentials: Some(Credentials::new(
            "AKIDTESTACCESSKEY01",
            "the-right-secret-known-to-the-simulator",
        )),
        ..SimulatorConfig::default()
    });
    let mut ws = sim.workspace(&task());
    ws.set_env("AWS_SECRET_ACCESS_KEY", SECRET);
    ws.set_env("TF_LOG_PROVIDER", "TRACE");
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("Capacity check failed")
        .assert_mentions("access denied");
    let everything = format!("{}{}{}", run.stdout(), run.stderr(), run.log());
    assert!(!everything.contains(SECRET), "{}", run.report());
    assert!(
        !everything.contains("the-right-secret-known-to-the-simulator"),
        "{}",
        run.report()
    );
    assert!(sim.handle.tasks().is_empty());
}
