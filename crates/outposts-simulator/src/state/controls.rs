//! The test controls: what the `/_sim/` endpoint (`control.rs`) and in-process tests
//! do to the simulator and read from it, and the request and throttle counters.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::Simulator;
use crate::consistency::EventualConsistency;
use crate::faults::{ActiveFault, FaultRule, FaultTrigger, Faults};
use crate::operation::Operation;
use crate::rate_limit::{BucketReport, RateLimit, RateLimits, RateScope};
use crate::tasks::{
    CapacityTask, CapacityTaskFailure, CapacityTaskStatus, Clock, TaskTiming, epoch_seconds,
};
use crate::world::{RunningInstance, World};

/// Which running instances an evacuation removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evacuation {
    Instances(Vec<String>),
    /// Every running instance of the outpost.
    Outpost(String),
    /// The instances currently blocking this task.
    BlockingTask(String),
}

/// A control request the simulator could not carry out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("capacity task {0} not found")]
    TaskNotFound(String),
    #[error("outpost {0} not found")]
    OutpostNotFound(String),
    #[error("running instance {0} not found")]
    InstanceNotFound(String),
    #[error("{0}")]
    Invalid(String),
}

impl Simulator {
    /// How many requests reached `operation` (e.g. `"GetCapacityTask"`), whatever
    /// their outcome. Unknown names count 0.
    pub fn request_count(&self, operation: &str) -> u64 {
        Operation::parse(operation)
            .and_then(|op| self.lock().faults.counts().get(&op).copied())
            .unwrap_or(0)
    }

