//! Several teams at once under an API rate limit. Each team is a workspace of its own
//! (local state) shaped like `examples/teams/fleet` — the shared module
//! `examples/modules/outpost-capacity`, by path, once per Outpost — with its own
//! Outposts of one simulated world. (The team examples' PostgreSQL state, remote state
//! and registry are run in `teams.rs`; here every team's load reaches one API.) All teams sign with one access key, so they share one account's
//! rate limits, which are low enough that their calls are throttled. They apply at the
//! same time, then plan (nothing to do), then destroy, each at the same time.
//!
//! Promised and asserted: every command succeeds (the provider absorbs the
//! throttling), one task per module instance (none started twice), every task the
//! simulator knows is in exactly one state and on that team's own Outposts (none
//! orphaned, none shared). Printed for docs/RELIABILITY.md: throttles absorbed per
//! operation, calls, and the wall time of the concurrent apply against the slowest
//! task's own duration.
//!
//! `TEAMS_LOAD_TEAMS` (6), `TEAMS_LOAD_OUTPOSTS` (Outposts per team, 4) and
//! `TEAMS_LOAD_RATE_LIMIT` (the simulator's `--rate-limit` syntax, `*=5/5`) change it;
//! `cargo xtask reliability` runs it larger.

use crate::harness::{Run, Workspace};
use crate::reliability::racks;
use crate::sim::Sim;
use outposts_simulator::world::{Outpost, World};
use outposts_simulator::{CapacityTaskStatus, RateLimits, SimulatorConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Per operation, per account: 5 calls a second in bursts of 5. Six teams checking and
/// starting four tasks each ask for far more than that at once (unthrottled, the
/// concurrent apply sends about 50 StartCapacityTask calls within 2 s).
const RATE_LIMIT: &str = "*=5/5";

fn from_env(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("{name} must be a positive whole number, got {text:?}")),
        Err(_) => default,
    }
}

/// A team's configuration: the shared module once per Outpost of `var.outposts`.
const TEAM_CONFIG: &str = r#"
terraform {
  required_providers {
    outposts = { source = "registry.platform.internal/outposts-labs/outposts" }
  }
}

provider "outposts" {}

variable "outposts" {
  type = map(object({
    outpost  = string
    order_id = string
    layout   = map(number)
  }))
}

module "capacity" {
  source   = "../modules/outpost-capacity"
  for_each = var.outposts

  outpost  = each.value.outpost
  order_id = each.value.order_id
  layout   = each.value.layout
}
"#;

/// The team's `outposts` variable: one module instance per Outpost, layouts differing
/// per team.
fn team_layouts(team: usize, outposts: &[Outpost]) -> String {
    let sites: String = outposts
        .iter()
        .map(|o| {
            format!(
                "  \"{name}\" = {{\n    outpost  = \"{id}\"\n    order_id = \"{order}\"\n    \
                 layout = {{\n      \"c5.4xlarge\" = {c5}\n      \"m5.xlarge\"  = 8\n    }}\n  }}\n",
                name = o.name.as_deref().unwrap_or(&o.outpost_id),
                id = o.outpost_id,
                order = o.orders[0],
                c5 = 1 + team % 4,
            )
        })
        .collect();
    format!("outposts = {{\n{sites}}}\n")
}

/// The capacity tasks in a workspace's state (`terraform show -json`), every module
/// included: task ID → Outpost ID.
fn state_tasks(ws: &Workspace) -> BTreeMap<String, String> {
    fn walk(module: &serde_json::Value, into: &mut BTreeMap<String, String>) {
        for resource in module["resources"].as_array().into_iter().flatten() {
            if resource["type"] != "outposts_capacity_task" {
                continue;
            }
            let values = &resource["values"];
            if let (Some(task), Some(outpost)) = (
                values["capacity_task_id"].as_str(),
                values["outpost_id"].as_str(),
            ) {
                into.insert(task.to_string(), outpost.to_string());
            }
        }
        for child in module["child_modules"].as_array().into_iter().flatten() {
            walk(child, into);
        }
    }
    let shown = ws.ok(&["show", "-json", "-no-color"]);
    let shown: serde_json::Value =
        serde_json::from_str(&shown.stdout()).expect("terraform show -json prints JSON");
    let mut tasks = BTreeMap::new();
    walk(&shown["values"]["root_module"], &mut tasks);
    tasks
}

