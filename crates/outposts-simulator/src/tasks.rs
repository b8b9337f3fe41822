//! Capacity tasks and their state machine.
//!
//! REQUESTED → IN_PROGRESS → COMPLETED, with the side exits FAILED
//! (UNSUPPORTED_CAPACITY_CONFIGURATION, BLOCKING_INSTANCES_NOT_EVACUATED),
//! WAITING_FOR_EVACUATION, and CANCELLATION_IN_PROGRESS → CANCELLED. Time only moves
//! when a request looks at the world: [`CapacityTask::advance`] replays every
//! transition that is due at the [`Clock`]'s current time, each stamped with the
//! moment it was due, so a test that advances the clock by an hour sees the same
//! timestamps as one that waited an hour.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::capacity::{self, InstancesToExclude, Placement};
use super::world::{InstancePool, InstanceTypeSpec, Outpost, RunningInstance};

/// `CapacityTaskStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CapacityTaskStatus {
    Requested,
    InProgress,
    Failed,
    Completed,
    WaitingForEvacuation,
    CancellationInProgress,
    Cancelled,
}

impl CapacityTaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "REQUESTED",
            Self::InProgress => "IN_PROGRESS",
            Self::Failed => "FAILED",
            Self::Completed => "COMPLETED",
            Self::WaitingForEvacuation => "WAITING_FOR_EVACUATION",
            Self::CancellationInProgress => "CANCELLATION_IN_PROGRESS",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Requested,
            Self::InProgress,
            Self::Failed,
            Self::Completed,
            Self::WaitingForEvacuation,
            Self::CancellationInProgress,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// COMPLETED, FAILED and CANCELLED never change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// `CapacityTaskFailure.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureType {
    UnsupportedCapacityConfiguration,
    UnexpectedAssetState,
    BlockingInstancesNotEvacuated,
    InternalServerError,
    ResourceNotFound,
}

impl FailureType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnsupportedCapacityConfiguration => "UNSUPPORTED_CAPACITY_CONFIGURATION",
            Self::UnexpectedAssetState => "UNEXPECTED_ASSET_STATE",
            Self::BlockingInstancesNotEvacuated => "BLOCKING_INSTANCES_NOT_EVACUATED",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
            Self::ResourceNotFound => "RESOURCE_NOT_FOUND",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::UnsupportedCapacityConfiguration,
            Self::UnexpectedAssetState,
            Self::BlockingInstancesNotEvacuated,
            Self::InternalServerError,
            Self::ResourceNotFound,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// `TaskActionOnBlockingInstances`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskAction {
    WaitForEvacuation,
    FailTask,
}

impl TaskAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WaitForEvacuation => "WAIT_FOR_EVACUATION",
            Self::FailTask => "FAIL_TASK",
        }
    }
}

/// `CapacityTaskFailure`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityTaskFailure {
    #[serde(rename = "type")]
    pub failure_type: FailureType,
    /// At most 128 characters, as the model allows.
    pub reason: String,
}

impl CapacityTaskFailure {
    pub fn new(failure_type: FailureType, reason: impl Into<String>) -> Self {
        let mut reason: String = reason.into();
        if let Some((cut, _)) = reason.char_indices().nth(128) {
            reason.truncate(cut);
        }
        Self {
            failure_type,
            reason,
        }
    }
}

/// How long each step of the state machine takes on the simulator's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskTiming {
    /// REQUESTED → IN_PROGRESS (or FAILED / WAITING_FOR_EVACUATION).
    pub requested: Duration,
    /// IN_PROGRESS → COMPLETED.
    pub in_progress: Duration,
    /// CANCELLATION_IN_PROGRESS → CANCELLED.
    pub cancellation: Duration,
    /// WAITING_FOR_EVACUATION → FAILED when nothing is evacuated (AWS: 48 hours).
    pub evacuation_timeout: Duration,
}

impl Default for TaskTiming {
    fn default() -> Self {
        Self {
            requested: Duration::from_secs(2),
            in_progress: Duration::from_secs(5),
            cancellation: Duration::from_secs(1),
            evacuation_timeout: Duration::from_secs(48 * 3600),
        }
    }
}

/// Milliseconds since the Unix epoch on the simulator's clock.
pub type Millis = u64;

