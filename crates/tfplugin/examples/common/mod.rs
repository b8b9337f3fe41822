//! What the examples share: the `main` of a provider's executable.

use std::process::ExitCode;
use tfplugin::provider::Provider;
use tfplugin::{logging, plugin};

/// Serves `provider` as `registry.terraform.io/example/<name>`, where `name` is the one
/// entry of `targets`, the example's crate name, whose logs are the provider's own.
pub fn main<P: Provider>(provider: P, targets: &'static [&'static str; 1]) -> ExitCode {
    let [name] = targets;
    let debug = std::env::args().any(|a| a == "-debug");
    logging::init(logging::level_from_env(), targets);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = plugin::ServeOptions {
        provider_address: format!("registry.terraform.io/example/{name}"),
        debug,
    };
    match runtime.block_on(plugin::serve(provider, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
