//! Protocol tests: the tfplugin6 service in-process, over a real gRPC connection on an
//! in-memory duplex, with a small test provider whose resource exercises every RPC.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tfplugin::action::Action;
use tfplugin::context::Context;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::erased::{ErasedDataSource, ErasedResource, erase};
use tfplugin::function::{Function, FunctionError, Parameter, Signature};
use tfplugin::identity::{IdentityAttribute, IdentitySchema};
use tfplugin::list::{ErasedListResource, erase_list};
use tfplugin::path::AttributePath;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::provider_server::ProviderServer;
use tfplugin::provider::{Configured, Provider};
use tfplugin::resource::{
    ApplyRequest, ApplyResponse, MoveRequest, PlanRequest, PlanResponse, ReadResponse, Resource,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::server::ProviderService;
use tfplugin::value::{self, Type, Value};
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint, Server};

mod fixtures;
mod functions;
mod identity;
mod lifecycle;
mod list_and_action;
mod robustness;
mod schema_and_validation;

/// The configured "client" of the test provider: just the label from its config.
struct Label(String);

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    type Client = Label;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Test provider.").attribute(
                Attribute::string("label")
                    .optional()
                    .description("A label."),
            ),
        )
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match config.attr("label").and_then(Value::as_str) {
            Some("") => Diagnostic::error("Empty label", "label must not be empty")
                .at(AttributePath::attr("label"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn configure(&self, config: &Value, _terraform_version: &str) -> Configured<Label> {
        match config.attr("label") {
            Some(v) if v.is_unknown() => Configured::Unknown {
                reason: "label is unknown".into(),
            },
            Some(v) => Configured::Ready(Label(v.as_str().unwrap_or("none").to_string())),
            None => Configured::Ready(Label("none".into())),
        }
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<Label>>> {
        vec![erase(Notebook)]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Label>>> {
        Vec::new()
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        vec![Box::new(Repeat)]
    }

    fn list_resources(&self) -> Vec<Box<dyn ErasedListResource<Label>>> {
        vec![erase_list(fixtures::NotebookList)]
    }

    fn actions(&self) -> Vec<Box<dyn Action<Label>>> {
        vec![Box::new(fixtures::Stamp)]
    }
}

/// `repeat(text, times)`: `text` written `times` times.
struct Repeat;

impl Function for Repeat {
    fn name(&self) -> &'static str {
        "repeat"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("text", Type::String, "What to repeat."),
                Parameter::new("times", Type::Number, "How many times."),
            ],
            variadic: None,
            returns: Type::String,
            summary: "Repeats a string.".into(),
            description: "Repeats `text` `times` times.".into(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let text = arguments[0].as_str().unwrap_or_default();
        match arguments[1].as_i64() {
            Some(n @ 0..=100) => Ok(Value::string(text.repeat(n as usize))),
            _ => Err(FunctionError::argument(
                1,
                "times must be a whole number from 0 to 100",
            )),
        }
    }
}

struct Notebook;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct NotebookState {
    id: Option<String>,
    title: String,
    pages: Option<i64>,
    wait_for_stop: Option<bool>,
}

fn notebook_schema() -> Schema {
    Schema::new(
        1,
        Block::new("A notebook.")
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("Identifier."),
            )
            .attribute(Attribute::string("title").required().description("Title."))
            .attribute(Attribute::number("pages").optional().description("Pages."))
            .attribute(
                Attribute::bool("wait_for_stop")
                    .optional()
                    .description("Block until stopped."),
            ),
    )
}

#[async_trait]
impl Resource<Label> for Notebook {
    type State = NotebookState;

    fn type_name(&self) -> &'static str {
        "test_notebook"
    }

    fn schema(&self) -> Schema {
        notebook_schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match config.attr("pages").and_then(Value::as_i64) {
            Some(n) if n < 0 => Diagnostic::error("Negative pages", "pages must be >= 0")
                .at(AttributePath::attr("pages"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn modify_plan(
        &self,
        _ctx: &Context<Label>,
        request: &PlanRequest,
        plan: &mut PlanResponse,
    ) {
        // The schema planned the unknown ID; the rest tells the tests it was here.
        // Terraform replaces only when a listed path changed, so listing an unchanged
        // one is harmless.
        plan.requires_replace = vec![AttributePath::attr("title")];
        // Echoes what the first plan passed on, when the client stored it.
        plan.planned_private = match &request.stored_plan_private {
            Some(stored) => [b"stored:".as_slice(), stored].concat(),
            None => b"planned".to_vec(),
        };
    }

    async fn create(
        &self,
        ctx: &Context<Label>,
        request: ApplyRequest<NotebookState>,
    ) -> ApplyResponse<NotebookState> {
        let label = match ctx.client() {
            Ok(label) => label.0.clone(),
            Err(d) => return ApplyResponse::failed(d),
        };
        let config: NotebookState =
            match value::to_serde(&request.config, &notebook_schema().value_type()) {
                Ok(c) => c,
                Err(e) => {
                    return ApplyResponse::failed(Diagnostic::error("bad config", e.to_string()));
                }
            };
        let state = NotebookState {
            id: Some(format!(
                "{label}-{}",
                String::from_utf8_lossy(&request.planned_private)
            )),
            ..config
        };
        if state.wait_for_stop == Some(true) {
            ctx.stop().cancelled().await;
            let mut response = ApplyResponse::ok(state);
            response
                .diagnostics
                .error("Interrupted", "stopped while waiting; the object is kept");
            return response;
        }
        ApplyResponse::ok(state)
    }

    async fn delete(
        &self,
        _ctx: &Context<Label>,
        state: NotebookState,
        _private: Vec<u8>,
    ) -> Diagnostics {
        if state.title == "undeletable" {
            Diagnostic::error("Cannot delete", "this one stays").into()
        } else {
            Diagnostics::new()
        }
    }

    async fn read(
        &self,
        _ctx: &Context<Label>,
        state: NotebookState,
        private: Vec<u8>,
    ) -> ReadResponse<NotebookState> {
        ReadResponse {
            new_state: (state.title != "gone").then_some(state),
            private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn import(&self, _ctx: &Context<Label>, id: &str) -> Result<NotebookState, Diagnostics> {
        match id.strip_prefix("nb-") {
            Some(title) => Ok(NotebookState {
                id: Some(id.to_string()),
                title: title.to_string(),
                pages: None,
                wait_for_stop: None,
            }),
            None => Err(Diagnostic::error("Bad import ID", "expected nb-<title>").into()),
        }
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(notebook_identity_schema())
    }

    fn identity(&self, _ctx: &Context<Label>, state: &NotebookState) -> Option<Value> {
        let id = state.id.as_ref()?;
        let members = [("id".to_string(), Value::string(id))];
        Some(notebook_identity_schema().value(members.into_iter().collect()))
    }

    /// Takes the notebooks of the older `test_jotter` type, whose state names the title
    /// `name`.
    async fn move_state(
        &self,
        _ctx: &Context<Label>,
        request: &MoveRequest,
    ) -> Option<Result<NotebookState, Diagnostics>> {
        if request.source_type_name != "test_jotter" {
            return None;
        }
        let text = |name: &str| request.source_state[name].as_str().map(str::to_string);
        Some(match (text("id"), text("name")) {
            (Some(id), Some(title)) => Ok(NotebookState {
                id: Some(id),
                title,
                pages: request.source_state["pages"].as_i64(),
                wait_for_stop: None,
            }),
            _ => Err(Diagnostic::error("Unreadable jotter", "no id or name").into()),
        })
    }

    async fn import_by_identity(
        &self,
        ctx: &Context<Label>,
        identity: &Value,
    ) -> Result<NotebookState, Diagnostics> {
        let id = identity.attr("id").and_then(Value::as_str).unwrap_or("");
        self.import(ctx, id).await
    }
}

/// A notebook is named by its ID; the shelf it stands on may be given on import.
fn notebook_identity_schema() -> IdentitySchema {
    IdentitySchema::new(1)
        .attribute(
            IdentityAttribute::string("id")
                .required_for_import()
                .description("The notebook's ID."),
        )
        .attribute(IdentityAttribute::string("shelf").description("Where it stands."))
}

/// A gRPC client connected in-process to a fresh provider service.
async fn connect() -> ProviderClient<Channel> {
    let (client_io, server_io) = tokio::io::duplex(1 << 20);
    let service = ProviderService::new(TestProvider, CancellationToken::new());
    tokio::spawn(async move {
        Server::builder()
            .add_service(ProviderServer::new(service))
            .serve_with_incoming(tokio_stream::iter(vec![Ok::<_, std::io::Error>(server_io)]))
            .await
    });
    let mut client_io = Some(client_io);
    let channel = Endpoint::from_static("http://in-process")
        .connect_with_connector(tower::service_fn(move |_| {
            let io = client_io.take();
            async move {
                io.map(hyper_util::rt::TokioIo::new)
                    .ok_or_else(|| std::io::Error::other("already connected"))
            }
        }))
        .await
        .expect("in-process channel");
    ProviderClient::new(channel)
}

fn notebook_type() -> Type {
    notebook_schema().value_type()
}

fn notebook(pairs: &[(&str, Value)]) -> Value {
    let mut object: BTreeMap<String, Value> = ["id", "title", "pages", "wait_for_stop"]
        .iter()
        .map(|k| (k.to_string(), Value::Null))
        .collect();
    for (k, v) in pairs {
        object.insert(k.to_string(), v.clone());
    }
    Value::Object(object)
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    msgpack(value::encode_msgpack(value, ty).expect("encode"))
}

fn provider_config(label: Value) -> Option<pb::DynamicValue> {
    let ty = TestProvider.schema().value_type();
    dv(
        &Value::Object([("label".to_string(), label)].into_iter().collect()),
        &ty,
    )
}

fn undv(value: &Option<pb::DynamicValue>) -> Value {
    let bytes = &value.as_ref().expect("a value").msgpack;
    value::decode_msgpack(bytes, &notebook_type()).expect("decode")
}

fn paths(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            d.attribute
                .as_ref()
                .map(|p| {
                    p.steps
                        .iter()
                        .filter_map(|s| match &s.selector {
                            Some(pb::attribute_path::step::Selector::AttributeName(n)) => {
                                Some(n.clone())
                            }
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default()
        })
        .collect()
}

async fn validate_provider(
    client: &mut ProviderClient<Channel>,
    label: Value,
) -> pb::validate_provider_config::Response {
    client
        .validate_provider_config(pb::validate_provider_config::Request {
            config: provider_config(label),
        })
        .await
        .expect("validate provider")
        .into_inner()
}

async fn validate_resource(
    client: &mut ProviderClient<Channel>,
    type_name: &str,
    config: Option<pb::DynamicValue>,
) -> pb::validate_resource_config::Response {
    client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: type_name.into(),
            config,
            client_capabilities: None,
        })
        .await
        .expect("validate resource")
        .into_inner()
}

/// A value as Terraform sends it, from its msgpack bytes.
fn msgpack(bytes: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    })
}

/// ReadResource of a notebook stored as `current_state`, with `private`.
async fn read_notebook(
    client: &mut ProviderClient<Channel>,
    current_state: Option<pb::DynamicValue>,
    private: &[u8],
) -> pb::read_resource::Response {
    client
        .read_resource(pb::read_resource::Request {
            type_name: "test_notebook".into(),
            current_state,
            private: private.to_vec(),
            provider_meta: None,
            client_capabilities: None,
            current_identity: None,
        })
        .await
        .expect("read")
        .into_inner()
}

#[track_caller]
fn assert_no_diagnostics(diagnostics: &[pb::Diagnostic]) {
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

async fn configure(client: &mut ProviderClient<Channel>, label: &str) {
    let response = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: provider_config(Value::string(label)),
            client_capabilities: None,
        })
        .await
        .expect("configure")
        .into_inner();
    assert_no_diagnostics(&response.diagnostics);
}

async fn apply(
    client: &mut ProviderClient<Channel>,
    prior: &Value,
    planned: &Value,
    private: &[u8],
) -> pb::apply_resource_change::Response {
    // Terraform's config holds null, not unknown, for computed attributes.
    let config = match planned {
        Value::Object(members) => {
            let mut members = members.clone();
            members.insert("id".into(), Value::Null);
            Value::Object(members)
        }
        other => other.clone(),
    };
    client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_notebook".into(),
            prior_state: dv(prior, &notebook_type()),
            planned_state: dv(planned, &notebook_type()),
            config: dv(&config, &notebook_type()),
            planned_private: private.to_vec(),
            provider_meta: None,
            planned_identity: None,
        })
        .await
        .expect("apply")
        .into_inner()
}
