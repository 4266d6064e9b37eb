//! One raw HTTP request to the fake, as any client would send it: what the
//! protocol and fidelity tests share.

use serde_json::Value;

pub const ACCEPT: &str = "application/vnd.heroku+json; version=3";

pub struct Raw {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// Sends `method path` with the fake's token, the extra `headers` and a JSON
/// `body`; the answer's body is `Null` when it is not JSON.
pub async fn call(
    fake: &heroku_fake::FakeHeroku,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Raw {
    let http = reqwest::Client::new();
    let mut req = http
        .request(
            method.parse().unwrap(),
            format!("{}{path}", fake.base_url()),
        )
        .header("accept", ACCEPT)
        .header("authorization", format!("Bearer {}", fake.token()));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Raw {
        status,
        headers,
        body,
    }
}
