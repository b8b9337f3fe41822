//! The structure ARCHITECTURE.md promises ("Invariants"), checked on the source tree:
//!
//! - the AWS crates are used only by the client layer (`src/outposts`) and the provider
//!   configuration (`src/provider`);
//! - the data sources use nothing of the resources (`src/data_sources` never names
//!   `crate::resources`): what they share lives in `src/layout` and `src/checks.rs`;
//! - `tfplugin` has no AWS or Outposts dependency, code or string (rustls' aws-lc-rs
//!   crypto provider is not AWS);
//! - the provider never links the simulator: it is no more than a dev-dependency;
//! - `test-support` is only ever a dev-dependency, of any package;
//! - no source file is longer than [`MAX_LINES`] lines.
//!
//! Each failure names the file and line of every violation. Known violations that are
//! being worked on are listed in allow-lists below; an entry that no longer matches
//! anything fails too, so each list only ever shrinks. `source.rs` reads the tree: Rust
//! files taken apart into code and strings, and Cargo manifests.

mod source;

use source::{dependencies, lex, read, relative, rust_files, words};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The longest a source file may be.
const MAX_LINES: usize = 600;

/// Source files longer than [`MAX_LINES`] today, each with its length now as a ceiling:
/// a file may shrink, not grow. Remove an entry once its file is split.
const LONG_FILES: &[(&str, usize)] = &[
    ("crates/outposts-simulator/src/sigv4.rs", 612),
    ("crates/tfplugin/src/value/tests.rs", 622),
    ("tests/e2e/explanations.rs", 609),
    ("tests/e2e/teams.rs", 638),
];

/// String literals in `crates/tfplugin/src` allowed to speak of Outposts or AWS, as
/// (file, part of the literal): none. An entry that no longer matches fails the test.
const TFPLUGIN_PROVIDER_STRINGS: &[(&str, &str)] = &[];

#[test]
fn tidy_aws_crates_are_used_only_by_the_client_layer_and_the_provider_configuration() {
    let crates = aws_crates();
    assert!(
        crates.contains("aws_sdk_outposts"),
        "no AWS crates found in Cargo.lock: {crates:?}"
    );
    let mut found = Vec::new();
    let root = Path::new(ROOT);
    for file in rust_files(root, "src") {
        let relative = relative(root, &file);
        if relative.starts_with("src/outposts/") || relative.starts_with("src/provider/") {
            continue;
        }
        for (line, code) in lex(&read(&file)).code.iter().enumerate() {
            for word in words(code).filter(|w| crates.contains(*w)) {
                found.push(format!(
                    "{relative}:{}: uses the AWS crate `{word}`; only src/outposts and \
                     src/provider may",
                    line + 1
                ));
            }
        }
    }
    report(
        "AWS crates outside src/outposts and src/provider",
        found,
        Vec::new(),
    );
}

#[test]
fn tidy_the_data_sources_use_nothing_of_the_resources() {
    let root = Path::new(ROOT);
    let mut found = Vec::new();
    for file in rust_files(root, "src/data_sources") {
        let relative = relative(root, &file);
        for line in names_the_resources(&read(&file)) {
            found.push(format!(
                "{relative}:{line}: uses `crate::resources`; what a data source shares with \
                 a resource belongs in src/layout or src/checks.rs"
            ));
        }
    }
    report("data sources using the resources", found, Vec::new());
}

#[test]
fn tidy_the_resources_check_sees_every_spelling_of_the_path() {
    let source = "use crate::resources::capacity_task::schema;\n\
                  use crate::{checks, resources::capacity_task};\n\
                  use super::super :: resources::x;\n\
                  // crate::resources::in_a_comment\n\
                  let resources = \"crate::resources\";\n\
                  use crate::layout::resources_of;\n";
    assert_eq!(names_the_resources(source), [1, 2, 3]);
}

/// The lines (1-based) whose code names a module `resources` in a path
/// (`crate::resources::…`, `crate::{…, resources::…}`), comments and strings left out.
fn names_the_resources(source: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (line, code) in lex(source).code.iter().enumerate() {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let in_path = code.match_indices("resources").any(|(at, word)| {
            let before = &code[..at];
            let after = &code[at + word.len()..];
            let whole = !before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
                && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
            whole && (before.ends_with("::") || after.starts_with("::"))
        });
        if in_path {
            lines.push(line + 1);
        }
    }
    lines
}

