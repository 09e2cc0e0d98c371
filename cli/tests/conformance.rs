//! The conformance suite under `conformance/`: fresh (it is what the catalog
//! generates), and every case run against the library the way a port would
//! run it: read the JSON, ask, compare.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use debitura_triage::webhook::{self, Delivery, Tolerance, Verdict};
use debitura_triage::{diagnose, diagnose_response, Query, Value as Given};
use debitura_triage_cli::conformance::{self, Inputs};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn suite(name: &str) -> Vec<Value> {
    let path = root().join("conformance").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: Value = serde_json::from_str(&text).unwrap();
    let cases = file["cases"].as_array().unwrap().clone();
    assert_eq!(file["count"], cases.len(), "{name}: count");
    cases
}

/// Fails when `conformance/` differs from what the catalog generates.
/// Outside CI the stale files are rewritten first, so the next run passes
/// once they are committed.
#[test]
fn the_committed_suite_matches_the_catalog() {
    let rules = root().join("rules");
    let bodies = root().join("tests/fixtures/bodies");
    let files = conformance::files(Inputs {
        rules: &rules,
        bodies: &bodies,
    })
    .unwrap();
    let mut stale = Vec::new();
    for (name, content) in files {
        let path = root().join("conformance").join(&name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            if std::env::var_os("CI").is_none() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &content).unwrap();
            }
            stale.push(format!("conformance/{name}"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale: {}\nregenerate with `{}` and commit the result",
        stale.join(", "),
        conformance::REGENERATE
    );
}

/// The library query a case gives, read field by field.
/// The query a case gives, field by field through the core's one way of
/// reading names (`Query::set`).
fn query(q: &Value) -> Query<'_> {
    let mut query = Query::new();
    for (name, value) in q.as_object().expect("a query is an object") {
        let value = match value {
            Value::String(text) => Given::Text(text),
            Value::Number(n) => Given::Number(n.as_f64().unwrap()),
            Value::Bool(b) => Given::Flag(*b),
            other => panic!("`{name}`: {other} is no query value"),
        };
        query
            .set(name, value)
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    query
}

/// The answer's value of every key the case gives, `(missing)` where the
/// answer has no such key.
fn projected(answer: &impl serde::Serialize, want: &Value) -> Value {
    let full = serde_json::to_value(answer).unwrap();
    let keys = want.as_object().expect("an answer is an object").keys();
    Value::Object(
        keys.map(|k| {
            (
                k.clone(),
                full.get(k).cloned().unwrap_or("(missing)".into()),
            )
        })
        .collect(),
    )
}

#[test]
fn every_query_case_gets_its_answer() {
    let cases = suite("queries.json");
    assert!(cases.len() > 10_000, "only {} cases", cases.len());
    let mut several = 0;
    for case in &cases {
        let q = query(&case["query"]);
        assert_eq!(serde_json::to_value(q).unwrap(), case["query"], "{q}");
        let want = &case["answer"];
        let d = diagnose(&q);
        several += usize::from(d.several().is_some());
        assert_eq!(
            &projected(&d.answer(), want),
            want,
            "debitura-triage diagnose {q}"
        );
        // The suite leaves out only the catalog's words.
        let keys = serde_json::to_value(d.answer()).unwrap();
        let mut left_out: Vec<&String> = keys
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| want.get(k.as_str()).is_none())
            .collect();
        left_out.sort();
        assert_eq!(
            left_out,
            ["cause", "docs_url", "section", "solution", "title"],
            "{q}"
        );
    }
    assert!(several > 0, "no case has several candidates");
    eprintln!(
        "{} query cases, {several} with several candidates",
        cases.len()
    );
}

#[test]
fn every_response_case_gets_its_answer() {
    let cases = suite("responses.json");
    assert!(cases.len() >= 18, "{} cases", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let body = match case.get("body") {
            Some(text) => text.as_str().unwrap().as_bytes().to_vec(),
            None => STANDARD
                .decode(case["body_base64"].as_str().unwrap())
                .unwrap(),
        };
        let status = case["status"].as_u64().unwrap() as u16;
        let context = query(&case["context"]);
        let mut r = diagnose_response(status, &body, &context);
        if let Some(header) = case.get("retry_after").and_then(Value::as_str) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(case["now"].as_u64().unwrap());
            r = r.with_retry_after_header(header.as_bytes(), now);
        }
        let want = &case["answer"];
        assert_eq!(&projected(&r.answer(), want), want, "{name}");
        assert_eq!(
            want["findings"].as_array().unwrap().len(),
            r.findings().count(),
            "{name}"
        );
    }
    eprintln!("{} response cases", cases.len());
}

#[test]
fn every_webhook_vector_gets_its_verdict() {
    let cases = suite("webhooks.json");
    let mut valid = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let secrets: Vec<&str> = case["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let delivery = Delivery {
            secrets: &secrets,
            header: case["header"].as_str().unwrap(),
            body: case["body"].as_str().unwrap().as_bytes(),
            now: case["now"].as_u64().unwrap(),
            tolerance: Tolerance {
                past: case["tolerance"]["past"].as_u64().unwrap(),
                future: case["tolerance"]["future"].as_u64().unwrap(),
            },
            computed: case["computed"].as_str(),
        };
        match webhook::check(&delivery) {
            Verdict::Valid => {
                valid += 1;
                assert_eq!(case["verdict"], "valid", "{name}");
                assert!(case["rule"].is_null(), "{name}");
            }
            Verdict::Mistake(m) => {
                assert_eq!(case["verdict"], m.code(), "{name}");
                assert_eq!(
                    case["rule"].as_str(),
                    m.diagnosis().rule_id().map(|id| id.as_str()),
                    "{name}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // Every documented mistake has a vector, and so do valid deliveries.
    for mistake in [
        "secret-used-as-text",
        "body-re-serialised",
        "signature-encoding",
        "timestamp-outside-tolerance",
        "malformed-header",
        "secret-not-base64",
        "secret-empty",
        "wrong-secret",
    ] {
        assert!(cases.iter().any(|c| c["verdict"] == mistake), "{mistake}");
    }
    assert!(valid >= 4, "{valid} valid vectors");
    eprintln!("{} webhook vectors", cases.len());
}
