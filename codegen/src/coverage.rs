//! The catalogue this rule set was written from, row by row, with the rules
//! that answer each row: read from the one rules file with `coverage:`,
//! checked against the rules, and rendered as the coverage page.

use serde::Deserialize;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::layout::Layout;

/// One row of the source catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    /// The area of the catalogue the row belongs to.
    pub group: String,
    /// The row, as a reader would look it up.
    pub row: String,
    /// The rules that answer it.
    pub rules: Vec<String>,
    /// Why the rules cover it only in part, when they do.
    pub note: Option<String>,
    /// The file and 1-based line of the row.
    pub file: String,
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoverage {
    coverage: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    group: String,
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    row: String,
    #[serde(default)]
    rules: Vec<String>,
    note: Option<String>,
}

/// True when `text` is the coverage file: it opens `coverage:`.
pub fn is_coverage(text: &str) -> bool {
    Layout::new(text).top_key_line("coverage").is_some()
}

/// Reads the coverage file; problems go to `out`, each at its row's line.
pub fn load(file: &str, text: &str, out: &mut Vec<Diagnostic>) -> Vec<CoverageRow> {
    let layout = Layout::new(text);
    let problem = |line: usize, problem: String, hint: &str| Diagnostic {
        file: file.to_string(),
        line,
        rule: None,
        problem,
        hint: Some(hint.to_string()),
    };
    let raw: RawCoverage = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            let (line, message, hint) = crate::load::yaml_problem(&layout, &err, 0);
            out.push(problem(line, message, &hint));
            return Vec::new();
        }
    };
    let top = layout.top_key_line("coverage").unwrap_or(1);
    let mut rows = Vec::new();
    for (g, group) in raw.coverage.into_iter().enumerate() {
        let group_line = layout.nth_item_line(top, g).unwrap_or(top);
        let rows_line = layout.key_line(group_line, "rows").unwrap_or(group_line);
        for (r, raw) in group.rows.into_iter().enumerate() {
            let line = layout.nth_item_line(rows_line, r).unwrap_or(rows_line);
            if raw.rules.is_empty() {
                out.push(problem(
                    line,
                    format!("row `{}` names no rule", raw.row),
                    "list the rules that answer it under `rules:`; a row no rule can answer still names the rule that comes closest, with a `note` saying why",
                ));
            }
            if raw.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
                out.push(problem(
                    line,
                    "`note` is empty".into(),
                    "say why, or leave `note` out",
                ));
            }
            rows.push(CoverageRow {
                group: group.group.clone(),
                row: raw.row,
                rules: raw.rules,
                note: raw.note,
                file: file.to_string(),
                line,
            });
        }
    }
    rows
}

/// Every rule a row names exists.
pub fn check(rows: &[CoverageRow], ids: &[&str], out: &mut Vec<Diagnostic>) {
    for row in rows {
        for id in &row.rules {
            if !ids.contains(&id.as_str()) {
                let hint = match did_you_mean(id, ids.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "name rules by their id".into(),
                };
                out.push(Diagnostic {
                    file: row.file.clone(),
                    line: row.line,
                    rule: None,
                    problem: format!("row `{}` names unknown rule `{id}`", row.row),
                    hint: Some(hint),
                });
            }
        }
    }
}
