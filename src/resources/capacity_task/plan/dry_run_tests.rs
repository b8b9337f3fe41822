//! The plan table's rows with `dry_run_on_plan`: the same plan as the other rows, with
//! a client that asks the Outposts simulator over HTTP, as the provider asks AWS.

use super::tests::{COMPUTED_ON_CREATE, OP, config, prior, proposed};
use super::*;
use crate::resources::capacity_task::schema::CapacityTaskState;
use crate::test_logs::InfoLines;
use outposts_simulator::{SimulatorConfig, SimulatorHandle};
use std::sync::Arc;
use tfplugin::resource::ClientCapabilities;
use tfplugin::value::from_serde;
use tokio_util::sync::CancellationToken;

/// The simulator's default world, served on loopback, and a client of it.
struct Simulated {
    runtime: tokio::runtime::Runtime,
    handle: SimulatorHandle,
    client: Arc<OutpostsClient>,
}

impl Simulated {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let handle = runtime
            .block_on(outposts_simulator::start(SimulatorConfig::default()))
            .expect("the simulator starts on loopback");
        let client = OutpostsClient::for_endpoint(handle.endpoint());
        Simulated {
            runtime,
            handle,
            client: Arc::new(client),
        }
    }

    /// Plans `config` over `prior`; returns the plan and how many dry runs it asked for.
    fn plan(
        &self,
        prior: Option<&CapacityTaskState>,
        config: &CapacityTaskState,
        dry_runs: &DryRunCache,
    ) -> (PlanResponse, u64) {
        self.plan_by(&Client::Old, prior, config, dry_runs)
    }

    /// As [`Simulated::plan`], by `client`.
    fn plan_by(
        &self,
        client: &Client,
        prior: Option<&CapacityTaskState>,
        config: &CapacityTaskState,
        dry_runs: &DryRunCache,
    ) -> (PlanResponse, u64) {
        let ty = schema::schema().value_type();
        let prior = prior.map(|p| from_serde(p, &ty).expect("prior"));
        let config = from_serde(config, &ty).expect("config");
        let (client, stored_plan_private) = match client {
            Client::Old => (Default::default(), None),
            Client::OldSendingBack(bytes) => (Default::default(), Some(bytes.clone())),
            Client::Storing(stored) => (
                ClientCapabilities {
                    store_planned_private: true,
                    ..Default::default()
                },
                stored.clone(),
            ),
        };
        let request = PlanRequest {
            proposed_new_state: proposed(prior.as_ref(), &config),
            prior_state: prior,
            config,
            prior_private: Vec::new(),
            client,
            stored_plan_private,
        };
        let ctx = Context::new(Some(self.client.clone()), CancellationToken::new());
        let before = self.starts();
        let plan = self.runtime.block_on(super::plan(&ctx, dry_runs, request));
        (plan, self.starts() - before)
    }

    fn starts(&self) -> u64 {
        self.handle.request_count("StartCapacityTask")
    }
}

/// The Terraform that plans.
enum Client {
    /// One that does not store planned private data (up to 1.15).
    Old,
    /// One without the capability that sends bytes back all the same.
    OldSendingBack(Vec<u8>),
    /// One that does (1.16), with what the first plan of the change returned, at apply.
    Storing(Option<Vec<u8>>),
}

/// What a row's plan must say.
struct Row {
    name: &'static str,
    prior: Option<CapacityTaskState>,
    config: CapacityTaskState,
    /// `(severity, summary, attribute)` of each diagnostic.
    diagnostics: &'static [(&'static str, &'static str, &'static str)],
    replace: &'static [&'static str],
    dry_runs: u64,
}

fn checking(layout: &[(&str, i64)]) -> CapacityTaskState {
    CapacityTaskState {
        dry_run_on_plan: Some(true),
        ..config(OP, layout)
    }
}

const FITS: &[(&str, i64)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];
const TOO_BIG: &[(&str, i64)] = &[("c5.4xlarge", 100)];

