//! A small framework for writing Terraform providers in Rust.
//!
//! # A provider in one file
//!
//! A provider declares its schemas with builders: every check (validators) and every
//! planning rule (defaults, plan modifiers, equivalence) lives beside the attribute it
//! concerns, and the framework runs them. The resource itself only creates, reads,
//! updates and deletes, with its state as a plain serde struct:
//!
//! ```no_run
//! use async_trait::async_trait;
//! use serde::{Deserialize, Serialize};
//! use tfplugin::context::Context;
//! use tfplugin::diag::Diagnostics;
//! use tfplugin::erased::{ErasedDataSource, ErasedResource, erase};
//! use tfplugin::plan_modifiers::{requires_replace, use_state_for_unknown};
//! use tfplugin::provider::{Configured, Provider};
//! use tfplugin::resource::{ApplyRequest, ApplyResponse, ReadResponse, Resource};
//! use tfplugin::schema::{Attribute, Block, Schema};
//! use tfplugin::validators::length_between;
//! use tfplugin::value::Value;
//! use tfplugin::{logging, plugin};
//!
//! struct Pets;
//!
//! #[async_trait]
//! impl Provider for Pets {
//!     type Client = (); // what `configure` produces and every operation receives
//!
//!     fn schema(&self) -> Schema {
//!         Schema::new(0, Block::new("Pets kept in Terraform state."))
//!     }
//!
//!     async fn configure(&self, _config: &Value, _terraform: &str) -> Configured<()> {
//!         Configured::Ready(())
//!     }
//!
//!     fn resources(&self) -> Vec<Box<dyn ErasedResource<()>>> {
//!         vec![erase(Pet)]
//!     }
//!
//!     fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<()>>> {
//!         Vec::new()
//!     }
//! }
//!
//! /// `pets_pet`.
//! struct Pet;
//!
//! /// Its state: what Terraform stores.
//! #[derive(Serialize, Deserialize)]
//! struct PetState {
//!     id: Option<String>,
//!     name: String,
//! }
//!
//! #[async_trait]
//! impl Resource<()> for Pet {
//!     type State = PetState;
//!
//!     fn type_name(&self) -> &'static str {
//!         "pets_pet"
//!     }
//!
//!     fn schema(&self) -> Schema {
//!         Schema::new(
//!             0,
//!             Block::new("A pet.")
//!                 .attribute(
//!                     Attribute::string("name")
//!                         .required()
//!                         .description("Its name; a new name is a new pet.")
//!                         .validator(length_between(1, 40))
//!                         .plan_modifier(requires_replace()),
//!                 )
//!                 .attribute(
//!                     Attribute::string("id")
//!                         .computed()
//!                         .plan_modifier(use_state_for_unknown()),
//!                 ),
//!         )
//!     }
//!
//!     async fn create(
//!         &self,
//!         _ctx: &Context<()>,
//!         request: ApplyRequest<PetState>,
//!     ) -> ApplyResponse<PetState> {
//!         // The schema has checked the name; the configuration decodes into the state.
//!         match request.config_as::<PetState>() {
//!             Ok(pet) => ApplyResponse::ok(PetState {
//!                 id: Some(format!("pet-{}", pet.name)),
//!                 ..pet
//!             }),
//!             Err(d) => ApplyResponse::failed(d),
//!         }
//!     }
//!
//!     async fn delete(&self, _ctx: &Context<()>, _pet: PetState, _: Vec<u8>) -> Diagnostics {
//!         Diagnostics::new()
//!     }
//!
//!     async fn read(
//!         &self,
//!         _ctx: &Context<()>,
//!         pet: PetState,
//!         private: Vec<u8>,
//!     ) -> ReadResponse<PetState> {
//!         // Kept only in Terraform's state: what Terraform has is what exists.
//!         let diagnostics = Diagnostics::new();
//!         ReadResponse { new_state: Some(pet), private, diagnostics }
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     logging::init(logging::level_from_env(), &["pets"]);
//!     let options = plugin::ServeOptions {
//!         provider_address: "registry.terraform.io/example/pets".into(),
//!         debug: std::env::args().any(|a| a == "-debug"),
//!     };
//!     match plugin::serve(Pets, options).await {
//!         Ok(()) => std::process::ExitCode::SUCCESS,
//!         Err(e) => {
//!             eprintln!("pets: {e}");
//!             std::process::ExitCode::FAILURE
//!         }
//!     }
//! }
//! ```
//!
//! `update` defaults to refusing in-place changes, `import` to refusing imports
//! ([`resource::import_passthrough`] imports by ID), and `validate` and `modify_plan`
//! to nothing: most resources need no hand-written rules. `examples/notes/` is a
//! complete resource on the same lines, with an identity, a list resource and an
//! action, and `examples/inventory.rs` a data source and a provider-defined function;
//! the crate README shows how to run them under Terraform.
//!
//! # What the crate does
//!
//! It speaks the Terraform plugin protocol v6 over gRPC (tonic + prost, the `.proto`
//! files compiled without `protoc`), starts the way go-plugin expects (magic cookie,
//! AutoMTLS with Terraform's P-521 client certificate, the handshake line), and hands a
//! provider typed, wire-free pieces:
//!
//! - [`provider::Provider`]: the provider block, `configure` producing a client, and
//!   the resources, data sources, functions, list resources and actions served. Every operation gets a
//!   [`context::Context`] with the client and a stop signal that StopProvider
//!   (Ctrl-C in Terraform) cancels without tearing the server down.
//! - [`resource::Resource`] (create, read, update, delete, import, and optional
//!   `validate` and `modify_plan` hooks), [`data_source::DataSource`],
//!   [`function::Function`]: the traits to implement; state and config are plain serde
//!   structs ([`resource::PlanRequest::config_as`], [`resource::ApplyRequest::planned_as`],
//!   [`value::decode`]). A provider serves resources and data sources boxed by
//!   [`erased::erase`] and [`erased::erase_data_source`].
//! - [`schema::Schema`], declared once with builders, drives decoding, validation and
//!   docs: null required and configured read-only attributes are refused for every
//!   resource, and the [`validators`] an attribute or block declares run on every
//!   configuration. For resources it also drives planning ([`planning`]): defaults,
//!   equivalence, unknown computed values and the [`plan_modifiers`], before the
//!   resource's own `modify_plan`. [`timeouts`] is the customary `timeouts` block.
//! - Newer protocol features, each proved against the protocol only (Terraform 1.11,
//!   the newest CLI the tests have, uses none of them): resource identity
//!   ([`identity`]; [`resource::Resource::identity_schema`], `identity`,
//!   `import_by_identity`; protocol 6.9, Terraform 1.12), list resources for
//!   `terraform query` ([`list`], [`list::results`]) with configuration generation
//!   ([`resource::Resource::generate_config`]), and actions with streamed progress
//!   ([`action`]; protocol 6.10, Terraform 1.14), and planned private data kept from
//!   plan to apply ([`resource::PlanRequest::stored_plan_private`]; protocol 6.11,
//!   Terraform 1.16). Older clients never ask for them.
//! - [`value::Value`]: the three-state value (known, null, unknown) with the cty
//!   msgpack and JSON codecs; [`diag::Diagnostic`] carries an [`path::AttributePath`]
//!   so Terraform underlines the right line.
//! - [`plugin::serve`]: runs the provider until Terraform shuts it down; `-debug` mode
//!   prints a `TF_REATTACH_PROVIDERS` line instead.
//! - [`logging`]: hclog-style JSON lines on stderr at the level `TF_LOG_PROVIDER` asks.
//!
//! Only this crate knows gRPC, msgpack and go-plugin.
//!
//! The `testing` feature also makes public the generated protocol types (`proto`, with
//! gRPC clients) and the in-process gRPC service (`server::ProviderService`), for tests
//! that speak to a provider the way Terraform does.

