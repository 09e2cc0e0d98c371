//! A webhook receiver to copy: `POST /webhooks/debitura`, verified with the
//! secrets in `DEBITURA_WEBHOOK_SECRET` (several separated by commas during a
//! rotation), printing `processed <id> <event>` for each event handled
//! (with ` test` after a test delivery), and `GET /ready` answering 200
//! while its claim store does.
//!
//! ```sh
//! DEBITURA_WEBHOOK_SECRET='…' cargo run -p debitura-triage-axum --example receiver -- --listen 127.0.0.1:8080
//! ```
//!
//! Several instances share claims through PostgreSQL or Redis (build with
//! `--features postgres,redis`): `--claims postgres://app@%2Frun%2Fpostgresql/app`
//! or `--claims redis://127.0.0.1:6379/`.

use std::io::Write;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use debitura_triage_axum::{Claims, Event, HandlerError, Receiver};
use http::StatusCode;

const USAGE: &str =
    "usage: receiver [--listen ADDRESS] [--claims STORE] [--work-ms N] [--lease-ms N]

  --listen ADDRESS   where to listen (default 127.0.0.1:8080)
  --claims STORE     where claims on event ids live: memory (the default;
                     this process only), postgres://USER[:PASSWORD]@HOST[:PORT]/DB
                     or redis://HOST[:PORT]/ (redis+unix:///PATH for a socket;
                     for PostgreSQL a socket folder is a host written
                     %2Frun%2Fpostgresql). The PostgreSQL table is created
                     when missing. Every instance given the same store handles
                     each event once between them.
  --work-ms N        the handler waits N ms before it completes (default 0),
                     to try a slow handler
  --lease-ms N       how long a claim holds unless renewed (default 120000)

Reads the webhook secret from DEBITURA_WEBHOOK_SECRET (several separated by
commas). Prints `processed <id> <event>` for each event handled; GET /ready
answers 200 while the claim store answers, 503 otherwise.";

/// What the command line asked for.
struct Options {
    listen: String,
    claims: String,
    work: Duration,
    lease: Duration,
}

async fn handle(event: Event, work: Duration) -> Result<(), HandlerError> {
    if !work.is_zero() {
        tokio::time::sleep(work).await;
    }
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

fn options() -> Result<Option<Options>, String> {
    let mut options = Options {
        listen: String::from("127.0.0.1:8080"),
        claims: String::from("memory"),
        work: Duration::ZERO,
        lease: Duration::from_secs(120),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}\n{USAGE}"));
        match arg.as_str() {
            "--listen" => options.listen = value("an address")?,
            "--claims" => options.claims = value("a store")?,
            "--work-ms" => options.work = millis(&value("a number of milliseconds")?, &arg)?,
            "--lease-ms" => options.lease = millis(&value("a number of milliseconds")?, &arg)?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => {
                return Err(format!(
                    "unknown argument `{}`\n{USAGE}",
                    debitura_triage::Printable(other)
                ))
            }
        }
    }
    if options.lease < Duration::from_millis(30) {
        return Err("--lease-ms must be at least 30 (it is renewed every third of it)".into());
    }
    Ok(Some(options))
}

fn millis(text: &str, flag: &str) -> Result<Duration, String> {
    text.parse::<u64>().map(Duration::from_millis).map_err(|_| {
        format!(
            "{flag} takes a whole number of milliseconds, not `{}`",
            debitura_triage::Printable(text)
        )
    })
}

async fn run() -> Result<(), String> {
    let Some(options) = options()? else {
        return Ok(());
    };
    let secrets = std::env::var("DEBITURA_WEBHOOK_SECRET").map_err(|_| {
        "DEBITURA_WEBHOOK_SECRET is not set (the secret as Debitura showed it, base64)".to_owned()
    })?;
    let secrets: Vec<&str> = secrets.split(',').map(str::trim).collect();
    let work = options.work;
    let receiver = Receiver::new(&secrets, move |event: Event| handle(event, work))
        .map_err(|e| e.to_string())?
        .claim_times(options.lease, Duration::from_secs(24 * 60 * 60));
    let store = options.claims.as_str();
    if store == "memory" {
        return serve(receiver, &options.listen).await;
    }
    #[cfg(feature = "postgres")]
    if store.starts_with("postgres://") || store.starts_with("postgresql://") {
        let claims =
            debitura_triage_axum::postgres::PgClaims::connect(store).map_err(|e| e.to_string())?;
        claims
            .create_table()
            .await
            .map_err(|e| format!("cannot create the claims table: {e}"))?;
        // Rows past their time are deleted hourly.
        let sweeping = claims.clone();
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(Duration::from_secs(60 * 60));
            loop {
                hourly.tick().await;
                if let Err(e) = sweeping.sweep().await {
                    eprintln!("receiver: sweeping the claims table failed: {e}");
                }
            }
        });
        return serve(receiver.claims(claims), &options.listen).await;
    }
    #[cfg(feature = "redis")]
    if store.starts_with("redis://")
        || store.starts_with("redis+unix://")
        || store.starts_with("unix://")
    {
        let claims =
            debitura_triage_axum::redis::RedisClaims::connect(store).map_err(|e| e.to_string())?;
        return serve(receiver.claims(claims), &options.listen).await;
    }
    Err(format!(
        "--claims takes memory, postgres://… or redis://… (this build has {}), not the one given",
        if cfg!(all(feature = "postgres", feature = "redis")) {
            "both"
        } else {
            "only what its features allow: build with --features postgres,redis"
        }
    ))
}

async fn serve<H, C>(receiver: Receiver<H, C>, listen: &str) -> Result<(), String>
where
    H: debitura_triage_axum::Work<C>,
    C: Claims,
{
    let stopping = receiver.clone();
    let asked = receiver.clone();
    let app = Router::new()
        .route_service("/webhooks/debitura", receiver)
        .route(
            "/ready",
            get(move || {
                let asked = asked.clone();
                async move {
                    match asked.ready().await {
                        Ok(()) => (StatusCode::OK, "ready\n".to_owned()),
                        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}\n")),
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!("receiver: listening on http://{listen}/webhooks/debitura");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            // Ctrl-C: new deliveries are answered 503, running handlers get
            // 8 s to finish, and the claims of those still running are
            // released for Debitura's next attempt.
            let _ = tokio::signal::ctrl_c().await;
            let stopped = stopping.shutdown(Duration::from_secs(8)).await;
            eprintln!(
                "receiver: shut down; {} handler(s) stopped, their claims released",
                stopped.stopped
            );
        })
        .await
        .map_err(|e| e.to_string())
}
