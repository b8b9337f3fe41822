//! go-plugin start-up as Terraform sees it: the handshake line, mutual TLS with a P-521
//! client certificate, SIGINT survival, Shutdown, and `-debug` reattach.

use crate::harness::{Workspace, provider_binary};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use test_support::plugin::{ClientIdentity, Launched, MAGIC_COOKIE_VALUE};
use tfplugin::proto::plugin::{Empty, grpc_controller_client::GrpcControllerClient};
use tfplugin::proto::tfplugin6::{get_provider_schema, provider_client::ProviderClient};

/// The provider launched the way Terraform launches it, logging at DEBUG.
fn launch() -> Launched {
    Launched::start(&provider_binary(), &[("TF_LOG_PROVIDER", "DEBUG")])
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The resource types the provider's schema names, over `channel`.
async fn schema_call(channel: tonic::transport::Channel) -> Result<Vec<String>, tonic::Status> {
    let response = ProviderClient::new(channel)
        .get_provider_schema(get_provider_schema::Request {})
        .await?;
    Ok(response.into_inner().resource_schemas.into_keys().collect())
}

#[test]
fn run_by_hand_the_binary_explains_itself_and_exits_1() {
    let output = Command::new(provider_binary())
        .env_remove(tfplugin::plugin::MAGIC_COOKIE_KEY)
        .output()
        .expect("run provider");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Terraform plugin"), "{stderr}");
    assert!(stderr.contains("-debug"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn without_a_client_certificate_the_provider_refuses_to_serve() {
    let output = Command::new(provider_binary())
        .env(tfplugin::plugin::MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .output()
        .expect("run provider");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("PLUGIN_CLIENT_CERT"), "{stderr}");
}

#[tokio::test]
async fn mtls_accepts_only_terraforms_certificate_and_survives_sigint_until_shutdown() {
    let mut provider = launch();
    let handshake = provider.handshake();
    assert_eq!(
        (handshake.protocol, handshake.network.as_str()),
        (6, "unix"),
        "Go plugins listen on unix sockets on Linux"
    );

    // A client with no certificate, or with another one, gets nothing.
    let stranger = ClientIdentity::terraform_like().expect("another identity");
    for client in [None, Some(&stranger)] {
        let refused = match provider.channel_presenting(client).await {
            Err(_) => true,
            Ok(channel) => schema_call(channel).await.is_err(),
        };
        assert!(
            refused,
            "a TLS client without Terraform's certificate was served"
        );
    }

    let channel = provider.channel().await.expect("mTLS channel");
    assert_eq!(
        schema_call(channel.clone()).await.expect("schema"),
        ["outposts_capacity_task"]
    );

    // go-plugin's conventional health service reports the "plugin" service as serving.
    let health = tonic_health::pb::health_client::HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    // Ctrl-C reaches the provider too; Terraform handles it, so the provider stays up.
    provider.signal("INT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        provider.try_status().expect("status").is_none(),
        "died on SIGINT"
    );
    assert_eq!(
        schema_call(channel.clone())
            .await
            .expect("schema after SIGINT"),
        ["outposts_capacity_task"]
    );

    let started = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown answered");
    let status = provider
        .wait_exit(Duration::from_secs(2))
        .await
        .expect("Terraform kills a provider 2 s after Shutdown; it must exit first");
    assert!(status.success(), "{status}");
    eprintln!("exited {:?} after Shutdown", started.elapsed());
    // The server stopped by itself, gracefully: not the watchdog's forced exit, which
    // would cost its grace at every one of Terraform's provider closes.
    let log = provider.log();
    assert!(log.contains("provider stopped"), "{log}");
    assert!(!log.contains("did not finish after shutdown"), "{log}");
}

#[test]
fn debug_mode_prints_a_reattach_line_terraform_can_use() {
    let mut child = Command::new(provider_binary())
        .arg("-debug")
        .env_remove(tfplugin::plugin::MAGIC_COOKIE_KEY)
        // The provider checks credentials when Terraform configures it; a debug provider
        // runs with the environment it was started in, not Terraform's.
        .env("AWS_ACCESS_KEY_ID", "AKIDTESTACCESSKEY01")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret-key")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provider in debug mode");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut reattach = None;
    for _ in 0..20 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let reattach = reattach.expect("a TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    let entry = &parsed["registry.terraform.io/outposts-labs/outposts"];
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Test"], true);

    let mut ws = Workspace::new(
        "provider \"outposts\" { region = \"us-east-1\" }\ndata \"outposts_region\" \"r\" {}\noutput \"r\" { value = data.outposts_region.r.name }\n",
    );
    ws.remove_env("TF_CLI_CONFIG_FILE");
    ws.set_env("TF_REATTACH_PROVIDERS", &reattach);
    let run = ws.ok(&["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("r = \"us-east-1\"");

    // The debug provider outlives Terraform and stops on Ctrl-C.
    assert!(
        child.try_wait().expect("status").is_none(),
        "debug provider exited early"
    );
    test_support::send_signal(child.id(), "INT", false);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut exited = false;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    assert!(exited, "debug provider ignored Ctrl-C");
}
