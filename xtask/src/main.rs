//! `cargo xtask <task>`: repository chores in Rust instead of shell scripts. This file
//! reads the command line and hands each task to its module in the xtask library.

use anyhow::{Context, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use xtask::{bench, docs, mirror, registry, release, repo, serve, suites};

const USAGE: &str = "\
cargo xtask <task>

Tasks:
  docs [--check]   regenerate docs/ from the schema Terraform reports and examples/;
                   with --check, fail when docs/ is out of date instead
  release --out DIR
                   build the provider with the release profile for this host (and for
                   other targets whose toolchains are installed) and write the zips,
                   manifest, SHA256SUMS, its signature and the public key to DIR
  mirror DIR [--unpacked]
                   a release written as a network mirror (also a packed filesystem
                   mirror) under DIR, or with --unpacked an unpacked filesystem mirror
  registry DIR     a release written as a static provider registry rooted at DIR (the
                   modules published there stay)
  module-release VERSION --registry DIR [--from MODULE_DIR]
                   pack the module in MODULE_DIR [examples/modules/outpost-capacity]
                   deterministically and publish it in the registry DIR as VERSION of
                   registry.platform.internal/platform/outpost-capacity/outposts, keeping
                   the versions there; a published version is never changed (the same
                   files again change nothing, other files are refused)
  registry serve DIR [--listen 127.0.0.1:PORT] [--ready-file FILE]
                   serve the registry DIR over HTTPS on loopback [127.0.0.1:0, any free
                   port] with a CA made for this run, until SIGTERM or SIGINT. Once
                   listening it writes FILE (removed on exit), shell lines to source:
                     REGISTRY_BASE='https://localhost:PORT'
                     REGISTRY_CA='/tmp/…/ca.pem'              (for SSL_CERT_FILE)
                     REGISTRY_CLI_CONFIG='/tmp/…/registry.tfrc' (for TF_CLI_CONFIG_FILE:
                                   its host block sends modules.v1 and providers.v1 of
                                   registry.platform.internal to REGISTRY_BASE)
                     REGISTRY_PID=1234
  reliability [--tasks-per-scenario N] [--interruption-runs N] [--fuzz-minutes N]
              [--teams N] [--outposts-per-team N]
                   the full reliability suites of docs/RELIABILITY.md: fault matrix
                   [100 tasks per scenario], concurrency, interruption matrix [40 runs],
                   load, teams under a rate limit [12 teams of 8 Outposts], security,
                   bad input, then fuzzing [10 minutes]
  bench [--quick] [--runs N]
                   build the release and measure start-up, plans, refresh, a wide apply,
                   polling and size side by side with terraform_data and hashicorp/aws;
                   print the table and write it to docs/PERFORMANCE.md [runs: 5 per plan].
                   --quick: only start-up and binary size, failing on start-up over
                   10 ms or a binary over 20 MB (the CI guard); writes nothing
  fuzz [--minutes N]
                   run the property-based fuzz tests (named fuzz_) again and again with
                   fresh seeds and many cases each, for N minutes [default: 10]

release, mirror and registry sign with the key named by GPG_FINGERPRINT (an RSA key in
your keyring), or else with a throwaway key generated for this run. --binary PATH
packages that binary for this host instead of building one.";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let task = args.next().map(|t| t.to_string_lossy().into_owned());
    let task = match task.as_deref() {
        None | Some("-h" | "--help" | "help") => return help(),
        // `registry serve` is a task of its own, with options of its own.
        Some("registry") => {
            let mut rest = args.collect::<Vec<_>>().into_iter().peekable();
            if rest.next_if(|a| a == "serve").is_some() {
                return registry_serve(rest);
            }
            return registry_task(rest);
        }
        Some(task) => task.to_string(),
    };
    match task.as_str() {
        "docs" => {
            let Some(parsed) = Parsed::read("docs", args, &[], &["--check"], 0)? else {
                return help();
            };
            docs::run(parsed.switch("--check"))
        }
        "reliability" => {
            let options = [
                "--tasks-per-scenario",
                "--interruption-runs",
                "--fuzz-minutes",
                "--teams",
                "--outposts-per-team",
            ];
            let Some(parsed) = Parsed::read("reliability", args, &options, &[], 0)? else {
                return help();
            };
            suites::reliability(
                parsed.number("--tasks-per-scenario", 100)?,
                parsed.number("--interruption-runs", 40)?,
                parsed.number("--fuzz-minutes", 10)?,
                suites::TeamsLoad {
                    teams: parsed.number("--teams", 12)?,
                    outposts_per_team: parsed.number("--outposts-per-team", 8)?,
                },
            )
        }
        "bench" => {
            let Some(parsed) = Parsed::read("bench", args, &["--runs"], &["--quick"], 0)? else {
                return help();
            };
            bench::run(parsed.switch("--quick"), parsed.number("--runs", 5)?.max(1))
        }
        "fuzz" => {
            let Some(parsed) = Parsed::read("fuzz", args, &["--minutes"], &[], 0)? else {
                return help();
            };
            suites::fuzz(parsed.number("--minutes", 10)?)
        }
        "release" => {
            let options = ["--out", "--binary"];
            let Some(parsed) = Parsed::read("release", args, &options, &[], 0)? else {
                return help();
            };
            let out = parsed.path("--out").context("release needs --out DIR")?;
            release::build_and_package(&out, parsed.path("--binary").as_deref()).map(|_| ())
        }
        "mirror" => {
            let Some(parsed) = Parsed::read("mirror", args, &["--binary"], &["--unpacked"], 1)?
            else {
                return help();
            };
            let dir = parsed.positional(0).context("mirror needs a directory")?;
            let scratch = tempfile::tempdir()?;
            let built =
                release::build_and_package(scratch.path(), parsed.path("--binary").as_deref())?;
            let base = if parsed.switch("--unpacked") {
                mirror::write_unpacked_mirror(&built, &dir, mirror::DEFAULT_HOST)?
            } else {
                mirror::write_network_mirror(&built, &dir, mirror::DEFAULT_HOST)?
            };
            println!("wrote the mirror under {}", base.display());
            Ok(())
        }
        "module-release" => {
            let options = ["--registry", "--from"];
            let Some(parsed) = Parsed::read("module-release", args, &options, &[], 1)? else {
                return help();
            };
            module_release(&parsed)
        }
        other => bail!("unknown task {other:?}\n\n{USAGE}"),
    }
}

