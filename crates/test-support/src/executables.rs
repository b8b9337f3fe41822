//! The executables of the workspace's packages, as this build made them.
//!
//! A test reaches its own package's binaries with `env!("CARGO_BIN_EXE_<name>")`; cargo
//! builds those for it. Another package's binaries and examples it has to ask cargo for.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace's root, where its `Cargo.toml` is (this crate is `crates/test-support`).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/test-support lies two levels below the workspace root")
}

/// The executable of the binary target `name` of any package of the workspace
/// (`outposts-simulator`, `xtask`, …), as this build made it.
///
/// # Panics
///
/// When cargo cannot build the workspace, or it has no binary target `name`: the
/// message holds cargo's errors or the binaries it has.
pub fn workspace_binary(name: &str) -> PathBuf {
    executable("bin", name)
}

/// The executable of the example `name` of any package of the workspace (tfplugin's
/// `notes`, say), as this build made it. Panics as [`workspace_binary`] does.
pub fn workspace_example(name: &str) -> PathBuf {
    executable("example", name)
}

/// One executable cargo reported.
#[derive(Debug, PartialEq)]
struct Executable {
    /// The target's kind: `bin`, `example`, …
    kind: String,
    name: String,
    path: PathBuf,
}

fn executable(kind: &str, name: &str) -> PathBuf {
    static BUILT: OnceLock<Vec<Executable>> = OnceLock::new();
    let built = BUILT.get_or_init(build);
    // The last message for a target is the one that counts.
    if let Some(found) = built
        .iter()
        .rev()
        .find(|e| e.kind == kind && e.name == name)
    {
        return found.path.clone();
    }
    let mut known: Vec<&str> = built
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.name.as_str())
        .collect();
    known.sort_unstable();
    known.dedup();
    panic!(
        "the workspace has no {kind} target named {name:?}; cargo built these: {}",
        known.join(", ")
    )
}

/// Builds every target of the workspace, the way its test run does (from the root,
/// `--all-targets`), and returns the executables cargo names. After that run this is
/// a no-op; a narrower build (`--bin NAME`, one package) would unify features
/// differently and rebuild much of the dependency tree.
fn build() -> Vec<Executable> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = workspace_root();
    let output = Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--all-targets",
            "--message-format",
            "json",
        ])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run {cargo} to build the workspace's targets in {}: {e}; \
                 set CARGO to the cargo binary",
                root.display()
            )
        });
    assert!(
        output.status.success(),
        "building the workspace's targets (cargo build --all-targets in {}) failed:\n{}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    executables_in(&String::from_utf8_lossy(&output.stdout))
}

/// The executables named in cargo's JSON messages, in their order: no test harness
/// built from a target, only the target's own executable.
fn executables_in(messages: &str) -> Vec<Executable> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == false)
        .filter_map(|m| {
            Some(Executable {
                kind: m["target"]["kind"][0].as_str()?.to_string(),
                name: m["target"]["name"].as_str()?.to_string(),
                path: PathBuf::from(m["executable"].as_str()?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(kind: &str, name: &str, test: bool, executable: Option<&str>) -> String {
        serde_json::json!({
            "reason": "compiler-artifact",
            "target": { "kind": [kind], "name": name },
            "profile": { "test": test },
            "executable": executable,
        })
        .to_string()
    }

    #[test]
    fn only_the_targets_own_executables_are_taken_from_cargos_messages() {
        let messages = [
            artifact("lib", "tfplugin", false, None),
            artifact("bin", "xtask", true, Some("/t/debug/deps/xtask-0a1b")),
            artifact("bin", "xtask", false, Some("/t/debug/xtask")),
            artifact("example", "notes", false, Some("/t/debug/examples/notes")),
            r#"{"reason":"build-finished","success":true}"#.to_string(),
            "not json".to_string(),
        ]
        .join("\n");
        let executable = |kind: &str, name: &str, path: &str| Executable {
            kind: kind.into(),
            name: name.into(),
            path: path.into(),
        };
        assert_eq!(
            executables_in(&messages),
            [
                executable("bin", "xtask", "/t/debug/xtask"),
                executable("example", "notes", "/t/debug/examples/notes"),
            ]
        );
    }

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml"))
            .expect("the workspace's Cargo.toml");
        assert!(manifest.contains("[workspace]"), "{manifest}");
    }

    /// Builds the workspace's targets: a no-op after the workspace's test run built them.
    #[test]
    fn a_binary_of_another_package_is_found_and_an_unknown_one_is_named() {
        let xtask = workspace_binary("xtask");
        assert!(xtask.is_file(), "{} is not a file", xtask.display());
        let unknown = std::panic::catch_unwind(|| workspace_binary("no-such-binary"))
            .expect_err("no such binary");
        let message = unknown
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        assert!(
            message.contains("no bin target named \"no-such-binary\"") && message.contains("xtask"),
            "{message}"
        );
    }
}
