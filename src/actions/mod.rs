//! The provider's actions (Terraform 1.14 and later): operations a user invokes with
//! `terraform apply -invoke=action.<type>.<name>`, which change the world without being
//! an object in state.

mod cancel_capacity_task;

use crate::outposts::OutpostsClient;
use tfplugin::action::Action;

pub use cancel_capacity_task::CancelCapacityTaskAction;

/// Every action the provider serves.
pub fn all() -> Vec<Box<dyn Action<OutpostsClient>>> {
    vec![Box::new(CancelCapacityTaskAction)]
}
