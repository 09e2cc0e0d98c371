//! A delivery's cost before the handler: verifying a 1.5 KiB event with
//! `webhook::verify` and claiming its id in memory, against verifying it
//! with `hmac` and `sha2` directly, as a partner would write by hand
//! (decode `v1`, compute the MAC, compare in constant time, check the
//! window). Both are checked to accept the same delivery and refuse the
//! same tampered one before any timing.
//!
//! `cargo bench -p debitura-triage-axum --bench delivery`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use debitura_triage::webhook::{sign, verify, Secret, Tolerance};
use debitura_triage_axum::{Claim, Claims, MemoryClaims};
use divan::Bencher;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const T: u64 = 1_700_000_000;
const SECRET: &str = "c2VjcmV0LWJ5dGVzLWZvci10aGUtYmVuY2htYXJr";

fn main() {
    let (body, header) = delivery();
    let tampered = body.replace("Acme", "Acne");
    assert!(by_hand(&header, body.as_bytes()) && !by_hand(&header, tampered.as_bytes()));
    let secrets = [Secret::from_base64(SECRET).unwrap()];
    assert!(verify(&secrets, &header, body.as_bytes(), T, Tolerance::DEBITURA).is_ok());
    assert!(verify(
        &secrets,
        &header,
        tampered.as_bytes(),
        T,
        Tolerance::DEBITURA
    )
    .is_err());
    divan::main();
}

/// A `client.onboarding.poa_signed` event padded to about 1.5 KiB, and its
/// signature header.
fn delivery() -> (String, String) {
    let note = "n".repeat(1100);
    let body = format!(
        r#"{{"id":"550e8400-e29b-41d4-a716-446655440000","specVersion":"1.0","event":"client.onboarding.poa_signed","timestamp":"2026-01-31T15:23:45Z","data":{{"externalTenantId":"partner-client-123","creditor":{{"id":"123e4567-e89b-12d3-a456-426614174000","companyName":"Acme Corporation Ltd","registrationNumber":"DK12345678","countryId":"456e4567-e89b-12d3-a456-426614174111","isAttributed":false}},"signedAt":"2026-01-31T15:23:45Z","note":"{note}"}}}}"#
    );
    let header = sign(SECRET, T, body.as_bytes()).unwrap();
    (body, header)
}

/// Verification written directly on `hmac` and `sha2`, secret decoded once.
fn by_hand(header: &str, body: &[u8]) -> bool {
    static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let key = KEY.get_or_init(|| {
        base64::engine::general_purpose::STANDARD
            .decode(SECRET)
            .unwrap()
    });
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Ok(stamp) = t.parse::<u64>() else {
        return false;
    };
    let Some(expected) = (0..v1.len())
        .step_by(2)
        .map(|i| {
            v1.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).is_ok() && T.abs_diff(stamp) <= 300
}

#[divan::bench(sample_count = 2000)]
fn hmac_sha2_by_hand(b: Bencher) {
    let (body, header) = delivery();
    b.bench(|| by_hand(divan::black_box(&header), divan::black_box(body.as_bytes())));
}

#[divan::bench(sample_count = 2000)]
fn verify_only(b: Bencher) {
    let (body, header) = delivery();
    let secrets = [Secret::from_base64(SECRET).unwrap()];
    b.bench(|| {
        verify(
            &secrets,
            divan::black_box(&header),
            divan::black_box(body.as_bytes()),
            T,
            Tolerance::DEBITURA,
        )
        .is_ok()
    });
}

#[divan::bench(sample_count = 2000)]
fn verify_and_claim_the_id(b: Bencher) {
    let (body, header) = delivery();
    let secrets = [Secret::from_base64(SECRET).unwrap()];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let claims = MemoryClaims::new(1 << 20);
    // A new id each time, as each delivery of a new event has.
    let next = AtomicU64::new(0);
    b.bench(|| {
        let valid = verify(
            &secrets,
            &header,
            divan::black_box(body.as_bytes()),
            T,
            Tolerance::DEBITURA,
        )
        .is_ok();
        let id = format!("{:016x}", next.fetch_add(1, Ordering::Relaxed));
        runtime.block_on(async {
            let Ok(Claim::New(holder)) = claims.claim(&id, Duration::from_secs(120)).await else {
                return false;
            };
            claims
                .complete(&id, &holder, Duration::from_secs(86_400))
                .await
                .unwrap_or(false)
                && valid
        })
    });
}
