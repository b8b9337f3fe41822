//! `cargo xtask bench`: the performance figures of docs/PERFORMANCE.md, side by side
//! with Terraform's built-in `terraform_data` and with the incumbent, hashicorp/aws.
//!
//! Wall times are medians of runs made in turn (ours, the baseline, ours, …) and the
//! ratios are taken pair by pair, so they hold when a shared machine drifts. Targets
//! are checked against those figures; `--quick` checks only what does not depend on
//! a noisy wall clock of seconds: start-up (milliseconds, median of many) and size.

pub mod scenarios;
pub mod sim;
pub mod startup;
pub mod stats;
mod task;
pub mod workspace;

pub use task::run;

use anyhow::Context;
use scenarios::{ApplyCase, Bench, PlanCase};
use serde_json::Value;
use stats::show;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;
use workspace::Tools;

/// What one full run measured.
pub struct Report {
    pub startup: startup::Startup,
    pub incumbent_startup: Option<startup::Startup>,
    pub plans: Vec<PlanCase>,
    pub apply: Option<ApplyCase>,
    /// The polling benchmark's lines (benches/polling.rs).
    pub polling: Vec<Value>,
    pub binary_bytes: u64,
    pub machine: String,
    pub date: String,
    pub commit: String,
}

/// A target and whether it was met.
pub struct Check {
    pub what: String,
    pub measured: String,
    pub met: bool,
}

/// The quick guard's bounds: looser than the targets, so that only a regression
/// fails CI, not the noise of a shared machine.
pub const GUARD_STARTUP: Duration = Duration::from_millis(10);
pub const GUARD_BINARY_BYTES: u64 = 20 * 1_000_000;

pub const TARGET_STARTUP: Duration = Duration::from_millis(5);
pub const TARGET_BINARY_BYTES: u64 = 15 * 1_000_000;
pub const TARGET_RSS_KB: u64 = 30 * 1000;

/// Start-up runs: at least 20 for the median.
pub const STARTUP_RUNS: usize = 25;

/// Measures start-up of ours (and of the incumbent, when given), in turn.
pub fn measure_startup(
    provider: &Path,
    incumbent: Option<&Path>,
    runs: usize,
) -> anyhow::Result<(startup::Startup, Option<startup::Startup>)> {
    let mut providers = vec![(provider, 6)];
    providers.extend(incumbent.map(|binary| (binary, 5)));
    let mut measured = startup::measure(&providers, runs)
        .context("measuring start-up")?
        .into_iter();
    let ours = measured.next().context("no start-up figures")?;
    Ok((ours, measured.next()))
}

/// Runs every Terraform scenario.
pub fn measure_terraform(
    tools: &Tools,
    runs: usize,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<(Vec<PlanCase>, ApplyCase)> {
    let scratch = tempfile::tempdir()?;
    let mirror = workspace::provider_mirror(&tools.provider, scratch.path())?;
    let seed = scratch.path().join("seed.json");
    std::fs::write(
        &seed,
        serde_json::to_vec(&sim::seed_with_racks(&tools.simulator, 2200)?)?,
    )?;
    let bench = Bench {
        tools,
        mirror: &mirror,
        scratch: scratch.path(),
        runs,
    };
    // Tasks that finish as soon as they start, for the plans.
    let fast = sim::Simulator::start(
        &tools.simulator,
        &seed,
        &["--requested-duration", "0", "--in-progress-duration", "0"],
    )?;
    let mut plans = Vec::new();
    for n in [1, 50, 200] {
        progress(&format!("plan of {n} new"));
        plans.push(bench.plan_new(&fast, n, false)?);
    }
    progress("plan of 200 new with the plan-time capacity check");
    plans.push(bench.plan_new(&fast, 200, true)?);
    for (n, first) in [(200, 1000), (1000, 1200)] {
        progress(&format!("plan of {n} existing"));
        plans.push(bench.plan_existing(&fast, n, first)?);
    }
    drop(fast);
    // Every task 5 s requested and 25 s in progress: the shortest real tasks take
    // minutes, and 30 s keeps the benchmark short while Terraform's own seconds of
    // plan and start-up stay visible.
    progress("apply of 100 tasks");
    let timed = sim::Simulator::start(
        &tools.simulator,
        &seed,
        &[
            "--requested-duration",
            "5s",
            "--in-progress-duration",
            "25s",
        ],
    )?;
    let apply = bench.wide_apply(&timed, 100)?;
    Ok((plans, apply))
}

/// Machine, toolchain and Terraform, for the report.
pub fn machine(terraform: &Path) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb as f64 / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let first_line = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("{program}: not found"))
    };
    format!(
        "{cores} cores ({model}), {memory_gib:.0} GiB; Linux {}; {}; {}",
        first_line("uname", &["-r"]),
        first_line("rustc", &["--version"]),
        first_line(&terraform.display().to_string(), &["version"]),
    )
}

