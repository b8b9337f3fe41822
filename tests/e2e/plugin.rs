//! go-plugin start-up as Terraform sees it: the handshake line, mutual TLS with a P-521
//! client certificate, SIGINT survival, Shutdown, and `-debug` reattach.

use crate::harness::{Workspace, provider_binary};
use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tfplugin::proto::plugin::{Empty, grpc_controller_client::GrpcControllerClient};
use tfplugin::proto::tfplugin6::{get_provider_schema, provider_client::ProviderClient};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A certificate shaped like the one Terraform makes: ECDSA P-521, self-signed, CA.
struct ClientIdentity {
    pem: String,
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

fn terraform_like_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("certificate");
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: key.serialize_der(),
    }
}

/// The provider launched the way Terraform launches it.
struct LaunchedProvider {
    child: Child,
    /// Its stderr: the log.
    log: tempfile::NamedTempFile,
    network: String,
    address: String,
    server_cert: CertificateDer<'static>,
}

impl LaunchedProvider {
    fn start(client: &ClientIdentity) -> LaunchedProvider {
        let log = tempfile::NamedTempFile::new().expect("log file");
        let stderr = log.reopen().expect("log file");
        let mut child = Command::new(provider_binary())
            .env(tfplugin::plugin::MAGIC_COOKIE_KEY, COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", &client.pem)
            .env("TF_LOG_PROVIDER", "DEBUG")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("start provider");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("handshake line");
        let parts: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {line:?}");
        assert_eq!(&parts[..2], ["1", "6"], "core and app protocol versions");
        assert_eq!(parts[4], "grpc");
        assert!(
            !parts[5].ends_with('='),
            "certificate must be unpadded base64"
        );
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("certificate base64");
        LaunchedProvider {
            child,
            log,
            network: parts[2].to_string(),
            address: parts[3].to_string(),
            server_cert: CertificateDer::from(der),
        }
    }

    fn tls_config(&self, client: Option<&ClientIdentity>) -> ClientConfig {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedServer {
                expected: self.server_cert.clone(),
                provider,
            }));
        let mut config = match client {
            Some(id) => builder
                .with_client_auth_cert(
                    vec![id.der.clone()],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key.clone())),
                )
                .expect("client auth"),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        config
    }

    /// A gRPC channel over TLS, presenting `client` (or no certificate).
    async fn channel(
        &self,
        client: Option<&ClientIdentity>,
    ) -> Result<tonic::transport::Channel, String> {
        assert_eq!(
            self.network, "unix",
            "Go plugins listen on unix sockets on Linux"
        );
        let connector = tokio_rustls::TlsConnector::from(Arc::new(self.tls_config(client)));
        let address = self.address.clone();
        tonic::transport::Endpoint::from_static("http://localhost")
            .connect_with_connector(tower::service_fn(move |_| {
                let connector = connector.clone();
                let address = address.clone();
                async move {
                    let stream = tokio::net::UnixStream::connect(address).await?;
                    let name = ServerName::try_from("localhost").expect("name");
                    let tls = connector.connect(name, stream).await?;
                    Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
                }
            }))
            .await
            .map_err(|e| format!("{e:?}"))
    }

    /// What the provider has logged so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        test_support::send_signal(self.child.id(), name, false);
    }

    /// Waits for the process to exit without blocking the runtime: the client's
    /// connection tasks must go on running meanwhile, as Terraform's do, to answer the
    /// server's goodbye and close the connection.
    async fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for LaunchedProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct PinnedServer {
    expected: CertificateDer<'static>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
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
        .env(tfplugin::plugin::MAGIC_COOKIE_KEY, COOKIE)
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
    let terraform = terraform_like_identity();
    let mut provider = LaunchedProvider::start(&terraform);

    // A client with no certificate, or with another one, gets nothing.
    for client in [None, Some(&terraform_like_identity())] {
        let refused = match provider.channel(client).await {
            Err(_) => true,
            Ok(channel) => schema_call(channel).await.is_err(),
        };
        assert!(
            refused,
            "a TLS client without Terraform's certificate was served"
        );
    }

    let channel = provider
        .channel(Some(&terraform))
        .await
        .expect("mTLS channel");
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
        provider.child.try_wait().expect("status").is_none(),
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
