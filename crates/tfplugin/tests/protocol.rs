//! Protocol tests: the tfplugin6 service in-process, over a real gRPC connection on an
//! in-memory duplex, with a small test provider whose resource exercises every RPC.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tfplugin::data_source::ErasedDataSource;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::function::{Function, FunctionError, Parameter, Signature};
use tfplugin::path::AttributePath;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::provider_server::ProviderServer;
use tfplugin::provider::{Configured, Context, Provider};
use tfplugin::resource::{
    ApplyRequest, ApplyResponse, ErasedResource, PlanRequest, PlanResponse, ReadResponse, Resource,
    erase,
};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::server::ProviderService;
use tfplugin::value::{self, Type, Value};
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint, Server};

/// The configured "client" of the test provider: just the label from its config.
struct Label(String);

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    type Client = Label;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Test provider.").attribute(Attribute::optional(
                "label",
                Type::String,
                "A label.",
            )),
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
            .attribute(Attribute::computed("id", Type::String, "Identifier."))
            .attribute(Attribute::required("title", Type::String, "Title."))
            .attribute(Attribute::optional("pages", Type::Number, "Pages."))
            .attribute(Attribute::optional(
                "wait_for_stop",
                Type::Bool,
                "Block until stopped.",
            )),
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

    async fn plan(&self, _ctx: &Context<Label>, request: PlanRequest) -> PlanResponse {
        let mut planned = request.proposed_new_state;
        if request.prior_state.is_none()
            && let Value::Object(members) = &mut planned
        {
            members.insert("id".into(), Value::Unknown);
        }
        PlanResponse {
            planned_state: planned,
            requires_replace: vec![AttributePath::attr("title")],
            planned_private: b"planned".to_vec(),
            diagnostics: Diagnostics::new(),
        }
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
    Some(pb::DynamicValue {
        msgpack: value::encode_msgpack(value, ty).expect("encode"),
        json: Vec::new(),
    })
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
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
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
        })
        .await
        .expect("apply")
        .into_inner()
}

#[tokio::test]
async fn get_provider_schema_and_metadata_describe_everything() {
    let mut client = connect().await;
    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    let provider = schema
        .provider
        .expect("provider schema")
        .block
        .expect("block");
    assert_eq!(provider.attributes[0].name, "label");
    assert_eq!(provider.attributes[0].description, "A label.");
    let notebook = &schema.resource_schemas["test_notebook"];
    assert_eq!(notebook.version, 1);
    assert_eq!(notebook.block.as_ref().expect("block").attributes.len(), 4);
    assert!(
        !schema
            .server_capabilities
            .expect("capabilities")
            .plan_destroy
    );

    let metadata = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    assert_eq!(metadata.resources[0].type_name, "test_notebook");
}

#[tokio::test]
async fn validate_provider_and_resource_configs_point_at_attributes() {
    let mut client = connect().await;
    let response = client
        .validate_provider_config(pb::validate_provider_config::Request {
            config: provider_config(Value::string("")),
        })
        .await
        .expect("validate provider")
        .into_inner();
    assert_eq!(paths(&response.diagnostics), vec!["label"]);

    let unknown = client
        .validate_provider_config(pb::validate_provider_config::Request {
            config: provider_config(Value::Unknown),
        })
        .await
        .expect("validate provider")
        .into_inner();
    assert!(unknown.diagnostics.is_empty());

    let response = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_notebook".into(),
            config: dv(
                &notebook(&[("title", Value::string("t")), ("pages", Value::int(-1))]),
                &notebook_type(),
            ),
            client_capabilities: None,
        })
        .await
        .expect("validate resource")
        .into_inner();
    assert_eq!(paths(&response.diagnostics), vec!["pages"]);
    assert_eq!(
        response.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );

    // What the schema says is checked for every resource, before its own checks: a
    // required attribute must not be null, a computed-only one must not be configured.
    let response = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_notebook".into(),
            config: dv(
                &notebook(&[("title", Value::Null), ("id", Value::string("nb-9"))]),
                &notebook_type(),
            ),
            client_capabilities: None,
        })
        .await
        .expect("validate resource")
        .into_inner();
    assert_eq!(paths(&response.diagnostics), vec!["id", "title"]);
    let summaries: Vec<&str> = response
        .diagnostics
        .iter()
        .map(|d| d.summary.as_str())
        .collect();
    assert_eq!(
        summaries,
        [
            "Invalid Configuration for Read-Only Attribute",
            "Missing Configuration for Required Attribute"
        ]
    );
}

