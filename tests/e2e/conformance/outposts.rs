//! The sequences against the provider binary and the local Outposts simulator. The
//! simulator's clock stands still; the tests move it, so every task is where the test
//! says it is when the provider looks.

use super::driver::{Driver, Object};
use super::scenarios::{self, Query};
use super::values::errors;
use crate::harness::provider_binary;
use crate::sim::{ORDER, OUTPOST, Sim};
use outposts_simulator::{CapacityTaskStatus, SimulatorConfig};
use serde_json::{Value as Json, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tfplugin::value::Value;

const TASK: &str = "outposts_capacity_task";
const CANCEL: &str = "outposts_cancel_capacity_task";
/// A server Outpost of the simulator's world, with its one asset.
const SERVER: &str = "op-0fedcba9876543210";
const ASSET: &str = "2000000001";
const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-west-2";

/// A simulator whose clock moves only when the test moves it, with quick task timing:
/// REQUESTED for 1 s, IN_PROGRESS for 2 s, cancellation 0.5 s.
fn frozen_sim() -> Sim {
    Sim::start(SimulatorConfig {
        frozen_clock: true,
        timing: Sim::fast_timing(),
        ..SimulatorConfig::default()
    })
}

/// The runtime the client's calls run on.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The provider binary, configured as a provider block pointing at `sim` would be.
async fn provider(sim: &Sim) -> Driver {
    let mut p = Driver::start(&provider_binary(), &[]).await;
    p.configure(json!({
        "region": REGION,
        "access_key": "AKIDTESTACCESSKEY01",
        "secret_key": "test-secret-key",
        "endpoints": [{ "outposts": sim.handle.endpoint() }],
    }))
    .await;
    p
}

/// Starts a task on the server Outpost through the API and moves the clock until it
/// has COMPLETED; its ID.
fn completed_task(sim: &Sim) -> String {
    let id = sim.start_through_the_api(SERVER, ASSET, &[("c5.xlarge", 4), ("m5.xlarge", 12)]);
    sim.handle.advance_clock(Duration::from_secs(5));
    assert_eq!(status(sim, &id), Some(CapacityTaskStatus::Completed));
    id
}

fn status(sim: &Sim, id: &str) -> Option<CapacityTaskStatus> {
    sim.handle.task(id).map(|t| t.status)
}

/// Runs `f` while another thread moves the simulator's clock 0.2 s every 20 ms, so
/// that what the provider waits for happens.
fn ticking<T>(sim: &Sim, f: impl FnOnce() -> T) -> T {
    let done = AtomicBool::new(false);
    let simulator = sim.handle.simulator().clone();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                simulator.advance_clock(Duration::from_millis(200));
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let out = f();
        done.store(true, Ordering::Relaxed);
        out
    })
}

/// The identity the provider gives a task of the server Outpost named by its ID: the
/// account is known only from an Outpost ARN, and the provider does not ask STS.
fn identity(task_id: &str) -> Json {
    json!({
        "outpost_id": SERVER,
        "capacity_task_id": task_id,
        "account_id": null,
        "region": REGION,
    })
}

#[test]
fn a_task_imported_by_identity_is_read_and_planned_unchanged_like_one_imported_by_id() {
    let rt = runtime();
    let sim = frozen_sim();
    let task = completed_task(&sim);
    rt.block_on(async {
        let mut p = provider(&sim).await;
        // Only the attribute import requires; the provider fills in the rest.
        let wanted = json!({ "outpost_id": SERVER, "capacity_task_id": task });
        let id = format!("{SERVER}/{task}");
        let read = scenarios::import_by_identity_plans_no_change(&mut p, TASK, wanted, &id).await;
        let state = p.state_json(TASK, &read.state);
        assert_eq!(state["capacity_task_id"], task.as_str(), "{state:#}");
        assert_eq!(state["status"], "COMPLETED", "{state:#}");
        let held = read.identity.as_ref().expect("an identity");
        assert_eq!(p.identity_json(TASK, held), identity(&task));

        let without_task = json!({ "outpost_id": SERVER });
        scenarios::import_by_identity_refused(&mut p, TASK, without_task, "capacity_task_id").await;
        let not_a_task = json!({ "outpost_id": SERVER, "capacity_task_id": "task-1" });
        scenarios::import_by_identity_refused(&mut p, TASK, not_a_task, "capacity_task_id").await;
        let elsewhere =
            json!({ "outpost_id": SERVER, "capacity_task_id": task, "region": "eu-west-1" });
        scenarios::import_by_identity_refused(&mut p, TASK, elsewhere, "region").await;
    });
}

