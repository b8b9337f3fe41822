//! The platform team and two application teams as they run in CI: state in PostgreSQL
//! (Terraform's `pg` backend and its locks, on a throwaway server per test), the
//! platform's outputs read by the teams through `terraform_remote_state`, the shared
//! module installed by `terraform init` from the private registry by version, and the
//! provider at its private-registry address from a filesystem mirror of this build —
//! against the simulator.
//!
//! What the pg backend of Terraform 1.11 does, checked here against the real server:
//! its locks are session-level advisory locks (`pg_try_advisory_lock`), held by the
//! connection of the terraform process that took them; a workspace that has no state
//! row yet (a first apply in `default`) is locked through one lock shared by the whole
//! database; the "Lock Info" of a lock error is the refused command's own, not the
//! holder's; and `force-unlock` in a fresh process releases nothing and reports success
//! for any ID, also while the holder runs.

use crate::harness::{PRIVATE_PROVIDER, Run, Workspace};
use crate::interruption::until;
use crate::journal::{Orphan, provider_pid_of};
use crate::postgres::Postgres;
use crate::sim::{ORDER, OUTPOST, Sim};
use outposts_simulator::CapacityTaskStatus;
use serde_json::{Value as Json, json};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use test_support::send_signal;
use xtask::registry::{OUTPOST_CAPACITY, OUTPOST_CAPACITY_SOURCE, cli_config, publish_module};
use xtask::serve::StaticHttps;

/// The fleet team's rack, which other accounts' services share.
const SHARED_RACK: &str = "op-0aaaaaaaaaaaaaaa1";

/// An apply as CI runs it; and one that gives up at once when the state is locked.
const APPLY: &[&str] = &["apply", "-input=false", "-auto-approve", "-no-color"];
const APPLY_NO_WAIT_FOR_LOCK: &[&str] = &[
    "apply",
    "-input=false",
    "-auto-approve",
    "-no-color",
    "-lock-timeout=0s",
];

/// A simulator, a PostgreSQL server, the platform team's private registry serving the
/// shared module (as `cargo xtask module-release` publishes it), and the provider in
/// an unpacked filesystem mirror at its private-registry address: `terraform init`
/// installs the module from the registry by version and the provider from the mirror.
/// (`registry.rs` and `examples/teams/run.sh` install the provider from the registry
/// too; a mirror saves each test here signing a release.)
struct Teams {
    sim: Sim,
    pg: Postgres,
    /// The platform team's private registry, serving the shared module 1.0.0.
    registry: StaticHttps,
    /// The registry's directory, the mirror and the CLI configuration.
    dir: tempfile::TempDir,
}

impl Teams {
    fn start(sim: Sim) -> Teams {
        let pg = Postgres::start();
        let dir = test_support::scratch_dir();
        let version = env!("CARGO_PKG_VERSION");
        let platform = xtask::release::Platform::host().key();
        let target = dir
            .path()
            .join("mirror")
            .join(PRIVATE_PROVIDER)
            .join(version)
            .join(platform);
        std::fs::create_dir_all(&target).expect("create the mirror");
        let binary = target.join(format!("terraform-provider-outposts_v{version}"));
        let provider = crate::harness::provider_binary();
        if std::fs::hard_link(&provider, &binary).is_err() {
            std::fs::copy(&provider, &binary).expect("copy the provider into the mirror");
        }
        let registry_dir = dir.path().join("registry");
        let module = Path::new(env!("CARGO_MANIFEST_DIR")).join(OUTPOST_CAPACITY_SOURCE);
        publish_module(&registry_dir, &OUTPOST_CAPACITY, "1.0.0", &module)
            .unwrap_or_else(|e| panic!("publish the shared module: {e:#}"));
        let registry = StaticHttps::serve(&registry_dir).expect("serve the registry over HTTPS");
        std::fs::write(
            dir.path().join("cli.tfrc"),
            format!(
                "{}\nprovider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    \
                 include = [\"{PRIVATE_PROVIDER}\"]\n  }}\n  direct {{\n    \
                 exclude = [\"{PRIVATE_PROVIDER}\"]\n  }}\n}}\n",
                cli_config(&registry.base),
                dir.path().join("mirror").display().to_string()
            ),
        )
        .expect("write the CLI configuration");
        Teams {
            sim,
            pg,
            registry,
            dir,
        }
    }

