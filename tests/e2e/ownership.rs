//! One task per intent, one owner per task: several workspaces share Outposts, and the
//! same Outpost or layout can be written in several ways. Each test drives the real
//! `terraform` against the simulator.

use crate::harness::{REQUIRED_PROVIDERS, Run, Workspace};
use crate::sim::{OUTPOST, Sim, state, state_task_id, task_config};
use outposts_simulator::{
    EventualConsistency, FaultKind, FaultRule, Operation, SimulatorConfig, TaskTiming,
};
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

const LAYOUT: &[(&str, u32)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];

fn apply(ws: &Workspace) -> Run {
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
}

/// Rewrites the workspace's configuration (provider block included).
fn rewrite(ws: &Workspace, resources: &str) {
    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n}}\n\n{resources}"
        ),
    );
}

fn with_outpost(config: &str, identifier: &str) -> String {
    config.replace(&format!("\"{OUTPOST}\""), &format!("\"{identifier}\""))
}

#[test]
fn a_rival_start_between_our_list_and_our_start_is_reported_never_adopted() {
    let sim = Sim::frozen();
    // Another workspace starts the very same layout after our pre-start list and just
    // before our StartCapacityTask: ours conflicts on its first attempt.
    sim.fault(Operation::StartCapacityTask, FaultKind::RivalStart, 1);
    // A short create timeout: a provider that wrongly adopted the rival's task would
    // otherwise wait for it on the frozen clock forever.
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"5s\"\n  }",
        LAYOUT,
    ));
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    let tasks = sim.handle.tasks();
    assert_eq!(tasks.len(), 1, "only the rival's task exists: {tasks:?}");
    let rival = tasks[0].capacity_task_id.clone();
    run.assert_mentions("Another capacity task is active")
        .assert_mentions(&rival)
        .assert_mentions(&format!("terraform import <address> {OUTPOST}/{rival}"))
        .assert_mentions("Nothing was started and nothing was cancelled");
    assert_eq!(
        state(&ws),
        serde_json::Value::Null,
        "the rival's task must not be saved as ours"
    );
    assert_eq!(sim.count("CancelCapacityTask"), 0);
    // Destroying this workspace leaves the rival's task alone.
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(sim.count("CancelCapacityTask"), 0);
}

#[test]
fn a_lost_answer_is_adopted_even_when_the_task_list_lags() {
    // The task stays active long enough to be listed once the lag is over.
    let sim = Sim::start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::from_secs(1),
            in_progress: Duration::from_secs(8),
            ..TaskTiming::default()
        },
        ..SimulatorConfig::default()
    });
    // The first StartCapacityTask creates the task but its answer is lost; the retry
    // conflicts with it; ListCapacityTasks does not show it for its first two calls.
    sim.handle.set_eventual_consistency(EventualConsistency {
        list_hidden_calls: 2,
        ..EventualConsistency::default()
    });
    sim.apply_through_a_lost_start_answer(LAYOUT);
}

#[test]
fn a_lost_answer_for_a_task_that_finished_at_once_is_adopted_not_started_again() {
    // Tasks finish as soon as time moves: by the next attempt, the task the first
    // attempt started (its answer lost) is COMPLETED, so a new attempt would meet no
    // conflict and start a second task.
    let sim = Sim::start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::ZERO,
            in_progress: Duration::ZERO,
            ..TaskTiming::default()
        },
        ..SimulatorConfig::default()
    });
    sim.fault(Operation::StartCapacityTask, FaultKind::LoseResponse, 1);
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let s = sim.assert_the_only_task_is_in_state(&ws);
    assert_eq!(s["status"], "COMPLETED");
    assert_eq!(
        sim.count("StartCapacityTask"),
        1,
        "no second attempt once found"
    );
}

#[test]
fn a_start_answer_without_a_task_id_is_resolved_not_saved_empty() {
    let sim = Sim::fast();
    sim.fault(Operation::StartCapacityTask, FaultKind::OmitTaskId, 1);
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let s = sim.assert_the_only_task_is_in_state(&ws);
    assert_eq!(
        s["id"],
        format!("{OUTPOST}/{}", sim.handle.tasks()[0].capacity_task_id)
    );
}

