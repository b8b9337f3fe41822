//! The start journal: a note, in the Terraform working directory, of every task this
//! provider started, kept until a later refresh shows Terraform saved it.
//!
//! Terraform saves a new task only when it receives the provider's answer. If the
//! provider is killed, or Terraform exits on a second Ctrl-C, between StartCapacityTask
//! and that answer, the task runs on with no state. The next create of the same request
//! in the same working directory finds the note and adopts the task instead of starting
//! a second one (or failing on the conflict with a task it cannot tell from another
//! workspace's). Notes are best effort: a read-only or throwaway working directory
//! (a CI runner that starts from scratch) keeps none, and the provider works as
//! before.

use super::flatten::request_key;
use crate::outposts::ids;
use crate::outposts::task::StartCapacityTask;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Below the working directory, beside Terraform's own files.
const DIR: &str = ".terraform/outposts-started-tasks";
/// Older notes are not trusted: a task started a week ago and never saved is not this
/// run's to adopt.
const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Serialize, Deserialize)]
struct Note {
    request: String,
    outpost_identifier: String,
    task_id: String,
    started_unix: u64,
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn path_of(task_id: &str) -> Option<PathBuf> {
    // Only a real task ID becomes a file name.
    ids::is_capacity_task_id(task_id).then(|| PathBuf::from(DIR).join(format!("{task_id}.json")))
}

/// Notes that `task_id` was started for `start`.
pub(super) fn record(start: &StartCapacityTask, task_id: &str) {
    let Some(path) = path_of(task_id) else { return };
    let note = Note {
        request: request_key(start),
        outpost_identifier: start.outpost_identifier.clone(),
        task_id: task_id.to_string(),
        started_unix: now_unix(),
    };
    let written = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(DIR)?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, serde_json::to_vec(&note)?)?;
        std::fs::rename(&partial, &path)
    })();
    if let Err(error) = written {
        tracing::debug!(task = %task_id, %error, "could not note the started task in {DIR}");
    }
}

/// Forgets `task_id`: Terraform's state holds it, or it is gone.
pub(super) fn forget(task_id: &str) {
    if let Some(path) = path_of(task_id) {
        let _ = std::fs::remove_file(path);
    }
}

/// Tasks started for this very request in this working directory and not yet seen
/// saved, newest first.
pub(super) fn unsaved(start: &StartCapacityTask) -> Vec<String> {
    let key = request_key(start);
    let Ok(entries) = std::fs::read_dir(DIR) else {
        return Vec::new();
    };
    let mut found: Vec<(u64, String)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|bytes| serde_json::from_slice::<Note>(&bytes).ok())
        .filter(|n| n.request == key && ids::is_capacity_task_id(&n.task_id))
        .filter(|n| now_unix().saturating_sub(n.started_unix) < MAX_AGE.as_secs())
        .map(|n| (n.started_unix, n.task_id))
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found.into_iter().map(|(_, id)| id).collect()
}
