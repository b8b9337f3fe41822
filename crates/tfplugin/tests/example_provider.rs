//! The example provider (`examples/notes.rs`) under the real `terraform` CLI: a
//! resource created, changed in place and destroyed, a data source read, and a
//! provider-defined function called, through the whole protocol stack.

use std::path::Path;
use std::process::{Command, Output};
use test_support::{isolate_env, scratch_dir, terraform_binary, workspace_example};

fn run(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(terraform_binary());
    isolate_env(&mut command, &[]);
    command
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
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
    let dir = scratch_dir();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    std::fs::copy(
        workspace_example("notes"),
        bin.join("terraform-provider-notes"),
    )
    .expect("copy");
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
