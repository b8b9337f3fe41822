//! Code generated from the repository's `proto/` by `build.rs`: the wire types of the
//! Terraform plugin protocol (`tfplugin6`) and of go-plugin's side services (`plugin`).
//! The gRPC clients are generated only with the `testing` feature.

// Generated code: not ours to lint or document, and without the `testing` feature the
// crate uses only part of it.
#![allow(clippy::all, missing_docs, dead_code)]

/// The `tfplugin6` package: the Provider service and its messages.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// The `plugin` package: GRPCController and GRPCStdio.
pub mod plugin {
    tonic::include_proto!("plugin");
}