    /// Requests per operation name, operations never called omitted.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.lock()
            .faults
            .counts()
            .iter()
            .map(|(op, n)| (op.as_str().to_string(), *n))
            .collect()
    }

    pub fn reset_request_counts(&self) {
        self.lock().faults.reset_counts();
    }

    /// Adds a fault rule; returns its ID for [`Simulator::remove_fault`].
    pub fn inject_fault(&self, rule: FaultRule) -> Result<u64, ControlError> {
        if let FaultTrigger::Rate(rate) = rule.trigger
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(ControlError::Invalid(format!(
                "rate {rate} is not between 0 and 1"
            )));
        }
        if let Some(problem) = rule.problem() {
            return Err(ControlError::Invalid(problem));
        }
        Ok(self.lock().faults.add(rule))
    }

    pub fn remove_fault(&self, id: u64) -> bool {
        self.lock().faults.remove(id)
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    pub fn faults(&self) -> Vec<ActiveFault> {
        self.lock().faults.rules()
    }

    /// Sets the rate limit of one operation or of every operation without its own
    /// ([`RateScope::All`]). Buckets now under it start full.
    pub fn set_rate_limit(&self, scope: RateScope, limit: RateLimit) {
        self.rate_limiter().set(scope, limit, Instant::now());
    }

    /// Removes one limit; `false` if there was none.
    pub fn remove_rate_limit(&self, scope: RateScope) -> bool {
        self.rate_limiter().remove(scope, Instant::now())
    }

    /// Removes every rate limit (the throttled counters stay).
    pub fn clear_rate_limits(&self) {
        self.rate_limiter().clear();
    }

    /// The rate limits in force.
    pub fn rate_limits(&self) -> RateLimits {
        self.rate_limiter().limits().clone()
    }

    /// Every account's bucket for every limited operation it called, as it is now.
    pub fn rate_limit_buckets(&self) -> Vec<BucketReport> {
        self.rate_limiter().buckets(Instant::now())
    }

    /// How many calls of `operation` (e.g. `"GetCapacityTask"`) the rate limits
    /// throttled. Unknown names count 0.
    pub fn throttled_count(&self, operation: &str) -> u64 {
        Operation::parse(operation)
            .and_then(|op| self.rate_limiter().throttled().get(&op).copied())
            .unwrap_or(0)
    }

    /// Calls throttled by the rate limits per operation name, operations never
    /// throttled omitted. Injected `throttle` faults are not counted here.
    pub fn throttled_counts(&self) -> BTreeMap<String, u64> {
        self.rate_limiter()
            .throttled()
            .iter()
            .map(|(op, n)| (op.as_str().to_string(), *n))
            .collect()
    }

    /// Calls throttled by the rate limits, all operations together.
    pub fn throttled_total(&self) -> u64 {
        self.rate_limiter().throttled().values().sum()
    }

    pub fn reset_throttled_counts(&self) {
        self.rate_limiter().reset_throttled();
    }

    pub fn set_eventual_consistency(&self, consistency: EventualConsistency) {
        self.lock().consistency = consistency;
    }

    pub fn set_timing(&self, timing: TaskTiming) {
        let mut state = self.lock();
        state.advance();
        state.timing = timing;
    }

    pub fn timing(&self) -> TaskTiming {
        self.lock().timing
    }

    /// Moves the simulator's clock forward; due transitions happen at once.
    /// Returns the new time in epoch seconds.
    pub fn advance_clock(&self, by: Duration) -> f64 {
        let mut state = self.lock();
        state.clock.advance(by);
        state.advance();
        epoch_seconds(state.now())
    }

    /// The simulator's current time in epoch seconds.
    pub fn now(&self) -> f64 {
        epoch_seconds(self.lock().now())
    }

    /// Removes running instances; tasks waiting for them move on at once.
    /// Returns the IDs removed.
    pub fn evacuate(&self, evacuation: Evacuation) -> Result<Vec<String>, ControlError> {
        let mut state = self.lock();
        state.advance();
        let (outpost_filter, ids): (Option<String>, Option<Vec<String>>) = match evacuation {
            Evacuation::Instances(ids) => {
                for id in &ids {
                    let known = state
                        .world
                        .outposts
                        .iter()
                        .any(|o| o.running_instances.iter().any(|i| &i.instance_id == id));
                    if !known {
                        return Err(ControlError::InstanceNotFound(id.clone()));
                    }
                }
                (None, Some(ids))
            }
            Evacuation::Outpost(id) => {
                if state.world.outpost(&id).is_none() {
                    return Err(ControlError::OutpostNotFound(id));
                }
                (Some(id), None)
            }
            Evacuation::BlockingTask(id) => {
                let task = state
                    .task(&id)
                    .ok_or_else(|| ControlError::TaskNotFound(id.clone()))?;
                let ids = task
                    .blocking_instances
                    .iter()
                    .map(|i| i.instance_id.clone())
                    .collect();
                (Some(task.outpost_id.clone()), Some(ids))
            }
        };
        let mut removed = Vec::new();
        for outpost in &mut state.world.outposts {
            if outpost_filter
                .as_ref()
                .is_some_and(|f| f != &outpost.outpost_id)
            {
                continue;
            }
            outpost.running_instances.retain(|i| {
                let evacuate = ids.as_ref().is_none_or(|ids| ids.contains(&i.instance_id));
                if evacuate {
                    removed.push(i.instance_id.clone());
                }
                !evacuate
            });
        }
        state.advance();
        Ok(removed)
    }

    /// Starts an instance on an outpost (to block tasks).
    pub fn add_running_instance(
        &self,
        outpost_id: &str,
        instance: RunningInstance,
    ) -> Result<(), ControlError> {
        let mut state = self.lock();
        state.advance();
        let mut world = state.world.clone();
        let outpost = world
            .outpost_mut(outpost_id)
            .ok_or_else(|| ControlError::OutpostNotFound(outpost_id.to_string()))?;
        outpost.running_instances.push(instance);
        world
            .validate()
            .map_err(|e| ControlError::Invalid(e.to_string()))?;
        state.world = world;
        Ok(())
    }

    /// Sets a task's status out of band, e.g. to make it terminal or FAILED with a
    /// given failure. The outpost's layout is not changed.
    pub fn force_task_status(
        &self,
        task_id: &str,
        status: CapacityTaskStatus,
        failure: Option<CapacityTaskFailure>,
    ) -> Result<CapacityTask, ControlError> {
        let mut state = self.lock();
        state.advance();
        let now = state.now();
        let task = state
            .task_mut(task_id)
            .ok_or_else(|| ControlError::TaskNotFound(task_id.to_string()))?;
        task.force(status, failure, now);
        Ok(task.clone())
    }

    /// Removes a task as if it never existed (GetCapacityTask then answers NotFound).
    pub fn delete_task(&self, task_id: &str) -> Result<(), ControlError> {
        let mut state = self.lock();
        let seq = state
            .task_ids
            .remove(task_id)
            .ok_or_else(|| ControlError::TaskNotFound(task_id.to_string()))?;
        state.tasks.remove(&seq);
        Ok(())
    }

    /// A task as it is now.
    pub fn task(&self, task_id: &str) -> Option<CapacityTask> {
        let mut state = self.lock();
        state.advance();
        state.task(task_id).cloned()
    }

    /// Every task, in creation order.
    pub fn tasks(&self) -> Vec<CapacityTask> {
        let mut state = self.lock();
        state.advance();
        state.tasks.values().cloned().collect()
    }

    /// The world as it is now (layouts changed by completed tasks, evacuations).
    pub fn world(&self) -> World {
        let mut state = self.lock();
        state.advance();
        state.world.clone()
    }

    /// Back to the seed: no tasks, faults or counts, clock offset and consistency
    /// cleared, rate-limit buckets full and throttled counts zero. Timing and rate
    /// limits are kept.
    pub fn reset(&self) {
        self.rate_limiter().reset();
        let mut state = self.lock();
        state.world = state.seed.clone();
        state.tasks.clear();
        state.task_ids.clear();
        state.clock = Clock::new(state.frozen_clock);
        state.consistency = EventualConsistency::default();
        state.faults = Faults::new(state.fault_seed);
    }
}
