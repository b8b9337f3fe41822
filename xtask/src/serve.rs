//! A static-file HTTPS server for loopback (hyper over rustls) with a certificate
//! authority made afresh for each run: Terraform trusts it through `SSL_CERT_FILE`, as it
//! would trust an organisation's CA. It serves the registry and mirror layouts this crate
//! writes — `GET` and `HEAD` of the files under a directory — and answers a module
//! registry's `download` files with the `X-Terraform-Get` header Terraform reads.
//!
//! [`run`] serves a bound listener until a shutdown future completes (`cargo xtask
//! registry serve` runs it until SIGTERM or SIGINT); [`StaticHttps`] runs it on
//! `127.0.0.1:0` in a runtime of its own, for tests.

use anyhow::Context;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The header a module registry's `download` answer carries the package location in;
/// Terraform reads the location from nowhere else.
pub const X_TERRAFORM_GET: &str = "x-terraform-get";

/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A CA made for this run and a server certificate it signed for the loopback names.
pub struct LoopbackTls {
    /// The CA certificate, PEM: what clients must trust.
    pub ca_pem: String,
    config: Arc<rustls::ServerConfig>,
}

impl LoopbackTls {
    /// A new CA and a certificate for `localhost`, `127.0.0.1`, `::1` and `extra`.
    pub fn generate(extra: Option<IpAddr>) -> anyhow::Result<LoopbackTls> {
        let ca_key = rcgen::KeyPair::generate().context("generating the CA key")?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "outposts provider loopback CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)
            .context("signing the CA certificate")?;
        let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
        if let Some(ip) = extra.map(|ip| ip.to_string())
            && !names.contains(&ip)
        {
            names.push(ip);
        }
        let key = rcgen::KeyPair::generate().context("generating the server key")?;
        let cert = rcgen::CertificateParams::new(names)?
            .signed_by(&key, &ca)
            .context("signing the server certificate")?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), ca.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(
                    rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()),
                ),
            )
            .context("the server's TLS configuration")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(LoopbackTls {
            ca_pem: ca.pem(),
            config: Arc::new(config),
        })
    }

    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}

/// The requests a server answered, in order, as `(path, status)`; with `print`, each is
/// also written to stderr as it is answered.
#[derive(Clone, Default)]
pub struct RequestLog {
    seen: Arc<Mutex<Vec<(String, u16)>>>,
    print: bool,
}

impl RequestLog {
    pub fn new() -> RequestLog {
        RequestLog::default()
    }

    /// A log that also prints `METHOD PATH STATUS` lines to stderr.
    pub fn printing() -> RequestLog {
        RequestLog {
            print: true,
            ..RequestLog::default()
        }
    }

    fn record(&self, method: &Method, path: &str, status: StatusCode) {
        if self.print {
            eprintln!("{method} {path} {}", status.as_u16());
        }
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), status.as_u16()));
    }

    /// The paths asked for so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.entries().into_iter().map(|(path, _)| path).collect()
    }

    /// The paths asked for so far with the status each was answered with.
    pub fn entries(&self) -> Vec<(String, u16)> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Serves the files under `root` on `listener` until `shutdown` completes. Connections
