//! Problems at a rule: its file, the line asked for, and its id.

use crate::diagnostic::Diagnostic;
use crate::model::Rule;

pub fn at(rule: &Rule, problem: String, hint: String) -> Diagnostic {
    at_line(rule, rule.origin.line, problem, hint)
}

pub fn at_line(rule: &Rule, line: usize, problem: String, hint: String) -> Diagnostic {
    Diagnostic {
        file: rule.origin.file.clone(),
        line,
        rule: Some(rule.id.clone()),
        problem,
        hint: Some(hint),
    }
}

/// The line of entry `n` of a list, or the rule's line if it was not found.
pub fn line_of(lines: &[usize], n: usize, rule: &Rule) -> usize {
    lines.get(n).copied().unwrap_or(rule.origin.line)
}
