//! The conformance suite (`conformance/`): the catalog's answers as JSON, so
//! that a port to another language can prove it decides the same. Four
//! files of cases and the JSON Schema they follow:
//!
//! - `queries.json`: every distinct query the catalog tells apart, complete
//!   or not, with its answer;
//! - `responses.json`: every documented response body, with the status, the
//!   context and the `Retry-After` header it came with, and the full answer;
//! - `webhooks.json`: signature vectors, valid deliveries and each documented
//!   mistake, with the verdict;
//! - `calls.json`: scripted calls for the drivers of the call machine
//!   (`calls.rs`), with what each must observe.
//!
//! Each case is one line, so a change of rules shows up as a diff of the
//! cases whose answers changed.

use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use debitura_triage::webhook::{self, Delivery, Tolerance, Verdict};
use debitura_triage::{diagnose, diagnose_response, Operation, Query};
use debitura_triage_rules_model::model::Catalog;
use debitura_triage_rules_model::{self as rules_model};
use serde_json::{json, Value};

use crate::pages::{check_files, report, write_files, Generator};
use crate::policy::library_query;

/// The command that regenerates `conformance/`.
pub const REGENERATE: &str = "cargo run -q -- conformance";

/// The JSON Schema of the three files.
pub const SCHEMA: &str = include_str!("conformance/schema.json");

/// Where the suite's inputs are read: the rules and the documented bodies.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The rules folder, for the distinct queries the catalog tells apart.
    pub rules: &'a Path,
    /// The folder of documented response bodies.
    pub bodies: &'a Path,
}

/// `conformance`: rewrite the suite under `out`, or check it.
pub fn run(out: &Path, inputs: Inputs<'_>, check: bool) -> (String, u8) {
    let files = match files(inputs) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return (String::new(), 1);
        }
    };
    if check {
        check_files(
            out,
            &files,
            Generator {
                what: "the conformance suite matches the catalog",
                command: "conformance",
                default_out: "conformance",
                cargo: REGENERATE,
            },
        )
    } else {
        report(write_files(out, &files))
    }
}

/// Every file of the suite, by name. The answers are this build's; the
/// queries are those the rules in `inputs.rules` tell apart, which must be
/// the rules it was built from.
pub fn files(inputs: Inputs<'_>) -> Result<Vec<(String, String)>, String> {
    let here = |path: &Path| {
        format!(
            "{}: run this in the repository, or pass --rules DIR and --bodies DIR",
            path.display()
        )
    };
    let sources = rules_model::read_dir(inputs.rules, &inputs.rules.display().to_string())
        .map_err(|_| here(inputs.rules))?;
    let catalog = rules_model::load(&sources).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!("the rules do not load:\n{}", lines.join("\n"))
    })?;
    let built: Vec<&str> = debitura_triage::RuleId::ALL
        .iter()
        .map(|id| id.as_str())
        .collect();
    let read: Vec<&str> = catalog.rules.iter().map(|r| r.id.as_str()).collect();
    if built.len() != read.len() || read.iter().any(|id| !built.contains(id)) {
        return Err(format!(
            "the rules in {} are not the ones this program was built from; rebuild it \
             (`{REGENERATE}` does)",
            inputs.rules.display()
        ));
    }
    Ok(vec![
        ("schema.json".to_string(), SCHEMA.to_string()),
        ("queries.json".to_string(), queries(&catalog)),
        ("responses.json".to_string(), responses(inputs.bodies)?),
        ("webhooks.json".to_string(), webhooks()),
        ("calls.json".to_string(), calls()),
    ])
}

