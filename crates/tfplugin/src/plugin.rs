//! go-plugin start-up: the magic cookie, AutoMTLS, the listener, the handshake line on
//! stdout, the side services (controller, health) and shutdown; plus the `-debug`
//! reattach mode.
//!
//! Facts that shape this code: Terraform reads exactly one line from stdout; Ctrl-C
//! reaches the whole process group, and Terraform handles it by calling StopProvider, so
//! the provider must survive SIGINT; Terraform calls GRPCController.Shutdown when done
//! and kills the process two seconds later. Terraform killed outright (SIGKILL) does
//! neither, and nothing tells the plugin: it watches for its parent to go instead.

use super::proto::plugin::Empty;
use super::proto::plugin::StdioData;
use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::provider::Provider;
use super::server::ProviderService;
use super::tls;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic::transport::server::Connected;

pub use super::tls::TlsError;

/// The go-plugin handshake cookie Terraform sets for its providers.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value of the magic cookie Terraform sets in the environment of its plugins.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The largest message accepted or sent: states of big configurations exceed gRPC's
/// 4 MiB default.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// How often the plugin checks that the Terraform process that started it still runs.
const PARENT_CHECK: Duration = Duration::from_millis(250);

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long in-flight calls get to finish after Shutdown before the process exits anyway;
/// Terraform kills it after two seconds.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

#[derive(Debug, thiserror::Error)]
/// Why the plugin could not serve.
pub enum ServeError {
    #[error(
        "this binary is a Terraform plugin. It is not meant to be run directly: Terraform \
         starts it when a configuration uses the provider. To debug it, run it with -debug \
         and follow the instructions it prints."
    )]
    /// Run by hand rather than by Terraform (no magic cookie).
    NotLaunchedByTerraform,
    #[error(
        "Terraform offered plugin protocol versions {0:?}, but this provider speaks only \
         version 6; use Terraform 1.0 or newer"
    )]
    /// Terraform offered no protocol version this framework speaks.
    UnsupportedProtocol(String),
    #[error(
        "Terraform did not send its client certificate (PLUGIN_CLIENT_CERT), and plugin TLS \
         was not disabled with TF_DISABLE_PLUGIN_TLS: refusing to serve without mutual TLS"
    )]
    /// Neither a client certificate nor TF_DISABLE_PLUGIN_TLS.
    MissingClientCert,
    #[error("{0}")]
    /// The TLS identity could not be set up.
    Tls(#[from] TlsError),
    #[error("could not listen for Terraform: {0}")]
    /// The socket could not be opened or the handshake line written.
    Listen(std::io::Error),
    #[error("gRPC server failed: {0}")]
    /// The gRPC server stopped with an error.
    Transport(#[from] tonic::transport::Error),
}

/// Checks that Terraform launched this process: the magic cookie and protocol 6.
pub fn check_launched_by_terraform() -> Result<(), ServeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotLaunchedByTerraform);
    }
    if let Ok(versions) = std::env::var("PLUGIN_PROTOCOL_VERSIONS")
        && !versions.split(',').any(|v| v.trim() == "6")
    {
        return Err(ServeError::UnsupportedProtocol(versions));
    }
    Ok(())
}

/// Any bidirectional byte stream the gRPC server can run on.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One accepted connection, TLS or plain, over a unix socket or TCP.
struct Connection(Box<dyn Io>);

impl Connected for Connection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

/// Where the plugin listens.
enum Listener {
    Unix {
        listener: UnixListener,
        path: PathBuf,
    },
    Tcp(TcpListener),
}

impl Listener {
    /// A fresh unix socket in `dir`, as Go plugins use on Linux, named after the
    /// provider so that a listing of the directory says whose it is; TCP on 127.0.0.1
    /// when that fails.
    async fn bind(dir: &Path, provider_name: &str) -> Result<Self, ServeError> {
        let path = dir.join(format!(
            "plugin-{}-{}-{}",
            file_name_part(provider_name),
            std::process::id(),
            nonce()
        ));
        match UnixListener::bind(&path) {
            Ok(listener) => Ok(Listener::Unix { listener, path }),
            Err(unix_error) => {
                tracing::warn!(error = %unix_error, "unix socket unavailable, falling back to TCP");
                Self::bind_tcp().await
            }
        }
    }

