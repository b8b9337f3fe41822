//! List resources and actions (protocol 6.10) on the wire, with the schemas and
//! metadata that announce them.

use super::fixtures::{STOPPED, list_config_schema, stamp_schema};
use super::*;
use tokio_stream::StreamExt;

type ListEvent = pb::list_resource::Event;
type ActionEvent = pb::invoke_action::event::Type;

fn list_config(pairs: &[(&str, Value)]) -> Option<pb::DynamicValue> {
    let mut members: BTreeMap<String, Value> = ["title_prefix", "count", "fail_after"]
        .iter()
        .map(|k| (k.to_string(), Value::Null))
        .collect();
    for (k, v) in pairs {
        members.insert(k.to_string(), v.clone());
    }
    dv(&Value::Object(members), &list_config_schema().value_type())
}

fn stamp_config(pairs: &[(&str, Value)]) -> Option<pb::DynamicValue> {
    let mut members: BTreeMap<String, Value> = ["title", "steps", "fail"]
        .iter()
        .map(|k| (k.to_string(), Value::Null))
        .collect();
    for (k, v) in pairs {
        members.insert(k.to_string(), v.clone());
    }
    dv(&Value::Object(members), &stamp_schema().value_type())
}

async fn list_stream(
    client: &mut ProviderClient<Channel>,
    config: Option<pb::DynamicValue>,
    include_resource_object: bool,
    limit: i64,
) -> tonic::Streaming<ListEvent> {
    client
        .list_resource(pb::list_resource::Request {
            type_name: "test_notebook".into(),
            config,
            include_resource_object,
            limit,
        })
        .await
        .expect("list")
        .into_inner()
}

/// Every event of a listing, until the provider ends the stream.
async fn list_all(
    client: &mut ProviderClient<Channel>,
    config: Option<pb::DynamicValue>,
    include_resource_object: bool,
    limit: i64,
) -> Vec<ListEvent> {
    let stream = list_stream(client, config, include_resource_object, limit).await;
    let events = tokio::time::timeout(Duration::from_secs(5), stream.collect::<Vec<_>>())
        .await
        .expect("the listing ends");
    events.into_iter().map(|e| e.expect("event")).collect()
}

fn listed_id(event: &ListEvent) -> Option<String> {
    let data = event.identity.as_ref()?.identity_data.as_ref()?;
    let ty = notebook_identity_schema().value_type();
    let identity = value::decode_msgpack(&data.msgpack, &ty).expect("identity decodes");
    identity
        .attr("id")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Every event of an invoke, until the provider ends the stream.
async fn invoke(
    client: &mut ProviderClient<Channel>,
    action_type: &str,
    config: Option<pb::DynamicValue>,
) -> Vec<ActionEvent> {
    let stream = client
        .invoke_action(pb::invoke_action::Request {
            action_type: action_type.into(),
            config,
            client_capabilities: None,
        })
        .await
        .expect("invoke")
        .into_inner();
    let events = tokio::time::timeout(Duration::from_secs(5), stream.collect::<Vec<_>>())
        .await
        .expect("the invoke ends");
    events
        .into_iter()
        .map(|e| e.expect("event").r#type.expect("typed event"))
        .collect()
}

#[tokio::test]
async fn metadata_and_schemas_announce_list_resources_and_actions() {
    let mut client = connect().await;
    let metadata = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    let lists: Vec<_> = metadata
        .list_resources
        .iter()
        .map(|l| l.type_name.as_str())
        .collect();
    assert_eq!(lists, ["test_notebook"]);
    let actions: Vec<_> = metadata
        .actions
        .iter()
        .map(|a| a.type_name.as_str())
        .collect();
    assert_eq!(actions, ["test_stamp"]);
    assert!(
        metadata
            .server_capabilities
            .expect("capabilities")
            .generate_resource_config
    );

    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    let list = &schema.list_resource_schemas["test_notebook"];
    let names: Vec<_> = list
        .block
        .as_ref()
        .expect("block")
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["title_prefix", "count", "fail_after"]);
    let stamp = schema.action_schemas["test_stamp"]
        .schema
        .as_ref()
        .expect("schema");
    let title = stamp
        .block
        .as_ref()
        .expect("block")
        .attributes
        .iter()
        .find(|a| a.name == "title");
    assert!(title.expect("title").required);
    assert!(
        schema
            .server_capabilities
            .expect("capabilities")
            .generate_resource_config
    );
}

#[tokio::test]
async fn a_listing_streams_each_object_with_its_identity() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = list_config(&[("title_prefix", Value::string("d"))]);
    let events = list_all(&mut client, config.clone(), false, 100).await;
    let ids: Vec<_> = events.iter().filter_map(listed_id).collect();
    assert_eq!(ids, ["nb-d0", "nb-d1", "nb-d2", "nb-d3", "nb-d4"]);
    assert_eq!(events[1].display_name, "Notebook d1");
    assert!(events.iter().all(|e| e.diagnostic.is_empty()));
    assert!(events.iter().all(|e| e.resource_object.is_none()));

    let events = list_all(&mut client, config, true, 100).await;
    let object = undv(&events[2].resource_object);
    assert_eq!(object.attr("title").and_then(Value::as_str), Some("d2"));
    assert_eq!(object.attr("pages").and_then(Value::as_i64), Some(2));
}

#[tokio::test]
async fn a_listing_stops_at_the_limit() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let events = list_all(&mut client, list_config(&[]), false, 2).await;
    let ids: Vec<_> = events.iter().filter_map(listed_id).collect();
    assert_eq!(ids, ["nb-nb0", "nb-nb1"]);
}