#[tokio::test]
async fn plan_apply_read_and_destroy_round_trip_values_and_private_state() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = notebook(&[("title", Value::string("ideas")), ("pages", Value::int(40))]);
    let plan = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_notebook".into(),
            prior_state: dv(&Value::Null, &notebook_type()),
            proposed_new_state: dv(&config, &notebook_type()),
            config: dv(&config, &notebook_type()),
            prior_private: Vec::new(),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .expect("plan")
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = undv(&plan.planned_state);
    assert!(planned.attr("id").expect("id").is_unknown());
    // A wholly unknown value is exactly D4 00 00 on the wire.
    let raw = &plan.planned_state.as_ref().expect("planned").msgpack;
    assert!(
        raw.windows(5).any(|w| w == [0xa2, b'i', b'd', 0xd4, 0x00]),
        "{raw:02x?}"
    );
    assert_eq!(plan.requires_replace.len(), 1);
    assert_eq!(plan.planned_private, b"planned");

    let applied = apply(&mut client, &Value::Null, &planned, &plan.planned_private).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = undv(&applied.new_state);
    assert_eq!(
        state.attr("id").and_then(Value::as_str),
        Some("lab-planned")
    );
    assert_eq!(state.attr("pages").and_then(Value::as_i64), Some(40));

    let read = client
        .read_resource(pb::read_resource::Request {
            type_name: "test_notebook".into(),
            current_state: dv(&state, &notebook_type()),
            private: b"kept".to_vec(),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .expect("read")
        .into_inner();
    assert_eq!(undv(&read.new_state), state);
    assert_eq!(read.private, b"kept");

    let destroyed = apply(&mut client, &state, &Value::Null, &[]).await;
    assert!(destroyed.diagnostics.is_empty());
    assert!(undv(&destroyed.new_state).is_null());

    // A failed delete keeps the object in state.
    let stuck = notebook(&[
        ("id", Value::string("x")),
        ("title", Value::string("undeletable")),
    ]);
    let failed = apply(&mut client, &stuck, &Value::Null, &[]).await;
    assert_eq!(failed.diagnostics[0].summary, "Cannot delete");
    assert_eq!(undv(&failed.new_state), stuck);
}

#[tokio::test]
async fn read_of_a_vanished_object_returns_null() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let gone = notebook(&[("id", Value::string("x")), ("title", Value::string("gone"))]);
    let read = client
        .read_resource(pb::read_resource::Request {
            type_name: "test_notebook".into(),
            current_state: dv(&gone, &notebook_type()),
            private: Vec::new(),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .expect("read")
        .into_inner();
    assert!(undv(&read.new_state).is_null());
}

#[tokio::test]
async fn import_builds_state_or_explains_a_bad_id() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let imported = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_notebook".into(),
            id: "nb-diary".into(),
            client_capabilities: None,
        })
        .await
        .expect("import")
        .into_inner();
    assert_eq!(imported.imported_resources.len(), 1);
    let state = undv(&imported.imported_resources[0].state);
    assert_eq!(state.attr("title").and_then(Value::as_str), Some("diary"));

    let bad = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_notebook".into(),
            id: "diary".into(),
            client_capabilities: None,
        })
        .await
        .expect("import")
        .into_inner();
    assert!(bad.imported_resources.is_empty());
    assert_eq!(bad.diagnostics[0].summary, "Bad import ID");
}

