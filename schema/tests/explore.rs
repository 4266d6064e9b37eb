#[test]
#[ignore]
fn explore() {
    for f in ["platform-api-3-2026-02.json", "platform-api-3.sdk-2026-05.json", "platform-api-3-2022-09.json"] {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/schema").join(f);
        let t = std::time::Instant::now();
        let l = heroku_schema::load(&p, &[]).unwrap_or_else(|e| panic!("{f}: {e}"));
        println!("{f}: links {} ops {} types {} in {:?}", l.api.link_count(), l.api.operations().count(), l.api.types.len(), t.elapsed());
        for w in &l.api.warnings { println!("  W {w}"); }
    }
}
