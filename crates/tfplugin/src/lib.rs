//! A small framework for writing Terraform providers in Rust.
//!
//! It speaks the Terraform plugin protocol v6 over gRPC (tonic + prost, the `.proto`
//! files compiled without `protoc`), starts the way go-plugin expects (magic cookie,
//! AutoMTLS with Terraform's P-521 client certificate, the handshake line), and hands a
//! provider typed, wire-free pieces:
//!
//! - [`provider::Provider`]: the provider block, `configure` producing a client, and
//!   the resources, data sources and functions served. Every operation gets a
//!   [`provider::Context`] with the client and a stop signal that StopProvider
//!   (Ctrl-C in Terraform) cancels without tearing the server down.
//! - [`resource::Resource`], [`data_source::DataSource`], [`function::Function`]: the
//!   traits to implement; state and config are plain serde structs.
//! - [`value::Value`]: the three-state value (known, null, unknown) with the cty
//!   msgpack and JSON codecs; [`schema::Schema`], declared once, drives decoding,
//!   validation (null required and configured read-only attributes are refused for
//!   every resource) and docs; [`diag::Diagnostic`] carries an [`path::AttributePath`]
//!   so Terraform underlines the right line.
//! - [`plugin::serve`]: runs the provider until Terraform shuts it down; `-debug` mode
//!   prints a `TF_REATTACH_PROVIDERS` line instead.
//! - [`logging`]: hclog-style JSON lines on stderr at the level `TF_LOG_PROVIDER` asks.
//!
//! Only this crate knows gRPC, msgpack and go-plugin. `examples/notes.rs` is a complete
//! provider; its README shows how to run it under Terraform.

#![deny(missing_docs)]

pub mod data_source;
pub mod diag;
pub mod duration;
pub mod function;
pub mod logging;
pub mod path;
pub mod plugin;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;

/// Code generated from the repository's `proto/` by `build.rs`: the wire types of the
/// Terraform plugin protocol (`tfplugin6`) and of go-plugin's side services (`plugin`).
pub mod proto {
    #![allow(clippy::all, missing_docs)]
    /// The `tfplugin6` package: the Provider service and its messages.
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    /// The `plugin` package: GRPCController and GRPCStdio.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