fn help() -> anyhow::Result<()> {
    println!("{USAGE}");
    Ok(())
}

/// `cargo xtask registry DIR [--binary PATH]`.
fn registry_task(args: impl Iterator<Item = OsString>) -> anyhow::Result<()> {
    let Some(parsed) = Parsed::read("registry", args, &["--binary"], &[], 1)? else {
        return help();
    };
    let dir = parsed.positional(0).context("registry needs a directory")?;
    let scratch = tempfile::tempdir()?;
    let built = release::build_and_package(scratch.path(), parsed.path("--binary").as_deref())?;
    mirror::write_registry(&built, &dir)?;
    println!(
        "wrote a static registry to {}: serve it over HTTPS as https://HOST/ and use the source address HOST/{}/{}",
        dir.display(),
        mirror::NAMESPACE,
        mirror::TYPE
    );
    Ok(())
}

/// `cargo xtask registry serve DIR [--listen 127.0.0.1:PORT] [--ready-file FILE]`.
fn registry_serve(args: impl Iterator<Item = OsString>) -> anyhow::Result<()> {
    let options = ["--listen", "--ready-file"];
    let Some(parsed) = Parsed::read("registry serve", args, &options, &[], 1)? else {
        return help();
    };
    let dir = parsed
        .positional(0)
        .context("registry serve needs the registry directory: registry serve DIR")?;
    let listen = parsed
        .text("--listen")
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listen: SocketAddr = listen.parse().with_context(|| {
        format!("--listen {listen:?} is not an address: give 127.0.0.1:PORT or [::1]:PORT")
    })?;
    serve::serve_registry(&dir, listen, parsed.path("--ready-file").as_deref())
}

/// `cargo xtask module-release VERSION --registry DIR [--from MODULE_DIR]`.
fn module_release(parsed: &Parsed) -> anyhow::Result<()> {
    use registry::{OUTPOST_CAPACITY, OUTPOST_CAPACITY_SOURCE, Outcome, publish_module};
    let version = parsed
        .positional(0)
        .map(|v| v.to_string_lossy().into_owned())
        .context("module-release needs the version: module-release VERSION --registry DIR")?;
    let registry = parsed
        .path("--registry")
        .context("module-release needs the registry directory: --registry DIR")?;
    let from = parsed
        .path("--from")
        .unwrap_or_else(|| repo::root().join(OUTPOST_CAPACITY_SOURCE));
    let published = publish_module(&registry, &OUTPOST_CAPACITY, &version, &from)?;
    match published.outcome {
        Outcome::Published => println!(
            "published {} {} from {} as {} (sha256:{})",
            OUTPOST_CAPACITY.source(),
            published.version,
            from.display(),
            published.package.display(),
            published.sha256
        ),
        Outcome::Unchanged => println!(
            "{} {} is already published with these files: nothing changed",
            OUTPOST_CAPACITY.source(),
            published.version
        ),
    }
    println!(
        "versions in {}: {}",
        registry.display(),
        published.versions.join(", ")
    );
    Ok(())
}

/// A task's arguments as lexopt read them: `--option VALUE` (or `--option=VALUE`),
/// switches, and positional arguments, in any order.
struct Parsed {
    values: BTreeMap<&'static str, OsString>,
    switches: BTreeSet<&'static str>,
    positionals: Vec<OsString>,
}

