//! A dead endpoint — a port that accepts connections and never answers — fails a data
//! source read, a refresh and an apply within a bound, naming the endpoint and what to
//! check, instead of holding Terraform for minutes. Real `terraform` against a silent
//! listener on loopback.

use crate::endpoints::FakeEndpoint;
use crate::harness::{REQUIRED_PROVIDERS, Run, Workspace};
use crate::sim::{Sim, state, task_config};
use std::time::{Duration, Instant};

const LAYOUT: &[(&str, u32)] = &[("c5.4xlarge", 3), ("m5.xlarge", 12)];

const TASKS_READER: &str = "data \"outposts_capacity_tasks\" \"all\" {}\n";

/// Short timeouts, so that a dead endpoint fails a call in seconds: 3 unanswered
/// attempts of 2 s and the back-off between them.
const SHORT_TIMEOUTS: &str = "  connect_timeout  = \"1s\"\n  response_timeout = \"2s\"\n";
const SHORT_BOUND: Duration = Duration::from_secs(25);

/// With the defaults (10 s to connect, 15 s an attempt, 3 unanswered attempts).
const DEFAULT_BOUND: Duration = Duration::from_secs(65);

/// Writes `main.tf`: a provider block with `provider_body`, then `resources`.
fn configure(ws: &Workspace, provider_body: &str, resources: &str) {
    ws.write(
        "main.tf",
        &format!(
            "{REQUIRED_PROVIDERS}\nprovider \"outposts\" {{\n  region = \"us-west-2\"\n{provider_body}}}\n\n{resources}"
        ),
    );
}

/// Runs a terraform command that must fail, and how long it took.
fn timed_failure(ws: &Workspace, args: &[&str]) -> (Run, Duration) {
    let started = Instant::now();
    let run = ws.fails(args);
    (run, started.elapsed())
}

fn assert_names_the_endpoint(run: &Run, url: &str) {
    run.assert_mentions(&format!(
        "the Outposts endpoint {url} did not answer in time"
    ))
    .assert_mentions("AWS_ENDPOINT_URL_OUTPOSTS")
    .assert_mentions("connect_timeout")
    .assert_mentions("response_timeout");
}

/// A data source read against the dead endpoint.
fn data_source_read(provider_body: &str, bound: Duration) -> (Duration, u64) {
    let dead = FakeEndpoint::silent();
    let mut ws = Workspace::new("");
    configure(&ws, provider_body, TASKS_READER);
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", &dead.url);
    let (run, took) = timed_failure(&ws, &["plan", "-no-color"]);
    run.assert_mentions("Could not read the");
    assert_names_the_endpoint(&run, &dead.url);
    assert!(took < bound, "the read took {took:?}\n{}", run.report());
    (took, dead.connections())
}

/// A refresh of a task in state, after the endpoint died.
fn refresh(provider_body: &str, bound: Duration) -> Duration {
    let sim = Sim::fast();
    let mut ws = sim.workspace("");
    configure(&ws, provider_body, &task_config("", LAYOUT));
    ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let task_id = state(&ws)["capacity_task_id"].clone();
    let dead = FakeEndpoint::silent();
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", &dead.url);
    let (run, took) = timed_failure(&ws, &["plan", "-no-color"]);
    run.assert_mentions("Could not read the capacity task");
    assert_names_the_endpoint(&run, &dead.url);
    assert!(took < bound, "the refresh took {took:?}\n{}", run.report());
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", sim.handle.endpoint());
    assert_eq!(state(&ws)["capacity_task_id"], task_id, "the task stays");
    took
}

/// An apply of a new task against the dead endpoint: it fails before any start.
fn apply(provider_body: &str, bound: Duration) -> Duration {
    let dead = FakeEndpoint::silent();
    let mut ws = Workspace::new("");
    configure(&ws, provider_body, &task_config("", LAYOUT));
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", &dead.url);
    let (run, took) = timed_failure(&ws, &["apply", "-auto-approve", "-no-color"]);
    run.assert_mentions("No task was started");
    assert_names_the_endpoint(&run, &dead.url);
    assert!(took < bound, "the apply took {took:?}\n{}", run.report());
    took
}

#[test]
fn a_dead_endpoint_fails_a_data_source_read_within_the_timeouts() {
    let (took, connections) = data_source_read(SHORT_TIMEOUTS, SHORT_BOUND);
    assert_eq!(
        connections, 3,
        "three unanswered attempts, whatever max_retries allows"
    );
    eprintln!("data source read against a dead endpoint (1s/2s): {took:?}");
}

#[test]
fn a_dead_endpoint_fails_a_refresh_within_the_timeouts_and_keeps_the_task() {
    let took = refresh(SHORT_TIMEOUTS, SHORT_BOUND);
    eprintln!("refresh against a dead endpoint (1s/2s): {took:?}");
}

#[test]
fn a_dead_endpoint_fails_an_apply_within_the_timeouts_before_any_start() {
    let took = apply(SHORT_TIMEOUTS, SHORT_BOUND);
    eprintln!("apply against a dead endpoint (1s/2s): {took:?}");
}

#[test]
fn a_refused_connection_fails_at_once_naming_the_endpoint() {
    let url = FakeEndpoint::refused();
    let mut ws = Workspace::new("");
    configure(&ws, "", TASKS_READER);
    ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", &url);
    let (run, took) = timed_failure(&ws, &["plan", "-no-color"]);
    run.assert_mentions(&format!("the Outposts endpoint {url} could not be reached"))
        .assert_mentions("AWS_ENDPOINT_URL_OUTPOSTS");
    // Three refused attempts and the back-off between them, not 26.
    assert!(
        took < Duration::from_secs(15),
        "took {took:?}\n{}",
        run.report()
    );
    eprintln!("data source read against a refused port: {took:?}");
}

#[test]
fn bad_timeouts_are_refused_on_their_argument() {
    for (body, summary, line) in [
        (
            "  connect_timeout = \"10\"\n",
            "Invalid connect_timeout",
            "connect_timeout = \"10\"",
        ),
        (
            "  response_timeout = \"0s\"\n",
            "Invalid response_timeout",
            "response_timeout = \"0s\"",
        ),
    ] {
        let ws = Workspace::new("");
        configure(&ws, body, TASKS_READER);
        ws.fails(&["validate", "-no-color"])
            .assert_mentions(&format!("Error: {summary}"))
            .assert_mentions(line);
    }
}

/// The default timeouts (10 s to connect, 15 s per attempt, 3 unanswered attempts): a
/// data source read fails within a minute, after exactly 3 connections. The refresh and
/// the apply follow the same path and are covered above with short timeouts.
#[test]
fn with_the_default_timeouts_a_dead_endpoint_fails_within_a_minute() {
    let (read, connections) = data_source_read("", DEFAULT_BOUND);
    eprintln!("default timeouts: data source read {read:?} ({connections} connections)");
    assert_eq!(connections, 3);
}
