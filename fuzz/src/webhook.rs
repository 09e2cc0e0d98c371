//! The `webhook` target.

/// Lines of the input: secret, header, computed signature, then the body.
/// A verdict always comes back, and the secret never shows in a `Debug`.
pub fn webhook_bytes(data: &[u8]) {
    use debitura_triage::webhook::{
        check, parse_header, sign, verify, Delivery, Secret, Tolerance, Verdict,
    };
    let mut parts = data.splitn(4, |&b| b == b'\n');
    let mut text = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (secret, header, computed) = (text(), text(), text());
    let body = parts.next().unwrap_or_default();
    let _ = parse_header(&header);
    let secrets: Vec<&str> = secret.split(',').collect();
    let delivery = Delivery {
        secrets: &secrets,
        header: &header,
        body,
        now: 1_700_000_000,
        computed: (!computed.is_empty()).then_some(computed.as_str()),
        ..Delivery::default()
    };
    let verdict = check(&delivery);
    // A receiver's fast path agrees with the full check on every input.
    let keys: Result<Vec<Secret>, _> = secrets.iter().map(|s| Secret::from_base64(s)).collect();
    if let (Ok(keys), None) = (keys, delivery.computed) {
        let fast = verify(&keys, &header, body, delivery.now, Tolerance::DEBITURA);
        assert_eq!(
            fast.is_ok(),
            verdict == Verdict::Valid,
            "verify and check disagree"
        );
    }
    let others = vec!["another"; secrets.len()];
    let other = Delivery {
        secrets: &others,
        ..delivery
    };
    assert_eq!(
        format!("{delivery:?}"),
        format!("{other:?}"),
        "Debug shows the secret"
    );
    if let Ok(signed) = sign(secrets[0], 1_700_000_000, body) {
        let valid = Delivery {
            header: &signed,
            computed: None,
            ..delivery
        };
        assert_eq!(check(&valid), Verdict::Valid);
    }
}