#[test]
fn plans_with_dry_run_on_plan_ask_aws_only_when_a_task_would_start() {
    let sim = Simulated::start();
    let finished = prior(&checking(FITS), "COMPLETED");
    let unchecked_finished = prior(&config(OP, FITS), "COMPLETED");
    let missing_order = CapacityTaskState {
        order_id: Some("oo-0fffffffffffffff0".into()),
        ..checking(FITS)
    };
    let rows = [
        Row {
            name: "a layout that fits plans a create and says nothing",
            prior: None,
            config: checking(FITS),
            diagnostics: &[],
            replace: &[],
            dry_runs: 1,
        },
        Row {
            name: "a layout too big fails the plan on the layout",
            prior: None,
            config: checking(TOO_BIG),
            diagnostics: &[("error", "Layout does not fit the Outpost", "instance_pool")],
            replace: &[],
            dry_runs: 1,
        },
        Row {
            name: "a missing order fails the plan on order_id",
            prior: None,
            config: missing_order,
            diagnostics: &[("error", "Order not found", "order_id")],
            replace: &[],
            dry_runs: 1,
        },
        Row {
            name: "without dry_run_on_plan a create asks nothing",
            prior: None,
            config: config(OP, TOO_BIG),
            diagnostics: &[],
            replace: &[],
            dry_runs: 0,
        },
        Row {
            name: "an unchanged finished task asks nothing",
            prior: Some(finished.clone()),
            config: checking(FITS),
            diagnostics: &[],
            replace: &[],
            dry_runs: 0,
        },
        Row {
            name: "turning dry_run_on_plan on is an update in place that asks nothing",
            prior: Some(unchecked_finished),
            config: checking(FITS),
            diagnostics: &[],
            replace: &[],
            dry_runs: 0,
        },
        Row {
            name: "a replacement asks, and its refusal fails the plan",
            prior: Some(finished.clone()),
            config: checking(TOO_BIG),
            diagnostics: &[("error", "Layout does not fit the Outpost", "instance_pool")],
            replace: &["instance_pool"],
            dry_runs: 1,
        },
        Row {
            name: "a failed task's replacement asks too",
            prior: Some(prior(&checking(FITS), "FAILED")),
            config: checking(FITS),
            diagnostics: &[("warning", "Capacity task did not complete", "")],
            replace: &["status"],
            dry_runs: 1,
        },
    ];
    for row in rows {
        // A fresh cache per row: the cache's reuse has a row of its own below.
        let (plan, dry_runs) = sim.plan(row.prior.as_ref(), &row.config, &DryRunCache::default());
        let found: Vec<(String, String, String)> = plan
            .diagnostics
            .iter()
            .map(|d| {
                (
                    if d.severity == tfplugin::diag::Severity::Error {
                        "error".to_string()
                    } else {
                        "warning".to_string()
                    },
                    d.summary.clone(),
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect();
        let expected: Vec<(String, String, String)> = row
            .diagnostics
            .iter()
            .map(|(s, m, a)| (s.to_string(), m.to_string(), a.to_string()))
            .collect();
        assert_eq!(found, expected, "{}: diagnostics", row.name);
        let replace: Vec<String> = plan
            .requires_replace
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(replace, row.replace, "{}: requires_replace", row.name);
        assert_eq!(dry_runs, row.dry_runs, "{}: dry runs", row.name);
        if row.prior.is_none() {
            for name in COMPUTED_ON_CREATE {
                assert!(
                    plan.planned_state.attr(name).is_some_and(Value::is_unknown),
                    "{}: {name} is unknown in a create plan",
                    row.name
                );
            }
        }
    }
    assert!(
        sim.handle.tasks().is_empty(),
        "a dry run never starts a task"
    );
}

#[test]
fn one_process_asks_once_for_the_same_layout() {
    let sim = Simulated::start();
    let cache = DryRunCache::default();
    let (first, asked) = sim.plan(None, &checking(TOO_BIG), &cache);
    assert_eq!(asked, 1);
    // Terraform plans a replacement twice in a row: the second plan reuses the answer.
    let (second, asked_again) = sim.plan(None, &checking(TOO_BIG), &cache);
    assert_eq!(asked_again, 0);
    assert_eq!(first.diagnostics, second.diagnostics);
}

#[test]
fn a_terraform_that_stores_planned_private_data_gets_the_check_at_apply_from_the_plan() {
    let sim = Simulated::start();
    // Plan and apply are two provider processes: a fresh cache each.
    let (plan, asked) = sim.plan_by(
        &Client::Storing(None),
        None,
        &checking(FITS),
        &DryRunCache::default(),
    );
    assert_eq!(asked, 1);
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let kept = plan.planned_private;
    assert!(
        String::from_utf8_lossy(&kept).contains(r#""outcome":"fits""#),
        "{}",
        String::from_utf8_lossy(&kept)
    );
    // At apply, Terraform plans again with what the plan returned: AWS is not asked
    // again, and the answer goes on to the apply-time plan.
    let stored = Client::Storing(Some(kept.clone()));
    let ((again, asked_again), said) =
        InfoLines::during(|| sim.plan_by(&stored, None, &checking(FITS), &DryRunCache::default()));
    assert_eq!(asked_again, 0);
    assert!(
        said.iter()
            .any(|m| m.contains("capacity check from the plan reused; not asking AWS again")),
        "{said:?}"
    );
    assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    assert_eq!(again.planned_private, kept);
    // The same pools written in another order are the same request.
    let reordered: Vec<(&str, i64)> = FITS.iter().rev().copied().collect();
    let (_, asked_reordered) = sim.plan_by(
        &stored,
        None,
        &checking(&reordered),
        &DryRunCache::default(),
    );
    assert_eq!(asked_reordered, 0);
}

#[test]
fn a_changed_request_is_checked_again_despite_the_plan_s_answer() {
    let sim = Simulated::start();
    let (plan, _) = sim.plan_by(
        &Client::Storing(None),
        None,
        &checking(FITS),
        &DryRunCache::default(),
    );
    let stored = Client::Storing(Some(plan.planned_private.clone()));
    let (changed, asked) = sim.plan_by(&stored, None, &checking(TOO_BIG), &DryRunCache::default());
    assert_eq!(asked, 1);
    let summaries: Vec<&str> = changed
        .diagnostics
        .iter()
        .map(|d| d.summary.as_str())
        .collect();
    assert_eq!(summaries, ["Layout does not fit the Outpost"]);
    // A refusal fails the plan: nothing is kept for an apply that will not come.
    assert!(changed.planned_private.is_empty());
    let other_pool: &[(&str, i64)] = &[("c5.4xlarge", 2), ("m5.xlarge", 12)];
    let (fits, asked) = sim.plan_by(
        &stored,
        None,
        &checking(other_pool),
        &DryRunCache::default(),
    );
    assert_eq!(asked, 1);
    assert!(fits.diagnostics.is_empty(), "{:?}", fits.diagnostics);
    assert_ne!(
        fits.planned_private, plan.planned_private,
        "the new request's answer is kept"
    );
}

#[test]
fn an_older_terraform_gets_no_private_data_and_its_apply_checks_again() {
    let sim = Simulated::start();
    let (plan, asked) = sim.plan(None, &checking(FITS), &DryRunCache::default());
    assert_eq!(asked, 1);
    assert!(plan.planned_private.is_empty());
    let (_, asked_again) = sim.plan(None, &checking(FITS), &DryRunCache::default());
    assert_eq!(asked_again, 1);
    // Bytes sent back without the capability are not read: the framework drops them,
    // and the resource, asked without it, looks at nothing stored either.
    let (kept, _) = sim.plan_by(
        &Client::Storing(None),
        None,
        &checking(FITS),
        &DryRunCache::default(),
    );
    let (old_again, asked_old) = sim.plan_by(
        &Client::OldSendingBack(kept.planned_private),
        None,
        &checking(FITS),
        &DryRunCache::default(),
    );
    assert_eq!(asked_old, 1);
    assert!(old_again.planned_private.is_empty());
}