pub fn millis(duration: Duration) -> Millis {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Epoch seconds (with a fraction), the wire form of timestamps.
pub fn epoch_seconds(at: Millis) -> f64 {
    at as f64 / 1000.0
}

/// The simulator's time: the wall clock (or a frozen instant) plus whatever the
/// test controls have added, so long tasks can be tested without sleeping.
#[derive(Debug, Clone)]
pub struct Clock {
    frozen_at: Option<Millis>,
    offset: Millis,
}

impl Clock {
    pub fn new(frozen: bool) -> Self {
        Self {
            frozen_at: frozen.then(wall_clock),
            offset: 0,
        }
    }

    pub fn now(&self) -> Millis {
        self.frozen_at
            .unwrap_or_else(wall_clock)
            .saturating_add(self.offset)
    }

    pub fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(millis(by));
    }
}

fn wall_clock() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

/// A capacity task as the simulator stores it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityTask {
    pub capacity_task_id: String,
    /// Always the plain `op-…` ID, also when the task was started with the ARN.
    pub outpost_id: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub requested_instance_pools: Vec<InstancePool>,
    pub instances_to_exclude: Option<InstancesToExclude>,
    pub task_action_on_blocking_instances: TaskAction,
    pub status: CapacityTaskStatus,
    pub failed: Option<CapacityTaskFailure>,
    pub creation_date: Millis,
    pub last_modified_date: Millis,
    pub completion_date: Option<Millis>,
    /// What ListBlockingInstancesForCapacityTask reports (last evaluation).
    pub blocking_instances: Vec<RunningInstance>,
    /// Creation order; list operations page in this order.
    pub sequence: u64,
    /// When the current status began; the next transition is due relative to it.
    pub phase_started: Millis,
    /// Eventual consistency: GetCapacityTask answers NotFound while either holds.
    pub hidden_gets_remaining: u32,
    pub hidden_until: Millis,
    /// Eventual consistency: ListCapacityTasks leaves the task out while either holds.
    pub hidden_lists_remaining: u32,
    pub hidden_from_lists_until: Millis,
}

impl CapacityTask {
    /// Non-terminal tasks hold their order and outpost: no second task may start.
    pub fn is_active(&self) -> bool {
        !self.status.is_terminal()
    }

    fn enter(&mut self, status: CapacityTaskStatus, at: Millis) {
        self.status = status;
        self.phase_started = at;
        self.last_modified_date = at;
        if status.is_terminal() {
            self.completion_date = Some(at);
        }
    }

    fn fail(&mut self, failure: CapacityTaskFailure, at: Millis) {
        self.failed = Some(failure);
        self.enter(CapacityTaskStatus::Failed, at);
    }

    /// Forces a status out of band (test control). Leaving FAILED drops the failure.
    pub fn force(
        &mut self,
        status: CapacityTaskStatus,
        failure: Option<CapacityTaskFailure>,
        at: Millis,
    ) {
        self.completion_date = None;
        self.failed = match status {
            CapacityTaskStatus::Failed => Some(failure.unwrap_or_else(|| {
                CapacityTaskFailure::new(
                    FailureType::InternalServerError,
                    "Failed by the simulator's test control",
                )
            })),
            _ => None,
        };
        self.enter(status, at);
    }

    /// Starts cancelling; the caller has checked that the status allows it.
    pub fn cancel(&mut self, at: Millis) {
        self.enter(CapacityTaskStatus::CancellationInProgress, at);
    }

    fn placement(
        &self,
        outpost: &Outpost,
        catalog: &[InstanceTypeSpec],
    ) -> Result<Placement, capacity::Shortfall> {
        let assets = capacity::targeted_assets(outpost, self.asset_id.as_deref());
        capacity::place(catalog, &assets, &self.requested_instance_pools)
    }

    fn blockers(&self, outpost: &Outpost) -> Vec<RunningInstance> {
        let assets = capacity::targeted_assets(outpost, self.asset_id.as_deref());
        capacity::blocking_instances(
            outpost,
            &assets,
            &self.requested_instance_pools,
            self.instances_to_exclude.as_ref(),
        )
    }