impl Parsed {
    /// Reads `args` for `task`, which takes the options `options` (each with a value),
    /// the switches `switches` and at most `positionals` positional arguments.
    /// Anything else is refused: a mistyped option of a long-running task must not be
    /// ignored. `Ok(None)` asks for the help.
    fn read(
        task: &str,
        args: impl IntoIterator<Item = OsString>,
        options: &[&'static str],
        switches: &[&'static str],
        positionals: usize,
    ) -> anyhow::Result<Option<Parsed>> {
        use lexopt::Arg::{Long, Short, Value};
        let mut parsed = Parsed {
            values: BTreeMap::new(),
            switches: BTreeSet::new(),
            positionals: Vec::new(),
        };
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next().map_err(|e| parse_error(task, e))? {
            let flag = match arg {
                Short('h') | Long("help") => return Ok(None),
                Value(value) if parsed.positionals.len() < positionals => {
                    parsed.positionals.push(value);
                    continue;
                }
                Value(value) => bail!(
                    "{task} does not take {:?} (cargo xtask --help)",
                    value.to_string_lossy()
                ),
                Long(name) => format!("--{name}"),
                Short(letter) => format!("-{letter}"),
            };
            if let Some(option) = options.iter().find(|o| **o == flag) {
                let value = parser
                    .value()
                    .map_err(|_| anyhow::anyhow!("{flag} needs a value"))?;
                parsed.values.insert(option, value);
            } else if let Some(switch) = switches.iter().find(|s| **s == flag) {
                parsed.switches.insert(switch);
            } else {
                let known: Vec<&str> = options.iter().chain(switches).copied().collect();
                bail!(
                    "{task} takes {} but not {flag} (cargo xtask --help)",
                    and_list(&known)
                );
            }
        }
        Ok(Some(parsed))
    }

    fn switch(&self, name: &str) -> bool {
        self.switches.contains(name)
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        self.values.get(name).map(PathBuf::from)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .map(|v| v.to_string_lossy().into_owned())
    }

    fn positional(&self, index: usize) -> Option<PathBuf> {
        self.positionals.get(index).map(PathBuf::from)
    }

    /// The whole number given to `name`, or `default` when the option is absent.
    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        self.text(name)
            .map(|text| text.parse())
            .transpose()
            .with_context(|| format!("{name} takes a whole number"))
            .map(|n| n.unwrap_or(default))
    }
}

/// A parser error in the words of the other usage errors.
fn parse_error(task: &str, error: lexopt::Error) -> anyhow::Error {
    match error {
        lexopt::Error::UnexpectedValue { option, value } => anyhow::anyhow!(
            "{task}: {option} takes no value, not {:?} (cargo xtask --help)",
            value.to_string_lossy()
        ),
        other => anyhow::anyhow!("{task}: {other}"),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => "nothing".into(),
        [one] => (*one).into(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str]) -> anyhow::Result<Option<Parsed>> {
        let args = args.iter().map(OsString::from);
        Parsed::read("task", args, &["--out", "--runs"], &["--quick"], 1)
    }

    fn parsed(args: &[&str]) -> Parsed {
        match read(args) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => panic!("{args:?} asks for the help"),
            Err(error) => panic!("{args:?}: {error:#}"),
        }
    }

    fn refused(args: &[&str]) -> String {
        match read(args) {
            Err(error) => format!("{error:#}"),
            Ok(_) => panic!("{args:?} is accepted"),
        }
    }

    #[test]
    fn options_switches_and_positionals_come_in_any_order() {
        let parsed = parsed(&["--runs=3", "DIR", "--quick", "--out", "-"]);
        assert_eq!(parsed.number("--runs", 5).ok(), Some(3));
        assert!(parsed.switch("--quick"));
        assert_eq!(parsed.positional(0), Some(PathBuf::from("DIR")));
        assert_eq!(parsed.path("--out"), Some(PathBuf::from("-")));
        let empty = self::parsed(&[]);
        assert_eq!(empty.number("--runs", 5).ok(), Some(5));
        assert!(!empty.switch("--quick"));
        assert_eq!(empty.positional(0), None);
        for help in [&["-h"][..], &["DIR", "--help", "--nonsense"]] {
            assert!(matches!(read(help), Ok(None)), "{help:?}");
        }
    }

    #[test]
    fn anything_else_is_refused_by_name() {
        assert_eq!(
            refused(&["--ready"]),
            "task takes --out, --runs and --quick but not --ready (cargo xtask --help)"
        );
        assert_eq!(
            refused(&["DIR", "other"]),
            "task does not take \"other\" (cargo xtask --help)"
        );
        assert_eq!(refused(&["--out"]), "--out needs a value");
        assert_eq!(
            refused(&["--quick=yes"]),
            "task: --quick takes no value, not \"yes\" (cargo xtask --help)"
        );
        match parsed(&["--runs", "many"]).number("--runs", 5u64) {
            Err(error) => assert!(
                format!("{error:#}").starts_with("--runs takes a whole number: "),
                "{error:#}"
            ),
            Ok(runs) => panic!("--runs many is {runs}"),
        }
        assert_eq!(
            and_list(&["--listen", "--ready-file"]),
            "--listen and --ready-file"
        );
    }
}
