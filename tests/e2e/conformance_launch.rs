//! One launcher for every provider executable: the provider binary and tfplugin's
//! example provider are each started as Terraform starts them and asked for their schema
//! over gRPC with mutual TLS, through `test_support::plugin`, as a conformance suite
//! driving both would.

use crate::harness::provider_binary;
use std::path::Path;
use test_support::plugin::Launched;
use tfplugin::proto::tfplugin6::{get_provider_schema, provider_client::ProviderClient};

/// Launches `executable`, asks it for its schema and returns the resource types it
/// names, sorted; it must have printed nothing on stdout but its handshake.
async fn resource_types(executable: &Path) -> Vec<String> {
    let provider = Launched::start(executable, &[("TF_LOG_PROVIDER", "DEBUG")])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(provider.handshake().protocol, 6, "{}", executable.display());
    let channel = provider
        .channel()
        .await
        .unwrap_or_else(|e| panic!("{e}\nthe provider's log:\n{}", provider.log()));
    let schema = ProviderClient::new(channel)
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .unwrap_or_else(|e| panic!("GetProviderSchema: {e}\nlog:\n{}", provider.log()))
        .into_inner();
    assert!(
        schema.diagnostics.is_empty(),
        "{:?}\nlog:\n{}",
        schema.diagnostics,
        provider.log()
    );
    assert!(schema.provider.is_some(), "no provider schema");
    assert_eq!(provider.stray_stdout(), "", "stdout after the handshake");
    let mut types: Vec<String> = schema.resource_schemas.into_keys().collect();
    types.sort();
    types
}

#[tokio::test]
async fn the_provider_binary_is_launched_and_gives_its_schema_over_mtls() {
    assert_eq!(
        resource_types(&provider_binary()).await,
        ["outposts_capacity_task"]
    );
}

#[tokio::test]
async fn the_frameworks_example_provider_is_launched_the_same_way() {
    let notes = test_support::workspace_example("notes");
    assert_eq!(resource_types(&notes).await, ["notes_note"]);
}
