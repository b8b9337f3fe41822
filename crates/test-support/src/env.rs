//! A child's environment without the caller's settings.

use std::ffi::OsString;
use std::process::Command;

/// The prefixes of the variables by which a caller configures Terraform (`TF_`) and the
/// AWS SDKs and CLI (`AWS_`).
pub const CALLER_SETTINGS: [&str; 2] = ["TF_", "AWS_"];

/// Removes from `command`'s environment every variable of this process whose name
/// begins with one of `prefixes` (`PG` for PostgreSQL's settings, say).
pub fn remove_env_starting_with<'c>(
    command: &'c mut Command,
    prefixes: &[&str],
) -> &'c mut Command {
    for name in starting_with(std::env::vars_os().map(|(name, _)| name), prefixes) {
        command.env_remove(name);
    }
    command
}

/// Frees `command`'s environment of the caller's Terraform and AWS settings: every
/// variable of this process whose name begins with one of [`CALLER_SETTINGS`] or of
/// `also` is removed. `CHECKPOINT_DISABLE=1` is set, so that Terraform never calls
/// HashiCorp's checkpoint service: tests never reach the internet. Set what the test
/// needs after this call.
pub fn isolate_env<'c>(command: &'c mut Command, also: &[&str]) -> &'c mut Command {
    let prefixes: Vec<&str> = CALLER_SETTINGS.iter().chain(also).copied().collect();
    remove_env_starting_with(command, &prefixes).env("CHECKPOINT_DISABLE", "1")
}

/// The names among `names` that begin with one of `prefixes`; names that are not
/// Unicode count too.
fn starting_with(names: impl IntoIterator<Item = OsString>, prefixes: &[&str]) -> Vec<OsString> {
    names
        .into_iter()
        .filter(|name| {
            prefixes
                .iter()
                .any(|prefix| name.as_encoded_bytes().starts_with(prefix.as_bytes()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStringExt;

    #[test]
    fn names_are_matched_by_prefix_unicode_or_not() {
        let names = [
            "TF_LOG",
            "AWS_PROFILE",
            "PGHOST",
            "HOME",
            "TFX",
            "aws_lower",
        ]
        .map(OsString::from)
        .into_iter()
        .chain([OsString::from_vec(b"TF_\xff".to_vec())]);
        assert_eq!(
            starting_with(names, &["TF_", "AWS_", "PG"]),
            [
                OsString::from("TF_LOG"),
                OsString::from("AWS_PROFILE"),
                OsString::from("PGHOST"),
                OsString::from_vec(b"TF_\xff".to_vec()),
            ]
        );
    }

    #[test]
    fn an_isolated_command_has_the_checkpoint_service_off_and_keeps_what_is_set_later() {
        let mut command = Command::new("true");
        isolate_env(&mut command, &["PG"]).env("TF_IN_AUTOMATION", "1");
        let envs: Vec<(&OsStr, Option<&OsStr>)> = command.get_envs().collect();
        assert!(
            envs.contains(&(OsStr::new("CHECKPOINT_DISABLE"), Some(OsStr::new("1")))),
            "{envs:?}"
        );
        assert!(
            envs.contains(&(OsStr::new("TF_IN_AUTOMATION"), Some(OsStr::new("1")))),
            "{envs:?}"
        );
        // Whatever this process has of the caller's settings is removed.
        for (name, _) in std::env::vars_os() {
            let bytes = name.as_encoded_bytes();
            if (bytes.starts_with(b"AWS_") || bytes.starts_with(b"PG"))
                && name != "TF_IN_AUTOMATION"
            {
                assert!(envs.contains(&(name.as_os_str(), None)), "{name:?} kept");
            }
        }
    }
}
