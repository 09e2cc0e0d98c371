//! `debitura-triage webhook`: check a delivery's signature, or sign a body; the
//! commands that call Debitura are in `remote`.

use debitura_triage::{webhook, Query, ShellWord};

use crate::args::WebhookCommand;
use crate::read_body;
use crate::report::diagnosis_text;

/// The largest body `webhook verify` and `sign` read. Debitura's events are a
/// few KiB; a signature covers the whole body, so a longer one is refused
/// rather than cut.
const MAX_WEBHOOK_BODY: usize = 4 * 1024 * 1024;

/// The whole body, or an error when it is longer than [`MAX_WEBHOOK_BODY`].
fn read_whole_body(source: &str) -> Result<Vec<u8>, String> {
    match read_body(source, MAX_WEBHOOK_BODY)? {
        (body, false) => Ok(body),
        (_, true) => Err(format!(
            "the body is longer than {} MiB, far larger than any Debitura webhook event; \
             give the exact bytes of one delivery",
            MAX_WEBHOOK_BODY >> 20
        )),
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs a `webhook` command (`verify` and `sign` here, the others in
/// `remote`): the text to print and the exit
/// status (0 valid or signed, 1 a mistake); an error is for exit status 2.
pub fn run(action: WebhookCommand) -> Result<(String, u8), String> {
    match action {
        remote @ (WebhookCommand::Status { .. }
        | WebhookCommand::Missed { .. }
        | WebhookCommand::Replay { .. }
        | WebhookCommand::Trigger { .. }) => crate::remote::run(&remote),
        WebhookCommand::Verify {
            signature,
            body,
            computed,
            now,
            json,
            secret,
        } => {
            let secret = secret.read()?;
            // During a rotation, the current secret and the old ones,
            // separated by commas (base64 has none).
            let secrets: Vec<&str> = secret.split(',').map(str::trim).collect();
            let body = read_whole_body(&body)?;
            let delivery = webhook::Delivery {
                secrets: &secrets,
                header: &signature,
                body: &body,
                now: now.unwrap_or_else(unix_now),
                tolerance: webhook::Tolerance::DEBITURA,
                computed: computed.as_deref(),
            };
            let verdict = webhook::check(&delivery);
            let diagnosis = match verdict {
                webhook::Verdict::Mistake(mistake) => Some(mistake.diagnosis()),
                _ => None,
            };
            let text = match (json, diagnosis) {
                (true, _) => format!(
                    "{}\n",
                    serde_json::to_value(verdict.answer()).unwrap_or_default()
                ),
                (false, Some(d)) => diagnosis_text(&Query::new(), &d),
                (false, None) => format!(
                    "valid: the signature matches the body and the timestamp is at most {} s old and {} s ahead\n",
                    webhook::TOLERANCE_SECS,
                    webhook::FUTURE_TOLERANCE_SECS
                ),
            };
            Ok((text, if diagnosis.is_none() { 0 } else { 1 }))
        }
        WebhookCommand::Sign {
            body: source,
            timestamp,
            curl,
            secret,
        } => {
            let secret = secret.read()?;
            let body = read_whole_body(&source)?;
            let timestamp = timestamp.unwrap_or_else(unix_now);
            let header = webhook::sign(&secret, timestamp, &body).map_err(|mistake| {
                match mistake {
                    webhook::Mistake::SecretEmpty => {
                        "the secret is empty; check the variable or file that should hold it"
                    }
                    _ => "the secret is not base64; give it exactly as Debitura shows it",
                }
                .to_string()
            })?;
            let text = match curl {
                None => format!("{header}\n"),
                Some(url) => {
                    let data = if source == "-" {
                        ShellWord(&String::from_utf8_lossy(&body)).to_string()
                    } else {
                        format!("@{}", ShellWord(&source))
                    };
                    format!(
                        "curl -X POST {} -H 'Content-Type: application/json' -H {} -H {} -H 'X-Debitura-Test: true' --data-binary {data}\n",
                        ShellWord(&url),
                        ShellWord(&format!("X-Debitura-Signature: {header}")),
                        ShellWord(&format!("X-Debitura-Timestamp: {timestamp}")),
                    )
                }
            };
            Ok((text, 0))
        }
    }
}
