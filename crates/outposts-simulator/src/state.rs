//! The simulator's shared state and the test controls that act on it. The HTTP
//! control endpoint (`control.rs`) and in-process tests call the same methods.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SimulatorConfig;
use super::faults::{ActiveFault, FaultDecision, FaultRule, Faults};
use super::operation::Operation;
use super::rate_limit::{BucketReport, RateLimit, RateLimiter, RateLimits, RateScope};
use super::sigv4::Credentials;
use super::tasks::{
    CapacityTask, CapacityTaskFailure, CapacityTaskStatus, Clock, Millis, TaskTiming,
    epoch_seconds, millis,
};
use super::world::{RunningInstance, World};

/// Makes reads lag behind StartCapacityTask for a while after a task is created,
/// as an eventually consistent API may: GetCapacityTask answers NotFound, and
/// ListCapacityTasks leaves the task out. Applies to tasks created later. Every
/// field defaults to 0 (no lag), so control bodies may give any subset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventualConsistency {
    /// The first N GetCapacityTask calls for each new task answer NotFound.
    pub get_not_found_calls: u32,
    /// GetCapacityTask answers NotFound until this many simulated seconds passed.
    pub get_not_found_seconds: f64,
    /// The first N ListCapacityTasks calls that would include a new task (its
    /// outpost and status match, and it falls on the page asked for) leave it out.
    pub list_hidden_calls: u32,
    /// ListCapacityTasks leaves a new task out until this many simulated seconds
    /// passed since its creation.
    pub list_hidden_seconds: f64,
}

impl EventualConsistency {
    /// Gives a task created at `task.creation_date` its windows of invisibility.
    pub(crate) fn hide_new_task(&self, task: &mut CapacityTask) {
        let created = task.creation_date;
        task.hidden_gets_remaining = self.get_not_found_calls;
        task.hidden_until = created.saturating_add(lag(self.get_not_found_seconds));
        task.hidden_lists_remaining = self.list_hidden_calls;
        task.hidden_from_lists_until = created.saturating_add(lag(self.list_hidden_seconds));
    }
}

/// A lag in seconds as milliseconds; negative, NaN or infinite seconds are no lag
/// rather than a panic, since control bodies are not trusted.
fn lag(seconds: f64) -> Millis {
    if seconds.is_finite() && seconds > 0.0 {
        millis(Duration::from_secs_f64(seconds.min(1e9)))
    } else {
        0
    }
}

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

/// The world, the tasks and the test controls, shared by all connections.
#[derive(Debug)]
pub struct Simulator {
    state: Mutex<State>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) log_requests: bool,
    pub(crate) page_size: usize,
    pub(crate) allow_non_loopback: bool,
    /// Makes task and request IDs differ between runs, so a provider that kept an
    /// ID from an earlier simulator run cannot find it by accident.
    nonce: u64,
    request_counter: AtomicU64,
    /// Apart from the world's lock: a throttled request never waits for, or touches,
    /// the state it would have read.
    rate_limiter: Mutex<RateLimiter>,
}

#[derive(Debug)]
pub(crate) struct State {
    seed: World,
    pub world: World,
    /// Keyed by creation sequence, which is the order lists are paged in.
    pub tasks: BTreeMap<u64, CapacityTask>,
    task_ids: HashMap<String, u64>,
    next_sequence: u64,
    id_counter: u64,
    clock: Clock,
    frozen_clock: bool,
    pub timing: TaskTiming,
    pub consistency: EventualConsistency,
    pub faults: Faults,
    fault_seed: u64,
}

impl State {
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Moves every active task to the state that is due now.
    pub fn advance(&mut self) {
        let now = self.clock.now();
        let World {
            instance_types,
            outposts,
        } = &mut self.world;
        for task in self.tasks.values_mut().filter(|t| t.is_active()) {
            if let Some(outpost) = outposts
                .iter_mut()
                .find(|o| o.outpost_id == task.outpost_id)
            {
                task.advance(outpost, instance_types, &self.timing, now);
            }
        }
    }

    pub fn task(&self, id: &str) -> Option<&CapacityTask> {
        self.task_ids.get(id).and_then(|seq| self.tasks.get(seq))
    }

    pub fn task_mut(&mut self, id: &str) -> Option<&mut CapacityTask> {
        let seq = self.task_ids.get(id)?;
        self.tasks.get_mut(seq)
    }

    /// The active task holding this outpost or order, if any.
    pub fn active_task(&self, outpost_id: &str, order_id: Option<&str>) -> Option<&CapacityTask> {
        self.tasks.values().find(|t| {
            t.is_active()
                && (t.outpost_id == outpost_id
                    || (order_id.is_some() && t.order_id.as_deref() == order_id))
        })
    }

    pub fn next_sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }

    /// A fresh `cap-` + 17 hex digits ID.
    pub fn new_task_id(&mut self, nonce: u64) -> String {
        loop {
            self.id_counter += 1;
            let digest = Sha256::digest(format!("{nonce}:{}", self.id_counter));
            let id = format!("cap-{}", &hex::encode(digest)[..17]);
            if !self.task_ids.contains_key(&id) {
                return id;
            }
        }
    }

    pub fn insert_task(&mut self, task: CapacityTask) {
        self.task_ids
            .insert(task.capacity_task_id.clone(), task.sequence);
        self.tasks.insert(task.sequence, task);
    }
}

