//! The ten Outposts operations the simulator serves: named by counters, faults and
//! the control endpoint alike, so they live apart from the HTTP layer.

use serde::{Deserialize, Serialize};

/// The operations the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Operation {
    StartCapacityTask,
    GetCapacityTask,
    CancelCapacityTask,
    ListCapacityTasks,
    ListBlockingInstancesForCapacityTask,
    GetOutpostSupportedInstanceTypes,
    GetOutpostInstanceTypes,
    GetOutpost,
    ListOutposts,
    ListAssets,
}

impl Operation {
    pub const ALL: [Operation; 10] = [
        Operation::StartCapacityTask,
        Operation::GetCapacityTask,
        Operation::CancelCapacityTask,
        Operation::ListCapacityTasks,
        Operation::ListBlockingInstancesForCapacityTask,
        Operation::GetOutpostSupportedInstanceTypes,
        Operation::GetOutpostInstanceTypes,
        Operation::GetOutpost,
        Operation::ListOutposts,
        Operation::ListAssets,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::StartCapacityTask => "StartCapacityTask",
            Operation::GetCapacityTask => "GetCapacityTask",
            Operation::CancelCapacityTask => "CancelCapacityTask",
            Operation::ListCapacityTasks => "ListCapacityTasks",
            Operation::ListBlockingInstancesForCapacityTask => {
                "ListBlockingInstancesForCapacityTask"
            }
            Operation::GetOutpostSupportedInstanceTypes => "GetOutpostSupportedInstanceTypes",
            Operation::GetOutpostInstanceTypes => "GetOutpostInstanceTypes",
            Operation::GetOutpost => "GetOutpost",
            Operation::ListOutposts => "ListOutposts",
            Operation::ListAssets => "ListAssets",
        }
    }

    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.as_str() == name)
    }
}
