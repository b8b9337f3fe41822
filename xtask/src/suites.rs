//! `cargo xtask reliability` and `cargo xtask fuzz`: the long suites of
//! docs/RELIABILITY.md at full size, and the fuzz tests run again and again.

use crate::repo;
use anyhow::{Context, bail};
use std::process::Command;

/// The size of the teams-under-a-rate-limit suite (tests/e2e/teams_load.rs).
pub struct TeamsLoad {
    pub teams: u64,
    pub outposts_per_team: u64,
}

/// The reliability suites at full size, printing their figures, then fuzzing.
pub fn reliability(
    tasks_per_scenario: u64,
    interruption_runs: u64,
    fuzz_minutes: u64,
    teams_load: TeamsLoad,
) -> anyhow::Result<()> {
    let filter = "test(/^(reliability|interruption|load|teams_load|security|capacity_task_validation)::/) \
                  | test(/^data_sources::bad_arguments/)";
    let status = Command::new(repo::cargo())
        .args([
            "nextest",
            "run",
            "--test",
            "e2e",
            "--no-fail-fast",
            "--no-capture",
            "-E",
            filter,
        ])
        .env(
            "RELIABILITY_TASKS_PER_SCENARIO",
            tasks_per_scenario.to_string(),
        )
        .env("INTERRUPTION_RUNS", interruption_runs.to_string())
        .env("TEAMS_LOAD_TEAMS", teams_load.teams.to_string())
        .env(
            "TEAMS_LOAD_OUTPOSTS",
            teams_load.outposts_per_team.to_string(),
        )
        .current_dir(repo::root())
        .status()
        .context("running cargo nextest")?;
    if !status.success() {
        bail!("a reliability suite failed");
    }
    if fuzz_minutes > 0 {
        fuzz(fuzz_minutes)?;
    }
    Ok(())
}

/// Runs the fuzz tests in rounds of `PROPTEST_CASES=20000` until `minutes` have passed.
/// proptest seeds each round afresh; a failure stops the run with its minimal case.
pub fn fuzz(minutes: u64) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(minutes * 60);
    let mut rounds = 0u32;
    while std::time::Instant::now() < deadline {
        let status = Command::new(repo::cargo())
            .args([
                "nextest",
                "run",
                "--workspace",
                "--lib",
                "--no-fail-fast",
                "-E",
                "test(/fuzz_/)",
            ])
            .env("PROPTEST_CASES", "20000")
            .current_dir(repo::root())
            .status()
            .context("running cargo nextest")?;
        if !status.success() {
            bail!(
                "a fuzz test failed in round {}: its minimal input is above; make it a regression test",
                rounds + 1
            );
        }
        rounds += 1;
    }
    println!("fuzzing: {rounds} rounds of 20000 cases per test in {minutes} minutes, no failure");
    Ok(())
}
