//! The `cargo xtask bench` task: builds what it measures, runs the measurements of
//! this module in turn and writes the table to docs/PERFORMANCE.md.

use super::{
    GUARD_BINARY_BYTES, GUARD_STARTUP, Report, STARTUP_RUNS, machine, measure_startup,
    measure_terraform, splice, stats, workspace,
};
use crate::{release, repo};
use anyhow::{Context, bail};
use std::process::Command;

/// `cargo xtask bench [--quick] [--runs N]`: builds the release and measures it;
/// `quick` is the CI guard (start-up and size only, nothing written), `runs` the runs
/// per plan.
pub fn run(quick: bool, runs: usize) -> anyhow::Result<()> {
    let root = repo::root();
    let target_dir = repo::target_dir();
    let mut build = Command::new(repo::cargo());
    build.args(["build", "--release", "--locked", "--bin", release::NAME]);
    if !quick {
        build.args(["--bin", "outposts-simulator"]);
    }
    let status = build
        .current_dir(&root)
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let provider = target_dir.join("release").join(release::NAME);
    let binary_bytes = std::fs::metadata(&provider)
        .with_context(|| format!("{} was not built", provider.display()))?
        .len();

    if quick {
        let (startup, _) = measure_startup(&provider, None, STARTUP_RUNS)?;
        let median = startup.times.median();
        println!(
            "start-up to handshake: median {} over {} runs (min {}, max {}); release binary {} bytes",
            stats::show(median),
            startup.times.len(),
            stats::show(startup.times.min()),
            stats::show(startup.times.max()),
            binary_bytes
        );
        let mut regressions = Vec::new();
        if median > GUARD_STARTUP {
            regressions.push(format!(
                "start-up median {} is over the {} guard",
                stats::show(median),
                stats::show(GUARD_STARTUP)
            ));
        }
        if binary_bytes > GUARD_BINARY_BYTES {
            regressions.push(format!(
                "the release binary ({binary_bytes} bytes) is over the {} byte guard",
                GUARD_BINARY_BYTES
            ));
        }
        if !regressions.is_empty() {
            bail!("performance regression: {}", regressions.join("; "));
        }
        return Ok(());
    }

    let incumbent = workspace::find_incumbent()?;
    let terraform = repo::terraform().context("the benchmarks drive the real Terraform CLI")?;
    // The waiting figures: benches/polling.rs on simulated time.
    println!("==> polling (simulated time)");
    let polled = Command::new(repo::cargo())
        .args([
            "bench",
            "--locked",
            "--profile",
            "dev",
            "--package",
            "terraform-provider-outposts",
            "--bench",
            "polling",
        ])
        .current_dir(&root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo bench --bench polling")?;
    if !polled.status.success() {
        bail!("the polling benchmark failed");
    }
    let polling = String::from_utf8_lossy(&polled.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .collect::<Result<Vec<serde_json::Value>, _>>()
        .context("the polling benchmark's output")?;
    let lengths: Vec<u64> = polling
        .iter()
        .filter_map(|l| l["task_s"].as_u64())
        .collect();
    if lengths != [10, 600, 3600, 43200] {
        bail!(
            "the polling benchmark should report tasks of 10 s, 10 min, 60 min and 12 h; it \
             reported {lengths:?}"
        );
    }

    println!("==> start-up");
    let (startup, incumbent_startup) =
        measure_startup(&provider, Some(&incumbent.binary), STARTUP_RUNS)?;
    let tools = workspace::Tools {
        terraform: terraform.clone(),
        provider: provider.clone(),
        simulator: target_dir.join("release").join("outposts-simulator"),
        incumbent: Some(incumbent),
    };
    let (plans, apply) = measure_terraform(&tools, runs, |step| println!("==> {step}"))?;
    let commit = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .current_dir(&root)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let report = Report {
        startup,
        incumbent_startup,
        plans,
        apply: Some(apply),
        polling,
        binary_bytes,
        machine: machine(&terraform),
        date,
        commit,
    };
    let results = report.markdown();
    println!("\n{results}");
    let doc_path = root.join("docs/PERFORMANCE.md");
    let doc = std::fs::read_to_string(&doc_path)
        .with_context(|| format!("reading {}", doc_path.display()))?;
    std::fs::write(&doc_path, splice(&doc, &results)?)?;
    println!("wrote the results to {}", doc_path.display());
    let missed: Vec<String> = report
        .checks()
        .into_iter()
        .filter(|c| !c.met)
        .map(|c| format!("{} (measured {})", c.what, c.measured))
        .collect();
    if !missed.is_empty() {
        bail!("targets missed: {}", missed.join("; "));
    }
    Ok(())
}
