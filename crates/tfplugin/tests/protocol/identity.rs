//! Resource identity (protocol 6.9), config generation (6.10) and stored planned
//! private data (6.11) on the wire.

use super::*;

fn identity_type() -> Type {
    notebook_identity_schema().value_type()
}

fn identity(id: Value, shelf: Value) -> Value {
    Value::Object(
        [("id".to_string(), id), ("shelf".to_string(), shelf)]
            .into_iter()
            .collect(),
    )
}

fn identity_data(value: &Value) -> Option<pb::ResourceIdentityData> {
    Some(pb::ResourceIdentityData {
        identity_data: dv(value, &identity_type()),
    })
}

/// The identity an answer carries, decoded; `None` when it carries none.
fn carried(data: &Option<pb::ResourceIdentityData>) -> Option<Value> {
    let bytes = &data.as_ref()?.identity_data.as_ref()?.msgpack;
    Some(value::decode_msgpack(bytes, &identity_type()).expect("identity decodes"))
}

fn named(id: &str) -> Value {
    identity(Value::string(id), Value::Null)
}

/// PlanResourceChange of a notebook from `prior` to `config`, as a client with
/// `capabilities` that sends `planned_private` back.
async fn plan(
    client: &mut ProviderClient<Channel>,
    prior: &Value,
    config: &Value,
    capabilities: Option<pb::ClientCapabilities>,
    planned_private: &[u8],
) -> pb::plan_resource_change::Response {
    let proposed = match (prior.attr("id"), config) {
        (Some(id), Value::Object(members)) => {
            let mut members = members.clone();
            members.insert("id".into(), id.clone());
            Value::Object(members)
        }
        _ => config.clone(),
    };
    client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_notebook".into(),
            prior_state: dv(prior, &notebook_type()),
            proposed_new_state: dv(&proposed, &notebook_type()),
            config: dv(config, &notebook_type()),
            client_capabilities: capabilities,
            prior_identity: (!prior.is_null())
                .then(|| identity_data(&named("nb-ideas")))
                .flatten(),
            planned_private: planned_private.to_vec(),
            ..Default::default()
        })
        .await
        .expect("plan")
        .into_inner()
}

async fn import_by_identity(
    client: &mut ProviderClient<Channel>,
    given: &Value,
) -> pb::import_resource_state::Response {
    client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_notebook".into(),
            id: String::new(),
            client_capabilities: None,
            identity: identity_data(given),
        })
        .await
        .expect("import")
        .into_inner()
}

#[tokio::test]
async fn identity_schemas_say_what_an_import_must_give() {
    let mut client = connect().await;
    let schemas = client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("identity schemas")
        .into_inner();
    assert_no_diagnostics(&schemas.diagnostics);
    let schema = &schemas.identity_schemas["test_notebook"];
    assert_eq!(schema.version, 1);
    let flags: Vec<_> = schema
        .identity_attributes
        .iter()
        .map(|a| {
            let ty = String::from_utf8_lossy(&a.r#type).to_string();
            (
                a.name.as_str(),
                ty,
                a.required_for_import,
                a.optional_for_import,
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("id", "\"string\"".to_string(), true, false),
            ("shelf", "\"string\"".to_string(), false, true),
        ]
    );
}

#[tokio::test]
async fn read_plan_of_an_update_and_apply_carry_the_identity() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let state = notebook(&[
        ("id", Value::string("nb-ideas")),
        ("title", Value::string("ideas")),
        ("pages", Value::int(40)),
    ]);
    let read = read_notebook(&mut client, dv(&state, &notebook_type()), &[]).await;
    assert_no_diagnostics(&read.diagnostics);
    assert_eq!(carried(&read.new_identity), Some(named("nb-ideas")));

    let config = notebook(&[("title", Value::string("ideas")), ("pages", Value::int(41))]);
    let planned = plan(&mut client, &state, &config, None, &[]).await;
    assert_no_diagnostics(&planned.diagnostics);
    // The resource names `title` as forcing a replacement, but it did not change: an
    // update of the same object, which keeps its identity.
    assert_eq!(carried(&planned.planned_identity), Some(named("nb-ideas")));

    let created = notebook(&[("id", Value::Unknown), ("title", Value::string("new"))]);
    let applied = apply(&mut client, &Value::Null, &created, b"p").await;
    assert_no_diagnostics(&applied.diagnostics);
    assert_eq!(carried(&applied.new_identity), Some(named("lab-p")));
}

#[tokio::test]
async fn a_replacement_is_planned_without_the_old_identity() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let state = notebook(&[
        ("id", Value::string("nb-ideas")),
        ("title", Value::string("ideas")),
    ]);
    let config = notebook(&[("title", Value::string("plans"))]);
    let planned = plan(&mut client, &state, &config, None, &[]).await;
    assert_no_diagnostics(&planned.diagnostics);
    assert_eq!(planned.requires_replace.len(), 1);
    assert_eq!(carried(&planned.planned_identity), None);
}

