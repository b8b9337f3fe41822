//! Several teams at once under an API rate limit: the simulator's per-account rate
//! limits throttle calls as AWS does, and the provider must ride the throttling out.

use crate::sim::Sim;
use outposts_simulator::{RateLimits, SimulatorConfig};
use std::time::{Duration, Instant};

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