    /// A working directory of `examples/teams/<team>` as a CI runner checks it out,
    /// initialised (`terraform init`: the backend, the module, the provider).
    fn runner(&self, team: &str) -> Workspace {
        let mut ws = self.sim.examples_workspace(&format!("teams/{team}"));
        ws.set_env(
            "SSL_CERT_FILE",
            &self.registry.ca_file.display().to_string(),
        );
        ws.set_env(
            "TF_CLI_CONFIG_FILE",
            &self.dir.path().join("cli.tfrc").display().to_string(),
        );
        ws.set_env("PG_CONN_STR", &self.pg.conn_str());
        ws.ok(&["init", "-input=false", "-no-color"]);
        if team != "platform" {
            assert_eq!(
                crate::registry::installed_module(&ws),
                "1.0.0",
                "the shared module comes from the registry"
            );
        }
        ws
    }

    /// The platform, applied.
    fn platform(&self) -> Workspace {
        let ws = self.runner("platform");
        apply(&ws);
        ws
    }
}

fn apply(ws: &Workspace) -> Run {
    ws.ok(APPLY)
}

fn outputs(ws: &Workspace) -> Json {
    let run = ws.ok(&["output", "-json"]);
    serde_json::from_str(&run.stdout()).expect("output -json")
}

/// `plan -detailed-exitcode` says "no changes".
fn assert_no_changes(ws: &Workspace) {
    let run = ws.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.report());
}

/// The task IDs in the workspace's state (the root and every module).
fn task_ids(ws: &Workspace) -> Vec<String> {
    let run = ws.ok(&["show", "-json"]);
    let shown: Json = serde_json::from_str(&run.stdout()).expect("show -json");
    fn walk(module: &Json, found: &mut Vec<String>) {
        for r in module["resources"].as_array().into_iter().flatten() {
            if let Some(id) = r["values"]["capacity_task_id"].as_str() {
                found.push(id.to_string());
            }
        }
        for child in module["child_modules"].as_array().into_iter().flatten() {
            walk(child, found);
        }
    }
    let mut found = Vec::new();
    walk(&shown["values"]["root_module"], &mut found);
    found
}

/// A terraform command running in the background, in a process group of its own, its
/// output in a file. Killed with its group if still running when dropped.
struct Background {
    child: Child,
    args: String,
    output: PathBuf,
}

impl Background {
    fn spawn(ws: &Workspace, args: &[&str]) -> Background {
        let output = ws.path().join(format!("background-{}.log", args[0]));
        let file = std::fs::File::create(&output).expect("create the output file");
        let mut command = ws.command(args);
        command.process_group(0);
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("output handle"))
            .stderr(file)
            .spawn()
            .expect("terraform starts");
        Background {
            child,
            args: args.join(" "),
            output,
        }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap_or_default()
    }

    /// Waits up to a minute for terraform to exit, and requires success.
    fn succeeds(mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("terraform status") {
                assert!(
                    status.success(),
                    "terraform {} failed ({status}):\n{}",
                    self.args,
                    self.output()
                );
                return self.output();
            }
            assert!(
                Instant::now() < deadline,
                "terraform {} did not finish:\n{}",
                self.args,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            send_signal(self.child.id(), "KILL", true);
            let _ = self.child.wait();
        }
    }
}

/// The ID in the "Lock Info" of a lock error.
fn lock_info_id(run: &Run) -> String {
    let text = run.stderr();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("ID:").map(|id| id.trim().to_string()))
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("no lock ID in the error\n{}", run.report()))
}

