//! `debitura-triage webhook status|missed|replay|trigger`: the webhook
//! commands that call Debitura, through the reqwest layer's webhook client
//! (every request through the core's call machine). Text from Debitura is
//! printed through `printable`; the API key and the tokens are never
//! printed.

use std::collections::BTreeMap;
use std::time::Duration;

use debitura_triage::{Diagnosis, Environment};
use debitura_triage_reqwest::webhooks::{
    Api, Delivery, Endpoints, Replayed, Subscription, TriggerFor, WebhookClient, WebhookError,
};
use debitura_triage_reqwest::{OAuthTokens, Triage};
use serde_json::{json, Value};

use crate::args::{Remote, ReplayWhat, WebhookCommand};
use crate::printable;

/// Exit status when something is wrong: a disabled subscription, a missed
/// delivery, a replay refused or of unknown outcome, nothing enqueued.
const FOUND: u8 = 1;

/// Exit status when Debitura could not be asked (its answer diagnosed).
pub const UNREACHABLE: u8 = 4;

/// How long one call may take, every attempt and wait included.
const CALL_DEADLINE: Duration = Duration::from_secs(60);

/// The text to print and the exit status; an error (bad usage, or nothing
/// could be sent) is for exit status 2.
pub type Outcome = Result<(String, u8), String>;

/// Runs one of the commands that call Debitura.
pub fn run(action: &WebhookCommand) -> Outcome {
    match action {
        WebhookCommand::Status { remote, tenant } => {
            with_client(remote, |c| status(c, tenant.as_deref(), remote.json))
        }
        WebhookCommand::Missed {
            remote,
            tenant,
            since,
            case,
        } => with_client(remote, |c| {
            missed(c, tenant, since, case.as_deref(), remote.json)
        }),
        WebhookCommand::Replay {
            remote,
            tenant,
            what,
            enable,
        } => with_client(remote, |c| replay(c, tenant, what, *enable, remote.json)),
        WebhookCommand::Trigger {
            remote,
            event,
            case,
            client,
        } => {
            if remote.environment != Some(Environment::Test) {
                return Err(
                    "test events can be fired in the test environment only: give --env test \
                     (nothing was sent)"
                        .into(),
                );
            }
            let about = match (case, client) {
                (Some(case), _) => TriggerFor::Case(case),
                (None, Some(client)) => TriggerFor::Client(client),
                (None, None) => return Err("give --case ID or --client ID".into()),
            };
            with_client(remote, |c| trigger(c, event, about, remote.json))
        }
        WebhookCommand::Verify { .. } | WebhookCommand::Sign { .. } => {
            Err("`webhook verify` and `sign` call no one".into())
        }
    }
}

/// Builds the client `remote` names and runs `work` with it on a
/// one-thread runtime.
fn with_client<F, Fut>(remote: &Remote, work: F) -> Outcome
where
    F: FnOnce(WebhookClient) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let key = remote.key.read()?;
    if key.is_empty() {
        return Err("the API key is empty".into());
    }
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let (endpoints, tokens) = match (&remote.base_url, remote.environment) {
        (Some(base), environment) => {
            if !(base.starts_with("https://") || base.starts_with("http://")) {
                return Err(format!(
                    "--base-url takes an http:// or https:// URL, not {}",
                    printable(base)
                ));
            }
            let base = base.trim_end_matches('/');
            (
                Endpoints::at(base, environment),
                OAuthTokens::with_base_url(http.clone(), base, &key),
            )
        }
        (None, Some(environment)) => (
            Endpoints::of(environment),
            OAuthTokens::new(http.clone(), environment, &key),
        ),
        (None, None) => return Err("give --env test|production or --base-url URL".into()),
    };
    let client = reqwest_middleware::ClientBuilder::new(http)
        .with(Triage::with_tokens(tokens).deadline(CALL_DEADLINE))
        .build();
    let webhooks = WebhookClient::new(client, endpoints, key);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(work(webhooks))
}

/// A failed request as the text to print, with exit status 4.
fn failed(what: &str, error: &WebhookError) -> (String, u8) {
    (
        format!("{what}: {}\n", printable(&error.to_string())),
        UNREACHABLE,
    )
}

fn rule_json(d: &Diagnosis) -> Value {
    json!({
        "rule": d.rule_id().map(|r| r.as_str()),
        "cause": d.cause(),
        "solution": d.solution(),
        "retry": d.retry().as_str(),
    })
}

fn error_json(error: &WebhookError) -> Value {
    match error.triage() {
        Some(t) => json!({
            "status": t.status(),
            "rule": t.rule_id().map(|r| r.as_str()),
            "solution": t.solution(),
            "reason": t.reason().as_str(),
            "attempts": t.attempts(),
        }),
        None => json!({ "error": error.to_string() }),
    }
}

