//! Every row of the coverage table names rules that exist.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::CoverageRow;

/// Every rule a row names exists.
pub fn check(rows: &[CoverageRow], ids: &[&str], out: &mut Vec<Diagnostic>) {
    for row in rows {
        for id in &row.rules {
            if !ids.contains(&id.as_str()) {
                let message = format!("row `{}` names unknown rule `{id}`", row.row);
                out.push(
                    Diagnostic::new(Code::UnknownRule, message)
                        .at(&row.file, row.line)
                        .suggest(id, ids.iter().copied(), "name rules by their id"),
                );
            }
        }
    }
}
