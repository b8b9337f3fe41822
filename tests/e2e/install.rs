//! Installing the provider the ways teams do, without `dev_overrides`: the release
//! artifacts `cargo xtask release` makes (here from this test run's build, signed with
//! a throwaway RSA key), laid out by `cargo xtask mirror` / `registry` as a filesystem
//! mirror (packed and unpacked), a network mirror and a provider registry, the last
//! two served over HTTPS from loopback. Each is installed by the real `terraform init`,
//! then planned and applied against the simulator; tampered archives and signatures are
//! refused.

use crate::harness::{Workspace, provider_binary};
use crate::sim::{ORDER, OUTPOST, Sim, required_outposts};
use std::path::{Path, PathBuf};
use xtask::release::{Platform, Release, Signer, package};
use xtask::serve::StaticHttps;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A signed release of this test run's provider binary for this host.
pub(crate) fn release(dir: &Path) -> Release {
    let signer = Signer::throwaway().unwrap_or_else(|e| {
        panic!("the installation tests sign a release with GnuPG (gpg on PATH): {e:#}")
    });
    package(
        VERSION,
        &[(Platform::host(), provider_binary())],
        &dir.join("release"),
        &signer,
    )
    .expect("package the release")
}

/// A workspace that installs `source` at `constraint` through the CLI configuration
/// `installation` (a `provider_installation` block), with a capacity task to apply.
fn workspace(sim: &Sim, source: &str, constraint: &str, installation: &str) -> Workspace {
    let mut ws = sim.workspace("");
    ws.use_cli_config("install.tfrc", installation);
    ws.write(
        "main.tf",
        &format!(
            r#"
{}

provider "outposts" {{}}

resource "outposts_capacity_task" "t" {{
  outpost_identifier = "{OUTPOST}"
  order_id           = "{ORDER}"
  instance_pool {{
    instance_type = "c5.4xlarge"
    count         = 4
  }}
}}
"#,
            required_outposts(source, Some(constraint))
        ),
    );
    ws
}

/// `terraform init`, then apply and an empty plan: the installed provider works.
fn init_and_apply(ws: &Workspace) -> crate::harness::Run {
    let init = ws.ok(&["init", "-input=false", "-no-color"]);
    ws.ok(&["apply", "-input=false", "-auto-approve", "-no-color"]);
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.output.status.code(), Some(0), "{}", plan.report());
    init
}

fn lock_file(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).expect("lock file")
}

/// Rewrites the archive at `path` with a different binary inside.
pub(crate) fn tamper(path: &Path) {
    let dir = test_support::scratch_dir();
    let binary = dir.path().join("provider");
    let mut content = std::fs::read(provider_binary()).expect("read provider");
    content.extend_from_slice(b"tampered");
    std::fs::write(&binary, content).expect("write binary");
    let rebuilt = xtask::release::write_zip(&binary, VERSION, &Platform::host(), dir.path())
        .expect("rebuild archive");
    std::fs::copy(&rebuilt.path, path).expect("replace archive");
}

fn filesystem_mirror(path: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    include = [\"registry.terraform.io/outposts-labs/outposts\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/outposts-labs/outposts\"]\n  }}\n}}\n",
        path.display().to_string()
    )
}

#[test]
fn a_filesystem_mirror_packed_or_unpacked_installs_a_locked_version_and_refuses_tampering() {
    let sim = Sim::fast();
    let scratch = test_support::scratch_dir();
    let release = release(scratch.path());
    let archive = release.archive(&Platform::host()).expect("host archive");

    let packed = scratch.path().join("packed");
    xtask::mirror::write_network_mirror(&release, &packed, xtask::mirror::DEFAULT_HOST)
        .expect("packed mirror");
    let ws = workspace(
        &sim,
        "outposts-labs/outposts",
        &format!("~> {VERSION}"),
        &filesystem_mirror(&packed),
    );
    init_and_apply(&ws).assert_mentions(&format!(
        "Installed outposts-labs/outposts v{VERSION} (unauthenticated)"
    ));
    let lock = lock_file(&ws);
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")) && lock.contains(&archive.h1),
        "the lock file records the version and the archive's h1 hash:\n{lock}"
    );

    let unpacked = scratch.path().join("unpacked");
    xtask::mirror::write_unpacked_mirror(&release, &unpacked, xtask::mirror::DEFAULT_HOST)
        .expect("unpacked mirror");
    let ws_unpacked = workspace(
        &sim,
        "outposts-labs/outposts",
        &format!(">= {VERSION}"),
        &filesystem_mirror(&unpacked),
    );
    init_and_apply(&ws_unpacked);
    assert!(
        lock_file(&ws_unpacked).contains(&archive.h1),
        "the unpacked provider hashes as the archive does"
    );

    // No version in the mirror meets the constraint.
    let too_new = workspace(
        &sim,
        "outposts-labs/outposts",
        ">= 99.0.0",
        &filesystem_mirror(&packed),
    );
    too_new
        .fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("no available releases match the given constraints");

    // A different archive under the same name is refused by the lock file.
    let mirrored = xtask::mirror::provider_dir(&packed, xtask::mirror::DEFAULT_HOST)
        .join(archive.path.file_name().expect("archive name"));
    tamper(&mirrored);
    let again = workspace(
        &sim,
        "outposts-labs/outposts",
        &format!("~> {VERSION}"),
        &filesystem_mirror(&packed),
    );
    again.write(".terraform.lock.hcl", &lock);
    again
        .fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("the current package for registry.terraform.io/outposts-labs/outposts")
        .assert_mentions(
            "doesn't match any of the checksums previously recorded in the dependency lock file",
        );
}

