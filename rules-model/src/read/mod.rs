//! Rules files → model: which kind each file is, and the one reader of each
//! kind. Problems are collected, never raised, each at its file and line.

pub mod coverage;
pub mod layout;
pub mod lifecycle;
pub mod page;
pub(crate) mod raw;
pub mod sections;
pub mod vocabulary;
pub mod yaml;

use std::fs;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::vocabulary::Vocabulary;
use crate::model::{Catalog, CoverageRow, Lifecycle, Page, Rule};
use crate::names::is_kebab;
use crate::read::layout::Layout;
use crate::read::yaml::control_character;

/// One rules file: the path shown in diagnostics, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path shown in diagnostics, e.g. `rules/webhooks.yaml`.
    pub display: String,
    /// The file's text.
    pub text: String,
}

impl Source {
    /// The section slug, from the file name (`rules/case-creation.yaml` → `case-creation`).
    fn slug(&self) -> &str {
        let name = self.display.rsplit('/').next().unwrap_or(&self.display);
        name.strip_suffix(".yaml").unwrap_or(name)
    }
}

/// Reads every file of `dir`, shown in diagnostics as `{display}/{file}`.
///
/// Every entry must be a section file: a visible `NAME.yaml` whose `NAME` is
/// kebab-case (it becomes the section's slug), in UTF-8. Anything else is
/// reported rather than skipped, so that no rule is silently left out.
pub fn read_dir(dir: &Path, display: &str) -> Result<Vec<Source>, Vec<Diagnostic>> {
    let entries = fs::read_dir(dir).map_err(|err| {
        vec![
            Diagnostic::new(Code::UnreadableFolder, format!("cannot read: {err}"))
                .at(display, 1)
                .hint("run the build from the crate's root, where `rules/` lives"),
        ]
    })?;
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = format!("{display}/{name}");
        if let Some((code, message, hint)) = unusable_name(&name, path.is_dir()) {
            problems.push(Diagnostic::new(code, message).at(shown, 1).hint(hint));
            continue;
        }
        match fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(Source {
                    display: shown,
                    text,
                }),
                Err(err) => {
                    let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
                    let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                    let column = 1 + valid.iter().rev().take_while(|&&b| b != b'\n').count();
                    problems.push(
                        Diagnostic::new(
                            Code::NotUtf8,
                            format!("not UTF-8: an invalid byte at column {column}"),
                        )
                        .at(shown, line)
                        .hint("save the file as UTF-8"),
                    );
                }
            },
            Err(err) => problems.push(
                Diagnostic::new(Code::UnreadableFile, format!("cannot read: {err}"))
                    .at(shown, 1)
                    .hint("check the file's permissions"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(sources)
    } else {
        Err(problems)
    }
}

/// Why an entry of the rules folder cannot be a section file, if it cannot.
fn unusable_name(name: &str, is_dir: bool) -> Option<(Code, String, &'static str)> {
    let stem = name.strip_suffix(".yaml");
    if name.starts_with('.') {
        Some((
            Code::HiddenFile,
            "a hidden file in the rules folder".into(),
            "every file here is a section; move it out of the folder or give it a visible name",
        ))
    } else if is_dir {
        Some((
            Code::NestedFolder,
            "a folder inside the rules folder".into(),
            "section files sit directly in the rules folder; move its files up or out",
        ))
    } else if name.ends_with(".yml") {
        Some((
            Code::YmlExtension,
            format!("`{name}` ends in `.yml`"),
            "rename it to `.yaml`, merging it into the section file of that name if there is one",
        ))
    } else if stem.is_none() {
        Some((
            Code::NotYamlFile,
            format!("`{name}` is not a `.yaml` file"),
            "the rules folder holds only section files; move it out",
        ))
    } else if !stem.is_some_and(is_kebab) {
        Some((
            Code::FileNameNotKebab,
            format!("`{name}` does not name a section: its name before `.yaml` must be kebab-case"),
            "the name is the section's slug, e.g. `case-creation.yaml`",
        ))
    } else {
        None
    }
}

/// The kinds of rules file. Each is told by its top-level keys, and read by
/// one reader: `vocabulary`, `coverage`, `lifecycle`, `page`, `sections`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The words rules are written in (`retry:`, `operations:`, …).
    Vocabulary,
    /// The coverage of Debitura's catalogue (`coverage:`).
    Coverage,
    /// The released and retired ids (`released:`, `retired:`).
    Lifecycle,
    /// The troubleshooting page's header (`page:`).
    Page,
    /// A section and its rules: every other file.
    Section,
}