fn subscription_json(s: &Subscription) -> Value {
    json!({
        "api": s.api.as_str(),
        "id": s.id,
        "url": s.url,
        "events": s.events,
        "active": s.active,
        "testMode": s.test_mode,
        "disabledReason": s.disabled_reason,
        "diagnosis": s.diagnosis().as_ref().map(rule_json),
    })
}

fn subscription_text(s: &Subscription) -> String {
    let state = match (&s.active, &s.disabled_reason) {
        (true, _) => "active".to_owned(),
        (false, Some(reason)) => format!("disabled: {}", printable(reason)),
        (false, None) => "disabled".to_owned(),
    };
    let mut out = format!("{}  {}  {state}\n", s.api, printable(&s.id));
    out += &format!("  url:     {}\n", printable(&s.url));
    let events: Vec<_> = s.events.iter().map(|e| printable(e).into_owned()).collect();
    out += &format!("  events:  {}\n", events.join(", "));
    if !s.active {
        if let Some(d) = s.diagnosis() {
            if let Some(rule) = d.rule_id() {
                out += &format!("  rule:    {rule}\n  do:      {}\n", d.solution());
            }
        }
    }
    out
}

/// The subscriptions of both APIs (the client's when `tenant` is given).
async fn subscriptions(
    webhooks: &WebhookClient,
    tenant: Option<&str>,
) -> Result<Vec<Subscription>, (String, u8)> {
    let mut all = webhooks
        .subscriptions(Api::ReferralPartner, None)
        .await
        .map_err(|e| failed("listing the Referral Partner API's subscriptions", &e))?;
    if let Some(tenant) = tenant {
        let customer = webhooks
            .subscriptions(Api::Customer, Some(tenant))
            .await
            .map_err(|e| failed("listing the client's Customer API subscriptions", &e))?;
        all.extend(customer);
    }
    Ok(all)
}

async fn status(webhooks: WebhookClient, tenant: Option<&str>, json: bool) -> Outcome {
    let all = match subscriptions(&webhooks, tenant).await {
        Ok(all) => all,
        Err(done) => return Ok(done),
    };
    let code = if all.iter().any(|s| !s.active) {
        FOUND
    } else {
        0
    };
    let text = if json {
        json!({ "subscriptions": all.iter().map(subscription_json).collect::<Vec<_>>() })
            .to_string()
            + "\n"
    } else if all.is_empty() {
        "no subscriptions\n".to_owned()
    } else {
        all.iter().map(subscription_text).collect()
    };
    Ok((text, code))
}

/// The missed deliveries, grouped by subscription and event.
fn grouped(missed: &[Delivery]) -> BTreeMap<(String, String), Vec<&Delivery>> {
    let mut groups: BTreeMap<(String, String), Vec<&Delivery>> = BTreeMap::new();
    for d in missed {
        let key = (
            d.subscription
                .clone()
                .unwrap_or_else(|| "(not given)".into()),
            d.event.clone().unwrap_or_else(|| "(not given)".into()),
        );
        groups.entry(key).or_default().push(d);
    }
    groups
}

fn delivery_json(d: &Delivery) -> Value {
    json!({
        "id": d.id,
        "event": d.event,
        "subscription": d.subscription,
        "caseId": d.case_id,
        "attemptCount": d.attempt_count,
        "lastResponseCode": d.last_response_code,
        "lastError": d.last_error,
        "diagnosis": rule_json(&d.diagnosis()),
    })
}

async fn missed(
    webhooks: WebhookClient,
    tenant: &str,
    since: &str,
    case: Option<&str>,
    json: bool,
) -> Outcome {
    let log = match webhooks.deliveries(tenant, since, case).await {
        Ok(log) => log,
        Err(e) => return Ok(failed("reading the delivery log", &e)),
    };
    let missed: Vec<Delivery> = log.into_iter().filter(Delivery::missed).collect();
    let code = if missed.is_empty() { 0 } else { FOUND };
    if json {
        let groups: Vec<Value> = grouped(&missed)
            .into_iter()
            .map(|((subscription, event), rows)| {
                json!({
                    "subscription": subscription,
                    "event": event,
                    "deliveries": rows.iter().map(|d| delivery_json(d)).collect::<Vec<_>>(),
                })
            })
            .collect();
        return Ok((json!({ "missed": groups }).to_string() + "\n", code));
    }
    if missed.is_empty() {
        return Ok((
            format!(
                "no missed deliveries since {} (rows appear up to about 30 s after an event)\n",
                printable(since)
            ),
            0,
        ));
    }
    let mut out = String::new();
    for ((subscription, event), rows) in grouped(&missed) {
        out += &format!(
            "subscription {}, event {}: {} missed\n",
            printable(&subscription),
            printable(&event),
            rows.len()
        );
        for d in rows {
            let attempts = d
                .attempt_count
                .map_or(String::new(), |n| format!("  attempts {n}"));
            let last = d
                .last_error
                .as_deref()
                .map(|e| printable(e).into_owned())
                .or_else(|| d.last_response_code.map(|c| format!("HTTP {c}")))
                .unwrap_or_else(|| "no answer recorded".into());
            out += &format!("  {}{attempts}  {last}\n", printable(&d.id));
            let diagnosis = d.diagnosis();
            if let Some(rule) = diagnosis.rule_id() {
                out += &format!("    rule: {rule}\n    do:   {}\n", diagnosis.solution());
            }
        }
    }
    out += "replay them once each with `debitura-triage webhook replay`\n";
    Ok((out, code))
}

