//! The shared module `examples/modules/outpost-capacity`, run as its authors run it:
//! `terraform test` in the module, and its layout-drift check, against the simulator.
//! The team configurations that call it, with their state in PostgreSQL, are run in
//! `teams.rs`.

use crate::sim::{Sim, required_outposts};
use std::time::Duration;

#[test]
fn the_shared_module_passes_its_terraform_test_suite() {
    let sim = Sim::quick();
    let ws = sim.examples_workspace("modules/outpost-capacity");
    let run = ws.ok(&["test", "-no-color"]);
    run.assert_mentions("run \"stops_a_layout_that_does_not_fit_with_the_shortfall\"... pass")
        .assert_mentions("run \"applies_the_layout\"... pass")
        .assert_mentions("7 passed, 0 failed");
    assert_eq!(
        sim.handle.tasks().len(),
        1,
        "only the apply run starts a task: {:?}",
        sim.handle.tasks()
    );
    assert_eq!(
        sim.count("ListAssets"),
        0,
        "the layout-drift check reads no assets for a rack"
    );
}

/// The module's `check` block: once the server's task has COMPLETED, a layout changed
/// out of band (a second task started through the API) is reported as a warning that
/// names each type whose count differs; the plan itself still succeeds unchanged.
#[test]
fn the_module_warns_when_a_servers_layout_was_changed_out_of_band() {
    const SERVER: &str = "op-0fedcba9876543210";
    const ASSET: &str = "2000000001";
    let sim = Sim::quick();
    // A root configuration beside the team examples, calling the module by path.
    let ws = sim.examples_workspace("teams");
    ws.write(
        "main.tf",
        &format!(
            r#"
{}
module "edge" {{
  source   = "../modules/outpost-capacity"
  outpost  = "{SERVER}"
  asset_id = "{ASSET}"
  layout   = {{ "c5.xlarge" = 8, "m5.xlarge" = 8 }}
}}
"#,
            required_outposts(crate::harness::PRIVATE_PROVIDER, None)
        ),
    );
    ws.ok(&["get", "-no-color"]);
    const WARNING: &str = "no longer has this module's layout";
    let apply = ws.ok(&["apply", "-input=false", "-auto-approve", "-no-color"]);
    assert!(
        !apply.stdout().contains(WARNING),
        "no warning while the module's own task applies the layout\n{}",
        apply.report()
    );
    let plan = ws.assert_no_changes("after apply");
    assert!(!plan.stdout().contains(WARNING), "{}", plan.report());

    let other = sim.start_through_the_api(SERVER, ASSET, &[("c5.xlarge", 4), ("m5.xlarge", 12)]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sim.handle.task(&other).map(|t| t.status)
        != Some(outposts_simulator::CapacityTaskStatus::Completed)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the API's task did not complete"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let plan = ws.assert_no_changes("a failed check warns; it changes nothing");
    plan.assert_mentions("Warning: Check block assertion failed")
        .assert_mentions(&format!("Asset {ASSET} of Outpost {SERVER} {WARNING}"))
        .assert_mentions("c5.xlarge: 4 on the asset, 8 in the module")
        .assert_mentions("m5.xlarge: 12 on the asset, 8 in the module");
}
