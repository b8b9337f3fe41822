//! The reference docs in `docs/`: rendered from the schema Terraform itself reports
//! (`terraform providers schema -json`) and the files in `examples/`, in the layout of
//! the Terraform Registry (`docs/index.md`, `docs/resources/`, `docs/data-sources/`,
//! `docs/functions/`), each page opening with the registry's front matter.
//! `cargo xtask docs` writes them; the end-to-end drift test compares them.

mod front_matter;
mod list_and_action;

pub use front_matter::{check_docs, check_page, summary};
pub use list_and_action::{action_path, list_resource_path, render_action, render_list_resource};

use anyhow::{Context, bail};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The provider's registry address, as `terraform providers schema -json` keys it.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/outposts-labs/outposts";

/// The provider's name in page titles.
const PROVIDER: &str = "outposts";

/// The first line below the front matter of every generated page.
const GENERATED: &str =
    "<!-- Generated from the provider schema by `cargo xtask docs`; do not edit. -->";

/// The registry's navigation groups (`subcategory`): every resource, data source,
/// function, list resource and action, by type or function name. A name missing here
/// is listed ungrouped.
const SUBCATEGORIES: &[(&str, &str)] = &[
    ("outposts_capacity_task", "Capacity tasks"),
    ("outposts_capacity_tasks", "Capacity tasks"),
    ("outposts_capacity_check", "Capacity planning"),
    ("outposts_supported_instance_types", "Capacity planning"),
    ("outposts_outposts", "Outposts and assets"),
    ("outposts_assets", "Outposts and assets"),
    ("outposts_region", "Outposts and assets"),
    ("outpost_id", "Outposts and assets"),
    ("outposts_cancel_capacity_task", "Capacity tasks"),
];

/// The Terraform and OpenTofu versions each newer kind of page needs.
const LIST_RESOURCE_NOTE: &str = "List resources need Terraform 1.14 or later (`terraform \
     query` with `.tfquery.hcl` files). Older Terraform and OpenTofu ignore them.";
const ACTION_NOTE: &str = "Actions need Terraform 1.14 or later (`terraform apply \
     -invoke=action.…`, or `action_trigger` in a resource's `lifecycle`). Older Terraform and \
     OpenTofu ignore them.";

/// The navigation group of a resource, data source, function, list resource or action.
pub fn subcategory(name: &str) -> &'static str {
    SUBCATEGORIES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, group)| group)
}

/// A type name without the provider's prefix: the page's file name.
fn short_name(name: &str) -> &str {
    name.strip_prefix("outposts_").unwrap_or(name)
}

/// Every docs file: its path below the repository root and its content.
pub fn render_all(schema: &Json, examples: &Path) -> Vec<(PathBuf, String)> {
    let example = |path: &str| std::fs::read_to_string(examples.join(path)).ok();
    let schemas = &schema["provider_schemas"][PROVIDER_ADDRESS];
    let provider = SchemaPage {
        page_title: "Provider: AWS Outposts".into(),
        subcategory: None,
        example: example("provider/provider.tf"),
        ..SchemaPage::new("Provider", PROVIDER)
    };
    let mut docs = vec![(
        PathBuf::from("docs/index.md"),
        provider.render(&schemas["provider"]),
    )];
    let empty = serde_json::Map::new();
    for (name, schema) in schemas["resource_schemas"].as_object().unwrap_or(&empty) {
        let identity = schemas["resource_identity_schemas"]
            .get(name)
            .map(|identity| {
                (
                    identity,
                    example(&format!("resources/{name}/import-by-identity.tf")),
                )
            });
        let page = SchemaPage {
            example: example(&format!("resources/{name}/resource.tf")),
            import: example(&format!("resources/{name}/import.sh")),
            identity,
            behaviour: example(&format!("resources/{name}/behaviour.md")),
            ..SchemaPage::new("Resource", name)
        };
        docs.push((
            PathBuf::from(format!("docs/resources/{}.md", short_name(name))),
            page.render(schema),
        ));
    }
    for (name, schema) in schemas["data_source_schemas"].as_object().unwrap_or(&empty) {
        let page = SchemaPage {
            example: example(&format!("data-sources/{name}/data-source.tf")),
            ..SchemaPage::new("Data Source", name)
        };
        docs.push((
            PathBuf::from(format!("docs/data-sources/{}.md", short_name(name))),
            page.render(schema),
        ));
    }
    for (name, schema) in schemas["list_resource_schemas"]
        .as_object()
        .unwrap_or(&empty)
    {
        let query = example(&format!("list-resources/{name}/list-resource.tfquery.hcl"));
        docs.push((
            list_and_action::list_resource_path(name),
            list_and_action::render_list_resource(name, schema, query, LIST_RESOURCE_NOTE),
        ));
    }
    for (name, schema) in schemas["action_schemas"].as_object().unwrap_or(&empty) {
        let action = example(&format!("actions/{name}/action.tf"));
        docs.push((
            list_and_action::action_path(name),
            list_and_action::render_action(name, schema, action, ACTION_NOTE),
        ));
    }
    for (name, function) in schemas["functions"].as_object().unwrap_or(&empty) {
        docs.push((
            PathBuf::from(format!("docs/functions/{name}.md")),
            render_function(
                name,
                function,
                example(&format!("functions/{name}/function.tf")),
            ),
        ));
    }
    docs
}

