//! A conformance suite for protocol 6.9–6.11: the provider binary and tfplugin's `notes`
//! example driven over real gRPC with mutual TLS, in the call sequences Terraform's CLI
//! uses for import by identity, `terraform query`, actions, stored planned private data
//! and identity upgrades. Terraform 1.11 speaks none of these, so a generated client
//! plays Terraform's part: [`driver`] for any provider (with [`values`] for its types
//! and values), [`scenarios`] for the sequences, and one file per provider for what only
//! that provider knows.

mod driver;
mod notes;
mod outposts;
mod scenarios;
mod values;
