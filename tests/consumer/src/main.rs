//! What a service writes against `debitura-triage` with `default-features =
//! false` and the `serde` feature. Exits non-zero (by a failed assertion) if a
//! convention is missing.

use debitura_triage::{diagnose, Credential, Operation, Query, Retry, RuleId};

fn main() {
    let retry: Retry = "token-refresh".parse().expect("a retry policy name");
    assert_eq!(retry, Retry::TokenRefresh);
    assert!("token_refresh".parse::<Retry>().is_err());

    let query = Query::new()
        .status(401)
        .operation(Operation::CreateCase)
        .credential(Credential::Bearer);
    let d1 = diagnose(&query);
    let d2 = diagnose(&query);
    assert!(d1 == d2);
    assert_eq!(d1.retry(), retry);

    let rule_id = d1.rule_id().expect("a 401 on case creation is known");
    assert_eq!(format!("{rule_id}"), "bearer-token-expired");
    assert_eq!("bearer-token-expired".parse::<RuleId>(), Ok(rule_id));

    let debug = format!("{d1:?}");
    assert!(debug.len() < 200, "{debug}");

    // Nothing unsaid is assumed: without the credential, both rules fit.
    let unsaid = diagnose(&Query::new().status(401).operation(Operation::CreateCase));
    assert_eq!(unsaid.retry(), Retry::Never);
    assert_eq!(unsaid.several().map(|s| s.rules.len()), Some(2));
    let credential: Credential = serde_json::from_str("\"api-key\"").expect("a credential name");
    assert_eq!(credential, Credential::ApiKey);

    let json = serde_json::to_string(&d1.answer()).expect("an answer serialises");
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(value["rule"], "bearer-token-expired");
    assert_eq!(value["retry"], "token-refresh");
    let back: Retry = serde_json::from_value(value["retry"].clone()).expect("deserialises");
    assert_eq!(back, Retry::TokenRefresh);
    println!("ok: {json}");
}