/// A provider function's page: its signature, parameters, result and an example.
pub fn render_function(name: &str, function: &Json, example_file: Option<String>) -> String {
    let empty = Vec::new();
    let parameters = function["parameters"].as_array().unwrap_or(&empty);
    let names: Vec<&str> = parameters
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let summary = function["summary"].as_str().unwrap_or("");
    let description = function["description"].as_str().unwrap_or("");
    let mut out = front_matter::render(
        &format!("{name} function - {PROVIDER}"),
        Some(subcategory(name)),
        &front_matter::summary(if summary.is_empty() {
            description
        } else {
            summary
        }),
    );
    out.push_str(&format!(
        "{GENERATED}\n# Function `{name}`\n\n{summary}\n\n{description}\n"
    ));
    if let Some(example) = example_file {
        out.push_str(&format!("\n## Example Usage\n\n```hcl\n{example}```\n"));
    }
    out.push_str(&format!(
        "\n## Signature\n\n```text\nprovider::outposts::{name}({}) {}\n```\n\n## Arguments\n\n",
        names.join(", "),
        type_name(&function["return_type"]).to_lowercase()
    ));
    for parameter in parameters {
        out.push_str(&format!(
            "1. `{}` ({}) {}\n",
            parameter["name"].as_str().unwrap_or(""),
            type_name(&parameter["type"]),
            parameter["description"].as_str().unwrap_or("")
        ));
    }
    out
}

