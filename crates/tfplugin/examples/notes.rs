//! A complete, if tiny, Terraform provider built with `tfplugin`: provider `notes` with
//! a resource `notes_note`, a data source `notes_greeting` and a function
//! `provider::notes::slug`. Its objects live only in Terraform's state, so it needs no
//! service behind it. See the crate README for running it under Terraform.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::process::ExitCode;
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::erased::{ErasedDataSource, ErasedResource, erase, erase_data_source};
use tfplugin::function::{Function, FunctionError, Parameter, Signature};
use tfplugin::plan_modifiers::{requires_replace, use_state_for_unknown};
use tfplugin::provider::{Configured, Provider};
use tfplugin::resource::{ApplyRequest, ApplyResponse, ReadResponse, Resource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::length_at_least;
use tfplugin::value::{self, Type, Value};
use tfplugin::{logging, plugin};

/// What configuring the provider produces: every operation receives it.
struct Settings {
    prefix: String,
}

struct NotesProvider;

#[async_trait]
impl Provider for NotesProvider {
    type Client = Settings;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Notes kept in Terraform state.").attribute(
                Attribute::string("prefix")
                    .optional()
                    .description("Put in front of every note's ID."),
            ),
        )
    }

    async fn configure(&self, config: &Value, _terraform_version: &str) -> Configured<Settings> {
        match config.attr("prefix") {
            Some(v) if v.is_unknown() => Configured::Unknown {
                reason: "prefix is not known until apply".into(),
            },
            Some(v) => Configured::Ready(Settings {
                prefix: v.as_str().unwrap_or_default().to_string(),
            }),
            None => Configured::Ready(Settings {
                prefix: String::new(),
            }),
        }
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<Settings>>> {
        vec![erase(Note)]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Settings>>> {
        vec![erase_data_source(Greeting)]
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        vec![Box::new(Slug)]
    }
}

/// `notes_note`: a title and a body; its ID is computed from the title.
struct Note;

#[derive(Serialize, Deserialize)]
struct NoteState {
    id: Option<String>,
    title: String,
    body: Option<String>,
}

#[async_trait]
impl Resource<Settings> for Note {
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
                        .validator(length_at_least(1))
                        .plan_modifier(requires_replace()),
                )
                .attribute(
                    Attribute::string("body")
                        .optional()
                        .description("The text."),
                )
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .description("The provider's ID.")
                        .plan_modifier(use_state_for_unknown()),
                ),
        )
    }

    async fn create(
        &self,
        ctx: &Context<Settings>,
        request: ApplyRequest<NoteState>,
    ) -> ApplyResponse<NoteState> {
        let settings = match ctx.client() {
            Ok(s) => s,
            Err(d) => return ApplyResponse::failed(d),
        };
        let mut note: NoteState =
            match value::to_serde(&request.config, &self.schema().value_type()) {
                Ok(n) => n,
                Err(e) => {
                    return ApplyResponse::failed(Diagnostic::error(
                        "Invalid configuration",
                        e.to_string(),
                    ));
                }
            };
        note.id = Some(format!("{}{}", settings.prefix, slug(&note.title)));
        ApplyResponse::ok(note)
    }

    async fn update(
        &self,
        _ctx: &Context<Settings>,
        request: ApplyRequest<NoteState>,
    ) -> ApplyResponse<NoteState> {
        match (request.prior_state, request.config.attr("body")) {
            (Some(mut note), Some(body)) => {
                note.body = body.as_str().map(str::to_string);
                ApplyResponse::ok(note)
            }
            _ => ApplyResponse::failed(Diagnostic::error("No prior note", "Nothing to update.")),
        }
    }

    async fn delete(&self, _ctx: &Context<Settings>, _note: NoteState, _: Vec<u8>) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(
        &self,
        _ctx: &Context<Settings>,
        note: NoteState,
        private: Vec<u8>,
    ) -> ReadResponse<NoteState> {
        // The state is the only copy: what Terraform has is what exists.
        ReadResponse {
            new_state: Some(note),
            private,
            diagnostics: Diagnostics::new(),
        }
    }
}

/// `notes_greeting`: a greeting for a name.
struct Greeting;

#[derive(Serialize, Deserialize)]
struct GreetingState {
    name: String,
    message: String,
}

#[async_trait]
impl DataSource<Settings> for Greeting {
    type State = GreetingState;

    fn type_name(&self) -> &'static str {
        "notes_greeting"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("A greeting.")
                .attribute(
                    Attribute::string("name")
                        .required()
                        .description("Who to greet."),
                )
                .attribute(
                    Attribute::string("message")
                        .computed()
                        .description("The greeting."),
                ),
        )
    }

    async fn read(
        &self,
        _ctx: &Context<Settings>,
        config: &Value,
    ) -> Result<GreetingState, Diagnostics> {
        let name = config.attr("name").and_then(Value::as_str).unwrap_or("you");
        Ok(GreetingState {
            name: name.to_string(),
            message: format!("Hello, {name}!"),
        })
    }
}

/// `provider::notes::slug(text)`: lower case, words joined by dashes.
struct Slug;

impl Function for Slug {
    fn name(&self) -> &'static str {
        "slug"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new("text", Type::String, "Any text.")],
            variadic: None,
            returns: Type::String,
            summary: "Turns text into an ID-friendly slug.".into(),
            description: "Lower-cases `text` and joins its words with dashes.".into(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let text = arguments
            .first()
            .and_then(Value::as_str)
            .unwrap_or_default();
        let slugged = slug(text);
        if slugged.is_empty() {
            return Err(FunctionError::argument(0, "text has no letters or digits"));
        }
        Ok(Value::string(slugged))
    }
}

fn slug(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

fn main() -> ExitCode {
    let debug = std::env::args().any(|a| a == "-debug");
    logging::init(logging::level_from_env(), &["notes"]);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("notes: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = plugin::ServeOptions {
        provider_address: "registry.terraform.io/example/notes".into(),
        debug,
    };
    match runtime.block_on(plugin::serve(NotesProvider, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("notes: {e}");
            ExitCode::FAILURE
        }
    }
}