/// Runs `args` in every workspace at once; returns each run and the wall time.
fn all_at_once(teams: &[Workspace], args: &[&str]) -> (Vec<Run>, Duration) {
    let started = Instant::now();
    let runs = std::thread::scope(|scope| {
        let running: Vec<_> = teams
            .iter()
            .map(|ws| scope.spawn(move || ws.run(args)))
            .collect();
        running
            .into_iter()
            .map(|r| r.join().expect("terraform runner thread"))
            .collect::<Vec<Run>>()
    });
    (runs, started.elapsed())
}

/// Every run succeeded (exit status 0), or the failures with their reports and what
/// the simulator counted.
fn assert_all_succeeded(what: &str, runs: &[Run], sim: &Sim) {
    let failed: Vec<String> = runs
        .iter()
        .enumerate()
        .filter(|(_, run)| !run.output.status.success())
        .map(|(team, run)| format!("team {team}:\n{}", run.report()))
        .collect();
    assert!(
        failed.is_empty(),
        "{what}: {} of {} teams failed; calls {:?}, throttled {:?}\n{}",
        failed.len(),
        runs.len(),
        sim.handle.request_counts(),
        sim.handle.throttled_counts(),
        failed.join("\n\n")
    );
}

/// Calls per operation since the last reset, as `Op=n` pairs.
fn calls_text(counts: &BTreeMap<String, u64>) -> String {
    let total: u64 = counts.values().sum();
    let each: Vec<String> = counts.iter().map(|(op, n)| format!("{op}={n}")).collect();
    format!("{total} ({})", each.join(", "))
}

