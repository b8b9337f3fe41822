//! The interruption matrix: Ctrl-C (SIGINT to terraform's process group, as a terminal
//! sends it) at points of `terraform apply` and `destroy` chosen by a seeded random
//! schedule — before the start, right after it, during the wait, during a cancellation.
//! After each: no orphaned task (every task the simulator holds is in the state or was
//! cancelled), and the next command converges with no duplicate. The exit times after
//! Ctrl-C are printed for docs/RELIABILITY.md. `INTERRUPTION_RUNS` (default 40) and
//! `INTERRUPTION_SEED` change the schedule.

use crate::harness::Workspace;
use crate::sim::{Sim, busy_config, task_config};
use outposts_simulator::{
    CapacityTaskStatus, EventualConsistency, FaultKind, FaultRule, Operation, SimulatorConfig,
    TaskTiming,
};
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use test_support::send_signal;

#[derive(Debug, Clone, Copy)]
enum Point {
    BeforeStart,
    RightAfterStart,
    DuringWait,
    DuringCancellation,
    /// Two Ctrl-C 20 ms apart during the wait: Terraform exits without waiting.
    TwiceDuringWait,
    /// SIGKILL of the provider process right after the start.
    KillProviderAfterStart,
}

pub(crate) fn spawn(ws: &Workspace, args: &[&str]) -> Child {
    let mut command = ws.command(args);
    command.process_group(0);
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("terraform starts")
}

