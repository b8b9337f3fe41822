//! The platform team and two application teams as they run in CI: state in PostgreSQL
//! (Terraform's `pg` backend and its locks, on a throwaway server per test), the
//! platform's outputs read by the teams through `terraform_remote_state`, the shared
//! module, and the provider installed by `terraform init` at its private-registry
//! address from a filesystem mirror of this build — against the simulator.

use crate::harness::{PRIVATE_PROVIDER, Run, Workspace};
use crate::postgres::Postgres;
use crate::sim::{ORDER, OUTPOST, Sim};
use outposts_simulator::{SimulatorConfig, TaskTiming};
use serde_json::{Value as Json, json};
use std::path::Path;
use std::time::Duration;

/// The shared module's address in the platform team's private registry, as the team
/// configurations name it.
const MODULE_IN_REGISTRY: &str = "registry.platform.internal/platform/outpost-capacity/outposts";
/// The shared module in this repository, relative to a team's directory.
const MODULE_IN_REPOSITORY: &str = "../../modules/outpost-capacity";

/// An apply as CI runs it.
const APPLY: &[&str] = &["apply", "-input=false", "-auto-approve", "-no-color"];

/// The team configurations install the shared module from the platform team's private
/// registry (`source = MODULE_IN_REGISTRY`, `version = "~> 1.0"`), which these tests do
/// not serve: this rewrites the copy in `dir` to take it from this repository instead.
/// The one place to change once the tests serve the registry.
fn use_the_module_from_this_repository(dir: &Path) {
    let mut rewritten = 0;
    for entry in std::fs::read_dir(dir)
        .expect("read the team's directory")
        .flatten()
    {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("tf") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a configuration file");
        let mut out = Vec::new();
        let mut in_module = false;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if line.starts_with("module ") {
                in_module = true;
            } else if line == "}" {
                in_module = false;
            }
            if in_module && trimmed.starts_with("source") && trimmed.contains(MODULE_IN_REGISTRY) {
                out.push(line.replace(MODULE_IN_REGISTRY, MODULE_IN_REPOSITORY));
                rewritten += 1;
                continue;
            }
            if in_module && (trimmed.starts_with("version ") || trimmed.starts_with("version=")) {
                // A local module takes no version constraint.
                continue;
            }
            out.push(line.to_string());
        }
        std::fs::write(&path, out.join("\n") + "\n").expect("write a configuration file");
    }
    assert!(
        rewritten > 0,
        "no module in {} comes from {MODULE_IN_REGISTRY}",
        dir.display()
    );
}

/// A simulator, a PostgreSQL server, and the provider in an unpacked filesystem mirror
/// at its private-registry address, which `terraform init` installs from.
struct Teams {
    sim: Sim,
    pg: Postgres,
    /// The mirror and the CLI configuration that installs from it.
    dir: tempfile::TempDir,
}

impl Teams {
    fn start(sim: Sim) -> Teams {
        let pg = Postgres::start();
        let dir = tempfile::tempdir().expect("temporary directory");
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
        std::fs::write(
            dir.path().join("cli.tfrc"),
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    \
                 include = [\"{PRIVATE_PROVIDER}\"]\n  }}\n  direct {{\n    \
                 exclude = [\"{PRIVATE_PROVIDER}\"]\n  }}\n}}\n",
                dir.path().join("mirror").display().to_string()
            ),
        )
        .expect("write the CLI configuration");
        Teams { sim, pg, dir }
    }

    /// A working directory of `examples/teams/<team>` as a CI runner checks it out,
    /// initialised (`terraform init`: the backend, the module, the provider).
    fn runner(&self, team: &str) -> Workspace {
        let mut ws = self.sim.examples_workspace(&format!("teams/{team}"));
        if team != "platform" {
            use_the_module_from_this_repository(ws.path());
        }
        ws.set_env(
            "TF_CLI_CONFIG_FILE",
            &self.dir.path().join("cli.tfrc").display().to_string(),
        );
        ws.set_env("PG_CONN_STR", &self.pg.conn_str());
        ws.ok(&["init", "-input=false", "-no-color"]);
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

/// Tasks finish a second and a half after they start.
fn quick_tasks() -> Sim {
    Sim::start(SimulatorConfig {
        timing: TaskTiming {
            requested: Duration::from_millis(500),
            in_progress: Duration::from_secs(1),
            cancellation: Duration::from_millis(500),
            ..TaskTiming::default()
        },
        ..SimulatorConfig::default()
    })
}

#[test]
fn the_platform_publishes_each_teams_outposts_and_both_teams_lay_them_out_through_remote_state() {
    let teams = Teams::start(quick_tasks());
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
        fleet_outposts[OUTPOST]["instance_families"],
        json!(["c5", "m5", "r5"])
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
    assert_eq!(tasks["seattle-rack"]["status"], "COMPLETED", "{tasks:#}");
    assert_eq!(tasks["seattle-rack"]["outpost_id"], OUTPOST);
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
    let teams = Teams::start(quick_tasks());
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
        "outposts={{rack={{outpost=\"{}\",order_id=\"{ORDER}\",layout={{\"g4dn.xlarge\"=1,\"r5.xlarge\"=2}}}},busy={{outpost=\"op-0aaaaaaaaaaaaaaa1\",order_id=\"oo-0aaaaaaaaaaaaaaa1\",layout={{\"m5.large\"=1}}}}}}",
        teams.sim.outpost_arn()
    );
    plan(&fleet, &sites)
        .assert_mentions(
            "The platform team does not allow team fleet to lay out op-0aaaaaaaaaaaaaaa1 \
             (busy); it allows: op-0123456789abcdef0, op-0fedcba9876543210.",
        )
        .assert_mentions(
            "The platform team does not allow team fleet the instance types m5.large (busy), \
             g4dn.xlarge (rack).",
        );
    assert!(teams.sim.handle.tasks().is_empty(), "nothing was started");
}
