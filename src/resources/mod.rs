//! The provider's resources and data sources.

pub mod capacity_task;
pub mod region;
