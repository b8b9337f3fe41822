//! Capacity tasks' typed shapes, and how the API's shapes map onto them. The only code
//! that reads the SDK's capacity task types.

use crate::outposts::ids;
use aws_sdk_outposts::types as sdk;
use aws_smithy_types::DateTime;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::time::SystemTime;

/// Every capacity task status the API knows, from the SDK.
pub const TASK_STATUSES: &[&str] = sdk::CapacityTaskStatus::values();
/// What a task may do about running instances in the way, from the SDK.
pub const TASK_ACTIONS: &[&str] = sdk::TaskActionOnBlockingInstances::values();
/// The services whose instances a task may leave in place, from the SDK.
pub const AWS_SERVICES: &[&str] = sdk::AwsServiceName::values();

/// A capacity task's status, as AWS reports it. The variants are in the order a task
/// goes through them (the order `Ord` gives), which is how lists of them are shown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CapacityTaskStatus {
    Requested,
    InProgress,
    WaitingForEvacuation,
    CancellationInProgress,
    Completed,
    Failed,
    Cancelled,
    /// A status this provider does not know yet; treated as still running.
    Other(String),
}

impl CapacityTaskStatus {
    pub fn as_str(&self) -> &str {
        match self {
            CapacityTaskStatus::Requested => "REQUESTED",
            CapacityTaskStatus::InProgress => "IN_PROGRESS",
            CapacityTaskStatus::WaitingForEvacuation => "WAITING_FOR_EVACUATION",
            CapacityTaskStatus::CancellationInProgress => "CANCELLATION_IN_PROGRESS",
            CapacityTaskStatus::Completed => "COMPLETED",
            CapacityTaskStatus::Failed => "FAILED",
            CapacityTaskStatus::Cancelled => "CANCELLED",
            CapacityTaskStatus::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> CapacityTaskStatus {
        match s {
            "REQUESTED" => CapacityTaskStatus::Requested,
            "IN_PROGRESS" => CapacityTaskStatus::InProgress,
            "WAITING_FOR_EVACUATION" => CapacityTaskStatus::WaitingForEvacuation,
            "CANCELLATION_IN_PROGRESS" => CapacityTaskStatus::CancellationInProgress,
            "COMPLETED" => CapacityTaskStatus::Completed,
            "FAILED" => CapacityTaskStatus::Failed,
            "CANCELLED" => CapacityTaskStatus::Cancelled,
            other => CapacityTaskStatus::Other(other.to_string()),
        }
    }

    /// No further change will happen.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            CapacityTaskStatus::Completed
                | CapacityTaskStatus::Failed
                | CapacityTaskStatus::Cancelled
        )
    }

    /// Every status the SDK knows ([`TASK_STATUSES`]), in the order a task goes
    /// through them.
    pub fn all() -> Vec<CapacityTaskStatus> {
        let mut all: Vec<CapacityTaskStatus> = TASK_STATUSES
            .iter()
            .map(|s| CapacityTaskStatus::parse(s))
            .collect();
        all.sort();
        all
    }

    /// The statuses of a task that may still change: those of [`Self::all`] that are
    /// not terminal.
    pub fn active() -> Vec<CapacityTaskStatus> {
        let mut all = Self::all();
        all.retain(|s| !s.is_terminal());
        all
    }

    /// AWS accepts CancelCapacityTask only before the change starts on the hardware.
    pub fn is_cancellable(&self) -> bool {
        matches!(
            self,
            CapacityTaskStatus::Requested | CapacityTaskStatus::WaitingForEvacuation
        )
    }
}

/// In state, a status is the string AWS uses.
impl serde::Serialize for CapacityTaskStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CapacityTaskStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(CapacityTaskStatus::parse(&text))
    }
}

impl std::fmt::Display for CapacityTaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many instances of one type the layout should hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstancePool {
    pub instance_type: String,
    pub count: i32,
}

/// Running instances the task may ignore when checking for blockers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstancesToExclude {
    pub instances: Vec<String>,
    pub account_ids: Vec<String>,
    pub services: Vec<String>,
}

impl InstancesToExclude {
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty() && self.account_ids.is_empty() && self.services.is_empty()
    }
}

/// Why a task failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityTaskFailure {
    pub kind: Option<String>,
    pub reason: String,
}