#[tokio::test]
async fn upgrade_resource_state_reads_stored_json_with_the_current_schema() {
    let mut client = connect().await;
    let stored = br#"{"id":"nb-1","title":"old","removed_attribute":true}"#;
    let upgraded = client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_notebook".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: stored.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("upgrade")
        .into_inner();
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    let state = undv(&upgraded.upgraded_state);
    assert_eq!(state.attr("title").and_then(Value::as_str), Some("old"));
    assert!(state.attr("pages").expect("pages").is_null());

    let newer = client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_notebook".into(),
            version: 7,
            raw_state: Some(pb::RawState {
                json: stored.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("upgrade")
        .into_inner();
    assert_eq!(newer.diagnostics[0].summary, "State from a newer provider");
}

#[tokio::test]
async fn stop_provider_makes_an_in_flight_apply_return_with_its_state() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let planned = notebook(&[
        ("id", Value::Unknown),
        ("title", Value::string("long")),
        ("wait_for_stop", Value::Bool(true)),
    ]);
    let mut apply_client = client.clone();
    let in_flight =
        tokio::spawn(async move { apply(&mut apply_client, &Value::Null, &planned, b"p").await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!in_flight.is_finished(), "apply should be waiting");

    let stopped_at = Instant::now();
    let stop = client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("stop")
        .into_inner();
    assert!(stop.error.is_empty());
    let applied = tokio::time::timeout(Duration::from_secs(5), in_flight)
        .await
        .expect("apply returned after StopProvider")
        .expect("task");
    assert!(stopped_at.elapsed() < Duration::from_secs(2));
    // The object is returned with the error, so Terraform keeps it (tainted).
    let state = undv(&applied.new_state);
    assert_eq!(state.attr("id").and_then(Value::as_str), Some("lab-p"));
    assert_eq!(applied.diagnostics[0].summary, "Interrupted");

    // The server keeps serving after StopProvider.
    client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("still serving");
}

#[tokio::test]
async fn garbage_and_unknown_types_become_diagnostics_not_panics() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    for garbage in [
        vec![0xc1],
        vec![0x92, 0x01],
        vec![0xdd, 0xff, 0xff, 0xff, 0xff],
        vec![0x81, 0xa1, b'z', 0x01],
    ] {
        let response = client
            .read_resource(pb::read_resource::Request {
                type_name: "test_notebook".into(),
                current_state: Some(pb::DynamicValue {
                    msgpack: garbage.clone(),
                    json: Vec::new(),
                }),
                private: Vec::new(),
                provider_meta: None,
                client_capabilities: None,
            })
            .await
            .expect("read answers")
            .into_inner();
        assert_eq!(
            response.diagnostics[0].summary, "Invalid value from Terraform",
            "{garbage:02x?}"
        );
    }
    let response = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_nonexistent".into(),
            config: None,
            client_capabilities: None,
        })
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(response.diagnostics[0].summary, "Unknown resource type");
}

#[tokio::test]
async fn operations_before_or_without_a_known_configuration_explain_why() {
    let mut client = connect().await;
    let planned = notebook(&[("id", Value::Unknown), ("title", Value::string("t"))]);
    let applied = apply(&mut client, &Value::Null, &planned, &[]).await;
    assert_eq!(applied.diagnostics[0].summary, "Provider not configured");

    let response = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: provider_config(Value::Unknown),
            client_capabilities: None,
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(response.diagnostics.is_empty());
    let applied = apply(&mut client, &Value::Null, &planned, &[]).await;
    assert_eq!(applied.diagnostics[0].detail, "label is unknown");
}

#[tokio::test]
async fn functions_are_described_and_called_with_argument_errors() {
    let mut client = connect().await;
    let listed = client
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("functions")
        .into_inner();
    let repeat = &listed.functions["repeat"];
    assert_eq!(repeat.parameters.len(), 2);
    assert_eq!(repeat.parameters[1].r#type, b"\"number\"");
    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(schema.functions.contains_key("repeat"));

    let call = |args: Vec<Value>| pb::call_function::Request {
        name: "repeat".into(),
        arguments: args
            .iter()
            .zip([Type::String, Type::Number])
            .map(|(v, t)| dv(v, &t).expect("argument"))
            .collect(),
    };
    let ok = client
        .call_function(call(vec![Value::string("ab"), Value::int(3)]))
        .await
        .expect("call")
        .into_inner();
    let result = ok.result.expect("a result");
    assert_eq!(
        value::decode_msgpack(&result.msgpack, &Type::String).expect("decodes"),
        Value::string("ababab")
    );
    assert!(ok.error.is_none());

    let refused = client
        .call_function(call(vec![Value::string("ab"), Value::int(-1)]))
        .await
        .expect("call")
        .into_inner();
    let error = refused.error.expect("an error");
    assert_eq!(error.function_argument, Some(1));
    assert!(refused.result.is_none());

    let null = client
        .call_function(call(vec![Value::Null, Value::int(1)]))
        .await
        .expect("call")
        .into_inner();
    assert_eq!(null.error.expect("an error").function_argument, Some(0));

    let unknown = client
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            arguments: Vec::new(),
        })
        .await
        .expect("call")
        .into_inner();
    assert!(
        unknown
            .error
            .expect("an error")
            .text
            .contains("no function")
    );
}
