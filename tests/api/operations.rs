//! Health checks, a busy database, shutdown.

use std::time::Duration;

use reqwest::StatusCode;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{PASSWORD, TestApp, client};
use crate::world::World;

#[sqlx::test]
async fn health_and_readiness_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
}

/// A request that cannot get a connection within the acquire timeout is answered 503 at
/// once, not left hanging.
#[sqlx::test]
async fn a_busy_database_is_answered_with_503(pool: PgPool) {
    let options = pool.connect_options().as_ref().clone();
    let tiny = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(300))
        .connect_with(options)
        .await
        .expect("tiny pool");
    // The world's people, served by a second application on the tiny pool.
    let _world = World::new(pool.clone()).await;
    let app = TestApp::spawn_with(pool, tiny.clone(), &[]).await;
    app.login("canbo", PASSWORD).await;

    let held = tiny.acquire().await.expect("hold the only connection");
    let started = std::time::Instant::now();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = app.get("/proposals").await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.text()
            .await
            .expect("body")
            .contains("Hệ thống đang bận")
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered promptly"
    );
    drop(held);
    assert_eq!(
        app.get("/proposals").await.status(),
        StatusCode::OK,
        "and recovers"
    );
}

#[sqlx::test]
async fn the_server_stops_when_asked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let base = app.base.clone();
    drop(app);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = client().get(format!("{base}/healthz")).send().await;
    assert!(after.is_err(), "no longer listening");
}
