//! Pages for the two kinds Terraform 1.14 added: list resources (`list` blocks in
//! `.tfquery.hcl` files, for `terraform query`) and actions (`action` blocks). The
//! registry reads them from `docs/list-resources/` and `docs/actions/`, the directories
//! tfplugindocs generates and validates. Nothing calls these yet: they take a schema
//! in the shape `terraform providers schema -json` gives a resource (`{"block": ...}`)
//! and the note that says which Terraform the kind needs.

use super::{SchemaPage, short_name};
use serde_json::Value as Json;
use std::path::PathBuf;

/// Where the registry reads a list resource's page: `docs/list-resources/<short>.md`.
pub fn list_resource_path(name: &str) -> PathBuf {
    PathBuf::from(format!("docs/list-resources/{}.md", short_name(name)))
}

/// Where the registry reads an action's page: `docs/actions/<short>.md`.
pub fn action_path(name: &str) -> PathBuf {
    PathBuf::from(format!("docs/actions/{}.md", short_name(name)))
}

/// A list resource's page, titled "<name> List Resource - outposts". The example is a
/// query file (tfplugindocs reads `examples/list-resources/<name>/list-resource.tfquery.hcl`);
/// `terraform_version_note` ("Requires Terraform 1.14 or later.") shows under the heading.
pub fn render_list_resource(
    name: &str,
    schema: &Json,
    example_query_hcl: Option<String>,
    terraform_version_note: &str,
) -> String {
    SchemaPage {
        note: Some(terraform_version_note),
        example: example_query_hcl,
        ..SchemaPage::new("List Resource", name)
    }
    .render(schema)
}

/// An action's page, titled "<name> Action - outposts". The example is configuration
/// with the `action` block (tfplugindocs reads `examples/actions/<name>/action.tf`);
/// `terraform_version_note` shows under the heading.
pub fn render_action(
    name: &str,
    schema: &Json,
    example_hcl: Option<String>,
    terraform_version_note: &str,
) -> String {
    SchemaPage {
        note: Some(terraform_version_note),
        example: example_hcl,
        ..SchemaPage::new("Action", name)
    }
    .render(schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::front_matter;
    use serde_json::json;
    use std::path::Path;

    const NOTE: &str = "Requires Terraform 1.14 or later.";

    fn schema(description: &str) -> Json {
        json!({"block": {
            "description": description,
            "attributes": {
                "outpost_identifier": {"type": "string", "required": true, "description": "The Outpost's ID or ARN."},
                "statuses": {"type": ["set", "string"], "optional": true, "description": "Only tasks in these statuses."}
            },
            "block_types": {}
        }})
    }

    fn field(page: &str, key: &str) -> Option<String> {
        front_matter::parse(page)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    #[test]
    fn a_list_resource_page_has_front_matter_note_example_and_schema() {
        let query = "list \"outposts_capacity_task\" \"running\" {\n  provider = outposts\n}\n";
        let page = render_list_resource(
            "outposts_capacity_task",
            &schema("Capacity tasks of an Outpost, for `terraform query`. Oldest first."),
            Some(query.into()),
            NOTE,
        );
        let path = list_resource_path("outposts_capacity_task");
        assert_eq!(path, Path::new("docs/list-resources/capacity_task.md"));
        assert_eq!(front_matter::check_page(&path, &page), Ok(()));
        assert_eq!(
            field(&page, "page_title").as_deref(),
            Some("outposts_capacity_task List Resource - outposts")
        );
        assert_eq!(
            field(&page, "subcategory").as_deref(),
            Some("Capacity tasks")
        );
        assert_eq!(
            field(&page, "description").as_deref(),
            Some("Capacity tasks of an Outpost, for terraform query.")
        );
        assert!(page.contains("# List Resource `outposts_capacity_task`\n\n-> **Note:** Requires Terraform 1.14 or later.\n"));
        assert!(page.contains(&format!("## Example Usage\n\n```hcl\n{query}```\n")));
        assert!(
            page.contains(
                "### Required\n\n- `outpost_identifier` (String) The Outpost's ID or ARN."
            )
        );
        assert!(page.contains("- `statuses` (Set of String) Only tasks in these statuses."));
    }

    #[test]
    fn an_action_page_has_front_matter_and_note_and_no_example_when_none() {
        let page = render_action(
            "outposts_cancel_capacity_task",
            &schema("Cancels a running capacity task. Waits until AWS reports it cancelled."),
            None,
            NOTE,
        );
        let path = action_path("outposts_cancel_capacity_task");
        assert_eq!(path, Path::new("docs/actions/cancel_capacity_task.md"));
        assert_eq!(front_matter::check_page(&path, &page), Ok(()));
        assert_eq!(
            field(&page, "page_title").as_deref(),
            Some("outposts_cancel_capacity_task Action - outposts")
        );
        assert_eq!(
            field(&page, "description").as_deref(),
            Some("Cancels a running capacity task.")
        );
        assert!(page.contains("# Action `outposts_cancel_capacity_task`\n\n-> **Note:** Requires Terraform 1.14 or later.\n"));
        assert!(!page.contains("## Example Usage"));
        assert!(page.contains("## Schema\n"));
    }

    #[test]
    fn an_empty_note_adds_no_callout() {
        let page = render_action("outposts_x", &schema("Does x."), None, " ");
        assert!(!page.contains("-> **Note:**"));
    }
}
