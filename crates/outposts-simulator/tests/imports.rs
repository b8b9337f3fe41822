//! The simulator's modules import each other without a circle. The crate root counts as
//! a module (`crate`): it once imported `state` and `state` imported the config from
//! it, a loop broken by moving the config into `config.rs`; this test keeps such loops
//! out. Only top-level `use` items count (those of `#[cfg(test)]` modules inside a file
//! are indented, and are left out), and a module's own submodules are part of it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crate root's name in the import graph.
const ROOT: &str = "crate";

type Imports = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_modules_import_each_other_without_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        // main.rs is the binary: a crate of its own, which uses this one from outside.
        .filter(|path| path.strip_prefix(&src).ok() != Some(Path::new("main.rs")))
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, text)
        })
        .collect();
    let modules: BTreeSet<String> = files
        .iter()
        .map(|(path, _)| module_of(&src, path).0)
        .filter(|module| module != ROOT)
        .collect();
    let imports = import_graph(&src, &files, &modules);
    assert!(
        imports.len() > 10 && imports[ROOT].contains("state"),
        "the import graph was not read: {imports:?}"
    );
    if let Some(circle) = circle(&imports) {
        panic!("import circle: {}", circle.join(" -> "));
    }
}

#[test]
fn a_circle_through_the_crate_root_is_found() {
    let modules: BTreeSet<String> = ["config", "state", "tasks"].map(String::from).into();
    let files = [
        (
            "lib.rs",
            "mod config;\nmod state;\npub use state::{Simulator, SimulatorConfig};\n",
        ),
        (
            "state/mod.rs",
            "use crate::SimulatorConfig;\nuse super::tasks::Clock;\n",
        ),
        (
            "tasks.rs",
            "use std::fmt;\n#[cfg(test)]\nmod tests {\n    use crate::state::Simulator;\n}\n",
        ),
        ("state/controls.rs", "use super::Simulator;\n"),
    ]
    .map(|(path, text)| (Path::new("src").join(path), text.to_string()));
    let imports = import_graph(Path::new("src"), &files, &modules);
    assert_eq!(imports[ROOT], ["state"].map(String::from).into());
    assert_eq!(imports["state"], [ROOT, "tasks"].map(String::from).into());
    assert!(imports["tasks"].is_empty(), "{imports:?}");
    assert_eq!(
        circle(&imports),
        Some(["crate", "state", "crate"].map(String::from).to_vec())
    );

    let broken = [
        (
            "lib.rs",
            "pub use state::Simulator;\npub use config::SimulatorConfig;\n",
        ),
        (
            "state/mod.rs",
            "use crate::{\n    config::SimulatorConfig,\n};\n",
        ),
    ]
    .map(|(path, text)| (Path::new("src").join(path), text.to_string()));
    let imports = import_graph(Path::new("src"), &broken, &modules);
    assert_eq!(imports["state"], ["config"].map(String::from).into());
    assert_eq!(circle(&imports), None);
}

/// Every `.rs` file below `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The crate's module a file belongs to (`api` for `src/api/tasks.rs`, [`ROOT`] for
/// `src/lib.rs`), and the module `super::` names in it, if another.
fn module_of(src: &Path, file: &Path) -> (String, Option<String>) {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        ["lib.rs"] => (ROOT.to_string(), None),
        [file] => (file.trim_end_matches(".rs").to_string(), Some(ROOT.into())),
        [dir, "mod.rs"] => (dir.to_string(), Some(ROOT.into())),
        [dir, ..] => (dir.to_string(), None),
        [] => (ROOT.to_string(), None),
    }
}

/// Which modules each module imports, from its top-level `use` items: `crate::x` and
/// `super::x` (where `super` is the root) name module `x`, or the root when `x` is an
/// item of the root; in the root, `x::` names module `x`.
fn import_graph(src: &Path, files: &[(PathBuf, String)], modules: &BTreeSet<String>) -> Imports {
    let mut imports = Imports::new();
    for (path, text) in files {
        let (module, parent) = module_of(src, path);
        let edges = imports.entry(module.clone()).or_default();
        for item in use_items(text) {
            let (base, rest) = match item.split_once("::") {
                Some(("crate", rest)) => (ROOT.to_string(), rest),
                Some(("super", rest)) => match &parent {
                    Some(parent) => (parent.clone(), rest),
                    None => continue,
                },
                Some(("self", rest)) => (module.clone(), rest),
                Some(_) if module == ROOT => (ROOT.to_string(), item.as_str()),
                _ => continue,
            };
            if base != ROOT {
                edges.insert(base);
                continue;
            }
            for name in first_names(rest) {
                let target = if modules.contains(&name) {
                    name
                } else {
                    ROOT.to_string()
                };
                edges.insert(target);
            }
        }
        edges.remove(&module);
    }
    imports
}

/// The top-level `use` items of a file (`use …;`, `pub use …;`, `pub(crate) use …;`),
/// each as one line without the keywords, whitespace and the semicolon.
fn use_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(start) = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix))
        else {
            continue;
        };
        let mut item = start.to_string();
        while !item.contains(';') {
            let Some(next) = lines.next() else { break };
            item.push_str(next);
        }
        let item: String = item
            .split(';')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        items.push(item);
    }
    items
}

/// The first name of each path in a use tree: `a::b` gives `a`, `{a::b, c}` gives `a`
/// and `c`.
fn first_names(tree: &str) -> Vec<String> {
    let leading = |path: &str| -> String {
        path.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = tree.strip_prefix('{') else {
        return vec![leading(tree)];
    };
    let mut paths = vec![String::new()];
    let mut depth = 0;
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                paths.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(path) = paths.last_mut() {
            path.push(c);
        }
    }
    paths
        .iter()
        .map(|path| leading(path))
        .filter(|name| !name.is_empty())
        .collect()
}

/// A circle in the import graph, as the modules along it (the first again at the end),
/// found depth first: meeting a module still on the path closes a circle.
fn circle(imports: &Imports) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        imports: &Imports,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut circle = path[at..].to_vec();
            circle.push(module.to_string());
            return Some(circle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in imports.get(module).into_iter().flatten() {
            if let Some(circle) = visit(next, imports, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = BTreeSet::new();
    imports
        .keys()
        .find_map(|module| visit(module, imports, &mut Vec::new(), &mut done))
}