/// A capacity task as GetCapacityTask / StartCapacityTask report it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityTask {
    pub id: String,
    pub outpost_id: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub instance_pools: Vec<InstancePool>,
    pub instances_to_exclude: InstancesToExclude,
    pub task_action_on_blocking_instances: Option<String>,
    pub dry_run: bool,
    pub status: CapacityTaskStatus,
    pub failure: Option<CapacityTaskFailure>,
    pub creation_date: Option<SystemTime>,
    pub completion_date: Option<SystemTime>,
    pub last_modified_date: Option<SystemTime>,
}

/// One line of ListCapacityTasks.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityTaskSummary {
    pub id: String,
    pub outpost_id: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub status: CapacityTaskStatus,
    pub creation_date: Option<SystemTime>,
    pub completion_date: Option<SystemTime>,
    pub last_modified_date: Option<SystemTime>,
}

/// A running instance that keeps a task from proceeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingInstance {
    pub instance_id: String,
    pub account_id: Option<String>,
    pub service: Option<String>,
}

/// The arguments of StartCapacityTask.
#[derive(Debug, Clone, PartialEq)]
pub struct StartCapacityTask {
    pub outpost_identifier: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub instance_pools: Vec<InstancePool>,
    pub instances_to_exclude: InstancesToExclude,
    pub task_action_on_blocking_instances: Option<String>,
}

impl StartCapacityTask {
    /// What this request asks for, in the form that tells whether two requests, or a
    /// request and a task, ask for the same.
    pub fn key(&self) -> RequestKey {
        RequestKey::new(
            &self.outpost_identifier,
            &self.order_id,
            &self.asset_id,
            &self.task_action_on_blocking_instances,
            &self.instance_pools,
            &self.instances_to_exclude,
        )
    }
}

impl CapacityTask {
    /// What this task asks for, as [`StartCapacityTask::key`].
    pub fn key(&self) -> RequestKey {
        RequestKey::new(
            &self.outpost_id,
            &self.order_id,
            &self.asset_id,
            &self.task_action_on_blocking_instances,
            &self.instance_pools,
            &self.instances_to_exclude,
        )
    }
}

/// What a capacity task asks for, in a form where two requests for the same thing are
/// equal: the Outpost by ID (its ARN and its ID name one Outpost), the pools in any
/// order, the exclusions as sets. The one answer to "the same request?" for the plan,
/// the start journal, the capacity check's answers and the search for our own task.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestKey {
    outpost_id: String,
    order_id: Option<String>,
    asset_id: Option<String>,
    action: Option<String>,
    /// (instance type, count), sorted.
    pools: Vec<(String, i32)>,
    instances: BTreeSet<String>,
    account_ids: BTreeSet<String>,
    services: BTreeSet<String>,
}

impl RequestKey {
    fn new(
        outpost_identifier: &str,
        order_id: &Option<String>,
        asset_id: &Option<String>,
        action: &Option<String>,
        pools: &[InstancePool],
        exclude: &InstancesToExclude,
    ) -> Self {
        let mut pools: Vec<(String, i32)> = pools
            .iter()
            .map(|p| (p.instance_type.clone(), p.count))
            .collect();
        pools.sort();
        let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
        RequestKey {
            outpost_id: ids::outpost_id(outpost_identifier).to_string(),
            order_id: order_id.clone(),
            asset_id: asset_id.clone(),
            action: action.clone(),
            pools,
            instances: set(&exclude.instances),
            account_ids: set(&exclude.account_ids),
            services: set(&exclude.services),
        }
    }

    /// A digest of the request (SHA-256 of its canonical JSON, in hex) that is the same
    /// for the same request in every provider process and version: for what is kept
    /// beside a plan and must name the request without spelling it out.
    pub fn digest(&self) -> String {
        let canonical = serde_json::json!([
            self.outpost_id,
            self.order_id,
            self.asset_id,
            self.action,
            self.pools,
            self.instances,
            self.account_ids,
            self.services,
        ]);
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// Whether `task` is what this request asks for. Arguments the request left to AWS
    /// (order, asset, action) may come back filled in, and a task that names no Outpost
    /// was read from the request's; everything else must be the same.
    pub fn is_met_by(&self, task: &CapacityTask) -> bool {
        let theirs = task.key();
        let filled_in =
            |ours: &Option<String>, theirs: &Option<String>| ours.is_none() || ours == theirs;
        (theirs.outpost_id.is_empty() || theirs.outpost_id == self.outpost_id)
            && filled_in(&self.order_id, &theirs.order_id)
            && filled_in(&self.asset_id, &theirs.asset_id)
            && filled_in(&self.action, &theirs.action)
            && self.pools == theirs.pools
            && self.instances == theirs.instances
            && self.account_ids == theirs.account_ids
            && self.services == theirs.services
    }
}

/// The key as one string, for the start journal's notes and the capacity check's
/// answers: `outpost|order|asset|action|pools|instances|accounts|services`.
impl std::fmt::Display for RequestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pools: Vec<String> = self
            .pools
            .iter()
            .map(|(instance_type, count)| format!("{instance_type}={count}"))
            .collect();
        let join = |v: &BTreeSet<String>| v.iter().cloned().collect::<Vec<_>>().join(",");
        write!(
            f,
            "{}|{:?}|{:?}|{:?}|{}|{}|{}|{}",
            self.outpost_id,
            self.order_id,
            self.asset_id,
            self.action,
            pools.join(","),
            join(&self.instances),
            join(&self.account_ids),
            join(&self.services),
        )
    }
}