impl Simulator {
    /// Validates the world and builds the simulator's state.
    pub fn new(config: SimulatorConfig) -> Result<Simulator, super::world::SeedError> {
        config.world.validate()?;
        let nonce = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ u64::from(std::process::id()).rotate_left(32);
        Ok(Simulator {
            state: Mutex::new(State {
                seed: config.world.clone(),
                world: config.world,
                tasks: BTreeMap::new(),
                task_ids: HashMap::new(),
                next_sequence: 0,
                id_counter: 0,
                clock: Clock::new(config.frozen_clock),
                frozen_clock: config.frozen_clock,
                timing: config.timing,
                consistency: config.eventual_consistency,
                faults: Faults::new(config.fault_seed),
                fault_seed: config.fault_seed,
            }),
            credentials: config.credentials,
            log_requests: config.log_requests,
            page_size: config.page_size.clamp(1, 1000),
            allow_non_loopback: config.allow_non_loopback,
            nonce,
            request_counter: AtomicU64::new(0),
            rate_limiter: Mutex::new(RateLimiter::new(config.rate_limits)),
        })
    }

    /// The state, even if a thread panicked while holding it: every mutation keeps
    /// the state consistent step by step, so it stays usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn rate_limiter(&self) -> MutexGuard<'_, RateLimiter> {
        self.rate_limiter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn nonce(&self) -> u64 {
        self.nonce
    }

    /// An `x-amzn-RequestId` in UUID form.
    pub(crate) fn next_request_id(&self) -> String {
        let n = self.request_counter.fetch_add(1, Ordering::Relaxed);
        let h = hex::encode(Sha256::digest(format!("req:{}:{n}", self.nonce)));
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// Counts every call that reached an operation, whatever its outcome.
    pub(crate) fn count_request(&self, operation: Operation) {
        self.lock().faults.count(operation);
    }

    /// Decides the injected faults of an authenticated call; `dry_run` marks a
    /// StartCapacityTask DryRun.
    pub(crate) fn decide_faults(&self, operation: Operation, dry_run: bool) -> FaultDecision {
        self.lock().faults.decide_call(operation, dry_run)
    }

    /// Takes a rate-limit token for one call of `account` (its access key ID) to
    /// `operation`; `false` means the call is throttled.
    pub(crate) fn admit(&self, account: &str, operation: Operation) -> bool {
        self.rate_limiter()
            .admit(account, operation, Instant::now())
    }

    // ---- test controls -------------------------------------------------------

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
        if let super::faults::FaultTrigger::Rate(rate) = rule.trigger
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

/// Visible for the API: `true` while GetCapacityTask must pretend not to know the
/// task; consumes one hidden call.
pub(crate) fn hide_from_get(task: &mut CapacityTask, now: Millis) -> bool {
    if task.hidden_gets_remaining > 0 {
        task.hidden_gets_remaining -= 1;
        return true;
    }
    now < task.hidden_until
}

/// Visible for the API: `true` while ListCapacityTasks must leave out a task it
/// would otherwise return; consumes one hidden list call.
pub(crate) fn hide_from_list(task: &mut CapacityTask, now: Millis) -> bool {
    if task.hidden_lists_remaining > 0 {
        task.hidden_lists_remaining -= 1;
        return true;
    }
    now < task.hidden_from_lists_until
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::TaskAction;

    fn new_task(created: Millis) -> CapacityTask {
        CapacityTask {
            capacity_task_id: "cap-0123456789abcdef0".into(),
            outpost_id: "op-0123456789abcdef0".into(),
            order_id: None,
            asset_id: None,
            requested_instance_pools: Vec::new(),
            instances_to_exclude: None,
            task_action_on_blocking_instances: TaskAction::WaitForEvacuation,
            status: CapacityTaskStatus::Requested,
            failed: None,
            creation_date: created,
            last_modified_date: created,
            completion_date: None,
            blocking_instances: Vec::new(),
            sequence: 1,
            phase_started: created,
            hidden_gets_remaining: 0,
            hidden_until: 0,
            hidden_lists_remaining: 0,
            hidden_from_lists_until: 0,
        }
    }

    #[test]
    fn old_consistency_bodies_still_parse_with_no_list_lag() {
        let old: EventualConsistency =
            serde_json::from_str(r#"{"get_not_found_calls": 2, "get_not_found_seconds": 30}"#)
                .expect("parses");
        assert_eq!(
            old,
            EventualConsistency {
                get_not_found_calls: 2,
                get_not_found_seconds: 30.0,
                ..EventualConsistency::default()
            }
        );
        let new: EventualConsistency =
            serde_json::from_str(r#"{"list_hidden_calls": 1, "list_hidden_seconds": 5}"#)
                .expect("parses");
        assert_eq!((new.list_hidden_calls, new.list_hidden_seconds), (1, 5.0));
        assert_eq!(new.get_not_found_calls, 0);
    }

    #[test]
    fn list_lag_counts_calls_then_waits_for_its_seconds() {
        let mut task = new_task(1_000);
        EventualConsistency {
            list_hidden_calls: 1,
            list_hidden_seconds: 10.0,
            ..EventualConsistency::default()
        }
        .hide_new_task(&mut task);
        assert_eq!(task.hidden_from_lists_until, 11_000);
        // The counted call is spent even after the seconds passed.
        assert!(hide_from_list(&mut task, 20_000));
        assert!(hide_from_list(&mut task, 10_999));
        assert!(!hide_from_list(&mut task, 11_000));
        // Get lag is separate and was not asked for.
        assert!(!hide_from_get(&mut task, 1_000));
    }

    #[test]
    fn untrusted_lag_seconds_are_no_lag() {
        for seconds in [-5.0, f64::NAN, f64::INFINITY] {
            let mut task = new_task(1_000);
            EventualConsistency {
                list_hidden_seconds: seconds,
                get_not_found_seconds: seconds,
                ..EventualConsistency::default()
            }
            .hide_new_task(&mut task);
            assert!(!hide_from_list(&mut task, 1_000), "{seconds}");
            assert!(!hide_from_get(&mut task, 1_000), "{seconds}");
        }
    }
}
