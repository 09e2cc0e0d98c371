//! The house rule of every crate in the workspace: its modules depend on each
//! other one way. A module depends on another when it names it in a path
//! (`crate::a::b`, `super::x`, a child by its name) or names an item that the
//! crate root re-exports from it (`crate::Query` is a use of the module that
//! defines `Query`). Test modules are left out: they may reach anywhere.
//!
//! The library's generated files count as part of the modules that include
//! them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every crate's source folder, with the generated files that are part of
/// its modules.
fn crates() -> Vec<Crate> {
    let out = Path::new(env!("OUT_DIR"));
    let generated = ["vocabulary", "catalog", "lookup"]
        .map(|module| (module.to_string(), out.join(format!("{module}.rs"))))
        .to_vec();
    let mut crates = vec![Crate {
        name: "debitura-triage",
        src: Path::new(ROOT).join("src"),
        generated,
    }];
    for name in [
        "cli",
        "rules-model",
        "codegen",
        "reqwest",
        "axum",
        "python",
        "node",
    ] {
        crates.push(Crate {
            name,
            src: Path::new(ROOT).join(name).join("src"),
            generated: Vec::new(),
        });
    }
    crates
}

/// One crate of the workspace.
struct Crate {
    name: &'static str,
    src: PathBuf,
    /// Module → a file of `OUT_DIR` it `include!`s.
    generated: Vec<(String, PathBuf)>,
}

/// Module path (`""` for the root, `"a::b"`) → its source text, test modules cut.
fn modules(dir: &Path, extra: &[(String, PathBuf)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(dir).expect("inside the folder");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = fs::read_to_string(&path).expect("readable source");
            out.entry(parts.join("::"))
                .or_insert_with(String::new)
                .push_str(&without_tests(&text));
        }
    }
    for (module, path) in extra {
        let text = fs::read_to_string(path).expect("the generated file");
        out.entry(module.clone())
            .or_default()
            .push_str(&without_tests(&text));
    }
    out
}

/// The text without comments and without `#[cfg(test)]` modules.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<usize> = None;
    let mut depth = 0usize;
    let mut pending_test = false;
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let trimmed = code.trim();
        if skip_depth.is_none() && trimmed == "#[cfg(test)]" {
            pending_test = true;
            continue;
        }
        if pending_test && trimmed.starts_with("mod ") && trimmed.ends_with('{') {
            skip_depth = Some(depth);
        }
        pending_test = false;
        depth += code.matches('{').count();
        depth = depth.saturating_sub(code.matches('}').count());
        match skip_depth {
            Some(d) if depth <= d => skip_depth = None,
            Some(_) => {}
            None => {
                out.push_str(code);
                out.push('\n');
            }
        }
    }
    out
}

/// The names the crate root re-exports, with the module each comes from.
fn reexports(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let flat = root.replace('\n', " ");
    for part in flat.split("pub use ").skip(1) {
        let Some(statement) = part.split(';').next() else {
            continue;
        };
        let statement = statement.trim().trim_start_matches("crate::");
        let (prefix, names) = match statement.split_once('{') {
            Some((prefix, rest)) => (prefix.trim_end_matches("::"), rest.trim_end_matches('}')),
            None => match statement.rsplit_once("::") {
                Some((prefix, name)) => (prefix, name),
                None => continue,
            },
        };
        let module = longest_module(prefix, modules);
        let Some(module) = module else { continue };
        for name in names.split(',') {
            let name = name.trim();
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() && name != "self" {
                out.insert(name.to_string(), module.clone());
            }
        }
    }
    out
}

/// The longest module that `path` (`a::b::Item`) starts with.
fn longest_module(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// Every `crate::…` path in `text`, and `super::…`/child paths resolved
/// against `module`, as full paths from the crate root.
fn paths(text: &str, module: &str, modules: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut i = 0;
    while i < bytes.len() {
        if !word(bytes[i]) || (i > 0 && word(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && word(bytes[i]) {
            i += 1;
        }
        let token: String = bytes[start..i].iter().collect();
        // `use a::{b, c::d}` continues after the brace: take the prefix alone.
        let token = token.trim_end_matches(':').to_string();
        if let Some(rest) = token.strip_prefix("crate::") {
            out.push(rest.to_string());
        } else if token.starts_with("super::") {
            let mut base: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
            let mut rest = token.as_str();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            base.push(rest);
            out.push(base.join("::"));
        } else if let Some((first, _)) = token.split_once("::") {
            let child = if module.is_empty() {
                first.to_string()
            } else {
                format!("{module}::{first}")
            };
            if modules.contains(&child) {
                let tail = &token[first.len()..];
                out.push(format!("{child}{tail}"));
            }
        }
    }
    out
}

/// The module graph of one crate: module → the modules it uses.
fn graph(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let root = modules.get("").cloned().unwrap_or_default();
    let reexported = reexports(&root, &names);
    let mut edges = BTreeMap::new();
    for (module, text) in modules {
        let mut uses = BTreeSet::new();
        for path in paths(text, module, &names) {
            let target = longest_module(&path, &names).or_else(|| {
                let first = path.split("::").next()?;
                reexported.get(first).cloned()
            });
            if let Some(target) = target {
                // A parent declaring a child, or a module naming itself, is no use.
                if &target != module && !target.is_empty() {
                    uses.insert(target);
                }
            }
        }
        edges.insert(module.clone(), uses);
    }
    edges
}

/// A cycle of the graph, if there is one, as the modules along it.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut found = stack[at..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(_) => {}
                None => {
                    if let Some(found) = visit(next, edges, state, stack) {
                        return Some(found);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            if let Some(found) = visit(node, edges, &mut state, &mut Vec::new()) {
                return Some(found);
            }
        }
    }
    None
}

#[test]
fn no_crate_has_an_import_cycle() {
    let mut problems = Vec::new();
    for krate in crates() {
        let modules = modules(&krate.src, &krate.generated);
        assert!(
            modules.len() > 1,
            "{}: no modules in {:?}",
            krate.name,
            krate.src
        );
        if let Some(found) = cycle(&graph(&modules)) {
            problems.push(format!("{}: {}", krate.name, found.join(" → ")));
        }
    }
    assert!(
        problems.is_empty(),
        "import cycles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_sees_a_cycle_through_a_root_reexport() {
    let modules: BTreeMap<String, String> = [
        ("", "mod a; mod b; mod c; pub use a::Thing;"),
        ("a", "use crate::b::helper; pub struct Thing;"),
        ("b", "pub fn helper(_: crate::Thing) {}"),
        ("c", "use super::a::Thing;"),
    ]
    .into_iter()
    .map(|(m, t)| (m.to_string(), t.to_string()))
    .collect();
    let edges = graph(&modules);
    assert_eq!(edges["c"], BTreeSet::from(["a".to_string()]));
    let found = cycle(&edges).expect("a → b → a through the re-export");
    assert!(found.contains(&"a".to_string()) && found.contains(&"b".to_string()));
    let mut acyclic = modules.clone();
    acyclic.insert("b".into(), "pub fn helper() {}".into());
    assert_eq!(cycle(&graph(&acyclic)), None);
}

#[test]
fn test_modules_and_comments_are_not_uses() {
    let text = "use crate::a::X; // crate::b::Y\n#[cfg(test)]\nmod tests {\n    use crate::c::Z;\n}\nfn after() { crate::d::w() }\n";
    let kept = without_tests(text);
    assert!(kept.contains("crate::a::X") && kept.contains("crate::d::w"));
    assert!(!kept.contains("crate::b") && !kept.contains("crate::c"));
}
