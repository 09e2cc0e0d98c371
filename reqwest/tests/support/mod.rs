//! A fake Debitura on 127.0.0.1 for the layer's tests: it reads each
//! request whole, counts it (and records it, unless told not to), and
//! answers as the test's function says: a response, a closed connection, or
//! a response that stalls part way. Each connection is served by a task of
//! its own, so that concurrent calls are served concurrently.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as read: its method, path, `Idempotency-Key` and body, and
/// when it had been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub body: Vec<u8>,
    pub at: std::time::Instant,
    /// The request's head as read (request line and headers).
    pub head: String,
}

/// What the server does with a request.
pub enum Reply {
    /// Writes this whole response (it should say `connection: close`).
    Send(Vec<u8>),
    /// Closes the connection without answering.
    Close,
    /// Writes these bytes, then holds the connection open without writing
    /// more until the client gives up.
    Stall(Vec<u8>),
}

impl Reply {
    /// A response with this status line's code and reason, and a JSON body.
    pub fn json(status: &str, body: &str) -> Reply {
        Reply::Send(
            format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }

    /// A response with extra header lines (each ending in `\r\n`) and no body.
    pub fn empty(status: &str, headers: &str) -> Reply {
        Reply::Send(
            format!("HTTP/1.1 {status}\r\n{headers}content-length: 0\r\nconnection: close\r\n\r\n")
                .into_bytes(),
        )
    }
}

/// A running fake.
pub struct Fake {
    /// `http://127.0.0.1:port`.
    pub base: String,
    count: Arc<AtomicUsize>,
    log: Option<Arc<Mutex<Vec<Received>>>>,
}

impl Fake {
    /// Requests read so far.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// The requests read so far, in order (empty for a server that keeps no
    /// log).
    pub fn received(&self) -> Vec<Received> {
        self.log
            .as_ref()
            .map(|log| log.lock().unwrap().clone())
            .unwrap_or_default()
    }
}

/// Serves on a free port; `answer` gets the request's number (from 0) and
/// the request. Keeps a log of every request.
pub async fn serve<F>(answer: F) -> Fake
where
    F: Fn(usize, &Received) -> Reply + Send + Sync + 'static,
{
    start(answer, true).await
}

/// As [`serve`], but counts requests without keeping them, so that the
/// server holds no more memory after a thousand requests than after one.
pub async fn serve_counting<F>(answer: F) -> Fake
where
    F: Fn(usize, &Received) -> Reply + Send + Sync + 'static,
{
    start(answer, false).await
}

/// As [`serve`], on `addr` (`127.0.0.1:port`), which must be free.
pub async fn serve_at<F>(addr: &str, answer: F) -> Fake
where
    F: Fn(usize, &Received) -> Reply + Send + Sync + 'static,
{
    start_on(TcpListener::bind(addr).await.unwrap(), answer, true)
}

async fn start<F>(answer: F, keep_log: bool) -> Fake
where
    F: Fn(usize, &Received) -> Reply + Send + Sync + 'static,
{
    start_on(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        answer,
        keep_log,
    )
}

fn start_on<F>(listener: TcpListener, answer: F, keep_log: bool) -> Fake
where
    F: Fn(usize, &Received) -> Reply + Send + Sync + 'static,
{
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let log = keep_log.then(Arc::default);
    let fake = Fake {
        base,
        count: Arc::clone(&count),
        log: log.clone(),
    };
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (answer, count, log) = (Arc::clone(&answer), Arc::clone(&count), log.clone());
            tokio::spawn(async move {
                let mut socket = socket;
                let Some(request) = read_request(&mut socket).await else {
                    return;
                };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let reply = answer(n, &request);
                if let Some(log) = log {
                    log.lock().unwrap().push(request);
                }
                match reply {
                    Reply::Send(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    Reply::Close => {}
                    Reply::Stall(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        // Held until the client closes its end.
                        let mut rest = [0u8; 64];
                        while matches!(socket.read(&mut rest).await, Ok(n) if n > 0) {}
                    }
                }
            });
        }
    });
    fake
}

/// Reads one request's head and its `content-length` body.
async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.trim().to_string())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let mut first = head.lines().next()?.split(' ');
    Some(Received {
        method: first.next()?.to_string(),
        path: first.next()?.to_string(),
        idempotency_key: header("idempotency-key"),
        body: data[head_end..head_end + length].to_vec(),
        at: std::time::Instant::now(),
        head: head.clone(),
    })
}
