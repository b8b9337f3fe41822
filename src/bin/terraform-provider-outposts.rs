//! The provider binary Terraform launches.

use outposts_provider::provider::{OutpostsProvider, PROVIDER_ADDRESS};
use std::process::ExitCode;
use tfplugin::{logging, plugin};

const USAGE: &str = "\
terraform-provider-outposts: the Terraform provider for AWS Outposts capacity tasks.

Terraform runs this binary itself. Options for running it by hand:
  -debug      serve for a debugger and print TF_REATTACH_PROVIDERS for Terraform
  -version    print the version
  -schemas-json
              print the list resource, action and identity schemas as Terraform 1.14+
              prints them in `terraform providers schema -json` (for docs tooling)
  -help       print this help";

fn main() -> ExitCode {
    let mut debug = false;
    for arg in std::env::args().skip(1) {
        match arg.trim_start_matches('-') {
            "debug" => debug = true,
            "version" => {
                println!("terraform-provider-outposts {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "schemas-json" => {
                let provider = OutpostsProvider::new();
                println!("{}", tfplugin::provider::newer_schemas_json(&provider));
                return ExitCode::SUCCESS;
            }
            "help" | "h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if !debug && let Err(error) = plugin::check_launched_by_terraform() {
        eprintln!("{error}");
        return ExitCode::FAILURE;
    }
    let level = logging::level_from_env().or(debug.then_some(tracing::Level::INFO));
    logging::init(level, &["outposts_provider", "terraform_provider_outposts"]);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let options = plugin::ServeOptions {
        provider_address: PROVIDER_ADDRESS.to_string(),
        debug,
    };
    let served = runtime.block_on(plugin::serve(OutpostsProvider::new(), options));
    if let Some(kb) = peak_rss_kb() {
        tracing::debug!(peak_rss_kb = kb, "provider exiting");
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "provider failed");
            eprintln!("terraform-provider-outposts: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The process's peak resident memory (VmHWM), where the system reports it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