impl Report {
    /// Every target of the performance issue, against this run's figures.
    pub fn checks(&self) -> Vec<Check> {
        let mut checks = vec![Check {
            what: "start-up to handshake, median ≤ 5 ms".into(),
            measured: show(self.startup.times.median()),
            met: self.startup.times.median() <= TARGET_STARTUP,
        }];
        for plan in &self.plans {
            if plan.resources == 200 && !plan.existing && !plan.dry_run_on_plan {
                checks.push(Check {
                    what: "plan of 200 new ≤ 2.5× terraform_data".into(),
                    measured: format!("{:.2}×", plan.ours_vs_data),
                    met: plan.ours_vs_data <= 2.5,
                });
                if let Some((_, ratio)) = plan.incumbent {
                    checks.push(Check {
                        what: "plan of 200 new ≤ 0.15× hashicorp/aws".into(),
                        measured: format!("{ratio:.3}×"),
                        met: ratio <= 0.15,
                    });
                }
            }
            if plan.resources == 1000 && plan.existing {
                checks.push(Check {
                    what: "refresh of 1,000 ≤ 3× terraform_data".into(),
                    measured: format!("{:.2}×", plan.ours_vs_data),
                    met: plan.ours_vs_data <= 3.0,
                });
            }
            if plan.existing {
                let dry = plan.calls.get("StartCapacityTask").copied().unwrap_or(0);
                let reads = plan.calls.get("GetCapacityTask").copied().unwrap_or(0);
                checks.push(Check {
                    what: format!(
                        "no-op plan of {}: no DryRun call, one read per task",
                        plan.resources
                    ),
                    measured: format!("{dry} DryRun, {reads} reads"),
                    met: dry == 0 && reads == plan.resources as u64,
                });
            }
        }
        if let Some(apply) = &self.apply {
            let ratio = apply.wall.as_secs_f64() / apply.slowest_task.as_secs_f64();
            checks.push(Check {
                what: "apply of 100 ≤ 1.2× the slowest task".into(),
                measured: format!("{ratio:.2}×"),
                met: ratio <= 1.2,
            });
        }
        for line in &self.polling {
            let task_s = line["task_s"].as_u64().unwrap_or(0);
            let calls = line["get_calls"].as_u64().unwrap_or(u64::MAX);
            let lag = line["lag_ms"].as_u64().unwrap_or(u64::MAX);
            let allowed = line["allowed_lag_ms"].as_u64().unwrap_or(0);
            checks.push(Check {
                what: format!(
                    "{} task: completion seen within max(2 s, 10 %)",
                    task_length(task_s)
                ),
                measured: format!("{:.1} s late", lag as f64 / 1000.0),
                met: lag <= allowed,
            });
            if task_s == 3600 {
                checks.push(Check {
                    what: "60 min task: ≤ 120 GetCapacityTask calls".into(),
                    measured: calls.to_string(),
                    met: calls <= 120,
                });
            }
        }
        // Every case must have its figure: a case whose provider logged none fails.
        let peaks = self.peak_rss_by_case();
        let rss = peaks.iter().copied().max().unwrap_or(0);
        let missing = peaks.iter().filter(|&&kb| kb == 0).count();
        checks.push(Check {
            what: "provider peak RSS ≤ 30 MB in every case".into(),
            measured: match missing {
                0 => format!("{:.1} MB at most", rss as f64 / 1000.0),
                n => format!("{n} case(s) without a figure"),
            },
            met: rss <= TARGET_RSS_KB && missing == 0,
        });
        checks.push(Check {
            what: "release binary ≤ 15 MB".into(),
            measured: megabytes(self.binary_bytes),
            met: self.binary_bytes <= TARGET_BINARY_BYTES,
        });
        checks
    }

    fn peak_rss_by_case(&self) -> Vec<u64> {
        self.plans
            .iter()
            .map(|p| p.peak_rss_kb)
            .chain(self.apply.as_ref().map(|a| a.peak_rss_kb))
            .chain([self.startup.peak_rss_kb])
            .collect()
    }

