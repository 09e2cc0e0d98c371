//! The conformance suite under `conformance/`: fresh (it is what the catalog
//! generates), and every case run against the library the way a port would
//! run it: read the JSON, ask, compare.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use debitura_triage::webhook::{self, Delivery, Tolerance, Verdict};
use debitura_triage::{diagnose, diagnose_response, Credential, Environment, Operation, Query};
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
fn query(q: &Value) -> Query<'_> {
    let text = |key: &str| q.get(key).and_then(Value::as_str);
    let mut query = Query::new();
    query.status = q.get("status").and_then(Value::as_u64).map(|s| s as u16);
    query.error_type = text("type");
    query.message = text("message");
    query.operation = text("operation").map(|o| Operation::from_name(o).expect("an operation"));
    query.event = text("event");
    query.symptom = text("symptom");
    query.after_token_refresh = q.get("after_token_refresh") == Some(&Value::Bool(true));
    query.environment =
        text("environment").map(|e| Environment::from_name(e).expect("an environment"));
    query.credential = text("auth").map(|c| Credential::from_name(c).expect("a credential"));
    query.method = text("method");
    query.idempotency_key = q.get("idempotency_key").and_then(Value::as_bool);
    query
}

fn backoff(d: Option<debitura_triage::Backoff>) -> Value {
    serde_json::to_value(d).unwrap()
}

#[test]
fn every_query_case_gets_its_answer() {
    let cases = suite("queries.json");
    assert!(cases.len() > 10_000, "only {} cases", cases.len());
    let mut several = 0;
    for case in &cases {
        let q = query(&case["query"]);
        let want = &case["answer"];
        let d = diagnose(&q);
        let asked = format!("debitura-triage diagnose {q}");
        assert_eq!(
            want["rule"].as_str(),
            d.rule_id().map(|id| id.as_str()),
            "{asked}"
        );
        assert_eq!(want["retry"], d.retry().as_str(), "{asked}");
        assert_eq!(
            want["backoff"],
            backoff(d.rule().and_then(|r| r.backoff)),
            "{asked}"
        );
        match d.several() {
            Some(s) => {
                several += 1;
                let ids: Vec<&str> = s.rules.iter().map(|r| r.as_str()).collect();
                assert_eq!(want["several"], serde_json::json!(ids), "{asked}");
                assert_eq!(want["or_none"], s.or_none, "{asked}");
            }
            None => assert!(want.get("several").is_none(), "{asked}"),
        }
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
        let d = r.diagnosis();
        assert_eq!(
            want["rule"].as_str(),
            d.rule_id().map(|id| id.as_str()),
            "{name}"
        );
        assert_eq!(want["retry"], r.retry().as_str(), "{name}");
        assert_eq!(
            want["backoff"],
            backoff(d.rule().and_then(|r| r.backoff)),
            "{name}"
        );
        assert_eq!(
            want["url"].as_str(),
            r.url().map(|u| u.to_string()).as_deref(),
            "{name}"
        );
        assert_eq!(
            want["retry_after_secs"].as_f64(),
            r.retry_after().map(|d| d.as_secs_f64()),
            "{name}"
        );
        assert_eq!(want["body"], r.shape().as_str(), "{name}");
        assert_eq!(want["decision"], r.decision().as_str(), "{name}");
        assert_eq!(
            want["decided_by"].as_u64(),
            r.decided_by().map(|i| i as u64),
            "{name}"
        );
        let errors = want["errors"].as_array().unwrap();
        assert_eq!(errors.len(), r.findings().count(), "{name}");
        for (want, found) in errors.iter().zip(r.findings()) {
            assert_eq!(
                want["type"].as_str(),
                found.error_type.map(|t| t.to_string()).as_deref(),
                "{name}"
            );
            assert_eq!(
                want["rule"].as_str(),
                found.diagnosis.rule_id().map(|id| id.as_str()),
                "{name}"
            );
            assert_eq!(want["retry"], found.diagnosis.retry().as_str(), "{name}");
        }
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
