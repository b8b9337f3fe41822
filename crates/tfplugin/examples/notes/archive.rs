//! The action `notes_archive` (Terraform 1.14+): tags a note's file `archived`,
//! reporting each step, e.g. with `terraform apply -invoke=action.notes_archive.old`:
//!
//! ```hcl
//! action "notes_archive" "old" {
//!   config {
//!     note_id = notes_note.old.id
//!   }
//! }
//! ```
//!
//! An action changes the world, never Terraform's state: the tag shows at the next
//! refresh of the note, as any change made outside Terraform does.

use crate::Store;
use async_trait::async_trait;
use tfplugin::action::{Action, Progress};
use tfplugin::context::Context;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::length_between;
use tfplugin::value::Value;

/// The tag an archived note carries.
const ARCHIVED: &str = "archived";

pub struct Archive;

#[async_trait]
impl Action<Store> for Archive {
    fn type_name(&self) -> &'static str {
        "notes_archive"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Tags a note as archived.").attribute(
                Attribute::string("note_id")
                    .required()
                    .description("The ID of the note to archive.")
                    .validator(length_between(1, 100)),
            ),
        )
    }

    async fn invoke(
        &self,
        ctx: &Context<Store>,
        config: Value,
        progress: &Progress,
    ) -> Diagnostics {
        let store = match ctx.client() {
            Ok(store) => store,
            Err(problem) => return problem.into(),
        };
        // The framework validated the configuration: the ID is set and known.
        let id = config
            .attr("note_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match archive(store, id, progress).await {
            Ok(()) => Diagnostics::new(),
            Err(problem) => problem.into(),
        }
    }
}

async fn archive(store: &Store, id: &str, progress: &Progress) -> Result<(), Diagnostic> {
    progress.report(format!("Reading note {id}")).await;
    let Some(mut note) = store.load(id).await? else {
        let missing = Diagnostic::error(
            "No such note",
            format!("There is no note {id:?} in {}.", store.name()),
        );
        return Err(missing.at(AttributePath::attr("note_id")));
    };
    let tags = note.tags.get_or_insert_with(Vec::new);
    if tags.iter().any(|t| t == ARCHIVED) {
        progress
            .report(format!("Note {id} is already archived"))
            .await;
        return Ok(());
    }
    tags.push(ARCHIVED.to_string());
    progress
        .report(format!("Writing note {id} with the tag {ARCHIVED:?}"))
        .await;
    store.save(&note).await?;
    progress.report(format!("Archived note {id}")).await;
    Ok(())
}
