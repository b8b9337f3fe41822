//! Reading capacity tasks: get, list and cancel, whether an Outpost exists, and the
//! search for the task that an attempt of ours whose answer was lost may have started.

use super::types::{
    BlockingInstance, CapacityTask, CapacityTaskStatus, CapacityTaskSummary, StartCapacityTask,
    task_fields,
};
use crate::outposts::OutpostsClient;
use crate::outposts::error::OutpostsError;
use aws_sdk_outposts::types as sdk;
use std::collections::HashSet;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// How far the API's clock may be behind ours.
const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// What tells the task that an attempt of ours may have started: it asks for what
/// `request` asks for ([`super::RequestKey::is_met_by`]), was not active before our
/// first attempt, was created since we asked, and no one else holds it.
#[derive(Debug, Clone)]
pub struct OwnTaskSearch<'a> {
    pub request: &'a StartCapacityTask,
    /// The Outpost's active tasks before our first attempt: none of them is ours.
    pub before: HashSet<String>,
    /// Tasks created before this are not ours; a little before we asked, as clocks
    /// differ a little.
    pub asked_at: SystemTime,
    /// Tasks held by others (an identical sibling, another provider process): not ours.
    pub taken: HashSet<String>,
}

impl<'a> OwnTaskSearch<'a> {
    /// The search for a task of ours that `request`, asked for from now on, started.
    pub fn new(
        request: &'a StartCapacityTask,
        before: HashSet<String>,
        taken: HashSet<String>,
    ) -> Self {
        OwnTaskSearch {
            request,
            before,
            asked_at: SystemTime::now()
                .checked_sub(CLOCK_SKEW)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            taken,
        }
    }
}