    /// Applies every transition due by `now`. A completed task rewrites the
    /// outpost's asset layout. Returns whether anything changed.
    pub fn advance(
        &mut self,
        outpost: &mut Outpost,
        catalog: &[InstanceTypeSpec],
        timing: &TaskTiming,
        now: Millis,
    ) -> bool {
        let before = (self.status, self.last_modified_date);
        loop {
            let due = |step: Duration| self.phase_started.saturating_add(millis(step));
            match self.status {
                CapacityTaskStatus::Requested => {
                    let at = due(timing.requested);
                    if now < at {
                        break;
                    }
                    self.leave_requested(outpost, catalog, at);
                }
                CapacityTaskStatus::WaitingForEvacuation => {
                    self.blocking_instances = self.blockers(outpost);
                    let deadline = due(timing.evacuation_timeout);
                    if self.blocking_instances.is_empty() {
                        // Evacuation runs this at the moment it happens, so `now` is
                        // when the last blocker left.
                        self.enter(CapacityTaskStatus::InProgress, now.min(deadline));
                    } else if now >= deadline {
                        let reason =
                            blocked_reason(&self.blocking_instances, "were not evacuated in time");
                        self.fail(
                            CapacityTaskFailure::new(
                                FailureType::BlockingInstancesNotEvacuated,
                                reason,
                            ),
                            deadline,
                        );
                    } else {
                        break;
                    }
                }
                CapacityTaskStatus::InProgress => {
                    let at = due(timing.in_progress);
                    if now < at {
                        break;
                    }
                    match self.placement(outpost, catalog) {
                        Ok(placement) => {
                            capacity::apply(outpost, &placement);
                            self.enter(CapacityTaskStatus::Completed, at);
                        }
                        Err(shortfall) => self.fail(
                            CapacityTaskFailure::new(
                                FailureType::UnexpectedAssetState,
                                format!("The assets changed while the task ran: {shortfall}"),
                            ),
                            at,
                        ),
                    }
                }
                CapacityTaskStatus::CancellationInProgress => {
                    let at = due(timing.cancellation);
                    if now < at {
                        break;
                    }
                    self.enter(CapacityTaskStatus::Cancelled, at);
                }
                CapacityTaskStatus::Completed
                | CapacityTaskStatus::Failed
                | CapacityTaskStatus::Cancelled => break,
            }
        }
        before != (self.status, self.last_modified_date)
    }

    fn leave_requested(&mut self, outpost: &Outpost, catalog: &[InstanceTypeSpec], at: Millis) {
        if let Err(shortfall) = self.placement(outpost, catalog) {
            let reason = format!("Unsupported capacity configuration: {shortfall}");
            self.fail(
                CapacityTaskFailure::new(FailureType::UnsupportedCapacityConfiguration, reason),
                at,
            );
            return;
        }
        self.blocking_instances = self.blockers(outpost);
        if self.blocking_instances.is_empty() {
            self.enter(CapacityTaskStatus::InProgress, at);
            return;
        }
        match self.task_action_on_blocking_instances {
            TaskAction::WaitForEvacuation => {
                self.enter(CapacityTaskStatus::WaitingForEvacuation, at)
            }
            TaskAction::FailTask => {
                let reason = blocked_reason(&self.blocking_instances, "block the change");
                self.fail(
                    CapacityTaskFailure::new(FailureType::BlockingInstancesNotEvacuated, reason),
                    at,
                );
            }
        }
    }
}

