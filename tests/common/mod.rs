//! Debitura's published troubleshooting page, read for tests.
//! `tests/fixtures/debitura-troubleshooting.txt` is that page, verbatim.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

pub const PAGE: &str = include_str!("../fixtures/debitura-troubleshooting.txt");

/// One table row of the page.
pub struct Row {
    /// The heading of the table the row sits in.
    pub section: String,
    /// Issue, Cause, Solution (or Issue, Solution).
    pub cells: Vec<String>,
}

fn is_table_header(line: &str) -> bool {
    line.starts_with("| Issue |") || line.starts_with("|---")
}

fn is_row(line: &str) -> bool {
    !is_table_header(line) && line.contains(" | ")
}

/// Every table row, with its section.
pub fn rows() -> Vec<Row> {
    let lines: Vec<&str> = PAGE.lines().collect();
    let mut rows = Vec::new();
    let mut section = String::new();
    for (i, line) in lines.iter().enumerate() {
        if lines
            .get(i + 1)
            .is_some_and(|next| next.starts_with("| Issue |"))
        {
            section = line.trim().to_string();
        } else if is_row(line) {
            let cells = line
                .trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            rows.push(Row {
                section: section.clone(),
                cells,
            });
        }
    }
    rows
}

/// Every line that is not part of a table, trimmed, without list dashes.
pub fn prose_lines() -> Vec<String> {
    PAGE.lines()
        .filter(|l| !is_table_header(l) && !is_row(l) && !l.trim().is_empty())
        .map(|l| l.trim().trim_start_matches("- ").to_string())
        .collect()
}
