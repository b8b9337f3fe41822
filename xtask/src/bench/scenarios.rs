//! The Terraform scenarios: plans of new resources, plans that refresh existing ones,
//! and one wide apply — each side by side with `terraform_data` (Terraform's built-in,
//! no plugin: the floor) and, for plans of new resources, with the incumbent planning
//! as many `aws_ssm_parameter`.

use super::sim::{Simulator, order_id, rack_id};
use super::stats::{Samples, paired_ratio};
use super::workspace::{Ran, Tools, Workspace, logged_peak_rss_kb};
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One side of a comparison.
#[derive(Debug, Clone)]
pub struct Side {
    pub times: Samples,
}

/// A plan measured for ours, `terraform_data` and maybe the incumbent.
#[derive(Debug, Clone)]
pub struct PlanCase {
    pub label: String,
    pub resources: usize,
    /// Resources already in state: the plan refreshes them and has nothing to do.
    pub existing: bool,
    /// Our configuration asks for the plan-time capacity check.
    pub dry_run_on_plan: bool,
    pub ours: Side,
    pub data: Side,
    pub ours_vs_data: f64,
    pub incumbent: Option<(Side, f64)>,
    /// API calls of one of our plans, by operation.
    pub calls: BTreeMap<String, u64>,
    pub peak_rss_kb: u64,
}

/// The wide apply.
#[derive(Debug, Clone)]
pub struct ApplyCase {
    pub tasks: usize,
    pub wall: Duration,
    /// The longest task, creation to completion, as the simulator dated it.
    pub slowest_task: Duration,
    /// An apply of that one task alone, for Terraform's fixed cost.
    pub single_wall: Duration,
    pub calls: BTreeMap<String, u64>,
    pub peak_rss_kb: u64,
}

const OUTPOSTS_HEADER: &str = r#"terraform {
  required_providers {
    outposts = { source = "outposts-labs/outposts" }
  }
}

provider "outposts" {
  region = "us-west-2"
}
"#;

const AWS_HEADER: &str = r#"terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-west-2"
  access_key                  = "AKIDBENCHACCESSKEY01"
  secret_key                  = "bench-secret-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"#;

/// `local.racks`: Outpost ID → order ID for racks `range`.
fn racks(range: std::ops::Range<usize>) -> String {
    let entries: String = range
        .map(|i| format!("    \"{}\" = \"{}\"\n", rack_id(i), order_id(i)))
        .collect();
    format!("locals {{\n  racks = {{\n{entries}  }}\n}}\n")
}

/// One capacity task per rack.
fn outposts_config(range: std::ops::Range<usize>, dry_run_on_plan: bool) -> String {
    format!(
        r#"{OUTPOSTS_HEADER}
{}
resource "outposts_capacity_task" "rack" {{
  for_each           = local.racks
  outpost_identifier = each.key
  order_id           = each.value
  dry_run_on_plan    = {dry_run_on_plan}
  instance_pool {{
    instance_type = "c5.4xlarge"
    count         = 4
  }}
  instance_pool {{
    instance_type = "m5.xlarge"
    count         = 8
  }}
}}
"#,
        racks(range)
    )
}

/// The same shape of data in Terraform's built-in resource.
fn terraform_data_config(range: std::ops::Range<usize>) -> String {
    format!(
        r#"{}
resource "terraform_data" "rack" {{
  for_each = local.racks
  input = {{
    outpost_identifier = each.key
    order_id           = each.value
    instance_pools = [
      {{ instance_type = "c5.4xlarge", count = 4 }},
      {{ instance_type = "m5.xlarge", count = 8 }},
    ]
  }}
}}
"#,
        racks(range)
    )
}

/// A simple resource of the incumbent's: an SSM parameter per rack.
fn incumbent_config(range: std::ops::Range<usize>) -> String {
    format!(
        r#"{AWS_HEADER}
{}
resource "aws_ssm_parameter" "rack" {{
  for_each = local.racks
  name     = "/outposts/${{each.key}}"
  type     = "String"
  value    = each.value
}}
"#,
        racks(range)
    )
}

/// The shared context of the scenarios.
pub struct Bench<'a> {
    pub tools: &'a Tools,
    pub mirror: &'a Path,
    pub scratch: &'a Path,
    pub runs: usize,
}

const INIT: &[&str] = &["init", "-input=false", "-no-color"];
const PLAN: &[&str] = &["plan", "-input=false", "-no-color", "-detailed-exitcode"];