#[tokio::test]
async fn an_error_ends_a_listing() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = list_config(&[("fail_after", Value::int(2))]);
    let events = list_all(&mut client, config, false, 100).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(listed_id(&events[1]).as_deref(), Some("nb-nb1"));
    assert!(events[2].identity.is_none());
    assert_eq!(events[2].diagnostic[0].summary, "Listing failed");
}

#[tokio::test]
async fn a_listing_nobody_reads_any_more_stops_its_producer() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = list_config(&[
        ("title_prefix", Value::string("abandoned")),
        ("count", Value::int(1_000_000)),
    ]);
    let mut stream = list_stream(&mut client, config, false, 0).await;
    for _ in 0..2 {
        let event = stream
            .next()
            .await
            .expect("an event")
            .expect("not an error");
        assert!(listed_id(&event).is_some());
    }
    drop(stream);
    wait_until_stopped("abandoned").await;
}

/// Waits until the work named `name` saw that nobody listens any more.
async fn wait_until_stopped(name: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let stopped = STOPPED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(name);
        if stopped {
            return;
        }
        assert!(Instant::now() < deadline, "{name} kept going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_list_configuration_and_its_limit_are_validated() {
    let mut client = connect().await;
    let validate = |config, limit: i64| pb::validate_list_resource_config::Request {
        type_name: "test_notebook".into(),
        config,
        include_resource_object: dv(&Value::Bool(false), &Type::Bool),
        limit: dv(&Value::int(limit), &Type::Number),
    };
    let good = client
        .validate_list_resource_config(validate(list_config(&[]), 10))
        .await
        .expect("validate")
        .into_inner();
    assert_no_diagnostics(&good.diagnostics);

    let empty_prefix = list_config(&[("title_prefix", Value::string(""))]);
    let bad = client
        .validate_list_resource_config(validate(empty_prefix, -1))
        .await
        .expect("validate")
        .into_inner();
    let summaries: Vec<_> = bad.diagnostics.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(summaries, ["Empty prefix", "Invalid limit"]);
    assert_eq!(paths(&bad.diagnostics)[0], "title_prefix");
}

#[tokio::test]
async fn an_action_is_validated_and_planned() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let validated = client
        .validate_action_config(pb::validate_action_config::Request {
            type_name: "test_stamp".into(),
            config: stamp_config(&[("title", Value::string("x")), ("steps", Value::int(-1))]),
        })
        .await
        .expect("validate")
        .into_inner();
    assert_eq!(paths(&validated.diagnostics), ["steps"]);

    let plan = |title: &str| pb::plan_action::Request {
        action_type: "test_stamp".into(),
        config: stamp_config(&[("title", Value::string(title))]),
        client_capabilities: None,
    };
    let fine = client
        .plan_action(plan("diary"))
        .await
        .expect("plan")
        .into_inner();
    assert_no_diagnostics(&fine.diagnostics);
    let refused = client
        .plan_action(plan("forbidden"))
        .await
        .expect("plan")
        .into_inner();
    assert_eq!(refused.diagnostics[0].summary, "Cannot stamp");
    assert_eq!(paths(&refused.diagnostics), ["title"]);
}

#[tokio::test]
async fn an_invoke_streams_its_progress_in_order_then_completes() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = stamp_config(&[("title", Value::string("diary")), ("steps", Value::int(4))]);
    let events = invoke(&mut client, "test_stamp", config).await;
    let mut messages = Vec::new();
    for event in &events[..events.len() - 1] {
        match event {
            ActionEvent::Progress(p) => messages.push(p.message.as_str()),
            other => panic!("progress before the end, not {other:?}"),
        }
    }
    assert_eq!(
        messages,
        ["step 1 of 4", "step 2 of 4", "step 3 of 4", "step 4 of 4"]
    );
    match events.last() {
        Some(ActionEvent::Completed(c)) => assert_no_diagnostics(&c.diagnostics),
        other => panic!("completed last, not {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_invoke_completes_with_its_diagnostics() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = stamp_config(&[
        ("title", Value::string("diary")),
        ("fail", Value::Bool(true)),
    ]);
    let events = invoke(&mut client, "test_stamp", config).await;
    assert_eq!(events.len(), 4, "{events:?}");
    match events.last() {
        Some(ActionEvent::Completed(c)) => assert_eq!(c.diagnostics[0].summary, "Stamp failed"),
        other => panic!("completed last, not {other:?}"),
    }
}

#[tokio::test]
async fn an_invoke_nobody_reads_any_more_learns_it_from_its_progress() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let config = stamp_config(&[
        ("title", Value::string("abandoned stamp")),
        ("steps", Value::int(1_000_000)),
    ]);
    let mut stream = client
        .invoke_action(pb::invoke_action::Request {
            action_type: "test_stamp".into(),
            config,
            client_capabilities: None,
        })
        .await
        .expect("invoke")
        .into_inner();
    for _ in 0..2 {
        let event = stream
            .next()
            .await
            .expect("an event")
            .expect("not an error");
        assert!(matches!(event.r#type, Some(ActionEvent::Progress(_))));
    }
    drop(stream);
    wait_until_stopped("abandoned stamp").await;
}

#[tokio::test]
async fn an_unknown_action_type_is_a_diagnostic() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let events = invoke(&mut client, "test_nothing", stamp_config(&[])).await;
    match events.as_slice() {
        [ActionEvent::Completed(c)] => assert_eq!(c.diagnostics[0].summary, "Unknown action type"),
        other => panic!("one completion, not {other:?}"),
    }
    let validated = client
        .validate_action_config(pb::validate_action_config::Request {
            type_name: "test_nothing".into(),
            config: stamp_config(&[]),
        })
        .await
        .expect("validate")
        .into_inner();
    assert_eq!(validated.diagnostics[0].summary, "Unknown action type");
}
