//! The seed file and the binary.

use super::*;

#[tokio::test]
async fn example_seed_file_is_the_default_world_and_serves_from_disk() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/simulator-seed.json");
    let world = World::load(&path).expect("example seed is valid");
    assert_eq!(world, World::default_seed());
    let sim = start(SimulatorConfig {
        world,
        ..frozen_config()
    })
    .await;
    let client = client(&sim);
    let outposts = client.list_outposts().send().await.expect("list");
    assert_eq!(outposts.outposts().len(), 3);
    let id = start_task(&client, RACK_ARN, QUICKSTART).await;
    sim.advance_clock(Duration::from_secs(3600));
    assert_eq!(status(&client, RACK, &id).await, SdkStatus::Completed);
}

#[tokio::test]
async fn non_loopback_listener_is_refused_unless_allowed() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    let err = outposts_simulator::start_on(listener, frozen_config())
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    let config = SimulatorConfig {
        allow_non_loopback: true,
        ..frozen_config()
    };
    let sim = outposts_simulator::start_on(listener, config)
        .await
        .expect("allowed explicitly");
    sim.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn binary_prints_its_address_serves_and_stops_on_sigterm() {
    use tokio::io::AsyncBufReadExt;
    let binary = env!("CARGO_BIN_EXE_outposts-simulator");
    let mut child = tokio::process::Command::new(binary)
        .args(["--quiet", "--frozen-clock", "--requested-duration", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("simulator binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("prints in time")
        .expect("reads")
        .expect("a first line");
    let url = first
        .strip_prefix("outposts-simulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr: SocketAddr = url.parse().expect("address");
    assert!(addr.ip().is_loopback());

    let health = raw(addr, "GET", "/_sim/health", &[], "").await;
    assert_eq!(health.status, 200, "{}", health.body);
    let endpoint = format!("http://{addr}");
    let client = client_with(&endpoint, "AKIDANY", "any-secret", RetryConfig::disabled());
    let listed = client
        .list_outposts()
        .send()
        .await
        .expect("binary serves the API");
    assert_eq!(listed.outposts().len(), 3);

    let pid = child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("stops in time")
        .expect("waits");
    assert!(output.status.success(), "{:?}", output.status);
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopped"));
}

#[tokio::test]
async fn binary_refuses_a_non_loopback_address() {
    let binary = env!("CARGO_BIN_EXE_outposts-simulator");
    let output = tokio::process::Command::new(binary)
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .await
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("non-loopback"));
    assert!(output.stdout.is_empty());
}

/// `outposts-simulator --print-default-seed | head` can close the pipe before the seed
/// is written: the binary then stops quietly instead of panicking on stdout.
#[test]
fn printing_the_seed_into_a_closed_pipe_is_no_panic() {
    let binary = env!("CARGO_BIN_EXE_outposts-simulator");
    // A pipe whose reading end is closed before the binary starts: every write fails.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = std::process::Command::new(binary)
        .arg("--print-default-seed")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("simulator binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "a closed stdout is no reason to panic: {stderr}"
    );
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}
