//! `outposts_capacity_task` through the real terraform CLI against the simulator: one
//! test per row of the behaviour contract.

use crate::sim::{OUTPOST, Sim, busy_config, state, state_task_id, task_config};
use outposts_simulator::{CapacityTaskStatus, Evacuation};
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

const LAYOUT: &[(&str, u32)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];

fn apply(ws: &crate::harness::Workspace) -> crate::harness::Run {
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
}

#[test]
fn basic_apply_then_empty_plan_then_destroy() {
    let sim = Sim::fast();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let s = state(&ws);
    assert_eq!(s["status"], "COMPLETED");
    let task_id = s["capacity_task_id"].as_str().expect("task id").to_string();
    assert_eq!(s["id"], format!("{OUTPOST}/{task_id}"));
    assert_eq!(s["outpost_id"], OUTPOST);
    assert!(s["creation_date"].is_string() && s["completion_date"].is_string());
    ws.assert_no_changes("after apply");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(sim.handle.tasks().len(), 1);
    assert_eq!(
        sim.count("CancelCapacityTask"),
        0,
        "a completed task is only forgotten"
    );
}

#[test]
fn replace_on_a_pool_change_starts_a_new_task() {
    let sim = Sim::fast();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let first = state(&ws)["capacity_task_id"].clone();
    ws.write(
        "main.tf",
        &format!(
            "{}\n{}",
            crate::harness::REQUIRED_PROVIDERS,
            "provider \"outposts\" {\n  region = \"us-west-2\"\n}\n"
        ),
    );
    ws.write(
        "task.tf",
        &task_config("", &[("c5.4xlarge", 4), ("m5.xlarge", 12)]),
    );
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("must be replaced")
        .assert_mentions("# forces replacement");
    apply(&ws);
    let second = state(&ws)["capacity_task_id"].clone();
    assert_ne!(first, second);
    assert_eq!(sim.handle.tasks().len(), 2);
}

#[test]
fn import_by_id_by_arn_and_with_an_import_block_gives_an_empty_plan() {
    let sim = Sim::fast();
    // A task started outside Terraform.
    let seed = sim.workspace(&task_config("", LAYOUT));
    apply(&seed);
    let task_id = state_task_id(&seed);

    let arn = sim.outpost_arn();
    for (identifier, import_id) in [
        (OUTPOST, format!("{OUTPOST}/{task_id}")),
        (arn.as_str(), format!("{arn}/{task_id}")),
    ] {
        let config = task_config("", LAYOUT)
            .replace(&format!("\"{OUTPOST}\""), &format!("\"{identifier}\""));
        let ws = sim.workspace(&config);
        ws.ok(&[
            "import",
            "-no-color",
            "outposts_capacity_task.t",
            &import_id,
        ]);
        let s = state(&ws);
        assert_eq!(s["outpost_identifier"], identifier);
        assert_eq!(s["capacity_task_id"], task_id.as_str());
        ws.assert_no_changes(&format!("imported as {import_id}"));
    }

    let ws = sim.workspace(&format!(
        "{}\nimport {{\n  to = outposts_capacity_task.t\n  id = \"{OUTPOST}/{task_id}\"\n}}\n",
        task_config("", LAYOUT)
    ));
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("1 to import, 0 to add, 0 to change, 0 to destroy");
    apply(&ws);
    ws.assert_no_changes("imported by an import block");

    // Pools written in another order than AWS reports them are the same task: at most
    // an in-place update that only reorders the state, never a replacement.
    let reordered: Vec<(&str, u32)> = LAYOUT.iter().rev().copied().collect();
    let ws = sim.workspace(&task_config("", &reordered));
    ws.ok(&[
        "import",
        "-no-color",
        "outposts_capacity_task.t",
        &format!("{OUTPOST}/{task_id}"),
    ]);
    let plan = ws.ok(&["plan", "-no-color"]);
    assert!(
        !plan.stdout().contains("must be replaced"),
        "{}",
        plan.report()
    );
    apply(&ws);
    ws.assert_no_changes("pools reordered after import");
    assert_eq!(sim.count("CancelCapacityTask"), 0);

    let bad = sim.workspace(&task_config("", LAYOUT));
    bad.fails(&[
        "import",
        "-no-color",
        "outposts_capacity_task.t",
        "cap-0123",
    ])
    .assert_mentions("Invalid import ID");
}

#[test]
fn failure_of_an_unsupported_layout_then_the_retry_after_fixing_it() {
    let sim = Sim::fast();
    let ws = sim.workspace(&task_config("", &[("c5.4xlarge", 200)]));
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("Capacity task failed")
        .assert_mentions("UNSUPPORTED_CAPACITY_CONFIGURATION");
    let s = state(&ws);
    assert_eq!(s["status"], "FAILED");
    assert_eq!(s["failure"]["type"], "UNSUPPORTED_CAPACITY_CONFIGURATION");
    ws.write(
        "main.tf",
        &format!(
            "{}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n}}\n",
            crate::harness::REQUIRED_PROVIDERS
        ),
    );
    ws.write("task.tf", &task_config("", LAYOUT));
    let run = apply(&ws);
    run.assert_mentions("1 added, 0 changed, 1 destroyed");
    assert_eq!(state(&ws)["status"], "COMPLETED");
    assert_eq!(sim.handle.tasks().len(), 2);
}