#[test]
fn tidy_tfplugin_knows_nothing_of_outposts_or_aws() {
    let (found, stale) =
        tfplugin_violations(Path::new(ROOT), &aws_crates(), TFPLUGIN_PROVIDER_STRINGS);
    report("Outposts or AWS in crates/tfplugin", found, stale);
}

/// Writes `text` to `path` under `root`, making its folders: a made-up workspace.
fn write_file(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
    std::fs::write(path, text).expect("write a file");
}

/// The tfplugin check on a made-up tfplugin with one violation of each kind.
#[test]
fn tidy_tfplugin_check_names_each_kind_of_violation() {
    let root = test_support::scratch_dir();
    let write = |path: &str, text: &str| write_file(root.path(), path, text);
    write(
        "crates/tfplugin/Cargo.toml",
        "[dependencies]\nrustls = \"0.23\"\naws-config = \"1\"\naws-lc-rs = \"1\"\n",
    );
    write(
        "crates/tfplugin/src/lib.rs",
        concat!(
            "//! Docs may name outposts_region as an example.\n",
            "pub fn region() -> Option<aws_types::region::Region> { None }\n",
            "pub struct OutpostsThing;\n",
            "pub const DIR: &str = \"plugin-outposts-1\";\n",
            "pub const CRYPTO: &str = \"aws_lc_rs\";\n",
        ),
    );
    let crates = ["aws_config", "aws_types"].map(String::from).into();
    let known: &[(&str, &str)] = &[
        ("crates/tfplugin/src/lib.rs", "plugin-outposts-"),
        ("crates/tfplugin/src/gone.rs", "removed"),
    ];
    let always = [
        "crates/tfplugin/Cargo.toml:3: [dependencies] names the AWS crate `aws-config`",
        "crates/tfplugin/src/lib.rs:2: uses the AWS crate `aws_types`",
        "crates/tfplugin/src/lib.rs:3: names `OutpostsThing` in code",
    ];
    let (found, stale) = tfplugin_violations(root.path(), &crates, known);
    assert_eq!(found, always);
    assert_eq!(
        stale,
        [
            "crates/tfplugin/src/gone.rs: no string holds \"removed\" any more: remove it from \
          TFPLUGIN_PROVIDER_STRINGS"
        ]
    );
    let (found, stale) = tfplugin_violations(root.path(), &crates, &[]);
    let mut expected = always.map(String::from).to_vec();
    expected.push(
        "crates/tfplugin/src/lib.rs:4: the string \"plugin-outposts-1\" speaks of Outposts or AWS"
            .to_string(),
    );
    assert_eq!(found, expected);
    assert!(stale.is_empty(), "{stale:?}");
    assert!(speaks_of_outposts_or_aws("cannot call AWS."));
    assert!(speaks_of_outposts_or_aws("plugin-outposts-1"));
    assert!(!speaks_of_outposts_or_aws("aws-lc-rs and aws_lc_rs"));
    assert!(!speaks_of_outposts_or_aws("laws and jaws"));
}

