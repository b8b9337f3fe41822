//! The start journal: a note of every task this provider started and Terraform may not
//! have saved, so that the next create of the same request adopts it instead of
//! starting a second task.
//!
//! Terraform saves a new task only when it receives the provider's answer. If the
//! provider is killed, or Terraform exits on a second Ctrl-C, between StartCapacityTask
//! and that answer, the task runs on with no state. The rules that make "one task per
//! intent" hold:
//!
//! - Notes live in Terraform's data directory (`TF_DATA_DIR`, else `.terraform`), one
//!   folder per workspace: another workspace or working directory never sees them.
//! - A note belongs to the provider process that wrote it, which holds an exclusive
//!   lock on its owner file for as long as it lives. Only a note whose owner has exited
//!   can be adopted: a live create (an identical sibling, another alias) keeps its task.
//! - Adopting renames the note to the adopter's name. A rename succeeds once, so two
//!   concurrent creates cannot both take it.
//! - A note goes as soon as the task is answered to Terraform, which saves it — unless
//!   Terraform had asked to stop, since a second Ctrl-C may make it exit unsaved. Then
//!   the note goes when a later plan, refresh, update, delete or import sees the task in
//!   a prior state (with or without refresh).
//! - A task is held by at most one resource instance per provider process.
//!
//! Notes are best effort: a read-only or throwaway directory keeps none, and the
//! provider works as before.

use crate::outposts::ids;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(test)]
mod tests;

/// The journal's folder below Terraform's data directory.
const FOLDER: &str = "outposts-started-tasks";
/// Older notes are not trusted: a task started a week ago and never saved is not this
/// run's to adopt.
const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Serialize, Deserialize)]
struct Note {
    request: String,
    task_id: String,
    /// When the task was started, in milliseconds since the Unix epoch.
    started_ms: u64,
}

/// One provider process's view of the journal of one workspace.
pub(super) struct Journal {
    /// The workspace's folder: notes are `<task>@<owner>.json`.
    dir: PathBuf,
    /// Owner files, `<owner>.lock`, each locked by its living process.
    owners: PathBuf,
    token: String,
    /// This process's owner file, locked, once it has written a note.
    lock: Mutex<Option<File>>,
    /// Tasks an instance of this process holds: never handed to a second one.
    held: Mutex<HashSet<String>>,
}

/// The journal of the working directory and workspace the provider runs in.
pub(super) fn here() -> &'static Journal {
    static HERE: OnceLock<Journal> = OnceLock::new();
    HERE.get_or_init(|| {
        let data_dir = std::env::var_os("TF_DATA_DIR")
            .filter(|d| !d.is_empty())
            .map_or_else(|| PathBuf::from(".terraform"), PathBuf::from);
        let workspace = std::env::var("TF_WORKSPACE")
            .ok()
            .filter(|w| !w.is_empty())
            .or_else(|| {
                std::fs::read_to_string(data_dir.join("environment"))
                    .ok()
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty())
            })
            .unwrap_or_else(|| "default".to_string());
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Journal::open(
            &data_dir,
            &workspace,
            format!("{}-{nanos:x}", std::process::id()),
        )
    })
}

