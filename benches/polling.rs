//! How many GetCapacityTask calls a wait costs, and how late it notices completion, for
//! tasks of 10 s, 10 min, 60 min and 12 h — in simulated time.
//!
//! The parts are the real ones: the provider's waiter with its default schedule (the
//! one `create` uses), the provider's SDK client, real HTTP to the simulator. Only the
//! clocks are simulated: the waiter runs on a paused tokio clock, and before each poll
//! the simulator's frozen clock is moved to the same instant, so a 12-hour task takes
//! well under a second. Each call is made on a second, real-time runtime while the
//! paused one waits for it, so no simulated time passes during a call.
//!
//! Prints one JSON line per task length; `cargo xtask bench` reads them.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use outposts_provider::outposts::task::{
    CapacityTaskStatus, InstancePool, OwnTaskSearch, StartCapacityTask, Started,
};
use outposts_provider::outposts::wait::{WaitFor, WaitOutcome, wait_for_terminal_status};
use outposts_provider::outposts::{ClientSettings, NetworkTimeouts, OutpostsClient, RetryPolicy};
use outposts_simulator::{SimulatorConfig, TaskTiming};
use std::cell::Cell;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const OUTPOST: &str = "op-0123456789abcdef0";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    // A test runner listing the tests of every target finds none here, and a plain
    // `cargo test --all-targets` does not run the benchmark: `cargo bench` does.
    if args.iter().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("the polling benchmark runs under `cargo bench` (or `cargo xtask bench`)");
        return ExitCode::SUCCESS;
    }
    let lengths = [
        Duration::from_secs(10),
        Duration::from_secs(10 * 60),
        Duration::from_secs(60 * 60),
        Duration::from_secs(12 * 60 * 60),
    ];
    for length in lengths {
        match worst_of_phases(length) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("polling benchmark, {} s task: {e}", length.as_secs());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// How late completion is seen depends on where it falls between two polls, so each
/// length is run at three phases of the poll interval around it (`length`, and a third
/// and two thirds of an interval longer). Each run is allowed max(2 s, 10 %) of its own
/// length; the run that came closest to its allowance is reported, with the most calls
/// any of the three made.
fn worst_of_phases(length: Duration) -> Result<serde_json::Value, String> {
    let interval = (length / 10).clamp(Duration::from_secs(2), Duration::from_secs(300));
    let mut worst: Option<(f64, Duration, Duration)> = None;
    let mut most_calls = 0;
    for phase in 0..3u32 {
        let this_length = length + interval * phase / 3;
        let (calls, lag) = one_task(this_length)?;
        let allowed = Duration::from_secs(2).max(this_length / 10);
        let share = lag.as_secs_f64() / allowed.as_secs_f64();
        if worst.is_none_or(|(w, _, _)| share > w) {
            worst = Some((share, lag, allowed));
        }
        most_calls = most_calls.max(calls);
    }
    let (_, lag, allowed) = worst.ok_or("no run")?;
    Ok(serde_json::json!({
        "task_s": length.as_secs(),
        "phases": 3,
        "get_calls": most_calls,
        "lag_ms": lag.as_millis() as u64,
        "allowed_lag_ms": allowed.as_millis() as u64,
    }))
}

/// One task of `length`: the GetCapacityTask calls of its wait, and how long after
/// completion the wait saw it.
fn one_task(length: Duration) -> Result<(u64, Duration), String> {
    let real = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let sim = real
        .block_on(outposts_simulator::start(SimulatorConfig {
            frozen_clock: true,
            timing: TaskTiming {
                requested: Duration::ZERO,
                in_progress: length,
                ..TaskTiming::default()
            },
            ..SimulatorConfig::default()
        }))
        .map_err(|e| format!("starting the simulator: {e}"))?;
    let client = real.block_on(client(sim.endpoint()));
    let stop = CancellationToken::new();
    let request = StartCapacityTask {
        outpost_identifier: OUTPOST.into(),
        order_id: None,
        asset_id: None,
        // The quickstart's layout: it keeps the rack's running instance's type.
        instance_pools: vec![
            InstancePool {
                instance_type: "g4dn.12xlarge".into(),
                count: 2,
            },
            InstancePool {
                instance_type: "c5.4xlarge".into(),
                count: 6,
            },
        ],
        instances_to_exclude: Default::default(),
        task_action_on_blocking_instances: None,
    };
    let started = real
        .block_on(client.start_capacity_task(
            &OwnTaskSearch::new(&request, Default::default(), Default::default()),
            &stop,
        ))
        .map_err(|e| format!("StartCapacityTask: {e:?}"))?;
    let task = match started {
        Started::New(task) | Started::Adopted { task, .. } => task,
    };
    sim.reset_request_counts();

    // The waiter, on simulated time.
    let paused = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| e.to_string())?;
    let moved = Cell::new(Duration::ZERO);
    let (outcome, noticed_at) = paused.block_on(async {
        let start = tokio::time::Instant::now();
        let outcome =
            wait_for_terminal_status(WaitFor::new(Duration::from_secs(48 * 3600), &stop), || {
                let now = start.elapsed();
                sim.advance_clock(now.saturating_sub(moved.get()));
                moved.set(now);
                let answer = std::thread::scope(|s| {
                    s.spawn(|| real.block_on(client.get_capacity_task(OUTPOST, &task.id)))
                        .join()
                });
                let answer = answer.unwrap_or_else(|_| {
                    Err(outposts_provider::outposts::error::OutpostsError::Other(
                        "the call panicked".into(),
                    ))
                });
                async move { answer }
            })
            .await;
        (outcome, start.elapsed())
    });
    match outcome {
        WaitOutcome::Terminal(task) if task.status == CapacityTaskStatus::Completed => {}
        other => return Err(format!("the wait ended without completion: {other:?}")),
    }
    let calls = sim
        .request_counts()
        .get("GetCapacityTask")
        .copied()
        .unwrap_or(0);
    Ok((calls, noticed_at.saturating_sub(length)))
}

async fn client(endpoint: &str) -> OutpostsClient {
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-west-2"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "AKIDBENCHACCESSKEY01",
            "bench-secret-key",
            None,
            None,
            "bench",
        ))
        .load()
        .await;
    OutpostsClient::new(
        &shared,
        ClientSettings {
            region: "us-west-2".into(),
            endpoint_override: Some(endpoint.into()),
            endpoint: endpoint.into(),
            retry: RetryPolicy {
                max_attempts: 3,
                adaptive: false,
            },
            timeouts: NetworkTimeouts {
                connect: std::time::Duration::from_secs(10),
                response: std::time::Duration::from_secs(15),
            },
        },
    )
}
