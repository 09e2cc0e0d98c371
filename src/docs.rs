//! Markdown renderings of the catalog: one rule in full (`explain`), and the
//! command line that reproduces a query.

use std::fmt::Write;

use crate::{Query, Rule};

/// The `debitura-triage diagnose …` command that asks `query`.
///
/// ```
/// use debitura_triage::{docs, Operation, Query};
///
/// let q = Query::new().status(401).operation(Operation::CreateCase).after_token_refresh(true);
/// assert_eq!(
///     docs::diagnose_command(&q),
///     "debitura-triage diagnose --status 401 --op create-case --after-token-refresh"
/// );
/// ```
pub fn diagnose_command(query: &Query<'_>) -> String {
    let mut out = String::from("debitura-triage diagnose");
    if let Some(status) = query.status {
        let _ = write!(out, " --status {status}");
    }
    if let Some(t) = query.error_type {
        let _ = write!(out, " --type {}", shell_word(t));
    }
    if let Some(op) = query.operation {
        let _ = write!(out, " --op {op}");
    }
    if let Some(event) = query.event {
        let _ = write!(out, " --event {}", shell_word(event));
    }
    if let Some(symptom) = query.symptom {
        let _ = write!(out, " --symptom {}", shell_word(symptom));
    }
    if query.after_token_refresh {
        out.push_str(" --after-token-refresh");
    }
    if let Some(env) = query.environment {
        let _ = write!(out, " --env {env}");
    }
    out
}

/// `word`, single-quoted when a shell would otherwise split or expand it.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The conditions of a rule as `key: value` lines.
pub fn conditions(rule: &Rule) -> Vec<(&'static str, String)> {
    let w = &rule.when;
    let join = |items: Vec<String>| items.join(" or ");
    let mut out = Vec::new();
    if !w.symptom.is_empty() {
        out.push((
            "symptom",
            join(w.symptom.iter().map(|s| format!("`{s}`")).collect()),
        ));
    }
    if !w.event.is_empty() {
        out.push((
            "event",
            join(w.event.iter().map(|s| format!("`{s}`")).collect()),
        ));
    }
    if !w.status.is_empty() {
        out.push((
            "status",
            join(w.status.iter().map(u16::to_string).collect()),
        ));
    }
    if !w.error_type.is_empty() {
        out.push((
            "type",
            join(w.error_type.iter().map(|s| format!("`{s}`")).collect()),
        ));
    }
    if !w.operation.is_empty() {
        let ops = w.operation.iter().map(|o| format!("`{o}`")).collect();
        out.push(("operation", join(ops) + " (and the operations within it)"));
    }
    if let Some(after) = w.after_token_refresh {
        let text = if after {
            "yes: the call was already retried with a fresh token"
        } else {
            "no: first failure, not yet retried with a fresh token"
        };
        out.push(("after a token refresh", text.to_string()));
    }
    if !w.environment.is_empty() {
        out.push((
            "environment",
            join(w.environment.iter().map(|e| format!("`{e}`")).collect()),
        ));
    }
    out
}

/// One rule in full, as Markdown: what `debitura-triage explain` prints.
pub fn explain(rule: &Rule) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}: {}\n", rule.id.as_str(), rule.title);
    let _ = writeln!(
        md,
        "Section: {}. Retry policy: `{}`.\n",
        rule.section.title, rule.retry
    );
    md.push_str("## When it applies\n\n");
    for (key, value) in conditions(rule) {
        let _ = writeln!(md, "- {key}: {value}");
    }
    let _ = writeln!(md, "\n## Cause\n\n{}\n", rule.cause);
    let _ = writeln!(md, "## Solution\n\n{}\n", rule.solution);
    let _ = writeln!(
        md,
        "## Retry policy: `{}`\n\n{}\n",
        rule.retry,
        rule.retry.description()
    );
    if let Some(notes) = rule.notes {
        let _ = writeln!(md, "## Notes\n\n{notes}\n");
    }
    md.push_str("## Examples\n\n");
    for example in rule.examples {
        let _ = writeln!(md, "    {}", diagnose_command(example));
    }
    if !rule.see_also.is_empty() {
        md.push_str("\n## See also\n\n");
        for id in rule.see_also {
            let _ = writeln!(md, "- `{}`: {}", id.as_str(), id.rule().title);
        }
    }
    md
}
