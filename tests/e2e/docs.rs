//! The reference docs in `docs/` are generated from the schema Terraform itself reports
//! plus the files in `examples/` (`cargo xtask docs`). This test fails when they drift.

use crate::harness::{Workspace, terraform_binary};
use std::path::PathBuf;

#[test]
fn generated_docs_match_the_schema() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The schema of the provider binary this test run built, read by terraform.
    let ws = Workspace::new("provider \"outposts\" {}\n");
    let run = ws.ok(&["providers", "schema", "-json"]);
    let schema: serde_json::Value = serde_json::from_str(&run.stdout()).expect("schema JSON");
    let _ = terraform_binary();
    let expected = xtask::docs::render_all(&schema, &root.join("examples"));
    let stale = xtask::docs::stale(&root, &expected);
    assert!(
        stale.is_empty(),
        "docs are out of date with the schema: {stale:?}\nregenerate with: cargo xtask docs"
    );
}