fn blocked_reason(blockers: &[RunningInstance], what: &str) -> String {
    let first = blockers.first().map_or("", |i| i.instance_id.as_str());
    match blockers.len() {
        1 => format!("Running instance {first} {what}"),
        n => format!("{n} running instances (first {first}) {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    fn task(outpost: &str, pools: Vec<InstancePool>, action: TaskAction) -> CapacityTask {
        CapacityTask {
            capacity_task_id: "cap-0123456789abcdef0".into(),
            outpost_id: outpost.into(),
            order_id: None,
            asset_id: None,
            requested_instance_pools: pools,
            instances_to_exclude: None,
            task_action_on_blocking_instances: action,
            status: CapacityTaskStatus::Requested,
            failed: None,
            creation_date: 0,
            last_modified_date: 0,
            completion_date: None,
            blocking_instances: Vec::new(),
            sequence: 0,
            phase_started: 0,
            hidden_gets_remaining: 0,
            hidden_until: 0,
            hidden_lists_remaining: 0,
            hidden_from_lists_until: 0,
        }
    }

    fn pool(t: &str, n: u32) -> InstancePool {
        InstancePool {
            instance_type: t.into(),
            count: n,
        }
    }

    const SEC: Millis = 1000;

    /// The default world, its catalog and the default timing, for advancing
    /// tasks against one of its outposts.
    struct Bench {
        world: World,
        catalog: Vec<InstanceTypeSpec>,
        timing: TaskTiming,
    }

    impl Bench {
        fn new() -> Self {
            let world = World::default_seed();
            let catalog = world.instance_types.clone();
            Bench {
                world,
                catalog,
                timing: TaskTiming::default(),
            }
        }

        fn advance(&mut self, outpost: usize, t: &mut CapacityTask, now: Millis) -> bool {
            t.advance(
                &mut self.world.outposts[outpost],
                &self.catalog,
                &self.timing,
                now,
            )
        }
    }

    /// Outpost 2 runs instances that block this layout.
    const BLOCKED_OUTPOST: usize = 2;

    fn blocked_task(action: TaskAction) -> CapacityTask {
        task("op-0aaaaaaaaaaaaaaa1", vec![pool("c5.2xlarge", 6)], action)
    }

    #[test]
    fn task_goes_requested_in_progress_completed_at_due_times() {
        let mut bench = Bench::new();
        let mut t = task(
            "op-0123456789abcdef0",
            vec![pool("c5.4xlarge", 6)],
            TaskAction::FailTask,
        );

        assert!(!bench.advance(0, &mut t, SEC));
        assert!(bench.advance(0, &mut t, 3 * SEC));
        assert_eq!(t.status, CapacityTaskStatus::InProgress);
        assert_eq!(t.last_modified_date, 2 * SEC);

        // One jump far past both steps stamps each with the time it was due.
        bench.advance(0, &mut t, 3600 * SEC);
        assert_eq!(t.status, CapacityTaskStatus::Completed);
        assert_eq!(t.completion_date, Some(7 * SEC));
        let outpost = &bench.world.outposts[0];
        assert_eq!(
            outpost.assets[0].instance_type_capacities,
            vec![pool("c5.4xlarge", 6)]
        );
        assert!(outpost.assets[1].instance_type_capacities.is_empty());
    }

    #[test]
    fn infeasible_layout_fails_after_requested() {
        let mut t = task(
            "op-0123456789abcdef0",
            vec![pool("m5.12xlarge", 7)],
            TaskAction::FailTask,
        );
        Bench::new().advance(0, &mut t, 10 * SEC);
        assert_eq!(t.status, CapacityTaskStatus::Failed);
        let failure = t.failed.expect("failure");
        assert_eq!(
            failure.failure_type,
            FailureType::UnsupportedCapacityConfiguration
        );
        assert!(failure.reason.len() <= 128);
    }

    #[test]
    fn blocked_task_waits_then_proceeds_after_evacuation() {
        let mut bench = Bench::new();
        let mut t = blocked_task(TaskAction::WaitForEvacuation);
        bench.advance(BLOCKED_OUTPOST, &mut t, 10 * SEC);
        assert_eq!(t.status, CapacityTaskStatus::WaitingForEvacuation);
        assert_eq!(t.blocking_instances.len(), 2);

        bench.world.outposts[BLOCKED_OUTPOST]
            .running_instances
            .retain(|i| i.instance_type != "m5.large");
        bench.advance(BLOCKED_OUTPOST, &mut t, 20 * SEC);
        assert_eq!(t.status, CapacityTaskStatus::InProgress);
        assert_eq!(t.last_modified_date, 20 * SEC);
    }

    #[test]
    fn blocked_task_with_fail_task_fails() {
        let mut t = blocked_task(TaskAction::FailTask);
        Bench::new().advance(BLOCKED_OUTPOST, &mut t, 10 * SEC);
        assert_eq!(t.status, CapacityTaskStatus::Failed);
        assert_eq!(
            t.failed.map(|f| f.failure_type),
            Some(FailureType::BlockingInstancesNotEvacuated)
        );
    }

    #[test]
    fn waiting_task_fails_after_the_evacuation_timeout() {
        let mut t = blocked_task(TaskAction::WaitForEvacuation);
        Bench::new().advance(BLOCKED_OUTPOST, &mut t, 49 * 3600 * SEC);
        assert_eq!(t.status, CapacityTaskStatus::Failed);
        assert_eq!(t.completion_date, Some(2 * SEC + 48 * 3600 * SEC));
    }

    #[test]
    fn failure_reason_is_cut_to_128_characters() {
        let failure = CapacityTaskFailure::new(FailureType::InternalServerError, "é".repeat(300));
        assert_eq!(failure.reason.chars().count(), 128);
    }

    #[test]
    fn frozen_clock_only_moves_when_advanced() {
        let mut clock = Clock::new(true);
        let start = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert_eq!(clock.now(), start + 3600 * SEC);
    }
}
