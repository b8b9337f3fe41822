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
//! conflict, and a second attempt would start a second task. The search is the client
//! layer's ([`OwnTaskSearch`]); what it finds becomes ours once the start journal holds it.

use super::flatten::{start_request, state_from_task};
use super::journal::{self, Journal};
use super::messages::{self, Origin};
use super::schema::CapacityTaskState;
use super::waiting::wait_into_state;
use crate::layout::{missing_argument_path, pool_path_in};
use crate::outposts::error::OutpostsError;
use crate::outposts::task::{
    CapacityTask, CapacityTaskStatus, OwnTaskSearch, StartCapacityTask, StartFailure, Started,
};
use crate::outposts::{OutpostsClient, until_stopped};
use std::collections::HashSet;
use std::time::Duration;
use tfplugin::diag::Diagnostic;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::resource::ApplyResponse;
use tokio_util::sync::CancellationToken;

/// How long to look for the task a lost answer may have started: ListCapacityTasks can
/// lag behind StartCapacityTask.
const FIND_OWN_TASK_PATIENCE: Duration = Duration::from_secs(60);

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
    let request = start.key().to_string();
    let mut search = OwnTaskSearch::new(&start, before, HashSet::new());
    let started = loop {
        search.taken.extend(journal.taken());
        match client.start_capacity_task(&search, stop).await {
            Ok(Started::Adopted { task, .. }) if !journal.hold(&request, &task.id) => {
                // An identical sibling took it meanwhile: not ours. Start again without it,
                // unless Terraform asked to stop.
                search.taken.insert(task.id);
                if stop.is_cancelled() {
                    break Err(StartFailure {
                        error: OutpostsError::Interrupted,
                        may_have_started: true,
                    });
                }
            }
            other => break other,
        }
    };
    let task = match started {
        Ok(Started::New(task)) => {
            tracing::info!(task = %task.id, outpost = %start.outpost_identifier, "capacity task started");
            journal.hold(&request, &task.id);
            task
        }
        Ok(Started::Adopted { task, error }) => {
            tracing::warn!(task = %task.id, %error, "adopting the task our own StartCapacityTask attempt created (its answer was lost)");
            task
        }
        Err(failure) if failure.may_have_started => {
            match find_and_hold(client, journal, &mut search, &request, stop).await {
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

/// The task that an attempt of ours may have started, found by the client layer for up
/// to [`FIND_OWN_TASK_PATIENCE`] and held for this instance; a task that another
/// instance or process holds is passed over.
async fn find_and_hold(
    client: &OutpostsClient,
    journal: &Journal,
    search: &mut OwnTaskSearch<'_>,
    request: &str,
    stop: &CancellationToken,
) -> Option<CapacityTask> {
    let began = tokio::time::Instant::now();
    loop {
        search.taken.extend(journal.taken());
        let patience = FIND_OWN_TASK_PATIENCE.saturating_sub(began.elapsed());
        let task = client
            .find_own_capacity_task(search, patience, stop)
            .await?;
        if journal.hold(request, &task.id) {
            return Some(task);
        }
        search.taken.insert(task.id);
    }
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