#[test]
fn six_teams_apply_plan_and_destroy_at_once_under_one_accounts_rate_limit() {
    let team_count = from_env("TEAMS_LOAD_TEAMS", 6);
    let per_team = from_env("TEAMS_LOAD_OUTPOSTS", 4);
    let world: World = racks(team_count * per_team);
    let mut rate_limits = RateLimits::default();
    let rate_limit = std::env::var("TEAMS_LOAD_RATE_LIMIT").unwrap_or(RATE_LIMIT.into());
    rate_limits
        .add_flag(&rate_limit)
        .expect("a valid rate limit");
    let sim = Sim::start(SimulatorConfig {
        world: world.clone(),
        timing: Sim::fast_timing(),
        rate_limits,
        ..SimulatorConfig::default()
    });

    // Each team: the fleet configuration on its own slice of the world's racks.
    let mut owned_by: BTreeMap<String, usize> = BTreeMap::new();
    let teams: Vec<Workspace> = world
        .outposts
        .chunks(per_team)
        .enumerate()
        .map(|(team, outposts)| {
            // A root configuration beside the team examples, the module by path.
            let mut ws = sim.examples_workspace("teams");
            ws.set_env("TF_LOG_PROVIDER", "INFO");
            ws.write("main.tf", TEAM_CONFIG);
            ws.write("layouts.auto.tfvars", &team_layouts(team, outposts));
            ws.ok(&["get", "-no-color"]);
            for outpost in outposts {
                owned_by.insert(outpost.outpost_id.clone(), team);
            }
            ws
        })
        .collect();
    assert_eq!(teams.len(), team_count);

    // Apply, all teams at once.
    let (applies, apply_wall) = all_at_once(
        &teams,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    assert_all_succeeded("apply", &applies, &sim);
    let apply_throttled = sim.handle.throttled_counts();
    let apply_calls = sim.handle.request_counts();
    let absorbed: u64 = apply_throttled.values().sum();
    assert!(
        absorbed > 0,
        "the rate limit {rate_limit} never throttled the concurrent apply ({:.1} s), so this \
         test proves nothing; calls: {apply_calls:?}",
        apply_wall.as_secs_f64()
    );

    // One task per module instance, each in exactly one state, on its team's Outposts.
    let tasks = sim.handle.tasks();
    let resources = team_count * per_team;
    assert_eq!(
        tasks.len(),
        resources,
        "tasks started == resources: {tasks:#?}"
    );
    let states: Vec<BTreeMap<String, String>> = teams.iter().map(state_tasks).collect();
    for (team, held) in states.iter().enumerate() {
        assert_eq!(held.len(), per_team, "team {team} holds {held:?}");
    }
    let mut outposts_with_a_task = BTreeSet::new();
    for task in &tasks {
        let holders: Vec<usize> = states
            .iter()
            .enumerate()
            .filter(|(_, held)| held.contains_key(&task.capacity_task_id))
            .map(|(team, _)| team)
            .collect();
        assert_eq!(
            holders,
            [owned_by[&task.outpost_id]],
            "task {} on {} must be held by its team's state alone",
            task.capacity_task_id,
            task.outpost_id
        );
        assert_eq!(task.status, CapacityTaskStatus::Completed, "{task:?}");
        assert!(
            outposts_with_a_task.insert(task.outpost_id.clone()),
            "two tasks on {}",
            task.outpost_id
        );
    }
    let slowest = tasks
        .iter()
        .filter_map(|t| Some(t.completion_date? - t.creation_date))
        .max()
        .map(Duration::from_millis)
        .expect("completed tasks have a completion date");

    // A plan afterwards: nothing to do for any team.
    sim.handle.reset_request_counts();
    sim.handle.reset_throttled_counts();
    let (plans, plan_wall) = all_at_once(
        &teams,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    for (team, plan) in plans.iter().enumerate() {
        assert_eq!(
            plan.output.status.code(),
            Some(0),
            "team {team}'s plan after the apply must be empty\n{}",
            plan.report()
        );
    }
    let plan_throttled = sim.handle.throttled_total();

    // Destroy, all at once: completed tasks are forgotten, none cancelled.
    sim.handle.reset_request_counts();
    sim.handle.reset_throttled_counts();
    let (destroys, destroy_wall) = all_at_once(
        &teams,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    assert_all_succeeded("destroy", &destroys, &sim);
    let destroy_throttled = sim.handle.throttled_total();
    for (team, ws) in teams.iter().enumerate() {
        let left = state_tasks(ws);
        assert!(left.is_empty(), "team {team} still holds {left:?}");
    }
    assert_eq!(sim.count("CancelCapacityTask"), 0);
    assert_eq!(
        sim.handle.tasks().len(),
        resources,
        "destroy starts nothing"
    );

    eprintln!(
        "teams load: {team_count} workspaces x {per_team} tasks = {resources} tasks, rate \
         limit {rate_limit} (per second/burst, per operation, one account)\n  \
         concurrent apply: {:.1} s wall against {:.1} s for the slowest task ({:.1}x), 0 \
         failures, {resources} tasks started, 0 duplicates, 0 orphans\n  \
         throttles absorbed: apply {absorbed} {apply_throttled:?}, plan {plan_throttled}, \
         destroy {destroy_throttled}\n  \
         apply calls: {}\n  \
         concurrent plan: {:.1} s wall (exit 0 x {team_count}); concurrent destroy: {:.1} s wall",
        apply_wall.as_secs_f64(),
        slowest.as_secs_f64(),
        apply_wall.as_secs_f64() / slowest.as_secs_f64(),
        calls_text(&apply_calls),
        plan_wall.as_secs_f64(),
        destroy_wall.as_secs_f64(),
    );
}

/// The plan-time capacity check is a call like any other: while AWS answers it with
/// throttling, it is retried as the retry policy says, however long that takes. Only
/// silence (no answer at all) ends it early. Two checks, one dry run every 22 s for
/// the account: the second is throttled for longer than the check's 20 s budget for a
/// silent endpoint.
#[test]
fn a_capacity_check_throttled_for_longer_than_its_budget_gets_its_answer() {
    let mut rate_limits = RateLimits::default();
    rate_limits
        .add_flag("StartCapacityTask=0.045/1")
        .expect("a valid rate limit");
    let sim = Sim::start(SimulatorConfig {
        rate_limits,
        ..SimulatorConfig::default()
    });
    let check = |name: &str, outpost: &str, order: &str| {
        format!(
            "data \"outposts_capacity_check\" \"{name}\" {{\n  outpost_identifier = \"{outpost}\"\n  \
             order_id           = \"{order}\"\n  instance_pool {{\n    instance_type = \"c5.4xlarge\"\n    \
             count         = 2\n  }}\n}}\n\noutput \"{name}_fits\" {{\n  value = data.outposts_capacity_check.{name}.fits\n}}\n"
        )
    };
    let ws = sim.workspace(&format!(
        "{}\n{}",
        check("quickstart", crate::sim::OUTPOST, crate::sim::ORDER),
        check("busy", crate::sim::BUSY_OUTPOST, crate::sim::BUSY_ORDER),
    ));
    let started = Instant::now();
    let plan = ws.run(&["plan", "-no-color", "-input=false"]);
    let took = started.elapsed();
    assert!(
        plan.output.status.success(),
        "a throttled capacity check must wait for its answer, not fail the plan ({took:?})\n{}",
        plan.report()
    );
    plan.assert_mentions("quickstart_fits = true")
        .assert_mentions("busy_fits = true");
    assert!(
        sim.handle.throttled_count("StartCapacityTask") > 0,
        "the second check was never throttled"
    );
    assert!(
        took > Duration::from_secs(20),
        "the second check had to wait beyond 20 s for its token, took {took:?}"
    );
    assert!(sim.handle.tasks().is_empty(), "a check starts nothing");
}
