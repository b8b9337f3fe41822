//! The example providers under the real `terraform` CLI, through the whole protocol
//! stack: `examples/notes/` (a resource created, changed in place, imported, written
//! again after a deletion behind Terraform's back, replaced and destroyed, its schema's
//! validators, default and equivalence at work) and `examples/inventory.rs` (a
//! validated provider block, a data source and a provider-defined function).

use std::path::Path;
use std::process::{Command, Output};
use test_support::{isolate_env, scratch_dir, terraform_binary, workspace_example};

/// A scratch directory where Terraform runs the example `name` as the provider
/// `example/<name>`, through a `dev_overrides` CLI configuration.
fn install(name: &str) -> tempfile::TempDir {
    let dir = scratch_dir();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    std::fs::copy(
        workspace_example(name),
        bin.join(format!("terraform-provider-{name}")),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/example/{name}\" = {:?}\n  }}\n  direct {{}}\n}}\n",
            bin.display().to_string()
        ),
    )
    .expect("CLI config");
    dir
}

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

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = run(dir, args);
    let text = text(&output);
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{text}"
    );
    text
}

/// `terraform plan` of a configuration Terraform must refuse; what it said.
fn refused(dir: &Path) -> String {
    let output = run(dir, &["plan", "-no-color"]);
    let text = text(&output);
    assert!(!output.status.success(), "the plan passed:\n{text}");
    text
}

/// Whether the plan is empty.
fn plan_is_empty(dir: &Path) -> bool {
    let plan = run(dir, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_ne!(plan.status.code(), Some(1), "{}", text(&plan));
    plan.status.code() == Some(0)
}

#[test]
fn the_notes_example_works_under_terraform() {
    let dir = install("notes");
    let store = dir.path().join("store");
    let write = |title: &str, body: &str, extra: &str| {
        let config = format!(
            r#"terraform {{
  required_providers {{
    notes = {{ source = "example/notes" }}
  }}
}}
provider "notes" {{
  directory = {store:?}
}}
resource "notes_note" "hello" {{
  title = "{title}"
  body  = "{body}"
{extra}
}}
output "id" {{ value = notes_note.hello.id }}
output "format" {{ value = notes_note.hello.format }}
"#,
            store = store.display().to_string(),
        );
        std::fs::write(dir.path().join("main.tf"), config).expect("write config");
    };

    // Created: the ID is the title's slug, the format its default.
    write("Hello World", "first", r#"  tags = ["b", "a"]"#);
    let plan = ok(dir.path(), &["plan", "-no-color"]);
    assert!(plan.contains(r#"+ id     = "hello-world""#), "{plan}");
    assert!(plan.contains(r#"+ format = "plain""#), "{plan}");
    let applied = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    for expected in ["id = \"hello-world\"", "format = \"plain\""] {
        assert!(applied.contains(expected), "{expected} missing:\n{applied}");
    }
    assert!(store.join("hello-world.json").exists());

    // A new body changes the note in place; the tags in another order are no change.
    write("Hello World", "second", r#"  tags = ["a", "b"]"#);
    let changed = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(
        changed.contains("0 added, 1 changed, 0 destroyed"),
        "{changed}"
    );
    assert!(
        plan_is_empty(dir.path()),
        "the plan after apply is not empty"
    );

    // Validators report at the attribute they concern.
    write("Hello World", "second", r#"  format = "html""#);
    let text = refused(dir.path());
    assert!(text.contains(r#""html" is not one of plain"#), "{text}");
    assert!(
        text.contains(r#"format = "html""#),
        "not at the attribute:\n{text}"
    );
    write("Hello World", "second", r#"  tags = ["a", "a"]"#);
    let text = refused(dir.path());
    assert!(text.contains("Duplicate tags entry"), "{text}");

    // Imported by ID: the read that follows fills in the rest from the file.
    write("Hello World", "second", r#"  tags = ["a", "b"]"#);
    ok(dir.path(), &["state", "rm", "notes_note.hello"]);
    ok(
        dir.path(),
        &["import", "-no-color", "notes_note.hello", "hello-world"],
    );
    assert!(
        plan_is_empty(dir.path()),
        "the plan after import is not empty"
    );

    // Deleted behind Terraform's back: the read drops it and apply writes it again.
    std::fs::remove_file(store.join("hello-world.json")).expect("remove the note");
    let recreated = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(
        recreated.contains("1 added, 0 changed, 0 destroyed"),
        "{recreated}"
    );

    // A new title is a new note.
    write("Goodbye", "second", r#"  tags = ["a", "b"]"#);
    let replaced = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(
        replaced.contains("1 added, 0 changed, 1 destroyed"),
        "{replaced}"
    );
    assert!(store.join("goodbye.json").exists());
    assert!(!store.join("hello-world.json").exists());

    ok(dir.path(), &["destroy", "-auto-approve", "-no-color"]);
    assert!(!store.join("goodbye.json").exists());
}

#[test]
fn the_inventory_example_works_under_terraform() {
    let dir = install("inventory");
    let write_with = |warehouse: &str, category: &str, number: &str, hold: &str| {
        let config = format!(
            r#"terraform {{
  required_providers {{
    inventory = {{ source = "example/inventory" }}
  }}
}}
provider "inventory" {{
  warehouse = "{warehouse}"
}}
data "inventory_item" "hammer" {{
  sku = provider::inventory::sku("{category}", {number})
  {hold}
}}
output "sku" {{ value = data.inventory_item.hammer.sku }}
output "name" {{ value = data.inventory_item.hammer.name }}
output "quantity" {{ value = data.inventory_item.hammer.quantity }}
output "available" {{ value = data.inventory_item.hammer.available }}
output "first_bin" {{ value = data.inventory_item.hammer.bins[0].shelf }}
"#
        );
        std::fs::write(dir.path().join("main.tf"), config).expect("write config");
    };
    let write =
        |warehouse: &str, category: &str, number: &str| write_with(warehouse, category, number, "");

    write("north", "tools", "42");
    let applied = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    for expected in [
        "sku = \"TOOLS-0042\"",
        "name = \"Claw hammer\"",
        "quantity = 12",
    ] {
        assert!(applied.contains(expected), "{expected} missing:\n{applied}");
    }
    write("south", "tools", "42");
    let applied = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(applied.contains("quantity = 3"), "{applied}");

    // Nested attributes: an optional object argument, a computed list of objects.
    write_with(
        "north",
        "tools",
        "42",
        r#"hold = { quantity = 5, reason = "repairs" }"#,
    );
    let applied = ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(applied.contains("available = 7"), "{applied}");
    assert!(applied.contains("first_bin = \"T1\""), "{applied}");
    // A nested attribute's validator reports on `hold.quantity`; Terraform 1.11 shows
    // the data block for a path into an object value.
    write_with("north", "tools", "42", "hold = { quantity = 500 }");
    let text = refused(dir.path());
    assert!(
        text.contains("quantity must be a whole number from 1 to 100, got 500"),
        "{text}"
    );

    // The provider block's validator.
    write("west", "tools", "42");
    let text = refused(dir.path());
    assert!(text.contains(r#""west" is not one of north"#), "{text}");
    // A function's argument error points at the argument.
    write("north", "tools", "10000");
    let text = refused(dir.path());
    assert!(text.contains("number must be from 1 to 9999"), "{text}");
    // The data source's own error, at its attribute.
    write("north", "tools", "7");
    let text = refused(dir.path());
    assert!(
        text.contains("TOOLS-0007 is not in the catalogue"),
        "{text}"
    );
}
