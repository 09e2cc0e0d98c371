//! The catalogue this rule set was written from, row by row, with the rules
//! that answer each row: read from the one rules file with `coverage:`,
//! checked against the rules, and rendered as the coverage page.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::CoverageRow;
use crate::read::layout::Layout;
use crate::read::raw::raw_struct;
use crate::read::yaml::yaml_problem;

raw_struct! {
    struct RawCoverage {
        coverage: Vec<RawGroup>,
    }
}

raw_struct! {
    struct RawGroup {
        group: String,
        rows: Vec<RawRow>,
    }
}

raw_struct! {
    struct RawRow {
        row: String,
        rules: Vec<String> = default,
        note: Option<String> = default,
    }
}

/// True when `text` is the coverage file: it opens `coverage:`.
pub fn is_coverage(text: &str) -> bool {
    Layout::new(text).top_key_line("coverage").is_some()
}

/// Reads the coverage file; problems go to `out`, each at its row's line.
pub fn load(file: &str, text: &str, out: &mut Vec<Diagnostic>) -> Vec<CoverageRow> {
    let layout = Layout::new(text);
    let raw: RawCoverage = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            out.push(yaml_problem(file, &layout, &err, 0));
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
                out.push(
                    Diagnostic::new(Code::RowWithoutRules, format!("row `{}` names no rule", raw.row))
                        .at(file, line)
                        .hint("list the rules that answer it under `rules:`; a row no rule can answer still names the rule that comes closest, with a `note` saying why"),
                );
            }
            if raw.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
                out.push(
                    Diagnostic::new(Code::EmptyText, "`note` is empty")
                        .at(file, line)
                        .hint("say why, or leave `note` out"),
                );
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
