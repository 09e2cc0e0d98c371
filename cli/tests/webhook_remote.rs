//! `debitura-triage webhook status|missed|replay|trigger` against a fake
//! Debitura on 127.0.0.1 started here: a disabled subscription, a delivery
//! log with failed and delivered events, replays answered, left unknown by
//! a 503 and cut off, and the test trigger. No output contains the key or a
//! token.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::Value;

const KEY: &str = "rp-key-5be0c1d9";
const TOKEN: &str = "tok-c0ffee-77";
const TENANT: &str = "acme-42";

const RP_HOOKS: &str = r#"[
 {"Id":"w-rp-1","Url":"https://partner.example/hooks","Events":["case.created"],"IsActive":false,
  "IsTestMode":false,"DisabledReason":"Exceeded maximum retry attempts (8 failures)"},
 {"Id":"w-rp-2","Url":"https://partner.example/\u001b[31mred","Events":["client.linked"],"IsActive":true,
  "DisabledReason":null}]"#;

const CA_HOOKS: &str = r#"[{"id":"w-ca-1","url":"https://partner.example/ca","events":["payment.created"],
 "isActive":true,"disabledReason":null}]"#;

const LOG: &str = r#"[
 {"id":"e-1","eventType":"case.created","subscriptionId":"w-ca-1","attemptCount":8,"lastResponseCode":401,
  "lastError":"HTTP 401: Unauthorized","deliveredAt":null},
 {"id":"e-2","eventType":"case.closed","subscriptionId":"w-ca-1","attemptCount":1,"lastResponseCode":200,
  "lastError":null,"deliveredAt":"2026-12-01T10:00:00Z"},
 {"id":"e-3","eventType":"case.created","subscriptionId":"w-ca-1","attemptCount":3,"lastResponseCode":null,
  "lastError":"Request timed out after 10 seconds","deliveredAt":null},
 {"id":"e-503","eventType":"payment.created","subscriptionId":"w-ca-2","attemptCount":8,
  "lastError":"Network error: reset","deliveredAt":null}]"#;

/// One request the fake read: method, path, head and body.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    head: String,
    body: String,
}

/// A fake Debitura answering on a thread; `seen` keeps every request.
struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        })
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let mut first = head.lines().next()?.split(' ');
    Some(Seen {
        method: first.next()?.to_owned(),
        path: first.next()?.to_owned(),
        body: String::from_utf8_lossy(&data[end..end + length]).to_string(),
        head,
    })
}

fn answer(stream: &mut TcpStream, r: &Seen) {
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/oauth/token") => respond(
            stream,
            "200 OK",
            &format!(r#"{{"accessToken":"{TOKEN}","tokenType":"Bearer","expiresIn":1800}}"#),
        ),
        ("GET", "/v1/Webhooks") => respond(stream, "200 OK", RP_HOOKS),
        ("GET", "/webhooks") => respond(stream, "200 OK", CA_HOOKS),
        ("GET", p) if p.starts_with("/webhooks/events?") => respond(stream, "200 OK", LOG),
        ("PUT", "/v1/Webhooks/w-rp-1") => respond(stream, "200 OK", "{}"),
        ("POST", p) if p.contains("/e-503/") => respond(stream, "503 Service Unavailable", ""),
        ("POST", p) if p.contains("/e-lost/") => {} // closed without an answer
        ("POST", p) if p.ends_with("/replay") => respond(stream, "202 Accepted", "{}"),
        ("POST", "/v1/Webhooks/test") => {
            let count = if r.body.contains("payment.deleted") {
                0
            } else {
                1
            };
            respond(
                stream,
                "200 OK",
                &format!(
                    r#"{{"eventType":"case.updated","enqueuedCount":{count},"message":"Queued."}}"#
                ),
            );
        }
        _ => respond(stream, "404 Not Found", r#"{"error":"not_found"}"#),
    }
}

fn fake() -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            if let Some(r) = read_request(&mut stream) {
                log.lock().unwrap().push(r.clone());
                answer(&mut stream, &r);
            }
        }
    });
    Fake { base, seen }
}

