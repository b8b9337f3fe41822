//! What the workspace's test harnesses share, written once: the `terraform` CLI they
//! drive, the executables of the workspace's other packages, scratch directories, signals
//! to the processes a test starts, a child environment free of the caller's Terraform
//! and AWS settings, and provider executables launched and spoken to over gRPC with
//! mutual TLS as Terraform does it ([`plugin`]).
//!
//! Used by the provider's end-to-end tests (`tests/e2e`), tfplugin's example-provider
//! test and xtask's tests, and only ever as a dev-dependency. It names no provider, so
//! tfplugin's tests may use it without learning of Outposts.
//!
//! What a test needs and cannot find is a panic that says what is missing and how to
//! provide it: a test that cannot run fails, it never skips.

mod env;
mod executables;
pub mod plugin;
mod scratch;
mod signal;
mod terraform;

pub use env::{CALLER_SETTINGS, isolate_env, remove_env_starting_with};
pub use executables::{workspace_binary, workspace_example, workspace_root};
pub use scratch::scratch_dir;
pub use signal::send_signal;
pub use tempfile::TempDir;
pub use terraform::terraform_binary;
