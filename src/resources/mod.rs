//! The provider's resources.

pub mod capacity_task;