/// The fields every capacity task output shape shares.
pub(super) struct TaskFields<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) outpost_id: Option<&'a str>,
    pub(super) order_id: Option<&'a str>,
    pub(super) asset_id: Option<&'a str>,
    pub(super) pools: &'a [sdk::InstanceTypeCapacity],
    pub(super) exclude: Option<&'a sdk::InstancesToExclude>,
    pub(super) action: Option<&'a sdk::TaskActionOnBlockingInstances>,
    pub(super) dry_run: bool,
    pub(super) status: Option<&'a sdk::CapacityTaskStatus>,
    pub(super) failed: Option<&'a sdk::CapacityTaskFailure>,
    pub(super) created: Option<&'a DateTime>,
    pub(super) completed: Option<&'a DateTime>,
    pub(super) modified: Option<&'a DateTime>,
}

impl TaskFields<'_> {
    pub(super) fn into_task(self) -> CapacityTask {
        CapacityTask {
            id: self.id.unwrap_or_default().to_string(),
            outpost_id: self.outpost_id.unwrap_or_default().to_string(),
            order_id: self.order_id.map(str::to_string),
            asset_id: self.asset_id.map(str::to_string),
            instance_pools: self
                .pools
                .iter()
                .map(|p| InstancePool {
                    instance_type: p.instance_type().to_string(),
                    count: p.count(),
                })
                .collect(),
            instances_to_exclude: self
                .exclude
                .map(|e| InstancesToExclude {
                    instances: e.instances().to_vec(),
                    account_ids: e.account_ids().to_vec(),
                    services: e
                        .services()
                        .iter()
                        .map(|s| s.as_str().to_string())
                        .collect(),
                })
                .unwrap_or_default(),
            task_action_on_blocking_instances: self.action.map(|a| a.as_str().to_string()),
            dry_run: self.dry_run,
            status: self
                .status
                .map(|s| CapacityTaskStatus::parse(s.as_str()))
                .unwrap_or(CapacityTaskStatus::Other(String::new())),
            failure: self.failed.map(|f| CapacityTaskFailure {
                kind: f.r#type().map(|t| t.as_str().to_string()),
                reason: f.reason().to_string(),
            }),
            creation_date: self.created.and_then(crate::outposts::time::from_aws),
            completion_date: self.completed.and_then(crate::outposts::time::from_aws),
            last_modified_date: self.modified.and_then(crate::outposts::time::from_aws),
        }
    }
}