#[test]
fn terraform_query_lists_tasks_and_writes_config_for_them() {
    let rt = runtime();
    let sim = frozen_sim();
    let first = completed_task(&sim);
    let second = completed_task(&sim);
    rt.block_on(async {
        let mut p = provider(&sim).await;
        let listed = scenarios::query_lists_and_generates_config(
            &mut p,
            Query {
                type_name: TASK,
                config: json!({ "outpost_identifier": SERVER, "statuses": ["COMPLETED"] }),
                at_least: 2,
                bad_config: json!({ "outpost_identifier": SERVER, "statuses": ["FINISHED"] }),
                bad_path: &["statuses"],
            },
        )
        .await;
        let mut identities: Vec<Json> = listed
            .iter()
            .map(|l| p.identity_json(TASK, l.identity.as_ref().expect("an identity")))
            .collect();
        identities.sort_by_key(|i| i["capacity_task_id"].to_string());
        let mut expected = vec![identity(&first), identity(&second)];
        expected.sort_by_key(|i| i["capacity_task_id"].to_string());
        assert_eq!(identities, expected);
        // A status filter that matches nothing lists nothing.
        let none = json!({ "outpost_identifier": SERVER, "statuses": ["FAILED"] });
        let listed = p.list(TASK, none, false, 100).await;
        assert!(listed.is_empty(), "{listed:#?}");
    });
}

#[test]
fn the_cancel_action_streams_progress_to_cancelled_and_refuses_tasks_past_cancelling() {
    let rt = runtime();
    let sim = frozen_sim();
    let completed = completed_task(&sim);
    let mut p = rt.block_on(provider(&sim));
    let config = |task: &str| json!({ "outpost_identifier": SERVER, "capacity_task_id": task });

    let requested = sim.start_through_the_api(SERVER, ASSET, &[("c5.xlarge", 4)]);
    let progress = ticking(&sim, || {
        rt.block_on(scenarios::action_completes(
            &mut p,
            CANCEL,
            config(&requested),
        ))
    });
    // One line per status seen, in the order AWS went through them.
    let prefix = format!("{requested} on {SERVER}: ");
    let statuses: Vec<&str> = progress
        .iter()
        .map(|m| m.strip_prefix(&prefix).unwrap_or_else(|| panic!("{m:?}")))
        .collect();
    assert_eq!(statuses.first(), Some(&"REQUESTED"), "{progress:#?}");
    assert_eq!(statuses.last(), Some(&"CANCELLED"), "{progress:#?}");
    let order = ["REQUESTED", "CANCELLATION_IN_PROGRESS", "CANCELLED"];
    let ranks: Vec<_> = statuses
        .iter()
        .map(|s| order.iter().position(|o| o == s).expect("a known status"))
        .collect();
    assert!(ranks.is_sorted(), "progress out of order: {progress:#?}");
    assert_eq!(sim.status_through_the_api(SERVER, &requested), "CANCELLED");

    let failed = rt.block_on(scenarios::action_fails(&mut p, CANCEL, config(&completed)));
    assert!(
        failed.iter().any(|e| e.contains("COMPLETED")),
        "the error does not say the task COMPLETED: {failed:#?}"
    );
    let running = sim.start_through_the_api(SERVER, ASSET, &[("c5.xlarge", 4)]);
    sim.handle.advance_clock(Duration::from_millis(1500));
    assert_eq!(status(&sim, &running), Some(CapacityTaskStatus::InProgress));
    let failed = rt.block_on(scenarios::action_fails(&mut p, CANCEL, config(&running)));
    assert!(
        failed.iter().any(|e| e.contains("IN_PROGRESS")),
        "the error does not say the task is IN_PROGRESS: {failed:#?}"
    );
    assert_eq!(sim.status_through_the_api(SERVER, &running), "IN_PROGRESS");
}

/// A task on the quickstart rack with `dry_run_on_plan`.
fn dry_run_config() -> Json {
    json!({
        "outpost_identifier": OUTPOST,
        "order_id": ORDER,
        "dry_run_on_plan": true,
        "instance_pool": [
            { "instance_type": "c5.4xlarge", "count": 3 },
            { "instance_type": "m5.xlarge", "count": 12 },
        ],
    })
}

