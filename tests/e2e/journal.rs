//! One task per intent through the start journal: a task the provider started but
//! Terraform never saved (a killed provider, a second Ctrl-C) is adopted by the next
//! create, and nothing else ever is — not a task being replaced, not one removed with
//! `terraform state rm`, not an identical sibling's. Each test drives the real
//! `terraform` against the simulator.

use crate::harness::{Run, Workspace};
use crate::interruption::{interrupt, kill_provider_of, spawn, state_task_ids, until};
use crate::sim::{OUTPOST, Sim, task_config};
use outposts_simulator::{SimulatorConfig, TaskTiming};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use test_support::send_signal;

/// A layout that fits the quickstart rack without evacuating anything.
const LAYOUT: &[(&str, u32)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];
const ADDRESS: &str = "outposts_capacity_task.t";

/// Tasks finish the moment they start.
fn instant() -> Sim {
    Sim::start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::ZERO,
            in_progress: Duration::ZERO,
            cancellation: Duration::ZERO,
            ..TaskTiming::default()
        },
        ..SimulatorConfig::default()
    })
}

fn apply(ws: &Workspace, extra: &[&str]) -> Run {
    let mut args = vec!["apply", "-auto-approve", "-no-color", "-input=false"];
    args.extend_from_slice(extra);
    ws.ok(&args)
}

/// Tasks the simulator created (a dry run creates none).
fn started(sim: &Sim) -> usize {
    sim.handle.tasks().len()
}

/// The journal's notes (`cap-….json`) anywhere below `data_dir`.
fn notes(data_dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("cap-") && n.ends_with(".json"))
            {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&data_dir.join("outposts-started-tasks"), &mut found);
    found
}

#[test]
fn a_replacement_starts_a_new_task_and_never_adopts_the_one_it_replaces() {
    let sim = instant();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws, &[]);
    assert_eq!(state_task_ids(&ws).len(), 1);
    let replace = format!("-replace={ADDRESS}");
    for refresh in ["-refresh=false", "-refresh=true"] {
        let before = state_task_ids(&ws);
        let run = apply(&ws, &[&replace, refresh]);
        let after = state_task_ids(&ws);
        assert_ne!(
            after,
            before,
            "{refresh}: the replacement holds the task it replaced\n{}",
            run.report()
        );
    }
    assert_eq!(
        started(&sim),
        3,
        "one StartCapacityTask per apply: {:?}",
        sim.handle.tasks()
    );
}

#[test]
fn after_state_rm_a_finished_task_is_never_brought_back() {
    let sim = instant();
    let ws = sim.workspace(&task_config("", LAYOUT));
    apply(&ws, &[]);
    let old = state_task_ids(&ws);
    ws.ok(&["state", "rm", ADDRESS]);
    let run = apply(&ws, &[]);
    let new = state_task_ids(&ws);
    assert_eq!(new.len(), 1);
    assert_ne!(
        new,
        old,
        "the old, finished task came back into state\n{}",
        run.report()
    );
    assert_eq!(started(&sim), 2, "{:?}", sim.handle.tasks());
}

#[test]
fn after_state_rm_an_active_task_is_reported_with_the_import_command() {
    // Time stands still: the task stays REQUESTED, and the create gives up after 2 s
    // with the task in state.
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config(
        "  timeouts {\n    create = \"2s\"\n  }",
        LAYOUT,
    ));
    ws.fails(&["apply", "-auto-approve", "-no-color"]);
    let old = state_task_ids(&ws);
    assert_eq!(old.len(), 1, "the timed-out task is in state");
    ws.ok(&["state", "rm", ADDRESS]);
    let run = ws.fails(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("Another capacity task is active")
        .assert_mentions(&old[0])
        .assert_mentions(&format!("terraform import <address> {OUTPOST}/{}", old[0]));
    assert!(state_task_ids(&ws).is_empty(), "nothing was saved");
    assert_eq!(started(&sim), 1, "nothing was started");
}

#[test]
fn identical_resources_each_get_a_task_of_their_own() {
    identical_blocks(4, &["-parallelism=1"]);
}

#[test]
fn identical_resources_at_scale_each_get_a_task_of_their_own() {
    identical_blocks(20, &[]);
}

/// Three identical `count = n` blocks: 3 × n instances, 3 × n distinct tasks.
fn identical_blocks(n: usize, extra: &[&str]) {
    let sim = instant();
    let count = format!("  count = {n}");
    let block = |name: &str| task_config(&count, LAYOUT).replace("\"t\"", &format!("\"{name}\""));
    let ws = sim.workspace(&format!("{}\n{}\n{}", block("a"), block("b"), block("c")));
    let run = apply(&ws, extra);
    let held = state_task_ids(&ws);
    assert_eq!(held.len(), 3 * n, "{}", run.report());
    let distinct: HashSet<&String> = held.iter().collect();
    assert_eq!(
        distinct.len(),
        3 * n,
        "instances share tasks: {held:?}\n{}",
        run.report()
    );
    assert_eq!(started(&sim), 3 * n, "{:?}", sim.handle.tasks());
}