impl Bench<'_> {
    fn workspace(&self, sim: &Simulator, config: &str) -> anyhow::Result<Workspace> {
        let ws = Workspace::new(self.tools, self.mirror, &sim.endpoint())?;
        ws.write("main.tf", config)?;
        ws.run(INIT, &[0])?;
        Ok(ws)
    }

    /// Plans of `n` new resources: ours, terraform_data and the incumbent in turn. With
    /// `dry_run_on_plan`, ours asks AWS whether each layout fits (one DryRun call per
    /// task); that has no counterpart in the others, so the incumbent sits it out.
    pub fn plan_new(
        &self,
        sim: &Simulator,
        n: usize,
        dry_run_on_plan: bool,
    ) -> anyhow::Result<PlanCase> {
        let ours = self.workspace(sim, &outposts_config(0..n, dry_run_on_plan))?;
        let data = self.workspace(sim, &terraform_data_config(0..n))?;
        let incumbent = match &self.tools.incumbent {
            Some(_) if !dry_run_on_plan => Some(self.workspace(sim, &incumbent_config(0..n))?),
            _ => None,
        };
        let label = match dry_run_on_plan {
            true => format!("plan, {n} new, `dry_run_on_plan`"),
            false => format!("plan, {n} new"),
        };
        let mut case = self.compare(label, n, sim, &ours, &data, incumbent.as_ref(), 2)?;
        case.dry_run_on_plan = dry_run_on_plan;
        Ok(case)
    }

    /// Plans with `n` existing resources in state: every one refreshed, nothing to do.
    /// Racks from `first` on are used, so that no two scenarios share one.
    pub fn plan_existing(
        &self,
        sim: &Simulator,
        n: usize,
        first: usize,
    ) -> anyhow::Result<PlanCase> {
        let range = first..first + n;
        let ours = self.workspace(sim, &outposts_config(range.clone(), true))?;
        let data = self.workspace(sim, &terraform_data_config(range))?;
        let apply = ["apply", "-input=false", "-no-color", "-auto-approve"];
        ours.run(&[&apply[..], &["-parallelism=100"]].concat(), &[0])?;
        data.run(&apply, &[0])?;
        let mut case = self.compare(
            format!("plan, {n} existing (refresh), `dry_run_on_plan`"),
            n,
            sim,
            &ours,
            &data,
            None,
            0,
        )?;
        // The report checks that the calls were one read per task and no dry run.
        case.existing = true;
        case.dry_run_on_plan = true;
        Ok(case)
    }

    /// Runs the plans in turn, `self.runs` times each, then one more of ours with the
    /// provider's log for its peak RSS and the API calls.
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &self,
        label: String,
        n: usize,
        sim: &Simulator,
        ours: &Workspace,
        data: &Workspace,
        incumbent: Option<&Workspace>,
        exit: i32,
    ) -> anyhow::Result<PlanCase> {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        // One of each first, not counted: caches warm, binaries paged in.
        let mut warm = true;
        for _ in 0..=self.runs {
            let ran_ours = ours.run(PLAN, &[exit])?;
            let ran_data = data.run(PLAN, &[exit])?;
            let ran_incumbent = incumbent.map(|ws| ws.run(PLAN, &[exit])).transpose()?;
            if warm {
                warm = false;
                continue;
            }
            a.push(ran_ours.wall);
            b.push(ran_data.wall);
            if let Some(Ran { wall, .. }) = ran_incumbent {
                c.push(wall);
            }
        }
        sim.reset_counts()?;
        let log = self.scratch.join(format!("plan-{n}-{exit}.log"));
        ours.run_logged(PLAN, &[exit], Some(&log))?;
        let calls = sim.counts()?;
        let peak_rss_kb = logged_peak_rss_kb(&log);
        Ok(PlanCase {
            label,
            resources: n,
            existing: false,
            dry_run_on_plan: false,
            ours_vs_data: paired_ratio(&a, &b),
            incumbent: incumbent.map(|_| {
                (
                    Side {
                        times: Samples::new(c.clone()),
                    },
                    paired_ratio(&a, &c),
                )
            }),
            ours: Side {
                times: Samples::new(a),
            },
            data: Side {
                times: Samples::new(b),
            },
            calls,
            peak_rss_kb,
        })
    }

    /// `n` tasks on `n` Outposts in one apply at -parallelism=`n`, then the slowest
    /// of them alone. `sim` dates the tasks; its timing makes them all as long.
    pub fn wide_apply(&self, sim: &Simulator, n: usize) -> anyhow::Result<ApplyCase> {
        let wide = self.workspace(sim, &outposts_config(0..n, false))?;
        let parallelism = format!("-parallelism={n}");
        let apply = [
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            &parallelism,
        ];
        sim.reset_counts()?;
        let log = self.scratch.join("apply.log");
        let ran = wide.run_logged(&apply, &[0], Some(&log))?;
        let calls = sim.counts()?;
        let tasks = sim.tasks()?;
        if tasks.len() != n {
            bail!(
                "the apply should have started {n} tasks, the simulator holds {}",
                tasks.len()
            );
        }
        let slowest = tasks
            .iter()
            .filter_map(|t| Some(t["completion_date"].as_u64()? - t["creation_date"].as_u64()?))
            .max()
            .context("no task completed")?;
        let single = self.workspace(sim, &outposts_config(n..n + 1, false))?;
        let single_ran = single.run(&apply, &[0])?;
        Ok(ApplyCase {
            tasks: n,
            wall: ran.wall,
            slowest_task: Duration::from_millis(slowest),
            single_wall: single_ran.wall,
            calls,
            peak_rss_kb: logged_peak_rss_kb(&log),
        })
    }
}