    async fn bind_tcp() -> Result<Self, ServeError> {
        let parse = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u16>().ok());
        let (min, max) = (parse("PLUGIN_MIN_PORT"), parse("PLUGIN_MAX_PORT"));
        if let (Some(min), Some(max)) = (min, max) {
            for port in min..=max {
                if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
                    return Ok(Listener::Tcp(listener));
                }
            }
        }
        TcpListener::bind(("127.0.0.1", 0))
            .await
            .map(Listener::Tcp)
            .map_err(ServeError::Listen)
    }

    /// The `network|address` part of the handshake line.
    fn describe(&self) -> Result<(&'static str, String), ServeError> {
        match self {
            Listener::Unix { path, .. } => Ok(("unix", path.display().to_string())),
            Listener::Tcp(listener) => {
                let addr = listener.local_addr().map_err(ServeError::Listen)?;
                Ok(("tcp", addr.to_string()))
            }
        }
    }

    async fn accept(&self) -> std::io::Result<Box<dyn Io>> {
        match self {
            Listener::Unix { listener, .. } => Ok(Box::new(listener.accept().await?.0)),
            Listener::Tcp(listener) => {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                Ok(Box::new(stream))
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix { path, .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Where the unix socket goes: where Terraform asks for it, else the temporary directory.
fn socket_dir() -> PathBuf {
    std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

/// The provider's name as it may appear in a file name: ASCII letters, digits, `-` and
/// `_` only, and short, because a unix socket's whole path must fit in 108 bytes.
fn file_name_part(provider_name: &str) -> String {
    let part: String = provider_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(32)
        .collect();
    if part.is_empty() {
        "provider".to_string()
    } else {
        part
    }
}

/// Enough randomness to keep socket names of concurrent providers apart.
fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// Accepts connections, runs the TLS handshake on each (concurrently, so a slow or
/// hostile client cannot hold up the others) and feeds the good ones to the server.
fn spawn_acceptor(
    listener: Listener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: CancellationToken,
) -> ReceiverStream<std::io::Result<Connection>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok(stream) => stream,
                    Err(error) => {
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let tx = tx.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let connection = match tls {
                    None => Connection(stream),
                    Some(acceptor) => {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                        {
                            Ok(Ok(tls_stream)) => Connection(Box::new(tls_stream)),
                            Ok(Err(error)) => {
                                tracing::warn!(%error, "refused a connection: TLS handshake failed");
                                return;
                            }
                            Err(_) => {
                                tracing::warn!("refused a connection: TLS handshake timed out");
                                return;
                            }
                        }
                    }
                };
                let _ = tx.send(Ok(connection)).await;
            });
        }
        drop(listener);
    });
    ReceiverStream::new(rx)
}

/// GRPCController: Terraform's "we are done" call.
struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: tonic::Request<Empty>,
    ) -> Result<tonic::Response<Empty>, tonic::Status> {
        tracing::debug!("Terraform requested shutdown");
        // The server stops gracefully: it stops accepting, lets the calls in flight
        // (this one among them) send their replies, then closes. No pause is needed
        // for the reply to leave, and Terraform waits for the process to exit at every
        // provider close (three times per plan), so none is taken.
        self.shutdown.cancel();
        Ok(tonic::Response::new(Empty {}))
    }
}

/// GRPCStdio: Terraform asks for the plugin's stdout and stderr as a stream. Nothing is
/// ever sent (stdout carries only the handshake line, logs go to stderr directly); the
/// stream ends at shutdown, which go-plugin reads as a clean end of output. Answering
/// Unimplemented instead makes Terraform log an error for every provider process.
struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = ReceiverStream<Result<StdioData, tonic::Status>>;

    async fn stream_stdio(
        &self,
        _request: tonic::Request<Empty>,
    ) -> Result<tonic::Response<Self::StreamStdioStream>, tonic::Status> {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            // The sender lives until shutdown; dropping it ends the stream.
            shutdown.cancelled().await;
            drop(tx);
        });
        Ok(tonic::Response::new(ReceiverStream::new(rx)))
    }
}

/// How the plugin was started.
pub struct ServeOptions {
    /// The provider's source address, e.g. `registry.terraform.io/example/notes`: the
    /// reattach line of `-debug` mode names it, and its last part (the provider's name)
    /// names the plugin's socket and TLS certificate.
    pub provider_address: String,
    /// Serve for a debugger: no cookie, no TLS, print `TF_REATTACH_PROVIDERS`.
    pub debug: bool,
}

impl ServeOptions {
    /// The provider's name: the last part of its source address (`notes` in
    /// `registry.terraform.io/example/notes`).
    pub fn provider_name(&self) -> &str {
        let address = self.provider_address.trim_end_matches('/');
        address.rsplit('/').next().unwrap_or(address)
    }
}

