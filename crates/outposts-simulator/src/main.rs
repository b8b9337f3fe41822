//! `outposts-simulator`: serves the local Outposts API simulator. The first line on
//! stdout is `outposts-simulator listening on http://ADDR`; logs go to stderr.
//! See docs/simulator.md.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use outposts_simulator::{self as simulator, Credentials, SimulatorConfig, World};
use tokio::net::TcpListener;

const USAGE: &str = "\
outposts-simulator: a local, wire-compatible AWS Outposts API for tests and demos

USAGE:
    outposts-simulator [OPTIONS]

OPTIONS:
    --listen ADDR                 address to bind [default: 127.0.0.1:0]
    --allow-non-loopback          allow ADDR to be other than loopback (no real security!)
    --seed FILE                   JSON seed file [default: the built-in world]
    --print-default-seed          print the built-in seed as JSON and exit
    --credentials KEY:SECRET      verify SigV4 signatures against this key pair
                                  [env: OUTPOSTS_SIMULATOR_CREDENTIALS]
    --requested-duration D        REQUESTED -> IN_PROGRESS [default: 2s]
    --in-progress-duration D      IN_PROGRESS -> COMPLETED [default: 5s]
    --cancellation-duration D     CANCELLATION_IN_PROGRESS -> CANCELLED [default: 1s]
    --evacuation-timeout D        WAITING_FOR_EVACUATION -> FAILED [default: 48h]
    --frozen-clock                the clock only moves via POST /_sim/clock/advance
    --get-not-found-calls N       first N GetCapacityTask calls per new task: NotFound
    --get-not-found-duration D    GetCapacityTask answers NotFound for D after a start
    --list-hidden-calls N         first N ListCapacityTasks calls that would show a new
                                  task leave it out
    --list-hidden-duration D      ListCapacityTasks leaves a new task out for D
    --fault-seed N                seed for rate-based faults
    --page-size N                 list items per page without MaxResults [default: 100]
    --rate-limit OP=RATE[/BURST]  throttle each account's calls of operation OP beyond
                                  RATE per second (bursts of BURST, default one second's
                                  worth) with ThrottlingException; OP '*' or 'all' is
                                  every operation without its own limit, each in its own
                                  bucket. Repeatable. The account is the caller's access
                                  key ID. [default: no limit]
    --quiet                       do not log requests to stderr
    -h, --help                    print this help

Durations are written like Terraform's: 0, 500ms, 30s, 5m, 1h30m.
Test controls are served under /_sim/ without SigV4; see docs/simulator.md.
";

struct Options {
    listen: String,
    print_default_seed: bool,
    seed: Option<PathBuf>,
    config: SimulatorConfig,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        listen: "127.0.0.1:0".into(),
        print_default_seed: false,
        seed: None,
        config: SimulatorConfig {
            log_requests: true,
            ..SimulatorConfig::default()
        },
    };
    if let Ok(value) = std::env::var("OUTPOSTS_SIMULATOR_CREDENTIALS")
        && !value.is_empty()
    {
        options.config.credentials = Some(
            Credentials::parse(&value)
                .ok_or("OUTPOSTS_SIMULATOR_CREDENTIALS must be ACCESS_KEY:SECRET")?,
        );
    }
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        // `--flag=value` and `--flag value` are both accepted.
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (flag, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let timing = &mut options.config.timing;
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => options.listen = value("--listen")?,
            "--allow-non-loopback" => options.config.allow_non_loopback = true,
            "--seed" => options.seed = Some(PathBuf::from(value("--seed")?)),
            "--print-default-seed" => options.print_default_seed = true,
            "--credentials" => {
                let text = value("--credentials")?;
                options.config.credentials = Some(
                    Credentials::parse(&text).ok_or("--credentials must be ACCESS_KEY:SECRET")?,
                );
            }
            "--requested-duration" => timing.requested = parse_duration(&value(&flag)?)?,
            "--in-progress-duration" => timing.in_progress = parse_duration(&value(&flag)?)?,
            "--cancellation-duration" => timing.cancellation = parse_duration(&value(&flag)?)?,
            "--evacuation-timeout" => timing.evacuation_timeout = parse_duration(&value(&flag)?)?,
            "--frozen-clock" => options.config.frozen_clock = true,
            "--get-not-found-calls" => {
                let text = value(&flag)?;
                options.config.eventual_consistency.get_not_found_calls = text
                    .parse()
                    .map_err(|_| format!("{flag}: {text:?} is not a count"))?;
            }
            "--get-not-found-duration" => {
                options.config.eventual_consistency.get_not_found_seconds =
                    parse_duration(&value(&flag)?)?.as_secs_f64();
            }
            "--list-hidden-calls" => {
                let text = value(&flag)?;
                options.config.eventual_consistency.list_hidden_calls = text
                    .parse()
                    .map_err(|_| format!("{flag}: {text:?} is not a count"))?;
            }
            "--list-hidden-duration" => {
                options.config.eventual_consistency.list_hidden_seconds =
                    parse_duration(&value(&flag)?)?.as_secs_f64();
            }
            "--fault-seed" => {
                let text = value(&flag)?;
                options.config.fault_seed = text
                    .parse()
                    .map_err(|_| format!("{flag}: {text:?} is not a number"))?;
            }
            "--page-size" => {
                let text = value(&flag)?;
                options.config.page_size = text
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| format!("{flag}: {text:?} is not a number from 1 to 1000"))?;
            }
            "--rate-limit" => {
                let text = value(&flag)?;
                options
                    .config
                    .rate_limits
                    .add_flag(&text)
                    .map_err(|e| format!("{flag}: {e}"))?;
            }
            "--quiet" => options.config.log_requests = false,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Some(options))
}

