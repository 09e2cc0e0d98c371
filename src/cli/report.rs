//! What the CLI prints: a diagnosis (and a response's details) as text or JSON.

use debitura_triage::{
    docs, BodyShape, Decision, Diagnosis, Environment, ErrorSource, Operation, Query,
    ResponseDiagnosis, Rule, Stop,
};
use serde_json::{json, Value};

use super::printable;

pub fn diagnosis_text(query: &Query<'_>, d: &Diagnosis) -> String {
    let mut out = String::new();
    match d.rule() {
        Some(rule) => {
            out += &format!("rule:     {} ({})\n", rule.id.as_str(), rule.section.title);
            out += &format!("issue:    {}\n", rule.title);
        }
        None => {
            let asked = docs::diagnose_command(query);
            let asked = asked.trim_start_matches("debitura-triage diagnose ");
            out += &format!("rule:     none matched ({})\n", printable(asked));
        }
    }
    out += &format!("cause:    {}\n", d.cause());
    out += &format!("solution: {}\n", d.solution());
    out += &format!("retry:    {}: {}\n", d.retry(), d.retry().description());
    if let Some(rule) = d.rule() {
        out += &format!("docs:     {}\n", rule.id.docs_url());
        out += &format!("more:     debitura-triage explain {}\n", rule.id.as_str());
    }
    out
}

pub fn diagnosis_json(query: &Query<'_>, d: &Diagnosis) -> Value {
    json!({
        "rule": d.rule().map(|r| r.id.as_str()),
        "matched": d.is_matched(),
        "section": d.section().map(|s| s.title),
        "title": d.rule().map(|r| r.title),
        "cause": d.cause(),
        "solution": d.solution(),
        "retry": d.retry().as_str(),
        "docs_url": d.rule().map(|r| r.id.docs_url()),
        "query": query_json(query),
    })
}

fn query_json(q: &Query<'_>) -> Value {
    json!({
        "status": q.status,
        "type": q.error_type,
        "message": q.message,
        "operation": q.operation.map(Operation::as_str),
        "event": q.event,
        "symptom": q.symptom,
        "after_token_refresh": q.after_token_refresh,
        "environment": q.environment.map(Environment::as_str),
    })
}

pub fn rule_json(rule: &Rule) -> Value {
    let w = &rule.when;
    json!({
        "id": rule.id.as_str(),
        "section": rule.section.title,
        "title": rule.title,
        "cause": rule.cause,
        "solution": rule.solution,
        "retry": rule.retry.as_str(),
        "docs_url": rule.id.docs_url(),
        "notes": rule.notes,
        "see_also": rule.see_also.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
        "when": {
            "status": w.status,
            "type": w.error_type,
            "message": w.message,
            "operation": w.operation.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
            "event": w.event,
            "symptom": w.symptom,
            "after_token_refresh": w.after_token_refresh,
            "environment": w.environment.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        },
        "examples": rule.examples.iter().map(query_json).collect::<Vec<_>>(),
        "counter_examples": rule.counter_examples.iter().map(query_json).collect::<Vec<_>>(),
    })
}

fn shape_name(shape: BodyShape) -> &'static str {
    match shape {
        BodyShape::Empty => "empty",
        BodyShape::NotJson => "not-json",
        BodyShape::BusinessErrors => "business-errors",
        BodyShape::Conflict => "conflict",
        BodyShape::FieldValidation => "field-validation",
        BodyShape::ProblemDetails => "problem-details",
        BodyShape::RateLimit => "rate-limit",
        BodyShape::CaseResults => "case-results",
        _ => "other",
    }
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

fn source_name(source: ErrorSource) -> &'static str {
    match source {
        ErrorSource::BusinessError => "business-error",
        ErrorSource::FieldValidation => "field-validation",
        ErrorSource::FailedCase => "failed-case",
        _ => "top-level",
    }
}

fn stop_text(stop: Stop) -> Option<String> {
    match stop {
        Stop::Malformed(at) => Some(format!(
            "not valid JSON from byte {at}; read what came before"
        )),
        Stop::TooLong => Some(format!(
            "longer than {} bytes; the rest was not read",
            debitura_triage::MAX_SCAN
        )),
        _ => None,
    }
}

/// `retryAfter` as JSON: a whole number when it is one.
fn seconds(d: std::time::Duration) -> Value {
    if d.subsec_nanos() == 0 {
        json!(d.as_secs())
    } else {
        json!(d.as_secs_f64())
    }
}

pub fn response_json(r: &ResponseDiagnosis<'_>) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    if let Some(url) = r.url() {
        map.insert("url".into(), json!(url.to_string()));
    }
    if let Some(delay) = r.retry_after() {
        map.insert("retry_after_secs".into(), seconds(delay));
    }
    map.insert("body".into(), json!(shape_name(r.shape())));
    if let Some(note) = stop_text(r.stop()) {
        map.insert("body_note".into(), json!(note));
    }
    let errors: Vec<Value> = r
        .findings()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "source": source_name(f.source),
                "type": f.error_type.map(|s| s.to_string()),
                "message": f.message.map(|s| s.to_string()),
                "field": f.field.map(|s| s.to_string()),
                "rule": f.diagnosis.rule_id().map(|id| id.as_str()),
                "retry": f.diagnosis.retry().as_str(),
                "decisive": r.decided_by() == Some(i),
            })
        })
        .collect();
    map.insert("errors".into(), Value::Array(errors));
    if r.dropped() > 0 {
        map.insert("errors_not_kept".into(), json!(r.dropped()));
    }
    map.insert("decided_by".into(), json!(decision_text(r)));
    map
}

pub fn response_text(r: &ResponseDiagnosis<'_>) -> String {
    let mut out = String::new();
    if let Some(url) = r.url() {
        out += &format!("url:      {}\n", printable(&url.to_string()));
    }
    if let Some(delay) = r.retry_after() {
        out += &format!(
            "wait:     {} s before retrying (retryAfter)\n",
            seconds(delay)
        );
    }
    out += &format!("body:     {}", shape_name(r.shape()));
    if let Some(note) = stop_text(r.stop()) {
        out += &format!(", {note}");
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
