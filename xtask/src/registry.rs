//! The platform team's private registry as static files: one directory that holds both
//! the provider (`providers.v1`, written by [`crate::mirror::write_registry`]) and the
//! shared module (`modules.v1`, written by [`publish_module`]), for any HTTPS server to
//! serve — `cargo xtask registry serve` does on loopback.
//!
//! ```text
//! .well-known/terraform.json                    both services, always
//! v1/providers/outposts-labs/outposts/…         the provider registry protocol
//! v1/modules/platform/outpost-capacity/outposts/
//!   versions                                    {"modules":[{"versions":[{"version":…}]}]}
//!   1.0.0/download                              {"location":"./outpost-capacity-1.0.0.tar.gz?checksum=sha256:…"}
//!   1.0.0/outpost-capacity-1.0.0.tar.gz         the module package
//! ```
//!
//! Terraform reads a module's package location only from the `X-Terraform-Get` header
//! of the `download` answer, which the server takes from the `download` file; the JSON
//! body is what OpenTofu also accepts. The location is relative (resolved against the
//! `download` URL) so the files work on any host, and carries go-getter's `checksum`
//! parameter, so a package that is not the one published is refused.

use anyhow::{Context, bail};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The registry host of the platform team's source addresses.
pub const HOST: &str = "registry.platform.internal";
/// The services' paths under the registry's base URL.
pub const MODULES_PATH: &str = "/v1/modules/";
pub const PROVIDERS_PATH: &str = "/v1/providers/";

/// A module's registry address below the host: `NAMESPACE/NAME/SYSTEM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleAddress {
    pub namespace: &'static str,
    pub name: &'static str,
    pub system: &'static str,
}

/// The shared module, `registry.platform.internal/platform/outpost-capacity/outposts`.
pub const OUTPOST_CAPACITY: ModuleAddress = ModuleAddress {
    namespace: "platform",
    name: "outpost-capacity",
    system: "outposts",
};

/// Where `cargo xtask module-release` packs the shared module from by default,
/// relative to the repository root.
pub const OUTPOST_CAPACITY_SOURCE: &str = "examples/modules/outpost-capacity";

impl ModuleAddress {
    /// `HOST/NAMESPACE/NAME/SYSTEM`, as a `module` block's `source`.
    pub fn source(&self) -> String {
        format!("{HOST}/{self}")
    }

    /// `DIR/v1/modules/NAMESPACE/NAME/SYSTEM`.
    pub fn dir(&self, registry: &Path) -> PathBuf {
        registry
            .join(MODULES_PATH.trim_matches('/'))
            .join(self.namespace)
            .join(self.name)
            .join(self.system)
    }

    /// `NAME-VERSION.tar.gz`.
    pub fn package_name(&self, version: &str) -> String {
        format!("{}-{version}.tar.gz", self.name)
    }
}

impl std::fmt::Display for ModuleAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.namespace, self.name, self.system)
    }
}

/// The Terraform CLI configuration that sends both module and provider installation
/// for [`HOST`] to the registry served at `base` (`https://localhost:PORT`), without
/// service discovery: Terraform's `host` block forces the host's services.
pub fn cli_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    format!(
        "# Terraform installs {HOST}'s modules and providers from {base}.\n\
         host \"{HOST}\" {{\n  services = {{\n    \
         \"modules.v1\"   = \"{base}{MODULES_PATH}\",\n    \
         \"providers.v1\" = \"{base}{PROVIDERS_PATH}\",\n  }}\n}}\n"
    )
}

/// Writes `.well-known/terraform.json`, which names both services whatever the
/// directory holds yet, so publishing one kind never hides the other.
pub fn write_discovery(registry: &Path) -> anyhow::Result<()> {
    let document = serde_json::to_string_pretty(&json!({
        "modules.v1": MODULES_PATH,
        "providers.v1": PROVIDERS_PATH,
    }))?;
    write_atomically(
        &registry.join(".well-known/terraform.json"),
        format!("{document}\n").as_bytes(),
    )
}

