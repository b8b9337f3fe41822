//! The resource `notes_note`: a note's file, its identity, and import by ID or by
//! identity.

use crate::{Store, slug};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use tfplugin::context::Context;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::identity::{IdentityAttribute, IdentitySchema};
use tfplugin::path::AttributePath;
use tfplugin::plan_modifiers::{self, requires_replace, unordered, use_state_for_unknown};
use tfplugin::resource::{ApplyRequest, ApplyResponse, ReadResponse, Resource, import_passthrough};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::timeouts::{Operation, Timeouts};
use tfplugin::validators::{each, length_between, matches, one_of, string_is, unique};
use tfplugin::value::{Type, Value};

/// `notes_note`: a title, a body and tags, stored as `<directory>/<id>.json`. The ID is
/// the title's slug, known at plan time.
pub struct Note;

/// How long writing a note may take unless the `timeouts` block says otherwise.
const CREATE: Operation = Operation::new("create", Duration::from_secs(60));
const UPDATE: Operation = Operation::new("update", Duration::from_secs(60));

/// The note as Terraform stores it, and as its file holds it.
#[derive(Serialize, Deserialize)]
pub struct NoteState {
    pub id: String,
    // Import knows only the ID (`import_passthrough` leaves the rest null), and the
    // read that follows fills these in from the file; hence the `Option`s.
    pub title: Option<String>,
    pub body: Option<String>,
    pub format: Option<String>,
    pub tags: Option<Vec<String>>,
    pub timeouts: Option<Timeouts>,
}

#[async_trait]
impl Resource<Store> for Note {
    type State = NoteState;

