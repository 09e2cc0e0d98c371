//! Every scenario of `conformance/calls.json`, carried out by the layer
//! against a fake Debitura on 127.0.0.1 that answers as the scenario
//! scripts, in real time. It prints how many ran and passed, and fails
//! naming each scenario that did not.

mod support;

use std::time::{Duration, Instant};

use debitura_triage_reqwest::{Error, OAuthTokens, RetryBudget, Tenant, Triage};
use reqwest_middleware::ClientWithMiddleware;
use serde_json::{json, Value};
use support::{Fake, Reply};

const SUITE: &str = include_str!("../../conformance/calls.json");

/// How long after the call starts a fake whose first answer is `refused`
/// begins to listen: after the first attempt, before the rule's first wait
/// (at least 900 ms) is over.
const LISTEN_AFTER: Duration = Duration::from_millis(400);

/// How many more bytes a stalled body declares than it sends.
const STALLED_MORE: usize = 1024;

fn main() {
    let suite: Value = serde_json::from_str(SUITE).expect("calls.json is JSON");
    let scenarios = suite["cases"].as_array().expect("cases");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut failed = Vec::new();
    for scenario in scenarios {
        let name = scenario["name"].as_str().unwrap_or("?");
        if let Err(why) = runtime.block_on(run(scenario)) {
            eprintln!("FAILED {name}: {why}");
            failed.push(name);
        }
    }
    println!(
        "calls.json through reqwest: {} scenarios, {} passed",
        scenarios.len(),
        scenarios.len() - failed.len()
    );
    if !failed.is_empty() || scenarios.len() != suite["count"].as_u64().unwrap_or(0) as usize {
        eprintln!("failed: {failed:?}");
        std::process::exit(1);
    }
}

/// The reply a scripted entry stands for.
fn reply(entry: &Value) -> Reply {
    if entry["connection"] == "closed" {
        return Reply::Close;
    }
    let status = entry["status"].as_u64().unwrap_or(500);
    let body = entry["body"].as_str().unwrap_or_default();
    let mut head = format!("HTTP/1.1 {status} Scripted\r\n");
    for (name, value) in entry["headers"].as_object().into_iter().flatten() {
        head.push_str(&format!(
            "{name}: {}\r\n",
            value.as_str().unwrap_or_default()
        ));
    }
    let stall = entry["stall"] == true;
    let length = body.len() + if stall { STALLED_MORE } else { 0 };
    head.push_str(&format!(
        "content-length: {length}\r\nconnection: close\r\n\r\n{body}"
    ));
    if stall {
        Reply::Stall(head.into_bytes())
    } else {
        Reply::Send(head.into_bytes())
    }
}

/// A fake answering `script` in order, the last entry repeating, from
/// entry `skip` on.
fn scripted(script: Vec<Value>, skip: usize) -> impl Fn(usize, &support::Received) -> Reply {
    move |n, _| match script.get((n + skip).min(script.len().saturating_sub(1))) {
        Some(entry) => reply(entry),
        None => Reply::Close,
    }
}

async fn run(scenario: &Value) -> Result<(), String> {
    let request = &scenario["request"];
    let options = &scenario["options"];
    let expect = &scenario["expect"];
    let answers = scenario["answers"].as_array().cloned().unwrap_or_default();
    let mint = support::serve(scripted(
        scenario["mint"].as_array().cloned().unwrap_or_default(),
        0,
    ))
    .await;

    // A leading `refused` entry: nothing listens until the first attempt
    // has been refused.
    let refused = answers
        .iter()
        .take_while(|a| a["connection"] == "refused")
        .count();
    let (base, api) = if refused > 0 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let script = answers.clone();
        let later = tokio::spawn(async move {
            tokio::time::sleep(LISTEN_AFTER).await;
            support::serve_at(&addr, scripted(script, refused)).await
        });
        (format!("http://127.0.0.1:{port}"), Err(later))
    } else {
        let fake = support::serve(scripted(answers, 0)).await;
        (fake.base.clone(), Ok(fake))
    };

    let client = client(&mint.base, options)?;
    let calls = options["calls"].as_u64().unwrap_or(1) as usize;
    let started = Instant::now();
    let ended: Vec<Value> = {
        let tasks: Vec<_> = (0..calls)
            .map(|_| {
                let (client, request, base) = (client.clone(), request.clone(), base.clone());
                tokio::spawn(async move { outcome(&client, &base, &request).await })
            })
            .collect();
        let mut ended = Vec::with_capacity(calls);
        for task in tasks {
            ended.push(task.await.map_err(|e| e.to_string())?);
        }
        ended
    };
    let api: Fake = match api {
        Ok(fake) => fake,
        Err(later) => later.await.map_err(|e| e.to_string())?,
    };

    let path = request["path"].as_str().unwrap_or_default();
    let received: Vec<support::Received> = api
        .received()
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    check_requests(expect, received.len())?;
    check("mints", &json!(mint.count()), &expect["mints"])?;
    check_key(expect["key"].as_str().unwrap_or("none"), &received)?;
    let least = Duration::from_millis(expect["least_wait_ms"].as_u64().unwrap_or(0));
    if let Some(last) = received.last() {
        let waited = last.at.saturating_duration_since(started);
        if waited < least {
            return Err(format!(
                "the last request came {waited:?} after the start, before {least:?}"
            ));
        }
    }
    match (&expect["outcome"], expect["outcomes"].as_array()) {
        (Value::Null, Some(allowed)) => {
            for got in &ended {
                if !allowed.iter().any(|a| matches(got, a)) {
                    return Err(format!("an outcome not allowed: {got}"));
                }
            }
            if !ended.iter().any(|got| matches(got, &expect["some"])) {
                return Err(format!("no call ended as {}", expect["some"]));
            }
            Ok(())
        }
        (want, _) => ended.iter().try_for_each(|got| {
            if matches(got, want) {
                Ok(())
            } else {
                Err(format!("ended as {got}, not {want}"))
            }
        }),
    }
}

