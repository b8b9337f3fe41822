//! The README's first command, `examples/quickstart/run.sh`, run as a user runs it
//! (with the binaries of this build, so it does not build again).

use std::process::Command;
use test_support::{isolate_env, terraform_binary, workspace_binary};

#[test]
fn the_quickstart_applies_a_capacity_task_against_the_simulator() {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/run.sh");
    let mut command = Command::new("bash");
    command.arg(&script);
    isolate_env(&mut command, &[]);
    let output = command
        .env("TERRAFORM", terraform_binary())
        .env(
            "PROVIDER_BIN",
            env!("CARGO_BIN_EXE_terraform-provider-outposts"),
        )
        .env("SIMULATOR_BIN", workspace_binary("outposts-simulator"))
        .output()
        .expect("run the quickstart");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = format!(
        "command: bash {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        script.display()
    );
    assert!(output.status.success(), "quickstart failed\n{report}");
    for expected in [
        "Apply complete! Resources: 1 added",
        "status = \"COMPLETED\"",
        "no changes",
        "==> done",
    ] {
        assert!(
            stdout.contains(expected),
            "quickstart output lacks {expected:?}\n{report}"
        );
    }
}
