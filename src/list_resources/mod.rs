//! The provider's list resources (Terraform 1.14+, `terraform query`): each finds the
//! existing objects of the managed resource of the same name, as that resource's state.

pub mod capacity_task;

use crate::outposts::OutpostsClient;
use tfplugin::list::{ErasedListResource, erase_list};

/// Every list resource the provider serves.
pub fn all() -> Vec<Box<dyn ErasedListResource<OutpostsClient>>> {
    vec![erase_list(capacity_task::CapacityTaskList)]
}
