//! GetProviderSchema, GetMetadata and the Validate RPCs.

use super::*;

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
    let response = validate_provider(&mut client, Value::string("")).await;
    assert_eq!(paths(&response.diagnostics), vec!["label"]);

    let unknown = validate_provider(&mut client, Value::Unknown).await;
    assert!(unknown.diagnostics.is_empty());

    let response = validate_resource(
        &mut client,
        "test_notebook",
        dv(
            &notebook(&[("title", Value::string("t")), ("pages", Value::int(-1))]),
            &notebook_type(),
        ),
    )
    .await;
    assert_eq!(paths(&response.diagnostics), vec!["pages"]);
    assert_eq!(
        response.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );

    // What the schema says is checked for every resource, before its own checks: a
    // required attribute must not be null, a computed-only one must not be configured.
    let response = validate_resource(
        &mut client,
        "test_notebook",
        dv(
            &notebook(&[("title", Value::Null), ("id", Value::string("nb-9"))]),
            &notebook_type(),
        ),
    )
    .await;
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
