//! Drift checks: `terraform plan -refresh-only -detailed-exitcode` exits 0 while the
//! tasks are as the state says, and 2 once something changed outside Terraform, until
//! `apply -refresh-only` takes the change in.

use crate::harness::Workspace;
use crate::sim::{OUTPOST, Sim, state, task_config};
use outposts_simulator::CapacityTaskStatus;
use std::time::Duration;

const LAYOUT: &[(&str, u32)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];

/// The quickstart rack's task `t`, and a second task on the edge server.
fn two_tasks() -> String {
    let server = "resource \"outposts_capacity_task\" \"edge\" {\n  \
                  outpost_identifier = \"op-0fedcba9876543210\"\n  \
                  order_id           = \"oo-0fedcba9876543210\"\n  \
                  instance_pool {\n    instance_type = \"c5.xlarge\"\n    count         = 4\n  }\n  \
                  instance_pool {\n    instance_type = \"m5.xlarge\"\n    count         = 12\n  }\n}\n";
    format!("{}\n{server}", task_config("", LAYOUT))
}

/// Runs the refresh-only plan and checks its detailed exit code: 0 when the state
/// matches the world, 2 when it would record changes.
fn refresh_only_plan(ws: &Workspace, expected: i32) -> crate::harness::Run {
    let run = ws.run(&[
        "plan",
        "-refresh-only",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
    ]);
    assert_eq!(
        run.output.status.code(),
        Some(expected),
        "refresh-only plan exit code\n{}",
        run.report()
    );
    run
}

fn apply_refresh_only(ws: &Workspace) {
    ws.ok(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ]);
}

/// A frozen clock and a short create timeout: the apply returns with the task still
/// REQUESTED and in the state (untainted), so it can still be cancelled out of band.
fn a_task_still_requested_in_state() -> (Sim, Workspace, String) {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"1s\"\n  }",
        LAYOUT,
    ));
    ws.fails(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .assert_mentions("Timed out waiting for the capacity task");
    ws.ok(&["untaint", "outposts_capacity_task.t"]);
    let task_id = state(&ws)["capacity_task_id"]
        .as_str()
        .expect("task kept in state")
        .to_string();
    (sim, ws, task_id)
}

#[test]
fn refresh_only_plan_of_unchanged_tasks_exits_0() {
    let sim = Sim::fast();
    let ws = sim.workspace(&two_tasks());
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(sim.handle.tasks().len(), 2);
    refresh_only_plan(&ws, 0).assert_mentions("No changes");
    apply_refresh_only(&ws);
    refresh_only_plan(&ws, 0).assert_mentions("No changes");
}

#[test]
fn refresh_only_plan_reports_a_task_cancelled_out_of_band_until_the_state_takes_it_in() {
    let (sim, ws, task_id) = a_task_still_requested_in_state();
    assert_eq!(state(&ws)["status"], "REQUESTED");
    refresh_only_plan(&ws, 0);

    sim.cancel_through_the_api(OUTPOST, &task_id);
    sim.handle.advance_clock(Duration::from_secs(60));
    assert_eq!(
        sim.handle.task(&task_id).map(|t| t.status),
        Some(CapacityTaskStatus::Cancelled)
    );

    refresh_only_plan(&ws, 2)
        .assert_mentions("Objects have changed outside of Terraform")
        .assert_mentions("~ status")
        .assert_mentions("\"REQUESTED\" -> \"CANCELLED\"");
    assert_eq!(state(&ws)["status"], "REQUESTED", "a plan changes no state");

    apply_refresh_only(&ws);
    assert_eq!(state(&ws)["status"], "CANCELLED");
    refresh_only_plan(&ws, 0).assert_mentions("No changes");
    assert_eq!(
        sim.count("CancelCapacityTask"),
        1,
        "only the test cancelled"
    );
}

/// The scheduled drift job of the team examples, `examples/teams/drift-check.sh`:
/// in sync, then drifted once a task is cancelled through the API, then in sync again
/// after `apply -refresh-only`; a directory it cannot check fails the run.
#[test]
fn the_drift_check_job_reports_in_sync_drifted_and_in_sync_again() {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/teams/drift-check.sh");
    let (sim, ws, task_id) = a_task_still_requested_in_state();

    let job = |expected: i32| {
        let run = ws.script(&script, &[]);
        assert_eq!(
            run.output.status.code(),
            Some(expected),
            "drift-check.sh exit code\n{}",
            run.report()
        );
        run
    };
    job(0).assert_mentions("IN SYNC  . (workspace default)");

    sim.cancel_through_the_api(OUTPOST, &task_id);
    sim.handle.advance_clock(Duration::from_secs(60));
    job(2)
        .assert_mentions("DRIFTED  . (workspace default): changed outside Terraform:")
        .assert_mentions("outposts_capacity_task.t has changed")
        .assert_mentions("terraform apply -refresh-only");
    assert_eq!(
        state(&ws)["status"],
        "REQUESTED",
        "the job changes no state"
    );

    apply_refresh_only(&ws);
    job(0).assert_mentions("IN SYNC");

    // Several directories: the worst result wins, and each is named.
    let run = ws.script(&script, &[".", "no-such-directory"]);
    assert_eq!(run.output.status.code(), Some(1), "{}", run.report());
    run.assert_mentions("IN SYNC  . (workspace default)")
        .assert_mentions("FAILED   no-such-directory: not a directory");
}
