//! The notes example's newer features, which Terraform 1.11 never asks for, spoken to
//! over the protocol as Terraform 1.12+ (identity) and 1.14+ (`terraform query`,
//! actions) would: the example's executable is started as Terraform starts a provider
//! (without TLS) and driven through its socket.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use test_support::{isolate_env, scratch_dir, workspace_example};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::value::{self, Type, Value};
use tokio_stream::StreamExt;
use tonic::transport::{Channel, Endpoint};

const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The running example; stopped when dropped.
struct Running {
    child: Child,
    client: ProviderClient<Channel>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the notes example and configures it with `directory`.
async fn start(directory: &Path) -> Running {
    let mut command = Command::new(workspace_example("notes"));
    isolate_env(&mut command, &[]);
    let mut child = command
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the handshake line");
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts[..3], ["1", "6", "unix"], "{line}");
    let socket = PathBuf::from(parts[3]);
    let channel = Endpoint::from_static("http://example")
        .connect_with_connector(tower::service_fn(move |_| {
            let socket = socket.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(socket).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
            }
        }))
        .await
        .expect("connected to the example");
    let mut client = ProviderClient::new(channel);
    let config = object(&[("directory", Value::string(directory.display().to_string()))]);
    let configured = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.14.0".into(),
            config: dv(&config),
            client_capabilities: None,
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );
    Running { child, client }
}

fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// The type of an object of string attributes, which every value here is.
fn strings(value: &Value) -> Type {
    let names = value
        .as_map()
        .map(|m| m.keys().cloned().collect::<Vec<_>>());
    let members: BTreeMap<String, Type> = names
        .into_iter()
        .flatten()
        .map(|name| (name, Type::String))
        .collect();
    Type::Object(members)
}

fn dv(value: &Value) -> Option<pb::DynamicValue> {
    let msgpack = value::encode_msgpack(value, &strings(value)).expect("encode");
    Some(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn identity_type() -> Type {
    strings(&object(&[("id", Value::Null), ("directory", Value::Null)]))
}

fn identity_of(data: &Option<pb::ResourceIdentityData>) -> Value {
    let bytes = &data
        .as_ref()
        .expect("an identity")
        .identity_data
        .as_ref()
        .expect("data")
        .msgpack;
    value::decode_msgpack(bytes, &identity_type()).expect("identity decodes")
}

/// A note's file, as the resource writes it.
fn write_note(directory: &Path, id: &str, title: &str) {
    let note = serde_json::json!({
        "id": id, "title": title, "body": "text", "format": "plain", "tags": ["a"],
        "timeouts": null,
    });
    std::fs::write(directory.join(format!("{id}.json")), note.to_string()).expect("write note");
}

#[tokio::test]
async fn the_notes_example_lists_its_notes_for_terraform_query() {
    let dir = scratch_dir();
    write_note(dir.path(), "draft-one", "Draft one");
    write_note(dir.path(), "draft-two", "Draft two");
    write_note(dir.path(), "final", "Final");
    let mut running = start(dir.path()).await;
    let events = running
        .client
        .list_resource(pb::list_resource::Request {
            type_name: "notes_note".into(),
            config: dv(&object(&[("title_prefix", Value::string("Draft"))])),
            include_resource_object: false,
            limit: 10,
        })
        .await
        .expect("list")
        .into_inner();
    let events: Vec<_> = tokio::time::timeout(Duration::from_secs(10), events.collect::<Vec<_>>())
        .await
        .expect("the listing ends")
        .into_iter()
        .map(|e| e.expect("event"))
        .collect();
    let names: Vec<_> = events.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["Draft one", "Draft two"], "{events:?}");
    let identity = identity_of(&events[0].identity);
    assert_eq!(
        identity.attr("id").and_then(Value::as_str),
        Some("draft-one")
    );
    let directory = dir.path().display().to_string();
    assert_eq!(
        identity.attr("directory").and_then(Value::as_str),
        Some(directory.as_str())
    );
}

#[tokio::test]
async fn the_notes_example_imports_a_note_by_identity_in_its_own_directory_only() {
    let dir = scratch_dir();
    write_note(dir.path(), "hello", "Hello");
    let mut running = start(dir.path()).await;
    let import = |identity: Value| pb::import_resource_state::Request {
        type_name: "notes_note".into(),
        id: String::new(),
        client_capabilities: None,
        identity: Some(pb::ResourceIdentityData {
            identity_data: Some(pb::DynamicValue {
                msgpack: value::encode_msgpack(&identity, &identity_type()).expect("encode"),
                json: Vec::new(),
            }),
        }),
    };
    let imported = running
        .client
        .import_resource_state(import(object(&[
            ("id", Value::string("hello")),
            ("directory", Value::Null),
        ])))
        .await
        .expect("import")
        .into_inner();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let identity = identity_of(&imported.imported_resources[0].identity);
    assert_eq!(identity.attr("id").and_then(Value::as_str), Some("hello"));

    let elsewhere = running
        .client
        .import_resource_state(import(object(&[
            ("id", Value::string("hello")),
            ("directory", Value::string("/somewhere/else")),
        ])))
        .await
        .expect("import")
        .into_inner();
    assert!(elsewhere.imported_resources.is_empty());
    assert_eq!(elsewhere.diagnostics[0].summary, "Note kept elsewhere");
}

#[tokio::test]
async fn the_notes_example_archives_a_note_in_reported_steps() {
    let dir = scratch_dir();
    write_note(dir.path(), "hello", "Hello");
    let mut running = start(dir.path()).await;
    let mut invoke = async |note_id: &str| {
        let events = running
            .client
            .invoke_action(pb::invoke_action::Request {
                action_type: "notes_archive".into(),
                config: dv(&object(&[("note_id", Value::string(note_id))])),
                client_capabilities: None,
            })
            .await
            .expect("invoke")
            .into_inner();
        tokio::time::timeout(Duration::from_secs(10), events.collect::<Vec<_>>())
            .await
            .expect("the invoke ends")
            .into_iter()
            .map(|e| e.expect("event").r#type.expect("typed"))
            .collect::<Vec<_>>()
    };
    use pb::invoke_action::event::Type as Event;

    let events = invoke("hello").await;
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Progress(p) => Some(p.message.as_str()),
            Event::Completed(_) => None,
        })
        .collect();
    assert_eq!(progress.len(), 3, "{events:?}");
    assert!(
        progress[0].starts_with("Reading note hello"),
        "{progress:?}"
    );
    match events.last() {
        Some(Event::Completed(c)) => assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics),
        other => panic!("completed last, not {other:?}"),
    }
    let file = std::fs::read_to_string(dir.path().join("hello.json")).expect("the note");
    let note: serde_json::Value = serde_json::from_str(&file).expect("JSON");
    assert_eq!(note["tags"], serde_json::json!(["a", "archived"]));

    match invoke("missing").await.last() {
        Some(Event::Completed(c)) => {
            assert_eq!(c.diagnostics[0].summary, "No such note");
            assert!(c.diagnostics[0].attribute.is_some(), "at note_id");
        }
        other => panic!("completed last, not {other:?}"),
    }
}
