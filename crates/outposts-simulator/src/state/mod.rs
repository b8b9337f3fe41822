//! The simulator's shared state: the world, the tasks, the clock, the faults and the
//! rate limiter behind one [`Simulator`], and what the API needs of them. The test
//! controls that act on it, for the HTTP control endpoint (`control.rs`) and
//! in-process tests alike, are in `controls.rs`.

mod controls;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::config::SimulatorConfig;
use crate::consistency::EventualConsistency;
use crate::faults::{FaultDecision, Faults};
use crate::operation::Operation;
use crate::rate_limit::RateLimiter;
use crate::sigv4::Credentials;
use crate::tasks::{CapacityTask, Clock, Millis, TaskTiming};
use crate::world::{SeedError, World};

pub use controls::{ControlError, Evacuation};

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
    pub fn new(config: SimulatorConfig) -> Result<Simulator, SeedError> {
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
}