    fn type_name(&self) -> &'static str {
        "notes_note"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("A note.")
                .attribute(
                    Attribute::string("title")
                        .required()
                        .description("The title; a new title is a new note.")
                        .validator(length_between(1, 100))
                        .validator(string_is(
                            |title| !slug(title).is_empty(),
                            "a title with a letter or a digit",
                        ))
                        .plan_modifier(requires_replace()),
                )
                .attribute(
                    Attribute::string("body")
                        .optional()
                        .description("The text."),
                )
                .attribute(
                    Attribute::string("format")
                        .description("How the body is written: `plain` or `markdown`.")
                        .default_value(Value::string("plain"))
                        .validator(one_of(["plain", "markdown"])),
                )
                .attribute(
                    Attribute::list("tags", Type::String)
                        .optional()
                        .description("Lower-case tags, in any order.")
                        .validator(each(matches("^[a-z][a-z0-9-]*$", "a lower-case tag")))
                        .validator(unique())
                        // The same tags in another order are no change.
                        .equivalence(unordered),
                )
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .description("The note's ID: its title's slug.")
                        .plan_modifier(use_state_for_unknown())
                        .plan_modifier(id_from_title()),
                )
                .block(Timeouts::block(
                    &[CREATE, UPDATE],
                    "How long writes may take.",
                )),
        )
    }

    async fn create(
        &self,
        ctx: &Context<Store>,
        request: ApplyRequest<NoteState>,
    ) -> ApplyResponse<NoteState> {
        write(ctx, request, CREATE).await
    }

    async fn update(
        &self,
        ctx: &Context<Store>,
        request: ApplyRequest<NoteState>,
    ) -> ApplyResponse<NoteState> {
        write(ctx, request, UPDATE).await
    }

    async fn delete(&self, ctx: &Context<Store>, note: NoteState, _: Vec<u8>) -> Diagnostics {
        let store = match ctx.client() {
            Ok(s) => s,
            Err(d) => return d.into(),
        };
        match tokio::fs::remove_file(store.file(&note.id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Diagnostic::error("Cannot delete the note", e.to_string()).into()
            }
            _ => Diagnostics::new(),
        }
    }

    async fn read(
        &self,
        ctx: &Context<Store>,
        stored: NoteState,
        private: Vec<u8>,
    ) -> ReadResponse<NoteState> {
        let found = match ctx.client() {
            Ok(store) => store.load(&stored.id).await,
            Err(d) => Err(d),
        };
        match found {
            Ok(Some(mut note)) => {
                // The timeouts are the configuration's, not the note's.
                note.timeouts = stored.timeouts;
                ReadResponse {
                    new_state: Some(note),
                    private,
                    diagnostics: Diagnostics::new(),
                }
            }
            // Deleted behind Terraform's back: gone from state, planned again.
            Ok(None) => ReadResponse {
                new_state: None,
                private,
                diagnostics: Diagnostics::new(),
            },
            Err(d) => ReadResponse {
                new_state: Some(stored),
                private,
                diagnostics: d.into(),
            },
        }
    }

    async fn import(&self, _ctx: &Context<Store>, id: &str) -> Result<NoteState, Diagnostics> {
        import_passthrough(&self.schema(), "id", id)
    }

    /// A note is named by its ID within a directory (Terraform 1.12+ stores this beside
    /// the state, and `import { identity = { id = "…" } }` imports by it).
    fn identity_schema(&self) -> Option<IdentitySchema> {
        let schema = IdentitySchema::new(0)
            .attribute(
                IdentityAttribute::string("id")
                    .required_for_import()
                    .description("The note's ID: its title's slug."),
            )
            .attribute(
                IdentityAttribute::string("directory")
                    .description("Where the note is kept; the provider's directory when left out."),
            );
        Some(schema)
    }

    fn identity(&self, ctx: &Context<Store>, note: &NoteState) -> Option<Value> {
        // Without a configured provider the directory is not known: no identity yet.
        let store = ctx.client().ok()?;
        let members = BTreeMap::from([
            ("id".to_string(), Value::string(&note.id)),
            ("directory".to_string(), Value::string(store.name())),
        ]);
        Some(self.identity_schema()?.value(members))
    }

    /// The framework has checked that the identity gives the ID; a directory, when
    /// given, must be this provider's.
    async fn import_by_identity(
        &self,
        ctx: &Context<Store>,
        identity: &Value,
    ) -> Result<NoteState, Diagnostics> {
        let store = ctx.client()?;
        if let Some(directory) = identity.attr("directory").and_then(Value::as_str)
            && Path::new(directory) != store.directory
        {
            let elsewhere = Diagnostic::error(
                "Note kept elsewhere",
                format!(
                    "This provider keeps its notes in {}, not in {directory}.",
                    store.name()
                ),
            );
            return Err(elsewhere.at(AttributePath::attr("directory")).into());
        }
        let id = identity
            .attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.import(ctx, id).await
    }
}

/// A plan modifier of the example's own: on create, the ID is planned as the slug of
/// the configured title, so the plan shows it instead of "known after apply".
fn id_from_title() -> plan_modifiers::SharedPlanModifier {
    plan_modifiers::from_fn("The slug of the title.", |request, response| {
        if response.planned.is_unknown()
            && let Some(title) = request.config_object.attr("title").and_then(Value::as_str)
        {
            response.planned = Value::string(slug(title));
        }
    })
}

/// Writes the planned note to its file within the operation's timeout: all there is to
/// a create or an update, since the plan is complete (the ID too).
async fn write(
    ctx: &Context<Store>,
    request: ApplyRequest<NoteState>,
    operation: Operation,
) -> ApplyResponse<NoteState> {
    let (note, store) = match (request.planned_as::<NoteState>(), ctx.client()) {
        (Ok(note), Ok(s)) => (note, s),
        (Err(d), _) | (_, Err(d)) => return ApplyResponse::failed(d),
    };
    let limit = Timeouts::get(&note.timeouts, operation);
    match tokio::time::timeout(limit, store.save(&note)).await {
        Ok(Ok(())) => ApplyResponse::ok(note),
        Ok(Err(problem)) => ApplyResponse::failed(problem),
        Err(_) => ApplyResponse::failed(Diagnostic::error(
            "Timed out",
            format!("Writing the note took longer than {limit:?}."),
        )),
    }
}
