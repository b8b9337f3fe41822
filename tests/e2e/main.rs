//! End-to-end tests: the real `terraform` CLI and the real provider binary.
//! One test binary (as ripgrep does) so the provider is built once and shared.

mod docs;
mod harness;
mod plugin;
mod provider_config;
