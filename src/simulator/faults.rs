//! Fault injection and request counting, per operation.
//!
//! A [`FaultRule`] names an operation (or every operation), a [`FaultKind`] and when
//! it fires: for the next N calls, or on a fraction of calls drawn from a seeded
//! generator so a run can be repeated. Each request asks [`Faults::decide`] once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::api::Operation;

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

    /// Decides the faults of one call. The first firing error rule wins; latencies
    /// of all firing latency rules add up. Spent count rules are dropped.
    pub fn decide(&mut self, operation: Operation) -> FaultDecision {
        let mut decision = FaultDecision::default();
        for index in 0..self.rules.len() {
            let rule = &self.rules[index].rule;
            if rule.operation.is_some_and(|op| op != operation) {
                continue;
            }
            let is_error = !matches!(rule.kind, FaultKind::Latency | FaultKind::LoseResponse);
            // A count rule waits for its turn rather than being spent on a call
            // another error rule already answered.
            if is_error && decision.error.is_some() {
                continue;
            }
            let fires = match rule.trigger {
                FaultTrigger::Count(n) => n > 0,
                FaultTrigger::Rate(rate) => {
                    let rate = rate.clamp(0.0, 1.0);
                    self.next_unit() < rate
                }
            };
            if !fires {
                continue;
            }
            let active = &mut self.rules[index];
            active.fired += 1;
            if let FaultTrigger::Count(n) = &mut active.rule.trigger {
                *n -= 1;
            }
            match active.rule.kind {
                FaultKind::Latency => {
                    decision.latency_ms = decision.latency_ms.saturating_add(active.rule.latency_ms)
                }
                FaultKind::LoseResponse => decision.lose_response = true,
                kind => decision.error = Some(kind),
            }
        }
        self.rules
            .retain(|r| !matches!(r.rule.trigger, FaultTrigger::Count(0)));
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_rule_fires_exactly_n_times_then_disappears() {
        let mut faults = Faults::new(7);
        faults.add(FaultRule::next_calls(
            Operation::GetCapacityTask,
            FaultKind::Throttle,
            2,
        ));
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
        let mut faults = Faults::new(7);
        faults.add(FaultRule::next_calls(
            Operation::StartCapacityTask,
            FaultKind::ServerError,
            1,
        ));
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
        let mut faults = Faults::new(7);
        faults.add(FaultRule::next_calls(
            Operation::GetOutpost,
            FaultKind::Throttle,
            1,
        ));
        faults.add(FaultRule::next_calls(
            Operation::GetOutpost,
            FaultKind::ServerError,
            1,
        ));
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
}
