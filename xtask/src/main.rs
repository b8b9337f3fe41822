//! `cargo xtask <task>`: repository chores in Rust instead of shell scripts.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "\
cargo xtask <task>

Tasks:
  docs [--check]   regenerate docs/ from the schema Terraform reports and examples/;
                   with --check, fail when docs/ is out of date instead";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("docs") => docs(args.iter().skip(1).any(|a| a == "--check")),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n\n{USAGE}"),
    }
}

/// The repository root: xtask lives one level below it.
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn terraform() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("TERRAFORM").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("terraform"))
                .find(|candidate| candidate.is_file())
        })
        .context("the terraform CLI is needed to read the provider schema: install Terraform 1.11+ on PATH or set TERRAFORM")
}

fn docs(check: bool) -> anyhow::Result<()> {
    let root = root();
    let status = Command::new(cargo())
        .args(["build", "--quiet", "--bin", "terraform-provider-outposts"])
        .current_dir(&root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("building the provider failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let schema = xtask::docs::provider_schema(&terraform()?, &target.join("debug"))?;
    let expected = xtask::docs::render_all(&schema, &root.join("examples"));
    let stale = xtask::docs::stale(&root, &expected);
    if check {
        if !stale.is_empty() {
            bail!("docs/ is out of date: {stale:?}; run cargo xtask docs");
        }
        println!("docs/ is up to date ({} files)", expected.len());
        return Ok(());
    }
    for (path, content) in &expected {
        if stale.contains(path) {
            let path = root.join(path);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, content)?;
            println!("wrote {}", path.display());
        }
    }
    if stale.is_empty() {
        println!("docs/ is up to date ({} files)", expected.len());
    }
    Ok(())
}
