//! Reliability suites through the real terraform CLI: a fault matrix (each fault alone
//! at 30 % of all calls, and mixed) and concurrent workspaces on shared Outposts. The
//! promises checked: no task lost from state, no duplicate task, no task taken from
//! another workspace, and every failed apply says what went wrong. The figures they
//! print are in docs/RELIABILITY.md.
//!
//! `RELIABILITY_TASKS_PER_SCENARIO` (default 15: 105 tasks over the seven scenarios)
//! scales the matrix up.

use crate::harness::Workspace;
use crate::sim::Sim;
use outposts_simulator::world::World;
use outposts_simulator::{
    EventualConsistency, FaultKind, FaultRule, FaultTrigger, SimulatorConfig, TaskTiming,
};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// A world of `n` racks like the quickstart rack, each with its own order and assets
/// and no running instances.
pub fn racks(n: usize) -> World {
    let mut world = World::default_seed();
    let template = world.outposts[0].clone();
    world.outposts = (0..n)
        .map(|i| {
            let mut rack = template.clone();
            rack.outpost_id = format!("op-{:017x}", 0x100 + i);
            rack.name = Some(format!("rack-{i}"));
            rack.orders = vec![format!("oo-{:017x}", 0x100 + i)];
            rack.running_instances.clear();
            for (j, asset) in rack.assets.iter_mut().enumerate() {
                asset.asset_id = format!("{:010}", 4_000_000_000u64 + (i * 10 + j) as u64);
                asset.host_id = None;
            }
            rack
        })
        .collect();
    world
}

/// One capacity task per rack of `world`, `for_each` over the racks.
pub fn fleet_config(world: &World, provider_extra: &str, layout_count: u32) -> String {
    let racks: String = world
        .outposts
        .iter()
        .map(|o| format!("    \"{}\" = \"{}\"\n", o.outpost_id, o.orders[0]))
        .collect();
    format!(
        r#"
provider "outposts" {{
  region = "us-west-2"
{provider_extra}
}}

locals {{
  racks = {{
{racks}  }}
}}

resource "outposts_capacity_task" "rack" {{
  for_each           = local.racks
  outpost_identifier = each.key
  order_id           = each.value
  instance_pool {{
    instance_type = "c5.4xlarge"
    count         = {layout_count}
  }}
  instance_pool {{
    instance_type = "m5.xlarge"
    count         = 8
  }}
}}
"#
    )
}

