//! Eventual consistency: how long reads may lag behind StartCapacityTask for a new
//! task, and the checks GetCapacityTask and ListCapacityTasks make before showing it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::tasks::{CapacityTask, Millis, millis};

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
    use crate::tasks::{CapacityTaskStatus, TaskAction};

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