/// A file of cases: a header naming the suite, then one case per line.
fn suite(name: &str, description: &str, cases: &[Value]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{{\"$schema\": \"schema.json#/$defs/{name}\",\n \"suite\": {},\n \"description\": {},\n \
         \"generated\": {},\n \"count\": {},\n \"cases\": [",
        Value::from(name),
        Value::from(description),
        Value::from(format!(
            "by `debitura-triage conformance` from the catalog of debitura-triage {}; do not edit: run `{REGENERATE}`",
            env!("CARGO_PKG_VERSION")
        )),
        cases.len()
    );
    for (i, case) in cases.iter().enumerate() {
        let comma = if i + 1 < cases.len() { "," } else { "" };
        // A case made by `case` is already its JSON text.
        match case {
            Value::String(text) => {
                let _ = writeln!(out, "  {text}{comma}");
            }
            other => {
                let _ = writeln!(out, "  {other}{comma}");
            }
        }
    }
    out.push_str(" ]}\n");
    out
}

/// One case as a JSON object whose keys keep the order given (inputs first,
/// then the answer), which a map would sort.
fn case_json(entries: &[(&str, Value)]) -> Value {
    let text: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{}:{value}", Value::from(*key)))
        .collect();
    Value::String(format!("{{{}}}", text.join(",")))
}

/// A query as the suite writes it: only the fields it gives, by their names.
fn query_json(q: &Query<'_>) -> Value {
    serde_json::to_value(q).unwrap_or(Value::Null)
}

/// The answer's fields that are the catalog's words (a port looks them up
/// by the rule id), left out of the suite.
const WORDS: [&str; 5] = ["section", "title", "cause", "solution", "docs_url"];

/// An answer as the suite writes it: every field of the answer type but the
/// catalog's words.
fn answer_json(answer: &impl serde::Serialize) -> Value {
    let mut value = serde_json::to_value(answer).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for key in WORDS {
            map.remove(key);
        }
    }
    value
}

fn queries(catalog: &Catalog) -> String {
    let cases: Vec<Value> = catalog
        .distinct_queries()
        .iter()
        .filter_map(|m| library_query(&catalog.vocabulary, m))
        .map(|q| {
            case_json(&[
                ("query", query_json(&q)),
                ("answer", answer_json(&diagnose(&q).answer())),
            ])
        })
        .collect();
    suite(
        "queries",
        "Every distinct query the catalog tells apart, complete and incomplete: a field left out \
         is absent. The answer is the rule (or null when none matches or several fit), the retry \
         policy, the backoff bounds of a rule that backs off, and when several fit, their ids \
         and whether none might.",
        &cases,
    )
}

fn calls() -> String {
    let cases: Vec<Value> = crate::calls::file()
        .into_iter()
        .map(|s| {
            let keys = [
                "name", "says", "request", "answers", "mint", "options", "expect",
            ];
            let entries: Vec<(&str, Value)> = keys.iter().map(|k| (*k, s[*k].clone())).collect();
            case_json(&entries)
        })
        .collect();
    suite(
        "calls",
        "Scripted calls every driver of the call machine carries out alike: what the fake \
         Debitura answers to each request and each token mint, and what must be observed \
         (requests, mints, the Idempotency-Key on every copy, the least time waited, the \
         outcome, rule and reason). Waits and attempts come from the rules' bounds.",
        &cases,
    )
}

/// One documented response: its body, status, context and `Retry-After`.
struct Response {
    name: &'static str,
    body: Body,
    status: u16,
    operation: Option<Operation>,
    retry_after: Option<&'static str>,
}

