//! A Terraform working directory for the benchmarks: providers installed from
//! filesystem mirrors and pinned in a lock file, the way teams install them, and an
//! environment free of the caller's Terraform and AWS settings.

use anyhow::{Context, bail};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest any one terraform command of the benchmarks may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Where the binaries under test are.
pub struct Tools {
    pub terraform: PathBuf,
    /// The release build of this provider.
    pub provider: PathBuf,
    pub simulator: PathBuf,
    /// hashicorp/aws from its filesystem mirror.
    pub incumbent: Option<Incumbent>,
}

/// hashicorp/aws as installed in a filesystem mirror.
pub struct Incumbent {
    pub binary: PathBuf,
    /// The mirror's root (the directory holding `registry.terraform.io/`).
    pub mirror: PathBuf,
    pub version: String,
}

/// The version the incumbent is compared at.
pub const INCUMBENT_VERSION: &str = "5.100.0";

/// Finds hashicorp/aws in a filesystem mirror: `$OUTPOSTS_BENCH_INCUMBENT` if set, else
/// the places Terraform and package managers put mirrors.
pub fn find_incumbent() -> anyhow::Result<Incumbent> {
    let name = format!("terraform-provider-aws_v{INCUMBENT_VERSION}_x5");
    let tail = format!("registry.terraform.io/hashicorp/aws/{INCUMBENT_VERSION}/linux_amd64");
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("OUTPOSTS_BENCH_INCUMBENT_MIRROR") {
        roots.push(dir.into());
    }
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        roots.push(home.join(".terraform.d/plugins"));
        roots.push(home.join(".local/share/terraform/plugins"));
    }
    for root in [
        "/opt/tf-plugins",
        "/opt/terraform/plugins",
        "/usr/local/share/terraform/plugins",
        "/usr/share/terraform/plugins",
    ] {
        roots.push(root.into());
    }
    for root in &roots {
        let binary = root.join(&tail).join(&name);
        if binary.is_file() {
            return Ok(Incumbent {
                binary,
                mirror: root.clone(),
                version: INCUMBENT_VERSION.into(),
            });
        }
    }
    bail!(
        "the incumbent, hashicorp/aws {INCUMBENT_VERSION}, is not installed as a Terraform \
         filesystem mirror: looked for {tail}/{name} under {}. Install it there, or set \
         OUTPOSTS_BENCH_INCUMBENT_MIRROR to the mirror's root directory",
        roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Lays out this provider's release binary as an unpacked filesystem mirror under
/// `dir` and returns the mirror's root.
pub fn provider_mirror(provider: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let version = env!("CARGO_PKG_VERSION");
    let root = dir.join("mirror");
    let platform = root
        .join("registry.terraform.io")
        .join(crate::mirror::NAMESPACE)
        .join(crate::mirror::TYPE)
        .join(version)
        .join("linux_amd64");
    std::fs::create_dir_all(&platform)?;
    let target = platform.join(format!("terraform-provider-outposts_v{version}"));
    std::fs::copy(provider, &target)
        .with_context(|| format!("copying {} into the mirror", provider.display()))?;
    Ok(root)
}

/// One working directory.
pub struct Workspace {
    dir: tempfile::TempDir,
    terraform: PathBuf,
    env: Vec<(String, String)>,
}

/// A command's wall time and what it printed.
pub struct Ran {
    pub wall: Duration,
    pub output: Output,
}

impl Workspace {
    /// A working directory whose CLI configuration installs `outposts-labs/outposts`
    /// from `mirror` and hashicorp/aws from its own mirror.
    pub fn new(tools: &Tools, mirror: &Path, endpoint: &str) -> anyhow::Result<Workspace> {
        let dir = tempfile::tempdir()?;
        let mut config = format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    \
             include = [\"registry.terraform.io/outposts-labs/outposts\"]\n  }}\n",
            mirror.display().to_string()
        );
        if let Some(incumbent) = &tools.incumbent {
            config.push_str(&format!(
                "  filesystem_mirror {{\n    path    = {:?}\n    \
                 include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n",
                incumbent.mirror.display().to_string()
            ));
        }
        config.push_str("}\n");
        let cli_config = dir.path().join("cli.tfrc");
        std::fs::write(&cli_config, config)?;
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home)?;
        let env = vec![
            ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
            ("TF_IN_AUTOMATION", "1".into()),
            ("CHECKPOINT_DISABLE", "1".into()),
            ("HOME", home.display().to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_ACCESS_KEY_ID", "AKIDBENCHACCESSKEY01".into()),
            ("AWS_SECRET_ACCESS_KEY", "bench-secret-key".into()),
            ("AWS_REGION", "us-west-2".into()),
            ("AWS_ENDPOINT_URL_OUTPOSTS", endpoint.into()),
            // Any other AWS call, the incumbent's included, meets a closed loopback
            // port instead of reaching out: none is expected, and none may leave.
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".into()),
        ];
        Ok(Workspace {
            dir,
            terraform: tools.terraform.clone(),
            env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, content: &str) -> anyhow::Result<()> {
        Ok(std::fs::write(self.dir.path().join(name), content)?)
    }

    /// Runs terraform with `args`; fails unless it exits with one of `ok_codes`.
    pub fn run(&self, args: &[&str], ok_codes: &[i32]) -> anyhow::Result<Ran> {
        self.run_logged(args, ok_codes, None)
    }

    /// As [`Workspace::run`], with the provider's DEBUG log written to `log`.
    pub fn run_logged(
        &self,
        args: &[&str],
        ok_codes: &[i32],
        log: Option<&Path>,
    ) -> anyhow::Result<Ran> {
        let mut command = Command::new(&self.terraform);
        command.args(args).current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("TF_") || key.starts_with("AWS_") || key == "CHECKPOINT_DISABLE" {
                command.env_remove(key);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(log) = log {
            command
                .env("TF_LOG_PROVIDER", "DEBUG")
                .env("TF_LOG_PATH", log);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so that a hung run is ended with its providers.
            .process_group(0);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("could not run {}", self.terraform.display()))?;
        // A watchdog, so that a hung run ends the benchmark instead of stalling it.
        let (done, watched) = mpsc::channel::<()>();
        let pid = child.id().to_string();
        let watchdog = std::thread::spawn(move || {
            if watched.recv_timeout(RUN_TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout) {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{pid}")])
                    .status();
                return true;
            }
            false
        });
        let output = child.wait_with_output();
        let wall = started.elapsed();
        let _ = done.send(());
        if watchdog.join().unwrap_or(false) {
            bail!(
                "terraform {} did not finish within {} s in {}",
                args.join(" "),
                RUN_TIMEOUT.as_secs(),
                self.dir.path().display()
            );
        }
        let output = output.context("waiting for terraform")?;
        let code = output.status.code().unwrap_or(-1);
        if !ok_codes.contains(&code) {
            bail!(
                "terraform {} exited with {code} in {}:\n{}{}",
                args.join(" "),
                self.dir.path().display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(Ran { wall, output })
    }
}

/// The largest peak RSS (kB) any provider process logged at exit in the log file `log`.
pub fn logged_peak_rss_kb(log: &Path) -> u64 {
    peak_rss_kb_in_log(&std::fs::read_to_string(log).unwrap_or_default())
}

/// The largest peak RSS (kB) any provider process logged at exit in `log`: the
/// provider logs `peak_rss_kb=N` at DEBUG as it exits.
pub fn peak_rss_kb_in_log(log: &str) -> u64 {
    log.lines()
        .filter(|l| l.contains("provider exiting"))
        .filter_map(|l| {
            let at = l.find("peak_rss_kb=")? + "peak_rss_kb=".len();
            l[at..].split_whitespace().next()?.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_the_largest_any_provider_logged_at_exit() {
        let log = "\
2026-11-27T02:23:06.880Z [DEBUG] provider.terraform-provider-outposts_v0.1.0: provider exiting: @module=provider peak_rss_kb=11744 timestamp=2026-11-27T02:23:06.880Z
2026-11-27T02:23:06.900Z [DEBUG] provider.terraform-provider-outposts_v0.1.0: something else: peak_rss_kb=99999
2026-11-27T02:23:06.958Z [DEBUG] provider.terraform-provider-outposts_v0.1.0: provider exiting: peak_rss_kb=14020 @module=provider
";
        assert_eq!(peak_rss_kb_in_log(log), 14020);
        assert_eq!(peak_rss_kb_in_log(""), 0);
    }
}
