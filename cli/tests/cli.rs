//! The `debitura-triage` binary, driven as a person or a script would.

use std::process::{Command, Output};

use serde_json::Value;

/// The workspace root, where `rules/` and `docs/` live: the binary runs there
/// as a person working on the rules would run it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(args: &[&str]) -> Value {
    let text = stdout(args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{args:?} printed invalid JSON ({e}): {text}"))
}

/// `diagnose … --json`, checking the exit status: 0 when a rule matched, 3
/// when several fit, 1 when none does.
fn diagnose(args: &[&str]) -> Value {
    let mut all = vec!["diagnose"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = run(&all);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{all:?} printed invalid JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let several = v["several"].as_array().is_some_and(|s| !s.is_empty());
    let expected = match (&v["matched"], several) {
        (Value::Bool(true), _) => 0,
        (_, true) => 3,
        _ => 1,
    };
    assert_eq!(out.status.code(), Some(expected), "{all:?}: {v}");
    v
}

#[test]
fn missing_power_of_attorney_on_create_case() {
    let v = diagnose(&[
        "--status",
        "422",
        "--type",
        "MissingPowerOfAttorney",
        "--op",
        "create-case",
    ]);
    assert_eq!(v["rule"], "missing-power-of-attorney");
    assert_eq!(v["matched"], true);
    assert_eq!(v["section"], "Case Creation");
    assert_eq!(v["retry"], "after-user-action");
    assert_eq!(v["cause"], "PoA needed for jurisdiction");
    assert_eq!(
        v["solution"],
        "Present the solutionUrl for PoA signing, then retry."
    );
}

#[test]
fn a_401_refreshes_once_then_stops() {
    let first = diagnose(&["--status", "401", "--op", "create-case", "--auth", "bearer"]);
    assert_eq!(first["retry"], "token-refresh");
    assert_eq!(first["rule"], "bearer-token-expired");
    assert_eq!(first["query"]["auth"], "bearer");
    let second = diagnose(&[
        "--status",
        "401",
        "--op",
        "create-case",
        "--auth",
        "bearer",
        "--after-token-refresh",
    ]);
    assert_eq!(second["retry"], "never");
    assert_eq!(second["rule"], "client-link-invalid");
}

#[test]
fn the_error_type_alone_is_enough_where_it_identifies_the_failure() {
    for (status, error_type, op) in [
        ("409", "ClientExistsNeedsLinking", "create-client"),
        ("422", "MissingPowerOfAttorney", "create-case"),
    ] {
        let with_op = diagnose(&["--status", status, "--type", error_type, "--op", op]);
        let without = diagnose(&["--status", status, "--type", error_type]);
        assert_eq!(with_op["rule"], without["rule"], "{error_type}");
        assert_eq!(with_op["retry"], without["retry"], "{error_type}");
        assert_eq!(without["matched"], true, "{error_type}");
    }
}

#[test]
fn the_link_expired_event_is_recognised() {
    let v = diagnose(&["--event", "client.link_expired"]);
    assert_eq!(v["rule"], "link-request-expired");
    assert_eq!(v["retry"], "after-user-action");
}

#[test]
fn an_unknown_failure_is_unrecognised_not_silently_matched() {
    let v = diagnose(&[
        "--status",
        "418",
        "--type",
        "TeapotOverflow",
        "--op",
        "create-case",
    ]);
    assert_eq!(v["matched"], false);
    assert_eq!(v["rule"], Value::Null);
    assert_eq!(v["retry"], "never");
    assert!(v["cause"].as_str().is_some_and(|c| c.contains("No rule")));
}

#[test]
fn text_output_names_the_rule_and_the_next_command() {
    let text = stdout(&[
        "diagnose",
        "--status",
        "409",
        "--type",
        "ClientExistsNeedsLinking",
    ]);
    assert!(
        text.contains("rule:     client-exists-needs-linking (Client Onboarding)"),
        "{text}"
    );
    assert!(text.contains("retry:    after-user-action"), "{text}");
    assert!(
        text.contains("debitura-triage explain client-exists-needs-linking"),
        "{text}"
    );
}

#[test]
fn explain_prints_the_rule_as_markdown() {
    let text = stdout(&["explain", "missing-kyc-verification"]);
    assert!(
        text.starts_with("# missing-kyc-verification: 422 MissingKycVerification\n"),
        "{text}"
    );
    for heading in [
        "## When it applies",
        "## Cause",
        "## Solution",
        "## Retry policy: `after-user-action`",
        "## Examples",
    ] {
        assert!(text.contains(heading), "missing {heading}:\n{text}");
    }
    assert!(text.contains(
        "debitura-triage diagnose --status 422 --type MissingKycVerification --op create-case"
    ));
}

/// `explain` and `rules --json` say where each rule is written, and that
/// line of the rules file starts the rule.
#[test]
fn a_rule_points_at_the_line_it_is_written_on() {
    let text = stdout(&["explain", "missing-kyc-verification"]);
    let place = text
        .lines()
        .find_map(|l| l.strip_prefix("Written at: "))
        .expect("explain names the rule's place");
    let (file, line) = place.rsplit_once(':').expect("file:line");
    let source = std::fs::read_to_string(std::path::Path::new(ROOT).join(file)).unwrap();
    let line: usize = line.parse().unwrap();
    assert_eq!(
        source.lines().nth(line - 1).map(str::trim),
        Some("- id: missing-kyc-verification"),
        "{place}"
    );
    let rules = json(&["rules", "--json"]);
    for rule in rules.as_array().unwrap() {
        let file = rule["source"]["file"].as_str().unwrap();
        let line = rule["source"]["line"].as_u64().unwrap() as usize;
        let source = std::fs::read_to_string(std::path::Path::new(ROOT).join(file)).unwrap();
        let id = rule["rule"].as_str().unwrap();
        assert_eq!(
            source.lines().nth(line - 1).map(str::trim),
            Some(format!("- id: {id}").as_str()),
            "{file}:{line}"
        );
    }
}

#[test]
fn explain_an_unknown_id_suggests_near_ones() {
    let out = run(&["explain", "missing-power"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown rule id `missing-power`"), "{err}");
    assert!(
        err.contains("did you mean `missing-power-of-attorney`"),
        "{err}"
    );
}

#[test]
fn rules_json_lists_every_rule_with_its_text() {
    let v = json(&["rules", "--json"]);
    let rules = v.as_array().expect("an array");
    assert_eq!(rules.len(), debitura_triage::RULES.len());
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["rule"].as_str()).collect();
    for rule in &debitura_triage::RULES {
        assert!(
            ids.contains(&rule.id.as_str()),
            "{} missing",
            rule.id.as_str()
        );
    }
    let linking = rules
        .iter()
        .find(|r| r["rule"] == "client-exists-needs-linking")
        .unwrap();
    assert_eq!(linking["title"], "409 ClientExistsNeedsLinking");
    assert_eq!(linking["when"]["status"][0], 409);
    assert_eq!(linking["examples"][0]["type"], "ClientExistsNeedsLinking");
}

#[test]
fn rules_text_lists_one_rule_per_line() {
    let text = stdout(&["rules"]);
    assert_eq!(text.lines().count(), debitura_triage::RULES.len());
    assert!(text
        .lines()
        .any(|l| l.starts_with("bearer-token-expired") && l.contains("token-refresh")));
}

#[test]
fn bad_arguments_exit_2_with_a_clear_message() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["diagnose", "--status", "1000"],
            "status 1000 is not an HTTP status (100 to 999)",
        ),
        (&["diagnose", "--status", "abc"], "abc"),
        (
            &["diagnose", "--status", "400", "--op", "create-cse"],
            "did you mean `create-case`?",
        ),
        (
            &["diagnose", "--event", "client.link_expird"],
            "did you mean `client.link_expired`",
        ),
        (
            &["diagnose", "--symptom", "duplicate-event"],
            "did you mean `duplicate-events`?",
        ),
        (&["diagnose", "--json"], "required"),
    ];
    for (args, expected) in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("debitura-triage-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn docs_writes_only_changed_pages_and_check_names_stale_ones() {
    let dir = scratch("docs");
    let out = dir.to_str().unwrap();
    let first = stdout(&["docs", "--out", out]);
    assert_eq!(
        first.lines().filter(|l| l.starts_with("wrote ")).count(),
        debitura_triage_cli::pages::generated().len(),
        "{first}"
    );
    assert!(dir.join("site/index.html").is_file());
    let second = stdout(&["docs", "--out", out]);
    assert!(second.contains("up to date"), "{second}");
    stdout(&["docs", "--check", "--out", out]);

    std::fs::write(dir.join("retry-policy.md"), "edited by hand\n").unwrap();
    let check = run(&["docs", "--check", "--out", out]);
    assert_eq!(check.status.code(), Some(1));
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains("stale: ") && err.contains("retry-policy.md"),
        "{err}"
    );
    assert!(!err.contains("troubleshooting.md"), "{err}");
    assert!(
        err.contains(&format!("cargo run -q -- docs --out {out}")),
        "{err}"
    );
    // The site is checked as the Markdown pages are.
    std::fs::write(dir.join("retry-policy.md"), "").unwrap();
    stdout(&["docs", "--out", out]);
    std::fs::write(dir.join("site/index.html"), "edited by hand\n").unwrap();
    let err = String::from_utf8(run(&["docs", "--check", "--out", out]).stderr).unwrap();
    assert!(
        err.contains("stale: ") && err.contains("site/index.html"),
        "{err}"
    );
    assert!(!err.contains("retry-policy.md"), "{err}");

    // A missing page is called missing, not stale.
    std::fs::remove_file(dir.join("troubleshooting.md")).unwrap();
    let err = String::from_utf8(run(&["docs", "--check", "--out", out]).stderr).unwrap();
    assert!(
        err.contains("missing: ") && err.contains("troubleshooting.md"),
        "{err}"
    );

    // Run as an installed binary (no cargo around it), outside any checkout:
    // every page is missing, and the advice is the binary's own command.
    let elsewhere = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(["docs", "--check"])
        .current_dir(std::env::temp_dir())
        .env_remove("CARGO")
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(1));
    let err = String::from_utf8(elsewhere.stderr).unwrap();
    assert_eq!(
        err.matches("missing: ").count(),
        debitura_triage_cli::pages::generated().len(),
        "{err}"
    );
    assert!(!err.contains("stale"), "{err}");
    assert!(err.contains("no docs folder here"), "{err}");
    assert!(err.contains("`debitura-triage docs`"), "{err}");
    assert!(!err.contains("cargo run"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn conformance_writes_the_suite_and_check_names_missing_and_stale_files() {
    let dir = scratch("conformance");
    let out = dir.to_str().unwrap();
    let check = run(&["conformance", "--check", "--out", out]);
    assert_eq!(check.status.code(), Some(1));
    let err = String::from_utf8(check.stderr).unwrap();
    assert_eq!(err.matches("missing: ").count(), 5, "{err}");
    assert!(
        err.contains(&format!("cargo run -q -- conformance --out {out}")),
        "{err}"
    );

    let wrote = stdout(&["conformance", "--out", out]);
    assert_eq!(
        wrote.lines().filter(|l| l.starts_with("wrote ")).count(),
        5,
        "{wrote}"
    );
    stdout(&["conformance", "--check", "--out", out]);
    std::fs::write(dir.join("webhooks.json"), "{}\n").unwrap();
    let err = String::from_utf8(run(&["conformance", "--check", "--out", out]).stderr).unwrap();
    assert!(
        err.contains("stale: ") && err.contains("webhooks.json"),
        "{err}"
    );
    assert!(!err.contains("queries.json"), "{err}");

    // Inputs that are not there are named, with what to pass instead.
    let err =
        String::from_utf8(run(&["conformance", "--out", out, "--bodies", "/nonexistent"]).stderr)
            .unwrap();
    assert!(
        err.contains("/nonexistent") && err.contains("--bodies DIR"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn committed_docs_pass_the_check() {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");
    stdout(&["docs", "--check", "--out", docs]);
}

#[test]
fn html_pages_link_to_each_other_by_existing_anchors() {
    let dir = scratch("html");
    stdout(&["docs", "--html", dir.to_str().unwrap()]);
    let pages: Vec<(String, String)> = [
        "index.html",
        "troubleshooting.html",
        "error-reference.html",
        "retry-policy.html",
        "coverage.html",
        "diagnostics.html",
    ]
    .iter()
    .map(|name| {
        (
            name.to_string(),
            std::fs::read_to_string(dir.join(name)).expect("page written"),
        )
    })
    .collect();
    let mut checked = 0;
    for (name, html) in &pages {
        assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
        for href in html
            .split("href=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
        {
            if href == "data:," {
                continue; // the empty icon, which spares the browser a request
            }
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            assert!(!file.ends_with(".md"), "{name} links to Markdown: {href}");
            let target = if file.is_empty() { name.as_str() } else { file };
            let target_html = &pages
                .iter()
                .find(|(n, _)| n == target)
                .unwrap_or_else(|| panic!("{name} links to missing page {href}"))
                .1;
            if !fragment.is_empty() {
                assert!(
                    target_html.contains(&format!("id=\"{fragment}\"")),
                    "{name}: {href} has no target"
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked > debitura_triage::RULES.len(),
        "only {checked} links"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn diagnose_prints_the_docs_url() {
    let v = diagnose(&["--status", "422", "--type", "NoPartnerAvailable"]);
    assert_eq!(
        v["docs_url"],
        debitura_triage::RuleId::NoPartnerAvailable.docs_url()
    );
    let text = stdout(&[
        "diagnose",
        "--status",
        "422",
        "--type",
        "NoPartnerAvailable",
    ]);
    let line = format!(
        "docs:     {}",
        debitura_triage::RuleId::NoPartnerAvailable.docs_url()
    );
    assert!(text.contains(&line), "{text}");
}

fn body_fixture(name: &str) -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/bodies/").to_string() + name
}

/// A documented body: file, status, op, rule, retry, url, retry_after_secs.
type Documented = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<f64>,
);

#[test]
fn documented_bodies_through_the_cli() {
    #[rustfmt::skip]
    let cases: [Documented; 10] = [
        ("dual-write-no-partner.json", "422", "create-case", "no-partner-available", "never", Some("https://support.debitura.com/..."), None),
        ("business-errors-no-partner.json", "422", "create-case", "no-partner-available", "never", Some("https://support.debitura.com/..."), None),
        ("signing-handoff-poa.json", "422", "create-case", "missing-power-of-attorney", "after-user-action", Some("https://...?returnUrl=..."), None),
        ("validation-users.json", "400", "create-client", "create-client-no-users", "never", None, None),
        ("validation-fields.json", "400", "create-case", "case-bad-request", "never", None, None),
        ("problem-details-404.json", "404", "get-case", "case-not-found", "never", None, None),
        ("conflict-needs-linking.json", "409", "create-client", "client-exists-needs-linking", "after-user-action", Some("https://app.debitura.com/ReferralPartner/Approve?token=abc123..."), None),
        ("legacy-business-rule.json", "422", "create-case", "no-partner-available-legacy-body", "never", None, None),
        ("rate-limit.json", "429", "create-case", "rate-limited", "backoff", None, Some(42.0)),
        ("failed-case.json", "201", "create-client", "case-failed-no-partner", "never", None, None),
    ];
    for (file, status, op, rule, retry, url, retry_after) in cases {
        let path = body_fixture(file);
        let v = diagnose(&["--status", status, "--op", op, "--body", &path]);
        assert_eq!(v["rule"], rule, "{file}");
        assert_eq!(v["retry"], retry, "{file}");
        assert_eq!(v["url"].as_str(), url, "{file}");
        assert_eq!(v["retry_after_secs"].as_f64(), retry_after, "{file}");
        // Every key is there, `null` when unknown.
        for key in ["url", "retry_after_secs"] {
            assert!(v.get(key).is_some(), "{file}: `{key}` missing");
        }
    }
}

#[test]
fn a_503_on_a_read_with_an_empty_body_backs_off() {
    let dir = scratch("empty-body");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("empty");
    std::fs::write(&path, b"").unwrap();
    let v = diagnose(&[
        "--status",
        "503",
        "--body",
        path.to_str().unwrap(),
        "--op",
        "get-case",
    ]);
    assert_eq!(v["retry"], "backoff");
    assert_eq!(v["body"], "empty");
    // The same answer to a write not safe to send twice sends nothing again.
    let v = diagnose(&[
        "--status",
        "503",
        "--body",
        path.to_str().unwrap(),
        "--op",
        "manage-webhooks",
        "--method",
        "POST",
    ]);
    assert_eq!(
        (&v["rule"], &v["retry"]),
        (
            &"outcome-unknown-server-error".into(),
            &"after-user-action".into()
        )
    );
    assert!(v["retry_after_secs"].is_null());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_429_with_the_documented_body_waits_42_seconds() {
    let v = diagnose(&[
        "--status",
        "429",
        "--body",
        &body_fixture("rate-limit.json"),
    ]);
    assert_eq!(v["retry"], "backoff");
    assert_eq!(v["retry_after_secs"].as_f64(), Some(42.0));
}

#[test]
fn the_body_can_come_from_standard_input() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(["diagnose", "--status", "422", "--body", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"businessErrors":[{"type":"CreditorBlocked"}]}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rule"], "creditor-blocked");
}

#[test]
fn hostile_bodies_through_the_cli_get_an_answer() {
    let dir = scratch("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let mut deep = vec![b'['; 100_000];
    deep.extend(vec![b']'; 100_000]);
    let mut huge = vec![b' '; 10 * 1024 * 1024];
    huge.extend_from_slice(b"{}");
    let bodies: [(&str, Vec<u8>); 7] = [
        ("empty", Vec::new()),
        ("whitespace", b"  \n ".to_vec()),
        (
            "truncated",
            br#"{"businessErrors":[{"type":"NoPartnerAvail"#.to_vec(),
        ),
        ("not-json", b"Bad Gateway".to_vec()),
        ("invalid-utf8", vec![0xff, 0xfe, 0xfd]),
        ("deep", deep),
        ("huge", huge),
    ];
    for (name, body) in bodies {
        let path = dir.join(name);
        std::fs::write(&path, &body).unwrap();
        let started = std::time::Instant::now();
        let v = diagnose(&[
            "--status",
            "503",
            "--body",
            path.to_str().unwrap(),
            "--op",
            "get-case",
        ]);
        assert_eq!(v["retry"], "backoff", "{name}");
        // Generous: a debug build on a loaded machine; the point is "not stuck".
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{name} took {:?}",
            started.elapsed()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn several_errors_say_which_one_decided() {
    let dir = scratch("several");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("body.json");
    std::fs::write(&path, br#"{"businessErrors":[{"type":"MissingDebtCollectionContract"},{"type":"NoPartnerAvailable"}]}"#).unwrap();
    let v = diagnose(&["--status", "422", "--body", path.to_str().unwrap()]);
    assert_eq!(v["rule"], "no-partner-available");
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);
    assert_eq!(v["findings"][1]["decisive"], true);
    assert_eq!(v["decided_by"], 1);
    assert_eq!(v["decision"], "strictest");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn delivery_log_errors_are_matched_by_their_text() {
    let v = diagnose(&["--delivery-error", "Request timed out after 10 seconds"]);
    assert_eq!(v["rule"], "webhook-delivery-timeout");
    let v = diagnose(&[
        "--delivery-error",
        "Exceeded maximum retry attempts (8 failures)",
    ]);
    assert_eq!(v["rule"], "webhook-disabled-after-failures");
    let v = diagnose(&["--delivery-error", "Network error: connection refused"]);
    assert_eq!(v["rule"], "webhook-delivery-network-error");
    let v = diagnose(&["--delivery-error", "Something nobody documented"]);
    assert_eq!(v["rule"], "webhook-delivery-failed");
}

#[test]
fn a_missing_body_file_is_a_clear_error() {
    let out = run(&[
        "diagnose",
        "--status",
        "422",
        "--body",
        "/nonexistent/body.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read the body from /nonexistent/body.json"),
        "{err}"
    );
    let out = run(&["diagnose", "--body", "x.json"]);
    assert_eq!(out.status.code(), Some(2), "--body without --status");
}

const WEBHOOK_SECRET: &str = "d2ViaG9vayBzZWNyZXQgZm9yIHRoZSBDTEkgdGVzdHM="; // base64 of a test phrase

fn run_with_secret(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(args)
        .env("TEST_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .output()
        .expect("the binary runs")
}

/// Asserts the secret appears nowhere in what a command printed.
fn no_secret(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(WEBHOOK_SECRET), "the secret leaked: {text}");
        assert!(
            !text.contains("webhook secret for the CLI tests"),
            "the decoded secret leaked: {text}"
        );
    }
}

fn webhook_files(name: &str, body: &[u8]) -> (std::path::PathBuf, String) {
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("body.json");
    std::fs::write(&path, body).unwrap();
    let path_text = path.to_str().unwrap().to_string();
    (dir, path_text)
}

fn signed(body_path: &str, timestamp: &str) -> String {
    let out = run_with_secret(&[
        "webhook",
        "sign",
        "--secret-env",
        "TEST_WEBHOOK_SECRET",
        "--body",
        body_path,
        "--timestamp",
        timestamp,
    ]);
    no_secret(&out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn verify(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec![
        "webhook",
        "verify",
        "--secret-env",
        "TEST_WEBHOOK_SECRET",
        "--json",
    ];
    all.extend_from_slice(args);
    let out = run_with_secret(&all);
    no_secret(&out);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), value)
}

#[test]
fn webhook_sign_then_verify_and_each_mistake() {
    let body = br#"{"id":"e1","event":"case.updated","data":{"caseId":"c9"}}"#;
    let (dir, path) = webhook_files("webhook", body);
    let header = signed(&path, "1700000000");
    assert!(header.starts_with("t=1700000000,v1="), "{header}");
    let v1 = header.split("v1=").nth(1).unwrap().to_string();
    // (exit code, rule) for verifying `body` at `now`, with the partner's computed signature.
    let answer = |body: &str, now: &str, computed: Option<&str>| {
        let mut args = vec!["--signature", &header, "--body", body, "--now", now];
        args.extend(computed.map(|c| ["--computed", c]).into_iter().flatten());
        let (code, v) = verify(&args);
        assert_eq!(v["valid"], code == Some(0));
        (code, v["rule"].as_str().map(String::from))
    };

    assert_eq!(answer(&path, "1700000100", None), (Some(0), None));

    // The secret used as text: what a verifier keyed with the string itself computes.
    let out = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args([
            "webhook",
            "sign",
            "--secret-env",
            "TEXT_KEY",
            "--body",
            &path,
            "--timestamp",
            "1700000000",
        ])
        .env("TEXT_KEY", base64_of(WEBHOOK_SECRET.as_bytes()))
        .output()
        .unwrap();
    let wrong = String::from_utf8(out.stdout).unwrap();
    let wrong_v1 = wrong.trim().split("v1=").nth(1).unwrap();
    let used_as_text = answer(&path, "1700000100", Some(wrong_v1));
    assert_eq!(
        used_as_text,
        (Some(1), Some("webhook-secret-used-as-text".into()))
    );

    // A re-serialised (pretty-printed) body.
    let pretty = "{\n  \"id\": \"e1\",\n  \"event\": \"case.updated\",\n  \"data\": {\n    \"caseId\": \"c9\"\n  }\n}";
    let pretty_path = dir.join("pretty.json");
    std::fs::write(&pretty_path, pretty).unwrap();
    let reserialised = answer(pretty_path.to_str().unwrap(), "1700000100", None);
    assert_eq!(
        reserialised,
        (Some(1), Some("webhook-body-re-serialised".into()))
    );

    // A base64 computed signature.
    let digest: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).unwrap())
        .collect();
    let encoding = answer(&path, "1700000100", Some(&base64_of(&digest)));
    assert_eq!(
        encoding,
        (Some(1), Some("webhook-signature-encoding".into()))
    );

    // A stale timestamp.
    let stale = answer(&path, "1700009999", None);
    assert_eq!(
        stale,
        (Some(1), Some("webhook-timestamp-outside-tolerance".into()))
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn the_secret_cannot_be_a_plain_argument() {
    let out = run(&["webhook", "sign", "--secret", WEBHOOK_SECRET, "--body", "-"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--secret"), "{err}");
    let out = run(&[
        "webhook",
        "verify",
        "--signature",
        "t=1,v1=00",
        "--body",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--secret-env"));
}

#[test]
fn webhook_sign_prints_a_curl_command_without_the_secret() {
    let (dir, path) = webhook_files("curl", br#"{"id":"x"}"#);
    let out = run_with_secret(&[
        "webhook",
        "sign",
        "--secret-env",
        "TEST_WEBHOOK_SECRET",
        "--body",
        &path,
        "--timestamp",
        "1700000000",
        "--curl",
        "https://example.org/hooks/debitura",
    ]);
    no_secret(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("curl -X POST https://example.org/hooks/debitura -H"),
        "{text}"
    );
    assert!(
        text.contains("X-Debitura-Signature: t=1700000000,v1="),
        "{text}"
    );
    let quoted = debitura_triage::ShellWord(&path);
    assert!(text.contains(&format!("--data-binary @{quoted}")), "{text}");
    assert!(
        text.contains("-H 'X-Debitura-Signature: t=1700000000,v1="),
        "a header with a space is quoted: {text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn webhook_bad_input_gets_clear_errors() {
    let (dir, path) = webhook_files("bad", b"\x00\x01binary");
    let out = run(&[
        "webhook",
        "sign",
        "--secret-env",
        "DEFINITELY_UNSET_VARIABLE",
        "--body",
        &path,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DEFINITELY_UNSET_VARIABLE is not set"));

    let out = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(["webhook", "sign", "--secret-env", "BAD", "--body", &path])
        .env("BAD", "***not-base64***")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not base64") && !err.contains("***not-base64***"),
        "{err}"
    );

    let (code, v) = verify(&["--signature", "", "--body", &path, "--now", "1"]);
    assert_eq!(
        (code, v["rule"].as_str()),
        (Some(1), Some("webhook-signature-header-malformed"))
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs the binary with `stdin` bytes and returns its output.
fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The binary may stop reading early; a closed pipe is not an error here.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn a_huge_retry_after_is_clamped_through_the_cli() {
    let out = run_with_stdin(
        &["diagnose", "--status", "429", "--body", "-", "--json"],
        br#"{"retryAfter":1e20}"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["retry"], "backoff");
    assert_eq!(v["retry_after_secs"].as_f64(), Some(86_400.0));
}

/// An endless body on standard input: the binary reads what it scans plus one
/// byte, answers, and leaves the rest unread, so the writer sees the pipe
/// close long before it has written much.
#[test]
fn the_body_read_from_standard_input_is_bounded() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args([
            "diagnose", "--status", "500", "--body", "-", "--json", "--op", "get-case",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = [0u8; 8192];
        let mut written = 0usize;
        // 256 MiB, far more than the binary may hold.
        while written < 256 << 20 {
            match input.write(&chunk) {
                Ok(n) => written += n,
                Err(_) => break,
            }
        }
        written
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rule"], "server-error");
    assert!(
        v["body_note"]
            .as_str()
            .unwrap()
            .contains("the rest was not read"),
        "{v}"
    );
    // What was scanned, plus whatever the pipe buffered.
    assert!(written < 8 << 20, "the binary consumed {written} bytes");
}

#[test]
fn strings_from_a_body_cannot_drive_the_terminal() {
    let body = br#"{"businessErrors":[{"type":"X\u001b[2J","solutionUrl":"https://e.org/\u001b]0;owned\u0007"},{"type":"Y\u009b"}]}"#;
    let out = run_with_stdin(&["diagnose", "--status", "422", "--body", "-"], body);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.contains(r"X\u{1b}[2J"), "{text}");
    assert!(
        text.contains(r"https://e.org/\u{1b}]0;owned\u{7}"),
        "{text}"
    );
    // JSON output keeps the exact text, escaped as JSON.
    let out = run_with_stdin(
        &["diagnose", "--status", "422", "--body", "-", "--json"],
        body,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["type"], "X\u{1b}[2J");
    assert_eq!(v["url"], "https://e.org/\u{1b}]0;owned\u{7}");

    let out = run(&["diagnose", "--status", "400", "--type", "A\u{1b}[31mB"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let out = run(&["diagnose", "--symptom", "x\u{1b}[2J"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_secret_given_in_place_of_a_variable_name_is_not_echoed() {
    let (dir, path) = webhook_files("secret-as-name", br#"{"id":"x"}"#);
    for given in [WEBHOOK_SECRET, "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"] {
        let out = run(&["webhook", "sign", "--secret-env", given, "--body", &path]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains(given), "{err}");
        assert!(err.contains("name of an environment variable"), "{err}");
    }
    let out = run(&[
        "webhook",
        "sign",
        "--secret-file",
        WEBHOOK_SECRET,
        "--body",
        &path,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(WEBHOOK_SECRET));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_empty_secret_is_named_and_a_hostile_body_answered() {
    let (dir, path) = webhook_files("empty-secret", br#"{"id":"x"}"#);
    let header = signed(&path, "1700000000");
    let out = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(["webhook", "verify", "--secret-env", "EMPTY", "--json"])
        .args([
            "--signature",
            &header,
            "--body",
            &path,
            "--now",
            "1700000000",
        ])
        .env("EMPTY", "")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (out.status.code(), v["rule"].as_str()),
        (Some(1), Some("webhook-secret-empty"))
    );

    // 64 KiB of `[`: answered, not laid out into gigabytes.
    let brackets = dir.join("brackets.json");
    std::fs::write(&brackets, vec![b'['; 64 * 1024]).unwrap();
    let (code, v) = verify(&[
        "--signature",
        &header,
        "--body",
        brackets.to_str().unwrap(),
        "--now",
        "1700000000",
    ]);
    assert_eq!(
        (code, v["rule"].as_str()),
        (Some(1), Some("webhook-wrong-secret"))
    );

    // A body no webhook could be is refused, not read whole.
    let large = dir.join("large.json");
    std::fs::write(&large, vec![b' '; 5 << 20]).unwrap();
    let out = run_with_secret(&[
        "webhook",
        "verify",
        "--secret-env",
        "TEST_WEBHOOK_SECRET",
        "--signature",
        &header,
        "--body",
        large.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("longer than 4 MiB"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Output into a pipe that closes early, like `| head -c 100`.
fn run_into_closed_pipe(args: &[&str], keep: usize) -> (Vec<u8>, Option<i32>, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .current_dir(ROOT)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut kept = vec![0; keep];
    stdout.read_exact(&mut kept).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    (
        kept,
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    for args in [
        &["rules", "--json"][..],
        &["rules"],
        &["explain", "missing-power-of-attorney"],
    ] {
        let (kept, code, err) = run_into_closed_pipe(args, 100);
        assert_eq!(kept.len(), 100);
        assert!(err.is_empty(), "{args:?} printed: {err}");
        // The output may fit the pipe before it closes; if not, the
        // conventional status of a process stopped by a closed pipe.
        assert!(matches!(code, Some(0 | 141)), "{args:?}: {code:?}");
    }
    let (_, code, err) = run_into_closed_pipe(&["rules", "--json"], 10);
    assert!(
        err.is_empty() && matches!(code, Some(0 | 141)),
        "{code:?} {err}"
    );
}

#[test]
fn a_mistyped_type_or_message_gets_a_suggestion() {
    let out = run(&[
        "diagnose",
        "--type",
        "MissingPowerOfAtorney",
        "--status",
        "422",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean `MissingPowerOfAttorney`?"),
        "{err}"
    );
    let out = run(&[
        "diagnose",
        "--status",
        "400",
        "--message",
        "Unknwn country: XX",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `Unknown country: `?"), "{err}");
    // A known type under another status is not a typo: no suggestion.
    let out = run(&[
        "diagnose",
        "--type",
        "MissingPowerOfAttorney",
        "--status",
        "418",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explain_json_matches_the_rules_listing() {
    let one = json(&["explain", "rate-limited", "--json"]);
    let all = json(&["rules", "--json"]);
    let listed = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "rate-limited")
        .unwrap();
    assert_eq!(&one, listed);
    assert_eq!(one["retry"], "backoff");
}

#[test]
fn the_rule_key_and_no_type_read_alike_everywhere() {
    let all = json(&["rules", "--json"]);
    let rules = all.as_array().unwrap();
    assert!(rules
        .iter()
        .all(|r| r["rule"].is_string() && r.get("id").is_none()));
    // `type: null` in a rule is `null` in JSON, never an empty string.
    let untyped = rules
        .iter()
        .find(|r| {
            r["when"]["type"]
                .as_array()
                .is_some_and(|t| t.contains(&Value::Null))
        })
        .expect("some rule requires that the response has no type");
    assert!(!untyped["when"]["type"]
        .as_array()
        .unwrap()
        .contains(&Value::from("")));
    let v = diagnose(&["--status", "409", "--type", "ClientExistsNeedsLinking"]);
    assert_eq!(v["rule"], "client-exists-needs-linking");
}

/// Both forms of a rule's docs URL lead to an anchor that exists: the
/// repository's Markdown (the default build) and, for a build with
/// `DEBITURA_TRIAGE_DOCS_URL`, the published `docs --html` pages.
#[test]
fn every_docs_url_resolves_in_the_generated_pages() {
    let dir = scratch("docs-urls");
    stdout(&["docs", "--html", dir.to_str().unwrap()]);
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let markdown_dir = std::path::Path::new(ROOT);
    let base = "https://example.org/triage/";
    for id in debitura_triage::RuleId::ALL {
        let (page, anchor) = id.docs_url().split_once('#').unwrap();
        assert_eq!(anchor, id.as_str());
        assert!(markdown_dir.join(page).is_file(), "{page}");
        assert!(
            html.contains(&format!("id=\"{anchor}\"")),
            "no anchor {anchor}"
        );
        let published = debitura_triage_codegen::docs_url(base, id.as_str());
        let (file, anchor) = published
            .strip_prefix(base)
            .and_then(|rest| rest.split_once('#'))
            .unwrap();
        let page = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|_| panic!("{published}: no page {file}"));
        assert!(page.contains(&format!("id=\"{anchor}\"")), "{published}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A copy of `rules/` in a scratch folder, with `edit` applied to one file.
fn rules_copy(name: &str, file: &str, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let dir = scratch(name).join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    let rules = std::path::Path::new(ROOT).join("rules");
    for entry in std::fs::read_dir(rules).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap();
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

/// `rate-limited` turned from backoff to never.
fn stop_retrying_on_429(text: &str) -> String {
    let at = text.find("id: rate-limited").unwrap();
    let retry = at + text[at..].find("retry: backoff").unwrap();
    // The rule's own bounds go with its backoff.
    let end = retry + text[retry..].find("when:").unwrap();
    format!("{}retry: never\n    {}", &text[..retry], &text[end..])
}

#[test]
fn policy_diff_names_the_queries_that_stop_retrying() {
    let rules = std::path::Path::new(ROOT).join("rules");
    let rules = rules.to_str().unwrap();
    let changed = rules_copy(
        "policy-429",
        "rate-limits-and-server-errors.yaml",
        stop_retrying_on_429,
    );
    let changed = changed.to_str().unwrap();
    let args = ["policy", "diff", "--base", rules, "--rules", changed];

    let text = stdout(&args);
    assert!(
        text.contains("stops-retrying: stops retrying where it did"),
        "{text}"
    );
    assert!(
        text.contains("rate-limited (backoff) → rate-limited (never)"),
        "{text}"
    );
    assert!(
        text.contains("debitura-triage diagnose --status 429"),
        "{text}"
    );
    assert!(!text.contains("retries-more"), "{text}");

    let mut failing = args.to_vec();
    failing.extend(["--fail-on", "stops-retrying"]);
    assert_eq!(run(&failing).status.code(), Some(1));
    let mut other = args.to_vec();
    other.extend(["--fail-on", "retries-more"]);
    assert_eq!(run(&other).status.code(), Some(0));

    let mut as_json = args.to_vec();
    as_json.push("--json");
    let v = json(&as_json);
    let groups = v["groups"].as_array().unwrap();
    let (stopping, others): (Vec<&Value>, Vec<&Value>) =
        groups.iter().partition(|g| g["risk"] == "stops-retrying");
    assert_eq!(stopping.len(), 1, "{v}");
    let queries = stopping[0]["queries"].as_array().unwrap();
    assert!(
        queries
            .iter()
            .all(|q| q.as_str().unwrap().contains("--status 429")),
        "{v}"
    );
    // Without a status, `--type rate_limit_exceeded` fitted the rule among
    // other answers; a rule that no longer resends now answers it alone.
    for group in &others {
        assert_eq!(group["risk"], "recognition", "{v}");
        assert_eq!(group["to"]["rule"], "rate-limited", "{v}");
        for q in group["queries"].as_array().unwrap() {
            assert!(!q.as_str().unwrap().contains("--status"), "{v}");
        }
    }
    let total: usize = groups
        .iter()
        .map(|g| g["queries"].as_array().unwrap().len())
        .sum();
    assert_eq!(v["changed"], total);

    let mut as_markdown = args.to_vec();
    as_markdown.push("--markdown");
    let md = stdout(&as_markdown);
    assert!(
        md.starts_with("**Policy diff**") && md.contains("#### `stops-retrying`"),
        "{md}"
    );

    let same = stdout(&["policy", "diff", "--base", rules, "--rules", rules]);
    assert!(same.contains("nothing changed"), "{same}");
    let _ = std::fs::remove_dir_all(scratch("policy-429"));
}

#[test]
fn policy_diff_reads_the_base_at_a_git_revision() {
    let dir = scratch("policy-git");
    let rules = rules_copy("policy-git", "webhooks.yaml", |t| t.to_string());
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "rules"]);
    git(&["commit", "-q", "-m", "rules"]);
    let in_repo = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
            .current_dir(ROOT)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let out = in_repo(&["policy", "diff", "--base", "HEAD"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("nothing changed"),
        "{text}"
    );

    let file = rules.join("rate-limits-and-server-errors.yaml");
    std::fs::write(
        &file,
        stop_retrying_on_429(&std::fs::read_to_string(&file).unwrap()),
    )
    .unwrap();
    let out = in_repo(&[
        "policy",
        "diff",
        "--base",
        "HEAD",
        "--fail-on",
        "stops-retrying",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stops-retrying"));

    let out = in_repo(&["policy", "diff", "--base", "no-such-revision"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("neither a folder nor a git revision"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// What a partner can ask without knowing this crate's operation names, and
/// the answers the catalogue calls for.
#[test]
fn incomplete_questions_and_the_catalogue_rows_get_their_own_rules() {
    let cases: [(&[&str], &str, &str); 7] = [
        (
            &["--status", "400", "--message", "Invalid currency code: XYZ"],
            "case-invalid-currency",
            "never",
        ),
        (
            &["--status", "404", "--op", "get-me"],
            "referral-partner-not-found",
            "never",
        ),
        (
            &["--status", "404", "--op", "trigger-test-webhook"],
            "test-webhook-target-not-found",
            "never",
        ),
        (
            &["--status", "400", "--op", "trigger-test-webhook"],
            "test-webhook-bad-request",
            "never",
        ),
        (
            &[
                "--status",
                "201",
                "--type",
                "UnexpectedError",
                "--op",
                "create-client",
            ],
            "case-failed-unexpected",
            "never",
        ),
        (
            &["--type", "MissingPowerOfAttorney"],
            "missing-power-of-attorney",
            "after-user-action",
        ),
        (&["--status", "429"], "rate-limited", "backoff"),
    ];
    for (args, rule, retry) in cases {
        let v = diagnose(args);
        assert_eq!(v["rule"], rule, "{args:?}");
        assert_eq!(v["retry"], retry, "{args:?}");
    }
    // A backoff carries its bounds; other answers carry none.
    let v = diagnose(&["--status", "429"]);
    assert_eq!(v["backoff"]["attempts"], 4);
    assert_eq!(v["backoff"]["honour_retry_after"], true);
    assert!(diagnose(&["--status", "404", "--op", "get-me"])["backoff"].is_null());
    let text = stdout(&["explain", "rate-limited"]);
    assert!(text.contains("Bounds: 4 attempts in all"), "{text}");
}

#[test]
fn a_failure_of_unknown_outcome_resends_only_a_request_safe_to_send_twice() {
    let cases: &[(&[&str], &str, &str)] = &[
        // Writes that take no key: no automatic resend, and how to check.
        (
            &[
                "--status",
                "503",
                "--op",
                "manage-webhooks",
                "--method",
                "POST",
            ],
            "outcome-unknown-server-error",
            "after-user-action",
        ),
        (
            &["--status", "500", "--op", "upload-case-file"],
            "outcome-unknown-server-error",
            "after-user-action",
        ),
        (
            &["--status", "502", "--op", "create-customer-webhook"],
            "outcome-unknown-server-error",
            "after-user-action",
        ),
        // A write with its key, and reads, back off.
        (
            &[
                "--status",
                "503",
                "--op",
                "create-case",
                "--idempotency-key",
            ],
            "upstream-unavailable",
            "backoff",
        ),
        // The key is never assumed: not stated, both answers fit and the
        // cautious one stands.
        (
            &["--status", "503", "--op", "create-case"],
            "upstream-unavailable+outcome-unknown-server-error",
            "after-user-action",
        ),
        // A method the operation has no route for makes it no safer.
        (
            &["--status", "503", "--op", "create-case", "--method", "PUT"],
            "upstream-unavailable+outcome-unknown-server-error",
            "after-user-action",
        ),
        (
            &[
                "--status",
                "503",
                "--op",
                "upload-case-file",
                "--method",
                "PUT",
            ],
            "outcome-unknown-server-error",
            "after-user-action",
        ),
        (
            &["--status", "502", "--op", "get-case"],
            "upstream-unavailable",
            "backoff",
        ),
        (
            &[
                "--status",
                "503",
                "--op",
                "manage-webhooks",
                "--method",
                "get",
            ],
            "upstream-unavailable",
            "backoff",
        ),
        (
            &[
                "--status",
                "500",
                "--op",
                "create-case",
                "--idempotency-key",
            ],
            "server-error",
            "backoff",
        ),
        (
            &["--status", "500", "--op", "create-case"],
            "server-error+outcome-unknown-server-error",
            "after-user-action",
        ),
        // The same write without its key is not safe.
        (
            &[
                "--status",
                "503",
                "--op",
                "create-case",
                "--no-idempotency-key",
            ],
            "outcome-unknown-server-error",
            "after-user-action",
        ),
        // A query that says nothing of the request gets the cautious answer.
        (
            &["--status", "503"],
            "upstream-unavailable+outcome-unknown-server-error",
            "after-user-action",
        ),
        // Never sent: backed off whatever the operation.
        (
            &["--symptom", "not-sent", "--op", "manage-webhooks"],
            "request-not-sent",
            "backoff",
        ),
        (
            &["--symptom", "not-sent", "--op", "upload-case-file"],
            "request-not-sent",
            "backoff",
        ),
        // Sent, outcome unknown: resent only where safe.
        (
            &[
                "--symptom",
                "no-response",
                "--op",
                "manage-webhooks",
                "--method",
                "POST",
            ],
            "no-response-outcome-unknown",
            "after-user-action",
        ),
        // Its method not said, a subscription call may be a read or a create.
        (
            &["--symptom", "no-response", "--op", "manage-webhooks"],
            "no-response+no-response-outcome-unknown",
            "after-user-action",
        ),
        (
            &["--symptom", "no-response", "--op", "get-case"],
            "no-response",
            "backoff",
        ),
    ];
    for (args, rule, retry) in cases {
        let v = diagnose(args);
        // `a+b`: several rules fit, and none answers alone.
        let (one, several) = match rule.split('+').collect::<Vec<_>>().as_slice() {
            [one] => (Some(*one), serde_json::json!([])),
            many => (None, serde_json::json!(many)),
        };
        assert_eq!(
            (
                v["rule"].as_str(),
                v["retry"].as_str(),
                v["several"].clone()
            ),
            (one, Some(*retry), several),
            "{args:?}"
        );
        if *rule == "outcome-unknown-server-error" {
            let solution = v["solution"].as_str().unwrap();
            assert!(
                solution.contains("Do not send it again on your own"),
                "{solution}"
            );
            assert!(
                solution.contains("GET /v1/Webhooks") && solution.contains("GET /cases/{id}/files")
            );
        }
    }
}

#[test]
fn a_type_that_fits_several_rules_names_them_and_takes_the_cautious_retry() {
    let v = diagnose(&["--type", "NoPartnerAvailable"]);
    assert_eq!(v["rule"], Value::Null);
    assert_eq!(
        v["several"],
        serde_json::json!(["case-failed-no-partner", "no-partner-available"])
    );
    assert_eq!(v["retry"], "never");
    assert_eq!(v["telling"], serde_json::json!(["status", "operation"]));
    assert!(!v["cause"].as_str().unwrap().contains("No rule"), "{v}");
    let text = run(&["diagnose", "--type", "NoPartnerAvailable"]);
    assert_eq!(text.status.code(), Some(3));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("rules:    several fit (--type NoPartnerAvailable): case-failed-no-partner, no-partner-available"), "{text}");
    assert!(!text.contains("none matched"), "{text}");
    // One rule that may fit, or none: not called "several".
    let one = run(&["diagnose", "--type", "rate_limit_exceeded"]);
    let one = String::from_utf8(one.stdout).unwrap();
    assert!(
        one.starts_with(
            "rules:    one may fit (--type rate_limit_exceeded): rate-limited; or none"
        ),
        "{one}"
    );
    // One more field singles one out.
    let v = diagnose(&[
        "--type",
        "NoPartnerAvailable",
        "--status",
        "422",
        "--op",
        "create-case",
    ]);
    assert_eq!(v["rule"], "no-partner-available");
}

#[test]
fn a_rule_that_follows_a_newer_source_keeps_the_pages_words_apart() {
    let v = json(&["explain", "token-minting-not-found", "--json"]);
    assert_eq!(
        v["as_on_page"]["cause"],
        "Client hasn't completed SDCA signing"
    );
    assert!(
        v["cause"].as_str().unwrap().starts_with("No active link"),
        "{v}"
    );
    assert!(json(&["explain", "rate-limited", "--json"])["as_on_page"].is_null());
}

#[test]
fn a_method_that_fits_no_route_is_set_aside_with_a_note() {
    let v = diagnose(&["--status", "503", "--op", "create-case", "--method", "PUT"]);
    assert_eq!(v["method_fits"], false, "{v}");
    let fits = diagnose(&["--status", "503", "--op", "create-case", "--method", "POST"]);
    assert!(fits.get("method_fits").is_none(), "{fits}");
    let out = run(&[
        "diagnose",
        "--status",
        "503",
        "--op",
        "create-case",
        "--method",
        "PUT",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "note:     PUT is not a method of create-case (POST /cases); its routes decide"
        ),
        "{text}"
    );
}

#[test]
fn the_credential_tells_a_refresh_from_a_refused_key() {
    let key = diagnose(&[
        "--status",
        "401",
        "--op",
        "create-case",
        "--auth",
        "api-key",
    ]);
    assert_eq!(
        (&key["rule"], &key["retry"]),
        (&"customer-api-key-rejected".into(), &"never".into())
    );
    // Not said: both fit, the cautious answer stands, and `--auth` tells them apart.
    let unsaid = diagnose(&["--status", "401", "--op", "create-case"]);
    assert_eq!(unsaid["rule"], Value::Null);
    assert_eq!(unsaid["retry"], "never");
    assert_eq!(
        unsaid["several"],
        serde_json::json!(["bearer-token-expired", "customer-api-key-rejected"])
    );
    assert_eq!(unsaid["telling"], serde_json::json!(["auth"]));
    let bad = run(&["diagnose", "--status", "401", "--auth", "bearr"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("bearer"), "{err}");
}

#[test]
fn diagnose_help_says_what_is_assumed_nothing() {
    let help = stdout(&["diagnose", "--help"]);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        !help.contains("a rule matches only when everything it names is given"),
        "{help}"
    );
    assert!(!help.contains("assumed, unless told otherwise"), "{help}");
    assert!(help.contains("nothing you leave out is assumed"), "{help}");
    assert!(help.contains("--auth <AUTH>"), "{help}");
    assert!(
        help.contains("api-key") && help.contains("bearer"),
        "{help}"
    );
}
