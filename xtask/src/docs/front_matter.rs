//! The YAML front matter the Terraform Registry reads at the top of every docs page:
//! `page_title`, `subcategory` (the navigation group) and `description`. Pages are
//! written with it here, and every `.md` under `docs/` is checked for it.
//!
//! Only the small part of YAML these pages use is read: `key: "quoted"`, `key: plain`,
//! `key: |-` with indented lines below, and `#` comment lines. Anything else is reported
//! as unreadable rather than guessed at.

use std::path::{Path, PathBuf};

/// The keys the registry reads; any other key on a page is a mistake.
const KEYS: [&str; 3] = ["page_title", "subcategory", "description"];

/// The provider's index page, which the registry shows without a subcategory.
const INDEX: &str = "docs/index.md";

/// The front matter block for a page, ending with its closing `---` line.
/// `subcategory: None` leaves the key out, as the index page must.
pub fn render(page_title: &str, subcategory: Option<&str>, description: &str) -> String {
    let mut out = format!("---\npage_title: {}\n", quoted(page_title));
    if let Some(subcategory) = subcategory {
        out.push_str(&format!("subcategory: {}\n", quoted(subcategory)));
    }
    out.push_str("description: |-\n");
    for line in description.lines().filter(|l| !l.trim().is_empty()) {
        out.push_str(&format!("  {}\n", line.trim()));
    }
    out.push_str("---\n");
    out
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The first sentence of a schema description, as plain text on one line: code spans
/// lose their backticks, links keep their text, emphasis markers go.
pub fn summary(markdown: &str) -> String {
    plain(first_sentence(markdown))
}

fn first_sentence(markdown: &str) -> &str {
    let mut in_code = false;
    let mut previous = ' ';
    let mut chars = markdown.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '`' {
            in_code = !in_code;
        }
        let ends = matches!(c, '.' | '!' | '?')
            && !in_code
            && previous != '.'
            && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if ends && !abbreviation(&markdown[..at]) {
            return &markdown[..at + c.len_utf8()];
        }
        previous = c;
    }
    markdown
}

/// Whether the text before a full stop ends in an abbreviation, so that the sentence
/// goes on ("e.g. a rack").
fn abbreviation(before: &str) -> bool {
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    matches!(
        word.trim_start_matches('('),
        "e.g" | "i.e" | "etc" | "vs" | "cf"
    )
}

fn plain(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(c) = rest.chars().next() {
        // A link `[text](target)` keeps its text.
        if c == '['
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            out.push_str(&rest[1..close]);
            rest = &rest[close + end + 1..];
            continue;
        }
        if !matches!(c, '`' | '*') {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The keys and values of a page's front matter, in order.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    if lines.next() != Some("---") {
        return Err("no front matter: the page must start with a `---` line".into());
    }
    let mut body = Vec::new();
    let mut closed = false;
    for line in lines.by_ref() {
        if line == "---" {
            closed = true;
            break;
        }
        body.push(line);
    }
    if !closed {
        return Err("front matter has no closing `---` line".into());
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut body = body.into_iter().peekable();
    while let Some(line) = body.next() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            return Err(format!(
                "front matter line `{line}` is indented under no key"
            ));
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("front matter line `{line}` is not `key: value`"));
        };
        let key = key.trim();
        if fields.iter().any(|(k, _)| k == key) {
            return Err(format!("front matter repeats `{key}`"));
        }
        let value = value.trim();
        let value = match value {
            "|-" | "|" | ">-" | ">" => {
                let mut block = Vec::new();
                while let Some(next) = body.next_if(|l| l.trim().is_empty() || l.starts_with(' ')) {
                    block.push(next.trim());
                }
                let joiner = if value.starts_with('|') { "\n" } else { " " };
                block.join(joiner).trim().to_string()
            }
            _ => scalar(value).map_err(|e| format!("front matter `{key}`: {e}"))?,
        };
        fields.push((key.to_string(), value));
    }
    Ok(fields)
}

fn scalar(value: &str) -> Result<String, String> {
    if let Some(inner) = value.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .ok_or("a double-quoted value is not closed")?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some(escaped @ ('"' | '\\')) => out.push(escaped),
                    _ => return Err("only \\\" and \\\\ escapes are read".into()),
                }
            } else {
                out.push(c);
            }
        }
        Ok(out)
    } else if let Some(inner) = value.strip_prefix('\'') {
        let inner = inner
            .strip_suffix('\'')
            .ok_or("a single-quoted value is not closed")?;
        Ok(inner.replace("''", "'"))
    } else {
        Ok(value.to_string())
    }
}