#[test]
fn blocking_instances_with_fail_task_fail_and_are_named() {
    let sim = Sim::fast();
    let ws = sim.workspace(&busy_config("FAIL_TASK"));
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("BLOCKING_INSTANCES_NOT_EVACUATED")
        .assert_mentions("i-0aaaaaaaaaaaaaaa1")
        .assert_mentions("i-0aaaaaaaaaaaaaaa2");
    assert_eq!(state(&ws)["status"], "FAILED");
}

#[test]
fn blocking_instances_with_wait_for_evacuation_complete_once_evacuated() {
    let sim = Sim::fast();
    let ws = sim.workspace(&busy_config("WAIT_FOR_EVACUATION"));
    let mut child = ws
        .command(&["apply", "-auto-approve", "-no-color"])
        .spawn()
        .expect("apply");
    let task_id = sim.wait_for_evacuation_wait();
    sim.handle
        .evacuate(Evacuation::BlockingTask(task_id))
        .expect("evacuate");
    let status = child.wait().expect("apply finishes");
    assert!(status.success(), "apply failed after evacuation");
    assert_eq!(state(&ws)["status"], "COMPLETED");
}

#[test]
fn dry_run_fit_no_fit_and_unknown_inputs_with_calls_counted() {
    let sim = Sim::fast();
    let fits = sim.workspace(&task_config("  dry_run_on_plan = true", LAYOUT));
    fits.ok(&["plan", "-no-color"]);
    assert_eq!(sim.dry_runs(), 1, "one dry run per create plan");
    assert!(sim.handle.tasks().is_empty(), "a dry run starts nothing");

    let too_big = sim.workspace(&task_config(
        "  dry_run_on_plan = true",
        &[("c5.4xlarge", 100)],
    ));
    let run = too_big.fails(&["plan", "-no-color"]);
    // The layout as a whole is too big: the diagnostic is about the layout, not about
    // the first pool's count.
    run.assert_mentions("Layout does not fit the Outpost")
        .assert_mentions("The layout as a whole");
    assert!(
        !run.stderr().contains("count         = 100"),
        "pointed at one pool\n{}",
        run.report()
    );
    assert_eq!(sim.dry_runs(), 2);

    let unknown = sim.workspace(&format!(
        "resource \"terraform_data\" \"n\" {{ input = 3 }}\n{}",
        task_config("  dry_run_on_plan = true", &[("m5.xlarge", 12)])
            .replace("count         = 12", "count = terraform_data.n.output")
    ));
    unknown
        .ok(&["plan", "-no-color"])
        .assert_mentions("Capacity check skipped");
    assert_eq!(sim.dry_runs(), 2, "no dry run with unknown inputs");

    // terraform apply checks twice: in its plan, and when Terraform plans the new
    // resource again just before applying it (that re-plan gets no planned private
    // data, so it cannot know the first check ran).
    apply(&fits);
    assert_eq!(sim.dry_runs(), 4, "plan + apply-time re-plan");
    // A no-op plan makes no dry run, and neither does a destroy plan.
    let before = sim.dry_runs();
    fits.assert_no_changes("after apply");
    fits.ok(&["plan", "-destroy", "-no-color"]);
    assert_eq!(
        sim.dry_runs(),
        before,
        "no dry run on a no-op or destroy plan"
    );
}

#[test]
fn create_timeout_keeps_the_task_and_a_later_apply_waits_for_the_same_task() {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"3s\"\n  }",
        LAYOUT,
    ));
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("Timed out waiting for the capacity task")
        .assert_mentions("terraform untaint");
    let s = state(&ws);
    let task_id = s["capacity_task_id"]
        .as_str()
        .expect("task kept in state")
        .to_string();
    assert_eq!(s["status"], "REQUESTED");

    ws.ok(&["untaint", "outposts_capacity_task.t"]);
    // The plan shows a wait for the running task, not a new one.
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("0 to add, 1 to change, 0 to destroy");
    let gets = sim.count("GetCapacityTask");
    assert!(
        sim.run_advancing(&ws, &["apply", "-auto-approve", "-no-color"], |s| s
            .count("GetCapacityTask")
            > gets + 1)
    );
    let s = state(&ws);
    assert_eq!(s["capacity_task_id"], task_id.as_str());
    assert_eq!(s["status"], "COMPLETED");
    assert_eq!(sim.handle.tasks().len(), 1, "no second task");
}