#[test]
fn the_platform_publishes_each_teams_outposts_and_both_teams_lay_them_out_through_remote_state() {
    let teams = Teams::start(Sim::quick());
    let sim = &teams.sim;
    sim.examples_workspace(".")
        .ok(&["fmt", "-check", "-recursive", "-no-color"]);

    let platform = teams.platform();
    assert!(
        !platform.path().join("terraform.tfstate").exists(),
        "the platform's state is in PostgreSQL, not in a local file"
    );
    let published = &outputs(&platform)["teams"]["value"];
    let rack_arn = sim.outpost_arn();
    assert_eq!(
        published["single-outpost"],
        json!({
            OUTPOST: {
                "id": OUTPOST,
                "arn": rack_arn,
                "name": "quickstart-rack",
                "hardware_type": "RACK",
                "instance_families": ["c5", "m5"],
            }
        }),
        "{published:#}"
    );
    let fleet_outposts = &published["fleet"];
    assert_eq!(
        fleet_outposts[SHARED_RACK]["instance_families"],
        json!(["c5", "m5"])
    );
    assert_eq!(
        fleet_outposts["op-0fedcba9876543210"]["arn"],
        "arn:aws:outposts:us-west-2:111122223333:outpost/op-0fedcba9876543210"
    );
    assert_eq!(
        fleet_outposts["op-0fedcba9876543210"]["hardware_type"],
        "SERVER"
    );
    assert!(sim.handle.tasks().is_empty(), "the platform starts no task");

    let single = teams.runner("single-outpost");
    apply(&single);
    let out = outputs(&single);
    assert_eq!(out["outpost_arn"]["value"], rack_arn.as_str(), "{out:#}");
    assert_eq!(out["status"]["value"], "COMPLETED", "{out:#}");
    assert_eq!(
        out["layout"]["value"],
        json!({"c5.4xlarge": 4, "m5.xlarge": 8})
    );
    assert_no_changes(&single);

    let fleet = teams.runner("fleet");
    apply(&fleet);
    let tasks = &outputs(&fleet)["tasks"]["value"];
    assert_eq!(tasks["shared-rack"]["status"], "COMPLETED", "{tasks:#}");
    assert_eq!(tasks["shared-rack"]["outpost_id"], SHARED_RACK);
    assert_eq!(tasks["edge-server"]["status"], "COMPLETED");
    assert_eq!(tasks["edge-server"]["outpost_id"], "op-0fedcba9876543210");
    assert_eq!(sim.handle.tasks().len(), 3, "one task per module instance");
    assert_no_changes(&fleet);

    // The server's layout reached its asset.
    let world = sim.handle.world();
    let server = world
        .outposts
        .iter()
        .find(|o| o.outpost_id == "op-0fedcba9876543210")
        .expect("the edge server");
    let layout: Vec<(String, u32)> = server.assets[0]
        .instance_type_capacities
        .iter()
        .map(|p| (p.instance_type.clone(), p.count))
        .collect();
    assert_eq!(
        layout,
        [("c5.xlarge".to_string(), 8), ("m5.xlarge".to_string(), 8)]
    );

    // Each configuration's state is a row of its own schema.
    for schema in [
        "outposts_platform",
        "outposts_team_single_outpost",
        "outposts_team_fleet",
    ] {
        assert_eq!(
            teams.pg.query(&format!("SELECT name FROM {schema}.states")),
            "default",
            "{schema}"
        );
    }
}

