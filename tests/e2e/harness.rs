//! Runs the real `terraform` CLI against the freshly built provider in a temporary
//! directory, and on failure prints everything needed to see why: the command, its
//! directory, stdout, stderr and the provider's log.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The provider binary cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-outposts"))
}

/// A Terraform working directory wired to the local provider build through
/// `dev_overrides`, isolated from the user's AWS and Terraform settings.
pub struct Workspace {
    dir: tempfile::TempDir,
    /// Where terraform runs: the directory itself, or a configuration in a copied tree.
    cwd: PathBuf,
    env: Vec<(String, String)>,
}

/// The provider's address in the platform team's private registry, which the shared
/// module and the team configurations require.
pub const PRIVATE_PROVIDER: &str = "registry.platform.internal/outposts-labs/outposts";

pub const REQUIRED_PROVIDERS: &str = r#"
terraform {
  required_providers {
    outposts = { source = "outposts-labs/outposts" }
  }
}
"#;

impl Workspace {
    /// A workspace whose `main.tf` is `config` after the `required_providers` block.
    pub fn new(config: &str) -> Workspace {
        let workspace = Workspace::empty();
        workspace.write("main.tf", &format!("{REQUIRED_PROVIDERS}\n{config}"));
        workspace
    }

    /// A workspace holding a copy of the directory `tree` (e.g. the repository's
    /// `examples/`), in which terraform runs in `subdir` of the copy: configurations
    /// that reach modules by relative paths keep working.
    pub fn copy_of(tree: &Path, subdir: &str) -> Workspace {
        let mut workspace = Workspace::empty();
        let copy = workspace.dir.path().join("tree");
        copy_tree(tree, &copy);
        workspace.cwd = copy.join(subdir);
        assert!(
            workspace.cwd.is_dir(),
            "{subdir} is not a directory of {}",
            tree.display()
        );
        workspace
    }

    fn empty() -> Workspace {
        let dir = test_support::scratch_dir();
        let provider_dir = provider_binary()
            .parent()
            .expect("provider binary has a directory")
            .to_path_buf();
        let cli_config = dir.path().join("cli.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \
                 \"registry.terraform.io/outposts-labs/outposts\" = {dir:?}\n    \
                 \"{PRIVATE_PROVIDER}\" = {dir:?}\n  }}\n  direct {{}}\n}}\n",
                dir = provider_dir.display().to_string()
            ),
        )
        .expect("write CLI config");
        Workspace {
            env: vec![
                (
                    "TF_CLI_CONFIG_FILE".into(),
                    cli_config.display().to_string(),
                ),
                ("TF_IN_AUTOMATION".into(), "1".into()),
                ("CHECKPOINT_DISABLE".into(), "1".into()),
                ("TF_LOG_PROVIDER".into(), "DEBUG".into()),
                (
                    "TF_LOG_PATH".into(),
                    dir.path().join("terraform.log").display().to_string(),
                ),
                ("HOME".into(), dir.path().display().to_string()),
                ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
                ("AWS_ACCESS_KEY_ID".into(), "AKIDTESTACCESSKEY01".into()),
                ("AWS_SECRET_ACCESS_KEY".into(), "test-secret-key".into()),
                ("AWS_REGION".into(), "us-west-2".into()),
            ],
            cwd: dir.path().to_path_buf(),
            dir,
        }
    }

    /// The directory terraform runs in.
    pub fn path(&self) -> &Path {
        &self.cwd
    }

    /// Writes a file in the directory terraform runs in.
    pub fn write(&self, name: &str, content: &str) {
        std::fs::write(self.cwd.join(name), content).expect("write file");
    }

    /// Sets (or overrides) an environment variable for every later command.
    /// Writes the Terraform CLI configuration `text` as `file` in the workspace and
    /// points `TF_CLI_CONFIG_FILE` at it.
    pub fn use_cli_config(&mut self, file: &str, text: &str) {
        let path = self.path().join(file);
        std::fs::write(&path, text).expect("write CLI config");
        self.set_env("TF_CLI_CONFIG_FILE", &path.display().to_string());
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    pub fn remove_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    /// The terraform command, with an environment free of the caller's Terraform and
    /// AWS settings.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.program(test_support::terraform_binary());
        command.args(args);
        command
    }

    /// Another program (a script of the examples, say) run in this workspace with
    /// the same environment as terraform, and `TERRAFORM` naming the terraform binary.
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.cwd);
        test_support::isolate_env(&mut command, &[]);
        command.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command.env("TERRAFORM", test_support::terraform_binary());
        command
    }

    /// Runs terraform and returns its output whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("could not run terraform {args:?}: {e}"));
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            dir: self.dir.path().to_path_buf(),
            output,
        }
    }

    /// Runs a script with bash in this workspace, whatever its exit status.
    pub fn script(&self, script: &Path, args: &[&str]) -> Run {
        let output = self
            .program("bash")
            .arg(script)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("could not run bash {}: {e}", script.display()));
        Run {
            args: std::iter::once(script.display().to_string())
                .chain(args.iter().map(|a| a.to_string()))
                .collect(),
            dir: self.dir.path().to_path_buf(),
            output,
        }
    }

    /// Runs terraform and requires success.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        if !run.output.status.success() {
            panic!("expected success\n{}", run.report());
        }
        run
    }

    /// `plan -detailed-exitcode`, which must say "no changes" (exit 0); `why` heads the
    /// failure.
    pub fn assert_no_changes(&self, why: &str) -> Run {
        let run = self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        assert_eq!(
            run.output.status.code(),
            Some(0),
            "{why}: the plan is not empty\n{}",
            run.report()
        );
        run
    }

    /// Runs terraform and requires failure.
    pub fn fails(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        if run.output.status.success() {
            panic!("expected failure\n{}", run.report());
        }
        run
    }
}

/// One finished terraform command.
pub struct Run {
    args: Vec<String>,
    dir: PathBuf,
    pub output: Output,
}

impl Run {
    /// The directory terraform ran in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The Terraform and provider log written during this workspace's commands.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("terraform.log")).unwrap_or_default()
    }

    /// Everything a developer needs to see when a test fails.
    pub fn report(&self) -> String {
        let log = self.log();
        let provider_lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("provider.terraform-provider-outposts") || l.contains("[ERROR]"))
            .collect();
        format!(
            "command: terraform {}\ncwd: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- provider log ---\n{}",
            self.args.join(" "),
            self.dir.display(),
            self.output.status,
            self.stdout(),
            self.stderr(),
            provider_lines.join("\n")
        )
    }

    /// Asserts that stdout or stderr contains `needle`, showing everything when not.
    /// Runs of white space match any white space: Terraform wraps long messages.
    pub fn assert_mentions(&self, needle: &str) -> &Self {
        let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let needle = squeeze(needle);
        let found = [self.stdout(), self.stderr()]
            .iter()
            .any(|text| squeeze(text).contains(&needle));
        if !found {
            panic!(
                "expected the output to mention {needle:?}\n{}",
                self.report()
            );
        }
        self
    }
}

/// Copies the files of `from` into `to`, recursively, leaving out Terraform's own
/// working files (`.terraform`, state, lock files) a developer may have there.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory").flatten() {
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if name_text == ".terraform"
            || name_text.starts_with("terraform.tfstate")
            || name_text == ".terraform.lock.hcl"
        {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy file");
        }
    }
}
