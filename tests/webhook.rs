//! Webhook signatures: sign → verify round trips, one test per documented
//! mistake, hostile input, and the property that any change breaks validity.
//! Every signature here is made in the test from a known secret.
#![cfg(feature = "webhook")]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use debitura_triage::webhook::{
    check, parse_header, sign, verify, Delivery, Mistake, Secret, Tolerance, Verdict,
    FUTURE_TOLERANCE_SECS, MAX_SIGNATURES, TOLERANCE_SECS,
};
use debitura_triage::RuleId;
use proptest::prelude::*;

const T: u64 = 1_700_000_000;

fn secret() -> String {
    STANDARD.encode(b"known secret bytes for the tests")
}

const COMPACT: &[u8] = br#"{"id":"550e8400","specVersion":"1.0","event":"case.created","data":{"caseId":"c1","tags":[]}}"#;

fn pretty() -> Vec<u8> {
    b"{\n  \"id\": \"550e8400\",\n  \"specVersion\": \"1.0\",\n  \"event\": \"case.created\",\n  \"data\": {\n    \"caseId\": \"c1\",\n    \"tags\": []\n  }\n}".to_vec()
}

/// A delivery checked with one secret. The one-element list is leaked: a few
/// bytes per test, so that the helper can hand out a `Delivery` by value.
fn delivery<'a>(secret: &'a str, header: &'a str, body: &'a [u8]) -> Delivery<'a> {
    Delivery {
        secrets: Box::leak(Box::new([secret])),
        header,
        body,
        now: T + 5,
        tolerance: Tolerance::DEBITURA,
        computed: None,
    }
}

fn v1(header: &str) -> &str {
    parse_header(header).unwrap().v1()
}

#[test]
fn sign_then_verify_is_valid() {
    let secret = secret();
    let header = sign(&secret, T, COMPACT).unwrap();
    assert_eq!(check(&delivery(&secret, &header, COMPACT)), Verdict::Valid);
    // The partner's own correct computation is valid too.
    let d = Delivery {
        computed: Some(v1(&header)),
        ..delivery(&secret, &header, COMPACT)
    };
    assert_eq!(check(&d), Verdict::Valid);
}

#[test]
fn secret_used_as_text_is_named() {
    let secret = secret();
    let header = sign(&secret, T, COMPACT).unwrap();
    // HMAC keyed with the text of the secret: sign with the text as if it were the bytes.
    let wrong = sign(&STANDARD.encode(secret.as_bytes()), T, COMPACT).unwrap();
    let d = Delivery {
        computed: Some(v1(&wrong)),
        ..delivery(&secret, &header, COMPACT)
    };
    assert_eq!(check(&d), Verdict::Mistake(Mistake::SecretUsedAsText));
    assert_eq!(
        Mistake::SecretUsedAsText.diagnosis().rule_id(),
        Some(RuleId::WebhookSecretUsedAsText)
    );
}

#[test]
fn a_re_serialised_body_is_named_both_ways() {
    let secret = secret();
    let signed_compact = sign(&secret, T, COMPACT).unwrap();
    assert_eq!(
        check(&delivery(&secret, &signed_compact, &pretty())),
        Verdict::Mistake(Mistake::BodyReserialised)
    );
    let pretty = pretty();
    let signed_pretty = sign(&secret, T, &pretty).unwrap();
    assert_eq!(
        check(&delivery(&secret, &signed_pretty, COMPACT)),
        Verdict::Mistake(Mistake::BodyReserialised)
    );
    assert_eq!(
        Mistake::BodyReserialised.diagnosis().rule_id(),
        Some(RuleId::WebhookBodyReSerialised)
    );
}

#[test]
fn a_base64_or_upper_case_computed_signature_is_named() {
    let secret = secret();
    let header = sign(&secret, T, COMPACT).unwrap();
    let digest: Vec<u8> = (0..v1(&header).len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1(&header)[i..i + 2], 16).unwrap())
        .collect();
    for computed in [STANDARD.encode(&digest), v1(&header).to_uppercase()] {
        let d = Delivery {
            computed: Some(&computed),
            ..delivery(&secret, &header, COMPACT)
        };
        assert_eq!(
            check(&d),
            Verdict::Mistake(Mistake::SignatureEncoding),
            "{computed}"
        );
    }
}

