//! Reading capacity tasks: get, list and cancel, and whether an Outpost exists.

use super::types::{
    BlockingInstance, CapacityTask, CapacityTaskStatus, CapacityTaskSummary, task_fields,
};
use crate::outposts::OutpostsClient;
use crate::outposts::error::OutpostsError;
use aws_sdk_outposts::types as sdk;

impl OutpostsClient {
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
        let active = [
            CapacityTaskStatus::Requested,
            CapacityTaskStatus::InProgress,
            CapacityTaskStatus::WaitingForEvacuation,
            CapacityTaskStatus::CancellationInProgress,
        ];
        self.list_capacity_tasks(Some(outpost_identifier), &active)
            .await
    }

    /// The tasks of one outpost (or of all the account's outposts) whose status is one
    /// of `statuses` (any status when empty), all pages, in the order AWS lists them.
    pub async fn list_capacity_tasks(
        &self,
        outpost_identifier: Option<&str>,
        statuses: &[CapacityTaskStatus],
    ) -> Result<Vec<CapacityTaskSummary>, OutpostsError> {
        let filter: Vec<sdk::CapacityTaskStatus> = statuses
            .iter()
            .map(|s| sdk::CapacityTaskStatus::from(s.as_str()))
            .collect();
        let tasks = self
            .sdk()
            .list_capacity_tasks()
            .set_outpost_identifier_filter(outpost_identifier.map(str::to_string))
            .set_capacity_task_status_filter((!filter.is_empty()).then_some(filter))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.error_from_sdk(e))?;
        Ok(tasks
            .iter()
            .map(|t| CapacityTaskSummary {
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
            })
            .collect())
    }

    /// The running instances that block a task, all pages.
    pub async fn list_blocking_instances(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<Vec<BlockingInstance>, OutpostsError> {
        let instances = self
            .sdk()
            .list_blocking_instances_for_capacity_task()
            .outpost_identifier(outpost_identifier)
            .capacity_task_id(task_id)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.error_from_sdk(e))?;
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
