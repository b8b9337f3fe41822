//! Create: start the task, or adopt the one our own lost attempt started, then wait.
//!
//! Two workspaces may start the same layout on the same Outpost at once; AWS accepts one
//! and refuses the other with a conflict. The loser must never take the winner's task as
//! its own: that would give one task two owners, and destroying either would cancel the
//! other's work. So a task is adopted only when an attempt of ours may have created it
//! (its answer was lost, or named no task), it was not active before our first attempt
//! and was created since, and it asks for exactly what we asked for. A conflict on a
//! clean record is reported. After a lost answer the provider looks for its task before
//! it tries again, in every status: a task that already finished would meet no
//! conflict, and a second attempt would start a second task.

use super::flatten::{start_request, state_from_task};
use super::journal::{self, Journal};
use super::messages::{self, Origin};
use super::paths::{missing_argument_path, pool_path_in};
use super::schema::CapacityTaskState;
use super::waiting::wait_into_state;
use crate::outposts::error::OutpostsError;
use crate::outposts::task::{CapacityTask, CapacityTaskStatus, StartCapacityTask, Started};
use crate::outposts::{OutpostsClient, until_stopped};
use std::collections::HashSet;
use std::time::{Duration, SystemTime};
use tfplugin::diag::Diagnostic;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::resource::ApplyResponse;

/// How long to look for the task a lost answer may have started: ListCapacityTasks can
/// lag behind StartCapacityTask.
const FIND_OWN_TASK_PATIENCE: Duration = Duration::from_secs(60);
/// How long to look for it before another attempt after a lost answer: five lists
/// (after 0, 1, 3, 7 and 15 s), for a list that lags some seconds. Waiting costs little
/// next to a task of hours, and a second task is what it prevents.
const LOOK_BEFORE_RETRY: Duration = Duration::from_secs(15);

pub(super) async fn create(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    config: CapacityTaskState,
) -> ApplyResponse<CapacityTaskState> {
    let start = start_request(&config);
    let stop = ctx.stop();
    // The tasks active before our request: a task that appears after a failed start and
    // is not among them may be the one this request created.
    let before: HashSet<String> = match until_stopped(
        stop,
        client.list_active_capacity_tasks(&start.outpost_identifier),
    )
    .await
    {
        Ok(tasks) => tasks.into_iter().map(|t| t.id).collect(),
        Err(OutpostsError::Interrupted) => {
            return ApplyResponse::failed(messages::interrupted_before_start());
        }
        Err(error) => {
            return ApplyResponse::failed(messages::could_not_list_before_start(
                &start.outpost_identifier,
                &error,
            ));
        }
    };
    if stop.is_cancelled() {
        return ApplyResponse::failed(messages::interrupted_before_start());
    }
    let journal = journal::here();
    if let Some(task) = unsaved_own_task(ctx, client, journal, &start).await {
        tracing::warn!(task = %task.id, "adopting the task an interrupted run in this workspace started but Terraform never saved");
        return wait_for(ctx, client, journal, &config, &task).await;
    }
    // Tasks created from a little before now on may be ours (clocks differ a little).
    let asked_at = SystemTime::now()
        .checked_sub(CLOCK_SKEW)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mine = Candidates {
        start: &start,
        before: &before,
        asked_at,
        journal,
    };
    let started = client
        .start_capacity_task(&start, stop, || {
            find_own_task(ctx, client, &mine, LOOK_BEFORE_RETRY)
        })
        .await;
    let task = match started {
        Ok(Started::New(task)) => {
            tracing::info!(task = %task.id, outpost = %start.outpost_identifier, "capacity task started");
            journal.hold(&start.key().to_string(), &task.id);
            task
        }
        Ok(Started::Adopted { task, error }) => {
            tracing::warn!(task = %task.id, %error, "adopting the task our own StartCapacityTask attempt created (its answer was lost)");
            task
        }
        Err(failure) if failure.may_have_started => {
            match find_own_task(ctx, client, &mine, FIND_OWN_TASK_PATIENCE).await {
                Some(task) => {
                    tracing::warn!(task = %task.id, error = %failure.error, "adopting the task our own StartCapacityTask attempt created (its answer was lost)");
                    task
                }
                None => {
                    return ApplyResponse::failed(
                        start_failure(client, &start, failure.error, true).await,
                    );
                }
            }
        }
        Err(failure) => {
            return ApplyResponse::failed(
                start_failure(client, &start, failure.error, false).await,
            );
        }
    };
    wait_for(ctx, client, journal, &config, &task).await
}

/// Waits for a task that is now ours, and answers with it in the state.
async fn wait_for(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    journal: &Journal,
    config: &CapacityTaskState,
    task: &CapacityTask,
) -> ApplyResponse<CapacityTaskState> {
    let mut state = state_from_task(config, task);
    let timeout = config.create_timeout();
    let diagnostics =
        wait_into_state(ctx, client, &mut state, task, timeout, Origin::JustStarted).await;
    // Terraform saves what it receives now; after a Ctrl-C it may exit before it does.
    journal.answered(&task.id, ctx.stop().is_cancelled());
    ApplyResponse {
        new_state: Some(state),
        private: Vec::new(),
        diagnostics,
    }
}

