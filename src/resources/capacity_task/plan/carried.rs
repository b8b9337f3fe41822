//! The capacity check carried from plan to apply in the plan's private data.
//!
//! Terraform plans a new task again at apply. Up to 1.15 it does so without the first
//! plan's private data, so the check runs twice (DESIGN.md). From 1.16 a client that
//! says `store_planned_private` keeps what the plan returned as `planned_private` and
//! hands it back to the plan at apply ([`PlanRequest::stored_plan_private`]): an answer
//! kept there, for the very same request, spares AWS the second question.
//!
//! Only answers that let the plan go on are kept: "fits", and "another task is active"
//! (a warning, shown again as it was). Errors fail the plan, so no apply follows; a
//! check AWS did not answer is asked again, since asking is all it could not do.
//!
//! The bytes are a small versioned JSON document, `{"v":1,"dry_run":{"key":…,
//! "outcome":"fits"}}`, where `key` is [`RequestKey::digest`]. The resource keeps no
//! private data of its own today; any other bytes a plan starts from (its
//! `prior_private`) are left as they are, never overwritten.
//!
//! [`PlanRequest::stored_plan_private`]: tfplugin::resource::PlanRequest::stored_plan_private

use crate::layout::DryRunOutcome;
use crate::outposts::task::RequestKey;
use serde::{Deserialize, Serialize};

/// The version of the document; another version is not read.
const VERSION: u32 = 1;

/// What the plan passes on.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PlanPrivate {
    v: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dry_run: Option<CarriedCheck>,
}

/// One capacity check's answer, and the request it answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CarriedCheck {
    key: String,
    outcome: CarriedOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CarriedOutcome {
    Fits,
    Conflict { message: String },
}

impl CarriedOutcome {
    fn of(outcome: &DryRunOutcome) -> Option<Self> {
        match outcome {
            DryRunOutcome::Fits => Some(CarriedOutcome::Fits),
            DryRunOutcome::Conflict(message) => Some(CarriedOutcome::Conflict {
                message: message.clone(),
            }),
            _ => None,
        }
    }

    fn outcome(self) -> DryRunOutcome {
        match self {
            CarriedOutcome::Fits => DryRunOutcome::Fits,
            CarriedOutcome::Conflict { message } => DryRunOutcome::Conflict(message),
        }
    }
}

fn read(bytes: &[u8]) -> Option<PlanPrivate> {
    serde_json::from_slice::<PlanPrivate>(bytes)
        .ok()
        .filter(|private| private.v == VERSION)
}

/// The answer the first plan kept in `stored` for exactly the request `key`, if any.
pub(super) fn stored_answer(stored: Option<&[u8]>, key: &RequestKey) -> Option<DryRunOutcome> {
    let check = read(stored?)?.dry_run?;
    (check.key == key.digest()).then(|| check.outcome.outcome())
}

/// Keeps the answer `outcome` for the request `key` in `planned_private`, when it is one
/// worth keeping and the bytes are empty or ours. An answer not worth keeping drops
/// the one kept before (the plan at apply starts from the first plan's bytes), so a
/// plan never passes on an answer to another request.
pub(super) fn keep(planned_private: &mut Vec<u8>, key: &RequestKey, outcome: &DryRunOutcome) {
    let carried = CarriedOutcome::of(outcome);
    let mut private = if planned_private.is_empty() {
        if carried.is_none() {
            return;
        }
        PlanPrivate {
            v: VERSION,
            dry_run: None,
        }
    } else {
        match read(planned_private) {
            Some(private) => private,
            None => {
                tracing::debug!("planned private data not ours; the capacity check is not kept");
                return;
            }
        }
    };
    private.dry_run = carried.map(|outcome| CarriedCheck {
        key: key.digest(),
        outcome,
    });
    if private.dry_run.is_none() {
        // The document holds nothing else.
        planned_private.clear();
        return;
    }
    match serde_json::to_vec(&private) {
        Ok(bytes) => *planned_private = bytes,
        Err(error) => tracing::debug!(%error, "the capacity check could not be kept"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outposts::task::{InstancePool, StartCapacityTask};

    fn key(count: i32) -> RequestKey {
        StartCapacityTask {
            outpost_identifier: "op-0123456789abcdef0".into(),
            order_id: Some("oo-0123456789abcdef0".into()),
            asset_id: None,
            instance_pools: vec![InstancePool {
                instance_type: "c5.4xlarge".into(),
                count,
            }],
            instances_to_exclude: Default::default(),
            task_action_on_blocking_instances: None,
        }
        .key()
    }

    #[test]
    fn a_request_s_digest_never_changes() {
        // Plan and apply may be run by different builds: the digest of a request is
        // pinned (SHA-256 of its canonical JSON), not whatever a hasher gives today.
        assert_eq!(
            key(3).digest(),
            "748b9d555481ab1b041887e9bf022c07834151d414a5b1d20e32f90ae78e7ed9"
        );
    }

    #[test]
    fn a_kept_answer_serves_only_its_own_request() {
        let mut private = Vec::new();
        keep(&mut private, &key(3), &DryRunOutcome::Fits);
        let text = String::from_utf8(private.clone()).expect("JSON text");
        assert_eq!(
            text,
            format!(
                r#"{{"v":1,"dry_run":{{"key":"{}","outcome":"fits"}}}}"#,
                key(3).digest()
            )
        );
        assert!(matches!(
            stored_answer(Some(&private), &key(3)),
            Some(DryRunOutcome::Fits)
        ));
        assert!(stored_answer(Some(&private), &key(4)).is_none());
        assert!(stored_answer(None, &key(3)).is_none());
    }

    #[test]
    fn a_conflict_is_kept_and_errors_and_silence_are_not() {
        let mut private = Vec::new();
        keep(
            &mut private,
            &key(3),
            &DryRunOutcome::Conflict("cap-1".into()),
        );
        assert!(matches!(
            stored_answer(Some(&private), &key(3)),
            Some(DryRunOutcome::Conflict(message)) if message == "cap-1"
        ));
        for outcome in [
            DryRunOutcome::DoesNotFit("too big".into()),
            DryRunOutcome::Unanswered("no answer".into()),
            DryRunOutcome::Failed("denied".into()),
        ] {
            let mut private = Vec::new();
            keep(&mut private, &key(3), &outcome);
            assert!(private.is_empty(), "{outcome:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_ours_are_left_and_not_read() {
        let mut foreign = b"something else".to_vec();
        keep(&mut foreign, &key(3), &DryRunOutcome::Fits);
        assert_eq!(foreign, b"something else");
        assert!(stored_answer(Some(&foreign), &key(3)).is_none());
        let newer = format!(
            r#"{{"v":2,"dry_run":{{"key":"{}","outcome":"fits"}}}}"#,
            key(3).digest()
        );
        assert!(stored_answer(Some(newer.as_bytes()), &key(3)).is_none());
    }
}