/// The docs files whose content on disk differs from `expected`.
pub fn stale(root: &Path, expected: &[(PathBuf, String)]) -> Vec<PathBuf> {
    expected
        .iter()
        .filter(|(path, content)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str())
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// `terraform providers schema -json` for the provider binary in `provider_dir`, run in
/// a throwaway directory through `dev_overrides` (no registry, no network).
pub fn provider_schema(terraform: &Path, provider_dir: &Path) -> anyhow::Result<Json> {
    let dir = tempfile::tempdir()?;
    let cli_config = dir.path().join("cli.tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_ADDRESS}\" = {:?}\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display().to_string()
        ),
    )?;
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  required_providers {\n    outposts = { source = \"outposts-labs/outposts\" }\n  }\n}\nprovider \"outposts\" {}\n",
    )?;
    let output = Command::new(terraform)
        .args(["providers", "schema", "-json"])
        .current_dir(dir.path())
        .env("TF_CLI_CONFIG_FILE", &cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .output()
        .with_context(|| format!("running {}", terraform.display()))?;
    if !output.status.success() {
        bail!(
            "terraform providers schema -json failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut schema: Json =
        serde_json::from_slice(&output.stdout).context("terraform printed no schema JSON")?;
    add_newer_schemas(
        &mut schema,
        &provider_dir.join("terraform-provider-outposts"),
    )?;
    Ok(schema)
}

/// Adds what Terraform 1.14+ prints but the installed Terraform may not (list resources,
/// actions, identities), as the provider itself reports them (`-schemas-json`), to the
/// provider's entry of `schema`. What Terraform printed is kept.
pub fn add_newer_schemas(schema: &mut Json, provider_binary: &Path) -> anyhow::Result<()> {
    let output = Command::new(provider_binary)
        .arg("-schemas-json")
        .output()
        .with_context(|| format!("running {} -schemas-json", provider_binary.display()))?;
    if !output.status.success() {
        bail!(
            "{} -schemas-json failed:\n{}",
            provider_binary.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let newer: Json = serde_json::from_slice(&output.stdout)
        .context("the provider printed no schema JSON for -schemas-json")?;
    let Some(entry) = schema["provider_schemas"][PROVIDER_ADDRESS].as_object_mut() else {
        bail!("terraform's schema JSON has no entry for {PROVIDER_ADDRESS}");
    };
    for (key, value) in newer.as_object().into_iter().flatten() {
        entry.entry(key.clone()).or_insert_with(|| value.clone());
    }
    Ok(())
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

/// A page about one schema (the provider, a resource, a data source, a list resource or
/// an action): front matter, heading, description, example, schema, import, and any
/// behaviour notes written by hand.
pub(crate) struct SchemaPage<'a> {
    /// "Resource", "Data Source", ...: in the heading and the default page title.
    kind: &'a str,
    name: &'a str,
    page_title: String,
    /// `None` for the index page, which the registry shows ungrouped.
    subcategory: Option<&'a str>,
    /// A callout under the heading, such as the Terraform version a kind needs.
    note: Option<&'a str>,
    example: Option<String>,
    import: Option<String>,
    /// The identity schema (Terraform 1.12+) and an example of import by identity.
    identity: Option<(&'a Json, Option<String>)>,
    behaviour: Option<String>,
}

impl<'a> SchemaPage<'a> {
    /// The page of `kind` `name` as tfplugindocs titles it ("<name> <kind> - outposts"),
    /// in its group from `SUBCATEGORIES`, with nothing beyond the schema.
    pub(crate) fn new(kind: &'a str, name: &'a str) -> Self {
        SchemaPage {
            kind,
            name,
            page_title: format!("{name} {kind} - {PROVIDER}"),
            subcategory: Some(subcategory(name)),
            note: None,
            example: None,
            import: None,
            identity: None,
            behaviour: None,
        }
    }

    pub(crate) fn render(&self, schema: &Json) -> String {
        let block = &schema["block"];
        let description = block["description"].as_str().unwrap_or("");
        let mut out = front_matter::render(
            &self.page_title,
            self.subcategory,
            &front_matter::summary(description),
        );
        out.push_str(&format!("{GENERATED}\n# {} `{}`\n", self.kind, self.name));
        if let Some(note) = self.note.map(str::trim).filter(|n| !n.is_empty()) {
            out.push_str(&format!("\n-> **Note:** {note}\n"));
        }
        out.push_str(&format!("\n{description}\n"));
        if let Some(example) = &self.example {
            out.push_str(&format!("\n## Example Usage\n\n```hcl\n{example}```\n"));
        }
        out.push_str("\n## Schema\n");
        render_block(&mut out, block, "###");
        if self.import.is_some() || self.identity.is_some() {
            out.push_str("\n## Import\n");
        }
        if let Some(import) = &self.import {
            out.push_str(&format!("\n```shell\n{import}```\n"));
        }
        if let Some((identity, example)) = &self.identity {
            render_identity(&mut out, identity, example.as_deref());
        }
        if let Some(behaviour) = &self.behaviour {
            out.push_str(&format!("\n{behaviour}"));
        }
        out
    }
}

/// The import section's part on import by identity: the identity's attributes and an
/// example `import` block.
fn render_identity(out: &mut String, identity: &Json, example: Option<&str>) {
    out.push_str(
        "\n### Import by identity\n\nTerraform 1.12 and later, and OpenTofu 1.12 and later, \
         import by identity with an `import` block; `terraform plan` after it shows no \
         change.\n",
    );
    if let Some(example) = example {
        out.push_str(&format!("\n```hcl\n{example}```\n"));
    }
    let empty = serde_json::Map::new();
    let attributes = identity["attributes"].as_object().unwrap_or(&empty);
    for (title, required) in [("Required", true), ("Optional", false)] {
        let lines: Vec<String> = attributes
            .iter()
            .filter(|(_, a)| a["required_for_import"].as_bool().unwrap_or(false) == required)
            .map(|(name, a)| {
                format!(
                    "- `{name}` ({}) {}",
                    type_name(&a["type"]),
                    a["description"].as_str().unwrap_or("")
                )
            })
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!("\n#### {title}\n\n{}\n", lines.join("\n")));
        }
    }
}

/// `cargo xtask docs [--check]`: builds the provider, asks Terraform for its schema and
/// writes the docs files that differ; with `check`, fails on them instead.
pub fn run(check: bool) -> anyhow::Result<()> {
    let root = crate::repo::root();
    let status = Command::new(crate::repo::cargo())
        .args(["build", "--quiet", "--bin", "terraform-provider-outposts"])
        .current_dir(&root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("building the provider failed");
    }
    let target = crate::repo::target_dir();
    let schema = provider_schema(&crate::repo::terraform()?, &target.join("debug"))?;
    let expected = render_all(&schema, &root.join("examples"));
    let stale = stale(&root, &expected);
    if check {
        let invalid = check_docs(&root);
        if !stale.is_empty() || !invalid.is_empty() {
            let mut problems = Vec::new();
            if !stale.is_empty() {
                problems.push(format!(
                    "docs/ is out of date: {stale:?}; run cargo xtask docs"
                ));
            }
            if !invalid.is_empty() {
                problems.push(invalid_front_matter(&invalid));
            }
            bail!("{}", problems.join("\n"));
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
    // The guides written by hand need front matter too; generated pages have it.
    let invalid = check_docs(&root);
    if !invalid.is_empty() {
        bail!("{}", invalid_front_matter(&invalid));
    }
    if stale.is_empty() {
        println!("docs/ is up to date ({} files)", expected.len());
    }
    Ok(())
}

/// The failure message for pages whose front matter `check_docs` rejected.
pub fn invalid_front_matter(invalid: &[String]) -> String {
    format!(
        "docs pages without valid registry front matter (page_title, subcategory, description):\n  {}",
        invalid.join("\n  ")
    )
}
