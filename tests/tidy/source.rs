//! Reading the source tree for the tidy checks: Rust files taken apart into code,
//! strings and comments, Cargo manifests read table by table, and the files themselves.

use std::path::{Path, PathBuf};

/// The dependencies a Cargo manifest declares, as (line, table, crate name), from
/// `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`, their `target.…`
/// forms and the dotted `[dependencies.NAME]` form; not `[workspace.dependencies]`.
pub fn dependencies(manifest: &str) -> Vec<(usize, String, String)> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut out = Vec::new();
    let mut table: Option<String> = None;
    for (number, line) in manifest.lines().enumerate() {
        let number = number + 1;
        let line = line.trim();
        if line.starts_with('[') {
            let header = line.trim_matches(|c| c == '[' || c == ']').trim();
            let parts: Vec<&str> = header.split('.').map(str::trim).collect();
            table = None;
            if parts.first() == Some(&"workspace") {
                continue;
            }
            if parts.last().is_some_and(|last| KINDS.contains(last)) {
                table = Some(header.to_string());
            } else if parts.len() >= 2 && KINDS.contains(&parts[parts.len() - 2]) {
                let name = parts[parts.len() - 1].trim_matches('"');
                out.push((number, header.to_string(), name.to_string()));
            }
            continue;
        }
        let Some(table) = &table else { continue };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = line
            .split(['=', '.'])
            .next()
            .unwrap_or_default()
            .trim()
            .trim_matches('"');
        if !key.is_empty() {
            out.push((number, table.clone(), key.to_string()));
        }
    }
    out
}

/// A Rust file taken apart: code without its comments and literals, and its strings.
pub struct Lexed {
    /// Each line's code: comments are gone, and string and char literals are empty.
    pub code: Vec<String>,
    /// The string literals (plain, raw, byte and C strings), as (line, text as written
    /// between the quotes).
    pub strings: Vec<(usize, String)>,
}

pub fn lex(source: &str) -> Lexed {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut code = String::with_capacity(source.len());
    let mut strings = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while let Some(c) = at(i) {
        let next = at(i + 1);
        // Comments, line and (nested) block.
        if c == '/' && next == Some('/') {
            while at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut depth = 0;
            while let Some(c) = at(i) {
                if c == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    i += 2;
                } else if c == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c == '\n' {
                        code.push('\n');
                        line += 1;
                    }
                    i += 1;
                }
            }
            code.push(' ');
            continue;
        }
        // Raw strings: r"…", r#"…"#, and their b and c forms.
        let raw_prefix = c == 'r'
            && (!ident(i.checked_sub(1).and_then(at))
                || (matches!(i.checked_sub(1).and_then(at), Some('b' | 'c'))
                    && !ident(i.checked_sub(2).and_then(at))));
        if raw_prefix {
            let mut j = i + 1;
            while at(j) == Some('#') {
                j += 1;
            }
            if at(j) == Some('"') {
                let hashes = j - i - 1;
                let (start, mut text) = (line, String::new());
                j += 1;
                while let Some(c) = at(j) {
                    if c == '"' && (1..=hashes).all(|k| at(j + k) == Some('#')) {
                        j += 1 + hashes;
                        break;
                    }
                    if c == '\n' {
                        code.push('\n');
                        line += 1;
                    }
                    text.push(c);
                    j += 1;
                }
                strings.push((start, text));
                code.push_str("\"\"");
                i = j;
                continue;
            }
        }
        if c == '"' {
            let (start, mut text) = (line, String::new());
            let mut j = i + 1;
            while let Some(c) = at(j) {
                j += 1;
                match c {
                    '"' => break,
                    '\\' => {
                        text.push(c);
                        if let Some(escaped) = at(j) {
                            if escaped == '\n' {
                                code.push('\n');
                                line += 1;
                            }
                            text.push(escaped);
                            j += 1;
                        }
                    }
                    _ => {
                        if c == '\n' {
                            code.push('\n');
                            line += 1;
                        }
                        text.push(c);
                    }
                }
            }
            strings.push((start, text));
            code.push_str("\"\"");
            i = j;
            continue;
        }
        // Char literals ('x', '\n', '\u{…}'); a lifetime or label stays code.
        if c == '\'' && next == Some('\\') {
            let mut j = i + 3;
            while at(j).is_some_and(|c| c != '\'' && c != '\n') {
                j += 1;
            }
            code.push_str("' '");
            i = j + 1;
            continue;
        }
        if c == '\'' && next.is_some() && at(i + 2) == Some('\'') {
            code.push_str("' '");
            i += 3;
            continue;
        }
        if c == '\n' {
            line += 1;
        }
        code.push(c);
        i += 1;
    }
    Lexed {
        code: code.split('\n').map(str::to_string).collect(),
        strings,
    }
}

