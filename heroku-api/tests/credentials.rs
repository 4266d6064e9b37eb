//! The token chain: explicit, else HEROKU_API_KEY, else ~/.netrc. One test,
//! because it changes the process environment.

use heroku_api::{Client, Error, TokenSource};

#[test]
fn explicit_then_environment_then_netrc() {
    let home = std::env::temp_dir().join(format!("heroku-api-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    std::env::set_var("HOME", &home);
    std::env::remove_var("NETRC");
    std::env::remove_var("HEROKU_API_KEY");

    // Nothing anywhere: the error names all three sources.
    let err = Client::new().unwrap_err();
    let Error::Config(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("ClientBuilder::token"), "{message}");
    assert!(message.contains("HEROKU_API_KEY"), "{message}");
    assert!(message.contains(".netrc"), "{message}");

    // netrc only.
    std::fs::write(
        home.join(".netrc"),
        "machine git.heroku.com\n  login me@example.com\n  password git-token\n\
         machine api.heroku.com\n  login me@example.com\n  password netrc-token\n",
    )
    .unwrap();
    let client = Client::new().unwrap();
    assert_eq!(client.token_source(), TokenSource::Netrc);

    // The environment beats netrc.
    std::env::set_var("HEROKU_API_KEY", "env-token");
    assert_eq!(
        Client::new().unwrap().token_source(),
        TokenSource::Environment
    );

    // An explicit token beats both.
    let client = Client::builder().token("explicit-token").build().unwrap();
    assert_eq!(client.token_source(), TokenSource::Explicit);
    let shown = format!("{client:?}");
    for secret in ["explicit-token", "env-token", "netrc-token"] {
        assert!(!shown.contains(secret), "{shown}");
    }

    // An empty variable does not count.
    std::env::set_var("HEROKU_API_KEY", "  ");
    assert_eq!(Client::new().unwrap().token_source(), TokenSource::Netrc);

    // An ambient token goes only to Heroku's API hosts and loopback, as
    // with the Heroku CLI; an explicit one goes where it is pointed.
    std::env::set_var("HEROKU_API_KEY", "env-token");
    let err = Client::builder()
        .base_url("https://proxy.example.com")
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("refusing to send the token from HEROKU_API_KEY"),
        "{err}"
    );
    assert!(!err.to_string().contains("env-token"), "{err}");
    Client::builder()
        .base_url("https://api.heroku.com")
        .build()
        .unwrap();
    Client::builder()
        .base_url("http://127.0.0.1:5000")
        .build()
        .unwrap();
    Client::builder()
        .base_url("https://proxy.example.com")
        .token("explicit-token")
        .build()
        .unwrap();

    // The netrc `default` entry is never sent to Heroku.
    std::env::remove_var("HEROKU_API_KEY");
    std::fs::write(
        home.join(".netrc"),
        "default login me password not-for-heroku\n",
    )
    .unwrap();
    assert!(
        Client::new().is_err(),
        "the default entry is not a Heroku token"
    );

    // With a custom base URL, netrc is read for that host.
    std::env::remove_var("HEROKU_API_KEY");
    let err = Client::builder()
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("machine 127.0.0.1"), "{err}");

    std::fs::remove_dir_all(&home).unwrap();
}
