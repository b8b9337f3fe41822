//! A provider executable launched exactly as Terraform launches it, and spoken to over
//! real gRPC with mutual TLS: the go-plugin start-up of any Terraform plugin, whatever
//! framework it is written with.
//!
//! [`Launched::start`] makes a Terraform-like client identity, starts the executable
//! with the magic cookie, `PLUGIN_PROTOCOL_VERSIONS=5,6` and that identity in
//! `PLUGIN_CLIENT_CERT`, and reads its handshake line
//! (`1|6|unix|/path|grpc|<base64 DER certificate>`). [`Launched::channel`] then gives a
//! plain tonic [`Channel`](tonic::transport::Channel) over the announced unix socket,
//! presenting the identity and trusting only the announced certificate; callers wrap it
//! in their own generated clients (`ProviderClient::new(channel)`).

mod tls;

pub use tls::ClientIdentity;

use base64::Engine;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use tonic::transport::{Channel, Endpoint};

/// The variable by which Terraform tells a plugin that Terraform started it.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";

/// Its value, the same for every Terraform plugin.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// How long Terraform waits for a plugin's handshake line.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long [`Launched::channel`] may take to connect and finish the TLS handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a plugin announced in its handshake line.
#[derive(Debug, Clone, PartialEq)]
pub struct Handshake {
    /// The application protocol it chose from `PLUGIN_PROTOCOL_VERSIONS`: 5 or 6.
    pub protocol: u32,
    /// `unix` or `tcp`.
    pub network: String,
    /// The socket's path, or `host:port`.
    pub address: String,
    /// Its server certificate, in DER.
    pub server_cert: CertificateDer<'static>,
}

impl Handshake {
    /// Reads `core|app|network|address|grpc|cert` as go-plugin prints it: core protocol
    /// 1, the gRPC protocol, and the certificate in standard base64 without padding.
    pub fn parse(line: &str) -> Result<Handshake, String> {
        let fields: Vec<&str> = line.trim_end_matches(['\r', '\n']).split('|').collect();
        let [core, app, network, address, protocol, cert] = fields[..] else {
            return Err(format!(
                "the handshake line {line:?} has {} fields, not 6",
                fields.len()
            ));
        };
        if core != "1" {
            return Err(format!("core protocol version {core:?} in {line:?}, not 1"));
        }
        let protocol_version = match app {
            "5" => 5,
            "6" => 6,
            _ => {
                return Err(format!(
                    "application protocol {app:?} in {line:?}, not one of 5,6 offered"
                ));
            }
        };
        if protocol != "grpc" {
            return Err(format!("protocol {protocol:?} in {line:?}, not grpc"));
        }
        if network != "unix" && network != "tcp" {
            return Err(format!("network {network:?} in {line:?}, not unix or tcp"));
        }
        if address.is_empty() {
            return Err(format!("no address in {line:?}"));
        }
        if cert.is_empty() {
            return Err(format!(
                "no server certificate in {line:?}: AutoMTLS was asked for"
            ));
        }
        if cert.ends_with('=') {
            return Err(format!(
                "the server certificate in {line:?} is padded base64; go-plugin reads it \
                 without padding"
            ));
        }
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(cert)
            .map_err(|e| format!("the server certificate in {line:?} is not base64: {e}"))?;
        Ok(Handshake {
            protocol: protocol_version,
            network: network.to_string(),
            address: address.to_string(),
            server_cert: CertificateDer::from(der),
        })
    }
}

/// A plugin process started as Terraform starts one, with its handshake read. Dropping
/// it kills the process.
pub struct Launched {
    child: Child,
    /// The process's stderr: its log.
    log: tempfile::NamedTempFile,
    /// What it printed on stdout after the handshake line (go-plugin expects nothing).
    stray_stdout: Arc<Mutex<Vec<u8>>>,
    /// `PLUGIN_UNIX_SOCKET_DIR`: its socket goes here and is removed with it.
    _sockets: tempfile::TempDir,
    handshake: Handshake,
    identity: ClientIdentity,
}

