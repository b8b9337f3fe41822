//! Load through the real terraform CLI: 100 capacity tasks on 100 Outposts in one apply
//! at -parallelism=100, and 1,000 tasks in state refreshed by one plan. Both must
//! complete with the right calls; the times, API calls and the provider's peak memory
//! (which it logs at exit) are printed for docs/RELIABILITY.md, not asserted: speed
//! and memory goals belong to the benchmarks.

use crate::harness::{REQUIRED_PROVIDERS, Run, Workspace};
use crate::reliability::{fleet_config, racks};
use crate::sim::Sim;
use outposts_simulator::SimulatorConfig;
use outposts_simulator::world::World;
use std::time::Instant;

/// The largest peak RSS (kB) any provider process of this command logged.
fn peak_rss_kb(run: &Run) -> u64 {
    xtask::bench::workspace::peak_rss_kb_in_log(&run.log())
}

fn workspace(sim: &Sim, world: &World) -> Workspace {
    let ws = sim.workspace("");
    ws.write(
        "main.tf",
        &format!("{REQUIRED_PROVIDERS}\n{}", fleet_config(world, "", 4)),
    );
    ws
}

/// Starts the log afresh, so that `peak_rss_kb` reads the next command's lines only.
fn fresh_log(ws: &Workspace) {
    let _ = std::fs::remove_file(ws.path().join("terraform.log"));
}

#[test]
fn a_hundred_tasks_in_one_apply_and_a_thousand_refreshed_by_one_plan() {
    let world = racks(1000);
    let sim = Sim::start(SimulatorConfig {
        world: world.clone(),
        timing: Sim::fast_timing(),
        ..SimulatorConfig::default()
    });

    // 100 tasks on 100 Outposts, one apply.
    let mut hundred = world.clone();
    hundred.outposts.truncate(100);
    let ws = workspace(&sim, &hundred);
    let started = Instant::now();
    let apply = ws.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=100"]);
    let apply_time = started.elapsed();
    let tasks = sim.handle.tasks();
    assert_eq!(tasks.len(), 100);
    let slowest = tasks
        .iter()
        .filter_map(|t| Some(t.completion_date? - t.creation_date))
        .max()
        .unwrap_or(0);
    let apply_calls = sim.handle.request_counts();
    println!(
        "apply of 100 tasks at -parallelism=100: {:.1} s (slowest task {:.1} s simulated), \
         {} API calls {:?}, provider peak RSS {} kB",
        apply_time.as_secs_f64(),
        slowest as f64 / 1000.0,
        apply_calls.values().sum::<u64>(),
        apply_calls,
        peak_rss_kb(&apply)
    );

    // 1,000 tasks in state, then one plan refreshes them all.
    let ws = workspace(&sim, &world);
    ws.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=100"]);
    assert_eq!(sim.handle.tasks().len(), 1100);
    sim.handle.reset_request_counts();
    fresh_log(&ws);
    let started = Instant::now();
    let plan = ws.run(&[
        "plan",
        "-no-color",
        "-detailed-exitcode",
        "-parallelism=100",
    ]);
    let plan_time = started.elapsed();
    assert_eq!(plan.output.status.code(), Some(0), "{}", plan.report());
    let calls = sim.handle.request_counts();
    assert_eq!(
        calls.get("GetCapacityTask").copied(),
        Some(1000),
        "one read per task: {calls:?}"
    );
    assert_eq!(
        calls.get("StartCapacityTask").copied().unwrap_or(0),
        0,
        "no dry run or start in a no-op plan: {calls:?}"
    );
    println!(
        "plan refreshing 1,000 tasks: {:.1} s, {} API calls {:?}, provider peak RSS {} kB",
        plan_time.as_secs_f64(),
        calls.values().sum::<u64>(),
        calls,
        peak_rss_kb(&plan)
    );
}