#[test]
fn a_stale_or_future_timestamp_is_named() {
    let secret = secret();
    let header = sign(&secret, T, COMPACT).unwrap();
    // Debitura's sample receiver: 300 s old, 30 s ahead.
    for now in [T + TOLERANCE_SECS + 1, T - FUTURE_TOLERANCE_SECS - 1] {
        let d = Delivery {
            now,
            ..delivery(&secret, &header, COMPACT)
        };
        assert_eq!(
            check(&d),
            Verdict::Mistake(Mistake::TimestampOutsideTolerance),
            "now {now}"
        );
    }
    for now in [T + TOLERANCE_SECS, T - FUTURE_TOLERANCE_SECS] {
        let d = Delivery {
            now,
            ..delivery(&secret, &header, COMPACT)
        };
        assert_eq!(check(&d), Verdict::Valid, "now {now}");
    }
}

#[test]
fn malformed_headers_are_named() {
    let secret = secret();
    let good = sign(&secret, T, COMPACT).unwrap();
    let sig = v1(&good).to_string();
    let huge = format!("t={T},v1={}", "a".repeat(100_000));
    let cases = [
        String::new(),
        format!("v1={sig}"),
        format!("t={T}"),
        format!("t=soon,v1={sig}"),
        format!("t={T},t={T},v1={sig}"),
        format!(
            "t={T},{}",
            vec![format!("v1={sig}"); MAX_SIGNATURES + 1].join(",")
        ),
        format!("t={T},v1={sig},v1=not-hex"),
        format!("t={T},v1=not-hex"),
        format!("t=-5,v1={sig}"),
        // The signed message holds `t` as text: a leading zero is another message.
        format!("t=0{T},v1={sig}"),
        format!("t=+{T},v1={sig}"),
        // `v1` is lower-case hex, 64 digits.
        format!("t={T},v1={}", sig.to_uppercase()),
        format!("t={T},v1={}", &sig[..62]),
        format!("t={T},v1={sig}00"),
        huge,
    ];
    for header in &cases {
        let verdict = check(&delivery(&secret, header, COMPACT));
        assert_eq!(
            verdict,
            Verdict::Mistake(Mistake::MalformedHeader),
            "{:.60}",
            header
        );
    }
    // Spaces and unknown keys are tolerated.
    let spaced = format!(" t = {T} , v0=ignored, v1 = {sig} ");
    assert_eq!(check(&delivery(&secret, &spaced, COMPACT)), Verdict::Valid);
}

#[test]
fn another_secret_is_a_wrong_secret() {
    let header = sign(&secret(), T, COMPACT).unwrap();
    let other = STANDARD.encode(b"the production secret, not the test one");
    assert_eq!(
        check(&delivery(&other, &header, COMPACT)),
        Verdict::Mistake(Mistake::WrongSecret)
    );
}

#[test]
fn a_secret_that_is_not_base64_gets_a_clear_answer() {
    let header = sign(&secret(), T, COMPACT).unwrap();
    assert_eq!(
        check(&delivery("not base64 at all!", &header, COMPACT)),
        Verdict::Mistake(Mistake::SecretNotBase64)
    );
    assert_eq!(
        sign("not base64 at all!", T, COMPACT),
        Err(Mistake::SecretNotBase64)
    );
    assert_eq!(
        Mistake::SecretNotBase64.diagnosis().rule_id(),
        Some(RuleId::WebhookSecretNotBase64)
    );
}

#[test]
fn an_empty_secret_is_named_as_such_not_as_a_wrong_one() {
    let header = sign(&secret(), T, COMPACT).unwrap();
    for empty in ["", "  \n"] {
        assert_eq!(
            check(&delivery(empty, &header, COMPACT)),
            Verdict::Mistake(Mistake::SecretEmpty)
        );
    }
    assert_eq!(sign("", T, COMPACT), Err(Mistake::SecretEmpty));
    assert_eq!(
        Mistake::SecretEmpty.diagnosis().rule_id(),
        Some(RuleId::WebhookSecretEmpty)
    );
}

