#![allow(dead_code)] // each example uses part of this module

//! Shared by the examples: connect to the embedded fake Heroku, or to the
//! real API when asked to with `--real`.

use heroku_api::Client;

/// A client, and the fake it talks to (kept alive as long as the client).
pub struct Connection {
    pub client: Client,
    pub fake: Option<heroku_fake::FakeHeroku>,
}

impl Connection {
    pub fn is_real(&self) -> bool {
        self.fake.is_none()
    }
}

/// With `--real` (and a token in HEROKU_API_KEY or ~/.netrc) this talks to
/// api.heroku.com; otherwise it starts the embedded fake. The first line of
/// output says which.
pub async fn connect() -> heroku_api::Result<Connection> {
    if std::env::args().any(|a| a == "--real") {
        let client = Client::new()?;
        println!(
            "Running against the REAL Heroku API at {} (this creates and deletes real apps).",
            client.base_url()
        );
        return Ok(Connection { client, fake: None });
    }
    let fake = heroku_fake::start()
        .await
        .map_err(|e| heroku_api::Error::Config(format!("cannot start the fake Heroku: {e}")))?;
    println!(
        "Running against the embedded fake Heroku at {} (pass --real with HEROKU_API_KEY set to use api.heroku.com).",
        fake.base_url()
    );
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()?;
    Ok(Connection {
        client,
        fake: Some(fake),
    })
}

/// A name unique enough for real Heroku, fixed on the fake.
pub fn app_name(conn: &Connection, stem: &str) -> String {
    if conn.is_real() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!("{stem}-{:06x}", nanos & 0xff_ffff)
    } else {
        stem.to_string()
    }
}

/// A tiny app to deploy: a Procfile and a page.
pub fn sample_app() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("heroku-api-example-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("public"))?;
    std::fs::write(
        dir.join("Procfile"),
        "web: python3 -m http.server $PORT --directory public\n",
    )?;
    std::fs::write(dir.join("requirements.txt"), "")?;
    std::fs::write(
        dir.join("public/index.html"),
        "<h1>Hello from heroku-api</h1>\n",
    )?;
    Ok(dir)
}