#[test]
fn an_outpost_named_by_arn_is_the_outpost_named_by_id() {
    let sim = Sim::fast();
    let arn = sim.outpost_arn();
    let by_id = task_config("", LAYOUT);
    let by_arn = with_outpost(&by_id, &arn);

    // Switching the configuration between the two forms plans nothing.
    let ws = sim.workspace(&by_id);
    apply(&ws);
    rewrite(&ws, &by_arn);
    ws.assert_no_changes("ID in state, ARN in the configuration");
    rewrite(&ws, &by_id);
    ws.assert_no_changes("back to the ID");
    let task_id = state_task_id(&ws);

    // Importing in one form into a configuration that uses the other plans nothing.
    for (config, import_id) in [
        (&by_id, format!("{arn}/{task_id}")),
        (&by_arn, format!("{OUTPOST}/{task_id}")),
    ] {
        let imported = sim.workspace(config);
        imported.ok(&[
            "import",
            "-no-color",
            "outposts_capacity_task.t",
            &import_id,
        ]);
        imported.assert_no_changes(&format!("imported as {import_id}"));
    }
    assert_eq!(sim.handle.tasks().len(), 1, "no second task");
    assert_eq!(sim.count("CancelCapacityTask"), 0);
}

#[test]
fn reordering_pools_plans_nothing_after_create_or_import() {
    let sim = Sim::fast();
    let reversed: Vec<(&str, u32)> = LAYOUT.iter().rev().copied().collect();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    rewrite(&ws, &task_config("", &reversed));
    ws.assert_no_changes("pools reordered after create");
    let task_id = state_task_id(&ws);

    // AWS reports the pools in its own order; a configuration in either order matches.
    for layout in [LAYOUT.to_vec(), reversed] {
        let imported = sim.workspace(&task_config("", &layout));
        imported.ok(&[
            "import",
            "-no-color",
            "outposts_capacity_task.t",
            &format!("{OUTPOST}/{task_id}"),
        ]);
        imported.assert_no_changes("pools in another order after import");
    }
    assert_eq!(sim.handle.tasks().len(), 1);
}

#[test]
fn interrupted_before_the_start_starts_nothing() {
    let sim = Sim::fast();
    // The pre-start ListCapacityTasks is slow; Ctrl-C arrives while it is in flight.
    sim.handle
        .inject_fault(
            FaultRule::next_calls(Operation::ListCapacityTasks, FaultKind::Latency, 1)
                .with_latency_ms(4000),
        )
        .expect("fault");
    let ws = sim.workspace(&task_config("", LAYOUT));
    let mut command = ws.command(&["apply", "-auto-approve", "-no-color"]);
    command.process_group(0);
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("apply");
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.count("ListCapacityTasks") == 0 {
        assert!(Instant::now() < deadline, "the pre-start list never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    test_support::send_signal(child.id(), "INT", true);
    let output = child.wait_with_output().expect("terraform exits");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Give a StartCapacityTask sent late a chance to arrive before counting.
    std::thread::sleep(Duration::from_millis(4500));
    assert_eq!(
        sim.count("StartCapacityTask"),
        0,
        "a task was started after Ctrl-C\n{text}"
    );
    assert!(sim.handle.tasks().is_empty());
    assert!(
        text.contains("Interrupted before the capacity task was started"),
        "{text}"
    );
    assert_eq!(state(&ws), serde_json::Value::Null);
}

#[test]
fn create_before_destroy_with_a_running_task_says_what_happens() {
    let sim = Sim::frozen();
    let lifecycle = "  lifecycle {\n    create_before_destroy = true\n  }\n  timeouts {\n    create = \"1s\"\n  }";
    let ws = sim.workspace(&task_config(lifecycle, LAYOUT));
    ws.fails(&["apply", "-auto-approve", "-no-color"]);
    ws.ok(&["untaint", "outposts_capacity_task.t"]);
    let old = sim.handle.tasks()[0].capacity_task_id.clone();

    rewrite(
        &ws,
        &task_config(lifecycle, &[("c5.4xlarge", 4), ("m5.xlarge", 12)]),
    );
    // The provider is not told about create_before_destroy (Terraform's plan request
    // does not carry it): the warning must be true with it and without it.
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("Replacing a capacity task that is still running")
        .assert_mentions(&old)
        .assert_mentions(
            "With lifecycle { create_before_destroy = true }, Terraform starts the new task first",
        )
        .assert_mentions("Without create_before_destroy, Terraform destroys");
    let squeezed = plan
        .stdout()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !squeezed.contains("Terraform cancels it first (destroy)"),
        "the warning says the old task is cancelled first\n{}",
        plan.report()
    );
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("Another capacity task is active")
        .assert_mentions(&old)
        .assert_mentions("If it is the task this apply replaces")
        .assert_mentions("Remove create_before_destroy");
    assert_eq!(sim.handle.tasks().len(), 1, "no second task");
    assert_eq!(sim.count("CancelCapacityTask"), 0, "nothing cancelled");
    assert_eq!(
        state(&ws)["capacity_task_id"],
        old.as_str(),
        "the running task stays in state"
    );
}
