//! `debitura-triage docs`: write, check or render the generated pages.

use std::fs;
use std::path::{Path, PathBuf};

use crate::docs;

use crate::html;

/// `docs --html DIR` renders HTML; `docs --check` compares; otherwise the
/// Markdown pages under `out` are rewritten where they changed. Returns the
/// text for standard output and the exit status.
pub fn run(out: &Path, check: bool, html_dir: Option<&Path>) -> (String, u8) {
    match (check, html_dir) {
        (_, Some(dir)) => report(write_pages(dir, |page| {
            (html::html_name(page.file), html::render(page))
        })),
        (true, None) => check_pages(out),
        (false, None) => report(write_pages(out, |page| {
            (page.file.to_string(), page.markdown.clone())
        })),
    }
}

/// Writes every page into `dir` under the name and content `render` gives,
/// skipping files that already hold that content. Returns the files written.
fn write_pages(
    dir: &Path,
    render: impl Fn(&docs::Document) -> (String, String),
) -> Result<Vec<PathBuf>, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for page in docs::pages() {
        let (name, content) = render(&page);
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            fs::write(&path, content)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

fn report(result: Result<Vec<PathBuf>, String>) -> (String, u8) {
    match result {
        Ok(written) if written.is_empty() => ("up to date: nothing to write\n".into(), 0),
        Ok(written) => {
            let lines = written
                .iter()
                .map(|path| format!("wrote {}\n", path.display()))
                .collect();
            (lines, 0)
        }
        Err(message) => {
            eprintln!("error: {message}");
            (String::new(), 1)
        }
    }
}

/// Exit 1 naming every page under `dir` that is missing or differs from what
/// the rules generate, with the command that rewrites them.
fn check_pages(dir: &Path) -> (String, u8) {
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for page in docs::pages() {
        let path = dir.join(page.file);
        match fs::read_to_string(&path) {
            Err(_) => missing.push(path),
            Ok(text) if text != page.markdown => stale.push(path),
            Ok(_) => {}
        }
    }
    if missing.is_empty() && stale.is_empty() {
        return (
            format!("{}: every page matches the rules\n", dir.display()),
            0,
        );
    }
    for path in &missing {
        eprintln!("missing: {}", path.display());
    }
    for path in &stale {
        eprintln!("stale: {}", path.display());
    }
    if !dir.is_dir() {
        eprintln!(
            "there is no {} folder here: run this where the docs live, or pass --out DIR",
            dir.display()
        );
    }
    eprintln!(
        "regenerate with `{}` and commit the result",
        regenerate(dir)
    );
    (String::new(), 1)
}

/// The command that rewrites the pages in `dir`, as this program was run:
/// through `cargo run` in the repository, or as an installed binary.
fn regenerate(dir: &Path) -> String {
    let out = if dir == Path::new("docs") {
        String::new()
    } else {
        format!(" --out {}", dir.display())
    };
    if std::env::var_os("CARGO").is_some() {
        format!("{}{out}", docs::REGENERATE)
    } else {
        format!("debitura-triage docs{out}")
    }
}