#[test]
fn a_network_mirror_over_https_installs_with_its_hashes_and_refuses_a_changed_archive() {
    let sim = Sim::fast();
    let scratch = test_support::scratch_dir();
    let release = release(scratch.path());
    let archive = release.archive(&Platform::host()).expect("host archive");
    let root = scratch.path().join("mirror");
    xtask::mirror::write_network_mirror(&release, &root, xtask::mirror::DEFAULT_HOST)
        .expect("network mirror");
    let server = StaticHttps::serve(&root).expect("serve the files over HTTPS");
    let installation = format!(
        "provider_installation {{\n  network_mirror {{\n    url     = \"{}/\"\n    include = [\"registry.terraform.io/outposts-labs/outposts\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/outposts-labs/outposts\"]\n  }}\n}}\n",
        server.base
    );
    let mut ws = workspace(
        &sim,
        "outposts-labs/outposts",
        &format!("= {VERSION}"),
        &installation,
    );
    ws.set_env("SSL_CERT_FILE", &server.ca_file.display().to_string());
    init_and_apply(&ws);
    let lock = lock_file(&ws);
    assert!(lock.contains(&archive.h1), "h1 recorded:\n{lock}");
    // Terraform records the h1 hash of the package it installed from a mirror; the zh
    // hashes VERSION.json also lists are checked but not recorded (a registry's signed
    // checksums are).
    assert!(!lock.contains("zh:"), "{lock}");
    let asked = server.requests();
    for path in [
        "/registry.terraform.io/outposts-labs/outposts/index.json".to_string(),
        format!("/registry.terraform.io/outposts-labs/outposts/{VERSION}.json"),
    ] {
        assert!(asked.contains(&path), "{path} not requested: {asked:?}");
    }

    // An archive that is not the one VERSION.json describes is refused.
    tamper(
        &xtask::mirror::provider_dir(&root, xtask::mirror::DEFAULT_HOST)
            .join(archive.path.file_name().expect("archive name")),
    );
    let mut fresh = workspace(
        &sim,
        "outposts-labs/outposts",
        &format!("= {VERSION}"),
        &installation,
    );
    fresh.set_env("SSL_CERT_FILE", &server.ca_file.display().to_string());
    fresh
        .fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("Failed to install provider")
        .assert_mentions("checksum");
}

