//! `cargo xtask <task>`: repository chores in Rust instead of shell scripts.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("docs") => docs(args.iter().skip(1).any(|a| a == "--check")),
        Some("reliability") => reliability(
            number(&args, "--tasks-per-scenario", 100)?,
            number(&args, "--interruption-runs", 40)?,
            number(&args, "--fuzz-minutes", 10)?,
            TeamsLoad {
                teams: number(&args, "--teams", 12)?,
                outposts_per_team: number(&args, "--outposts-per-team", 8)?,
            },
        ),
        Some("bench") => bench(
            args.iter().any(|a| a == "--quick"),
            number(&args, "--runs", 5)?.max(1),
        ),
        Some("fuzz") => fuzz(number(&args, "--minutes", 10)?),
        Some("release") => {
            let out = option(&args, "--out").context("release needs --out DIR")?;
            release(&PathBuf::from(out), option(&args, "--binary")).map(|_| ())
        }
        Some("mirror") => {
            let dir = positional(&args).context("mirror needs a directory")?;
            let scratch = tempfile::tempdir()?;
            let built = release(scratch.path(), option(&args, "--binary"))?;
            let base = if args.iter().any(|a| a == "--unpacked") {
                xtask::mirror::write_unpacked_mirror(
                    &built,
                    Path::new(dir),
                    xtask::mirror::DEFAULT_HOST,
                )?
            } else {
                xtask::mirror::write_network_mirror(
                    &built,
                    Path::new(dir),
                    xtask::mirror::DEFAULT_HOST,
                )?
            };
            println!("wrote the mirror under {}", base.display());
            Ok(())
        }
        Some("module-release") => module_release(&args),
        Some("registry") if args.get(1).is_some_and(|a| a == "serve") => {
            let args = &args[1..];
            known_options("registry serve", args, &["--listen", "--ready-file"])?;
            let dir = positional(args)
                .context("registry serve needs the registry directory: registry serve DIR")?;
            let listen = option(args, "--listen").unwrap_or("127.0.0.1:0");
            let listen: std::net::SocketAddr = listen.parse().with_context(|| {
                format!("--listen {listen:?} is not an address: give 127.0.0.1:PORT or [::1]:PORT")
            })?;
            xtask::serve::serve_registry(
                Path::new(dir),
                listen,
                option(args, "--ready-file").map(Path::new),
            )
        }
        Some("registry") => {
            let dir = positional(&args).context("registry needs a directory")?;
            let scratch = tempfile::tempdir()?;
            let built = release(scratch.path(), option(&args, "--binary"))?;
            xtask::mirror::write_registry(&built, Path::new(dir))?;
            println!(
                "wrote a static registry to {dir}: serve it over HTTPS as https://HOST/ and use the source address HOST/{}/{}",
                xtask::mirror::NAMESPACE,
                xtask::mirror::TYPE
            );
            Ok(())
        }
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n\n{USAGE}"),
    }
}

/// The value after `name`, e.g. `--out DIR`.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// The whole number after `name`, or `default` when the option is absent.
fn number<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    option(args, name)
        .map(str::parse)
        .transpose()
        .with_context(|| format!("{name} takes a whole number"))
        .map(|n| n.unwrap_or(default))
}

/// Refuses options other than `known`: a mistyped option of a long-running task must
/// not be ignored.
fn known_options(task: &str, args: &[String], known: &[&str]) -> anyhow::Result<()> {
    match args
        .iter()
        .skip(1)
        .find(|a| a.starts_with("--") && !known.contains(&a.as_str()))
    {
        Some(unknown) => bail!(
            "{task} takes {} but not {unknown} (cargo xtask --help)",
            known.join(" and ")
        ),
        None => Ok(()),
    }
}

/// The first argument after the task that is neither an option nor an option's value.
fn positional(args: &[String]) -> Option<&str> {
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--binary" | "--out" | "--listen" | "--ready-file" | "--registry" | "--from" => {
                rest.next();
            }
            a if a.starts_with("--") => {}
            a => return Some(a),
        }
    }
    None
}