/// The fields of an output shape that holds a capacity task, as [`TaskFields`].
macro_rules! task_fields {
    ($o:expr) => {
        super::types::TaskFields {
            id: $o.capacity_task_id(),
            outpost_id: $o.outpost_id(),
            order_id: $o.order_id(),
            asset_id: $o.asset_id(),
            pools: $o.requested_instance_pools(),
            exclude: $o.instances_to_exclude(),
            action: $o.task_action_on_blocking_instances(),
            dry_run: $o.dry_run(),
            status: $o.capacity_task_status(),
            failed: $o.failed(),
            created: $o.creation_date(),
            completed: $o.completion_date(),
            modified: $o.last_modified_date(),
        }
    };
}
pub(super) use task_fields;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_classify() {
        for s in TASK_STATUSES.iter().copied().chain(["SOMETHING_NEW"]) {
            assert_eq!(CapacityTaskStatus::parse(s).as_str(), s);
        }
        for s in TASK_STATUSES {
            assert!(
                !matches!(CapacityTaskStatus::parse(s), CapacityTaskStatus::Other(_)),
                "{s} is a status the SDK knows and this provider does not"
            );
        }
        assert!(CapacityTaskStatus::Completed.is_terminal());
        assert!(!CapacityTaskStatus::Other("NEW".into()).is_terminal());
        assert!(CapacityTaskStatus::WaitingForEvacuation.is_cancellable());
        assert!(!CapacityTaskStatus::InProgress.is_cancellable());
    }

    #[test]
    fn the_active_statuses_are_the_sdk_statuses_that_are_not_terminal() {
        use CapacityTaskStatus::*;
        assert_eq!(
            CapacityTaskStatus::all(),
            [
                Requested,
                InProgress,
                WaitingForEvacuation,
                CancellationInProgress,
                Completed,
                Failed,
                Cancelled
            ]
        );
        assert_eq!(
            CapacityTaskStatus::active(),
            [
                Requested,
                InProgress,
                WaitingForEvacuation,
                CancellationInProgress
            ]
        );
    }

    fn pool(instance_type: &str, count: i32) -> InstancePool {
        InstancePool {
            instance_type: instance_type.into(),
            count,
        }
    }

    fn request() -> StartCapacityTask {
        StartCapacityTask {
            outpost_identifier: "op-0123456789abcdef0".into(),
            order_id: Some("oo-0123456789abcdef0".into()),
            asset_id: None,
            instance_pools: vec![pool("c5.large", 2), pool("m5.large", 1)],
            instances_to_exclude: InstancesToExclude {
                instances: vec!["i-2".into(), "i-1".into()],
                account_ids: Vec::new(),
                services: vec!["EC2".into()],
            },
            task_action_on_blocking_instances: None,
        }
    }

    fn task_for(request: &StartCapacityTask) -> CapacityTask {
        CapacityTask {
            id: "cap-0123456789abcdef0".into(),
            outpost_id: "op-0123456789abcdef0".into(),
            order_id: request.order_id.clone(),
            asset_id: request.asset_id.clone(),
            instance_pools: request.instance_pools.iter().rev().cloned().collect(),
            instances_to_exclude: request.instances_to_exclude.clone(),
            task_action_on_blocking_instances: request.task_action_on_blocking_instances.clone(),
            dry_run: false,
            status: CapacityTaskStatus::Requested,
            failure: None,
            creation_date: None,
            completion_date: None,
            last_modified_date: None,
        }
    }

    #[test]
    fn requests_are_the_same_whatever_the_spelling_of_the_outpost_and_the_order_of_lists() {
        let start = request();
        let mut other = request();
        other.outpost_identifier =
            "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0".into();
        other.instance_pools.reverse();
        other.instances_to_exclude.instances.reverse();
        assert_eq!(start.key(), other.key());
        assert_eq!(start.key().to_string(), other.key().to_string());
        assert_eq!(start.key().digest(), other.key().digest());
        assert_eq!(
            start.key().to_string(),
            "op-0123456789abcdef0|Some(\"oo-0123456789abcdef0\")|None|None|\
             c5.large=2,m5.large=1|i-1,i-2||EC2"
        );
        other.instance_pools[0].count = 3;
        assert_ne!(start.key(), other.key());
        assert_ne!(start.key().digest(), other.key().digest());
        let mut other = request();
        other.task_action_on_blocking_instances = Some("FAIL_TASK".into());
        assert_ne!(start.key(), other.key(), "unset is not the same as set");
    }

    #[test]
    fn a_task_meets_a_request_with_what_aws_filled_in() {
        let start = request();
        let mut task = task_for(&start);
        assert!(start.key().is_met_by(&task));
        task.asset_id = Some("0123456789".into());
        task.task_action_on_blocking_instances = Some("WAIT_FOR_EVACUATION".into());
        assert!(
            start.key().is_met_by(&task),
            "AWS fills in what we left out"
        );
        task.outpost_id = String::new();
        assert!(
            start.key().is_met_by(&task),
            "read from the request's Outpost"
        );

        let mut other = task_for(&start);
        other.instance_pools[0].count = 3;
        assert!(!start.key().is_met_by(&other), "another layout");
        let mut other = task_for(&start);
        other.order_id = Some("oo-0fffffffffffffff0".into());
        assert!(!start.key().is_met_by(&other), "another order");
        let mut other = task_for(&start);
        other.instances_to_exclude.services.clear();
        assert!(!start.key().is_met_by(&other), "other exclusions");
        let mut other = task_for(&start);
        other.outpost_id = "op-0fffffffffffffff0".into();
        assert!(!start.key().is_met_by(&other), "another Outpost");
    }
}