/// Writes `content` to a temporary file beside `path`, then renames it into place:
/// a server never serves half a file.
pub(crate) fn write_atomically(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    file.write_all(content)
        .with_context(|| format!("writing {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Names never packed, at any depth: Terraform's working directory and state, the
/// dependency lock file, version control.
fn excluded(name: &str) -> bool {
    matches!(
        name,
        ".terraform" | ".terraform.lock.hcl" | ".terraform.tfstate.lock.info" | ".git"
    ) || name.ends_with(".tfstate")
        || name.contains(".tfstate.")
}

/// Every packed modification time: 2000-01-01T00:00:00Z (go-getter keeps the
/// archive's times when it unpacks, and a time of 0 would be replaced by "now").
const PACKED_MTIME: u64 = 946_684_800;

/// One file or directory of a module package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedEntry {
    /// Relative, `/`-separated; directories end with `/`.
    pub path: String,
    pub mode: u32,
    pub content: Vec<u8>,
}

/// The files and directories under `dir` that a package holds, sorted by path.
fn collect(dir: &Path, prefix: &str, entries: &mut Vec<PackedEntry>) -> anyhow::Result<()> {
    let listing = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for item in listing {
        let item = item.with_context(|| format!("reading {}", dir.display()))?;
        let path = item.path();
        let Some(name) = item.file_name().to_str().map(str::to_string) else {
            bail!(
                "{} is not a UTF-8 name: a module package holds portable names only",
                path.display()
            );
        };
        if excluded(&name) {
            continue;
        }
        let kind = item
            .file_type()
            .with_context(|| format!("reading {}", path.display()))?;
        let relative = format!("{prefix}{name}");
        if kind.is_dir() {
            entries.push(PackedEntry {
                path: format!("{relative}/"),
                mode: 0o755,
                content: Vec::new(),
            });
            collect(&path, &format!("{relative}/"), entries)?;
        } else if kind.is_file() {
            let content =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            entries.push(PackedEntry {
                path: relative,
                mode: if executable(&item)? { 0o755 } else { 0o644 },
                content,
            });
        } else {
            bail!(
                "{} is neither a file nor a directory (a symbolic link?): a module package \
                 holds only files and directories",
                path.display()
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn executable(item: &std::fs::DirEntry) -> anyhow::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    Ok(item.metadata()?.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(_: &std::fs::DirEntry) -> anyhow::Result<bool> {
    Ok(false)
}

/// The module under `dir` as a `.tar.gz` that depends on nothing but the files' names,
/// contents and executable bits: entries sorted by path, one modification time, owner
/// and group 0 without names, no gzip time or name. `.terraform`, state and lock
/// files are left out.
pub fn pack_module(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let mut entries = Vec::new();
    collect(dir, "", &mut entries)?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let has_configuration = entries.iter().any(|e| {
        !e.path.contains('/') && (e.path.ends_with(".tf") || e.path.ends_with(".tf.json"))
    });
    if !has_configuration {
        bail!(
            "{} holds no .tf or .tf.json file: it is not a Terraform module",
            dir.display()
        );
    }
    let gzip = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    for entry in &entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(if entry.path.ends_with('/') {
            tar::EntryType::Directory
        } else {
            tar::EntryType::Regular
        });
        header.set_mode(entry.mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(PACKED_MTIME);
        header.set_size(entry.content.len() as u64);
        tar.append_data(&mut header, &entry.path, entry.content.as_slice())
            .with_context(|| format!("packing {}", entry.path))?;
    }
    let gzip = tar.into_inner().context("finishing the tar stream")?;
    gzip.finish().context("finishing the gzip stream")
}

/// The entries of a package [`pack_module`] made, in order.
pub fn unpack_entries(package: &[u8]) -> anyhow::Result<Vec<PackedEntry>> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(package));
    let mut entries = Vec::new();
    for entry in archive.entries().context("reading the package")? {
        let mut entry = entry.context("reading the package")?;
        let mut path = entry
            .path()
            .context("an entry's name")?
            .to_string_lossy()
            .into_owned();
        if entry.header().entry_type().is_dir() && !path.ends_with('/') {
            path.push('/');
        }
        let mode = entry.header().mode().context("an entry's mode")?;
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .with_context(|| format!("reading {path} from the package"))?;
        entries.push(PackedEntry {
            path,
            mode,
            content,
        });
    }
    Ok(entries)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What [`publish_module`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The version is new: its package, `download` and `versions` entry were written.
    Published,
    /// The version was there already with the same files: nothing changed.
    Unchanged,
}

/// A version of a module in a registry directory.
#[derive(Debug, Clone)]
pub struct PublishedModule {
    pub outcome: Outcome,
    pub version: String,
    /// The package file.
    pub package: PathBuf,
    /// The package's SHA-256, hex, as the `download` location's checksum names it.
    pub sha256: String,
    /// Every version the registry now lists for the module, oldest first.
    pub versions: Vec<String>,
}

/// Packs the module under `from` and publishes it as `version` of `module` in the
/// registry directory `registry`, keeping the versions already there. Publishing a
/// version again with the same files changes nothing; with different files it is
/// refused: teams that installed the version must keep getting what they got.
pub fn publish_module(
    registry: &Path,
    module: &ModuleAddress,
    version: &str,
    from: &Path,
) -> anyhow::Result<PublishedModule> {
    let parsed = semver::Version::parse(version).with_context(|| {
        format!("{version:?} is not a version: give MAJOR.MINOR.PATCH, such as 1.2.0")
    })?;
    if !parsed.build.is_empty() {
        bail!(
            "{version:?} has build metadata (+{}), which Terraform ignores when it compares \
             versions: give MAJOR.MINOR.PATCH, such as 1.2.0",
            parsed.build
        );
    }
    let version = parsed.to_string();
    let packed = pack_module(from)?;
    let module_dir = module.dir(registry);
    let version_dir = module_dir.join(&version);
    let package = version_dir.join(module.package_name(&version));
    let existing = match std::fs::read(&package) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", package.display())),
    };
    let (outcome, bytes) = match existing {
        // Compared by the files inside, not the compressed bytes, which another build
        // of the compressor may make differently.
        Some(existing) => {
            let files = unpack_entries(&packed)?;
            let same = unpack_entries(&existing).is_ok_and(|published| published == files);
            if !same {
                bail!(
                    "{module} {version} is already published in {} with other files \
                     (sha256:{}): a published version never changes, so teams that \
                     installed it keep what they reviewed. Publish the change as a new \
                     version.",
                    registry.display(),
                    sha256_hex(&existing)
                );
            }
            (Outcome::Unchanged, existing)
        }
        None => (Outcome::Published, packed),
    };
    let sha256 = sha256_hex(&bytes);
    if outcome == Outcome::Published {
        write_atomically(&package, &bytes)?;
    }
    // Rewritten when unchanged too: a publication interrupted before them is completed.
    let download = json!({
        "location": format!("./{}?checksum=sha256:{sha256}", module.package_name(&version)),
    });
    write_atomically(
        &version_dir.join("download"),
        format!("{}\n", serde_json::to_string_pretty(&download)?).as_bytes(),
    )?;
    let versions = add_version(&module_dir.join("versions"), &parsed)?;
    write_discovery(registry)?;
    Ok(PublishedModule {
        outcome,
        version,
        package,
        sha256,
        versions,
    })
}

/// Adds `version` to the module registry protocol's `versions` answer at `path`,
/// keeping the versions listed there, and returns them all, oldest first.
fn add_version(path: &Path, version: &semver::Version) -> anyhow::Result<Vec<String>> {
    let mut versions = vec![version.clone()];
    match std::fs::read(path) {
        Ok(bytes) => {
            let listed: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} is not a versions answer; fix or remove it first",
                    path.display()
                )
            })?;
            let entries = listed["modules"][0]["versions"]
                .as_array()
                .with_context(|| {
                    format!(
                        "{} has no modules[0].versions list; fix or remove it first",
                        path.display()
                    )
                })?;
            for entry in entries {
                let text = entry["version"].as_str().with_context(|| {
                    format!("{} lists a version that is not a string", path.display())
                })?;
                versions.push(semver::Version::parse(text).with_context(|| {
                    format!("{} lists {text:?}, which is not a version", path.display())
                })?);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    versions.sort();
    versions.dedup();
    let listed: Vec<_> = versions
        .iter()
        .map(|v| json!({ "version": v.to_string() }))
        .collect();
    let answer = json!({ "modules": [{ "versions": listed }] });
    write_atomically(
        path,
        format!("{}\n", serde_json::to_string_pretty(&answer)?).as_bytes(),
    )?;
    Ok(versions.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(dir: &Path) {
        std::fs::create_dir_all(dir.join("tests")).expect("module directories");
        std::fs::write(dir.join("main.tf"), "output \"x\" { value = 1 }\n").expect("main.tf");
        std::fs::write(dir.join("tests/x.tftest.hcl"), "run \"x\" {}\n").expect("test file");
    }

    fn paths(package: &[u8]) -> Vec<String> {
        unpack_entries(package)
            .expect("unpack")
            .into_iter()
            .map(|e| e.path)
            .collect()
    }

    #[test]
    fn a_module_package_depends_only_on_the_files_and_leaves_out_terraform_working_files() {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let dir = scratch.path().join("m");
        module(&dir);
        let first = pack_module(&dir).expect("pack");
        // Working files of a developer who ran terraform in the module.
        std::fs::create_dir_all(dir.join(".terraform/modules")).expect(".terraform");
        std::fs::write(dir.join(".terraform/modules/modules.json"), "{}").expect("write");
        std::fs::write(dir.join(".terraform.lock.hcl"), "lock").expect("write");
        std::fs::write(dir.join("terraform.tfstate"), "{}").expect("write");
        std::fs::write(dir.join("terraform.tfstate.backup"), "{}").expect("write");
        std::fs::write(dir.join("tests/other.tfstate"), "{}").expect("write");
        // Files touched again later, with the same content.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("main.tf"), "output \"x\" { value = 1 }\n").expect("main.tf");
        let second = pack_module(&dir).expect("pack again");
        assert_eq!(first, second, "the same files give the same bytes");
        assert_eq!(
            paths(&first),
            ["main.tf", "tests/", "tests/x.tftest.hcl"],
            "sorted, and nothing of terraform's own"
        );
        let entries = unpack_entries(&first).expect("unpack");
        assert_eq!(entries[0].mode, 0o644);
        assert_eq!(entries[1].mode, 0o755);
        // No gzip modification time, the "unknown" OS: nothing of the machine.
        assert_eq!(&first[4..8], &[0, 0, 0, 0]);
        assert_eq!(first[9], 255);

        std::fs::write(dir.join("outputs.tf"), "output \"y\" { value = 2 }\n").expect("write");
        assert_ne!(pack_module(&dir).expect("pack"), first, "a new file counts");
    }

    #[test]
    fn a_directory_without_configuration_or_with_a_symlink_is_refused() {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let error = pack_module(scratch.path()).expect_err("no .tf file");
        assert!(
            format!("{error:#}").contains("it is not a Terraform module"),
            "{error:#}"
        );
        #[cfg(unix)]
        {
            module(scratch.path());
            std::os::unix::fs::symlink("/etc/hostname", scratch.path().join("link.tf"))
                .expect("symlink");
            let error = pack_module(scratch.path()).expect_err("a symlink");
            assert!(
                format!("{error:#}").contains("link.tf is neither a file nor a directory"),
                "{error:#}"
            );
        }
    }

    #[test]
    fn publishing_keeps_older_versions_and_never_changes_a_published_one() {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let registry = scratch.path().join("registry");
        let dir = scratch.path().join("m");
        module(&dir);
        let first =
            publish_module(&registry, &OUTPOST_CAPACITY, "1.0.0", &dir).expect("publish 1.0.0");
        assert_eq!(first.outcome, Outcome::Published);
        let package = std::fs::read(&first.package).expect("package");
        assert_eq!(sha256_hex(&package), first.sha256);

        std::fs::write(dir.join("extra.tf"), "output \"y\" { value = 2 }\n").expect("write");
        let second =
            publish_module(&registry, &OUTPOST_CAPACITY, "1.1.0", &dir).expect("publish 1.1.0");
        assert_eq!(second.versions, ["1.0.0", "1.1.0"]);
        let refused = publish_module(&registry, &OUTPOST_CAPACITY, "1.0.0", &dir)
            .expect_err("1.0.0 with other files");
        assert!(
            format!("{refused:#}").contains("already published")
                && format!("{refused:#}").contains("Publish the change as a new version"),
            "{refused:#}"
        );
        assert_eq!(
            std::fs::read(&first.package).expect("package"),
            package,
            "the refused publication left 1.0.0 alone"
        );
        let again =
            publish_module(&registry, &OUTPOST_CAPACITY, "1.1.0", &dir).expect("publish again");
        assert_eq!(again.outcome, Outcome::Unchanged);
        assert_eq!(again.sha256, second.sha256);

        let base = registry.join("v1/modules/platform/outpost-capacity/outposts");
        let versions: serde_json::Value =
            serde_json::from_slice(&std::fs::read(base.join("versions")).expect("versions"))
                .expect("versions JSON");
        assert_eq!(
            versions,
            json!({"modules": [{"versions": [{"version": "1.0.0"}, {"version": "1.1.0"}]}]})
        );
        let download: serde_json::Value =
            serde_json::from_slice(&std::fs::read(base.join("1.1.0/download")).expect("download"))
                .expect("download JSON");
        assert_eq!(
            download,
            json!({"location": format!("./outpost-capacity-1.1.0.tar.gz?checksum=sha256:{}", second.sha256)})
        );
        let discovery: serde_json::Value = serde_json::from_slice(
            &std::fs::read(registry.join(".well-known/terraform.json")).expect("discovery"),
        )
        .expect("discovery JSON");
        assert_eq!(
            discovery,
            json!({"modules.v1": "/v1/modules/", "providers.v1": "/v1/providers/"})
        );

        for bad in ["1.0", "v1.2.0", "1.0.0+build.1", ""] {
            assert!(
                publish_module(&registry, &OUTPOST_CAPACITY, bad, &dir).is_err(),
                "{bad:?} is refused"
            );
        }
    }

    #[test]
    fn the_cli_configuration_sends_both_services_of_the_registry_host_to_the_server() {
        assert_eq!(
            cli_config("https://localhost:8443/"),
            "# Terraform installs registry.platform.internal's modules and providers from https://localhost:8443.\n\
             host \"registry.platform.internal\" {\n  services = {\n    \
             \"modules.v1\"   = \"https://localhost:8443/v1/modules/\",\n    \
             \"providers.v1\" = \"https://localhost:8443/v1/providers/\",\n  }\n}\n"
        );
        assert_eq!(
            OUTPOST_CAPACITY.source(),
            "registry.platform.internal/platform/outpost-capacity/outposts"
        );
    }
}
