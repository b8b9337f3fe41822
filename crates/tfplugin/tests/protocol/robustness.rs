//! Bad input and calls out of order become diagnostics, never panics.

use super::*;

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
        let response = read_notebook(&mut client, msgpack(garbage.clone()), &[]).await;
        assert_eq!(
            response.diagnostics[0].summary, "Invalid value from Terraform",
            "{garbage:02x?}"
        );
    }
    let response = validate_resource(&mut client, "test_nonexistent", None).await;
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
