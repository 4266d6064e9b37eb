//! The calls of a Heroku integration guide, in the forms the generator's
//! rules give them (issue: "Calls that read like the Heroku guide"), run
//! as written against the fake.

use std::time::Duration;

use heroku_api::Client;

fn sample_tarball() -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("heroku-api-short-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Procfile"), "web: bin/web\n").unwrap();
    let tarball = heroku_api::workflows::pack_directory(&dir, &[]).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    tarball
}

#[tokio::test]
async fn the_guide_forms_compile_and_run_as_written() -> Result<(), Box<dyn std::error::Error>> {
    let fake = heroku_fake::start().await?;
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()?;

    // Setting up: two apps in a pipeline, the staging one deployed (it
    // has a `web` process type), and a source tarball uploaded.
    let staging = client.app().create().name("my-app").await?;
    let production = client.app().create().name("my-app-production").await?;
    client
        .deploy("my-app")
        .tarball(sample_tarball())
        .run(|_| {})
        .await?;
    let pipeline = client.pipeline().create("my-pipeline").await?;
    client
        .pipeline_coupling()
        .create(staging.id.as_str(), pipeline.id.as_str(), "staging")
        .await?;
    client
        .pipeline_coupling()
        .create(production.id.as_str(), pipeline.id.as_str(), "production")
        .await?;
    let source = client.source().create().await?;
    client
        .put_presigned(&source.source_blob.put_url, sample_tarball())
        .await?;
    let (pipeline_id, staging_app_id, production_app_id) = (pipeline.id, staging.id, production.id);
    let source_url = source.source_blob.get_url;

    // The forms, as written.
    client
        .config_var()
        .update("my-app", [("GREETING", Some("hello")), ("OLD_KEY", None)])
        .await?;
    client
        .formation()
        .update("my-app", "web")
        .quantity(3)
        .dyno_size("standard-1X")
        .await?;
    client
        .pipeline_promotion()
        .create(pipeline_id, staging_app_id, [production_app_id])
        .await?;
    client.domain().create("my-app", "www.example.org").await?;
    let build = client.build().create("my-app", source_url).await?;
    let build = client
        .wait_for_build("my-app", &build.id, Duration::from_secs(600))
        .await?;

    // What they did.
    assert_eq!(build.status.as_str(), "succeeded");
    let vars = client.config_var().info_for_app("my-app").await?;
    assert_eq!(vars["GREETING"], "hello");
    assert!(!vars.contains_key("OLD_KEY"));
    let web = client.formation().info("my-app", "web").await?;
    assert_eq!(web.quantity, 3);
    assert!(web.size.eq_ignore_ascii_case("standard-1X"), "{}", web.size);
    let domain = client
        .wait_for_domain("my-app", "www.example.org", Duration::from_secs(60))
        .await?;
    assert_eq!(domain.status, "succeeded");
    Ok(())
}

/// What the forms send: identities become `{"id": ..}` for a UUID and
/// `{"name": ..}` otherwise, a required-but-nullable field is `null` until
/// set, and a config change sends `null` to remove a key.
#[test]
fn the_forms_send_what_heroku_expects() {
    use heroku_api::{build, config_var, domain, formation, pipeline_promotion, Operation};
    let body = |op: &dyn erased::Body| op.json();

    let id = "01234567-89ab-cdef-0123-456789abcdef";
    let scale = formation::requests::Update::new("my-app", "web")
        .quantity(2)
        .dyno_size("standard-1X");
    assert_eq!(
        body(&scale),
        serde_json::json!({"quantity": 2, "dyno_size": {"name": "standard-1X"}})
    );
    let by_id = formation::requests::Update::new("my-app", "web").dyno_size(id);
    assert_eq!(body(&by_id), serde_json::json!({"dyno_size": {"id": id}}));

    let promote = pipeline_promotion::requests::Create::new(id, id, [id, id]);
    assert_eq!(
        body(&promote),
        serde_json::json!({
            "pipeline": {"id": id},
            "source": {"app": {"id": id}},
            "targets": [{"app": {"id": id}}, {"app": {"id": id}}],
        })
    );

    let domain = domain::requests::Create::new("my-app", "www.example.org");
    assert_eq!(
        body(&domain),
        serde_json::json!({"hostname": "www.example.org", "sni_endpoint": null})
    );
    let with_sni = domain.sni_endpoint("my-cert");
    assert_eq!(body(&with_sni)["sni_endpoint"], "my-cert");

    let build = build::requests::Create::new("my-app", "https://example.org/app.tgz");
    assert_eq!(
        body(&build),
        serde_json::json!({"source_blob": {"url": "https://example.org/app.tgz"}})
    );

    let config = config_var::requests::Update::new("my-app", [("A", Some("1"))])
        .set("B", "2")
        .unset("C");
    assert_eq!(
        body(&config),
        serde_json::json!({"A": "1", "B": "2", "C": null})
    );
    assert_eq!(
        <config_var::requests::Update as Operation>::INFO.id,
        "config-var.update"
    );
}

/// Operation values serialize to their body (path parameters are not part
/// of it).
mod erased {
    pub trait Body {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Body for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}