#[test]
fn a_private_registry_over_https_installs_a_signed_release_and_refuses_a_bad_signature() {
    let sim = Sim::fast();
    let scratch = test_support::scratch_dir();
    let release = release(scratch.path());
    let archive = release.archive(&Platform::host()).expect("host archive");
    let root = scratch.path().join("registry");
    xtask::mirror::write_registry(&release, &root).expect("registry layout");
    let server = StaticHttps::serve(&root).expect("serve the files over HTTPS");
    let source = format!("{}/outposts-labs/outposts", server.host);
    let installation = "provider_installation {\n  direct {}\n}\n";

    let mut ws = workspace(&sim, &source, &format!(">= {VERSION}"), installation);
    ws.set_env("SSL_CERT_FILE", &server.ca_file.display().to_string());
    init_and_apply(&ws).assert_mentions(&format!(
        "Installed {source} v{VERSION} (self-signed, key ID {})",
        release.key_id()
    ));
    let lock = lock_file(&ws);
    assert!(
        lock.contains(&archive.h1) && lock.contains(&archive.zh),
        "h1 and zh recorded:\n{lock}"
    );
    let asked = server.requests();
    for path in [
        "/.well-known/terraform.json".to_string(),
        "/v1/providers/outposts-labs/outposts/versions".to_string(),
        format!(
            "/v1/providers/outposts-labs/outposts/{VERSION}/download/{}/{}",
            archive.platform.os, archive.platform.arch
        ),
        format!(
            "/v1/providers/outposts-labs/outposts/{VERSION}/files/terraform-provider-outposts_{VERSION}_SHA256SUMS.sig"
        ),
    ] {
        assert!(asked.contains(&path), "{path} not requested: {asked:?}");
    }

    // Checksums signed by another key than the one the registry names are refused.
    let files = root
        .join("v1/providers/outposts-labs/outposts")
        .join(VERSION)
        .join("files");
    let sums = files.join(format!("terraform-provider-outposts_{VERSION}_SHA256SUMS"));
    let signature = files.join(format!(
        "terraform-provider-outposts_{VERSION}_SHA256SUMS.sig"
    ));
    let good_signature = std::fs::read(&signature).expect("signature");
    Signer::throwaway()
        .expect("second key")
        .sign(&sums, &signature)
        .expect("sign with another key");
    let mut forged = workspace(&sim, &source, &format!(">= {VERSION}"), installation);
    forged.set_env("SSL_CERT_FILE", &server.ca_file.display().to_string());
    forged
        .fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("Failed to install provider")
        .assert_mentions("signature");

    // An archive that is not the one the checksums name is refused.
    std::fs::write(&signature, good_signature).expect("restore signature");
    tamper(&files.join(archive.path.file_name().expect("archive name")));
    let mut tampered = workspace(&sim, &source, &format!(">= {VERSION}"), installation);
    tampered.set_env("SSL_CERT_FILE", &server.ca_file.display().to_string());
    tampered
        .fails(&["init", "-input=false", "-no-color"])
        .assert_mentions("Failed to install provider");
    assert!(
        sim.handle.tasks().len() == 1,
        "only the installed provider applied"
    );
}

/// The artifacts are the ones the registries document: names, manifest, checksums.
#[test]
fn the_release_holds_the_files_registries_expect() {
    let scratch = test_support::scratch_dir();
    let release = release(scratch.path());
    let mut names: Vec<String> = std::fs::read_dir(&release.dir)
        .expect("release dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let host = Platform::host();
    let mut expected = vec![
        format!("terraform-provider-outposts_{VERSION}_{}.zip", host.key()),
        format!("terraform-provider-outposts_{VERSION}_manifest.json"),
        format!("terraform-provider-outposts_{VERSION}_SHA256SUMS"),
        format!("terraform-provider-outposts_{VERSION}_SHA256SUMS.sig"),
        format!("terraform-provider-outposts_{VERSION}_signing-key.asc"),
    ];
    expected.sort();
    assert_eq!(names, expected);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&release.manifest).expect("manifest"))
            .expect("manifest JSON");
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
    let root_manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("terraform-registry-manifest.json"),
        )
        .expect("terraform-registry-manifest.json at the root"),
    )
    .expect("root manifest JSON");
    assert_eq!(
        root_manifest, manifest,
        "the released manifest is the repository's"
    );
    let sums = std::fs::read_to_string(&release.sums).expect("sums");
    assert_eq!(sums.lines().count(), 2, "{sums}");
    assert!(sums.contains(release.archives[0].zh.trim_start_matches("zh:")));
    let key = std::fs::read_to_string(&release.public_key).expect("key");
    assert!(
        key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"),
        "{key}"
    );
    // A binary (not armoured) signature.
    let signature = std::fs::read(&release.signature).expect("signature");
    assert!(
        !signature.starts_with(b"-----BEGIN"),
        "the signature is binary"
    );
    // The packaged binary is the provider, and says its version.
    let unpacked = scratch.path().join("unpacked");
    xtask::mirror::write_unpacked_mirror(&release, &unpacked, xtask::mirror::DEFAULT_HOST)
        .expect("unpack");
    let binary = xtask::mirror::provider_dir(&unpacked, xtask::mirror::DEFAULT_HOST)
        .join(VERSION)
        .join(host.key())
        .join(format!("terraform-provider-outposts_v{VERSION}"));
    let output = std::process::Command::new(&binary)
        .arg("--version")
        .output()
        .expect("run the packaged provider");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("terraform-provider-outposts {VERSION}")
    );
}