/// Runs the provider until Terraform shuts it down (or, with `-debug`, until SIGINT).
pub async fn serve<P: Provider>(provider: P, options: ServeOptions) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();
    let stop = CancellationToken::new();

    let tls = if options.debug {
        None
    } else {
        check_launched_by_terraform()?;
        ignore_interrupts(shutdown.clone());
        shut_down_when_terraform_is_gone(shutdown.clone());
        match std::env::var("PLUGIN_CLIENT_CERT") {
            Ok(pem) if !pem.trim().is_empty() => {
                Some(tls::server_identity(&pem, options.provider_name())?)
            }
            _ if std::env::var_os("TF_DISABLE_PLUGIN_TLS").is_some() => None,
            _ => return Err(ServeError::MissingClientCert),
        }
    };

    let listener = Listener::bind(&socket_dir(), options.provider_name()).await?;
    let (network, address) = listener.describe()?;

    if options.debug {
        print_reattach(&options.provider_address, network, &address);
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("interrupted, shutting down");
            shutdown.cancel();
        });
    } else {
        let certificate = tls
            .as_ref()
            .map(|t| t.certificate_base64.as_str())
            .unwrap_or("");
        let mut stdout = std::io::stdout().lock();
        let line = format!("1|6|{network}|{address}|grpc|{certificate}\n");
        stdout
            .write_all(line.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(ServeError::Listen)?;
    }
    tracing::info!(network, address = %address, tls = tls.is_some(), "provider serving");

    let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
    let incoming = spawn_acceptor(listener, acceptor, shutdown.clone());

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let provider_service = ProviderServer::new(ProviderService::new(provider, stop.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let controller = GrpcControllerServer::new(Controller {
        shutdown: shutdown.clone(),
    });

    // Once shutdown starts, in-flight operations are told to stop and get a short grace.
    let watchdog = {
        let shutdown = shutdown.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            stop.cancel();
            tokio::time::sleep(SHUTDOWN_GRACE).await;
            tracing::warn!("in-flight calls did not finish after shutdown; exiting");
            std::process::exit(0);
        })
    };

    let stdio = GrpcStdioServer::new(Stdio {
        shutdown: shutdown.clone(),
    });

    Server::builder()
        .add_service(provider_service)
        .add_service(controller)
        .add_service(stdio)
        .add_service(health_service)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned())
        .await?;
    watchdog.abort();
    tracing::debug!("provider stopped");
    Ok(())
}

/// Ctrl-C reaches every process in Terraform's group. Terraform answers it with
/// StopProvider; dying here would lose the operation in flight.
fn ignore_interrupts(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::interrupt()) {
        Ok(mut interrupts) => {
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        received = interrupts.recv() => {
                            if received.is_none() { break; }
                            tracing::debug!("ignoring SIGINT: Terraform will call StopProvider");
                        }
                    }
                }
            });
        }
        Err(error) => tracing::warn!(%error, "could not install the SIGINT handler"),
    }
}

/// Terraform killed outright (SIGKILL, the OOM killer, a cancelled CI job) never calls
/// Shutdown, and the plugin reads nothing from Terraform that would end: its stdin is
/// Terraform's own, and its output pipes fail only when written to. A plugin living on
/// would wait out its operation for nobody and hold what it holds (a resource's locks)
/// for hours. When the process that started it is gone — the plugin has been handed to
/// another parent — it shuts down as on Shutdown: operations in flight are told to stop,
/// get the same short grace, and the process exits.
fn shut_down_when_terraform_is_gone(shutdown: CancellationToken) {
    let terraform = std::os::unix::process::parent_id();
    if terraform <= 1 {
        // Already orphaned, or started by init: there is no Terraform to watch.
        return;
    }
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PARENT_CHECK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = ticks.tick() => {
                    let parent = std::os::unix::process::parent_id();
                    if parent != terraform {
                        tracing::warn!(
                            terraform,
                            parent,
                            "Terraform exited without shutting the provider down; stopping"
                        );
                        shutdown.cancel();
                        break;
                    }
                }
            }
        }
    });
}

fn print_reattach(provider_address: &str, network: &str, address: &str) {
    let reattach = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": 6,
            "Pid": std::process::id(),
            // Required for protocol 6: without it Terraform 1.11 crashes on reattach.
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    });
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "Provider started in debug mode. To attach Terraform, run this in another shell, \
         then use terraform plan/apply as usual (no terraform init needed):\n\n\
         \texport TF_REATTACH_PROVIDERS='{reattach}'\n\n\
         Press Ctrl-C to stop the provider."
    );
    let _ = stdout.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(provider_address: &str) -> ServeOptions {
        ServeOptions {
            provider_address: provider_address.to_string(),
            debug: false,
        }
    }

    #[test]
    fn the_provider_name_is_the_last_part_of_its_source_address() {
        assert_eq!(
            options("registry.terraform.io/example/notes").provider_name(),
            "notes"
        );
        assert_eq!(options("example/notes/").provider_name(), "notes");
        assert_eq!(options("notes").provider_name(), "notes");
    }

    #[test]
    fn a_name_unfit_for_a_file_name_is_cleaned_up() {
        assert_eq!(file_name_part("no tes/../x"), "notesx");
        assert_eq!(file_name_part(""), "provider");
        assert_eq!(file_name_part(&"n".repeat(200)).len(), 32);
    }

    #[tokio::test]
    async fn the_socket_is_named_after_the_provider_served() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let listener = Listener::bind(dir.path(), options("example/notes").provider_name())
            .await
            .expect("listens");
        let (network, address) = listener.describe().expect("address");
        assert_eq!(network, "unix");
        let path = PathBuf::from(&address);
        assert_eq!(path.parent(), Some(dir.path()));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a file name");
        // plugin-NAME-PID-NONCE, and nothing else.
        let rest = name.strip_prefix("plugin-notes-").expect(name);
        let (pid, nonce) = rest.split_once('-').expect(name);
        assert_eq!(pid, std::process::id().to_string());
        assert!(nonce.chars().all(|c| c.is_ascii_digit()), "{name}");
        assert!(path.exists());
        drop(listener);
        assert!(!path.exists(), "the socket is removed when serving ends");
    }
}
