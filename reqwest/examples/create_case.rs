//! Creates a case through the layer against a local fake of the two APIs:
//! the first submission meets an expired token and a 503, and the layer
//! refreshes the token and backs off; the second one needs a signature, and
//! the caller gets the URL to show.
//!
//! Run it with `cargo run -p debitura-triage-reqwest --example create_case`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use debitura_triage_reqwest::{Error, OAuthTokens, Tenant, Triage};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = fake_debitura()?;

    // The three lines a service adds to its reqwest client.
    let http = reqwest::Client::new();
    let tokens = OAuthTokens::with_base_url(http.clone(), &base, "test-api-key");
    let client = reqwest_middleware::ClientBuilder::new(http)
        .with(Triage::with_tokens(tokens))
        .build();

    for reference in ["INV-1001", "INV-1002"] {
        let sent = client
            .post(format!("{base}/v1/cases"))
            .with_extension(Tenant::new("acme-42"))
            .header("Content-Type", "application/json")
            .body(format!(r#"{{"creditorReference":"{reference}"}}"#))
            .send()
            .await;
        match sent {
            Ok(response) => println!(
                "{reference}: {} {}",
                response.status(),
                response.text().await?
            ),
            Err(e) => match Error::of(&e) {
                Some(triage) => {
                    println!("{reference}: {triage}");
                    if let Some(url) = triage.url() {
                        println!("{reference}: send the user to {url}");
                    }
                }
                None => return Err(e.into()),
            },
        }
    }
    Ok(())
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that plays Debitura: tokens from
/// `POST /oauth/token`; on `POST /v1/cases`, a 401 for the first token, then
/// a 503, then a 201; and a 422 signing error for any later case.
fn fake_debitura() -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let cases = Arc::new(AtomicUsize::new(0));
    let mints = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (cases, mints) = (Arc::clone(&cases), Arc::clone(&mints));
            std::thread::spawn(move || serve(stream, &cases, &mints));
        }
    });
    Ok(base)
}

fn serve(stream: TcpStream, cases: &AtomicUsize, mints: &AtomicUsize) {
    let mut reader = BufReader::new(stream);
    loop {
        let (mut request_line, mut length, mut auth) = (String::new(), 0, String::new());
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => auth = value.trim().to_owned(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, reply) = if request_line.starts_with("POST /oauth/token") {
            let n = mints.fetch_add(1, Ordering::SeqCst) + 1;
            (
                200,
                format!(r#"{{"accessToken":"token-{n}","tokenType":"Bearer","expiresIn":1800}}"#),
            )
        } else if auth == "Bearer token-1" {
            (401, String::new())
        } else {
            match cases.fetch_add(1, Ordering::SeqCst) {
                0 => (503, "<html>Service Unavailable</html>".to_owned()),
                1 => (201, r#"{"id":"case-1","status":"Active"}"#.to_owned()),
                _ => (
                    422,
                    r#"{"businessErrors":[{"type":"MissingDebtCollectionContract","message":"The client has not signed the debt collection agreement","solutionUrl":"https://testreferral.debitura.com/sign"}],"signingHandoff":{"combinedSigningUrl":"https://testreferral.debitura.com/sign/all?returnUrl=https%3A%2F%2Fexample.org"}}"#.to_owned(),
                ),
            }
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            reply.len()
        );
        let stream = reader.get_mut();
        if stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(reply.as_bytes()))
            .is_err()
        {
            return;
        }
    }
}
