//! The Terraform CLI the tests drive.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The Terraform version the workspace's tests need (the end-to-end tests and the
/// quickstart; README "Requirements").
const REQUIRED: &str = "Terraform 1.11 or later";

/// The `terraform` CLI: `$TERRAFORM` when it is set and not empty (a path, or a name
/// looked up on `PATH`), else the first executable `terraform` on `PATH`.
///
/// # Panics
///
/// When `$TERRAFORM` names no executable file, or it is unset and `PATH` holds no
/// `terraform`: the message says what to install or set.
pub fn terraform_binary() -> PathBuf {
    find(
        std::env::var_os("TERRAFORM").as_deref(),
        std::env::var_os("PATH").as_deref(),
    )
    .unwrap_or_else(|missing| panic!("{missing}"))
}

/// [`terraform_binary`] for the given values of `TERRAFORM` and `PATH`: the binary, or
/// what is missing.
fn find(terraform: Option<&OsStr>, path: Option<&OsStr>) -> Result<PathBuf, String> {
    let on_path = |name: &OsStr| {
        path.into_iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate))
    };
    let searched = || {
        let dirs: Vec<String> = path
            .into_iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.display().to_string())
            .collect();
        if dirs.is_empty() {
            "PATH is empty".to_string()
        } else {
            format!("searched PATH: {}", dirs.join(":"))
        }
    };
    match terraform.filter(|t| !t.is_empty()) {
        Some(named) if Path::new(named).components().count() > 1 => {
            let named = PathBuf::from(named);
            if is_executable(&named) {
                Ok(named)
            } else {
                Err(format!(
                    "TERRAFORM={} is not an executable file: point it at the terraform CLI \
                     ({REQUIRED}), or unset it to use terraform on PATH",
                    named.display()
                ))
            }
        }
        Some(name) => on_path(name).ok_or_else(|| {
            format!(
                "TERRAFORM={} names no executable on PATH ({}): point it at the terraform \
                 CLI ({REQUIRED}), or unset it to use terraform on PATH",
                name.to_string_lossy(),
                searched()
            )
        }),
        None => on_path(OsStr::new("terraform")).ok_or_else(|| {
            format!(
                "these tests drive the terraform CLI, which was not found ({}): install \
                 {REQUIRED} on PATH, or set TERRAFORM=/path/to/terraform",
                searched()
            )
        }),
    }
}

/// A file someone may execute (on Unix, any execute bit set).
fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// Two PATH directories: `plain/terraform` is not executable, `bin/terraform` is.
    fn layout() -> (tempfile::TempDir, PathBuf, std::ffi::OsString) {
        let root = tempfile::tempdir().expect("temporary directory");
        let plain = root.path().join("plain");
        let bin = root.path().join("bin");
        for dir in [&plain, &bin] {
            std::fs::create_dir(dir).expect("create a directory");
            std::fs::write(dir.join("terraform"), "#!/bin/sh\n").expect("write a file");
        }
        let executable = bin.join("terraform");
        std::fs::set_permissions(&executable, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let path = std::env::join_paths([root.path().join("none"), plain, bin]).expect("PATH");
        (root, executable, path)
    }

    #[test]
    fn the_first_executable_terraform_on_path_is_found() {
        let (_root, executable, path) = layout();
        assert_eq!(find(None, Some(&path)), Ok(executable.clone()));
        // An empty TERRAFORM is as good as none.
        assert_eq!(find(Some(OsStr::new("")), Some(&path)), Ok(executable));
    }

    #[test]
    fn terraform_names_a_path_or_a_program_on_path() {
        let (root, executable, path) = layout();
        assert_eq!(
            find(Some(executable.as_os_str()), None),
            Ok(executable.clone())
        );
        assert_eq!(
            find(Some(OsStr::new("terraform")), Some(&path)),
            Ok(executable)
        );
        let plain = root.path().join("plain/terraform");
        let refused = find(Some(plain.as_os_str()), Some(&path)).expect_err("not executable");
        assert!(
            refused.contains("is not an executable file") && refused.contains("unset it"),
            "{refused}"
        );
        let refused =
            find(Some(OsStr::new("terraform-1.11")), Some(&path)).expect_err("not on PATH");
        assert!(refused.contains("names no executable on PATH"), "{refused}");
    }

    #[test]
    fn a_missing_terraform_says_what_to_install_and_where_it_looked() {
        let (root, _, _) = layout();
        let path = std::env::join_paths([root.path().join("plain")]).expect("PATH");
        let missing = find(None, Some(&path)).expect_err("no executable terraform");
        assert!(
            missing.contains("install Terraform 1.11 or later on PATH")
                && missing.contains("TERRAFORM=/path/to/terraform")
                && missing.contains(&root.path().join("plain").display().to_string()),
            "{missing}"
        );
        let missing = find(None, None).expect_err("no PATH");
        assert!(missing.contains("PATH is empty"), "{missing}");
    }
}