enum Body {
    /// A file of the documented bodies.
    File(&'static str),
    /// Bytes given here, for what no documented body shows.
    Bytes(&'static [u8]),
}

/// Now, for a `Retry-After` given as an HTTP date: 2026-11-01T00:00:00Z.
const NOW: u64 = 1_793_491_200;

fn documented() -> Vec<Response> {
    use Operation::*;
    let file = |name: &'static str, status, operation| Response {
        name,
        body: Body::File(name),
        status,
        operation,
        retry_after: None,
    };
    let mut cases = vec![
        file("dual-write-no-partner.json", 422, Some(CreateCase)),
        file("business-errors-no-partner.json", 422, None),
        file("signing-handoff-poa.json", 422, Some(CreateCase)),
        file("validation-users.json", 400, Some(CreateClient)),
        file("validation-fields.json", 400, Some(CreateCase)),
        file("problem-details-404.json", 404, Some(GetCase)),
        file("conflict-needs-linking.json", 409, Some(CreateClient)),
        file("legacy-business-rule.json", 422, Some(CreateCase)),
        file("rate-limit.json", 429, Some(CreateCase)),
        file("legacy-message-no-partner.json", 422, Some(CreateCase)),
        file("legacy-half-no-partner.json", 422, Some(CreateCase)),
        file("typed-withdraw-conflict.json", 409, Some(WithdrawClient)),
        file("case-validation-failed-clients.json", 400, None),
        file("invalid-client-type-422.json", 422, Some(CreateClient)),
        file(
            "test-trigger-nothing-enqueued.json",
            200,
            Some(TriggerTestWebhook),
        ),
        file("case-pending-contract-signing.json", 200, Some(CreateCase)),
        file("is-deletable-blocked.json", 200, Some(CheckClientDeletable)),
        file("contract-upgrade-202.json", 202, Some(CreateClient)),
        file("failed-case.json", 201, Some(CreateClient)),
    ];
    cases.extend([
        Response {
            name: "rate-limit.json with a longer Retry-After header",
            retry_after: Some("120"),
            ..file("rate-limit.json", 429, Some(CreateCase))
        },
        Response {
            name: "rate-limit.json with a Retry-After date",
            retry_after: Some("Sun, 01 Nov 2026 00:01:30 GMT"),
            ..file("rate-limit.json", 429, Some(CreateCase))
        },
        Response {
            name: "a 503 with no body and a Retry-After header",
            body: Body::Bytes(b""),
            status: 503,
            operation: Some(GetCase),
            retry_after: Some("7"),
        },
        Response {
            name: "a 401 whose body is not JSON",
            body: Body::Bytes(b"<html><body>Unauthorized</body></html>"),
            status: 401,
            operation: Some(CreateCase),
            retry_after: None,
        },
        Response {
            name: "a 422 whose body is cut off inside a string",
            body: Body::Bytes(
                br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"The cli"#,
            ),
            status: 422,
            operation: Some(CreateCase),
            retry_after: None,
        },
        Response {
            name: "a 500 whose body is not UTF-8",
            body: Body::Bytes(b"\xff\xfe{\"type\":\"\xc3\x28\"}"),
            status: 500,
            operation: Some(GetCase),
            retry_after: None,
        },
    ]);
    cases
}

fn responses(dir: &Path) -> Result<String, String> {
    let mut cases = Vec::new();
    for case in documented() {
        let bytes = match case.body {
            Body::File(name) => std::fs::read(dir.join(name)).map_err(|e| {
                format!(
                    "cannot read the documented body {}: {e} (run this in the repository, or pass --bodies DIR)",
                    dir.join(name).display()
                )
            })?,
            Body::Bytes(bytes) => bytes.to_vec(),
        };
        let mut context = Query::new();
        context.operation = case.operation;
        let mut answer = diagnose_response(case.status, &bytes, &context);
        if let Some(header) = case.retry_after {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
            answer = answer.with_retry_after_header(header.as_bytes(), now);
        }
        let mut entries = vec![
            ("name", Value::from(case.name)),
            ("status", Value::from(case.status)),
            ("context", query_json(&context)),
        ];
        match std::str::from_utf8(&bytes) {
            Ok(text) => entries.push(("body", Value::from(text))),
            Err(_) => entries.push(("body_base64", Value::from(STANDARD.encode(&bytes)))),
        }
        if let Some(header) = case.retry_after {
            entries.push(("retry_after", Value::from(header)));
            entries.push(("now", Value::from(NOW)));
        }
        entries.push(("answer", answer_json(&answer.answer())));
        cases.push(case_json(&entries));
    }
    Ok(suite(
        "responses",
        "Documented response bodies (and a few that no page shows: empty, not JSON, cut off, not \
         UTF-8), each with its status, the context the caller knows, and the Retry-After header \
         it came with, if any (`now`, in Unix seconds, dates one given as an HTTP date). The \
         answer is what `diagnose_response` returns, as `debitura-triage diagnose --body --json` \
         prints it, less the text a port looks up by rule id.",
        &cases,
    ))
}

/// Signature vectors, made from a known secret at a known time.
fn webhooks() -> String {
    const T: u64 = 1_793_491_200;
    let secret = STANDARD.encode(b"conformance secret: 32 bytes ok!");
    let old = STANDARD.encode(b"the previous secret, rotated out");
    let compact: &[u8] = br#"{"id":"7d1c2a90","specVersion":"1.0","event":"case.created","timestamp":"2026-11-01T00:00:00Z","data":{"caseId":"c-1"}}"#;
    let pretty = b"{\n  \"id\": \"7d1c2a90\",\n  \"specVersion\": \"1.0\",\n  \"event\": \"case.created\",\n  \"timestamp\": \"2026-11-01T00:00:00Z\",\n  \"data\": {\n    \"caseId\": \"c-1\"\n  }\n}";
    let signed = |secret: &str, body: &[u8]| webhook::sign(secret, T, body).unwrap_or_default();
    let header = signed(&secret, compact);
    let v1 = webhook::parse_header(&header)
        .map(|h| h.v1().to_string())
        .unwrap_or_default();
    let digest: Vec<u8> = (0..v1.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&v1[i..i + 2], 16).ok())
        .collect();
    let as_text = signed(&STANDARD.encode(secret.as_bytes()), compact);
    let as_text_v1 = webhook::parse_header(&as_text)
        .map(|h| h.v1().to_string())
        .unwrap_or_default();
    let by_old = signed(&old, compact);
    let by_old_v1 = by_old.split_once(",v1=").map_or("", |(_, v)| v).to_string();
    let debitura = Tolerance::DEBITURA;

