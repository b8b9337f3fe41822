//! Fault injection and request counting, per operation.
//!
//! A [`FaultRule`] names an operation (or every operation), a [`FaultKind`] and when
//! it fires: for the next N calls, or on a fraction of calls drawn from a seeded
//! generator so a run can be repeated. Each request asks [`Faults::decide_call`] once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::operation::Operation;

/// What an injected fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 `ThrottlingException`; the request has no effect.
    Throttle,
    /// 500 `InternalServerException`; the request has no effect.
    ServerError,
    /// 503 `ServiceUnavailableException`; the request has no effect.
    ServiceUnavailable,
    /// 403 `AccessDeniedException`; the request has no effect.
    AccessDenied,
    /// 404 `NotFoundException`; the request has no effect.
    NotFound,
    /// The response is sent `latency_ms` later; the request is otherwise normal.
    Latency,
    /// The request takes effect, then the connection is closed without a response.
    LoseResponse,
    /// StartCapacityTask only, real starts only: another client sends the very same
    /// request just before this one, so this one meets the rival's task (a
    /// ConflictException naming it, when the rival's start was accepted).
    RivalStart,
    /// StartCapacityTask only, real starts only: the task is created and the 200
    /// answer lacks `CapacityTaskId`.
    OmitTaskId,
}

impl FaultKind {
    /// Kinds that answer with an injected error instead of performing the request.
    fn is_error(self) -> bool {
        matches!(
            self,
            FaultKind::Throttle
                | FaultKind::ServerError
                | FaultKind::ServiceUnavailable
                | FaultKind::AccessDenied
                | FaultKind::NotFound
        )
    }

    /// Kinds about starting a task: a DryRun starts nothing, so they neither fire
    /// on one nor are spent by it, and any other operation never sees them.
    pub fn real_starts_only(self) -> bool {
        matches!(self, FaultKind::RivalStart | FaultKind::OmitTaskId)
    }

    /// Kinds that change a successful answer: they wait, like error rules, for a
    /// call no injected error answers, rather than being spent on an error.
    fn shapes_success(self) -> bool {
        matches!(self, FaultKind::OmitTaskId)
    }
}

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTrigger {
    /// The next N matching calls.
    Count(u32),
    /// Each matching call with this probability (0.0..=1.0).
    Rate(f64),
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `None` matches every operation.
    pub operation: Option<Operation>,
    pub kind: FaultKind,
    pub trigger: FaultTrigger,
    /// For [`FaultKind::Latency`].
    pub latency_ms: u64,
}

impl FaultRule {
    /// A rule for the next `count` calls of `operation`.
    pub fn next_calls(operation: Operation, kind: FaultKind, count: u32) -> Self {
        Self {
            operation: Some(operation),
            kind,
            trigger: FaultTrigger::Count(count),
            latency_ms: 0,
        }
    }

    /// A rule for a fraction of the calls of `operation`.
    pub fn rate(operation: Operation, kind: FaultKind, rate: f64) -> Self {
        Self {
            operation: Some(operation),
            kind,
            trigger: FaultTrigger::Rate(rate),
            latency_ms: 0,
        }
    }

    pub fn with_latency_ms(mut self, latency_ms: u64) -> Self {
        self.latency_ms = latency_ms;
        self
    }

    /// Why this rule cannot work, if it cannot: the kinds about starting a task
    /// must name StartCapacityTask, so a rule never silently waits forever.
    pub fn problem(&self) -> Option<String> {
        let start_only = self.kind.real_starts_only();
        if start_only && self.operation != Some(Operation::StartCapacityTask) {
            let name = serde_json::to_value(self.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            return Some(format!(
                "a {name} fault applies to StartCapacityTask only; name that operation"
            ));
        }
        None
    }

    fn applies_to(&self, operation: Operation, dry_run: bool) -> bool {
        if self.operation.is_some_and(|op| op != operation) {
            return false;
        }
        if self.kind.real_starts_only() {
            return operation == Operation::StartCapacityTask && !dry_run;
        }
        true
    }
}

/// A rule as listed by the control endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveFault {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
    /// How many times it has fired.
    pub fired: u64,
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultDecision {
    pub latency_ms: u64,
    /// An error answered instead of performing the request.
    pub error: Option<FaultKind>,
    pub lose_response: bool,
    /// Carry out the same StartCapacityTask for another client first.
    pub rival_start: bool,
    /// Drop `CapacityTaskId` from a successful StartCapacityTask answer.
    pub omit_task_id: bool,
}

/// The rules in force, the generator for rates, and the per-operation counters.
#[derive(Debug)]
pub struct Faults {
    rules: Vec<ActiveFault>,
    next_id: u64,
    rng: u64,
    counts: BTreeMap<Operation, u64>,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Self {
            rules: Vec::new(),
            next_id: 1,
            // xorshift must not start at zero.
            rng: seed | 1,
            counts: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, rule: FaultRule) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.rules.push(ActiveFault { id, rule, fired: 0 });
        id
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn rules(&self) -> Vec<ActiveFault> {
        self.rules.clone()
    }