/// Why a page's front matter is not what the registry needs, if it is not: the three
/// keys and no others, a non-empty `page_title` and `description`, and a `subcategory`
/// on every page but the index, where the registry rejects one.
pub fn check_page(path: &Path, text: &str) -> Result<(), String> {
    let fields = parse(text)?;
    let value = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    if let Some((key, _)) = fields.iter().find(|(k, _)| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "front matter has `{key}`; the registry reads only page_title, subcategory and description"
        ));
    }
    for key in ["page_title", "description"] {
        if value(key).is_none_or(|v| v.trim().is_empty()) {
            return Err(format!("front matter needs a non-empty `{key}`"));
        }
    }
    let is_index = path == Path::new(INDEX);
    match (is_index, value("subcategory")) {
        (true, Some(_)) => Err(
            "front matter of the index page must not have `subcategory` (the registry rejects it there)"
                .into(),
        ),
        (false, None) => Err("front matter needs `subcategory` (`\"\"` for none)".into()),
        _ => Ok(()),
    }
}

/// Every `.md` file below `root/docs` whose front matter fails `check_page`, each as
/// `docs/...: why`, in path order.
pub fn check_docs(root: &Path) -> Vec<String> {
    let mut pages = Vec::new();
    markdown_files(&root.join("docs"), &mut pages);
    pages.sort();
    pages
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let verdict = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot be read: {e}"))
                .and_then(|text| check_page(&relative, &text));
            verdict
                .err()
                .map(|why| format!("{}: {why}", relative.display()))
        })
        .collect()
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "docs/resources/capacity_task.md";

    #[test]
    fn a_page_without_front_matter_fails_the_check() {
        let why = check_page(Path::new(PAGE), "# Resource `outposts_capacity_task`\n");
        assert_eq!(
            why,
            Err("no front matter: the page must start with a `---` line".into())
        );
    }

    #[test]
    fn a_rendered_page_passes_the_check_and_reads_back() {
        let page = format!(
            "{}\n# Resource\n",
            render(
                "outposts_capacity_task Resource - outposts",
                Some("Capacity tasks"),
                "A capacity task."
            )
        );
        assert_eq!(check_page(Path::new(PAGE), &page), Ok(()));
        let fields = parse(&page).unwrap_or_default();
        let value = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            value("page_title"),
            Some("outposts_capacity_task Resource - outposts")
        );
        assert_eq!(value("subcategory"), Some("Capacity tasks"));
        assert_eq!(value("description"), Some("A capacity task."));
    }

    #[test]
    fn an_empty_description_or_title_fails_the_check() {
        let no_description = render("t", Some(""), "");
        assert_eq!(
            check_page(Path::new(PAGE), &no_description),
            Err("front matter needs a non-empty `description`".into())
        );
        let no_title = "---\npage_title: \"\"\nsubcategory: \"\"\ndescription: d\n---\n";
        assert_eq!(
            check_page(Path::new(PAGE), no_title),
            Err("front matter needs a non-empty `page_title`".into())
        );
    }

    #[test]
    fn a_missing_subcategory_fails_except_on_the_index() {
        let page = render("Provider: AWS Outposts", None, "Configures access.");
        assert!(check_page(Path::new(PAGE), &page).is_err());
        assert_eq!(check_page(Path::new(INDEX), &page), Ok(()));
        let with = render("Provider: AWS Outposts", Some(""), "Configures access.");
        assert!(check_page(Path::new(INDEX), &with).is_err());
    }

    #[test]
    fn unknown_keys_and_unclosed_blocks_fail() {
        let layout = "---\nlayout: docs\npage_title: t\nsubcategory: \"\"\ndescription: d\n---\n";
        assert!(check_page(Path::new(PAGE), layout).is_err());
        let unclosed = "---\npage_title: t\n# Resource\n";
        assert_eq!(
            check_page(Path::new(PAGE), unclosed),
            Err("front matter has no closing `---` line".into())
        );
    }

    #[test]
    fn the_summary_is_the_first_sentence_in_plain_text() {
        assert_eq!(
            summary("One `capacity` task, e.g. for a [rack](https://x.test/a). More."),
            "One capacity task, e.g. for a rack."
        );
        assert_eq!(
            summary("Returns the `op-...` ID of an **Outpost**"),
            "Returns the op-... ID of an Outpost"
        );
        assert_eq!(
            summary("Waits... then stops. Next."),
            "Waits... then stops."
        );
    }

    #[test]
    fn check_docs_names_each_failing_file() {
        let dir = tempfile::tempdir().ok();
        let Some(root) = dir.as_ref().map(|d| d.path()) else {
            panic!("no temporary directory");
        };
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).ok();
            }
            std::fs::write(path, text).ok();
        };
        write(
            "docs/index.md",
            &render("Provider: AWS Outposts", None, "d"),
        );
        write("docs/guides/ok.md", &render("A guide", Some("Guides"), "d"));
        write("docs/resources/bare.md", "# Bare\n");
        assert_eq!(
            check_docs(root),
            vec![
                "docs/resources/bare.md: no front matter: the page must start with a `---` line"
                    .to_string()
            ]
        );
    }
}
