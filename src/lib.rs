//! A Terraform provider for AWS Outposts capacity tasks.
//!
//! Layout:
//! - [`provider`]: the `outposts` provider: its configuration block, and the AWS SDK
//!   configuration and credentials (STS for `assume_role`) resolved from it.
//! - [`outposts`]: the Outposts client layer, which makes every Outposts API call.
//!   These two are the only code that uses the AWS crates (tests/tidy checks it).
//! - [`resources`], [`data_sources`], [`list_resources`], [`actions`] and [`functions`]:
//!   what the provider serves; `layout` holds what the capacity task resource and the
//!   capacity check data source share (the layout's schema, validation and request, the
//!   capacity check).
//!
//! The Terraform plugin protocol is the `tfplugin` crate (crates/tfplugin); the Outposts
//! simulator is its own crate, which this one never links. The binary lives in
//! `src/bin/`; see ARCHITECTURE.md for the crate map and the invariants.

pub mod actions;
mod checks;
pub mod data_sources;
pub mod functions;
#[cfg(test)]
mod fuzz;
mod layout;
pub mod list_resources;
pub mod outposts;
pub mod provider;
pub mod resources;
#[cfg(test)]
mod test_logs;