/// The kind of `source`, from its top-level keys; a file that mixes the
/// keys of two kinds, or that holds a control character, is a problem at
/// its line.
fn kind(source: &Source) -> Result<Kind, Diagnostic> {
    let text = &source.text;
    if vocabulary::is_vocabulary(text) {
        return Ok(Kind::Vocabulary);
    }
    if coverage::is_coverage(text) {
        return Ok(Kind::Coverage);
    }
    // A control character would hide the rest of the file from the reader.
    if let Some(problem) = control_character(&source.display, text) {
        return Err(problem);
    }
    let layout = Layout::new(text);
    let line = |key: &str| layout.top_key_line(key);
    let problem = |code: Code, line: usize, message: &str, hint: &str| {
        Err(Diagnostic::new(code, message)
            .at(&source.display, line)
            .hint(hint))
    };
    if let Some(at) = line("released").or_else(|| line("retired")) {
        if line("page").is_some() || line("section").is_some() || line("rules").is_some() {
            return problem(
                Code::LifecycleFileMixed,
                line("released").unwrap_or(at),
                "the file of released ids holds nothing else",
                "keep `released:` and `retired:` in a file of their own",
            );
        }
        return Ok(Kind::Lifecycle);
    }
    match (line("page"), line("section"), line("rules")) {
        (Some(at), Some(_), _) => problem(
            Code::PageAndSection,
            at,
            "a file declares either `page:` or `section:`, not both",
            "move the page header to a file of its own",
        ),
        (Some(_), None, Some(rules)) => problem(
            Code::PageFileWithRules,
            rules,
            "a `page:` file holds no rules",
            "move the rules to a section file",
        ),
        (Some(_), None, None) => Ok(Kind::Page),
        (None, _, _) => Ok(Kind::Section),
    }
}

/// Reads rule files into a catalog, with every problem found in a file on
/// its own; the checks of the whole set come after ([`crate::check`]).
pub fn read(sources: &[Source]) -> (Catalog, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    let mut page: Option<(String, Page)> = None;
    let mut lifecycle: Option<(String, Lifecycle)> = None;
    let mut vocabulary_files = Vec::new();
    let mut coverage_files = Vec::new();
    let mut rule_files = Vec::new();
    for source in sources {
        match kind(source) {
            Ok(Kind::Vocabulary) => vocabulary_files.push(source),
            Ok(Kind::Coverage) => coverage_files.push(source),
            Ok(kind) => rule_files.push((source, kind)),
            Err(problem) => problems.push(problem),
        }
    }
    // The words the rules use come first: every rule is checked against them.
    let mut vocabulary: Option<(String, Vocabulary)> = None;
    for source in vocabulary_files {
        let found = vocabulary::load(&source.display, &source.text, &mut problems);
        keep_first(
            &mut vocabulary,
            found,
            source,
            vocabulary::first_key(&source.text),
            "a second vocabulary",
            "keep one file with `retry:`, `operations:`, `environments:`, `events:` and `symptoms:`",
            &mut problems,
        );
    }
    let vocabulary = match vocabulary {
        Some((_, found)) => found,
        None => {
            let file = sources.first().map_or("rules", |s| s.display.as_str());
            problems.push(
                Diagnostic::new(
                    Code::NoVocabulary,
                    "no vocabulary: no file lists the retry policies, operations, environments, events and symptoms rules may name",
                )
                .at(file, 1)
                .hint("add the vocabulary file (`rules/vocabulary.yaml`) to the rule set"),
            );
            Vocabulary::default()
        }
    };
    let mut coverage: Option<(String, Vec<CoverageRow>)> = None;
    for source in coverage_files {
        let found = coverage::load(&source.display, &source.text, &mut problems);
        keep_first(
            &mut coverage,
            found,
            source,
            "coverage",
            "a second coverage table",
            "keep one file with `coverage:`",
            &mut problems,
        );
    }
    for (source, kind) in rule_files {
        match kind {
            Kind::Lifecycle => {
                if let Some(found) = lifecycle::load(&source.display, &source.text, &mut problems) {
                    let hint = "keep one file with `released:` and `retired:`";
                    keep_first(
                        &mut lifecycle,
                        found,
                        source,
                        "released",
                        "a second list of released ids",
                        hint,
                        &mut problems,
                    );
                }
            }
            Kind::Page => {
                if let Some(header) = page::load(&source.display, &source.text, &mut problems) {
                    let hint = "keep one file with `page:`";
                    keep_first(
                        &mut page,
                        header,
                        source,
                        "page",
                        "a second `page:` header",
                        hint,
                        &mut problems,
                    );
                }
            }
            _ => {
                let loaded = sections::load_file(
                    &source.display,
                    source.slug(),
                    &source.text,
                    &vocabulary,
                    &mut problems,
                );
                if let Some(section) = loaded.section {
                    files.push((source, section, loaded.rules));
                }
            }
        }
    }
    files.sort_by_key(|(_, section, _)| section.order);
    for pair in files.windows(2) {
        let ((first, a, _), (second, b, _)) = (&pair[0], &pair[1]);
        if a.order == b.order {
            problems.push(
                Diagnostic::new(
                    Code::DuplicateSectionOrder,
                    format!(
                        "section order {} is also used by {}",
                        b.order, first.display
                    ),
                )
                .at(&second.display, line_of(&second.text, "order"))
                .hint("give every section its own `order`"),
            );
        }
    }
    let mut catalog = Catalog {
        page: page.map(|(_, header)| header),
        lifecycle: lifecycle.map(|(_, found)| found),
        vocabulary,
        coverage: coverage.map(|(_, rows)| rows).unwrap_or_default(),
        ..Catalog::default()
    };
    for (index, (_, section, rules)) in files.into_iter().enumerate() {
        catalog.sections.push(section);
        catalog.rules.extend(rules.into_iter().map(|rule| Rule {
            section: index,
            ..rule
        }));
    }
    (catalog, problems)
}