#[tokio::test]
async fn a_read_with_the_identity_of_another_object_is_refused() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let state = notebook(&[
        ("id", Value::string("nb-ideas")),
        ("title", Value::string("ideas")),
    ]);
    let read = client
        .read_resource(pb::read_resource::Request {
            type_name: "test_notebook".into(),
            current_state: dv(&state, &notebook_type()),
            current_identity: identity_data(&named("nb-other")),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert_eq!(read.diagnostics[0].summary, "Unexpected identity change");
    // Terraform keeps the identity it had.
    assert_eq!(carried(&read.new_identity), Some(named("nb-other")));
}

#[tokio::test]
async fn an_import_by_identity_without_a_required_attribute_names_it() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let imported =
        import_by_identity(&mut client, &identity(Value::Null, Value::string("top"))).await;
    assert!(imported.imported_resources.is_empty());
    assert_eq!(imported.diagnostics.len(), 1, "{:?}", imported.diagnostics);
    assert_eq!(
        imported.diagnostics[0].summary,
        "Missing identity attribute"
    );
    assert_eq!(paths(&imported.diagnostics), ["id"]);
}

#[tokio::test]
async fn an_import_by_identity_returns_the_state_and_the_identity() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let imported = import_by_identity(&mut client, &named("nb-diary")).await;
    assert_no_diagnostics(&imported.diagnostics);
    let [found] = imported.imported_resources.as_slice() else {
        panic!("one object: {:?}", imported.imported_resources);
    };
    let state = undv(&found.state);
    assert_eq!(state.attr("title").and_then(Value::as_str), Some("diary"));
    assert_eq!(carried(&found.identity), Some(named("nb-diary")));
}

#[tokio::test]
async fn an_identity_stored_by_version_0_is_upgraded() {
    let mut client = connect().await;
    let upgraded = client
        .upgrade_resource_identity(pb::upgrade_resource_identity::Request {
            type_name: "test_notebook".into(),
            version: 0,
            raw_identity: Some(pb::RawState {
                json: br#"{"id":"nb-old","room":"attic"}"#.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("upgrade identity")
        .into_inner();
    assert_no_diagnostics(&upgraded.diagnostics);
    assert_eq!(carried(&upgraded.upgraded_identity), Some(named("nb-old")));
}

#[tokio::test]
async fn a_generated_configuration_has_the_arguments_and_no_computed_only_values() {
    let mut client = connect().await;
    let state = notebook(&[
        ("id", Value::string("nb-found")),
        ("title", Value::string("found")),
        ("pages", Value::int(12)),
    ]);
    let generated = client
        .generate_resource_config(pb::generate_resource_config::Request {
            type_name: "test_notebook".into(),
            state: dv(&state, &notebook_type()),
        })
        .await
        .expect("generate")
        .into_inner();
    assert_no_diagnostics(&generated.diagnostics);
    let expected = notebook(&[("title", Value::string("found")), ("pages", Value::int(12))]);
    assert_eq!(undv(&generated.config), expected);
}

#[tokio::test]
async fn stored_planned_private_reaches_the_resource_only_from_a_client_that_stores_it() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = notebook(&[("title", Value::string("ideas"))]);
    let storing = Some(pb::ClientCapabilities {
        store_planned_private: true,
        ..Default::default()
    });
    let first = plan(&mut client, &Value::Null, &config, storing, &[]).await;
    assert_no_diagnostics(&first.diagnostics);
    assert_eq!(first.planned_private, b"planned");

    let again = plan(&mut client, &Value::Null, &config, storing, b"first").await;
    assert_no_diagnostics(&again.diagnostics);
    assert_eq!(again.planned_private, b"stored:first");

    let older = plan(&mut client, &Value::Null, &config, None, b"first").await;
    assert_eq!(older.planned_private, b"planned");
}

#[tokio::test]
async fn an_object_that_is_gone_has_no_identity() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    // The test notebook reads a title of "gone" as a vanished object.
    let gone = notebook(&[("id", Value::string("x")), ("title", Value::string("gone"))]);
    let read = client
        .read_resource(pb::read_resource::Request {
            type_name: "test_notebook".into(),
            current_state: dv(&gone, &notebook_type()),
            current_identity: identity_data(&named("x")),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert!(undv(&read.new_state).is_null());
    assert_eq!(carried(&read.new_identity), None);
}

#[tokio::test]
async fn a_move_from_another_type_answers_with_the_state_and_its_identity() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let capabilities = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner()
        .server_capabilities
        .expect("capabilities");
    assert!(capabilities.move_resource_state);
    let request = |source_type: &str, state: &str| pb::move_resource_state::Request {
        source_provider_address: "registry.terraform.io/example/old".into(),
        source_type_name: source_type.into(),
        source_schema_version: 0,
        source_state: Some(pb::RawState {
            json: state.as_bytes().to_vec(),
            flatmap: Default::default(),
        }),
        target_type_name: "test_notebook".into(),
        ..Default::default()
    };
    let moved = client
        .move_resource_state(request("test_jotter", r#"{"id":"nb-7","name":"ideas"}"#))
        .await
        .expect("move")
        .into_inner();
    assert!(moved.diagnostics.is_empty(), "{:?}", moved.diagnostics);
    let state = undv(&moved.target_state);
    assert_eq!(state.attr("title"), Some(&Value::string("ideas")));
    assert_eq!(carried(&moved.target_identity), Some(named("nb-7")));

    let refused = client
        .move_resource_state(request("test_diary", r#"{"id":"nb-7"}"#))
        .await
        .expect("move")
        .into_inner();
    assert_eq!(refused.diagnostics.len(), 1);
    assert_eq!(refused.diagnostics[0].summary, "Unsupported move");
    assert!(refused.target_state.is_none());
}
