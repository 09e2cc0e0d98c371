//! Every count and size the README gives, recomputed: the rules, the
//! diagnostic codes, the distinct queries, the conformance cases, and each
//! generated file's lines and bytes with the matcher's subtree functions.
//!
//! They stand in one block of `README.md`, between the `figures` markers.
//! When a figure differs the test fails; outside CI it also rewrites the
//! block, so that `cargo test --test readme` run again passes and the
//! change is there to review and commit.

use std::fmt::Write as _;
use std::path::Path;

use debitura_triage::{Operation, COVERAGE, RETIRED, RULES, SECTIONS};
use debitura_triage_codegen::plan;
use debitura_triage_rules_model as rules_model;

const BEGIN: &str = "<!-- figures: begin -->";
const END: &str = "<!-- figures: end -->";

/// `12345` as `12,345`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The number of cases a conformance file says it holds, checked against
/// the cases it has.
fn conformance_cases(root: &Path, file: &str) -> usize {
    let text = std::fs::read_to_string(root.join("conformance").join(file))
        .unwrap_or_else(|e| panic!("conformance/{file}: {e}"));
    let suite: serde_json::Value = serde_json::from_str(&text).expect("a conformance file is JSON");
    let cases = suite["cases"]
        .as_array()
        .expect("a conformance file has cases");
    assert_eq!(
        suite["count"].as_u64(),
        Some(cases.len() as u64),
        "conformance/{file}: `count` differs from its cases"
    );
    cases.len()
}

/// The figures block, as the README should hold it.
fn figures(root: &Path) -> String {
    let sources = rules_model::read_dir(&root.join("rules"), "rules").expect("rules/ is readable");
    let catalog = rules_model::load(&sources).expect("rules/ is valid");
    // As `build.rs` plans it: from the package's root (where cargo runs the
    // tests), so that each rule cites `rules/FILE:LINE` wherever the
    // checkout is.
    let build = plan(Path::new("rules"), Path::new("out/catalog.rs"), None, false);
    assert!(
        build.cargo.iter().all(|l| !l.starts_with("cargo::error")),
        "{:?}",
        build.cargo
    );
    let mut rows: Vec<(String, String)> = vec![
        ("rules".into(), grouped(RULES.len())),
        (
            "sections of the troubleshooting page".into(),
            grouped(SECTIONS.len()),
        ),
        (
            "rows of Debitura's catalogue in the coverage table".into(),
            grouped(COVERAGE.len()),
        ),
        ("retired rule ids".into(), grouped(RETIRED.len())),
        (
            "operations in the vocabulary".into(),
            grouped(Operation::ALL.len()),
        ),
        (
            "diagnostic codes of the rule language".into(),
            grouped(rules_model::Code::ALL.len()),
        ),
        (
            "distinct queries the rules tell apart (`Catalog::distinct_queries`)".into(),
            grouped(catalog.distinct_queries().len()),
        ),
    ];
    for file in [
        "queries.json",
        "responses.json",
        "webhooks.json",
        "calls.json",
    ] {
        rows.push((
            format!("conformance cases in `conformance/{file}`"),
            grouped(conformance_cases(root, file)),
        ));
    }
    let mut generated: Vec<(String, &String)> = build
        .files
        .iter()
        .map(|(path, text)| {
            let name = path.file_name().expect("a file name").to_string_lossy();
            (name.into_owned(), text)
        })
        .collect();
    generated.sort();
    for (name, text) in &generated {
        rows.push((
            format!("generated `{name}`"),
            format!(
                "{} lines, {} bytes",
                grouped(text.lines().count()),
                grouped(text.len())
            ),
        ));
    }
    let (_, lookup) = generated
        .iter()
        .find(|(name, _)| name == "lookup.rs")
        .expect("the build writes the matcher");
    let functions = lookup.lines().filter(|l| l.starts_with("fn by_")).count();
    let several = lookup
        .lines()
        .filter(|l| l.trim_start().starts_with("Several {"))
        .count();
    rows.push((
        "subtree functions of the matcher (`fn by_…` in `lookup.rs`)".into(),
        grouped(functions),
    ));
    rows.push((
        "entries of the matcher's several-rules table (`SEVERAL`)".into(),
        grouped(several),
    ));
    let mut out = format!(
        "{BEGIN}\n<!-- Recomputed by `cargo test --test readme`, which rewrites this block outside CI. -->\n\n| figure | value |\n|---|---|\n"
    );
    for (what, value) in rows {
        let _ = writeln!(out, "| {what} | {value} |");
    }
    out.push('\n');
    out.push_str(END);
    out
}