/// still open then are dropped with the runtime that runs them.
pub async fn run(
    listener: tokio::net::TcpListener,
    root: PathBuf,
    tls: tokio_rustls::TlsAcceptor,
    log: RequestLog,
    shutdown: impl Future<Output = ()>,
) {
    let root = Arc::new(root);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: try again shortly rather
                    // than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let tls = tls.clone();
        let root = root.clone();
        let log = log.clone();
        tokio::spawn(async move {
            let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await
            else {
                return;
            };
            let service = hyper::service::service_fn(move |request: Request<_>| {
                let root = root.clone();
                let log = log.clone();
                async move {
                    let response = answer(&root, &request).await;
                    log.record(request.method(), request.uri().path(), response.status());
                    Ok::<_, std::convert::Infallible>(response)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn plain(code: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// The file under `root` that `request` names, or why not.
async fn answer<B>(root: &Path, request: &Request<B>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "a static registry answers GET and HEAD\n".into(),
        );
        response
            .headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = request.uri().path();
    let relative = Path::new(path.trim_start_matches('/'));
    // Only plain names: no `..`, no root, nothing that could leave `root`.
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return plain(StatusCode::NOT_FOUND, format!("no file at {path}\n"));
    }
    let content = match tokio::fs::read(root.join(relative)).await {
        Ok(content) => content,
        Err(_) => return plain(StatusCode::NOT_FOUND, format!("no file at {path}\n")),
    };
    let location = if relative.file_name().is_some_and(|n| n == "download") {
        module_location(&content)
    } else {
        None
    };
    let mut response = Response::new(Full::new(Bytes::from(content)));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    if let Some(location) = location {
        match HeaderValue::from_str(&location) {
            Ok(value) => {
                headers.insert(HeaderName::from_static(X_TERRAFORM_GET), value);
            }
            Err(_) => {
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the location in {path} cannot be sent as a header: {location:?}\n"),
                );
            }
        }
    }
    response
}

/// The `location` of a module registry's `download` answer (`{"location": "…"}`).
/// A provider registry's `download/OS/ARCH` answers have none.
fn module_location(content: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(content).ok()?;
    json.get("location")?.as_str().map(str::to_string)
}

fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".zip") {
        "application/zip"
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        "application/gzip"
    } else if name.ends_with(".json") || (path.starts_with("/v1/") && !name.contains('.')) {
        // The registry protocols' answers (`versions`, `download`) have no extension.
        "application/json"
    } else {
        "application/octet-stream"
    }
}

/// A [`run`] on `127.0.0.1:0` in a runtime of its own, with its CA in a temporary
/// directory: for tests. It stops when dropped.
pub struct StaticHttps {
    /// `https://localhost:PORT`.
    pub base: String,
    /// `localhost:PORT`, usable as a registry host name.
    pub host: String,
    /// The PEM file of the CA that signed the server's certificate.
    pub ca_file: PathBuf,
    log: RequestLog,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl StaticHttps {
    /// Serves the files under `root`.
    pub fn serve(root: &Path) -> anyhow::Result<StaticHttps> {
        let dir = tempfile::Builder::new().prefix("static-https").tempdir()?;
        let tls = LoopbackTls::generate(None)?;
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &tls.ca_pem)
            .with_context(|| format!("writing {}", ca_file.display()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .context("listening on 127.0.0.1")?;
        let port = listener.local_addr()?.port();
        let log = RequestLog::new();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(run(
            listener,
            root.to_path_buf(),
            tls.acceptor(),
            log.clone(),
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(StaticHttps {
            base: format!("https://localhost:{port}"),
            host: format!("localhost:{port}"),
            ca_file,
            log,
            stop: Some(stop),
            _dir: dir,
            _runtime: runtime,
        })
    }

    /// The paths asked for so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.paths()
    }

    /// The paths asked for so far with the status each was answered with.
    pub fn answered(&self) -> Vec<(String, u16)> {
        self.log.entries()
    }
}

impl Drop for StaticHttps {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// What `cargo xtask registry serve` writes to its ready file once it is listening, as
/// shell assignments (`KEY='value'` lines) a script can source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// `https://localhost:PORT`: the registry's services are under `/v1/…` of it.
    pub base: String,
    /// The PEM file of the run's CA: set `SSL_CERT_FILE` to it.
    pub ca: PathBuf,
    /// A Terraform CLI configuration pointing the registry host at `base`: set
    /// `TF_CLI_CONFIG_FILE` to it.
    pub cli_config: PathBuf,
    /// The serving process: `kill PID` (SIGTERM) stops it.
    pub pid: u32,
}

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

fn shell_unquote(value: &str) -> Option<String> {
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    // A quote that is not part of an escaped one: not written by `Ready::to_shell`.
    if inner.replace(r"'\''", "").contains('\'') {
        return None;
    }
    Some(inner.replace(r"'\''", "'"))
}

impl Ready {
    pub fn to_shell(&self) -> String {
        format!(
            "REGISTRY_BASE={}\nREGISTRY_CA={}\nREGISTRY_CLI_CONFIG={}\nREGISTRY_PID={}\n",
            shell_quote(&self.base),
            shell_quote(&self.ca.display().to_string()),
            shell_quote(&self.cli_config.display().to_string()),
            self.pid
        )
    }

    /// Reads what [`Ready::to_shell`] wrote.
    pub fn parse(text: &str) -> anyhow::Result<Ready> {
        let value = |key: &str| -> anyhow::Result<String> {
            let raw = text
                .lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
                .with_context(|| format!("the ready file has no {key}"))?;
            if key == "REGISTRY_PID" {
                return Ok(raw.to_string());
            }
            shell_unquote(raw).with_context(|| format!("{key} is not a quoted value: {raw}"))
        };
        Ok(Ready {
            base: value("REGISTRY_BASE")?,
            ca: PathBuf::from(value("REGISTRY_CA")?),
            cli_config: PathBuf::from(value("REGISTRY_CLI_CONFIG")?),
            pid: value("REGISTRY_PID")?
                .parse()
                .context("REGISTRY_PID is not a process ID")?,
        })
    }
}

/// Removes the ready file when `cargo xtask registry serve` ends, however it ends:
/// a script never reads a ready file of a server that is gone.
struct ReadyFileGuard(Option<PathBuf>);

impl Drop for ReadyFileGuard {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `cargo xtask registry serve`: serves the registry directory `root` over HTTPS on the
/// loopback address `listen` (port 0: any free port) with a CA made for this run, until
/// SIGTERM or SIGINT. Once listening it writes the CA, a CLI configuration for
/// [`crate::registry::HOST`] and, when `ready_file` is given, a [`Ready`] file there
/// (removed again on the way out).
pub fn serve_registry(
    root: &Path,
    listen: std::net::SocketAddr,
    ready_file: Option<&Path>,
) -> anyhow::Result<()> {
    if !listen.ip().is_loopback() {
        anyhow::bail!(
            "--listen {listen}: the registry is served on loopback only; give 127.0.0.1:PORT \
             or [::1]:PORT (PORT 0 picks a free port)"
        );
    }
    if !root.is_dir() {
        anyhow::bail!(
            "{} is not a directory: write the registry first with `cargo xtask registry DIR` \
             and `cargo xtask module-release VERSION --registry DIR`",
            root.display()
        );
    }
    if !root.join(".well-known/terraform.json").is_file() {
        eprintln!(
            "note: {} has no .well-known/terraform.json: nothing has been published there yet",
            root.display()
        );
    }
    // A ready file left by an earlier run must not be mistaken for this one's.
    if let Some(path) = ready_file {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("removing the old {}", path.display()));
            }
        }
    }
    let state = tempfile::Builder::new()
        .prefix("registry-serve")
        .tempdir()
        .context("creating a directory for the CA and the CLI configuration")?;
    let tls = LoopbackTls::generate(Some(listen.ip()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Before the ready file exists: a SIGTERM sent as soon as it does is caught.
        let stop = termination()?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let port = listener.local_addr()?.port();
        let host = match listen.ip() {
            IpAddr::V4(ip) if ip == std::net::Ipv4Addr::LOCALHOST => "localhost".to_string(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let base = format!("https://{host}:{port}");
        let ca = state.path().join("ca.pem");
        std::fs::write(&ca, &tls.ca_pem).with_context(|| format!("writing {}", ca.display()))?;
        let cli_config = state.path().join("registry.tfrc");
        std::fs::write(&cli_config, crate::registry::cli_config(&base))
            .with_context(|| format!("writing {}", cli_config.display()))?;
        let ready = Ready {
            base: base.clone(),
            ca,
            cli_config,
            pid: std::process::id(),
        };
        let _guard = ReadyFileGuard(ready_file.map(Path::to_path_buf));
        if let Some(path) = ready_file {
            crate::registry::write_atomically(path, ready.to_shell().as_bytes())?;
        }
        println!(
            "serving {} at {base} for {} (modules.v1 {base}{}, providers.v1 {base}{})",
            root.display(),
            crate::registry::HOST,
            crate::registry::MODULES_PATH,
            crate::registry::PROVIDERS_PATH,
        );
        println!(
            "trust the CA with SSL_CERT_FILE={} and use TF_CLI_CONFIG_FILE={}; stop with kill {}",
            ready.ca.display(),
            ready.cli_config.display(),
            ready.pid
        );
        run(
            listener,
            root.to_path_buf(),
            tls.acceptor(),
            RequestLog::printing(),
            stop,
        )
        .await;
        println!("stopped serving {}", root.display());
        Ok(())
    })
}

/// Completes on SIGTERM or SIGINT (Ctrl-C); the handlers are in place on return.
#[cfg(unix)]
fn termination() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("handling SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("handling SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn termination() -> anyhow::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_file_reads_back_what_was_written_even_with_quotes_in_paths() {
        let ready = Ready {
            base: "https://localhost:8443".into(),
            ca: PathBuf::from("/tmp/it's here/ca.pem"),
            cli_config: PathBuf::from("/tmp/x/registry.tfrc"),
            pid: 42,
        };
        let text = ready.to_shell();
        assert!(
            text.contains("REGISTRY_CA='/tmp/it'\\''s here/ca.pem'\n"),
            "{text}"
        );
        assert_eq!(Ready::parse(&text).expect("parse"), ready);
        assert!(Ready::parse("REGISTRY_BASE='x'\n").is_err());
    }

    #[test]
    fn registry_answers_have_the_content_types_clients_expect() {
        assert_eq!(
            content_type("/v1/modules/platform/outpost-capacity/outposts/versions"),
            "application/json"
        );
        assert_eq!(
            content_type("/v1/modules/platform/outpost-capacity/outposts/1.0.0/download"),
            "application/json"
        );
        assert_eq!(
            content_type("/v1/modules/p/m/s/1.0.0/m-1.0.0.tar.gz"),
            "application/gzip"
        );
        assert_eq!(
            content_type("/v1/providers/o/t/0.1.0/files/t_0.1.0_SHA256SUMS"),
            "application/octet-stream"
        );
        assert_eq!(
            content_type("/.well-known/terraform.json"),
            "application/json"
        );
    }

    #[test]
    fn only_a_module_download_answer_carries_a_location() {
        assert_eq!(
            module_location(br#"{"location": "./m-1.0.0.tar.gz?checksum=sha256:ab"}"#),
            Some("./m-1.0.0.tar.gz?checksum=sha256:ab".into())
        );
        assert_eq!(module_location(br#"{"download_url": "x"}"#), None);
        assert_eq!(module_location(b"not json"), None);
    }
}
