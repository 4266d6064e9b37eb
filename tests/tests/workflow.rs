//! The whole platform workflow against the fake, through heroku-api's
//! generated endpoints.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::TryStreamExt;
use heroku_api::Client;

async fn setup() -> (heroku_fake::FakeHeroku, Client) {
    let fake = heroku_fake::start().await.expect("fake starts");
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()
        .expect("client");
    (fake, client)
}

fn vars(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect()
}

#[tokio::test]
async fn create_configure_scale_deploy_release_rollback_promote_addon_domain() {
    let (fake, client) = setup().await;

    // 1. Create an app; a taken name is refused.
    let app = client
        .app()
        .create()
        .name("demo-staging")
        .region("eu")
        .await
        .unwrap();
    assert_eq!(app.name, "demo-staging");
    assert_eq!(app.region.name, "eu");
    let again = client
        .app()
        .create()
        .name("demo-staging")
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(422));
    assert_eq!(
        client.app().info(app.id.as_str()).await.unwrap().name,
        "demo-staging"
    );

    // 2. Config: PATCH merges, null deletes, each change is a release.
    let set = client
        .config_var()
        .update(
            "demo-staging",
            vars(&[("GREETING", Some("hello")), ("TEMP", Some("x"))]),
        )
        .await
        .unwrap();
    assert_eq!(set.get("GREETING").map(String::as_str), Some("hello"));
    let after = client
        .config_var()
        .update(
            "demo-staging",
            vars(&[("TEMP", None), ("MODE", Some("fast"))]),
        )
        .await
        .unwrap();
    assert!(!after.contains_key("TEMP"));
    assert_eq!(after.len(), 2);
    let releases = client.release().list("demo-staging").await.unwrap();
    assert_eq!(
        releases.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );

    // 4. Upload a source and build it; the upload carries no Heroku auth.
    let source = client.source().create().await.unwrap();
    let put_url = source.source_blob.put_url.clone();
    // The source's Procfile names the process types that can be scaled.
    let dir = std::env::temp_dir().join(format!("fake-workflow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Procfile"), "web: bin/web\nworker: bin/worker\n").unwrap();
    let tarball = heroku_api::workflows::pack_directory(&dir, &[]).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let http = reqwest::Client::new();
    http.put(&put_url)
        .body(tarball.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(fake.blob(&put_url), Some(tarball));
    let blob_requests: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/__fake/"))
        .collect();
    assert!(blob_requests.iter().all(|r| !r.authorized));
    let build = client
        .build()
        .create(
            "demo-staging",
            heroku_api::build::BuildSourceBlob::new(source.source_blob.get_url.clone()),
        )
        .await
        .unwrap();
    assert_eq!(build.status.as_str(), "pending");

    // 5. Stream the build output while it runs.
    let stream_url = build.output_stream_url.clone();
    assert!(!stream_url.is_empty(), "an output stream");
    let mut stream = http.get(&stream_url).send().await.unwrap().bytes_stream();
    let mut output = String::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.try_next().await.unwrap() {
        chunks += 1;
        output.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(chunks > 1, "output arrived in pieces while building");
    assert!(
        output.contains("Building on the Heroku-24 stack"),
        "{output}"
    );
    assert!(output.contains("Released v4"), "{output}");
    let built = client
        .build()
        .info("demo-staging", build.id.as_str())
        .await
        .unwrap();
    assert_eq!(built.status.as_str(), "succeeded");

    // 5b. Scale the built process types in one batch (before a deploy,
    // Heroku answers 404 for any type).
    let updates = vec![
        heroku_api::formation::FormationUpdate::new("web")
            .quantity(2)
            .dyno_size(heroku_api::formation::FormationDynoSize::new().name("Standard-1X")),
        heroku_api::formation::FormationUpdate::new("worker").quantity(1),
    ];
    let formation = client
        .formation()
        .batch_update("demo-staging", updates)
        .await
        .unwrap();
    assert_eq!(formation.len(), 2);
    let dynos = client.dyno().list("demo-staging").await.unwrap();
    assert_eq!(dynos.len(), 3);

    // 6. Releases, then roll back to v2.
    let releases = client.release().list("demo-staging").await.unwrap();
    assert_eq!(releases.last().unwrap().version, 4);
    let v2 = client.release().info("demo-staging", 2).await.unwrap();
    let rollback = client
        .release()
        .rollback("demo-staging", v2.id.as_str())
        .await
        .unwrap();
    assert_eq!(rollback.version, 5);
    assert_eq!(rollback.description, "Rollback to v2");
    let config = client
        .config_var()
        .info_for_app("demo-staging")
        .await
        .unwrap();
    assert!(
        config.contains_key("TEMP"),
        "v2's config is back: {config:?}"
    );
    // v2 predates the deploy: roll forward to v4's code before promoting.
    let v4 = client.release().info("demo-staging", 4).await.unwrap();
    let forward = client
        .release()
        .rollback("demo-staging", v4.id.as_str())
        .await
        .unwrap();
    assert_eq!(
        (forward.version, forward.description.as_str()),
        (6, "Rollback to v4")
    );

    // 7. A pipeline of two apps, and a promotion from staging to production.
    let production = client.app().create().name("demo-production").await.unwrap();
    let pipeline = client.pipeline().create("demo").await.unwrap();
    let pipeline_id = pipeline.id.clone();
    client
        .pipeline_coupling()
        .create("demo-staging", pipeline_id.as_str(), "staging")
        .await
        .unwrap();
    client
        .pipeline_coupling()
        .create("demo-production", pipeline_id.as_str(), "production")
        .await
        .unwrap();
    let couplings = client
        .pipeline_coupling()
        .list_by_pipeline(pipeline_id.as_str())
        .await
        .unwrap();
    assert_eq!(couplings.len(), 2);
    let promotion = client
        .pipeline_promotion()
        .create(
            heroku_api::pipeline_promotion::PipelinePromotionCreatePipeline::new(
                pipeline_id.as_str(),
            ),
            heroku_api::pipeline_promotion::PipelinePromotionCreateSource::new().app(
                heroku_api::pipeline_promotion::PipelinePromotionCreateSourceApp::new(
                    app.id.as_str(),
                ),
            ),
            vec![
                heroku_api::pipeline_promotion::PipelinePromotionCreateTarget::new().app(
                    heroku_api::pipeline_promotion::PipelinePromotionCreateTargetApp::new(
                        production.id.as_str(),
                    ),
                ),
            ],
        )
        .await
        .unwrap();
    let mut targets = Vec::new();
    for _ in 0..50 {
        targets = client
            .pipeline_promotion_target()
            .list(promotion.id.as_str())
            .await
            .unwrap();
        if targets.iter().all(|t| t.status.as_str() != "pending") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].status.as_str(), "succeeded");
    let prod_releases = client.release().list("demo-production").await.unwrap();
    assert_eq!(prod_releases.last().unwrap().description, "Promote");

    // 8. An add-on attaches DATABASE_URL.
    let addon = client
        .add_on()
        .create("demo-staging", "heroku-postgresql:essential-0")
        .await
        .unwrap();
    assert_eq!(addon.config_vars, vec!["DATABASE_URL".to_string()]);
    let config = client
        .config_var()
        .info_for_app("demo-staging")
        .await
        .unwrap();
    assert!(
        config["DATABASE_URL"].starts_with("postgres://"),
        "{config:?}"
    );

    // 9. A domain gets a DNS target.
    let domain = client
        .domain()
        .create("demo-staging", "www.example.com")
        .await
        .unwrap();
    assert_eq!(domain.hostname, "www.example.com");
    assert!(domain.cname.unwrap_or_default().ends_with(".herokudns.com"));
    assert_eq!(client.domain().list("demo-staging").await.unwrap().len(), 1);

    // The request log saw exactly the creates we sent.
    assert_eq!(fake.count("POST", "/apps"), 3);
}

