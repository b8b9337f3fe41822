//! One private registry for the module and the provider, as the platform team runs it:
//! a signed release of this test run's provider (`xtask::mirror::write_registry`) and
//! the shared module (`xtask::registry::publish_module`) written into one directory,
//! served over HTTPS from loopback by xtask's server, and installed by the real
//! `terraform init` of team configurations that use the addresses
//! `registry.platform.internal/...`. That host name resolves nowhere: Terraform reaches
//! the registry only through the `host` block of the CLI configuration
//! `xtask::registry::cli_config` renders, which `cargo xtask registry serve` writes too.

use crate::harness::{Workspace, copy_tree};
use crate::install::{release, tamper};
use crate::sim::{ORDER, OUTPOST, Sim, required_outposts};
use std::path::{Path, PathBuf};
use xtask::registry::{OUTPOST_CAPACITY, publish_module};
use xtask::release::{Platform, Release};
use xtask::serve::StaticHttps;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const PROVIDER: &str = "registry.platform.internal/outposts-labs/outposts";
const MODULE: &str = "registry.platform.internal/platform/outpost-capacity/outposts";

/// A registry directory holding the provider, served over HTTPS; modules are published
/// into it as the test goes.
struct Registry {
    scratch: tempfile::TempDir,
    dir: PathBuf,
    release: Release,
    server: StaticHttps,
}

impl Registry {
    fn with_the_provider() -> Registry {
        let scratch = test_support::scratch_dir();
        let release = release(scratch.path());
        let dir = scratch.path().join("registry");
        xtask::mirror::write_registry(&release, &dir).expect("publish the provider");
        let server = StaticHttps::serve(&dir).expect("serve the registry over HTTPS");
        Registry {
            scratch,
            dir,
            release,
            server,
        }
    }

    /// The module's source for `version`: the repository's module for 1.0.0; for 1.1.0
    /// a copy with one more output, `module_release`, so a team can tell them apart.
    fn module_source(&self, version: &str) -> PathBuf {
        let repository =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(xtask::registry::OUTPOST_CAPACITY_SOURCE);
        if version == "1.0.0" {
            return repository;
        }
        let copy = self.scratch.path().join(format!("module-{version}"));
        if !copy.exists() {
            copy_tree(&repository, &copy);
            std::fs::write(
                copy.join("release.tf"),
                format!(
                    "output \"module_release\" {{\n  description = \"The module's release.\"\n  value       = \"{version}\"\n}}\n"
                ),
            )
            .expect("write release.tf");
        }
        copy
    }

    fn publish(&self, version: &str) -> xtask::registry::PublishedModule {
        publish_module(
            &self.dir,
            &OUTPOST_CAPACITY,
            version,
            &self.module_source(version),
        )
        .unwrap_or_else(|e| panic!("publish the module {version}: {e:#}"))
    }

    /// A team's configuration calling the module at `constraint` (plus `extra`), with a
    /// CLI configuration that holds only the registry's `host` block: no
    /// `dev_overrides`, no mirrors.
    fn team(&self, sim: &Sim, constraint: &str, extra: &str) -> Workspace {
        let mut ws = sim.workspace("");
        ws.use_cli_config(
            "registry.tfrc",
            &xtask::registry::cli_config(&self.server.base),
        );
        ws.set_env("SSL_CERT_FILE", &self.server.ca_file.display().to_string());
        ws.write(
            "main.tf",
            &format!(
                r#"
{required}

provider "outposts" {{}}

module "capacity" {{
  source  = "{MODULE}"
  version = "{constraint}"

  outpost  = "{OUTPOST}"
  order_id = "{ORDER}"
  layout   = {{ "c5.4xlarge" = 4 }}
}}

output "status" {{
  value = module.capacity.status
}}
{extra}"#,
                required = required_outposts(PROVIDER, None)
            ),
        );
        ws
    }