/// A flag's duration: one or more `<number><unit>` parts, units `ms`, `s`, `m`, `h`
/// (`500ms`, `2s`, `1h30m`, `2.5h`), or `0`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let part = regex::Regex::new(r"(\d+(?:\.\d+)?)(ms|s|m|h)").map_err(|e| e.to_string())?;
    let invalid = || format!("{text:?} is not a duration such as \"2s\", \"500ms\" or \"1h30m\"");
    let mut seconds = 0f64;
    let mut covered = 0;
    for found in part.captures_iter(text) {
        let (Some(all), Some(number), Some(unit)) = (found.get(0), found.get(1), found.get(2))
        else {
            return Err(invalid());
        };
        if all.start() != covered {
            return Err(invalid());
        }
        covered = all.end();
        let number: f64 = number.as_str().parse().map_err(|_| invalid())?;
        seconds += number
            * match unit.as_str() {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                _ => 3600.0,
            };
    }
    if covered == 0 || covered != text.len() || !seconds.is_finite() || seconds > 1e9 {
        return Err(invalid());
    }
    Ok(Duration::from_secs_f64(seconds))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

async fn resolve(listen: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = listen.parse::<SocketAddr>() {
        return Ok(addr);
    }
    tokio::net::lookup_host(listen)
        .await
        .map_err(|e| format!("cannot resolve --listen {listen:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("--listen {listen:?} resolves to no address"))
}

async fn run(options: Options) -> Result<(), String> {
    let mut config = options.config;
    if let Some(path) = &options.seed {
        config.world = World::load(path).map_err(|e| e.to_string())?;
    }
    let addr = resolve(&options.listen).await?;
    if !addr.ip().is_loopback() && !config.allow_non_loopback {
        return Err(format!(
            "refusing to listen on non-loopback address {addr}; pass --allow-non-loopback to \
             expose the simulator (it has no real security)"
        ));
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    // Scripts wait for this exact line; it must come first and be flushed.
    println!("outposts-simulator listening on http://{bound}");
    {
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }
    eprintln!(
        "outposts-simulator: {} outposts, signatures {}, control endpoint http://{bound}/_sim/",
        config.world.outposts.len(),
        if config.credentials.is_some() {
            "verified"
        } else {
            "required but not verified"
        },
    );
    for (scope, limit) in config.rate_limits.by_name() {
        eprintln!(
            "outposts-simulator: rate limit {scope}: {} per second, bursts of {}, per access key",
            limit.rate, limit.burst
        );
    }
    simulator::serve(listener, config, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("outposts-simulator: stopped");
    Ok(())
}

/// Writes `text` to stdout. A reader that went away (`| head`) ends the output quietly,
/// as it does for other command-line tools; any other failure is reported.
fn print_out(text: &str) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("outposts-simulator: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => return print_out(USAGE),
        Err(message) => {
            eprintln!("outposts-simulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if options.print_default_seed {
        return match serde_json::to_string_pretty(&World::default_seed()) {
            Ok(text) => print_out(&format!("{text}\n")),
            Err(e) => {
                eprintln!("outposts-simulator: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("outposts-simulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("outposts-simulator: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Options {
        parse_args(args.iter().map(|a| a.to_string()))
            .expect("valid")
            .expect("not --help")
    }

    #[test]
    fn list_lag_flags_set_the_eventual_consistency() {
        let options = parse(&["--list-hidden-calls", "2", "--list-hidden-duration=30s"]);
        let consistency = options.config.eventual_consistency;
        assert_eq!(consistency.list_hidden_calls, 2);
        assert_eq!(consistency.list_hidden_seconds, 30.0);
        assert_eq!(consistency.get_not_found_calls, 0);
        assert!(parse_args(["--list-hidden-calls", "two"].map(String::from).into_iter()).is_err());
    }

    #[test]
    fn rate_limit_flags_add_up_and_bad_ones_are_named() {
        use outposts_simulator::{Operation, RateLimit};
        let options = parse(&[
            "--rate-limit",
            "GetCapacityTask=2/4",
            "--rate-limit=*=10",
            "--rate-limit",
            "StartCapacityTask=0.5",
        ]);
        let limits = options.config.rate_limits;
        assert_eq!(
            limits.for_operation(Operation::GetCapacityTask),
            Some(RateLimit {
                rate: 2.0,
                burst: 4
            })
        );
        assert_eq!(
            limits.for_operation(Operation::StartCapacityTask),
            Some(RateLimit {
                rate: 0.5,
                burst: 1
            })
        );
        assert_eq!(
            limits.for_operation(Operation::ListOutposts),
            Some(RateLimit {
                rate: 10.0,
                burst: 10
            })
        );
        assert!(parse(&[]).config.rate_limits.is_empty());
        for bad in ["GetCapacityTask", "GetTask=1", "*=0", "*=1/0"] {
            let error = parse_args(["--rate-limit", bad].map(String::from).into_iter())
                .err()
                .unwrap_or_default();
            assert!(error.starts_with("--rate-limit: "), "{bad:?}: {error:?}");
        }
    }

    #[test]
    fn flag_durations_read_like_go_durations() {
        let ok = |t: &str| parse_duration(t).expect(t);
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("1h30m"), Duration::from_secs(5400));
        assert_eq!(ok("2.5h"), Duration::from_secs(9000));
        for bad in ["", "5", "h", "1x", "1h 30m", "-5s", "s5"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
