//! Capacity tasks: typed views of the API's shapes and the calls that read and change
//! them. Everything that knows `aws-sdk-outposts` types for tasks is here:
//!
//! - `types` — the shapes, and how the SDK's map onto them;
//! - `start` — StartCapacityTask: the capacity check and the attempts that start a task;
//! - `find` — get, list and cancel, and the search for our own task after a lost answer.

mod find;
mod start;
mod types;

pub use find::OwnTaskSearch;
pub use start::{StartFailure, Started};
pub use types::{
    AWS_SERVICES, BlockingInstance, CapacityTask, CapacityTaskFailure, CapacityTaskStatus,
    CapacityTaskSummary, InstancePool, InstancesToExclude, RequestKey, StartCapacityTask,
    TASK_ACTIONS, TASK_STATUSES,
};
