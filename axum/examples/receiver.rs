//! A webhook receiver to copy: `POST /webhooks/debitura`, verified with the
//! secrets in `DEBITURA_WEBHOOK_SECRET` (several separated by commas during a
//! rotation), printing `processed <id> <event>` for each event handled
//! (with ` test` after a test delivery).
//!
//! ```sh
//! DEBITURA_WEBHOOK_SECRET='…' cargo run -p debitura-triage-axum --example receiver -- --listen 127.0.0.1:8080
//! ```

use std::io::Write;

use axum::Router;
use debitura_triage_axum::{Event, HandlerError, Receiver};

const USAGE: &str = "usage: receiver [--listen ADDRESS]   (default 127.0.0.1:8080)
Reads the webhook secret from DEBITURA_WEBHOOK_SECRET (several separated by commas).";

async fn handle(event: Event) -> Result<(), HandlerError> {
    let test = if event.is_test() { " test" } else { "" };
    // The id and type come from a verified body; printed with any control
    // or invisible character escaped all the same.
    let line = format!(
        "processed {} {}{test}\n",
        debitura_triage::Printable(event.id()),
        debitura_triage::Printable(event.event())
    );
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()?;
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("receiver: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut listen = String::from("127.0.0.1:8080");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                listen = args
                    .next()
                    .ok_or(format!("--listen needs an address\n{USAGE}"))?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => {
                return Err(format!(
                    "unknown argument `{}`\n{USAGE}",
                    debitura_triage::Printable(other)
                ))
            }
        }
    }
    let secrets = std::env::var("DEBITURA_WEBHOOK_SECRET").map_err(|_| {
        "DEBITURA_WEBHOOK_SECRET is not set (the secret as Debitura showed it, base64)".to_owned()
    })?;
    let secrets: Vec<&str> = secrets.split(',').map(str::trim).collect();
    let receiver = Receiver::new(&secrets, handle).map_err(|e| e.to_string())?;
    let stopping = receiver.clone();
    let app = Router::new().route_service("/webhooks/debitura", receiver);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!("receiver: listening on http://{listen}/webhooks/debitura");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            // Ctrl-C: new deliveries are answered 503, running handlers get
            // 8 s to finish, and the claims of those still running are
            // released for Debitura's next attempt.
            let _ = tokio::signal::ctrl_c().await;
            let stopped = stopping.shutdown(std::time::Duration::from_secs(8)).await;
            eprintln!(
                "receiver: shut down; {} handler(s) stopped, their claims released",
                stopped.stopped
            );
        })
        .await
        .map_err(|e| e.to_string())
}