    struct Vector {
        name: &'static str,
        secrets: Vec<String>,
        header: String,
        body: Vec<u8>,
        now: u64,
        computed: Option<String>,
    }
    let base = |name: &'static str| Vector {
        name,
        secrets: vec![secret.clone()],
        header: header.clone(),
        body: compact.to_vec(),
        now: T + 5,
        computed: None,
    };
    let vectors = vec![
        base("a delivery signed with the secret"),
        Vector {
            computed: Some(v1.clone()),
            ..base("the partner's own signature, computed right")
        },
        Vector {
            now: T + debitura.past,
            ..base("exactly as old as the tolerance allows")
        },
        Vector {
            now: T - debitura.future,
            ..base("exactly as far ahead as the tolerance allows")
        },
        Vector {
            secrets: vec![secret.clone(), old.clone()],
            ..base("during a rotation: the new secret matches")
        },
        Vector {
            secrets: vec![secret.clone(), old.clone()],
            header: by_old.clone(),
            ..base("during a rotation: the old secret matches")
        },
        Vector {
            header: format!("{header},v1={}", "0".repeat(64)),
            ..base("two v1 signatures, one of them right")
        },
        Vector {
            secrets: vec!["not base64!".to_string(), secret.clone()],
            ..base("an unusable secret beside the one that matches")
        },
        Vector {
            computed: Some(as_text_v1),
            ..base("HMAC keyed with the secret's text, not its bytes")
        },
        Vector {
            body: pretty.to_vec(),
            ..base("the body parsed and re-serialised before the check")
        },
        Vector {
            computed: Some(STANDARD.encode(&digest)),
            ..base("the computed signature in base64")
        },
        Vector {
            computed: Some(v1.to_uppercase()),
            ..base("the computed signature in upper-case hex")
        },
        Vector {
            now: T + debitura.past + 1,
            ..base("a timestamp one second too old")
        },
        Vector {
            now: T - debitura.future - 1,
            ..base("a timestamp one second too far ahead")
        },
        Vector {
            header: format!("v1={v1}"),
            ..base("a header without t")
        },
        Vector {
            header: format!("t={T}"),
            ..base("a header without v1")
        },
        Vector {
            header: format!("t={T},t={T},v1={v1}"),
            ..base("a header with two t")
        },
        Vector {
            header: format!("t=soon,v1={v1}"),
            ..base("a t that is not a number")
        },
        Vector {
            secrets: vec!["not base64!".to_string()],
            ..base("a secret that is not base64")
        },
        Vector {
            secrets: vec![String::new()],
            ..base("an empty secret")
        },
        Vector {
            secrets: vec![old.clone()],
            ..base("another secret")
        },
        Vector {
            secrets: vec![old.clone()],
            header: format!("t={T},v1={by_old_v1}"),
            body: b"{}".to_vec(),
            ..base("another body under the old secret's signature")
        },
    ];
    let cases: Vec<Value> = vectors
        .iter()
        .map(|v| {
            let secrets: Vec<&str> = v.secrets.iter().map(String::as_str).collect();
            let delivery = Delivery {
                secrets: &secrets,
                header: &v.header,
                body: &v.body,
                now: v.now,
                tolerance: debitura,
                computed: v.computed.as_deref(),
            };
            let (verdict, rule) = match webhook::check(&delivery) {
                Verdict::Valid => ("valid", None),
                Verdict::Mistake(m) => (m.code(), m.diagnosis().rule_id()),
                _ => ("unknown", None),
            };
            case_json(&[
                ("name", json!(v.name)),
                ("secrets", json!(secrets)),
                ("header", json!(v.header)),
                ("body", json!(String::from_utf8_lossy(&v.body))),
                ("now", json!(v.now)),
                (
                    "tolerance",
                    json!({ "past": debitura.past, "future": debitura.future }),
                ),
                ("computed", json!(v.computed)),
                ("verdict", json!(verdict)),
                ("rule", json!(rule)),
            ])
        })
        .collect();
    suite(
        "webhooks",
        "Signature vectors: a delivery (the secrets as Debitura shows them, the \
         X-Debitura-Signature header, the raw body, now in Unix seconds, the tolerance, and the \
         signature the partner's code computed, if known) and the verdict: `valid`, or the \
         mistake's code and the rule that explains it.",
        &cases,
    )
}