    fn host_archive(&self) -> &xtask::release::Archive {
        self.release
            .archive(&Platform::host())
            .expect("the release has this host's archive")
    }
}

/// The version of the shared module (module `capacity`, from the private registry) that
/// `terraform init` installed, from `.terraform/modules/modules.json`.
pub fn installed_module(ws: &Workspace) -> String {
    let path = ws.path().join(".terraform/modules/modules.json");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("modules.json"))
            .expect("modules.json is JSON");
    let record = manifest["Modules"]
        .as_array()
        .and_then(|modules| modules.iter().find(|m| m["Key"] == "capacity"))
        .unwrap_or_else(|| panic!("no module capacity in {manifest:#}"));
    assert_eq!(record["Source"], MODULE, "{record:#}");
    record["Version"]
        .as_str()
        .unwrap_or_else(|| panic!("no version recorded: {record:#}"))
        .to_string()
}

fn init(ws: &Workspace, upgrade: bool) -> crate::harness::Run {
    let mut args = vec!["init", "-input=false", "-no-color"];
    if upgrade {
        args.push("-upgrade");
    }
    ws.ok(&args)
}

#[test]
fn a_team_on_a_minor_line_installs_the_newest_module_and_the_signed_provider_from_one_registry() {
    let sim = Sim::quick();
    let registry = Registry::with_the_provider();
    registry.publish("1.0.0");
    let newest = registry.publish("1.1.0");
    assert_eq!(newest.versions, ["1.0.0", "1.1.0"]);

    let ws = registry.team(
        &sim,
        "~> 1.0",
        "output \"module_release\" {\n  value = module.capacity.module_release\n}\n",
    );
    init(&ws, false)
        .assert_mentions(&format!("Downloading {MODULE} 1.1.0 for capacity..."))
        .assert_mentions(&format!(
            "Installed {PROVIDER} v{VERSION} (self-signed, key ID {})",
            registry.release.key_id()
        ));
    assert_eq!(installed_module(&ws), "1.1.0");

    // The lock file pins the provider by the hashes of the signed release.
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).expect("lock file");
    let archive = registry.host_archive();
    let block = lock
        .split("provider \"")
        .find(|b| b.starts_with(&format!("{PROVIDER}\"")))
        .unwrap_or_else(|| panic!("no lock entry for {PROVIDER}:\n{lock}"));
    let block = block.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        format!("version = \"{VERSION}\""),
        format!("\"{}\",", archive.h1),
        format!("\"{}\",", archive.zh),
    ] {
        assert!(block.contains(&expected), "{expected} not in:\n{lock}");
    }

    ws.ok(&["apply", "-input=false", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value =
        serde_json::from_str(&ws.ok(&["output", "-json"]).stdout()).expect("output -json");
    assert_eq!(outputs["status"]["value"], "COMPLETED", "{outputs:#}");
    assert_eq!(outputs["module_release"]["value"], "1.1.0", "{outputs:#}");
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.output.status.code(), Some(0), "{}", plan.report());
    assert_eq!(sim.handle.tasks().len(), 1);

    // Both installations went through the host block's services, not discovery.
    let asked = registry.server.answered();
    let base = "/v1/modules/platform/outpost-capacity/outposts";
    for (path, status) in [
        (format!("{base}/versions"), 200),
        (format!("{base}/1.1.0/download"), 200),
        (format!("{base}/1.1.0/outpost-capacity-1.1.0.tar.gz"), 200),
        (
            "/v1/providers/outposts-labs/outposts/versions".to_string(),
            200,
        ),
    ] {
        assert!(
            asked.contains(&(path.clone(), status)),
            "{path} not answered {status}: {asked:?}"
        );
    }
    assert!(
        !asked.iter().any(|(p, _)| p.starts_with("/.well-known")),
        "service discovery was not needed: {asked:?}"
    );
}