/// What in `root`'s crates/tfplugin names AWS or Outposts: its manifest's dependencies,
/// its code, and its string literals but those `known` as (file, part of the literal).
/// Returns the violations and the `known` entries that match nothing.
fn tfplugin_violations(
    root: &Path,
    crates: &BTreeSet<String>,
    known: &[(&str, &str)],
) -> (Vec<String>, Vec<String>) {
    let mut found = Vec::new();
    let mut allowed = vec![false; known.len()];

    let manifest = "crates/tfplugin/Cargo.toml";
    for (line, table, name) in dependencies(&read(&root.join(manifest))) {
        if name.starts_with("outposts") || name == "terraform-provider-outposts" {
            found.push(format!("{manifest}:{line}: [{table}] names `{name}`"));
        } else if name.starts_with("aws-") && !name.starts_with("aws-lc") {
            found.push(format!(
                "{manifest}:{line}: [{table}] names the AWS crate `{name}`"
            ));
        }
    }

    for file in rust_files(root, "crates/tfplugin/src") {
        let relative = relative(root, &file);
        let lexed = lex(&read(&file));
        for (line, code) in lexed.code.iter().enumerate() {
            let line = line + 1;
            for word in words(code) {
                if crates.contains(word) {
                    found.push(format!("{relative}:{line}: uses the AWS crate `{word}`"));
                } else if word.to_lowercase().contains("outpost") {
                    found.push(format!("{relative}:{line}: names `{word}` in code"));
                }
            }
        }
        for (line, text) in &lexed.strings {
            if !speaks_of_outposts_or_aws(text) {
                continue;
            }
            match known
                .iter()
                .position(|(f, part)| *f == relative && text.contains(part))
            {
                Some(entry) => allowed[entry] = true,
                None => found.push(format!(
                    "{relative}:{line}: the string {text:?} speaks of Outposts or AWS"
                )),
            }
        }
    }
    let stale = known
        .iter()
        .zip(allowed)
        .filter(|(_, seen)| !seen)
        .map(|((file, part), _)| {
            format!(
                "{file}: no string holds {part:?} any more: remove it from \
                 TFPLUGIN_PROVIDER_STRINGS"
            )
        })
        .collect();
    (found, stale)
}

#[test]
fn tidy_the_provider_never_links_the_simulator() {
    let manifest = "Cargo.toml";
    let text = read(&Path::new(ROOT).join(manifest));
    let found = dependencies(&text)
        .into_iter()
        .filter(|(_, table, _)| !table.ends_with("dev-dependencies"))
        .filter(|(line, _, name)| {
            let written = text.lines().nth(line - 1).unwrap_or_default();
            name.replace('_', "-") == "outposts-simulator"
                || written.contains("outposts-simulator")
                || written.contains("outposts_simulator")
        })
        .map(|(line, table, name)| {
            format!(
                "{manifest}:{line}: [{table}] names `{name}`; the simulator may only be a \
                 dev-dependency"
            )
        })
        .collect();
    report(
        "the simulator among the provider's dependencies",
        found,
        Vec::new(),
    );
}

#[test]
fn tidy_test_support_is_only_ever_a_dev_dependency() {
    let root = Path::new(ROOT);
    assert!(
        root.join("crates/test-support/Cargo.toml").is_file(),
        "crates/test-support/Cargo.toml not found"
    );
    report(
        "test-support outside dev-dependencies",
        test_support_outside_dev_dependencies(root),
        Vec::new(),
    );
}

/// The check on a made-up workspace: each way of naming it outside dev-dependencies.
#[test]
fn tidy_test_support_check_names_each_dependency_on_it() {
    let root = test_support::scratch_dir();
    let write = |path: &str, text: &str| write_file(root.path(), path, text);
    write(
        "Cargo.toml",
        "[workspace.dependencies]\ntest-support = { path = \"crates/test-support\" }\n\
         [dependencies]\ntest-support.workspace = true\n",
    );
    write(
        "xtask/Cargo.toml",
        "[dev-dependencies]\ntest-support.workspace = true\n",
    );
    write(
        "crates/a/Cargo.toml",
        "[dependencies.test-support]\npath = \"../t\"\n",
    );
    write(
        "crates/b/Cargo.toml",
        "[build-dependencies]\nhelp = { path = \"../t\", package = \"test-support\" }\n",
    );
    write(
        "crates/test-support/Cargo.toml",
        "[dependencies]\ntempfile = \"3\"\n",
    );
    assert_eq!(
        test_support_outside_dev_dependencies(root.path()),
        [
            "Cargo.toml:4: [dependencies] names `test-support`; it may only be a dev-dependency",
            "crates/a/Cargo.toml:1: [dependencies.test-support] names `test-support`; it may \
             only be a dev-dependency",
            "crates/b/Cargo.toml:2: [build-dependencies] names `help`; it may only be a \
             dev-dependency",
        ]
    );
}