impl Launched {
    /// Starts `executable` with a fresh Terraform-like client identity; see
    /// [`Launched::start_as`].
    pub fn start(executable: &Path, extra_env: &[(&str, &str)]) -> Result<Launched, String> {
        Launched::start_as(executable, ClientIdentity::terraform_like()?, extra_env)
    }

    /// Starts `executable` presenting `identity`, and waits up to [`HANDSHAKE_TIMEOUT`]
    /// for its handshake line.
    ///
    /// The child's environment is this process's without the caller's Terraform, AWS and
    /// go-plugin settings (`TF_*`, `AWS_*`, `PLUGIN_*`), plus what Terraform sets, plus
    /// `extra_env` last (`TF_LOG_PROVIDER=DEBUG` fills the [log](Launched::log)).
    pub fn start_as(
        executable: &Path,
        identity: ClientIdentity,
        extra_env: &[(&str, &str)],
    ) -> Result<Launched, String> {
        let name = executable.display();
        let log = tempfile::NamedTempFile::new()
            .map_err(|e| format!("creating a log file for {name}: {e}"))?;
        let stderr = log
            .reopen()
            .map_err(|e| format!("opening the log file for {name}: {e}"))?;
        let sockets = tempfile::tempdir()
            .map_err(|e| format!("creating a socket directory for {name}: {e}"))?;
        let mut command = Command::new(executable);
        crate::isolate_env(&mut command, &["PLUGIN_"])
            .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", identity.pem())
            .env("PLUGIN_UNIX_SOCKET_DIR", sockets.path())
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr));
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not start {name}: {e}"))?;
        let stray_stdout = Arc::new(Mutex::new(Vec::new()));
        let first = match child.stdout.take() {
            Some(stdout) => first_line(stdout, Arc::clone(&stray_stdout), HANDSHAKE_TIMEOUT),
            None => Err("its stdout was not piped".to_string()),
        };
        let handshake = first.and_then(|line| Handshake::parse(&line));
        match handshake {
            Ok(handshake) => Ok(Launched {
                child,
                log,
                stray_stdout,
                _sockets: sockets,
                handshake,
                identity,
            }),
            Err(why) => {
                let _ = child.kill();
                let status = child
                    .wait()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|e| format!("unknown status ({e})"));
                let logged = std::fs::read_to_string(log.path()).unwrap_or_default();
                Err(format!(
                    "{name} gave no usable go-plugin handshake: {why}; it then {status}; \
                     its stderr:\n{logged}"
                ))
            }
        }
    }

    /// What the plugin announced.
    pub fn handshake(&self) -> &Handshake {
        &self.handshake
    }

    /// The identity whose certificate went to the plugin in `PLUGIN_CLIENT_CERT`.
    pub fn identity(&self) -> &ClientIdentity {
        &self.identity
    }

    /// A gRPC channel as Terraform opens it: over the announced socket, presenting
    /// [`identity`](Launched::identity) and trusting only the announced certificate.
    pub async fn channel(&self) -> Result<Channel, String> {
        self.channel_presenting(Some(&self.identity)).await
    }

    /// A gRPC channel presenting `client` (another identity, or none), to check that the
    /// plugin serves nobody but the Terraform that started it.
    pub async fn channel_presenting(
        &self,
        client: Option<&ClientIdentity>,
    ) -> Result<Channel, String> {
        if self.handshake.network != "unix" {
            return Err(format!(
                "the plugin listens on {} {}; only unix sockets are spoken to (go-plugin's \
                 choice on Unix)",
                self.handshake.network, self.handshake.address
            ));
        }
        let config = tls::client_config(&self.handshake.server_cert, client)?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let address = self.handshake.address.clone();
        let endpoint = Endpoint::from_static("http://localhost");
        let connect = endpoint.connect_with_connector(tower::service_fn(move |_| {
            let connector = connector.clone();
            let address = address.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(address).await?;
                let name = ServerName::try_from("localhost")
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
            }
        }));
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok(channel)) => Ok(channel),
            Ok(Err(e)) => Err(format!(
                "connecting to {} over mTLS: {}",
                self.handshake.address,
                error_chain(&e)
            )),
            Err(_) => Err(format!(
                "connecting to {} over mTLS took more than {} s",
                self.handshake.address,
                CONNECT_TIMEOUT.as_secs()
            )),
        }
    }

    /// What the plugin has written to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// What the plugin has written to stdout after its handshake line; go-plugin
    /// expects nothing there.
    pub fn stray_stdout(&self) -> String {
        match self.stray_stdout.lock() {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(poisoned) => String::from_utf8_lossy(&poisoned.into_inner()).into_owned(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`"INT"`, `"TERM"`, …) to the process; see [`crate::send_signal`].
    pub fn signal(&self, signal: &str) {
        crate::send_signal(self.child.id(), signal, false);
    }

    /// The exit status, if the process has exited.
    pub fn try_status(&mut self) -> Result<Option<ExitStatus>, String> {
        self.child
            .try_wait()
            .map_err(|e| format!("waiting for the plugin {}: {e}", self.child.id()))
    }

    /// Waits up to `within` for the process to exit, without blocking the runtime: the
    /// client's connection tasks go on running meanwhile, as Terraform's do, to answer
    /// the server's goodbye. `None` if it is still running.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the process (as Terraform does 2 s after Shutdown) and reaps it.
    pub fn kill(&mut self) -> Result<ExitStatus, String> {
        let _ = self.child.kill();
        self.child
            .wait()
            .map_err(|e| format!("reaping the plugin {}: {e}", self.child.id()))
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first line of `stdout` within `timeout`. A thread reads it, then goes on
/// reading into `rest` until the pipe closes, so that the plugin never writes to a
/// closed pipe (Terraform keeps reading too).
fn first_line(
    stdout: ChildStdout,
    rest: Arc<Mutex<Vec<u8>>>,
    timeout: Duration,
) -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let read = reader.read_line(&mut line);
        let _ = tx.send(match read {
            Ok(0) => Err("it closed stdout without a line".to_string()),
            Ok(_) => Ok(line),
            Err(e) => Err(format!("reading its stdout: {e}")),
        });
        let mut buffer = [0u8; 4096];
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            if let Ok(mut rest) = rest.lock() {
                rest.extend_from_slice(&buffer[..n]);
            }
        }
    });
    match rx.recv_timeout(timeout) {
        Ok(read) => read,
        Err(_) => Err(format!("no line on stdout within {} s", timeout.as_secs())),
    }
}

