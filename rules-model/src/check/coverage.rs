//! Every row of the coverage table names rules that exist.

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::CoverageRow;

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
