//! Plan, apply, read, import, upgrade and StopProvider.

use super::*;

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
            ..Default::default()
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

    let read = read_notebook(&mut client, dv(&state, &notebook_type()), b"kept").await;
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
    let read = read_notebook(&mut client, dv(&gone, &notebook_type()), &[]).await;
    assert!(undv(&read.new_state).is_null());
}

#[tokio::test]
async fn import_builds_state_or_explains_a_bad_id() {
    let mut client = connect().await;
    configure(&mut client, "lab").await;
    let imported = import(&mut client, "nb-diary").await;
    assert_eq!(imported.imported_resources.len(), 1);
    let state = undv(&imported.imported_resources[0].state);
    assert_eq!(state.attr("title").and_then(Value::as_str), Some("diary"));

    let bad = import(&mut client, "diary").await;
    assert!(bad.imported_resources.is_empty());
    assert_eq!(bad.diagnostics[0].summary, "Bad import ID");
}

#[tokio::test]
async fn upgrade_resource_state_reads_stored_json_with_the_current_schema() {
    let mut client = connect().await;
    let stored = br#"{"id":"nb-1","title":"old","removed_attribute":true}"#;
    let upgraded = upgrade(&mut client, 0, stored).await;
    assert_no_diagnostics(&upgraded.diagnostics);
    let state = undv(&upgraded.upgraded_state);
    assert_eq!(state.attr("title").and_then(Value::as_str), Some("old"));
    assert!(state.attr("pages").expect("pages").is_null());

    let newer = upgrade(&mut client, 7, stored).await;
    assert_eq!(newer.diagnostics[0].summary, "State from a newer provider");
}

/// Terraform keeps a number from an int or a float at another precision than one it
/// reads from its state file or from text, and Terraform 1.11 counts that as a change in
/// a refresh-only plan. So numbers go back as the state file's text, whether
/// they came from the stored JSON or from Terraform's msgpack int.
#[tokio::test]
async fn numbers_reach_terraform_as_the_text_its_state_file_holds() {
    const PAGES_AS_TEXT: [u8; 9] = [0xa5, b'p', b'a', b'g', b'e', b's', 0xa2, b'4', b'0'];
    const PAGES_AS_INT: [u8; 7] = [0xa5, b'p', b'a', b'g', b'e', b's', 0x28];
    let has = |bytes: &[u8], part: &[u8]| bytes.windows(part.len()).any(|w| w == part);
    let mut client = connect().await;
    let upgraded = upgrade(
        &mut client,
        1,
        br#"{"id":"nb-1","title":"t","pages":40,"wait_for_stop":null}"#,
    )
    .await;
    assert_no_diagnostics(&upgraded.diagnostics);
    let raw = &upgraded.upgraded_state.as_ref().expect("upgraded").msgpack;
    assert!(has(raw, &PAGES_AS_TEXT), "{raw:02x?}");

    configure(&mut client, "lab").await;
    // Terraform sends the stored 40 as a msgpack int.
    let mut current = raw.clone();
    let at = current
        .windows(PAGES_AS_TEXT.len())
        .position(|w| w == PAGES_AS_TEXT)
        .expect("pages in the upgraded state");
    current.splice(at..at + PAGES_AS_TEXT.len(), PAGES_AS_INT);
    let read = read_notebook(&mut client, msgpack(current), &[]).await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let raw = &read.new_state.as_ref().expect("read state").msgpack;
    assert!(has(raw, &PAGES_AS_TEXT), "{raw:02x?}");
    assert_eq!(
        undv(&read.new_state).attr("pages").and_then(Value::as_i64),
        Some(40)
    );
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

/// UpgradeResourceState of a notebook stored as `json` by schema `version`.
async fn upgrade(
    client: &mut ProviderClient<Channel>,
    version: i64,
    json: &[u8],
) -> pb::upgrade_resource_state::Response {
    client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_notebook".into(),
            version,
            raw_state: Some(pb::RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("upgrade")
        .into_inner()
}

/// ImportResourceState of the notebook `id`.
async fn import(
    client: &mut ProviderClient<Channel>,
    id: &str,
) -> pb::import_resource_state::Response {
    client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_notebook".into(),
            id: id.into(),
            client_capabilities: None,
            identity: None,
        })
        .await
        .expect("import")
        .into_inner()
}
