//! Signals to the processes a test starts.

use std::process::Command;

/// Sends `signal` (a name without `SIG`: `"INT"`, `"TERM"`, `"KILL"`) to the process
/// `pid`, or with `group` to the process group it leads, with `kill(1)`. The
/// `-s SIG -- TARGET` form keeps `kill` from reading a group (`-PID`) as an option.
///
/// # Panics
///
/// For `pid` 0 or 1 (`kill -- -1` would signal every process the test may signal), when
/// `kill` cannot be run, or when it fails (no such process, say).
pub fn send_signal(pid: u32, signal: &str, group: bool) {
    assert!(pid > 1, "refusing to signal pid {pid}");
    let target = if group {
        format!("-{pid}")
    } else {
        pid.to_string()
    };
    let status = Command::new("kill")
        .args(["-s", signal, "--", &target])
        .status()
        .unwrap_or_else(|e| panic!("could not run kill (procps or util-linux, on PATH): {e}"));
    assert!(status.success(), "kill -s {signal} -- {target} failed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_and_a_process_group_are_signalled() {
        use std::os::unix::process::CommandExt;
        for group in [false, true] {
            let mut sleeper = Command::new("sleep");
            sleeper.arg("30");
            if group {
                sleeper.process_group(0);
            }
            let mut child = sleeper.spawn().expect("start sleep");
            send_signal(child.id(), "TERM", group);
            let status = child.wait().expect("wait for sleep");
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(15), "group {group}: {status:?}");
        }
    }

    #[test]
    #[should_panic(expected = "refusing to signal pid 1")]
    fn init_and_every_process_are_never_signalled() {
        send_signal(1, "TERM", true);
    }
}
