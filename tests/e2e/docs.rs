//! The reference docs in `docs/` are generated from the schema Terraform itself reports
//! plus the files in `examples/` (`cargo xtask docs`). This test fails when they drift.

use crate::harness::Workspace;
use std::path::PathBuf;

#[test]
fn generated_docs_match_the_schema() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The schema of the provider binary this test run built, read by terraform.
    let ws = Workspace::new("provider \"outposts\" {}\n");
    let run = ws.ok(&["providers", "schema", "-json"]);
    let mut schema: serde_json::Value = serde_json::from_str(&run.stdout()).expect("schema JSON");
    // Terraform 1.11 does not print list resources, actions or identities.
    xtask::docs::add_newer_schemas(&mut schema, &crate::harness::provider_binary())
        .expect("the provider's -schemas-json");
    let expected = xtask::docs::render_all(&schema, &root.join("examples"));
    let stale = xtask::docs::stale(&root, &expected);
    assert!(
        stale.is_empty(),
        "docs are out of date with the schema: {stale:?}\nregenerate with: cargo xtask docs"
    );
}

/// Every page under docs/, generated or written by hand, opens with the front matter the
/// Terraform Registry reads (page_title, subcategory, description).
#[test]
fn every_docs_page_has_registry_front_matter() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let invalid = xtask::docs::check_docs(&root);
    assert!(
        invalid.is_empty(),
        "{}",
        xtask::docs::invalid_front_matter(&invalid)
    );
}

/// Every `.tf` example the docs show is valid configuration for this provider and
/// formatted as `terraform fmt` writes it.
#[test]
fn every_documented_example_validates_and_is_formatted() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for kind in ["provider", "resources", "data-sources", "functions"] {
        let mut files: Vec<PathBuf> = walk(&root.join(kind))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read example");
            let ws = Workspace::new(&text);
            // An example of what only a newer Terraform knows than the one the tests run
            // (e.g. import by identity, Terraform 1.12) says so on its first line, and
            // is checked for format only.
            let newer = text
                .lines()
                .next()
                .is_some_and(|line| line.starts_with("# Requires Terraform"));
            let run = ws.run(&["validate", "-no-color"]);
            assert!(
                newer || run.output.status.success(),
                "{} does not validate:\n{}",
                file.display(),
                run.report()
            );
            ws.write("main.tf", &text);
            let fmt = ws.run(&["fmt", "-check", "-diff", "-no-color"]);
            assert!(
                fmt.output.status.success(),
                "{} is not formatted as terraform fmt writes it:\n{}",
                file.display(),
                fmt.stdout()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 9,
        "expected the examples to be found, checked {checked}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