/// The identifiers and numbers in a line of code.
pub fn words(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Every `.rs` file below `dir` (relative to `root`), build output and hidden folders
/// left out, in order.
pub fn rust_files(root: &Path, dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if path.is_dir() {
                walk(&path, out);
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join(dir), &mut out);
    out.sort();
    assert!(
        !out.is_empty(),
        "no Rust files below {}",
        root.join(dir).display()
    );
    out
}

/// A path relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_the_lexer_tells_code_strings_and_comments_apart() {
        let lexed = lex(concat!(
            "use aws_config; // aws_types in a comment\n",
            "let s = \"aws_sdk_sts \\\" still\"; let c = '\"'; let e = '\\'';\n",
            "fn f<'a>(x: &'a str) /* aws_smithy_types\n spans */ {}\n",
            "let r = r#\"raw \"outposts\"\n\"#; let b = br\"x\";\n",
        ));
        // Six lines and the empty one after the last newline.
        assert_eq!(lexed.code.len(), 7, "{:?}", lexed.code);
        assert_eq!(
            words(&lexed.code[0]).collect::<Vec<_>>(),
            ["use", "aws_config"]
        );
        assert!(
            !lexed.code[1].contains("aws_sdk_sts"),
            "{:?}",
            lexed.code[1]
        );
        assert!(lexed.code[1].contains("let e"), "{:?}", lexed.code[1]);
        assert!(
            lexed.code[2].contains("fn f<'a>(x: &'a str)"),
            "{:?}",
            lexed.code[2]
        );
        assert!(!lexed.code[2].contains("aws_smithy_types"));
        assert!(!lexed.code[3].contains("spans"), "{:?}", lexed.code[3]);
        assert!(lexed.code[3].contains("{}"), "{:?}", lexed.code[3]);
        assert!(lexed.code[5].contains("let b"), "{:?}", lexed.code[5]);
        assert_eq!(
            lexed.strings,
            [
                (2, "aws_sdk_sts \\\" still".to_string()),
                (5, "raw \"outposts\"\n".to_string()),
                (6, "x".to_string()),
            ]
        );
    }

    #[test]
    fn tidy_manifests_are_read_table_by_table() {
        let manifest = concat!(
            "[workspace.dependencies]\n",
            "aws-config = \"1\"\n",
            "[dependencies]\n",
            "# a comment\n",
            "tokio.workspace = true\n",
            "\"aws-types\" = { version = \"1\" }\n",
            "[target.'cfg(unix)'.build-dependencies]\n",
            "aws-lc-rs = \"1\"\n",
            "[dependencies.outposts-simulator]\n",
            "path = \"crates/outposts-simulator\"\n",
            "[dev-dependencies]\n",
            "tempfile = \"3\"\n",
            "[profile.release]\n",
            "lto = true\n",
        );
        let read = dependencies(manifest);
        let found: Vec<(usize, &str, &str)> = read
            .iter()
            .map(|(line, table, name)| (*line, table.as_str(), name.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (5, "dependencies", "tokio"),
                (6, "dependencies", "aws-types"),
                (8, "target.'cfg(unix)'.build-dependencies", "aws-lc-rs"),
                (9, "dependencies.outposts-simulator", "outposts-simulator"),
                (12, "dev-dependencies", "tempfile"),
            ]
        );
    }
}