/// `cargo xtask module-release VERSION --registry DIR [--from MODULE_DIR]`.
fn module_release(args: &[String]) -> anyhow::Result<()> {
    use xtask::registry::{OUTPOST_CAPACITY, OUTPOST_CAPACITY_SOURCE, Outcome, publish_module};
    known_options("module-release", args, &["--registry", "--from"])?;
    let version = positional(args)
        .context("module-release needs the version: module-release VERSION --registry DIR")?;
    let registry = option(args, "--registry")
        .context("module-release needs the registry directory: --registry DIR")?;
    let from = option(args, "--from")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(OUTPOST_CAPACITY_SOURCE));
    let published = publish_module(Path::new(registry), &OUTPOST_CAPACITY, version, &from)?;
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
    println!("versions in {registry}: {}", published.versions.join(", "));
    Ok(())
}

/// The size of the teams-under-a-rate-limit suite (tests/e2e/teams_load.rs).
struct TeamsLoad {
    teams: u64,
    outposts_per_team: u64,
}

/// The reliability suites at full size, printing their figures, then fuzzing.
fn reliability(
    tasks_per_scenario: u64,
    interruption_runs: u64,
    fuzz_minutes: u64,
    teams_load: TeamsLoad,
) -> anyhow::Result<()> {
    let filter = "test(/^(reliability|interruption|load|teams_load|security|capacity_task_validation)::/) \
                  | test(/^data_sources::bad_arguments/)";
    let status = Command::new(cargo())
        .args([
            "nextest",
            "run",
            "--test",
            "e2e",
            "--no-fail-fast",
            "--no-capture",
            "-E",
            filter,
        ])
        .env(
            "RELIABILITY_TASKS_PER_SCENARIO",
            tasks_per_scenario.to_string(),
        )
        .env("INTERRUPTION_RUNS", interruption_runs.to_string())
        .env("TEAMS_LOAD_TEAMS", teams_load.teams.to_string())
        .env(
            "TEAMS_LOAD_OUTPOSTS",
            teams_load.outposts_per_team.to_string(),
        )
        .current_dir(root())
        .status()
        .context("running cargo nextest")?;
    if !status.success() {
        bail!("a reliability suite failed");
    }
    if fuzz_minutes > 0 {
        fuzz(fuzz_minutes)?;
    }
    Ok(())
}

/// Runs the fuzz tests in rounds of `PROPTEST_CASES=20000` until `minutes` have passed.
/// proptest seeds each round afresh; a failure stops the run with its minimal case.
fn fuzz(minutes: u64) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(minutes * 60);
    let mut rounds = 0u32;
    while std::time::Instant::now() < deadline {
        let status = Command::new(cargo())
            .args([
                "nextest",
                "run",
                "--workspace",
                "--lib",
                "--no-fail-fast",
                "-E",
                "test(/fuzz_/)",
            ])
            .env("PROPTEST_CASES", "20000")
            .current_dir(root())
            .status()
            .context("running cargo nextest")?;
        if !status.success() {
            bail!(
                "a fuzz test failed in round {}: its minimal input is above; make it a regression test",
                rounds + 1
            );
        }
        rounds += 1;
    }
    println!("fuzzing: {rounds} rounds of 20000 cases per test in {minutes} minutes, no failure");
    Ok(())
}