#[test]
fn init_upgrade_moves_a_team_to_a_new_module_version_only_when_its_constraint_allows() {
    let sim = Sim::quick();
    let registry = Registry::with_the_provider();
    registry.publish("1.0.0");
    let minor_line = registry.team(&sim, "~> 1.0", "");
    let pinned = registry.team(&sim, "= 1.0.0", "");
    init(&minor_line, false);
    init(&pinned, false);
    assert_eq!(installed_module(&minor_line), "1.0.0");
    assert_eq!(installed_module(&pinned), "1.0.0");

    registry.publish("1.1.0");
    // A plain init keeps what is installed while it still meets the constraint.
    init(&minor_line, false);
    assert_eq!(installed_module(&minor_line), "1.0.0", "plain init moved");
    init(&minor_line, true).assert_mentions(&format!("Downloading {MODULE} 1.1.0 for capacity..."));
    assert_eq!(
        installed_module(&minor_line),
        "1.1.0",
        "init -upgrade under ~> 1.0"
    );
    assert!(
        minor_line
            .path()
            .join(".terraform/modules/capacity/release.tf")
            .is_file(),
        "1.1.0's files are installed"
    );
    init(&pinned, true);
    assert_eq!(
        installed_module(&pinned),
        "1.0.0",
        "init -upgrade under = 1.0.0"
    );
    assert!(
        !pinned
            .path()
            .join(".terraform/modules/capacity/release.tf")
            .exists()
    );
}

#[test]
fn a_tampered_module_package_is_refused_by_the_checksum_its_download_answer_names() {
    let sim = Sim::quick();
    let registry = Registry::with_the_provider();
    let published = registry.publish("1.0.0");
    // Another module's files under the published name, as a replaced file in storage.
    let other = registry.scratch.path().join("other-module");
    copy_tree(&registry.module_source("1.0.0"), &other);
    std::fs::write(
        other.join("outputs.tf"),
        "output \"status\" {\n  value = \"COMPLETED\"\n}\n",
    )
    .expect("write outputs.tf");
    let forged = xtask::registry::pack_module(&other).expect("pack the other module");
    std::fs::write(&published.package, forged).expect("replace the package");

    let ws = registry.team(&sim, "~> 1.0", "");
    ws.fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("Failed to download module")
        .assert_mentions("Checksums did not match")
        .assert_mentions(&published.sha256);
    assert!(
        !ws.path()
            .join(".terraform/modules/capacity/main.tf")
            .exists(),
        "nothing of the tampered package is installed"
    );
    assert!(sim.handle.tasks().is_empty());
}

#[test]
fn a_tampered_provider_archive_is_refused_even_when_its_download_answer_is_changed_to_match() {
    let sim = Sim::quick();
    let registry = Registry::with_the_provider();
    registry.publish("1.0.0");
    let archive = registry.host_archive();
    let files = registry
        .dir
        .join("v1/providers/outposts-labs/outposts")
        .join(VERSION);
    let name = archive
        .path
        .file_name()
        .expect("archive name")
        .to_string_lossy()
        .into_owned();
    tamper(&files.join("files").join(&name));

    // The download answer still names the published archive's SHA-256.
    let ws = registry.team(&sim, "~> 1.0", "");
    ws.fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("Failed to install provider")
        .assert_mentions("archive has incorrect checksum");

    // Whoever can change the archive may change the registry's answer too: the
    // checksums the release key signed still refuse it.
    let platform = Platform::host();
    let download = files
        .join("download")
        .join(&platform.os)
        .join(&platform.arch);
    let mut answer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&download).expect("download answer"))
            .expect("download JSON");
    let tampered = xtask::release::zh_hash(&files.join("files").join(&name)).expect("hash");
    answer["shasum"] = tampered.trim_start_matches("zh:").into();
    std::fs::write(&download, answer.to_string()).expect("rewrite the download answer");
    let again = registry.team(&sim, "~> 1.0", "");
    again
        .fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("Failed to install provider")
        .assert_mentions("checksum list has unexpected SHA-256 hash");
    assert!(sim.handle.tasks().is_empty());
}
