//! End-to-end tests: the real `terraform` CLI and the real provider binary.
//! One test binary (as ripgrep does) so the provider is built once and shared.

mod capacity_task;
mod capacity_task_validation;
mod conformance;
mod conformance_launch;
mod data_sources;
mod dead_endpoint;
mod docs;
mod drift;
mod endpoints;
mod explanations;
mod harness;
mod install;
mod interruption;
mod journal;
mod load;
mod modules;
mod ownership;
mod plugin;
mod postgres;
mod provider_config;
mod quickstart;
mod registry;
mod reliability;
mod security;
mod sim;
mod teams;
mod teams_load;
