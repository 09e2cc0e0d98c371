//! A receiver served by axum on a free port of 127.0.0.1.

use axum::Router;
use debitura_triage_axum::{Claims, Receiver, Work};

/// Serves `receiver` at `/webhooks/debitura` on a free port; its URL.
pub async fn serve<H: Work<C>, C: Claims>(receiver: Receiver<H, C>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/webhooks/debitura",
        listener.local_addr().unwrap()
    );
    let app = Router::new().route_service("/webhooks/debitura", receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}
