//! The catalog: every rule, one rule by id, a rule's backoff waits, and
//! the names of the operations and environments.

use debitura_triage::{printable, Environment, Operation, RuleId, RULES};
use napi::Result;
use napi_derive::napi;
use serde_json::Value;

use crate::answer::{invalid, to_js};

fn rule_id(id: &str) -> Result<RuleId> {
    RuleId::from_id(id).ok_or_else(|| {
        invalid(
            id.parse::<RuleId>()
                .err()
                .map_or_else(|| format!("no rule `{}`", printable(id)), |e| e.to_string()),
        )
    })
}

/// Every rule of the catalog, in its order.
#[napi(js_name = "rules")]
pub fn rules() -> Result<Value> {
    to_js(&RULES[..])
}

/// The rule with this id (a retired id gives the rule that replaced it).
#[napi(js_name = "rule")]
pub fn rule(id: String) -> Result<Value> {
    to_js(rule_id(&id)?.rule())
}

/// Seconds to wait before resend `resend` (1 for the first) of a call that
/// rule `id` backs off, before jitter; none once its attempts are used up
/// or when the rule does not back off.
#[napi(js_name = "backoffDelay")]
pub fn backoff_delay(id: String, resend: u32) -> Result<Option<f64>> {
    Ok(rule_id(&id)?
        .rule()
        .backoff
        .and_then(|b| b.delay(resend))
        .map(|d| d.as_secs_f64()))
}

/// The operations' names.
#[napi(js_name = "operations")]
pub fn operations() -> Vec<&'static str> {
    Operation::ALL.iter().map(|o| o.as_str()).collect()
}

/// The environments' names.
#[napi(js_name = "environments")]
pub fn environments() -> Vec<&'static str> {
    Environment::ALL.iter().map(|e| e.as_str()).collect()
}

/// The base host of `operation`'s API in `environment`
/// (`host("mint-token", "test")` is `testreferral-api.debitura.com`).
#[napi(js_name = "host")]
pub fn host(operation: String, environment: String) -> Result<Option<&'static str>> {
    let operation: Operation = operation.parse().map_err(|e| invalid(format!("{e}")))?;
    let environment: Environment = environment.parse().map_err(|e| invalid(format!("{e}")))?;
    Ok(operation.host(environment))
}
