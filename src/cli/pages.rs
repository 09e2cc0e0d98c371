//! `debitura-triage docs`: write, check or render the generated pages.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use debitura_triage::docs;

use super::html;

/// `docs --html DIR` renders HTML; `docs --check` compares; otherwise the
/// Markdown pages under `out` are rewritten where they changed.
pub fn run(out: &Path, check: bool, html_dir: Option<&Path>) -> ExitCode {
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

fn report(result: Result<Vec<PathBuf>, String>) -> ExitCode {
    match result {
        Ok(written) if written.is_empty() => {
            println!("up to date: nothing to write");
            ExitCode::SUCCESS
        }
        Ok(written) => {
            for path in written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Exit 1 naming every page under `dir` that differs from what the rules generate.
fn check_pages(dir: &Path) -> ExitCode {
    let stale: Vec<String> = docs::pages()
        .into_iter()
        .filter(|page| {
            fs::read_to_string(dir.join(page.file)).ok().as_deref() != Some(page.markdown.as_str())
        })
        .map(|page| dir.join(page.file).display().to_string())
        .collect();
    if stale.is_empty() {
        println!("{}: every page matches the rules", dir.display());
        ExitCode::SUCCESS
    } else {
        for file in &stale {
            eprintln!("stale: {file}");
        }
        eprintln!(
            "regenerate with `{}` and commit the result",
            docs::REGENERATE
        );
        ExitCode::FAILURE
    }
}