/// `cargo xtask bench`: see xtask/src/bench.
fn bench(quick: bool, runs: usize) -> anyhow::Result<()> {
    use xtask::bench;
    let root = root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let mut build = Command::new(cargo());
    build.args([
        "build",
        "--release",
        "--locked",
        "--bin",
        xtask::release::NAME,
    ]);
    if !quick {
        build.args(["--bin", "outposts-simulator"]);
    }
    let status = build
        .current_dir(&root)
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let provider = target_dir.join("release").join(xtask::release::NAME);
    let binary_bytes = std::fs::metadata(&provider)
        .with_context(|| format!("{} was not built", provider.display()))?
        .len();

    if quick {
        let (startup, _) = bench::measure_startup(&provider, None, bench::STARTUP_RUNS)?;
        let median = startup.times.median();
        println!(
            "start-up to handshake: median {} over {} runs (min {}, max {}); release binary {} bytes",
            bench::stats::show(median),
            startup.times.len(),
            bench::stats::show(startup.times.min()),
            bench::stats::show(startup.times.max()),
            binary_bytes
        );
        let mut regressions = Vec::new();
        if median > bench::GUARD_STARTUP {
            regressions.push(format!(
                "start-up median {} is over the {} guard",
                bench::stats::show(median),
                bench::stats::show(bench::GUARD_STARTUP)
            ));
        }
        if binary_bytes > bench::GUARD_BINARY_BYTES {
            regressions.push(format!(
                "the release binary ({binary_bytes} bytes) is over the {} byte guard",
                bench::GUARD_BINARY_BYTES
            ));
        }
        if !regressions.is_empty() {
            bail!("performance regression: {}", regressions.join("; "));
        }
        return Ok(());
    }

    let incumbent = bench::workspace::find_incumbent()?;
    let terraform = terraform().context("the benchmarks drive the real Terraform CLI")?;
    // The waiting figures: benches/polling.rs on simulated time.
    println!("==> polling (simulated time)");
    let polled = Command::new(cargo())
        .args([
            "bench",
            "--locked",
            "--profile",
            "dev",
            "--package",
            "terraform-provider-outposts",
            "--bench",
            "polling",
        ])
        .current_dir(&root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo bench --bench polling")?;
    if !polled.status.success() {
        bail!("the polling benchmark failed");
    }
    let polling = String::from_utf8_lossy(&polled.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .collect::<Result<Vec<serde_json::Value>, _>>()
        .context("the polling benchmark's output")?;
    let lengths: Vec<u64> = polling
        .iter()
        .filter_map(|l| l["task_s"].as_u64())
        .collect();
    if lengths != [10, 600, 3600, 43200] {
        bail!(
            "the polling benchmark should report tasks of 10 s, 10 min, 60 min and 12 h; it \
             reported {lengths:?}"
        );
    }

    println!("==> start-up");
    let (startup, incumbent_startup) =
        bench::measure_startup(&provider, Some(&incumbent.binary), bench::STARTUP_RUNS)?;
    let tools = bench::workspace::Tools {
        terraform: terraform.clone(),
        provider: provider.clone(),
        simulator: target_dir.join("release").join("outposts-simulator"),
        incumbent: Some(incumbent),
    };
    let (plans, apply) = bench::measure_terraform(&tools, runs, |step| println!("==> {step}"))?;
    let commit = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .current_dir(&root)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let report = bench::Report {
        startup,
        incumbent_startup,
        plans,
        apply: Some(apply),
        polling,
        binary_bytes,
        machine: bench::machine(&terraform),
        date,
        commit,
    };
    let results = report.markdown();
    println!("\n{results}");
    let doc_path = root.join("docs/PERFORMANCE.md");
    let doc = std::fs::read_to_string(&doc_path)
        .with_context(|| format!("reading {}", doc_path.display()))?;
    std::fs::write(&doc_path, bench::splice(&doc, &results)?)?;
    println!("wrote the results to {}", doc_path.display());
    let missed: Vec<String> = report
        .checks()
        .into_iter()
        .filter(|c| !c.met)
        .map(|c| format!("{} (measured {})", c.what, c.measured))
        .collect();
    if !missed.is_empty() {
        bail!("targets missed: {}", missed.join("; "));
    }
    Ok(())
}

/// Builds (unless `binary` is given) and packages a signed release into `out`.
fn release(out: &Path, binary: Option<&str>) -> anyhow::Result<xtask::release::Release> {
    use xtask::release::{Platform, Signer, TARGETS, package};
    let root = root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let host = Platform::host();
    let mut binaries = Vec::new();
    if let Some(binary) = binary {
        binaries.push((host.clone(), PathBuf::from(binary)));
    } else {
        build(&root, None)?;
        binaries.push((
            host.clone(),
            target_dir.join("release").join(xtask::release::NAME),
        ));
        let sysroot = String::from_utf8(
            Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()?
                .stdout,
        )?;
        for (os, arch, triple) in TARGETS {
            let platform = Platform {
                os: os.into(),
                arch: arch.into(),
            };
            if platform == host {
                continue;
            }
            if !Path::new(sysroot.trim())
                .join("lib/rustlib")
                .join(triple)
                .is_dir()
            {
                println!(
                    "skipped {os}/{arch}: the {triple} target is not installed (rustup target add {triple})"
                );
                continue;
            }
            match build(&root, Some(triple)) {
                Ok(()) => {
                    let exe = if os == "windows" { ".exe" } else { "" };
                    binaries.push((
                        platform,
                        target_dir
                            .join(triple)
                            .join("release")
                            .join(format!("{}{exe}", xtask::release::NAME)),
                    ));
                }
                Err(error) => println!("skipped {os}/{arch}: {error:#}"),
            }
        }
    }
    let signer = Signer::from_env_or_throwaway()?;
    if matches!(signer, Signer::Throwaway { .. }) {
        println!("signing with a throwaway RSA key (set GPG_FINGERPRINT to sign with yours)");
    }
    let version = env!("CARGO_PKG_VERSION");
    let built = package(version, &binaries, out, &signer)?;
    for archive in &built.archives {
        println!("{}  {}", archive.h1, archive.path.display());
    }
    println!("{}", built.manifest.display());
    println!("{}", built.sums.display());
    println!("{}", built.signature.display());
    println!("{} (key ID {})", built.public_key.display(), built.key_id());
    Ok(built)
}

/// `cargo build --release` of the provider, for `target` or the host.
fn build(root: &Path, target: Option<&str>) -> anyhow::Result<()> {
    let mut command = Command::new(cargo());
    command
        .args([
            "build",
            "--release",
            "--locked",
            "--bin",
            xtask::release::NAME,
        ])
        .current_dir(root);
    let Some(target) = target else {
        // The host build is the release: show cargo's output as it goes.
        let status = command.status().context("running cargo build --release")?;
        if !status.success() {
            bail!("cargo build --release failed");
        }
        return Ok(());
    };
    command.args(["--target", target]);
    let output = command.output().context("running cargo build --release")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        bail!("cargo build --release failed: {last}");
    }
    Ok(())
}

/// The repository root: xtask lives one level below it.
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn terraform() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("TERRAFORM").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("terraform"))
                .find(|candidate| candidate.is_file())
        })
        .context("the terraform CLI is needed to read the provider schema: install Terraform 1.11+ on PATH or set TERRAFORM")
}

fn docs(check: bool) -> anyhow::Result<()> {
    let root = root();
    let status = Command::new(cargo())
        .args(["build", "--quiet", "--bin", "terraform-provider-outposts"])
        .current_dir(&root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("building the provider failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let schema = xtask::docs::provider_schema(&terraform()?, &target.join("debug"))?;
    let expected = xtask::docs::render_all(&schema, &root.join("examples"));
    let stale = xtask::docs::stale(&root, &expected);
    if check {
        if !stale.is_empty() {
            bail!("docs/ is out of date: {stale:?}; run cargo xtask docs");
        }
        println!("docs/ is up to date ({} files)", expected.len());
        return Ok(());
    }
    for (path, content) in &expected {
        if stale.contains(path) {
            let path = root.join(path);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, content)?;
            println!("wrote {}", path.display());
        }
    }
    if stale.is_empty() {
        println!("docs/ is up to date ({} files)", expected.len());
    }
    Ok(())
}
