//! The provider's resources and data sources.

pub mod region;