#[tokio::test]
async fn lists_page_with_ranges_and_errors_look_like_heroku() {
    let (fake, client) = setup().await;
    for i in 0..450 {
        client
            .app()
            .create()
            .name(format!("app-{i:04}"))
            .await
            .unwrap();
    }
    // The SDK pages by 1,000 by default: one request for 450.
    let before = fake.requests().len();
    let apps: Vec<_> = client.app().list().stream().try_collect().await.unwrap();
    assert_eq!(apps.len(), 450);
    assert_eq!(fake.requests().len() - before, 1);
    // Smaller pages by name, descending: three requests, in order.
    let before = fake.requests().len();
    let names: Vec<String> = client
        .app()
        .list()
        .range(
            heroku_api::Range::by("name")
                .max(200)
                .order(heroku_api::Order::Desc),
        )
        .stream()
        .map_ok(|a| a.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(fake.requests().len() - before, 3);
    assert_eq!(names.first().unwrap(), "app-0449");
    assert_eq!(names.last().unwrap(), "app-0000");
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);

    // Errors.
    let e = client.app().info("no-such-app").await.unwrap_err();
    assert_eq!(e.error_id(), Some(&heroku_api::ErrorId::NotFound));
    let e = client.app().create().name("Bad_Name").await.unwrap_err();
    assert_eq!(e.error_id(), Some(&heroku_api::ErrorId::InvalidParams));
}

#[tokio::test]
async fn the_etag_cache_revalidates_and_answers_304s_from_memory() {
    let fake = heroku_fake::start().await.unwrap();
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .etag_cache(16)
        .build()
        .unwrap();
    client.app().create().name("cached-app").await.unwrap();
    let first = client
        .app()
        .info("cached-app")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(first.meta.status, 200);
    let second = client
        .app()
        .info("cached-app")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(second.meta.status, 304, "revalidated");
    assert_eq!(second.body, first.body, "answered from the cache");
    // A change makes the server answer in full again.
    client
        .app()
        .update("cached-app")
        .maintenance(true)
        .await
        .unwrap();
    let third = client
        .app()
        .info("cached-app")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!((third.meta.status, third.body.maintenance), (200, true));
    let log = fake.requests();
    let gets: Vec<u16> = log
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.status)
        .collect();
    assert_eq!(gets, [200, 304, 200]);
    // Off by default: no If-None-Match, no 304.
    let plain = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()
        .unwrap();
    plain.app().info("cached-app").await.unwrap();
    assert_eq!(
        plain
            .app()
            .info("cached-app")
            .send_with_meta()
            .await
            .unwrap()
            .meta
            .status,
        200
    );
}