impl Fake {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .env("DEBITURA_TEST_KEY", KEY)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `webhook <args> --base-url <fake> --key-env DEBITURA_TEST_KEY`, checking
/// that neither the key nor the token shows in anything it printed.
fn webhook(fake: &Fake, args: &[&str]) -> Output {
    let mut all = vec!["webhook"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--base-url", &fake.base, "--key-env", "DEBITURA_TEST_KEY"]);
    let out = run(&all);
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(KEY) && !text.contains(TOKEN),
            "{all:?} printed a secret: {text}"
        );
        assert!(
            !text.contains('\u{1b}'),
            "{all:?} printed a raw escape: {text}"
        );
    }
    out
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn status_finds_the_disabled_subscription_with_its_reason() {
    let fake = fake();
    let out = webhook(&fake, &["status", "--tenant", TENANT, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a disabled subscription: exit 1"
    );
    let v = json_of(&out);
    let subs = v["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 3);
    let disabled: Vec<&Value> = subs.iter().filter(|s| s["active"] == false).collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0]["id"], "w-rp-1");
    assert_eq!(disabled[0]["api"], "referral-partner");
    assert_eq!(
        disabled[0]["disabledReason"],
        "Exceeded maximum retry attempts (8 failures)"
    );
    assert_eq!(
        disabled[0]["diagnosis"]["rule"],
        "webhook-disabled-after-failures"
    );
    let text = webhook(&fake, &["status", "--tenant", TENANT]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("referral-partner  w-rp-1  disabled: Exceeded maximum retry attempts"),
        "{text}"
    );
    assert!(text.contains("customer  w-ca-1  active"), "{text}");
    let rp = fake
        .seen()
        .into_iter()
        .find(|r| r.path == "/v1/Webhooks")
        .unwrap();
    assert!(rp
        .head
        .to_ascii_lowercase()
        .contains(&format!("xapikey: {}", KEY.to_ascii_lowercase())));
}

#[test]
fn missed_lists_exactly_the_failed_events_grouped_with_their_rules() {
    let fake = fake();
    let out = webhook(
        &fake,
        &[
            "missed",
            "--tenant",
            TENANT,
            "--since",
            "2026-12-01T00:00:00Z",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "missed deliveries: exit 1");
    let v = json_of(&out);
    let groups = v["missed"].as_array().unwrap();
    let ids: Vec<&str> = groups
        .iter()
        .flat_map(|g| g["deliveries"].as_array().unwrap())
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["e-1", "e-3", "e-503"]);
    assert_eq!(groups[0]["subscription"], "w-ca-1");
    assert_eq!(groups[0]["event"], "case.created");
    let rules: Vec<&str> = groups[0]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["diagnosis"]["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["webhook-delivery-unauthorized", "webhook-delivery-timeout"]
    );
}

#[test]
fn replay_all_missed_enables_then_replays_each_once_and_reports_the_unknown() {
    let fake = fake();
    let out = webhook(
        &fake,
        &[
            "replay",
            "--tenant",
            TENANT,
            "--all-missed",
            "--since",
            "2026-12-01T00:00:00Z",
            "--enable",
            "--json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "one replay of unknown outcome: exit 1"
    );
    let v = json_of(&out);
    assert_eq!(
        v["enabled"],
        serde_json::json!([{ "api": "referral-partner", "id": "w-rp-1" }])
    );
    assert_eq!(v["sent"], serde_json::json!(["e-1", "e-3"]));
    assert_eq!(v["unknown"][0]["id"], "e-503");
    assert_eq!(v["unknown"][0]["error"]["attempts"], 1);
    let seen = fake.seen();
    let put = seen.iter().find(|r| r.method == "PUT").expect("re-enabled");
    assert_eq!(put.body, r#"{"IsActive":true}"#);
    let replays: Vec<&str> = seen
        .iter()
        .filter(|r| r.path.ends_with("/replay"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(
        replays,
        [
            "/webhooks/events/e-1/replay",
            "/webhooks/events/e-3/replay",
            "/webhooks/events/e-503/replay"
        ],
        "each once"
    );
}

#[test]
fn replay_without_enable_changes_no_subscription_and_a_dropped_connection_is_unknown() {
    let fake = fake();
    let out = webhook(&fake, &["replay", "--tenant", TENANT, "e-1", "e-lost"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sent     e-1"), "{text}");
    assert!(text.contains("unknown  e-lost"), "{text}");
    assert!(text.contains("not sent again"), "{text}");
    let seen = fake.seen();
    assert!(seen
        .iter()
        .all(|r| r.method != "PUT" && r.method != "PATCH"));
    assert_eq!(
        seen.iter().filter(|r| r.path.contains("/e-lost/")).count(),
        1
    );
}

#[test]
fn trigger_sends_one_test_event_in_test_and_none_in_production() {
    let fake = fake();
    let out = webhook(
        &fake,
        &[
            "trigger",
            "--event",
            "case.updated",
            "--case",
            "c-1",
            "--env",
            "test",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 queued"));
    let out = webhook(
        &fake,
        &[
            "trigger",
            "--event",
            "payment.deleted",
            "--client",
            TENANT,
            "--env",
            "test",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "nothing enqueued: exit 1");
    assert_eq!(
        json_of(&out)["diagnosis"]["rule"],
        "test-webhook-not-enqueued"
    );
    assert_eq!(fake.seen().len(), 2);
    for env in [&["--env", "production"][..], &[][..]] {
        let mut args = vec!["trigger", "--event", "case.updated", "--case", "c-1"];
        args.extend_from_slice(env);
        let out = webhook(&fake, &args);
        assert_eq!(out.status.code(), Some(2), "{env:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("test environment only"));
    }
    assert_eq!(
        fake.seen().len(),
        2,
        "nothing sent outside the test environment"
    );
}

#[test]
fn a_key_given_in_place_of_its_variable_name_is_refused_and_not_echoed() {
    let out = run(&[
        "webhook",
        "status",
        "--env",
        "test",
        "--key-env",
        "Zk3vQ9wLmR7tXy2BnP4sHd8cJf6Ga1Ue",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--key-env takes the name"), "{err}");
    assert!(!err.contains("Zk3vQ9wLmR7tXy2BnP4sHd8cJf6Ga1Ue"), "{err}");
}

#[test]
fn tls_to_a_server_that_speaks_none_fails_as_an_answer_not_a_panic() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let out = run(&[
        "webhook",
        "status",
        "--base-url",
        &base,
        "--key-env",
        "DEBITURA_TEST_KEY",
    ]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("listing the Referral Partner API"));
}