/// Waits (real time) until `ready`, for at most 30 s.
pub(crate) fn until(what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "never reached: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Ctrl-C, then how long terraform took to exit.
pub(crate) fn interrupt(child: &mut Child) -> Duration {
    let sent = Instant::now();
    send_signal(child.id(), "INT", true);
    let deadline = sent + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("status").is_some() {
            return sent.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "terraform did not exit after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGKILL to the provider process terraform `parent` runs.
pub(crate) fn kill_provider_of(parent: u32) {
    let output = std::process::Command::new("pgrep")
        .args([
            "-P",
            &parent.to_string(),
            "-f",
            "terraform-provider-outposts",
        ])
        .output()
        .expect("pgrep (procps) finds the provider process");
    let pids = String::from_utf8_lossy(&output.stdout);
    let pid: u32 = pids
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next()
        .unwrap_or_else(|| panic!("no provider process under terraform {parent}"));
    send_signal(pid, "KILL", false);
}

pub(crate) fn state_task_ids(ws: &Workspace) -> Vec<String> {
    let run = ws.ok(&["show", "-json"]);
    let shown: serde_json::Value = serde_json::from_str(&run.stdout()).expect("show -json");
    shown["values"]["root_module"]["resources"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|r| r["values"]["capacity_task_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every task is in the state or was cancelled; at most one is not cancelled.
fn assert_no_orphan(sim: &Sim, ws: &Workspace, run: &str) {
    let owned = state_task_ids(ws);
    let mut live = 0;
    for task in sim.handle.tasks() {
        let cancelled = matches!(
            task.status,
            CapacityTaskStatus::Cancelled | CapacityTaskStatus::CancellationInProgress
        );
        assert!(
            cancelled || owned.contains(&task.capacity_task_id),
            "{run}: task {} ({:?}) is in no state and was not cancelled",
            task.capacity_task_id,
            task.status
        );
        live += usize::from(!cancelled);
    }
    assert!(live <= 1, "{run}: {live} live tasks on one Outpost");
}

fn one_run(seed: u64, index: usize) -> (String, Duration) {
    let mut rng = fastrand::Rng::with_seed(seed ^ (index as u64).wrapping_mul(0x9e37_79b9));
    let point = [
        Point::BeforeStart,
        Point::RightAfterStart,
        Point::DuringWait,
        Point::DuringCancellation,
        Point::TwiceDuringWait,
        Point::KillProviderAfterStart,
    ][index % 6];
    let jitter = Duration::from_millis(rng.u64(0..600));
    let run = format!("run {index} ({point:?}, +{} ms)", jitter.as_millis());
    let sim = Sim::start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::from_secs(2),
            in_progress: Duration::from_secs(2),
            cancellation: Duration::from_secs(2),
            ..TaskTiming::default()
        },
        ..SimulatorConfig::default()
    });
    let ws = match point {
        Point::DuringCancellation => sim.workspace(&busy_config("WAIT_FOR_EVACUATION")),
        _ => sim.workspace(&task_config("", &[("c5.4xlarge", 3), ("m5.xlarge", 12)])),
    };
    let elapsed = match point {
        Point::BeforeStart => {
            sim.handle
                .inject_fault(
                    FaultRule::next_calls(Operation::ListCapacityTasks, FaultKind::Latency, 1)
                        .with_latency_ms(1500),
                )
                .expect("fault");
            let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
            until("the pre-start list", || sim.count("ListCapacityTasks") > 0);
            std::thread::sleep(jitter.min(Duration::from_millis(1000)));
            interrupt(&mut child)
        }
        Point::RightAfterStart | Point::DuringWait => {
            let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
            until("the start", || sim.count("StartCapacityTask") > 0);
            let pause = match point {
                Point::RightAfterStart => jitter / 4,
                _ => Duration::from_millis(500) + jitter * 3,
            };
            std::thread::sleep(pause);
            interrupt(&mut child)
        }
        Point::TwiceDuringWait => {
            let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
            until("the start", || sim.count("StartCapacityTask") > 0);
            std::thread::sleep(Duration::from_millis(300) + jitter);
            send_signal(child.id(), "INT", true);
            std::thread::sleep(Duration::from_millis(20));
            interrupt(&mut child)
        }
        Point::KillProviderAfterStart => {
            let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
            until("the start", || sim.count("StartCapacityTask") > 0);
            std::thread::sleep(jitter / 4);
            let sent = Instant::now();
            kill_provider_of(child.id());
            child.wait().expect("terraform exits");
            sent.elapsed()
        }
        Point::DuringCancellation => {
            // A task that waits for evacuation, left in state by a first Ctrl-C, then a
            // destroy that cancels it, interrupted while the cancellation runs.
            let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
            until("waiting for evacuation", || {
                sim.handle
                    .tasks()
                    .first()
                    .is_some_and(|t| t.status == CapacityTaskStatus::WaitingForEvacuation)
            });
            interrupt(&mut child);
            assert_no_orphan(&sim, &ws, &run);
            let mut destroy = spawn(&ws, &["destroy", "-auto-approve", "-no-color"]);
            until("the cancellation", || sim.count("CancelCapacityTask") > 0);
            std::thread::sleep(jitter);
            interrupt(&mut destroy)
        }
    };
    if !matches!(
        point,
        Point::TwiceDuringWait | Point::KillProviderAfterStart
    ) {
        // Terraform saw the provider's answer: the task is in its state.
        assert_no_orphan(&sim, &ws, &run);
    }
    // The next command converges, with no duplicate (after a kill, through the start
    // journal in the working directory).
    match point {
        Point::DuringCancellation => {
            ws.ok(&["destroy", "-auto-approve", "-no-color"]);
            assert!(state_task_ids(&ws).is_empty(), "{run}: destroyed");
            assert!(
                sim.handle
                    .tasks()
                    .iter()
                    .all(|t| t.status == CapacityTaskStatus::Cancelled),
                "{run}: {:?}",
                sim.handle.tasks()
            );
        }
        _ => {
            ws.ok(&["apply", "-auto-approve", "-no-color"]);
            assert_no_orphan(&sim, &ws, &run);
            let tasks = sim.handle.tasks();
            assert_eq!(tasks.len(), 1, "{run}: one task: {tasks:?}");
            assert_eq!(tasks[0].status, CapacityTaskStatus::Completed, "{run}");
        }
    }
    (run, elapsed)
}

#[test]
fn ctrl_c_at_random_points_orphans_nothing_and_the_next_run_converges() {
    let runs: usize = std::env::var("INTERRUPTION_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("INTERRUPTION_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x0c7a1c);
    let threads = 4;
    let results: Vec<(String, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..runs)
                        .step_by(threads)
                        .map(|i| one_run(seed, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a run failed"))
            .collect()
    });
    assert_eq!(results.len(), runs);
    let mut times: Vec<f64> = results
        .iter()
        .filter(|(run, _)| !run.contains("Twice") && !run.contains("Kill"))
        .map(|(_, d)| d.as_secs_f64())
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "exit after one Ctrl-C over {} of {runs} runs (seed {seed:#x}): min {:.2} s, median {:.2} s, p90 {:.2} s, max {:.2} s",
        times.len(),
        at(0.0),
        at(0.5),
        at(0.9),
        at(1.0)
    );
}

/// Right after StartCapacityTask the task may not be visible to GetCapacityTask. A
/// Ctrl-C in that moment and an immediate re-apply: the refresh keeps the task, and the
/// resumed wait rides out the not-found answers as a fresh start does, so the first
/// re-apply converges.
#[test]
fn a_reapply_right_after_ctrl_c_waits_for_a_task_not_yet_visible() {
    let sim = Sim::start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::from_secs(1),
            in_progress: Duration::from_secs(2),
            cancellation: Duration::from_millis(500),
            ..TaskTiming::default()
        },
        eventual_consistency: EventualConsistency {
            get_not_found_seconds: 12.0,
            ..EventualConsistency::default()
        },
        ..SimulatorConfig::default()
    });
    let ws = sim.workspace(&task_config("", &[("c5.4xlarge", 3), ("m5.xlarge", 12)]));
    let mut child = spawn(&ws, &["apply", "-auto-approve", "-no-color"]);
    until("the task's start", || !sim.handle.tasks().is_empty());
    interrupt(&mut child);
    let saved = state_task_ids(&ws);
    assert_eq!(saved.len(), 1, "the interrupted create saved its task");
    let run = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(
        run.output.status.success(),
        "the first re-apply must converge\n{}",
        run.report()
    );
    let tasks = sim.handle.tasks();
    assert_eq!(tasks.len(), 1, "no second task: {tasks:?}");
    assert_eq!(state_task_ids(&ws), saved);
    let shown = crate::sim::state(&ws);
    assert!(
        shown.to_string().contains("\"COMPLETED\""),
        "the resumed wait saw the task complete: {shown}"
    );
}