/// A vector computed outside the code under test, with Python's standard library:
/// `hmac.new(b"known secret bytes for the tests", b"1700000000." + body,
/// hashlib.sha256).hexdigest()`, the key given base64-encoded as Debitura shows it.
#[test]
fn signing_matches_a_known_answer_vector() {
    let secret = "a25vd24gc2VjcmV0IGJ5dGVzIGZvciB0aGUgdGVzdHM=";
    let body = br#"{"id":"550e8400","event":"case.created"}"#;
    let expected =
        "t=1700000000,v1=64104063fee8cf0716049ed8e9bea6c15b86d420064cd0913417060c0f5ac8b4";
    assert_eq!(sign(secret, T, body).unwrap(), expected);
    assert_eq!(check(&delivery(secret, expected, body)), Verdict::Valid);
}

#[test]
fn debug_output_never_shows_the_secret() {
    let secret = secret();
    let header = sign(&secret, T, COMPACT).unwrap();
    let shown = format!("{:?}", delivery(&secret, &header, COMPACT));
    assert!(!shown.contains(&secret), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

/// The body is unauthenticated input: deeply nested or wide bodies get an
/// answer (the bounds on the re-layout work are tested in `src/webhook/mistake.rs`).
#[test]
fn hostile_bodies_get_an_answer() {
    let secret = secret();
    let header = sign(&secret, T, COMPACT).unwrap();
    let mut wide = vec![b'['; 30];
    wide.extend(b"1,".repeat(32 * 1024));
    wide.push(b'1');
    wide.extend(vec![b']'; 30]);
    for body in [vec![b'['; 64 * 1024], vec![b'{'; 64 * 1024], wide] {
        assert_eq!(
            check(&delivery(&secret, &header, &body)),
            Verdict::Mistake(Mistake::WrongSecret)
        );
    }
}

#[test]
fn binary_bodies_sign_and_verify() {
    let secret = secret();
    let body: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let header = sign(&secret, T, &body).unwrap();
    assert_eq!(check(&delivery(&secret, &header, &body)), Verdict::Valid);
}

#[test]
fn every_mistake_is_a_rule_in_the_webhooks_section() {
    let mistakes = [
        Mistake::SecretUsedAsText,
        Mistake::BodyReserialised,
        Mistake::SignatureEncoding,
        Mistake::TimestampOutsideTolerance,
        Mistake::MalformedHeader,
        Mistake::SecretNotBase64,
        Mistake::SecretEmpty,
        Mistake::WrongSecret,
    ];
    for mistake in mistakes {
        let rule = mistake
            .diagnosis()
            .rule()
            .unwrap_or_else(|| panic!("{mistake:?} has no rule"));
        assert_eq!(rule.section.title, "Webhooks");
        assert_eq!(rule.when.error_type, [mistake.code()]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn any_change_breaks_validity(
        body in proptest::collection::vec(any::<u8>(), 1..256),
        key in proptest::collection::vec(any::<u8>(), 1..64),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        shift in 1u64..1_000,
    ) {
        let secret = STANDARD.encode(&key);
        let header = sign(&secret, T, &body).unwrap();
        prop_assert_eq!(check(&delivery(&secret, &header, &body)), Verdict::Valid);

        let mut changed = body.clone();
        changed[index.index(body.len())] ^= flip;
        prop_assert_ne!(check(&delivery(&secret, &header, &changed)), Verdict::Valid);

        let later = header.replacen(&format!("t={T}"), &format!("t={}", T + shift), 1);
        prop_assert_ne!(check(&delivery(&secret, &later, &body)), Verdict::Valid);

        let mut other_key = key.clone();
        other_key[index.index(key.len())] ^= flip;
        prop_assert_ne!(check(&delivery(&STANDARD.encode(&other_key), &header, &body)), Verdict::Valid);
    }
}

#[test]
fn a_header_with_several_v1_is_valid_when_any_matches() {
    let secret = secret();
    let good = v1(&sign(&secret, T, COMPACT).unwrap()).to_string();
    let other = "0".repeat(64);
    for header in [
        format!("t={T},v1={other},v1={good}"),
        format!("t={T},v1={good},v1={other}"),
        format!(
            "t={T},{}",
            vec![format!("v1={other}"); MAX_SIGNATURES - 1].join(",") + &format!(",v1={good}")
        ),
    ] {
        assert_eq!(
            check(&delivery(&secret, &header, COMPACT)),
            Verdict::Valid,
            "{header:.80}"
        );
    }
    let none = format!("t={T},v1={other},v1={}", "1".repeat(64));
    assert_eq!(
        check(&delivery(&secret, &none, COMPACT)),
        Verdict::Mistake(Mistake::WrongSecret)
    );
}

#[test]
fn during_a_rotation_the_old_and_the_new_secret_both_verify() {
    let old = secret();
    let new = STANDARD.encode(b"the regenerated secret's bytes");
    let stranger = STANDARD.encode(b"someone else's secret");
    for signer in [&old, &new] {
        let header = sign(signer, T, COMPACT).unwrap();
        let d = Delivery {
            secrets: &[&new, &old],
            ..delivery(&new, &header, COMPACT)
        };
        assert_eq!(check(&d), Verdict::Valid);
    }
    let header = sign(&stranger, T, COMPACT).unwrap();
    let d = Delivery {
        secrets: &[&new, &old],
        ..delivery(&new, &header, COMPACT)
    };
    assert_eq!(check(&d), Verdict::Mistake(Mistake::WrongSecret));
    // A bad secret in the list is named when nothing matches, whichever
    // place it has; it does not spoil a good secret that matches.
    for secrets in [[new.as_str(), "not base64!"], ["not base64!", new.as_str()]] {
        let d = Delivery {
            secrets: &secrets,
            ..delivery(&new, &header, COMPACT)
        };
        assert_eq!(check(&d), Verdict::Mistake(Mistake::SecretNotBase64));
        let signed = sign(&new, T, COMPACT).unwrap();
        let d = Delivery {
            secrets: &secrets,
            ..delivery(&new, &signed, COMPACT)
        };
        assert_eq!(check(&d), Verdict::Valid, "{secrets:?}");
    }
    let d = Delivery {
        secrets: &[],
        ..delivery(&new, &header, COMPACT)
    };
    assert_eq!(check(&d), Verdict::Mistake(Mistake::SecretEmpty));
}

#[test]
fn the_receivers_verify_agrees_with_check_on_valid_deliveries_and_says_why_not() {
    let text = secret();
    let secrets = [
        Secret::from_base64(&STANDARD.encode(b"rotated out")).unwrap(),
        Secret::from_base64(&text).unwrap(),
    ];
    let header = sign(&text, T, COMPACT).unwrap();
    let valid = verify(&secrets, &header, COMPACT, T + 5, Tolerance::DEBITURA).unwrap();
    assert_eq!((valid.timestamp, valid.v1()), (T, v1(&header)));
    let cases = [
        (header.as_str(), &pretty()[..], T + 5, Mistake::WrongSecret),
        (
            header.as_str(),
            COMPACT,
            T + 301,
            Mistake::TimestampOutsideTolerance,
        ),
        (
            header.as_str(),
            COMPACT,
            T - 31,
            Mistake::TimestampOutsideTolerance,
        ),
        ("t=1,v1=zz", COMPACT, T, Mistake::MalformedHeader),
    ];
    for (header, body, now, mistake) in cases {
        assert_eq!(
            verify(&secrets, header, body, now, Tolerance::DEBITURA),
            Err(mistake),
            "{header:.40} at {now}"
        );
    }
    let wide = Tolerance {
        past: 10,
        future: 400,
    };
    assert!(verify(&secrets, &header, COMPACT, T - 399, wide).is_ok());
    assert_eq!(
        verify(&secrets, &header, COMPACT, T + 11, wide),
        Err(Mistake::TimestampOutsideTolerance)
    );
    assert_eq!(
        verify(&[], &header, COMPACT, T, Tolerance::DEBITURA),
        Err(Mistake::WrongSecret)
    );
    assert_eq!(format!("{:?}", secrets[1]), "Secret(<redacted>)");
}