#![deny(missing_docs)]

pub mod action;
pub mod context;
pub mod data_source;
pub mod diag;
pub mod duration;
pub mod erased;
pub mod function;
pub mod identity;
pub mod list;
pub mod logging;
pub mod path;
pub mod plan_modifiers;
pub mod planning;
pub mod plugin;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod timeouts;
mod tls;
pub mod typed;
pub mod validators;
pub mod value;

// The wire types and the gRPC service are the crate's own business. Tests that talk to a
// provider over gRPC, in process or as Terraform would, turn on the `testing` feature to
// reach them; a provider never needs to.
#[cfg(feature = "testing")]
pub mod proto;
#[cfg(not(feature = "testing"))]
mod proto;
#[cfg(feature = "testing")]
pub mod server;
#[cfg(not(feature = "testing"))]
mod server;

/// What the crate's tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::diag::Diagnostics;
    use crate::value::Value;

    /// An object value with these attributes.
    pub(crate) fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    /// `(summary, attribute path, detail)` of each diagnostic, the path empty where
    /// there is none.
    pub(crate) fn summaries(diagnostics: &Diagnostics) -> Vec<(String, String, String)> {
        diagnostics
            .iter()
            .map(|d| {
                (
                    d.summary.clone(),
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    /// The name of the provider this framework was first written for, and of its cloud:
    /// neither may appear in the framework. Spelled with `concat!` so that the sources
    /// that check for them do not contain them.
    pub(crate) const PROVIDER_WORD: &str = concat!("out", "posts");
    /// See [`PROVIDER_WORD`].
    pub(crate) const CLOUD_WORD: &str = concat!("a", "ws");

    /// Whether `text` mentions either word, in any case: the provider's name anywhere,
    /// the cloud's as a word of its own (`rawstate` is not a mention), leaving out the
    /// name of the crypto backend (`aws-lc-rs`), which is a dependency, not a cloud.
    pub(crate) fn mentions_a_foreign_word(text: &str) -> Option<&'static str> {
        let text = text
            .to_lowercase()
            .replace(&format!("{CLOUD_WORD}_lc_rs"), "")
            .replace(&format!("{CLOUD_WORD}-lc-rs"), "");
        if text.contains(PROVIDER_WORD) {
            return Some(PROVIDER_WORD);
        }
        let bytes = text.as_bytes();
        let is_word = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
        text.match_indices(CLOUD_WORD)
            .any(|(at, word)| (at == 0 || !is_word(at - 1)) && !is_word(at + word.len()))
            .then_some(CLOUD_WORD)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::mentions_a_foreign_word;
    use std::path::Path;

    /// Every `.rs` file under `dir`, with its text.
    fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
        let entries = std::fs::read_dir(dir).expect("the crate's sources are readable");
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                found.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn the_foreign_word_check_finds_mentions_and_only_mentions() {
        assert!(mentions_a_foreign_word(concat!("terraform-provider-out", "posts")).is_some());
        assert!(mentions_a_foreign_word(concat!("cannot call A", "WS.")).is_some());
        assert!(mentions_a_foreign_word(concat!("RawState; a", "ws_lc_rs")).is_none());
    }

    #[test]
    fn no_text_of_a_particular_provider_or_cloud_is_in_the_framework() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 10, "found only {} source files", files.len());
        for (path, text) in files {
            if let Some(word) = mentions_a_foreign_word(&text) {
                panic!("{path} mentions {word:?}");
            }
        }
    }

    /// The crate's module a file belongs to (`server` for `src/server/wire.rs`), and
    /// whether `super::` in it names the crate root.
    fn module_of(src: &Path, file: &Path) -> (String, bool) {
        let relative = file.strip_prefix(src).unwrap_or(file);
        let mut parts = relative.iter().filter_map(|p| p.to_str());
        let first = parts.next().unwrap_or_default().trim_end_matches(".rs");
        let in_root = relative.components().count() == 1 || relative.ends_with("mod.rs");
        (first.to_string(), in_root)
    }

    #[test]
    fn the_modules_import_each_other_without_a_circle() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        // Which modules each module imports, from its top-level `use` lines.
        let mut imports: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
            Default::default();
        for (path, text) in &files {
            // A module's tests may use what the module's users use.
            if path.ends_with("tests.rs") {
                continue;
            }
            let (module, super_is_root) = module_of(&src, Path::new(path));
            let edges = imports.entry(module.clone()).or_default();
            for line in text.lines() {
                let Some(used) = line
                    .strip_prefix("use ")
                    .or_else(|| line.strip_prefix("pub use "))
                else {
                    continue;
                };
                let target = match used.split_once("::") {
                    Some(("crate", rest)) => rest,
                    Some(("super", rest)) if super_is_root => rest,
                    _ => continue,
                };
                let target: String = target
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !target.is_empty() && target != module {
                    edges.insert(target);
                }
            }
        }
        assert!(imports["provider"].contains("erased"), "{imports:?}");

        // Depth-first search; meeting a module still on the path closes a circle.
        fn visit(
            module: &str,
            imports: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut std::collections::BTreeSet<String>,
        ) {
            if let Some(at) = path.iter().position(|m| m == module) {
                panic!("import circle: {} -> {module}", path[at..].join(" -> "));
            }
            if done.contains(module) {
                return;
            }
            path.push(module.to_string());
            for next in imports.get(module).into_iter().flatten() {
                visit(next, imports, path, done);
            }
            path.pop();
            done.insert(module.to_string());
        }
        let mut done = Default::default();
        for module in imports.keys() {
            visit(module, &imports, &mut Vec::new(), &mut done);
        }
    }
}
