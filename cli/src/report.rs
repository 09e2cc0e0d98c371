//! What the CLI prints: a diagnosis (and a response's details) as text or JSON.
//! The JSON of an answer is the library's `Serialize`; the CLI adds the query.

use debitura_triage::{Decision, Diagnosis, Query, ResponseDiagnosis, Rule, RULES};
use serde_json::Value;

use crate::args;
use crate::docs;
use crate::printable;

pub fn diagnosis_text(query: &Query<'_>, d: &Diagnosis) -> String {
    let mut out = String::new();
    match d.rule() {
        Some(rule) => {
            out += &format!("rule:     {} ({})\n", rule.id, rule.section.title);
            out += &format!("issue:    {}\n", rule.title);
        }
        None => {
            let asked = docs::diagnose_command(query);
            let asked = asked.trim_start_matches("debitura-triage diagnose ");
            match d.several() {
                Some(several) => {
                    let ids: Vec<&str> = several.rules.iter().map(|r| r.as_str()).collect();
                    // One rule that may or may not be it is not "several".
                    let fit = match (ids.len(), several.or_none) {
                        (1, true) => "one may fit",
                        _ => "several fit",
                    };
                    out += &format!(
                        "rules:    {fit} ({}): {}{}\n",
                        printable(asked),
                        ids.join(", "),
                        if several.or_none { "; or none" } else { "" }
                    );
                }
                None => out += &format!("rule:     none matched ({})\n", printable(asked)),
            }
            if let Some(several) = d.several().filter(|s| !s.telling.is_empty()) {
                let flags: Vec<&str> = several.telling.iter().map(|&f| args::flag_of(f)).collect();
                out += &format!(
                    "tell:     give {} to tell them apart\n",
                    flags.join(" and ")
                );
            }
        }
    }
    if let Some(note) = method_note(query) {
        out += &format!("note:     {note}\n");
    }
    out += &format!("cause:    {}\n", d.cause());
    out += &format!("solution: {}\n", d.solution());
    out += &format!("retry:    {}: {}\n", d.retry(), d.retry().description());
    if let Some(bounds) = d.rule().and_then(|r| r.backoff) {
        out += &format!("bounds:   {bounds}\n");
    }
    if let Some(rule) = d.rule() {
        out += &format!("docs:     {}\n", rule.id.docs_url());
        out += &format!("more:     debitura-triage explain {}\n", rule.id);
    }
    out
}

/// When the query's method fits none of its operation's routes: what was
/// set aside, and what decided instead.
fn method_note(query: &Query<'_>) -> Option<String> {
    if query.method_fits() {
        return None;
    }
    let op = query.operation?;
    let routes: Vec<String> = op.routes().map(|(m, p)| format!("{m} {p}")).collect();
    Some(format!(
        "{} is not a method of {op} ({}); its routes decide",
        printable(query.method.unwrap_or_default()),
        routes.join(", ")
    ))
}

/// An answer as JSON (an [`Answer`](debitura_triage::Answer) or a
/// [`ResponseAnswer`](debitura_triage::ResponseAnswer)), with the query it
/// answers and, when the method fits none of the operation's routes,
/// `method_fits: false`.
pub fn answer_json(answer: &impl serde::Serialize, query: &Query<'_>) -> Value {
    let mut value = serde_json::to_value(answer).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("query".into(), query_json(query));
        if !query.method_fits() {
            map.insert("method_fits".into(), Value::Bool(false));
        }
    }
    value
}

/// The fields a query gives, by their names.
fn query_json(q: &Query<'_>) -> Value {
    serde_json::to_value(q).unwrap_or(Value::Null)
}

/// The whole catalog as `rules --json` prints it: one object per rule, in
/// the catalog's order.
pub fn catalog_json() -> Value {
    Value::Array(RULES.iter().map(rule_json).collect())
}

pub fn rule_json(rule: &Rule) -> Value {
    serde_json::to_value(rule).unwrap_or(Value::Null)
}

fn decision_text(r: &ResponseDiagnosis<'_>) -> String {
    let count = r.findings().count();
    let decisive = r.decided_by().map_or(0, |i| i + 1);
    match r.decision() {
        Decision::StatusOnly => "the body names no error; the status and the context decide".into(),
        Decision::Single => "the one error in the body".into(),
        Decision::FirstOfEqual => format!("error {decisive} of {count}: all have the same retry policy, so the first decides"),
        Decision::Strictest => format!("error {decisive} of {count}: its retry policy is the strictest, and retrying cannot help while it stands"),
        Decision::Recognised => format!("error {decisive} of {count}: the strictest of the errors a rule recognises"),
        _ => format!("error {decisive} of {count}"),
    }
}

pub fn response_text(r: &ResponseDiagnosis<'_>) -> String {
    let mut out = String::new();
    if let Some(url) = r.url() {
        out += &format!("url:      {}\n", printable(&url.to_string()));
    }
    if let Some(delay) = r.retry_after() {
        out += &format!(
            "wait:     {} s before retrying (retryAfter)\n",
            delay.as_secs_f64()
        );
    }
    out += &format!("body:     {}", r.shape().as_str());
    if r.stop().is_partial() {
        out += &format!(", {}", r.stop());
    }
    out.push('\n');
    if r.findings().count() > 1 {
        for (i, f) in r.findings().enumerate() {
            let what = f
                .error_type
                .or(f.message)
                .map_or_else(String::new, |s| s.to_string());
            let rule = f
                .diagnosis
                .rule_id()
                .map_or("unrecognised", |id| id.as_str());
            out += &format!(
                "  error {}: {} -> {rule} ({})\n",
                i + 1,
                printable(&what),
                f.diagnosis.retry()
            );
        }
    }
    out += &format!("decided:  {}\n", decision_text(r));
    out
}