/// A workspace name as one safe folder name: letters, digits, `-`, `_` and inner dots
/// stay; anything else is percent-encoded.
pub(super) fn folder_name(workspace: &str) -> String {
    let mut out = String::with_capacity(workspace.len());
    for (i, b) in workspace.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A note's file name split into task and owner.
fn parse_name(name: &str) -> Option<(&str, &str)> {
    let (task, owner) = name.strip_suffix(".json")?.split_once('@')?;
    (ids::is_capacity_task_id(task) && !owner.is_empty()).then_some((task, owner))
}

impl Journal {
    /// The journal of `workspace` below `data_dir`, for the process `token`. Nothing is
    /// written until the first note.
    pub(super) fn open(data_dir: &Path, workspace: &str, token: String) -> Self {
        let dir = data_dir
            .join(FOLDER)
            .join("workspaces")
            .join(folder_name(workspace));
        Self {
            owners: dir.join("owners"),
            dir,
            token,
            lock: Mutex::new(None),
            held: Mutex::new(HashSet::new()),
        }
    }

    fn note_path(&self, task_id: &str, owner: &str) -> PathBuf {
        self.dir.join(format!("{task_id}@{owner}.json"))
    }

    /// Locks this process's owner file, once. The file is locked under a private name
    /// and then renamed into place, so no one ever sees it unlocked.
    fn own(&self) -> std::io::Result<()> {
        let mut lock = lock(&self.lock);
        if lock.is_some() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.owners)?;
        let private = self.owners.join(format!(".{}.partial", self.token));
        let file = File::create(&private)?;
        file.try_lock().map_err(std::io::Error::other)?;
        std::fs::rename(&private, self.owners.join(format!("{}.lock", self.token)))?;
        *lock = Some(file);
        Ok(())
    }

    /// Whether the process `owner` still runs. When in doubt, it does: a note is then
    /// not adopted, and the worst outcome is a conflict error, not a shared task.
    fn alive(&self, owner: &str) -> bool {
        if owner == self.token {
            return true;
        }
        let Ok(file) = File::open(self.owners.join(format!("{owner}.lock"))) else {
            // No owner file: the note outlived a cleanup, or was never owned.
            return false;
        };
        match file.try_lock_shared() {
            Ok(()) => false,
            Err(std::fs::TryLockError::WouldBlock) => true,
            Err(std::fs::TryLockError::Error(_)) => true,
        }
    }

    /// The notes in this workspace: (task, owner, note).
    fn notes(&self) -> Vec<(String, String, Note)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let (task, owner) = parse_name(&name)?;
                let note: Note = serde_json::from_slice(&std::fs::read(entry.path()).ok()?).ok()?;
                (note.task_id == task).then(|| (task.to_string(), owner.to_string(), note))
            })
            .collect()
    }

    /// Whether an instance of this process may take `task_id`: no instance here holds
    /// it, and no other living process noted it.
    pub(super) fn may_hold(&self, task_id: &str) -> bool {
        !lock(&self.held).contains(task_id)
            && !self
                .notes()
                .iter()
                .any(|(task, owner, _)| task == task_id && self.alive(owner))
    }

    /// The tasks no instance of this process may take: held by one here, or noted by
    /// another living process ([`may_hold`](Self::may_hold) is false for each).
    pub(super) fn taken(&self) -> HashSet<String> {
        let mut taken = lock(&self.held).clone();
        taken.extend(
            self.notes()
                .into_iter()
                .filter(|(_, owner, _)| self.alive(owner))
                .map(|(task, _, _)| task),
        );
        taken
    }

    /// Notes that this process started (or adopts) `task_id` for `request`, and holds it
    /// for one instance. False when it is not this process's to take.
    pub(super) fn hold(&self, request: &str, task_id: &str) -> bool {
        if !ids::is_capacity_task_id(task_id) || !self.may_hold(task_id) {
            return false;
        }
        if !lock(&self.held).insert(task_id.to_string()) {
            return false;
        }
        let note = Note {
            request: request.to_string(),
            task_id: task_id.to_string(),
            started_ms: now_ms(),
        };
        let written = (|| -> std::io::Result<()> {
            self.own()?;
            let path = self.note_path(task_id, &self.token);
            let partial = path.with_extension("partial");
            std::fs::write(&partial, serde_json::to_vec(&note)?)?;
            std::fs::rename(&partial, &path)
        })();
        if let Err(error) = written {
            tracing::debug!(task = %task_id, %error, dir = %self.dir.display(), "could not note the started task");
        }
        true
    }

    /// The provider answered Terraform with `task_id` in the new state. Terraform saves
    /// it, so the note goes — unless Terraform had asked to stop: a second Ctrl-C may
    /// make it exit without saving, and then the next create must find the note.
    pub(super) fn answered(&self, task_id: &str, stop_requested: bool) {
        if !stop_requested {
            self.forget(task_id);
        }
    }

    /// Forgets `task_id`: a prior state holds it, or it is gone.
    pub(super) fn forget(&self, task_id: &str) {
        if !ids::is_capacity_task_id(task_id) {
            return;
        }
        for (task, owner, _) in self.notes() {
            if task == task_id {
                let _ = std::fs::remove_file(self.note_path(&task, &owner));
            }
        }
    }

    /// Lets go of a task this process claimed but will not use: its note stays, for a
    /// later create once this process has exited.
    pub(super) fn release(&self, task_id: &str) {
        lock(&self.held).remove(task_id);
    }

    /// Claims the newest note for `request` whose process has exited, so that no other
    /// create can take it, and holds its task. The caller checks the task with AWS and
    /// then keeps it, [`forget`](Self::forget)s it or [`release`](Self::release)s it.
    pub(super) fn claim_unsaved(&self, request: &str) -> Option<String> {
        let mut found: Vec<(u64, String, String)> = self
            .notes()
            .into_iter()
            .filter(|(_, _, note)| note.request == request)
            .filter(|(_, _, note)| {
                u128::from(now_ms().saturating_sub(note.started_ms)) < MAX_AGE.as_millis()
            })
            .map(|(task, owner, note)| (note.started_ms, task, owner))
            .collect();
        found.sort_by(|a, b| b.cmp(a));
        for (_, task, owner) in found {
            if owner == self.token || lock(&self.held).contains(&task) || self.alive(&owner) {
                continue;
            }
            if self.own().is_err() {
                return None;
            }
            // The rename succeeds for one claimant only; the others find the note gone.
            match std::fs::rename(
                self.note_path(&task, &owner),
                self.note_path(&task, &self.token),
            ) {
                Ok(()) => {
                    self.clean_owner(&owner);
                    lock(&self.held).insert(task.clone());
                    return Some(task);
                }
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(error) => {
                    tracing::debug!(task = %task, %error, "could not claim the noted task");
                    continue;
                }
            }
        }
        None
    }

    /// Removes the owner file of an exited process once no note names it.
    fn clean_owner(&self, owner: &str) {
        if self.notes().iter().all(|(_, o, _)| o != owner) {
            let _ = std::fs::remove_file(self.owners.join(format!("{owner}.lock")));
        }
    }
}