#[test]
fn a_note_goes_once_a_plan_sees_the_task_even_without_refresh() {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config("", LAYOUT));
    let data_dir = ws.path().join(".terraform");
    let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
    until("the start journal's note", || !notes(&data_dir).is_empty());
    // One Ctrl-C: the provider answers after Terraform asked it to stop, so the note
    // stays until a later command shows the task in state.
    interrupt(&mut child);
    assert_eq!(state_task_ids(&ws).len(), 1, "the task is in state");
    let run = ws.run(&["plan", "-refresh=false", "-no-color", "-input=false"]);
    assert!(run.output.status.success(), "{}", run.report());
    assert_eq!(
        notes(&data_dir),
        Vec::<PathBuf>::new(),
        "the plan saw the task in state; its note must go"
    );
}

#[test]
fn the_journal_follows_tf_data_dir_and_a_killed_providers_task_is_adopted() {
    let sim = Sim::fast();
    let mut ws = sim.workspace(&task_config("", LAYOUT));
    let data_dir = ws.path().join("tf-data");
    ws.set_env("TF_DATA_DIR", &data_dir.display().to_string());
    let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
    until("a note under TF_DATA_DIR", || !notes(&data_dir).is_empty());
    kill_provider_of(child.id());
    let _ = child.wait();
    assert!(
        state_task_ids(&ws).is_empty(),
        "terraform never got the task"
    );
    assert_eq!(
        notes(&ws.path().join(".terraform")),
        Vec::<PathBuf>::new(),
        "nothing in .terraform when TF_DATA_DIR is set"
    );
    let run = apply(&ws, &[]);
    let tasks = sim.handle.tasks();
    assert_eq!(
        tasks.len(),
        1,
        "the killed run's task was adopted: {tasks:?}\n{}",
        run.report()
    );
    assert_eq!(state_task_ids(&ws), vec![tasks[0].capacity_task_id.clone()]);
    assert_eq!(
        notes(&data_dir),
        Vec::<PathBuf>::new(),
        "saved once adopted and answered"
    );
}

/// The provider process `terraform` (by its pid) runs.
pub(crate) fn provider_pid_of(terraform: u32) -> u32 {
    let output = std::process::Command::new("pgrep")
        .args([
            "-P",
            &terraform.to_string(),
            "-f",
            "terraform-provider-outposts",
        ])
        .output()
        .expect("pgrep (procps) finds the provider process");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next()
        .unwrap_or_else(|| panic!("no provider process under terraform {terraform}"))
}

/// Whether the process `pid` runs (a zombie does not).
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// A provider process that must exit by itself; killed when it has not by the time
/// this is dropped (a failed test leaves no orphan behind).
pub(crate) struct Orphan(pub u32);

impl Orphan {
    /// Waits up to `within` for the process to exit; false if it still runs.
    pub(crate) fn exits_within(&self, within: Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while running(self.0) {
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }
}

impl Drop for Orphan {
    fn drop(&mut self) {
        if running(self.0) {
            send_signal(self.0, "KILL", false);
        }
    }
}

/// SIGKILL to terraform alone — a cancelled CI job, the OOM killer — never reaches the
/// provider, and Terraform no longer calls Shutdown. A provider living on would keep
/// its start journal's owner lock, so the next apply could not adopt the task it
/// started: it must notice that Terraform is gone and exit.
#[test]
fn a_provider_exits_when_its_terraform_is_killed_and_the_next_apply_adopts_its_task() {
    let sim = Sim::frozen();
    let ws = sim.workspace(&task_config("", LAYOUT));
    let data_dir = ws.path().join(".terraform");
    let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
    until("the start journal's note", || !notes(&data_dir).is_empty());
    let provider = Orphan(provider_pid_of(child.id()));
    send_signal(child.id(), "KILL", false);
    let _ = child.wait();
    assert!(
        provider.exits_within(Duration::from_secs(10)),
        "the provider (pid {}) still runs 10 s after its terraform was killed",
        provider.0
    );
    assert!(state_task_ids(&ws).is_empty(), "terraform never saved it");
    // The task finishes meanwhile; the next apply takes it instead of starting another.
    sim.handle.advance_clock(Duration::from_secs(3600));
    let run = apply(&ws, &[]);
    let tasks = sim.handle.tasks();
    assert_eq!(
        tasks.len(),
        1,
        "adopted, not started again: {tasks:?}\n{}",
        run.report()
    );
    assert_eq!(state_task_ids(&ws), vec![tasks[0].capacity_task_id.clone()]);
}