/// `error` and its sources, joined by `: `.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_go_plugin_handshake_line_is_read() {
        let handshake = Handshake::parse("1|6|unix|/tmp/plugin1|grpc|AQID\n").expect("parsed");
        assert_eq!(
            handshake,
            Handshake {
                protocol: 6,
                network: "unix".into(),
                address: "/tmp/plugin1".into(),
                server_cert: CertificateDer::from(vec![1, 2, 3]),
            }
        );
    }

    #[test]
    fn a_handshake_line_go_plugin_would_refuse_is_named() {
        for (line, says) in [
            ("1|6|unix|/s|grpc", "5 fields"),
            ("2|6|unix|/s|grpc|AQID", "core protocol"),
            ("1|4|unix|/s|grpc|AQID", "application protocol"),
            ("1|6|unix|/s|netrpc|AQID", "not grpc"),
            ("1|6|pipe|/s|grpc|AQID", "not unix or tcp"),
            ("1|6|unix||grpc|AQID", "no address"),
            ("1|6|unix|/s|grpc|", "no server certificate"),
            ("1|6|unix|/s|grpc|AQI=", "padded"),
            ("1|6|unix|/s|grpc|A*", "not base64"),
        ] {
            let error = Handshake::parse(line).expect_err(line);
            assert!(error.contains(says), "{line}: {error}");
        }
    }

    #[test]
    fn a_missing_executable_or_one_that_prints_no_handshake_is_an_error() {
        let missing = Launched::start(Path::new("/nonexistent/terraform-provider-x"), &[])
            .err()
            .expect("no such executable");
        assert!(missing.contains("could not start"), "{missing}");
        let silent = Launched::start(Path::new("true"), &[])
            .err()
            .expect("true prints nothing");
        assert!(silent.contains("closed stdout without a line"), "{silent}");
    }
}