#[test]
fn plans_stop_layouts_the_platform_does_not_allow_or_that_do_not_fit() {
    let teams = Teams::start(Sim::quick());
    teams.platform();
    let single = teams.runner("single-outpost");
    let plan =
        |ws: &Workspace, var: &str| ws.fails(&["plan", "-input=false", "-no-color", "-var", var]);

    plan(&single, "layout={\"c5.4xlarge\"=4,\"r5.2xlarge\"=2}")
        .assert_mentions("Invalid value for variable")
        .assert_mentions(
            "The platform team allows team single-outpost only the instance families c5, m5 \
             on op-0123456789abcdef0; the layout asks for r5.2xlarge.",
        );
    plan(&single, "outpost=op-0fedcba9876543210").assert_mentions(
        "The platform team does not allow team single-outpost to lay out \
         op-0fedcba9876543210; it allows: op-0123456789abcdef0.",
    );
    // Allowed, but more than the rack has: the shared module's capacity check.
    plan(&single, "layout={\"c5.4xlarge\"=100}")
        .assert_mentions("Resource precondition failed")
        .assert_mentions(
            "The layout {\"c5.4xlarge\":100} does not fit Outpost op-0123456789abcdef0",
        )
        .assert_mentions("short by 1312");

    let fleet = teams.runner("fleet");
    let sites = format!(
        "outposts={{rack={{outpost=\"{}\",order_id=\"{ORDER}\",layout={{\"g4dn.xlarge\"=1}}}},busy={{outpost=\"{SHARED_RACK}\",order_id=\"oo-0aaaaaaaaaaaaaaa1\",layout={{\"m5.large\"=2,\"r5.xlarge\"=2}}}}}}",
        teams.sim.outpost_arn()
    );
    plan(&fleet, &sites)
        .assert_mentions(
            "The platform team does not allow team fleet to lay out \
             arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0 (rack); it \
             allows: op-0aaaaaaaaaaaaaaa1, op-0fedcba9876543210.",
        )
        .assert_mentions(
            "The platform team does not allow team fleet the instance types r5.xlarge (busy), \
             g4dn.xlarge (rack).",
        );
    assert!(teams.sim.handle.tasks().is_empty(), "nothing was started");
}

/// Whether the start journal of `workspace` in the working directory of `ws` holds a
/// note of a started task.
fn journal_has_a_note(ws: &Workspace, workspace: &str) -> bool {
    let dir = ws
        .path()
        .join(".terraform/outposts-started-tasks/workspaces")
        .join(workspace);
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("cap-") && n.ends_with(".json"))
        })
    })
}

/// Two CI runners apply the same team's workspace at once (two checkouts of the same
/// configuration, one backend schema and workspace). Time stands still in the
/// simulator, so the first runner's task waits, holding the lock, while the second
/// tries: the overlap is certain.
#[test]
fn two_runners_applying_one_workspace_at_once_one_is_refused_the_lock_and_one_task_starts() {
    let teams = Teams::start(Sim::frozen());
    let sim = &teams.sim;
    let platform = teams.platform();
    let first = teams.runner("single-outpost");
    let second = teams.runner("single-outpost");

    let running = Background::spawn(&first, APPLY);
    until("the first runner's task", || sim.handle.tasks().len() == 1);
    let starts = sim.count("StartCapacityTask");
    let refused = second.fails(APPLY_NO_WAIT_FOR_LOCK);
    // The workspace has no state row until an apply saves one, so Terraform holds it
    // through the database's workspace-creation lock for the whole first apply.
    refused
        .assert_mentions("Error acquiring the state lock")
        .assert_mentions("Already locked for workspace creation: default");
    assert_eq!(
        sim.count("StartCapacityTask"),
        starts,
        "the refused runner reached the API\n{}",
        refused.report()
    );
    // That lock is the database's, not the team's: meanwhile the platform team cannot
    // lock its own state either.
    platform
        .fails(&["plan", "-input=false", "-no-color", "-lock-timeout=0s"])
        .assert_mentions("Cannot lock workspace; already locked for workspace creation: default");

    sim.handle.advance_clock(Duration::from_secs(3600));
    running.succeeds();
    let tasks = sim.handle.tasks();
    assert_eq!(
        tasks.len(),
        1,
        "one StartCapacityTask for one resource: {tasks:?}"
    );
    assert_eq!(tasks[0].status, CapacityTaskStatus::Completed);
    // Both runners see the one state.
    assert_eq!(task_ids(&second), vec![tasks[0].capacity_task_id.clone()]);
    assert_no_changes(&second);
}

