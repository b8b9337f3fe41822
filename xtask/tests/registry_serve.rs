//! `cargo xtask registry serve` as a script runs it: in the background, waiting for its
//! ready file, reaching the registry over HTTPS with the CA it names, and stopping it
//! with SIGTERM.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_support::{scratch_dir, send_signal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xtask::serve::Ready;

/// The serving process; killed if the test ends before it stopped.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn start(args: &[&str], log: &Path) -> Server {
        let output = std::fs::File::create(log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("log file"))
            .stderr(output)
            .spawn()
            .expect("start xtask");
        Server {
            child,
            log: log.to_path_buf(),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the process to end by itself.
    fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "xtask still runs after {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `GET path` over HTTPS, trusting only `ca`: the status code, the headers (names in
/// lower case) and the body.
fn get(ready: &Ready, path: &str) -> (u16, Vec<(String, String)>, String) {
    let authority = ready
        .base
        .strip_prefix("https://")
        .expect("an https base URL");
    let port = authority
        .rsplit(':')
        .next()
        .expect("a port")
        .parse::<u16>()
        .expect("a port number");
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(&ready.ca).expect("read the CA");
    use rustls::pki_types::pem::PemObject;
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("trust the CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let response = runtime.block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .expect("a TLS handshake the CA vouches for");
        tls.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("send the request");
        let mut response = Vec::new();
        // The server may close without a TLS close_notify; what was read counts.
        let _ = tls.read_to_end(&mut response).await;
        String::from_utf8(response).expect("a UTF-8 response")
    });
    let (head, body) = response.split_once("\r\n\r\n").expect("headers and body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

#[test]
fn registry_serve_writes_a_ready_file_serves_the_module_protocol_and_stops_on_sigterm() {
    let scratch = scratch_dir();
    let module = scratch.path().join("module");
    std::fs::create_dir_all(&module).expect("module directory");
    std::fs::write(module.join("main.tf"), "output \"x\" { value = 1 }\n").expect("main.tf");
    let registry = scratch.path().join("registry");
    let published = xtask::registry::publish_module(
        &registry,
        &xtask::registry::OUTPOST_CAPACITY,
        "1.0.0",
        &module,
    )
    .expect("publish");
    let ready_file = scratch.path().join("registry.env");
    // A ready file of an earlier run is never taken for this run's.
    std::fs::write(&ready_file, "REGISTRY_BASE='https://localhost:1'\n").expect("stale file");

    let mut server = Server::start(
        &[
            "registry",
            "serve",
            &registry.display().to_string(),
            "--listen",
            "127.0.0.1:0",
            "--ready-file",
            &ready_file.display().to_string(),
        ],
        &scratch.path().join("serve.log"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Some(ready) = std::fs::read_to_string(&ready_file)
            .ok()
            .and_then(|text| Ready::parse(&text).ok())
        {
            break ready;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "registry serve ended ({status}) before it was ready:\n{}",
                server.log()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no ready file after 30 s:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ready.pid, server.child.id());
    assert!(ready.base.starts_with("https://localhost:"), "{ready:?}");
    assert_eq!(
        std::fs::read_to_string(&ready.cli_config).expect("CLI configuration"),
        xtask::registry::cli_config(&ready.base)
    );

    let (status, _, body) = get(&ready, "/.well-known/terraform.json");
    assert_eq!(status, 200, "{body}");
    let discovery: serde_json::Value = serde_json::from_str(&body).expect("discovery JSON");
    assert_eq!(discovery["modules.v1"], "/v1/modules/");
    assert_eq!(discovery["providers.v1"], "/v1/providers/");

    let (status, headers, body) = get(
        &ready,
        "/v1/modules/platform/outpost-capacity/outposts/1.0.0/download",
    );
    assert_eq!(status, 200, "{body}");
    let location = format!(
        "./outpost-capacity-1.0.0.tar.gz?checksum=sha256:{}",
        published.sha256
    );
    assert!(
        headers.contains(&("x-terraform-get".into(), location.clone())),
        "Terraform reads the location from the header: {headers:?}"
    );
    let answer: serde_json::Value = serde_json::from_str(&body).expect("download JSON");
    assert_eq!(answer["location"], location.as_str());
    let (status, _, _) = get(&ready, "/../registry.env");
    assert_eq!(status, 404, "nothing outside the directory is served");
    assert!(
        server
            .log()
            .contains("GET /v1/modules/platform/outpost-capacity/outposts/1.0.0/download 200"),
        "{}",
        server.log()
    );

    send_signal(ready.pid, "TERM", false);
    let status = server.wait(Duration::from_secs(10));
    assert!(status.success(), "{status}:\n{}", server.log());
    assert!(!ready_file.exists(), "the ready file goes with the server");
    assert!(!ready.ca.exists(), "so do the CA and the CLI configuration");
}

#[test]
fn registry_serve_refuses_an_address_off_loopback_and_a_missing_directory() {
    let scratch = scratch_dir();
    let ready_file = scratch.path().join("registry.env");
    for (args, expected) in [
        (
            vec!["--listen", "0.0.0.0:0"],
            "the registry is served on loopback only",
        ),
        (vec!["--listen", "localhost:8443"], "is not an address"),
        (vec!["--ready", "x"], "not --ready"),
    ] {
        let mut all = vec!["registry", "serve", "/"];
        all.extend(&args);
        let mut server = Server::start(&all, &scratch.path().join("serve.log"));
        let status = server.wait(Duration::from_secs(30));
        assert!(!status.success(), "{args:?} is refused");
        assert!(
            server.log().contains(expected),
            "{args:?}:\n{}",
            server.log()
        );
    }
    let missing = scratch.path().join("nothing-here");
    let mut server = Server::start(
        &[
            "registry",
            "serve",
            &missing.display().to_string(),
            "--ready-file",
            &ready_file.display().to_string(),
        ],
        &scratch.path().join("serve.log"),
    );
    assert!(!server.wait(Duration::from_secs(30)).success());
    assert!(
        server.log().contains("is not a directory"),
        "{}",
        server.log()
    );
    assert!(!ready_file.exists());
}
