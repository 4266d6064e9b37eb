//! What the OAuth test binaries share: a fake Heroku with OAuth on, and a
//! client that reaches it in memory through a `Transport`, so that virtual
//! time is exact.

use std::sync::Arc;
use std::time::Duration;

use heroku_api::{Client, OAuthRefresh, SendFuture, Transport};
use heroku_fake::{Config, FakeHeroku, Faults, OAuth, RateLimit};

pub const REFRESH: &str = "refresh-5b8e1d";
pub const SECRET: &str = "secret-93af0c";

/// Sends the client's requests straight into the fake.
pub struct InMemory(pub Arc<FakeHeroku>);

impl Transport for InMemory {
    fn send(&self, request: reqwest::Request) -> SendFuture {
        let fake = self.0.clone();
        Box::pin(async move {
            let uri = match request.url().query() {
                Some(q) => format!("{}?{q}", request.url().path()),
                None => request.url().path().to_string(),
            };
            let mut builder = http::Request::builder()
                .method(request.method().clone())
                .uri(uri);
            for (k, v) in request.headers() {
                builder = builder.header(k, v);
            }
            let body = request
                .body()
                .and_then(|b| b.as_bytes())
                .map(bytes::Bytes::copy_from_slice)
                .unwrap_or_default();
            let answer = fake
                .call(builder.body(body).expect("a request"))
                .await
                .expect("no faults injected here");
            Ok(reqwest::Response::from(answer))
        })
    }
}

pub async fn fake(lifetime: Duration, faults: Faults) -> Arc<FakeHeroku> {
    let config = Config {
        oauth: Some(OAuth {
            refresh_token: REFRESH.into(),
            client_secret: SECRET.into(),
            lifetime,
        }),
        rate_limit: RateLimit::unlimited(),
        faults,
        ..Config::default()
    };
    Arc::new(heroku_fake::start_with(config).await.unwrap())
}

pub fn oauth_client(fake: &Arc<FakeHeroku>) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .strict_decoding(true)
        .credentials(OAuthRefresh::new(REFRESH, SECRET))
        .transport(InMemory(fake.clone()))
        .build()
        .unwrap()
}