/// A task that this workspace's journal says a provider process started for this very
/// request before it exited, and that no state was seen to hold: still there, asking
/// for the same, and not failed or cancelled (a replacement of a failed task must start
/// a new one). The note is claimed first, so no other create can take it too; notes of
/// tasks that are gone are dropped.
async fn unsaved_own_task(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    journal: &Journal,
    start: &StartCapacityTask,
) -> Option<CapacityTask> {
    let request = start.key().to_string();
    while let Some(task_id) = journal.claim_unsaved(&request) {
        match until_stopped(
            ctx.stop(),
            client.get_capacity_task(&start.outpost_identifier, &task_id),
        )
        .await
        {
            Ok(task)
                if start.key().is_met_by(&task)
                    && !matches!(
                        task.status,
                        CapacityTaskStatus::Failed | CapacityTaskStatus::Cancelled
                    ) =>
            {
                return Some(task);
            }
            Ok(_) | Err(OutpostsError::NotFound(_)) => journal.forget(&task_id),
            Err(_) => {
                // Not known now: the note stays for a later create.
                journal.release(&task_id);
                return None;
            }
        }
    }
    None
}

/// Looks for the task that an attempt of ours may have started ([`Candidates`]), in any
/// status. ListCapacityTasks may lag, so it looks again for a while; once Terraform asks
/// to stop, it looks once more only.
async fn find_own_task(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    mine: &Candidates<'_>,
    patience: Duration,
) -> Option<CapacityTask> {
    let began = tokio::time::Instant::now();
    let mut pause = Duration::from_secs(1);
    loop {
        if let Some(task) = matching_new_task(ctx, client, mine).await {
            return Some(task);
        }
        if ctx.stop().is_cancelled() || began.elapsed() + pause > patience {
            return None;
        }
        tracing::debug!(
            pause_s = pause.as_secs(),
            "no new task visible yet; listing again"
        );
        tokio::select! {
            biased;
            _ = ctx.stop().cancelled() => {}
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(16));
    }
}

/// What tells a task our attempt may have started: it asks for `start`, was not
/// active before our first attempt, and was created after `asked_at`.
struct Candidates<'a> {
    start: &'a StartCapacityTask,
    before: &'a HashSet<String>,
    asked_at: SystemTime,
    /// Tasks that an identical sibling started are its own, not ours.
    journal: &'a Journal,
}

/// How far the API's clock may be behind ours.
const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// A task our attempt started, if one is visible: in any status, since it may have
/// finished (or failed) already.
async fn matching_new_task(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    mine: &Candidates<'_>,
) -> Option<CapacityTask> {
    let start = mine.start;
    let listed = client
        .list_capacity_tasks(Some(&start.outpost_identifier), &[])
        .await
        .ok()?;
    let new = listed.into_iter().filter(|t| {
        !mine.before.contains(&t.id)
            && t.creation_date.is_none_or(|c| c >= mine.asked_at)
            && mine.journal.may_hold(&t.id)
    });
    for summary in new {
        // Right after a start GetCapacityTask may not see the task yet.
        for attempt in 0..4u32 {
            match client
                .get_capacity_task(&start.outpost_identifier, &summary.id)
                .await
            {
                Ok(task) if start.key().is_met_by(&task) => {
                    if mine.journal.hold(&start.key().to_string(), &task.id) {
                        return Some(task);
                    }
                    break;
                }
                Err(OutpostsError::NotFound(_)) if attempt < 3 && !ctx.stop().is_cancelled() => {
                    tokio::select! {
                        biased;
                        _ = ctx.stop().cancelled() => {}
                        _ = tokio::time::sleep(Duration::from_secs(1 << attempt)) => {}
                    }
                }
                _ => break,
            }
        }
    }
    None
}

/// Explains a StartCapacityTask failure. `may_have_started`: an attempt's answer was
/// lost and no task of ours was found.
async fn start_failure(
    client: &OutpostsClient,
    start: &StartCapacityTask,
    error: OutpostsError,
    may_have_started: bool,
) -> Diagnostic {
    let outpost = &start.outpost_identifier;
    let searched = may_have_started.then_some(FIND_OWN_TASK_PATIENCE);
    match error {
        OutpostsError::Conflict { message, .. } => {
            // Best effort: the conflict is reported even when the list fails.
            let active = tokio::time::timeout(
                Duration::from_secs(15),
                client.list_active_capacity_tasks(outpost),
            )
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
            let path = AttributePath::attr(if start.order_id.is_some() {
                "order_id"
            } else {
                "outpost_identifier"
            });
            messages::conflict(&message, &active, may_have_started, path)
        }
        OutpostsError::Interrupted => match searched {
            None => messages::interrupted_before_start(),
            Some(searched) => messages::interrupted_between_attempts(outpost, searched),
        },
        OutpostsError::NotFound(message) => messages::missing(
            missing_argument_path(client, start, &message).await,
            &message,
        ),
        OutpostsError::Validation(message) => messages::refused(pool_path_in(&message), &message),
        other => messages::could_not_start(&other, outpost, searched),
    }
}