/// Two workspaces of one team (`terraform workspace new`) lay out the same Outpost at
/// once. Their states lock apart, so both reach the API; AWS lets one task run per
/// Outpost, and the later is told which task holds it.
#[test]
fn two_workspaces_laying_out_one_outpost_both_reach_the_api_and_the_later_is_told_the_task() {
    let teams = Teams::start(Sim::frozen());
    let sim = &teams.sim;
    teams.platform();
    let blue = teams.runner("single-outpost");
    blue.ok(&["workspace", "new", "-no-color", "blue"]);
    let green = teams.runner("single-outpost");
    green.ok(&["workspace", "new", "-no-color", "green"]);

    let running = Background::spawn(&blue, APPLY);
    until("blue's task", || sim.handle.tasks().len() == 1);
    let winner = sim.handle.tasks()[0].capacity_task_id.clone();
    let starts = sim.count("StartCapacityTask");
    let lost = green.fails(APPLY_NO_WAIT_FOR_LOCK);
    assert!(
        !lost.stderr().contains("Error acquiring the state lock"),
        "the workspaces lock apart\n{}",
        lost.report()
    );
    lost.assert_mentions("Another capacity task is active")
        .assert_mentions(&winner)
        .assert_mentions(&format!("terraform import <address> {OUTPOST}/{winner}"));
    assert!(
        sim.count("StartCapacityTask") > starts,
        "green reached the API"
    );
    assert_eq!(
        task_ids(&green),
        Vec::<String>::new(),
        "green saved nothing"
    );

    sim.handle.advance_clock(Duration::from_secs(3600));
    running.succeeds();
    assert_eq!(sim.handle.tasks().len(), 1, "{:?}", sim.handle.tasks());
    assert_eq!(task_ids(&blue), vec![winner]);
    assert_eq!(
        teams
            .pg
            .query("SELECT name FROM outposts_team_single_outpost.states ORDER BY name"),
        "blue\ngreen"
    );
}

/// SIGKILL to terraform in the middle of an apply (a cancelled CI job, the OOM killer),
/// then the runbook: `terraform force-unlock`, apply again.
///
/// The pg backend's lock is a session-level advisory lock of the killed process's
/// connection, so PostgreSQL releases it as the connection closes: the workspace is
/// unlocked before anyone runs force-unlock. force-unlock in a fresh process releases
/// nothing and reports success for any ID — here the one the refused runner's lock
/// error showed, which is that runner's own attempt, not the holder's — also while the
/// holder still runs, when the lock stays. The provider
/// Terraform ran exits too, so the next apply in that working directory adopts the task
/// it had started.
#[test]
fn after_terraform_is_killed_mid_apply_the_lock_is_gone_force_unlock_succeeds_and_the_task_is_adopted()
 {
    let teams = Teams::start(Sim::frozen());
    let sim = &teams.sim;
    teams.platform();
    let runner = teams.runner("single-outpost");
    runner.ok(&["workspace", "new", "-no-color", "ci"]);
    let other = teams.runner("single-outpost");
    other.ok(&["workspace", "select", "-no-color", "ci"]);
    until("no advisory lock is held", || {
        teams.pg.advisory_locks().is_empty()
    });

    let mut killed = Background::spawn(&runner, APPLY);
    until("the task, noted in the start journal", || {
        sim.handle.tasks().len() == 1 && journal_has_a_note(&runner, "ci")
    });
    let task = sim.handle.tasks()[0].capacity_task_id.clone();
    assert!(
        !teams.pg.advisory_locks().is_empty(),
        "the apply holds the workspace's lock"
    );
    let refused = other.fails(APPLY_NO_WAIT_FOR_LOCK);
    refused
        .assert_mentions("Error acquiring the state lock")
        .assert_mentions("Workspace is already locked: ci");
    let shown_id = lock_info_id(&refused);
    // While the holder lives, force-unlock says it unlocked, and releases nothing: a
    // session's advisory lock is released only by that session.
    other
        .ok(&["force-unlock", "-force", "-no-color", &shown_id])
        .assert_mentions("Terraform state has been successfully unlocked!");
    assert!(
        !teams.pg.advisory_locks().is_empty(),
        "the live apply still holds its lock"
    );
    let again = other.fails(APPLY_NO_WAIT_FOR_LOCK);
    again.assert_mentions("Workspace is already locked: ci");
    // Each refusal shows an ID of its own: the holder's lock ID is not stored anywhere.
    assert_ne!(lock_info_id(&again), shown_id);

    let provider = Orphan(provider_pid_of(killed.child.id()));
    send_signal(killed.child.id(), "KILL", false);
    let _ = killed.child.wait();
    assert!(
        provider.exits_within(Duration::from_secs(10)),
        "the provider (pid {}) outlived its killed terraform by 10 s",
        provider.0
    );
    // Already unlocked: the lock went with the killed process's connection.
    until("PostgreSQL releases the killed session's lock", || {
        teams.pg.advisory_locks().is_empty()
    });
    other.ok(&["plan", "-input=false", "-no-color", "-lock-timeout=0s"]);
    runner
        .ok(&["force-unlock", "-force", "-no-color", &shown_id])
        .assert_mentions("Terraform state has been successfully unlocked!");

    sim.handle.advance_clock(Duration::from_secs(3600));
    let run = runner.ok(APPLY);
    let tasks = sim.handle.tasks();
    assert_eq!(
        tasks.len(),
        1,
        "the killed apply's task was adopted, not started again: {tasks:?}\n{}",
        run.report()
    );
    assert_eq!(task_ids(&runner), vec![task.clone()]);
    assert_eq!(task_ids(&other), vec![task]);
    assert_no_changes(&other);
}

