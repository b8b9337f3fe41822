//! A complete, if tiny, Terraform provider built with `tfplugin`: provider `notes`,
//! keeping each note as a JSON file in a directory the provider block names.
//!
//! - [`note`]: the resource `notes_note`. Every rule of it is declared in its schema:
//!   validators, a default, plan modifiers, an equivalence and a `timeouts` block; it
//!   has an identity (Terraform 1.12+) and is imported by ID or by identity.
//! - [`list`]: the list resource `notes_note`, which finds the notes in the directory
//!   for `terraform query` (Terraform 1.14+).
//! - [`archive`]: the action `notes_archive`, which tags a note's file as archived and
//!   reports each step (Terraform 1.14+).
//!
//! Terraform 1.11 sees only the resource. See the crate README for running it.

use async_trait::async_trait;
use serde::Deserialize;
use std::path::PathBuf;
use std::process::ExitCode;
use tfplugin::action::Action;
use tfplugin::diag::Diagnostic;
use tfplugin::erased::{ErasedDataSource, ErasedResource, erase};
use tfplugin::list::{ErasedListResource, erase_list};
use tfplugin::provider::{Configured, Provider};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::typed;
use tfplugin::validators::length_between;
use tfplugin::value::Value;

mod archive;
#[path = "../common/mod.rs"]
mod common;
mod list;
mod note;

use note::NoteState;

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
        vec![erase(note::Note)]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Store>>> {
        Vec::new()
    }

    fn list_resources(&self) -> Vec<Box<dyn ErasedListResource<Store>>> {
        vec![erase_list(list::NoteList)]
    }

    fn actions(&self) -> Vec<Box<dyn Action<Store>>> {
        vec![Box::new(archive::Archive)]
    }
}

/// The notes directory: one `<id>.json` file per note.
impl Store {
    fn file(&self, id: &str) -> PathBuf {
        self.directory.join(format!("{id}.json"))
    }

    /// The directory as the identity and messages show it.
    fn name(&self) -> String {
        self.directory.display().to_string()
    }

    /// The note in `id`'s file; `None` when there is no such file.
    async fn load(&self, id: &str) -> Result<Option<NoteState>, Diagnostic> {
        match tokio::fs::read(self.file(id)).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Diagnostic::error("Unreadable note", format!("{id}: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Diagnostic::error("Cannot read the note", e.to_string())),
        }
    }

    /// Writes `note` to its file.
    async fn save(&self, note: &NoteState) -> Result<(), Diagnostic> {
        let json = serde_json::to_vec_pretty(note)
            .map_err(|e| Diagnostic::error("Cannot encode the note", e.to_string()))?;
        tokio::fs::write(self.file(&note.id), json)
            .await
            .map_err(|e| Diagnostic::error("Cannot write the note", e.to_string()))
    }

    /// The IDs of the notes in the directory, sorted.
    async fn ids(&self) -> Result<Vec<String>, Diagnostic> {
        let unreadable = |e: std::io::Error| {
            Diagnostic::error(
                "Cannot read the notes directory",
                format!("{}: {e}", self.name()),
            )
        };
        let mut entries = tokio::fs::read_dir(&self.directory)
            .await
            .map_err(unreadable)?;
        let mut ids = Vec::new();
        while let Some(entry) = entries.next_entry().await.map_err(unreadable)? {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Some(id) = path.file_stem().and_then(|s| s.to_str())
            {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        Ok(ids)
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
