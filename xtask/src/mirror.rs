//! The ways Terraform installs a provider without the public registry, as static
//! files any web server (or a directory) can serve:
//! - a filesystem mirror, packed (the zips) or unpacked (the binary per platform);
//! - a network mirror (`index.json`, `VERSION.json` with `h1:`/`zh:` hashes, zips),
//!   which is also a valid packed filesystem mirror;
//! - a provider registry (service discovery, `versions`, `download` answers with the
//!   checksums, their signature and the public key), for `terraform init` against a
//!   private registry host; the same directory can hold modules (crate::registry).

use crate::release::{NAME, PROTOCOL, Release, binary_name};
use anyhow::Context;
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The registry namespace and type of the provider.
pub const NAMESPACE: &str = "outposts-labs";
pub const TYPE: &str = "outposts";
/// The hostname of the provider's source address in configurations
/// (`outposts-labs/outposts` means `registry.terraform.io/outposts-labs/outposts`).
pub const DEFAULT_HOST: &str = "registry.terraform.io";

fn file_name(path: &Path) -> anyhow::Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("no file name in {}", path.display()))
}

fn write(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}

/// `DIR/HOST/NAMESPACE/TYPE`, where mirrors keep a provider.
pub fn provider_dir(dir: &Path, host: &str) -> PathBuf {
    dir.join(host).join(NAMESPACE).join(TYPE)
}

/// A packed filesystem mirror that is also a network mirror: the zips, `index.json`
/// and `VERSION.json` under `DIR/HOST/outposts-labs/outposts/`.
pub fn write_network_mirror(release: &Release, dir: &Path, host: &str) -> anyhow::Result<PathBuf> {
    let base = provider_dir(dir, host);
    std::fs::create_dir_all(&base)?;
    let mut archives = serde_json::Map::new();
    for archive in &release.archives {
        let name = file_name(&archive.path)?;
        std::fs::copy(&archive.path, base.join(name))?;
        archives.insert(
            archive.platform.key(),
            json!({ "url": name, "hashes": [archive.h1, archive.zh] }),
        );
    }
    write(
        &base.join("index.json"),
        &serde_json::to_string_pretty(&json!({ "versions": { &release.version: {} } }))?,
    )?;
    write(
        &base.join(format!("{}.json", release.version)),
        &serde_json::to_string_pretty(&json!({ "archives": archives }))?,
    )?;
    Ok(base)
}

/// An unpacked filesystem mirror: `DIR/HOST/outposts-labs/outposts/VERSION/OS_ARCH/`
/// holding the executable.
pub fn write_unpacked_mirror(release: &Release, dir: &Path, host: &str) -> anyhow::Result<PathBuf> {
    let base = provider_dir(dir, host);
    for archive in &release.archives {
        let target = base.join(&release.version).join(archive.platform.key());
        std::fs::create_dir_all(&target)?;
        let file = std::fs::File::open(&archive.path)?;
        let mut zip = zip::ZipArchive::new(file)?;
        let name = binary_name(&release.version, &archive.platform);
        let mut entry = zip
            .by_name(&name)
            .with_context(|| format!("{name} is not in {}", archive.path.display()))?;
        let mut content = Vec::new();
        entry.read_to_end(&mut content)?;
        let path = target.join(&name);
        std::fs::write(&path, content)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(base)
}

/// A static provider registry rooted at `dir`: what a web server at
/// `https://HOST/` must serve for `HOST/outposts-labs/outposts`. Every URL in it is
/// relative, so the same files work on any host name. Other versions of the provider
/// and any modules already in `dir` stay.
pub fn write_registry(release: &Release, dir: &Path) -> anyhow::Result<()> {
    crate::registry::write_discovery(dir)?;
    let base = dir.join("v1/providers").join(NAMESPACE).join(TYPE);
    let platforms: Vec<_> = release
        .archives
        .iter()
        .map(|a| json!({ "os": a.platform.os, "arch": a.platform.arch }))
        .collect();
    let versions = base.join("versions");
    let mut listed = provider_versions(&versions)?;
    listed.retain(|v| v["version"] != release.version.as_str());
    listed.push(json!({
        "version": release.version,
        "protocols": [PROTOCOL],
        "platforms": platforms,
    }));
    write(
        &versions,
        &serde_json::to_string_pretty(&json!({ "versions": listed }))?,
    )?;
    let files = base.join(&release.version).join("files");
    std::fs::create_dir_all(&files)?;
    for path in [&release.sums, &release.signature] {
        std::fs::copy(path, files.join(file_name(path)?))?;
    }
    let key = std::fs::read_to_string(&release.public_key)?;
    let files_url = format!("/v1/providers/{NAMESPACE}/{TYPE}/{}/files", release.version);
    for archive in &release.archives {
        let name = file_name(&archive.path)?;
        std::fs::copy(&archive.path, files.join(name))?;
        let sha = archive.zh.trim_start_matches("zh:");
        write(
            &base
                .join(&release.version)
                .join("download")
                .join(&archive.platform.os)
                .join(&archive.platform.arch),
            &serde_json::to_string_pretty(&json!({
                "protocols": [PROTOCOL],
                "os": archive.platform.os,
                "arch": archive.platform.arch,
                "filename": name,
                "download_url": format!("{files_url}/{name}"),
                "shasums_url": format!("{files_url}/{}", file_name(&release.sums)?),
                "shasums_signature_url": format!("{files_url}/{}", file_name(&release.signature)?),
                "shasum": sha,
                "signing_keys": {
                    "gpg_public_keys": [{
                        "key_id": release.key_id(),
                        "ascii_armor": key,
                        "trust_signature": "",
                        "source": NAME,
                        "source_url": null,
                    }]
                },
            }))?,
        )?;
    }
    Ok(())
}

/// The entries of a provider registry's `versions` answer at `path`; none when there is
/// no such file yet.
fn provider_versions(path: &Path) -> anyhow::Result<Vec<serde_json::Value>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let answer: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON; fix or remove it first", path.display()))?;
    answer["versions"].as_array().cloned().with_context(|| {
        format!(
            "{} has no versions list; fix or remove it first",
            path.display()
        )
    })
}
