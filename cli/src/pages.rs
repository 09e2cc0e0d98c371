//! `debitura-triage docs` and `conformance`: write or check generated files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::{docs, html, site};

/// The folder under the docs folder that holds the site.
pub const SITE: &str = "site";

/// `docs --html DIR` writes the site into `DIR`; `docs --check` compares;
/// otherwise the Markdown pages and the site under `out` are rewritten where
/// they changed. Returns the text for standard output and the exit status.
pub fn run(out: &Path, check: bool, html_dir: Option<&Path>) -> (String, u8) {
    match (check, html_dir) {
        (_, Some(dir)) => report(write_files(dir, &site_files())),
        (true, None) => check_files(
            out,
            &generated(),
            Generator {
                what: "every page and the site match the rules",
                command: "docs",
                default_out: "docs",
                cargo: docs::REGENERATE,
            },
        ),
        (false, None) => report(write_files(out, &generated())),
    }
}

/// The docs site, by file name: the catalog page (`index.html`) and every
/// Markdown page as HTML, sharing one style.
pub fn site_files() -> Vec<(String, String)> {
    let mut files = vec![("index.html".to_string(), site::index())];
    files.extend(
        docs::pages()
            .iter()
            .map(|page| (html::html_name(page.file), html::render(page))),
    );
    files
}

/// Every file `docs` writes under the docs folder, by path relative to it:
/// the Markdown pages, then the site under [`SITE`].
pub fn generated() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = docs::pages()
        .into_iter()
        .map(|page| (page.file.to_string(), page.markdown))
        .collect();
    files.extend(
        site_files()
            .into_iter()
            .map(|(name, content)| (format!("{SITE}/{name}"), content)),
    );
    files
}

/// Writes every file into `dir`, skipping files that already hold that
/// content. Returns the files written.
pub fn write_files(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        if fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            fs::write(&path, content)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// What `write_files` did, as the text to print and the exit status.
pub fn report(result: Result<Vec<PathBuf>, String>) -> (String, u8) {
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

/// A command that generates files, for the messages of [`check_files`].
#[derive(Debug, Clone, Copy)]
pub struct Generator {
    /// What is true when nothing is stale, e.g. "every page matches the rules".
    pub what: &'static str,
    /// The subcommand, e.g. `docs`.
    pub command: &'static str,
    /// The folder it writes by default.
    pub default_out: &'static str,
    /// The command that runs it through cargo in the repository.
    pub cargo: &'static str,
}

/// Exit 1 naming every file under `dir` that is missing or differs from
/// `files`, with the command that rewrites them.
pub fn check_files(dir: &Path, files: &[(String, String)], generator: Generator) -> (String, u8) {
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        match fs::read_to_string(&path) {
            Err(_) => missing.push(path),
            Ok(text) if text != *content => stale.push(path),
            Ok(_) => {}
        }
    }
    if missing.is_empty() && stale.is_empty() {
        return (format!("{}: {}\n", dir.display(), generator.what), 0);
    }
    for path in &missing {
        eprintln!("missing: {}", path.display());
    }
    for path in &stale {
        eprintln!("stale: {}", path.display());
    }
    if !dir.is_dir() {
        eprintln!(
            "there is no {} folder here: run this in the repository, or pass --out DIR",
            dir.display()
        );
    }
    eprintln!(
        "regenerate with `{}` and commit the result",
        regenerate(dir, generator)
    );
    (String::new(), 1)
}

/// The command that rewrites the files in `dir`, as this program was run:
/// through `cargo run` in the repository, or as an installed binary.
fn regenerate(dir: &Path, generator: Generator) -> String {
    let out = if dir == Path::new(generator.default_out) {
        String::new()
    } else {
        format!(" --out {}", dir.display())
    };
    if std::env::var_os("CARGO").is_some() {
        format!("{}{out}", generator.cargo)
    } else {
        format!("debitura-triage {}{out}", generator.command)
    }
}