impl OutpostsClient {
    /// Looks for the task that an attempt of ours may have started ([`OwnTaskSearch`]),
    /// in any status: it may have finished (or failed) already. ListCapacityTasks may
    /// lag, so it looks again for up to `patience`; once `stop` is cancelled, it looks
    /// once more only.
    pub async fn find_own_capacity_task(
        &self,
        search: &OwnTaskSearch<'_>,
        patience: Duration,
        stop: &CancellationToken,
    ) -> Option<CapacityTask> {
        let began = tokio::time::Instant::now();
        let mut pause = Duration::from_secs(1);
        loop {
            if let Some(task) = self.new_task_of(search, stop).await {
                return Some(task);
            }
            if stop.is_cancelled() || began.elapsed() + pause > patience {
                return None;
            }
            tracing::debug!(
                pause_s = pause.as_secs(),
                "no new task visible yet; listing again"
            );
            tokio::select! {
                biased;
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(Duration::from_secs(16));
        }
    }

    /// The first task in the Outpost's list now that [`OwnTaskSearch`] tells is ours.
    async fn new_task_of(
        &self,
        search: &OwnTaskSearch<'_>,
        stop: &CancellationToken,
    ) -> Option<CapacityTask> {
        let request = search.request;
        let wanted = request.key();
        let listed = self
            .list_capacity_tasks(Some(&request.outpost_identifier), &[])
            .await
            .ok()?;
        let new = listed.into_iter().filter(|t| {
            !search.before.contains(&t.id)
                && t.creation_date.is_none_or(|c| c >= search.asked_at)
                && !search.taken.contains(&t.id)
        });
        for summary in new {
            // Right after a start GetCapacityTask may not see the task yet.
            for attempt in 0..4u32 {
                match self
                    .get_capacity_task(&request.outpost_identifier, &summary.id)
                    .await
                {
                    Ok(task) if wanted.is_met_by(&task) => return Some(task),
                    Err(OutpostsError::NotFound(_)) if attempt < 3 && !stop.is_cancelled() => {
                        tokio::select! {
                            biased;
                            _ = stop.cancelled() => {}
                            _ = tokio::time::sleep(Duration::from_secs(1 << attempt)) => {}
                        }
                    }
                    _ => break,
                }
            }
        }
        None
    }

    /// Whether the Outpost exists (GetOutpost), to tell which identifier a NotFound
    /// answer was about.
    pub async fn outpost_exists(&self, outpost_identifier: &str) -> Result<bool, OutpostsError> {
        match self
            .sdk()
            .get_outpost()
            .outpost_id(outpost_identifier)
            .send()
            .await
            .map_err(|e| self.error_from_sdk(e))
        {
            Ok(_) => Ok(true),
            Err(OutpostsError::NotFound(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Reads one capacity task.
    pub async fn get_capacity_task(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<CapacityTask, OutpostsError> {
        self.sdk()
            .get_capacity_task()
            .outpost_identifier(outpost_identifier)
            .capacity_task_id(task_id)
            .send()
            .await
            .map(|output| task_fields!(output).into_task())
            .map_err(|e| self.error_from_sdk(e))
    }

    /// Asks AWS to cancel a task that has not started changing the hardware.
    pub async fn cancel_capacity_task(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<(), OutpostsError> {
        self.sdk()
            .cancel_capacity_task()
            .outpost_identifier(outpost_identifier)
            .capacity_task_id(task_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.error_from_sdk(e))
    }

    /// The tasks of an outpost that are not finished, all pages.
    pub async fn list_active_capacity_tasks(
        &self,
        outpost_identifier: &str,
    ) -> Result<Vec<CapacityTaskSummary>, OutpostsError> {
        self.list_capacity_tasks(Some(outpost_identifier), &CapacityTaskStatus::active())
            .await
    }

    /// The tasks of one outpost (or of all the account's outposts) whose status is one
    /// of `statuses` (any status when empty), all pages, in the order AWS lists them.
    pub async fn list_capacity_tasks(
        &self,
        outpost_identifier: Option<&str>,
        statuses: &[CapacityTaskStatus],
    ) -> Result<Vec<CapacityTaskSummary>, OutpostsError> {
        let tasks = self
            .every_item(
                self.sdk()
                    .list_capacity_tasks()
                    .set_outpost_identifier_filter(outpost_identifier.map(str::to_string))
                    .set_capacity_task_status_filter(status_filter(statuses))
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
        Ok(tasks.iter().map(summary).collect())
    }

    /// One page of [`Self::list_capacity_tasks`]: the page after `next_token` (the
    /// first without), and the token of the next page, `None` after the last.
    pub async fn list_capacity_tasks_page(
        &self,
        outpost_identifier: Option<&str>,
        statuses: &[CapacityTaskStatus],
        next_token: Option<String>,
    ) -> Result<(Vec<CapacityTaskSummary>, Option<String>), OutpostsError> {
        let page = self
            .sdk()
            .list_capacity_tasks()
            .set_outpost_identifier_filter(outpost_identifier.map(str::to_string))
            .set_capacity_task_status_filter(status_filter(statuses))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.error_from_sdk(e))?;
        let next = page
            .next_token()
            .filter(|token| !token.is_empty())
            .map(str::to_string);
        Ok((page.capacity_tasks().iter().map(summary).collect(), next))
    }

    /// The running instances that block a task, all pages.
    pub async fn list_blocking_instances(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<Vec<BlockingInstance>, OutpostsError> {
        let instances = self
            .every_item(
                self.sdk()
                    .list_blocking_instances_for_capacity_task()
                    .outpost_identifier(outpost_identifier)
                    .capacity_task_id(task_id)
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
        Ok(instances
            .iter()
            .map(|b| BlockingInstance {
                instance_id: b.instance_id().unwrap_or_default().to_string(),
                account_id: b.account_id().map(str::to_string),
                service: b.aws_service_name().map(|s| s.as_str().to_string()),
            })
            .collect())
    }
}

/// ListCapacityTasks' status filter: none for every status.
fn status_filter(statuses: &[CapacityTaskStatus]) -> Option<Vec<sdk::CapacityTaskStatus>> {
    (!statuses.is_empty()).then(|| {
        statuses
            .iter()
            .map(|s| sdk::CapacityTaskStatus::from(s.as_str()))
            .collect()
    })
}

/// One line of ListCapacityTasks in our shape; what AWS leaves out is empty.
fn summary(t: &sdk::CapacityTaskSummary) -> CapacityTaskSummary {
    CapacityTaskSummary {
        id: t.capacity_task_id().unwrap_or_default().to_string(),
        outpost_id: t.outpost_id().unwrap_or_default().to_string(),
        order_id: t.order_id().map(str::to_string),
        asset_id: t.asset_id().map(str::to_string),
        status: t
            .capacity_task_status()
            .map(|s| CapacityTaskStatus::parse(s.as_str()))
            .unwrap_or(CapacityTaskStatus::Other(String::new())),
        creation_date: t.creation_date().and_then(crate::outposts::time::from_aws),
        completion_date: t
            .completion_date()
            .and_then(crate::outposts::time::from_aws),
        last_modified_date: t
            .last_modified_date()
            .and_then(crate::outposts::time::from_aws),
    }
}
