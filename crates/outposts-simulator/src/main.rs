//! `outposts-simulator`: serves the local Outposts API simulator. The first line on
//! stdout is `outposts-simulator listening on http://ADDR`; logs go to stderr.
//! See docs/simulator.md.

use std::ffi::OsString;
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

/// Reads the flags; `Ok(None)` asks for the help. Both `--flag VALUE` and
/// `--flag=VALUE` are accepted.
fn parse_args(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Option<Options>, String> {
    use lexopt::Arg::{Long, Short, Value};
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
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(parse_error)? {
        let flag = match &arg {
            Long(name) => format!("--{name}"),
            Short(letter) => format!("-{letter}"),
            Value(value) => {
                return Err(format!("unexpected argument {:?}", value.to_string_lossy()));
            }
        };
        let timing = &mut options.config.timing;
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long("listen") => options.listen = value(&mut parser, &flag)?,
            Long("allow-non-loopback") => options.config.allow_non_loopback = true,
            Long("seed") => {
                // Any path the system allows, UTF-8 or not.
                let path = parser
                    .value()
                    .map_err(|_| format!("{flag} needs a value"))?;
                options.seed = Some(PathBuf::from(path));
            }
            Long("print-default-seed") => options.print_default_seed = true,
            Long("credentials") => {
                let text = value(&mut parser, &flag)?;
                options.config.credentials = Some(
                    Credentials::parse(&text).ok_or("--credentials must be ACCESS_KEY:SECRET")?,
                );
            }
            Long("requested-duration") => timing.requested = duration(&mut parser, &flag)?,
            Long("in-progress-duration") => timing.in_progress = duration(&mut parser, &flag)?,
            Long("cancellation-duration") => timing.cancellation = duration(&mut parser, &flag)?,
            Long("evacuation-timeout") => {
                timing.evacuation_timeout = duration(&mut parser, &flag)?;
            }
            Long("frozen-clock") => options.config.frozen_clock = true,
            Long("get-not-found-calls") => {
                options.config.eventual_consistency.get_not_found_calls =
                    number(&mut parser, &flag, "a count")?;
            }
            Long("get-not-found-duration") => {
                options.config.eventual_consistency.get_not_found_seconds =
                    duration(&mut parser, &flag)?.as_secs_f64();
            }
            Long("list-hidden-calls") => {
                options.config.eventual_consistency.list_hidden_calls =
                    number(&mut parser, &flag, "a count")?;
            }
            Long("list-hidden-duration") => {
                options.config.eventual_consistency.list_hidden_seconds =
                    duration(&mut parser, &flag)?.as_secs_f64();
            }
            Long("fault-seed") => {
                options.config.fault_seed = number(&mut parser, &flag, "a number")?;
            }
            Long("page-size") => {
                let text = value(&mut parser, &flag)?;
                options.config.page_size = text
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| format!("{flag}: {text:?} is not a number from 1 to 1000"))?;
            }
            Long("rate-limit") => {
                let text = value(&mut parser, &flag)?;
                options
                    .config
                    .rate_limits
                    .add_flag(&text)
                    .map_err(|e| format!("{flag}: {e}"))?;
            }
            Long("quiet") => options.config.log_requests = false,
            _ => return Err(format!("unknown option {flag:?}")),
        }
    }
    Ok(Some(options))
}

/// A parser error in the words of the other usage errors.
fn parse_error(error: lexopt::Error) -> String {
    match error {
        lexopt::Error::UnexpectedValue { option, value } => {
            format!("{option} takes no value, not {:?}", value.to_string_lossy())
        }
        other => other.to_string(),
    }
}

/// The value of `flag`: the next argument, or what follows `=`.
fn value(parser: &mut lexopt::Parser, flag: &str) -> Result<String, String> {
    parser
        .value()
        .map_err(|_| format!("{flag} needs a value"))?
        .into_string()
        .map_err(|text| format!("{flag}: {text:?} is not valid UTF-8"))
}

/// The value of `flag` as a duration.
fn duration(parser: &mut lexopt::Parser, flag: &str) -> Result<Duration, String> {
    parse_duration(&value(parser, flag)?)
}

/// The value of `flag` as a whole number; `what` names it in the error.
fn number<T: std::str::FromStr>(
    parser: &mut lexopt::Parser,
    flag: &str,
    what: &str,
) -> Result<T, String> {
    let text = value(parser, flag)?;
    text.parse()
        .map_err(|_| format!("{flag}: {text:?} is not {what}"))
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
    let options = match parse_args(std::env::args_os().skip(1)) {
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
        parse_args(args).expect("valid").expect("not --help")
    }

    fn error(args: &[&str]) -> String {
        match parse_args(args) {
            Ok(_) => panic!("{args:?} is accepted"),
            Err(message) => message,
        }
    }

    #[test]
    fn flags_take_values_either_way_and_help_stops_reading() {
        let options = parse(&["--listen=127.0.0.1:4566", "--page-size", "7", "--quiet"]);
        assert_eq!(options.listen, "127.0.0.1:4566");
        assert_eq!(options.config.page_size, 7);
        assert!(!options.config.log_requests);
        // A value may look like a flag: it is the flag's value all the same.
        assert_eq!(parse(&["--seed", "--quiet"]).seed, Some("--quiet".into()));
        for help in [
            &["-h"][..],
            &["--help"],
            &["--frozen-clock", "--help", "--nonsense"],
        ] {
            assert!(parse_args(help).expect("help").is_none(), "{help:?}");
        }
    }

    #[test]
    fn usage_errors_name_the_flag() {
        assert_eq!(error(&["--listen"]), "--listen needs a value");
        assert_eq!(error(&["--nonsense"]), "unknown option \"--nonsense\"");
        assert_eq!(error(&["--nonsense=1"]), "unknown option \"--nonsense\"");
        assert_eq!(error(&["-x"]), "unknown option \"-x\"");
        assert_eq!(error(&["extra"]), "unexpected argument \"extra\"");
        assert_eq!(
            error(&["--quiet=yes"]),
            "--quiet takes no value, not \"yes\""
        );
        assert_eq!(
            error(&["--page-size", "0"]),
            "--page-size: \"0\" is not a number from 1 to 1000"
        );
        assert_eq!(
            error(&["--fault-seed=x"]),
            "--fault-seed: \"x\" is not a number"
        );
        assert!(error(&["--requested-duration", "5"]).contains("is not a duration"));
        assert_eq!(
            error(&["--credentials", "nocolon"]),
            "--credentials must be ACCESS_KEY:SECRET"
        );
    }

    #[test]
    fn list_lag_flags_set_the_eventual_consistency() {
        let options = parse(&["--list-hidden-calls", "2", "--list-hidden-duration=30s"]);
        let consistency = options.config.eventual_consistency;
        assert_eq!(consistency.list_hidden_calls, 2);
        assert_eq!(consistency.list_hidden_seconds, 30.0);
        assert_eq!(consistency.get_not_found_calls, 0);
        assert!(parse_args(["--list-hidden-calls", "two"]).is_err());
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
            let error = parse_args(["--rate-limit", bad]).err().unwrap_or_default();
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
