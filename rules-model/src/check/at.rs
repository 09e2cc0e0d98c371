//! Problems at a rule: its file, the line asked for, and its id.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Rule;

/// A problem at the rule's first line.
pub fn at(code: Code, rule: &Rule, message: String) -> Diagnostic {
    at_line(code, rule, rule.origin.line, message)
}

/// A problem at `line` of the rule.
pub fn at_line(code: Code, rule: &Rule, line: usize, message: String) -> Diagnostic {
    Diagnostic::new(code, message)
        .at(&rule.origin.file, line)
        .in_rule(Some(&rule.id))
}

/// The line of entry `n` of a list, or the rule's line if it was not found.
pub fn line_of(lines: &[usize], n: usize, rule: &Rule) -> usize {
    lines.get(n).copied().unwrap_or(rule.origin.line)
}