    pub fn count(&mut self, operation: Operation) {
        *self.counts.entry(operation).or_default() += 1;
    }

    pub fn counts(&self) -> &BTreeMap<Operation, u64> {
        &self.counts
    }

    pub fn reset_counts(&mut self) {
        self.counts.clear();
    }

    fn next_unit(&mut self) -> f64 {
        // xorshift64: deterministic per seed, good enough to spread faults.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Decides the faults of one call that is not a StartCapacityTask DryRun.
    pub fn decide(&mut self, operation: Operation) -> FaultDecision {
        self.decide_call(operation, false)
    }

    /// Decides the faults of one call; `dry_run` marks a StartCapacityTask DryRun,
    /// which rules about real starts skip without being spent. The first firing
    /// error rule wins; latencies of all firing latency rules add up; rules that
    /// shape a successful answer only fire when no error rule did. Spent count
    /// rules are dropped.
    pub fn decide_call(&mut self, operation: Operation, dry_run: bool) -> FaultDecision {
        let mut decision = FaultDecision::default();
        // Answer-shaping rules go second, so that their turn does not depend on
        // whether they were added before or after an error rule.
        for shaping in [false, true] {
            if shaping && decision.error.is_some() {
                break;
            }
            for index in 0..self.rules.len() {
                let kind = self.rules[index].rule.kind;
                if kind.shapes_success() != shaping
                    || !self.rules[index].rule.applies_to(operation, dry_run)
                {
                    continue;
                }
                // A count rule waits for its turn rather than being spent on a call
                // another error rule already answered.
                if kind.is_error() && decision.error.is_some() {
                    continue;
                }
                if !self.fires(index) {
                    continue;
                }
                let active = &mut self.rules[index];
                active.fired += 1;
                if let FaultTrigger::Count(n) = &mut active.rule.trigger {
                    *n -= 1;
                }
                match kind {
                    FaultKind::Latency => {
                        decision.latency_ms =
                            decision.latency_ms.saturating_add(active.rule.latency_ms)
                    }
                    FaultKind::LoseResponse => decision.lose_response = true,
                    FaultKind::RivalStart => decision.rival_start = true,
                    FaultKind::OmitTaskId => decision.omit_task_id = true,
                    FaultKind::Throttle
                    | FaultKind::ServerError
                    | FaultKind::ServiceUnavailable
                    | FaultKind::AccessDenied
                    | FaultKind::NotFound => decision.error = Some(kind),
                }
            }
        }
        self.rules
            .retain(|r| !matches!(r.rule.trigger, FaultTrigger::Count(0)));
        decision
    }

    /// Whether rule `index` fires on this call: a count rule while it has calls
    /// left, a rate rule by a draw from the seeded generator.
    fn fires(&mut self, index: usize) -> bool {
        match self.rules[index].rule.trigger {
            FaultTrigger::Count(n) => n > 0,
            FaultTrigger::Rate(rate) => {
                let rate = rate.clamp(0.0, 1.0);
                self.next_unit() < rate
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Faults seeded with 7, holding a next-calls rule for each
    /// (operation, kind, count), in order.
    fn next_calls(rules: &[(Operation, FaultKind, u32)]) -> Faults {
        let mut faults = Faults::new(7);
        for &(operation, kind, count) in rules {
            faults.add(FaultRule::next_calls(operation, kind, count));
        }
        faults
    }

    #[test]
    fn count_rule_fires_exactly_n_times_then_disappears() {
        let mut faults = next_calls(&[(Operation::GetCapacityTask, FaultKind::Throttle, 2)]);
        let fired: Vec<_> = (0..4)
            .map(|_| faults.decide(Operation::GetCapacityTask).error)
            .collect();
        assert_eq!(
            fired,
            [
                Some(FaultKind::Throttle),
                Some(FaultKind::Throttle),
                None,
                None
            ]
        );
        assert!(faults.rules().is_empty());
    }

    #[test]
    fn rules_only_match_their_operation() {
        let mut faults = next_calls(&[(Operation::StartCapacityTask, FaultKind::ServerError, 1)]);
        assert_eq!(
            faults.decide(Operation::ListOutposts),
            FaultDecision::default()
        );
        assert_eq!(
            faults.decide(Operation::StartCapacityTask).error,
            Some(FaultKind::ServerError)
        );
    }

    #[test]
    fn queued_error_rules_take_turns() {
        let mut faults = next_calls(&[
            (Operation::GetOutpost, FaultKind::Throttle, 1),
            (Operation::GetOutpost, FaultKind::ServerError, 1),
        ]);
        assert_eq!(
            faults.decide(Operation::GetOutpost).error,
            Some(FaultKind::Throttle)
        );
        assert_eq!(
            faults.decide(Operation::GetOutpost).error,
            Some(FaultKind::ServerError)
        );
        assert_eq!(faults.decide(Operation::GetOutpost).error, None);
    }

    #[test]
    fn rate_rule_fires_about_that_often_and_repeatably() {
        let run = |seed| {
            let mut faults = Faults::new(seed);
            faults.add(FaultRule::rate(
                Operation::ListAssets,
                FaultKind::Throttle,
                0.25,
            ));
            (0..4000)
                .filter(|_| faults.decide(Operation::ListAssets).error.is_some())
                .count()
        };
        let fired = run(42);
        assert!((800..1200).contains(&fired), "{fired}");
        assert_eq!(fired, run(42));
    }

    #[test]
    fn latency_and_lost_response_combine_with_success() {
        let mut faults = Faults::new(7);
        faults.add(
            FaultRule::next_calls(Operation::StartCapacityTask, FaultKind::Latency, 1)
                .with_latency_ms(50),
        );
        faults.add(FaultRule::next_calls(
            Operation::StartCapacityTask,
            FaultKind::LoseResponse,
            1,
        ));
        let decision = faults.decide(Operation::StartCapacityTask);
        assert_eq!(decision.latency_ms, 50);
        assert!(decision.lose_response);
        assert_eq!(decision.error, None);
    }

    #[test]
    fn start_rules_are_neither_fired_nor_spent_by_dry_runs() {
        let mut faults = next_calls(&[
            (Operation::StartCapacityTask, FaultKind::RivalStart, 1),
            (Operation::StartCapacityTask, FaultKind::OmitTaskId, 1),
        ]);
        let dry = faults.decide_call(Operation::StartCapacityTask, true);
        assert_eq!(dry, FaultDecision::default());
        assert_eq!(faults.rules().len(), 2);
        let real = faults.decide_call(Operation::StartCapacityTask, false);
        assert!(real.rival_start && real.omit_task_id, "{real:?}");
        assert!(faults.rules().is_empty());
    }

    #[test]
    fn rival_start_rate_rule_fires_on_a_fraction_of_real_starts_only() {
        let mut faults = Faults::new(42);
        faults.add(FaultRule::rate(
            Operation::StartCapacityTask,
            FaultKind::RivalStart,
            0.5,
        ));
        let dry_fired = (0..200)
            .filter(|_| {
                faults
                    .decide_call(Operation::StartCapacityTask, true)
                    .rival_start
            })
            .count();
        assert_eq!(dry_fired, 0);
        let fired = (0..2000)
            .filter(|_| faults.decide(Operation::StartCapacityTask).rival_start)
            .count();
        assert!((800..1200).contains(&fired), "{fired}");
        assert_eq!(faults.rules()[0].fired, fired as u64);
    }

    #[test]
    fn omit_task_id_waits_for_a_call_no_injected_error_answers() {
        // Added first, it still lets the throttled call go by.
        let mut faults = next_calls(&[
            (Operation::StartCapacityTask, FaultKind::OmitTaskId, 1),
            (Operation::StartCapacityTask, FaultKind::Throttle, 1),
        ]);
        let first = faults.decide(Operation::StartCapacityTask);
        assert_eq!(first.error, Some(FaultKind::Throttle));
        assert!(!first.omit_task_id);
        let second = faults.decide(Operation::StartCapacityTask);
        assert_eq!(second.error, None);
        assert!(second.omit_task_id);
    }

    #[test]
    fn rival_start_fires_alongside_an_injected_error() {
        // The rival is another client: our throttled call does not stop it.
        let mut faults = next_calls(&[
            (Operation::StartCapacityTask, FaultKind::Throttle, 1),
            (Operation::StartCapacityTask, FaultKind::RivalStart, 1),
        ]);
        let decision = faults.decide(Operation::StartCapacityTask);
        assert_eq!(decision.error, Some(FaultKind::Throttle));
        assert!(decision.rival_start);
    }

    #[test]
    fn start_rules_must_name_start_capacity_task() {
        for kind in [FaultKind::RivalStart, FaultKind::OmitTaskId] {
            let mut rule = FaultRule::next_calls(Operation::GetCapacityTask, kind, 1);
            assert!(rule.problem().is_some(), "{kind:?} on GetCapacityTask");
            rule.operation = None;
            assert!(rule.problem().is_some(), "{kind:?} on every operation");
            rule.operation = Some(Operation::StartCapacityTask);
            assert_eq!(rule.problem(), None);
        }
        let throttle = FaultRule {
            operation: None,
            ..FaultRule::next_calls(Operation::GetOutpost, FaultKind::Throttle, 1)
        };
        assert_eq!(throttle.problem(), None);
    }

    #[test]
    fn new_kinds_have_their_snake_case_names() {
        let names: Vec<_> = [FaultKind::RivalStart, FaultKind::OmitTaskId]
            .into_iter()
            .map(|k| serde_json::to_value(k).expect("serialises"))
            .collect();
        assert_eq!(names, [json_str("rival_start"), json_str("omit_task_id")]);
    }

    fn json_str(text: &str) -> serde_json::Value {
        serde_json::Value::String(text.into())
    }
}
