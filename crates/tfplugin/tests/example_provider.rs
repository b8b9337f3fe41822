//! The example provider (`examples/notes.rs`) under the real `terraform` CLI: a
//! resource created, changed in place and destroyed, a data source read, and a
//! provider-defined function called, through the whole protocol stack.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn terraform() -> PathBuf {
    if let Some(path) = std::env::var_os("TERRAFORM").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("terraform"))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| {
            panic!("this test needs the terraform CLI (1.8+): put it on PATH or set TERRAFORM")
        })
}

/// The example's executable. It is built the way the workspace's test run builds every
/// target (from the workspace root, all targets), so when that run already built it this
/// is a no-op; a narrower build would unify features differently and rebuild half the
/// dependency tree.
fn example_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--all-targets",
            "--message-format",
            "json",
        ])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("could not run {cargo}: {e}"));
    assert!(
        output.status.success(),
        "building the workspace's targets failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // cargo names the executables it built (or found fresh) in its JSON messages.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == "notes" && m["target"]["kind"][0] == "example")
        .filter(|m| m["profile"]["test"] == false)
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back()
        .expect("cargo reported the example's executable")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(terraform());
    for (key, _) in std::env::vars() {
        if key.starts_with("TF_") {
            command.env_remove(&key);
        }
    }
    command
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .expect("terraform runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = run(dir, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{text}"
    );
    text
}

#[test]
fn the_notes_example_works_under_terraform() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    std::fs::copy(example_binary(), bin.join("terraform-provider-notes")).expect("copy");
    std::fs::write(
        dir.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/example/notes\" = {:?}\n  }}\n  direct {{}}\n}}\n",
            bin.display().to_string()
        ),
    )
    .expect("CLI config");
    let config = |body: &str| {
        format!(
            r#"terraform {{
  required_providers {{
    notes = {{ source = "example/notes" }}
  }}
}}
provider "notes" {{
  prefix = "n-"
}}
resource "notes_note" "hello" {{
  title = "Hello World"
  body  = "{body}"
}}
data "notes_greeting" "me" {{
  name = "Ada"
}}
output "id" {{ value = notes_note.hello.id }}
output "greeting" {{ value = data.notes_greeting.me.message }}
output "slug" {{ value = provider::notes::slug("Capacity Tasks, Rust!") }}
"#
        )
    };
    std::fs::write(dir.path().join("main.tf"), config("first")).expect("write config");
    let applied = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    for expected in [
        "id = \"n-hello-world\"",
        "greeting = \"Hello, Ada!\"",
        "slug = \"capacity-tasks-rust\"",
    ] {
        assert!(applied.contains(expected), "{expected} missing:\n{applied}");
    }
    std::fs::write(dir.path().join("main.tf"), config("second")).expect("write config");
    let changed = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(
        changed.contains("0 added, 1 changed, 0 destroyed"),
        "{changed}"
    );
    let plan = run(dir.path(), &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "the plan after apply is not empty"
    );

    // A function's argument error points at the argument.
    std::fs::write(
        dir.path().join("main.tf"),
        config("second").replace("\"Capacity Tasks, Rust!\"", "\"--\""),
    )
    .expect("write config");
    let refused = run(dir.path(), &["plan", "-no-color"]);
    let text = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(text.contains("text has no letters or digits"), "{text}");
    std::fs::write(dir.path().join("main.tf"), config("second")).expect("write config");
    ok(dir.path(), &["destroy", "-auto-approve", "-no-color"]);
}