/// `examples/teams/run.sh`, the README's teams walkthrough, run as a user runs it
/// (with this build's binaries, so it does not build again): the simulator, PostgreSQL
/// and the private registry started, the platform and both teams applied (the teams at
/// once), the drift check in sync, one team upgraded to module 1.1.0, everything
/// destroyed and cleaned up.
#[test]
fn the_teams_walkthrough_runs_from_start_to_end_and_cleans_up() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/teams/run.sh");
    let scratch = test_support::scratch_dir();
    let mut command = std::process::Command::new("bash");
    command.arg(&script);
    test_support::isolate_env(&mut command, &["PG"]);
    let output = command
        .env("TERRAFORM", test_support::terraform_binary())
        .env("PROVIDER_BIN", crate::harness::provider_binary())
        .env(
            "SIMULATOR_BIN",
            test_support::workspace_binary("outposts-simulator"),
        )
        .env("XTASK_BIN", test_support::workspace_binary("xtask"))
        // Its scratch directory (mktemp) inside this test's, to check it is removed.
        .env("TMPDIR", scratch.path())
        .output()
        .expect("run examples/teams/run.sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = format!(
        "command: bash {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the walkthrough failed\n{report}");
    for expected in [
        "\"single-outpost\" = {",
        "single-outpost: Apply complete! Resources: 1 added",
        "fleet: Apply complete! Resources: 2 added",
        "status = \"COMPLETED\"",
        "IN SYNC  single-outpost (workspace prod)",
        "IN SYNC  fleet (workspace prod)",
        "single-outpost: module outpost-capacity 1.1.0",
        "fleet: module outpost-capacity 1.0.0",
        "single-outpost: no changes with the new module version",
        "single-outpost: Destroy complete! Resources: 1 destroyed.",
        "fleet: Destroy complete! Resources: 2 destroyed.",
        "==> done",
    ] {
        assert!(
            stdout.contains(expected),
            "the walkthrough's output lacks {expected:?}\n{report}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(scratch.path())
        .expect("read the scratch directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "the walkthrough left {left:?}\n{report}");
}