#[test]
fn sigint_during_the_wait_exits_promptly_and_the_next_apply_resumes_the_same_task() {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config("", LAYOUT));
    let mut command = ws.command(&["apply", "-auto-approve", "-no-color"]);
    command.process_group(0);
    let mut child = command.spawn().expect("apply");
    sim.wait_for_tasks(1, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));
    // Ctrl-C reaches Terraform and the provider: the whole process group.
    let interrupted = Instant::now();
    test_support::send_signal(child.id(), "INT", true);
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("status") {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "terraform did not exit after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!(
        "terraform exited {exit} {:?} after SIGINT",
        interrupted.elapsed()
    );
    assert!(interrupted.elapsed() < Duration::from_secs(10));

    let s = state(&ws);
    let task_id = s["capacity_task_id"]
        .as_str()
        .expect("task in state after Ctrl-C")
        .to_string();
    assert_eq!(sim.count("CancelCapacityTask"), 0);

    ws.ok(&["plan", "-no-color"])
        .assert_mentions("0 to add, 1 to change, 0 to destroy");
    let gets = sim.count("GetCapacityTask");
    assert!(
        sim.run_advancing(&ws, &["apply", "-auto-approve", "-no-color"], |s| s
            .count("GetCapacityTask")
            > gets + 1)
    );
    let s = state(&ws);
    assert_eq!(s["capacity_task_id"], task_id.as_str());
    assert_eq!(s["status"], "COMPLETED");
    assert_eq!(sim.handle.tasks().len(), 1, "no second task");
    assert_eq!(sim.count("CancelCapacityTask"), 0, "no cancel");
}

#[test]
fn a_task_that_disappeared_is_recreated_by_the_next_plan() {
    let sim = Sim::fast();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    let task_id = state_task_id(&ws);
    sim.handle
        .delete_task(&task_id)
        .expect("delete out of band");
    ws.ok(&["plan", "-no-color"])
        .assert_mentions("1 to add, 0 to change, 0 to destroy");
}

#[test]
fn conflict_with_an_out_of_band_task_names_it_and_the_import_command() {
    let sim = Sim::frozen();
    let other = sim.workspace(&task_config(
        "  timeouts {\n    create = \"1s\"\n  }",
        &[("m5.xlarge", 4)],
    ));
    other.fails(&["apply", "-auto-approve", "-no-color"]);
    let active = sim.handle.tasks()[0].capacity_task_id.clone();
    let ws = sim.workspace(&task_config("", LAYOUT));
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("Another capacity task is active")
        .assert_mentions(&active)
        .assert_mentions(&format!("terraform import <address> {OUTPOST}/{active}"));
    assert_eq!(sim.handle.tasks().len(), 1);
}

#[test]
fn a_lost_start_response_ends_with_exactly_one_task() {
    Sim::fast().apply_through_a_lost_start_answer(LAYOUT);
}

#[test]
fn destroy_of_an_in_flight_task_cancels_it() {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"1s\"\n  }",
        LAYOUT,
    ));
    ws.fails(&["apply", "-auto-approve", "-no-color"]);
    let task_id = sim.handle.tasks()[0].capacity_task_id.clone();
    // Simulated time moves only once the cancel was sent, so the task is still
    // REQUESTED when destroy looks at it.
    assert!(
        sim.run_advancing(&ws, &["destroy", "-auto-approve", "-no-color"], |s| s
            .count("CancelCapacityTask")
            > 0)
    );
    assert_eq!(sim.count("CancelCapacityTask"), 1);
    assert_eq!(
        sim.handle.task(&task_id).map(|t| t.status),
        Some(CapacityTaskStatus::Cancelled)
    );
}

#[test]
fn not_found_right_after_the_start_is_ridden_out() {
    let sim = Sim::fast();
    sim.handle
        .set_eventual_consistency(outposts_simulator::EventualConsistency {
            get_not_found_calls: 3,
            ..Default::default()
        });
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws);
    assert_eq!(state(&ws)["status"], "COMPLETED");
    assert!(
        sim.count("GetCapacityTask") >= 4,
        "the first GetCapacityTask calls answered NotFound"
    );
    assert_eq!(sim.handle.tasks().len(), 1);
}

#[test]
fn a_task_seen_failed_after_a_resumed_wait_is_replaced_by_the_next_plan() {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"1s\"\n  }",
        LAYOUT,
    ));
    ws.fails(&["apply", "-auto-approve", "-no-color"]);
    ws.ok(&["untaint", "outposts_capacity_task.t"]);
    let task_id = sim.handle.tasks()[0].capacity_task_id.clone();
    sim.handle
        .force_task_status(
            &task_id,
            CapacityTaskStatus::Failed,
            Some(outposts_simulator::CapacityTaskFailure {
                reason: "forced by the test".into(),
                failure_type: outposts_simulator::FailureType::UnexpectedAssetState,
            }),
        )
        .expect("force FAILED");
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("must be replaced")
        .assert_mentions("Capacity task did not complete");
}