/// The capacity task IDs in the workspace's state, by Outpost.
fn state_tasks(ws: &Workspace) -> BTreeMap<String, String> {
    let run = ws.ok(&["show", "-json"]);
    let shown: serde_json::Value = serde_json::from_str(&run.stdout()).expect("show -json");
    shown["values"]["root_module"]["resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .filter(|r| r["type"] == "outposts_capacity_task")
                .filter_map(|r| {
                    Some((
                        r["values"]["outpost_id"].as_str()?.to_string(),
                        r["values"]["capacity_task_id"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// No task lost and none duplicated: every task the simulator holds is in the state
/// (none was started and forgotten), and no Outpost has two.
fn assert_every_task_owned_once(sim: &Sim, states: &[&Workspace], scenario: &str) {
    let mut owned = BTreeSet::new();
    for ws in states {
        owned.extend(state_tasks(ws).into_values());
    }
    let mut per_outpost: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for task in sim.handle.tasks() {
        per_outpost
            .entry(task.outpost_id.clone())
            .or_default()
            .push(task.capacity_task_id.clone());
        assert!(
            owned.contains(&task.capacity_task_id),
            "{scenario}: task {} on {} is in no state (lost)",
            task.capacity_task_id,
            task.outpost_id
        );
    }
    for (outpost, tasks) in per_outpost {
        assert_eq!(
            tasks.len(),
            1,
            "{scenario}: {outpost} has several tasks: {tasks:?}"
        );
    }
}

struct Scenario {
    name: &'static str,
    rules: Vec<FaultRule>,
    consistency: EventualConsistency,
    provider: &'static str,
}

fn every_call(kind: FaultKind, rate: f64) -> FaultRule {
    FaultRule {
        operation: None,
        kind,
        trigger: FaultTrigger::Rate(rate),
        latency_ms: if kind == FaultKind::Latency { 400 } else { 0 },
    }
}

fn scenarios() -> Vec<Scenario> {
    let alone = |name, kind| Scenario {
        name,
        rules: vec![every_call(kind, 0.3)],
        consistency: EventualConsistency::default(),
        provider: "",
    };
    vec![
        alone("throttling", FaultKind::Throttle),
        alone("server errors (500)", FaultKind::ServerError),
        alone("latency (400 ms)", FaultKind::Latency),
        alone("lost responses", FaultKind::LoseResponse),
        Scenario {
            name: "not found right after start",
            rules: vec![],
            consistency: EventualConsistency {
                get_not_found_calls: 3,
                ..EventualConsistency::default()
            },
            provider: "",
        },
        Scenario {
            name: "list lag",
            rules: vec![every_call(FaultKind::LoseResponse, 0.1)],
            consistency: EventualConsistency {
                list_hidden_calls: 3,
                ..EventualConsistency::default()
            },
            provider: "",
        },
        Scenario {
            name: "mixed, 30 % of calls, adaptive retries",
            rules: vec![
                every_call(FaultKind::Throttle, 0.06),
                every_call(FaultKind::ServerError, 0.06),
                every_call(FaultKind::ServiceUnavailable, 0.06),
                every_call(FaultKind::Latency, 0.06),
                every_call(FaultKind::LoseResponse, 0.06),
            ],
            consistency: EventualConsistency {
                get_not_found_calls: 1,
                list_hidden_calls: 1,
                ..EventualConsistency::default()
            },
            provider: "  retry_mode  = \"adaptive\"\n  max_retries = 10",
        },
    ]
}

fn quick() -> TaskTiming {
    TaskTiming {
        requested: Duration::from_millis(300),
        in_progress: Duration::from_millis(500),
        cancellation: Duration::from_millis(300),
        ..TaskTiming::default()
    }
}

#[test]
fn the_fault_matrix_loses_no_task_and_starts_none_twice() {
    let per_scenario: usize = std::env::var("RELIABILITY_TASKS_PER_SCENARIO")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(15);
    let mut total = 0;
    let mut report = Vec::new();
    for (index, scenario) in scenarios().into_iter().enumerate() {
        let world = racks(per_scenario);
        let sim = Sim::start(SimulatorConfig {
            world: world.clone(),
            timing: quick(),
            eventual_consistency: scenario.consistency,
            fault_seed: 0x5eed + index as u64,
            ..SimulatorConfig::default()
        });
        for rule in &scenario.rules {
            sim.handle.inject_fault(rule.clone()).expect("fault rule");
        }
        let mut ws = sim.workspace("");
        ws.write(
            "main.tf",
            &format!(
                "{}\n{}",
                crate::harness::REQUIRED_PROVIDERS,
                fleet_config(&world, scenario.provider, 4)
            ),
        );
        ws.set_env("TF_LOG_PROVIDER", "INFO");
        let started = Instant::now();
        let first = ws.run(&["apply", "-auto-approve", "-no-color", "-parallelism=15"]);
        let first_ok = first.output.status.success();
        if !first_ok {
            let stderr = first.stderr();
            assert!(
                stderr.contains("Error:") && !stderr.contains("panicked"),
                "{}: a failed apply must explain itself\n{}",
                scenario.name,
                first.report()
            );
        }
        if std::env::var_os("RELIABILITY_DEBUG").is_some() {
            let _ = std::fs::write(
                format!("/tmp/reliability-{index}.txt"),
                format!("{}\n{}", first.report(), first.log()),
            );
        }
        assert_every_task_owned_once(&sim, &[&ws], scenario.name);
        // The next apply, faults gone, converges without a duplicate.
        sim.handle.clear_faults();
        ws.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=15"]);
        assert_every_task_owned_once(&sim, &[&ws], scenario.name);
        assert_eq!(sim.handle.tasks().len(), per_scenario, "{}", scenario.name);
        let calls: u64 = sim.handle.request_counts().values().sum();
        report.push(format!(
            "| {} | {per_scenario} | {} | {calls} | {:.1} s |",
            scenario.name,
            if first_ok {
                "yes"
            } else {
                "no (converged on the next apply)"
            },
            started.elapsed().as_secs_f64()
        ));
        total += per_scenario;
    }
    println!("| scenario | tasks | first apply succeeded | API calls (both applies) | time |");
    println!("|---|---|---|---|---|");
    for line in report {
        println!("{line}");
    }
    if std::env::var_os("RELIABILITY_TASKS_PER_SCENARIO").is_none() {
        assert!(
            total >= 100,
            "the matrix covers at least 100 tasks, covered {total}"
        );
    }
}

#[test]
fn concurrent_workspaces_on_shared_outposts_never_share_a_task() {
    for workspaces in [2usize, 8] {
        for round in 0..2 {
            let world = racks(4);
            let sim = Sim::start(SimulatorConfig {
                world: world.clone(),
                timing: TaskTiming {
                    requested: Duration::from_secs(1),
                    in_progress: Duration::from_secs(1),
                    ..quick()
                },
                fault_seed: round,
                ..SimulatorConfig::default()
            });
            // Every workspace asks for all four racks, with its own layout.
            let spaces: Vec<Workspace> = (0..workspaces)
                .map(|i| {
                    let ws = sim.workspace("");
                    ws.write(
                        "main.tf",
                        &format!(
                            "{}\n{}",
                            crate::harness::REQUIRED_PROVIDERS,
                            fleet_config(&world, "", 1 + i as u32)
                        ),
                    );
                    ws
                })
                .collect();
            let children: Vec<_> = spaces
                .iter()
                .map(|ws| {
                    ws.command(&["apply", "-auto-approve", "-no-color"])
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .expect("terraform apply")
                })
                .collect();
            let outputs: Vec<_> = children
                .into_iter()
                .map(|c| c.wait_with_output().expect("apply finishes"))
                .collect();
            let scenario = format!("{workspaces} workspaces, round {round}");
            let states: Vec<&Workspace> = spaces.iter().collect();
            assert_every_task_owned_once(&sim, &states, &scenario);
            // Each rack has exactly one owner, and every loser was told which task won.
            let mut owners: BTreeMap<String, usize> = BTreeMap::new();
            for ws in &spaces {
                for outpost in state_tasks(ws).into_keys() {
                    *owners.entry(outpost).or_default() += 1;
                }
            }
            assert_eq!(
                owners.len(),
                4,
                "{scenario}: every rack has its task: {owners:?}"
            );
            assert!(owners.values().all(|n| *n == 1), "{scenario}: {owners:?}");
            for output in &outputs {
                if !output.status.success() {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    assert!(
                        stderr.contains("cap-") && stderr.contains("already active"),
                        "{scenario}: a loser names the task it lost to:\n{stderr}"
                    );
                }
            }
            assert_eq!(
                sim.count("CancelCapacityTask"),
                0,
                "{scenario}: nothing cancelled"
            );
        }
    }
}