/// Plans the create of [`dry_run_config`], then, in a new provider process as Terraform
/// starts one for each phase, plans it again as Terraform does at apply (sending the
/// first plan's private data back when the client stores it) and applies that plan;
/// the second process's log.
fn plan_replan_apply(sim: &Sim, rt: &tokio::runtime::Runtime, store: bool) -> String {
    let create = Object {
        state: Value::Null,
        private: Vec::new(),
        identity: None,
    };
    let mut planning = rt.block_on(provider(sim));
    let config = planning.resource_config(TASK, dry_run_config());
    let proposed = planning.proposed_create(TASK, &config);
    let (first, diagnostics) =
        rt.block_on(planning.plan(TASK, &create, &proposed, &config, store, Vec::new()));
    planning.no_errors("PlanResourceChange", &diagnostics);
    let first = first.expect("a plan");
    assert_eq!(sim.dry_runs(), 1, "the plan checks the layout once");
    if store {
        assert!(
            !first.private.is_empty(),
            "the plan stored nothing in planned_private"
        );
    }
    drop(planning);

    let mut p = rt.block_on(provider(sim));
    let carried = if store { first.private } else { Vec::new() };
    let (second, diagnostics) =
        rt.block_on(p.plan(TASK, &create, &proposed, &config, store, carried));
    p.no_errors("PlanResourceChange at apply", &diagnostics);
    let second = second.expect("a plan");
    assert_eq!(second.state, first.state, "the plan at apply differs");
    let (applied, diagnostics) =
        ticking(sim, || rt.block_on(p.apply_create(TASK, &second, &config)));
    p.no_errors("ApplyResourceChange", &diagnostics);
    let state = p.state_json(TASK, &applied.state);
    let tasks = sim.handle.tasks();
    assert_eq!(tasks.len(), 1, "one task created: {tasks:?}");
    assert_eq!(
        state["capacity_task_id"],
        tasks[0].capacity_task_id.as_str()
    );
    let identity = applied.identity.expect("the created task has an identity");
    assert_eq!(
        p.identity_json(TASK, &identity)["capacity_task_id"],
        state["capacity_task_id"]
    );
    p.log()
}

#[test]
fn a_client_storing_planned_private_data_makes_the_capacity_check_once() {
    let rt = runtime();
    let sim = frozen_sim();
    let log = plan_replan_apply(&sim, &rt, true);
    assert_eq!(
        sim.dry_runs(),
        1,
        "the re-plan at apply checked again though the first check came back"
    );
    assert!(
        log.contains(REUSED),
        "the provider's log does not say the check was reused ({REUSED:?}):\n{log}"
    );
}

#[test]
fn a_client_not_storing_planned_private_data_gets_the_capacity_check_twice() {
    let rt = runtime();
    let sim = frozen_sim();
    let log = plan_replan_apply(&sim, &rt, false);
    assert_eq!(sim.dry_runs(), 2, "plan + apply-time re-plan");
    assert!(!log.contains(REUSED), "{log}");
}

/// What the provider logs when the re-plan takes the first plan's check.
const REUSED: &str = "capacity check from the plan reused";

#[test]
fn an_identity_stored_by_version_0_is_upgraded() {
    let rt = runtime();
    let sim = frozen_sim();
    rt.block_on(async {
        let mut p = provider(&sim).await;
        // An older shape: an attribute the identity no longer has.
        let task = "cap-0123456789abcdef0";
        let arn = format!("arn:aws:outposts:{REGION}:{ACCOUNT}:outpost/{SERVER}");
        let stored = json!({
            "outpost_id": SERVER,
            "capacity_task_id": task,
            "account_id": ACCOUNT,
            "region": REGION,
            "outpost_arn": arn,
        });
        let expected = json!({
            "outpost_id": SERVER,
            "capacity_task_id": task,
            "account_id": ACCOUNT,
            "region": REGION,
        });
        let upgraded = scenarios::identity_upgrades(&mut p, TASK, 0, stored, expected).await;
        assert!(!upgraded.is_null());
        let (_, refused) = p.upgrade_identity(TASK, 99, json!({})).await;
        assert!(
            !errors(&refused).is_empty(),
            "a future version was accepted"
        );
    });
}
