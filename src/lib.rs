//! A Terraform provider for AWS Outposts capacity tasks.
//!
//! Layout:
//! - [`tfplugin`]: the Terraform plugin protocol v6 (gRPC, msgpack values, schemas,
//!   diagnostics, go-plugin start-up). The only code that knows the wire.
//! - [`provider`]: the `outposts` provider: its configuration block and the AWS SDK
//!   configuration built from it.
//! - [`outposts`]: the Outposts client layer, the only code that calls the AWS SDK.
//! - [`resources`]: the resources and data sources the provider serves.
//! - [`duration`]: durations in the form Terraform users write them.
//! - [`simulator`]: a local, wire-compatible Outposts API for tests and demos.
//!
//! Binaries live in `src/bin/`; see ARCHITECTURE.md for the invariants.

pub mod duration;
pub mod outposts;
pub mod provider;
pub mod resources;
pub mod simulator;
pub mod tfplugin;