/// The block between the markers, markers included, and where it starts.
fn block(readme: &str) -> Option<(usize, &str)> {
    let start = readme.find(BEGIN)?;
    let end = readme[start..].find(END)? + start + END.len();
    Some((start, &readme[start..end]))
}

/// The rows of a block that differ from the fresh one, as text.
fn differences(stale: &str, fresh: &str) -> Vec<String> {
    let rows = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| figure"))
            .map(str::to_string)
            .collect()
    };
    let (old, new) = (rows(stale), rows(fresh));
    let mut out: Vec<String> = new
        .iter()
        .filter(|r| !old.contains(r))
        .map(|r| format!("now  {r}"))
        .collect();
    out.extend(
        old.iter()
            .filter(|r| !new.contains(r))
            .map(|r| format!("README {r}")),
    );
    out
}

#[test]
fn the_readme_figures_are_recomputed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let (start, stale) = block(&readme).expect("README.md has a figures block");
    let fresh = figures(root);
    if stale == fresh {
        return;
    }
    let changes = differences(stale, &fresh).join("\n  ");
    if std::env::var_os("CI").is_none() {
        let updated = format!(
            "{}{fresh}{}",
            &readme[..start],
            &readme[start + stale.len()..]
        );
        std::fs::write(&path, updated).expect("README.md is writable");
        panic!(
            "README.md's figures were stale, and have been rewritten:\n  {changes}\n\
             Review them, then run `cargo test --test readme` again."
        );
    }
    panic!(
        "README.md's figures are stale:\n  {changes}\n\
         Run `cargo test --test readme` outside CI to rewrite them, and commit README.md."
    );
}

#[test]
fn a_wrong_figure_is_found() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fresh = figures(root);
    let rules = format!("| rules | {} |", grouped(RULES.len()));
    assert!(fresh.contains(&rules), "{fresh}");
    let wrong = fresh.replace(&rules, &format!("| rules | {} |", grouped(RULES.len() + 1)));
    assert_eq!(differences(&wrong, &fresh).len(), 2, "{wrong}");
    assert_eq!(grouped(113_472), "113,472");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(1_000), "1,000");
}

/// The source folders the README's map covers.
const MAPPED: [&str; 8] = [
    "src",
    "rules-model/src",
    "codegen/src",
    "cli/src",
    "reqwest/src",
    "axum/src",
    "python/src",
    "node/src",
];

/// The Rust files the README's layout names, each as a path from the root:
/// a line that starts a folder (`cli/src/`) sets where the names after it
/// are, until the next one.
fn named_in_the_map(readme: &str) -> Vec<String> {
    let start = readme
        .find("## Layout")
        .expect("README.md has a Layout section");
    let block = &readme[start..];
    let block = &block[block.find("```text").expect("the Layout section has a map")..];
    let block = &block[..block[3..].find("```").expect("the map ends") + 3];
    let mut folder = String::new();
    let mut named = Vec::new();
    for line in block.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ':' | ';'))
            .filter(|w| !w.is_empty())
            .collect();
        if !line.starts_with(' ') {
            if let Some(first) = words.first().filter(|w| w.ends_with('/')) {
                folder = first.trim_end_matches('/').to_string();
            }
        }
        for word in words.iter().filter(|w| w.ends_with(".rs")) {
            named.push(format!("{folder}/{word}"));
        }
    }
    named
}

/// Every `.rs` file under `dir`, as a path from `root`.
fn rust_files(root: &Path, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).expect("inside the root");
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

#[test]
fn the_readme_map_names_every_source_file_and_no_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md is readable");
    let named = named_in_the_map(&readme);
    assert!(named.len() > 50, "{named:?}");
    let missing: Vec<&String> = named.iter().filter(|p| !root.join(p).is_file()).collect();
    assert!(
        missing.is_empty(),
        "README.md's Layout names files that do not exist: {missing:?}"
    );
    let unnamed: Vec<String> = MAPPED
        .iter()
        .flat_map(|dir| rust_files(root, dir))
        .filter(|file| !named.contains(file))
        .collect();
    assert!(
        unnamed.is_empty(),
        "README.md's Layout does not name: {unnamed:?}; add each with its job"
    );
}
