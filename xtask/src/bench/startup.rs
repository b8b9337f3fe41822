//! Start-up: from spawning a provider the way Terraform does to the go-plugin handshake
//! line on its stdout, with a fresh Terraform-like client certificate (self-signed
//! ECDSA P-521, SHA-512) in `PLUGIN_CLIENT_CERT`.

use super::stats::Samples;
use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The cookie Terraform sets so that a plugin knows it was started by Terraform.
const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// What the start-up runs of one provider gave.
pub struct Startup {
    pub times: Samples,
    /// The largest peak RSS (VmHWM) of the process at its handshake, in kB.
    pub peak_rss_kb: u64,
}

/// A client certificate shaped like the one Terraform makes for each plugin it starts.
pub fn terraform_like_client_cert() -> anyhow::Result<String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    Ok(params.self_signed(&key)?.pem())
}

/// Starts each of `providers` (binary, protocol offered) `runs` times in turn, after
/// one start each not counted, and times each start up to its handshake line.
pub fn measure(providers: &[(&Path, u8)], runs: usize) -> anyhow::Result<Vec<Startup>> {
    let client_pem = terraform_like_client_cert()?;
    // go-plugin servers listen on a Unix socket; a killed one leaves it behind.
    let sockets = tempfile::tempdir()?;
    let mut times = vec![Vec::with_capacity(runs); providers.len()];
    let mut peaks = vec![0u64; providers.len()];
    for round in 0..=runs {
        for (i, (binary, protocol)) in providers.iter().enumerate() {
            let (elapsed, rss) = one_start(binary, *protocol, &client_pem, sockets.path())?;
            if round > 0 {
                times[i].push(elapsed);
                peaks[i] = peaks[i].max(rss);
            }
        }
    }
    Ok(times
        .into_iter()
        .zip(peaks)
        .map(|(times, peak_rss_kb)| Startup {
            times: Samples::new(times),
            peak_rss_kb,
        })
        .collect())
}

fn one_start(
    binary: &Path,
    protocol: u8,
    client_pem: &str,
    socket_dir: &Path,
) -> anyhow::Result<(Duration, u64)> {
    let mut command = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("TF_") || key.starts_with("AWS_") || key.starts_with("PLUGIN_") {
            command.env_remove(key);
        }
    }
    command
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", protocol.to_string())
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))?;
    let line = first_line(child.stdout.take(), HANDSHAKE_TIMEOUT);
    let elapsed = started.elapsed();
    let rss = peak_rss_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let Some(line) = line else {
        bail!(
            "{} printed no handshake line within {} s",
            binary.display(),
            HANDSHAKE_TIMEOUT.as_secs()
        );
    };
    // core protocol version | app protocol version | network | address | protocol | cert
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    if fields.len() != 6 || fields[0] != "1" || fields[1] != protocol.to_string() {
        bail!(
            "{} did not print a go-plugin handshake for protocol {protocol}: {line:?}",
            binary.display()
        );
    }
    if fields[5].is_empty() {
        bail!("{} offered no TLS certificate", binary.display());
    }
    Ok((elapsed, rss))
}

/// How long a provider may take to print its handshake before the run is abandoned.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The first line `stdout` gives within `timeout`; `None` when it closes or is silent
/// for that long (the caller then kills the process, which ends the reader).
pub fn first_line(stdout: Option<ChildStdout>, timeout: Duration) -> Option<String> {
    let stdout = stdout?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(read.ok().filter(|n| *n > 0).map(|_| line));
    });
    rx.recv_timeout(timeout).ok().flatten()
}

/// VmHWM of a running process, in kB (0 where /proc does not tell).
pub fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
