//! The reference docs in `docs/` are generated from the schema Terraform itself reports
//! (`terraform providers schema -json`) plus the files in `examples/`. This test fails
//! when they drift; `UPDATE_DOCS=1 cargo nextest run --test e2e docs` rewrites them.

use crate::harness::Workspace;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(path: &str) -> Option<String> {
    std::fs::read_to_string(repo().join("examples").join(path)).ok()
}

fn type_name(ty: &Json) -> String {
    match ty {
        Json::String(s) => capitalise(s),
        Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
            (Some("list" | "set" | "map"), Some(inner)) => {
                format!(
                    "{} of {}",
                    capitalise(parts[0].as_str().unwrap_or("")),
                    type_name(inner)
                )
            }
            (Some(kind), _) => capitalise(kind),
            _ => "Dynamic".into(),
        },
        _ => "Dynamic".into(),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Attributes grouped as users read them: required, optional, then read-only.
fn render_block(out: &mut String, block: &Json, heading: &str) {
    let empty = serde_json::Map::new();
    let attributes = block["attributes"].as_object().unwrap_or(&empty);
    let blocks = block["block_types"].as_object().unwrap_or(&empty);
    type Membership = fn(&Json) -> bool;
    let groups: [(&str, Membership); 3] = [
        ("Required", |a| a["required"] == true),
        ("Optional", |a| a["optional"] == true),
        ("Read-Only", |a| {
            a["computed"] == true && a["optional"] != true
        }),
    ];
    for (title, belongs) in groups {
        let mut lines = Vec::new();
        for (name, attribute) in attributes {
            if belongs(attribute) {
                let sensitive = if attribute["sensitive"] == true {
                    ", Sensitive"
                } else {
                    ""
                };
                lines.push(format!(
                    "- `{name}` ({}{sensitive}) {}",
                    type_name(&attribute["type"]),
                    attribute["description"].as_str().unwrap_or("")
                ));
            }
        }
        for (name, nested) in blocks {
            let required = nested["min_items"].as_i64().unwrap_or(0) > 0;
            if (title == "Required" && required) || (title == "Optional" && !required) {
                let max = nested["max_items"].as_i64().unwrap_or(0);
                let count = if max == 1 {
                    "Block, at most one".to_string()
                } else {
                    "Block".to_string()
                };
                lines.push(format!(
                    "- `{name}` ({count}) {} See [below](#nested-{name}).",
                    nested["block"]["description"].as_str().unwrap_or("")
                ));
            }
        }
        if !lines.is_empty() {
            out.push_str(&format!("\n{heading} {title}\n\n{}\n", lines.join("\n")));
        }
    }
    for (name, nested) in blocks {
        out.push_str(&format!(
            "\n<a id=\"nested-{name}\"></a>\n{heading} Nested block `{name}`\n"
        ));
        render_block(out, &nested["block"], &format!("{heading}#"));
    }
}

fn render(
    kind: &str,
    name: &str,
    schema: &Json,
    example_file: Option<String>,
    import: Option<String>,
    behaviour: Option<String>,
) -> String {
    let block = &schema["block"];
    let mut out = format!(
        "<!-- Generated from the provider schema by tests/e2e/docs.rs; do not edit. -->\n# {kind} `{name}`\n\n{}\n",
        block["description"].as_str().unwrap_or("")
    );
    if let Some(example) = example_file {
        out.push_str(&format!("\n## Example Usage\n\n```hcl\n{}```\n", example));
    }
    out.push_str("\n## Schema\n");
    render_block(&mut out, block, "###");
    if let Some(import) = import {
        out.push_str(&format!("\n## Import\n\n```shell\n{import}```\n"));
    }
    if let Some(behaviour) = behaviour {
        out.push_str(&format!("\n{behaviour}"));
    }
    out
}

fn expected_docs() -> Vec<(PathBuf, String)> {
    let ws = Workspace::new("provider \"outposts\" {}\n");
    let run = ws.ok(&["providers", "schema", "-json"]);
    let all: Json = serde_json::from_str(&run.stdout()).expect("schema JSON");
    let schemas = &all["provider_schemas"]["registry.terraform.io/outposts-labs/outposts"];
    let mut docs = vec![(
        PathBuf::from("docs/index.md"),
        render(
            "Provider",
            "outposts",
            &schemas["provider"],
            example("provider/provider.tf"),
            None,
            None,
        ),
    )];
    let empty = serde_json::Map::new();
    for (name, schema) in schemas["resource_schemas"].as_object().unwrap_or(&empty) {
        let short = name.trim_start_matches("outposts_");
        docs.push((
            PathBuf::from(format!("docs/resources/{short}.md")),
            render(
                "Resource",
                name,
                schema,
                example(&format!("resources/{name}/resource.tf")),
                example(&format!("resources/{name}/import.sh")),
                example(&format!("resources/{name}/behaviour.md")),
            ),
        ));
    }
    for (name, schema) in schemas["data_source_schemas"].as_object().unwrap_or(&empty) {
        let short = name.trim_start_matches("outposts_");
        docs.push((
            PathBuf::from(format!("docs/data-sources/{short}.md")),
            render(
                "Data Source",
                name,
                schema,
                example(&format!("data-sources/{name}/data-source.tf")),
                None,
                None,
            ),
        ));
    }
    docs
}

#[test]
fn generated_docs_match_the_schema() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (relative, content) in expected_docs() {
        let path: &Path = &repo().join(&relative);
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != content {
            if update {
                std::fs::create_dir_all(path.parent().expect("docs directory")).expect("mkdir");
                std::fs::write(path, &content).expect("write docs");
            } else {
                stale.push(relative.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs are out of date with the schema: {stale:?}\nregenerate with: UPDATE_DOCS=1 cargo nextest run --test e2e docs"
    );
}