fn client(mint_base: &str, options: &Value) -> Result<ClientWithMiddleware, String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let tokens = OAuthTokens::with_base_url(http.clone(), mint_base, "test-key");
    let mut layer = Triage::with_tokens(tokens);
    if let Some(b) = options["budget"].as_object() {
        let budget = RetryBudget::new(
            b["ratio"].as_f64().unwrap_or(0.2) as f32,
            b["reserve_per_second"].as_u64().unwrap_or(10) as u32,
            Duration::from_secs(b["window_secs"].as_u64().unwrap_or(10)),
        )
        .map_err(|e| e.to_string())?;
        layer = layer.budget(budget);
    }
    if let Some(ms) = options["deadline_ms"].as_u64() {
        layer = layer.deadline(Duration::from_millis(ms));
    }
    Ok(reqwest_middleware::ClientBuilder::new(http)
        .with(layer)
        .build())
}

/// Makes the call and says how it ended, in the suite's terms.
async fn outcome(client: &ClientWithMiddleware, base: &str, request: &Value) -> Value {
    let method =
        reqwest::Method::from_bytes(request["method"].as_str().unwrap_or("GET").as_bytes())
            .unwrap_or(reqwest::Method::GET);
    let url = format!("{base}{}", request["path"].as_str().unwrap_or_default());
    let mut builder = client
        .request(method, url)
        .header("content-type", "application/json")
        .body(request["body"].as_str().unwrap_or_default().to_owned());
    for (name, value) in request["headers"].as_object().into_iter().flatten() {
        builder = builder.header(name.as_str(), value.as_str().unwrap_or_default());
    }
    if let Some(tenant) = request["tenant"].as_str() {
        builder = builder.with_extension(Tenant::new(tenant));
    }
    match builder.send().await {
        Ok(response) => json!({ "status": response.status().as_u16() }),
        Err(err) => match Error::of(&err) {
            Some(e) => json!({ "stopped": {
                "rule": e.rule_id().map(|r| r.as_str()),
                "retry": e.retry().as_str(),
                "reason": e.reason().as_str(),
                "url": e.url(),
                "retry_after_secs": e.retry_after().map(|d| d.as_secs_f64()),
            }}),
            None => json!({ "bare_error": err.to_string() }),
        },
    }
}

/// Whether `got` is the outcome `want` states: the same status, or a stop
/// with the same value for every key `want` gives.
fn matches(got: &Value, want: &Value) -> bool {
    match (got.get("stopped"), want.get("stopped")) {
        (Some(got), Some(Value::Object(want))) => want.iter().all(|(k, v)| &got[k] == v),
        (None, None) => got == want,
        _ => false,
    }
}

fn check(what: &str, got: &Value, want: &Value) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: {got}, not {want}"))
    }
}

fn check_requests(expect: &Value, got: usize) -> Result<(), String> {
    let got_v = json!(got);
    if !expect["requests"].is_null() {
        return check("requests", &got_v, &expect["requests"]);
    }
    let least = expect["requests_at_least"].as_u64().unwrap_or(0) as usize;
    let most = expect["requests_at_most"]
        .as_u64()
        .map_or(usize::MAX, |m| m as usize);
    if (least..=most).contains(&got) {
        Ok(())
    } else {
        Err(format!("{got} requests, not from {least} to {most}"))
    }
}

/// Every copy carried the expected key: none, one the layer added (the
/// same on each), or the caller's.
fn check_key(want: &str, received: &[support::Received]) -> Result<(), String> {
    let keys: Vec<Option<&str>> = received
        .iter()
        .map(|r| r.idempotency_key.as_deref())
        .collect();
    let ok = match want {
        "none" => keys.iter().all(Option::is_none),
        "added" => {
            keys.first().is_some_and(|k| k.is_some()) && keys.windows(2).all(|w| w[0] == w[1])
        }
        theirs => keys.iter().all(|k| *k == Some(theirs)),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("keys {keys:?}, not {want}"))
    }
}