async fn replay(
    webhooks: WebhookClient,
    tenant: &str,
    what: &ReplayWhat,
    enable: bool,
    json: bool,
) -> Outcome {
    let ids: Vec<String> = match what {
        ReplayWhat::Ids(ids) => ids.clone(),
        ReplayWhat::AllMissed { since, case } => {
            match webhooks.deliveries(tenant, since, case.as_deref()).await {
                Ok(log) => log
                    .into_iter()
                    .filter(Delivery::missed)
                    .map(|d| d.id)
                    .collect(),
                Err(e) => return Ok(failed("reading the delivery log", &e)),
            }
        }
    };
    let mut enabled = Vec::new();
    if enable {
        let all = match subscriptions(&webhooks, Some(tenant)).await {
            Ok(all) => all,
            Err(done) => return Ok(done),
        };
        for s in all.iter().filter(|s| !s.active) {
            let of_tenant = (s.api == Api::Customer).then_some(tenant);
            if let Err(e) = webhooks.enable(s, of_tenant).await {
                return Ok(failed(
                    &format!("setting subscription {} active", printable(&s.id)),
                    &e,
                ));
            }
            enabled.push((s.api, s.id.clone()));
        }
    }
    let mut sent = Vec::new();
    let mut unknown = Vec::new();
    let mut refused = Vec::new();
    for id in &ids {
        match webhooks.replay(tenant, id).await {
            Replayed::Sent => sent.push(id),
            Replayed::Unknown(e) => unknown.push((id, e)),
            Replayed::Failed(e) => refused.push((id, e)),
        }
    }
    let code = if unknown.is_empty() && refused.is_empty() {
        0
    } else {
        FOUND
    };
    if json {
        let value = json!({
            "enabled": enabled.iter().map(|(api, id)| json!({ "api": api.as_str(), "id": id })).collect::<Vec<_>>(),
            "sent": sent,
            "unknown": unknown.iter().map(|(id, e)| json!({ "id": id, "error": error_json(e) })).collect::<Vec<_>>(),
            "failed": refused.iter().map(|(id, e)| json!({ "id": id, "error": error_json(e) })).collect::<Vec<_>>(),
        });
        return Ok((value.to_string() + "\n", code));
    }
    let mut out = String::new();
    for (api, id) in &enabled {
        out += &format!("enabled  {api} {}\n", printable(id));
    }
    if ids.is_empty() {
        out += "nothing to replay\n";
    }
    for id in &sent {
        out += &format!("sent     {}\n", printable(id));
    }
    for (id, e) in &unknown {
        out += &format!(
            "unknown  {}: {}\n         not sent again (each replay delivers again): look for it \
             in the delivery log before replaying it\n",
            printable(id),
            printable(&e.to_string())
        );
    }
    for (id, e) in &refused {
        out += &format!(
            "failed   {}: {}\n",
            printable(id),
            printable(&e.to_string())
        );
    }
    Ok((out, code))
}

async fn trigger(
    webhooks: WebhookClient,
    event: &str,
    about: TriggerFor<'_>,
    json: bool,
) -> Outcome {
    let fired = match webhooks.trigger(event, about).await {
        Ok(fired) => fired,
        Err(WebhookError::NotInTest) => {
            return Err(
                "test events can be fired in the test environment only (nothing was sent)".into(),
            )
        }
        Err(e) => return Ok(failed("firing the test event", &e)),
    };
    let code = if fired.diagnosis.is_some() { FOUND } else { 0 };
    if json {
        let value = json!({
            "eventType": fired.event_type,
            "enqueuedCount": fired.enqueued_count,
            "message": fired.message,
            "diagnosis": fired.diagnosis.as_ref().map(rule_json),
        });
        return Ok((value.to_string() + "\n", code));
    }
    let mut out = format!(
        "{}: {} queued\n",
        printable(fired.event_type.as_deref().unwrap_or(event)),
        fired
            .enqueued_count
            .map_or_else(|| "(not said)".to_owned(), |n| n.to_string())
    );
    if let Some(message) = &fired.message {
        out += &format!("  {}\n", printable(message));
    }
    if let Some(d) = &fired.diagnosis {
        if let Some(rule) = d.rule_id() {
            out += &format!("  rule: {rule}\n  do:   {}\n", d.solution());
        }
    }
    Ok((out, code))
}
