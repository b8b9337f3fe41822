//! The list resource `notes_note`: the notes in the provider's directory, for
//! `terraform query` (Terraform 1.14+), e.g.
//!
//! ```hcl
//! list "notes_note" "drafts" {
//!   provider = notes
//!   config {
//!     title_prefix = "Draft"
//!   }
//! }
//! ```
//!
//! Each note found is sent as soon as it is read; the framework adds its identity
//! (from [`Note`](crate::note::Note)'s) and stops the listing at Terraform's limit.

use crate::Store;
use crate::note::NoteState;
use tfplugin::context::Context;
use tfplugin::diag::Diagnostic;
use tfplugin::list::{ListRequest, ListResource, ListStream, Results, results};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::length_between;
use tfplugin::value::Value;

pub struct NoteList;

impl ListResource<Store> for NoteList {
    type State = NoteState;

    fn type_name(&self) -> &'static str {
        "notes_note"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Which notes to find.").attribute(
                Attribute::string("title_prefix")
                    .optional()
                    .description("Only notes whose title starts with this; all when left out.")
                    .validator(length_between(1, 100)),
            ),
        )
    }

    fn list(&self, ctx: Context<Store>, request: ListRequest) -> ListStream<NoteState> {
        let prefix = request
            .config
            .attr("title_prefix")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        results(move |found| async move {
            if let Err(problem) = find(&ctx, &prefix, &found).await {
                found.diagnostic(problem).await;
            }
        })
    }
}

/// Sends each note whose title starts with `prefix`, in ID order, until the directory
/// is exhausted or nobody listens any more.
async fn find(
    ctx: &Context<Store>,
    prefix: &str,
    found: &Results<NoteState>,
) -> Result<(), Diagnostic> {
    let store = ctx.client()?;
    for id in store.ids().await? {
        // A note deleted since the directory was read is simply not found.
        let Some(mut note) = store.load(&id).await? else {
            continue;
        };
        let Some(title) = note.title.clone().filter(|t| t.starts_with(prefix)) else {
            continue;
        };
        // The timeouts are a configuration's, not the note's.
        note.timeouts = None;
        if !found.found(title, note).await {
            break;
        }
    }
    Ok(())
}
