//! The Terraform plugin protocol v6: the only module that knows gRPC, msgpack and
//! go-plugin. Everything outside it sees [`resource::Provider`], [`resource::Resource`],
//! [`value::Value`], [`schema::Schema`] and [`diag::Diagnostic`].

pub mod diag;
pub mod duration;
pub mod logging;
pub mod path;
pub mod plugin;
pub mod resource;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;

/// Code generated from `proto/` by `build.rs`.
pub mod proto {
    #![allow(clippy::all, missing_docs)]
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