/// Keeps `found`, of a kind only one file may hold, in `slot` with the file
/// it came from; a second one is a problem at its `key:` line.
fn keep_first<T>(
    slot: &mut Option<(String, T)>,
    found: T,
    source: &Source,
    key: &str,
    second: &str,
    hint: &str,
    problems: &mut Vec<Diagnostic>,
) {
    match slot {
        Some((first, _)) => problems.push(
            Diagnostic::new(
                Code::SecondOfAKind,
                format!("{second} (the first is in {first})"),
            )
            .at(&source.display, line_of(&source.text, key))
            .hint(hint),
        ),
        None => *slot = Some((source.display.clone(), found)),
    }
}

/// The first line of `text` that holds the mapping key `key`, or line 1.
fn line_of(text: &str, key: &str) -> usize {
    Layout::new(text).key_line(1, key).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            display: "rules/x.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_file_of_released_ids_holds_nothing_else() {
        for extra in [
            "section:\n  title: T\n  order: 1\n  summary: S\n",
            "page:\n  title: T\n  intro: I\n",
            "rules: []\n",
        ] {
            let problem = kind(&source(&format!("released: [a]\n{extra}"))).unwrap_err();
            assert_eq!(problem.code, Code::LifecycleFileMixed, "{extra}: {problem}");
            assert_eq!(problem.line, 1, "{extra}");
        }
        assert_eq!(kind(&source("retired: []\n")), Ok(Kind::Lifecycle));
    }

    #[test]
    fn a_page_file_is_the_page_alone() {
        assert_eq!(
            kind(&source("page:\n  title: T\n  intro: I\n")),
            Ok(Kind::Page)
        );
        let both = kind(&source("section: {}\npage: {}\n")).unwrap_err();
        assert_eq!((both.code, both.line), (Code::PageAndSection, 2));
        let rules = kind(&source("page: {}\nrules: []\n")).unwrap_err();
        assert_eq!((rules.code, rules.line), (Code::PageFileWithRules, 2));
        // Anything else is read as a section, which says what it lacks.
        assert_eq!(kind(&source("rules: []\n")), Ok(Kind::Section));
        assert_eq!(kind(&source("not yaml: [")), Ok(Kind::Section));
        let control = kind(&source("page:\u{7}\n")).unwrap_err();
        assert_eq!(control.code, Code::ControlCharacter, "{control}");
    }

    #[test]
    fn the_page_and_each_rules_section_are_kept() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
        let sources = read_dir(&root, "rules").expect("rules/ is readable");
        let (catalog, problems) = read(&sources);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(catalog.page.is_some(), "the page header is kept");
        assert!(catalog.sections.len() > 1);
        for (index, section) in catalog.sections.iter().enumerate() {
            let file = format!("rules/{}.yaml", section.slug);
            assert!(
                catalog
                    .rules
                    .iter()
                    .filter(|r| r.origin.file == file)
                    .all(|r| r.section == index),
                "{file}"
            );
        }
    }
}
