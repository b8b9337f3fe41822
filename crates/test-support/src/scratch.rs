//! Scratch directories.

use tempfile::TempDir;

/// A new, empty directory under the system's temporary directory (`$TMPDIR`, else
/// `/tmp`), removed with everything in it when the returned value is dropped. Its name
/// begins with the running test's name (the name of the thread libtest runs it on),
/// so a directory left behind, by a killed run say, tells which test made it.
///
/// # Panics
///
/// When the directory cannot be made: the message names where, and `TMPDIR`.
pub fn scratch_dir() -> TempDir {
    let thread = std::thread::current();
    let prefix = prefix(thread.name());
    tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir()
        .unwrap_or_else(|e| {
            panic!(
                "could not make a scratch directory in {}: {e}; set TMPDIR to a writable \
                 directory",
                std::env::temp_dir().display()
            )
        })
}

/// The start of a scratch directory's name for a test (thread) named `test`: its last
/// path segment, in file-name-safe characters, no longer than 24 bytes. Short, because
/// Unix sockets are made in scratch directories (PostgreSQL's, say) and a socket's path
/// may not be longer than 107 bytes.
fn prefix(test: Option<&str>) -> String {
    let name = test
        .filter(|name| *name != "main")
        .and_then(|name| name.rsplit("::").next())
        .unwrap_or("scratch");
    let mut prefix: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(24)
        .collect();
    prefix.push('-');
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_directory_is_empty_named_after_its_test_and_removed_on_drop() {
        let dir = scratch_dir();
        let path = dir.path().to_path_buf();
        assert!(path.is_dir());
        assert_eq!(std::fs::read_dir(&path).expect("read it").count(), 0);
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        // nextest and cargo test run a test on a thread named after it.
        if std::thread::current().name() != Some("main") {
            assert!(name.starts_with("a_scratch_directory_is_e-"), "{name}");
        }
        std::fs::write(path.join("file"), "x").expect("write in it");
        drop(dir);
        assert!(!path.exists(), "{} was not removed", path.display());
    }

    #[test]
    fn prefixes_are_the_tests_own_name_in_safe_characters() {
        assert_eq!(prefix(Some("teams::the_walkthrough")), "the_walkthrough-");
        assert_eq!(prefix(Some("odd name/x")), "odd-name-x-");
        assert_eq!(prefix(Some("main")), "scratch-");
        assert_eq!(prefix(None), "scratch-");
        assert_eq!(prefix(Some(&"a".repeat(80))).len(), 25);
    }
}