/// Where the manifests of `root`'s workspace (the root's, xtask's and each of
/// `crates/`) name `test-support` in a table other than dev-dependencies.
fn test_support_outside_dev_dependencies(root: &Path) -> Vec<String> {
    let mut manifests = vec!["Cargo.toml".to_string(), "xtask/Cargo.toml".to_string()];
    let mut crates: Vec<String> = std::fs::read_dir(root.join("crates"))
        .expect("read crates/")
        .flatten()
        .map(|entry| format!("crates/{}/Cargo.toml", entry.file_name().to_string_lossy()))
        .collect();
    crates.sort();
    manifests.extend(crates);
    let mut found = Vec::new();
    for manifest in manifests.iter().filter(|m| root.join(m).is_file()) {
        let text = read(&root.join(manifest));
        for (line, table, name) in dependencies(&text) {
            let written = text.lines().nth(line - 1).unwrap_or_default();
            let names_it = name.replace('_', "-") == "test-support"
                || written.contains("test-support")
                || written.contains("test_support");
            if names_it && !table.ends_with("dev-dependencies") {
                found.push(format!(
                    "{manifest}:{line}: [{table}] names `{name}`; it may only be a \
                     dev-dependency"
                ));
            }
        }
    }
    found
}

#[test]
fn tidy_no_source_file_is_over_600_lines() {
    let mut found = Vec::new();
    let mut seen = vec![false; LONG_FILES.len()];
    let root = Path::new(ROOT);
    for file in rust_files(root, "") {
        let relative = relative(root, &file);
        let lines = read(&file).lines().count();
        let known = LONG_FILES.iter().position(|(f, _)| *f == relative);
        if let Some(entry) = known {
            seen[entry] = true;
        }
        match known.map(|entry| LONG_FILES[entry].1) {
            _ if lines <= MAX_LINES => {}
            Some(ceiling) if lines <= ceiling => {}
            Some(ceiling) => found.push(format!(
                "{relative}:{}: {lines} lines, and it may not grow past {ceiling} (LONG_FILES)",
                ceiling + 1
            )),
            None => found.push(format!(
                "{relative}:{}: {lines} lines, over {MAX_LINES}",
                MAX_LINES + 1
            )),
        }
    }
    let mut stale = Vec::new();
    for ((file, _), seen) in LONG_FILES.iter().zip(seen) {
        let lines = std::fs::read_to_string(Path::new(ROOT).join(file))
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if !seen || lines <= MAX_LINES {
            stale.push(format!(
                "{file}: {lines} lines now: remove it from LONG_FILES"
            ));
        }
    }
    report(
        &format!("source files over {MAX_LINES} lines"),
        found,
        stale,
    );
}

/// Fails with every violation, one a line, and the allow-list entries to remove.
fn report(what: &str, found: Vec<String>, stale: Vec<String>) {
    if found.is_empty() && stale.is_empty() {
        return;
    }
    let mut message = String::new();
    if !found.is_empty() {
        let _ = writeln!(message, "{what} ({}):", found.len());
        for line in &found {
            let _ = writeln!(message, "  {line}");
        }
    }
    if !stale.is_empty() {
        let _ = writeln!(message, "allow-list entries that no longer apply:");
        for line in &stale {
            let _ = writeln!(message, "  {line}");
        }
    }
    panic!("{message}");
}

/// The Rust names of the AWS crates in Cargo.lock (`aws-sdk-sts` → `aws_sdk_sts`),
/// without aws-lc, the crypto library rustls uses.
fn aws_crates() -> BTreeSet<String> {
    read(&Path::new(ROOT).join("Cargo.lock"))
        .lines()
        .filter_map(|line| line.strip_prefix("name = \"aws-"))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| !name.starts_with("lc-"))
        .map(|name| format!("aws_{}", name.replace('-', "_")))
        .collect()
}

/// Whether a string literal speaks of Outposts or AWS (aws-lc is not AWS).
fn speaks_of_outposts_or_aws(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("outpost")
        || lower.match_indices("aws").any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let after = &lower[at + 3..];
            !before.is_some_and(char::is_alphanumeric)
                && !after.starts_with(char::is_alphanumeric)
                && !after.starts_with("-lc")
                && !after.starts_with("_lc")
        })
}
