//! Repository tasks behind `cargo xtask`, as a library so the tests can use them too.

pub mod bench;
pub mod docs;
pub mod mirror;
pub mod registry;
pub mod release;
pub mod repo;
pub mod serve;
pub mod suites;