    /// The results as Markdown tables.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Measured {} on {} at commit {}.\n",
            self.date, self.machine, self.commit
        );
        let _ = writeln!(out, "#### Start-up to the handshake line\n");
        let _ = writeln!(
            out,
            "| provider | median | min | max | runs | peak RSS at handshake |\n|---|---|---|---|---|---|"
        );
        let row = |out: &mut String, name: &str, s: &startup::Startup| {
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} |",
                show(s.times.median()),
                show(s.times.min()),
                show(s.times.max()),
                s.times.len(),
                kb(s.peak_rss_kb)
            );
        };
        row(&mut out, "outposts (this)", &self.startup);
        if let Some(theirs) = &self.incumbent_startup {
            row(&mut out, "hashicorp/aws 5.100.0", theirs);
            let ratio = stats::paired_ratio(self.startup.times.in_order(), theirs.times.in_order());
            let _ = writeln!(
                out,
                "\nStarted in turn; ours / incumbent, the median of the ratios pair by pair: \
                 {ratio:.3}×."
            );
        }
        let _ = writeln!(out, "\n#### `terraform plan`\n");
        let _ = writeln!(
            out,
            "| plan | ours | `terraform_data` | ours / data | hashicorp/aws | ours / aws | API calls (one plan) | provider peak RSS |\n|---|---|---|---|---|---|---|---|"
        );
        for plan in &self.plans {
            let (aws, aws_ratio) = match &plan.incumbent {
                Some((side, ratio)) => (show(side.times.median()), format!("{ratio:.3}×")),
                None => ("—".into(), "—".into()),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2}× | {aws} | {aws_ratio} | {} | {} |",
                plan.label,
                show(plan.ours.times.median()),
                show(plan.data.times.median()),
                plan.ours_vs_data,
                calls(&plan.calls),
                kb(plan.peak_rss_kb)
            );
        }
        if let Some(apply) = &self.apply {
            let _ = writeln!(out, "\n#### `terraform apply`\n");
            let _ = writeln!(
                out,
                "| apply | wall | slowest task | wall / slowest | one task alone | wall / one alone | API calls | provider peak RSS |\n|---|---|---|---|---|---|---|---|"
            );
            let _ = writeln!(
                out,
                "| {} tasks on {} Outposts, -parallelism={} | {} | {} | {:.2}× | {} | {:.2}× | {} | {} |",
                apply.tasks,
                apply.tasks,
                apply.tasks,
                show(apply.wall),
                show(apply.slowest_task),
                apply.wall.as_secs_f64() / apply.slowest_task.as_secs_f64(),
                show(apply.single_wall),
                apply.wall.as_secs_f64() / apply.single_wall.as_secs_f64(),
                calls(&apply.calls),
                kb(apply.peak_rss_kb)
            );
        }
        if !self.polling.is_empty() {
            let _ = writeln!(out, "\n#### Waiting for a task (simulated time)\n");
            let _ = writeln!(
                out,
                "| task | GetCapacityTask calls (most of 3 phases) | completion seen after (the phase closest to its allowance) | allowed for that run: max(2 s, 10 %) |\n|---|---|---|---|"
            );
            for line in &self.polling {
                let ms = |k: &str| line[k].as_u64().unwrap_or(0) as f64 / 1000.0;
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.1} s | {:.0} s |",
                    task_length(line["task_s"].as_u64().unwrap_or(0)),
                    line["get_calls"],
                    ms("lag_ms"),
                    ms("allowed_lag_ms"),
                );
            }
        }
        let _ = writeln!(
            out,
            "\nRelease binary: {} ({} bytes).\n",
            megabytes(self.binary_bytes),
            self.binary_bytes
        );
        let _ = writeln!(
            out,
            "#### Targets\n\n| target | measured | met |\n|---|---|---|"
        );
        for check in self.checks() {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                check.what,
                check.measured,
                if check.met { "yes" } else { "**no**" }
            );
        }
        out
    }
}

fn task_length(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        // An hour reads as "60 min", the way tasks are usually spoken of.
        s if s <= 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

fn kb(kb: u64) -> String {
    if kb == 0 {
        "—".into()
    } else {
        format!("{:.1} MB", kb as f64 / 1000.0)
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

fn calls(calls: &std::collections::BTreeMap<String, u64>) -> String {
    if calls.is_empty() {
        return "none".into();
    }
    calls
        .iter()
        .map(|(op, n)| format!("{op} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The markers between which `cargo xtask bench` writes its results in
/// docs/PERFORMANCE.md; the prose around them is written by hand.
pub const BEGIN: &str = "<!-- results: written by `cargo xtask bench`; do not edit by hand -->";
pub const END: &str = "<!-- end of results -->";

/// `doc` with the results between the markers replaced by `results`.
pub fn splice(doc: &str, results: &str) -> anyhow::Result<String> {
    let start = doc
        .find(BEGIN)
        .context("docs/PERFORMANCE.md has lost its results marker")?;
    let end = doc[start..]
        .find(END)
        .map(|i| start + i)
        .context("docs/PERFORMANCE.md has lost its end-of-results marker")?;
    Ok(format!(
        "{}{BEGIN}\n{results}{}",
        &doc[..start],
        &doc[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_replace_only_what_is_between_the_markers() {
        let doc = format!("# Title\n\nMethod.\n\n{BEGIN}\nold\n{END}\n\nProfile.\n");
        let new = splice(&doc, "new\n").expect("splices");
        assert_eq!(
            new,
            format!("# Title\n\nMethod.\n\n{BEGIN}\nnew\n{END}\n\nProfile.\n")
        );
        assert!(splice("no markers", "x").is_err());
    }

    #[test]
    fn task_lengths_read_naturally() {
        assert_eq!(task_length(10), "10 s");
        assert_eq!(task_length(600), "10 min");
        assert_eq!(task_length(3600), "60 min");
        assert_eq!(task_length(43200), "12 h");
    }
}
