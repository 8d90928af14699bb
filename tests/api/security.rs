//! Cross-site requests, response headers, error pages and the audit trail.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, count, header, text};
use crate::world::World;

#[sqlx::test]
async fn a_cross_site_post_is_refused_and_changes_nothing(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let users_before: i64 = count(&app.pool, "select count(*) from users").await;

    let response = app
        .client
        .post(app.url("/admin/users/new"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("username", "intruder"),
            ("full_name", "Intruder"),
            ("role", "admin"),
            ("organisation_id", "1"),
            ("password", "intruder-password"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text(&page, "main .lead"),
        "Yêu cầu bị từ chối vì không gửi từ trang của hệ thống."
    );
    assert_eq!(
        count(&app.pool, "select count(*) from users").await,
        users_before,
        "nothing was created"
    );

    // A forged sign-out from another site does not end the session either.
    let response = app
        .client
        .post(app.url("/logout"))
        .header("origin", "http://127.0.0.1:1")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "still signed in"
    );
}

#[sqlx::test]
async fn every_page_carries_the_security_headers(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("canbo", PASSWORD).await;
    for path in [
        "/login",
        "/",
        "/proposals",
        "/no-such-page",
        "/static/css/app.css",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = header(headers, "content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            header(headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(headers, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
        assert!(!header(headers, "x-request-id").is_empty(), "{path}");
    }
}

#[sqlx::test]
async fn signed_in_pages_are_never_cached_and_assets_are(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("canbo", PASSWORD).await;
    for path in ["/", "/proposals", "/facilities"] {
        assert_eq!(
            header(app.get(path).await.headers(), "cache-control"),
            "no-store",
            "{path}"
        );
    }
    assert!(
        header(
            app.get("/static/css/app.css").await.headers(),
            "cache-control"
        )
        .contains("max-age")
    );
}

#[sqlx::test]
async fn error_pages_are_in_the_shell_and_leak_nothing(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("canbo", PASSWORD).await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(text(&page, "main h1"), "404");
    assert!(
        !text(&page, ".mainnav").is_empty(),
        "the navigation is there"
    );

    let response = app.get("/proposals/not-a-number").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("<main") && !body.contains("Cannot parse"),
        "a page, not axum's message"
    );

    let response = app.get("/admin/users").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text(&page, "main .lead"),
        "Bạn không có quyền thực hiện thao tác này."
    );
}

#[sqlx::test]
async fn the_proposal_timeline_cannot_be_rewritten(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world
        .proposal(&tax, "Máy sao chè", ProposalState::Accepted)
        .await;
    let app = &world.app;
    let update = sqlx::query("update proposal_events set note = 'rewritten'")
        .execute(&app.pool)
        .await;
    assert!(update.is_err(), "UPDATE refused");
    let delete = sqlx::query("delete from proposal_events")
        .execute(&app.pool)
        .await;
    assert!(delete.is_err(), "DELETE refused");
    let truncate = sqlx::query("truncate proposal_events")
        .execute(&app.pool)
        .await;
    assert!(truncate.is_err(), "TRUNCATE refused");
    let events: i64 = sqlx::query_scalar("select count(*) from proposal_events")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert!(events > 0);
}

#[sqlx::test]
async fn oversized_forms_are_refused(pool: PgPool) {
    let app = World::new(pool).await.app;
    let huge = "x".repeat(300 * 1024);
    let response = app
        .post_form("/login", &[("username", &huge), ("password", "x")])
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
