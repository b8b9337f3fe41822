//! A complete, if tiny, Terraform provider built with `tfplugin`: provider `notes` with
//! one resource, `notes_note`, kept as a JSON file per note in a directory the provider
//! block names. Every rule of the resource is declared in its schema: validators, a
//! default, plan modifiers, an equivalence and a `timeouts` block. The resource itself
//! only reads and writes files. See the crate README for running it under Terraform.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tfplugin::context::Context;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::erased::{ErasedDataSource, ErasedResource, erase};
use tfplugin::plan_modifiers::{self, requires_replace, unordered, use_state_for_unknown};
use tfplugin::provider::{Configured, Provider};
use tfplugin::resource::{ApplyRequest, ApplyResponse, ReadResponse, Resource, import_passthrough};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::timeouts::{Operation, Timeouts};
use tfplugin::typed;
use tfplugin::validators::{each, length_between, matches, one_of, string_is, unique};
use tfplugin::value::{Type, Value};

mod common;

/// What configuring the provider produces: every operation receives it.
struct Store {
    directory: PathBuf,
}

/// The provider block.
#[derive(Deserialize)]
struct ProviderConfig {
    directory: String,
}

struct NotesProvider;

#[async_trait]
impl Provider for NotesProvider {
    type Client = Store;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Notes kept as JSON files in a directory.").attribute(
                Attribute::string("directory")
                    .required()
                    .description("Where the notes are kept; created when missing.")
                    .validator(length_between(1, 4096)),
            ),
        )
    }

    async fn configure(&self, config: &Value, _terraform_version: &str) -> Configured<Store> {
        if !config.is_fully_known() {
            return Configured::Unknown {
                reason: "the directory is not known until apply".into(),
            };
        }
        let config: ProviderConfig = match typed::decode(config, "provider block") {
            Ok(c) => c,
            Err(problem) => return Configured::Failed(problem.into()),
        };
        if let Err(e) = std::fs::create_dir_all(&config.directory) {
            let problem = Diagnostic::error(
                "Cannot use the notes directory",
                format!("{}: {e}", config.directory),
            );
            return Configured::Failed(problem.into());
        }
        Configured::Ready(Store {
            directory: config.directory.into(),
        })
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<Store>>> {
        vec![erase(Note)]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Store>>> {
        Vec::new()
    }
}

/// `notes_note`: a title, a body and tags, stored as `<directory>/<id>.json`. The ID is
/// the title's slug, known at plan time.
struct Note;

/// How long writing a note may take unless the `timeouts` block says otherwise.
const CREATE: Operation = Operation::new("create", Duration::from_secs(60));
const UPDATE: Operation = Operation::new("update", Duration::from_secs(60));

/// The note as Terraform stores it, and as its file holds it.
#[derive(Serialize, Deserialize)]
struct NoteState {
    id: String,
    // Import knows only the ID (`import_passthrough` leaves the rest null), and the
    // read that follows fills these in from the file; hence the `Option`s.
    title: Option<String>,
    body: Option<String>,
    format: Option<String>,
    tags: Option<Vec<String>>,
    timeouts: Option<Timeouts>,
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
            Ok(store) => load(store, &stored.id).await,
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

impl Store {
    fn file(&self, id: &str) -> PathBuf {
        self.directory.join(format!("{id}.json"))
    }
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
    let json = match serde_json::to_vec_pretty(&note) {
        Ok(j) => j,
        Err(e) => return ApplyResponse::failed(Diagnostic::error("Cannot encode", e.to_string())),
    };
    let limit = Timeouts::get(&note.timeouts, operation);
    match tokio::time::timeout(limit, tokio::fs::write(store.file(&note.id), json)).await {
        Ok(Ok(())) => ApplyResponse::ok(note),
        Ok(Err(e)) => ApplyResponse::failed(Diagnostic::error("Cannot write", e.to_string())),
        Err(_) => ApplyResponse::failed(Diagnostic::error(
            "Timed out",
            format!("Writing the note took longer than {limit:?}."),
        )),
    }
}

/// The note in `id`'s file; `None` when there is no such file.
async fn load(store: &Store, id: &str) -> Result<Option<NoteState>, Diagnostic> {
    match tokio::fs::read(store.file(id)).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Diagnostic::error("Unreadable note", format!("{id}: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Diagnostic::error("Cannot read the note", e.to_string())),
    }
}

/// Lower case, words joined by dashes: `"Hello, World"` is `hello-world`.
fn slug(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

fn main() -> ExitCode {
    common::main(NotesProvider, &["notes"])
}
