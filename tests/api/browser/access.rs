//! Signing in and out, refusals and the language switch, and the pages on a phone: each in a
//! world's accounts.

use fantoccini::Locator;
use khuyencong::domain::proposal::ProposalState;
use sqlx::PgPool;

use super::{assert_text, assert_text_starts, browser, screenshot, sign_in, text_when};
use crate::helpers::PASSWORD;
use crate::world::{DAI_TU, World, everyone_but_admin};

#[sqlx::test]
async fn every_role_signs_in_and_out_in_a_browser(pool: PgPool) {
    let world = World::of_every_role(pool).await;
    let app = &world.app;
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    client.goto(&app.url("/login")).await.expect("login page");
    screenshot(client, "login").await;
    for username in everyone_but_admin().chain(["admin"]) {
        sign_in(client, app, username, PASSWORD).await;
        assert_text_starts(client, ".welcome h1", "Xin chào").await;
        screenshot(client, &format!("home-{username}")).await;
        client
            .find(Locator::Css("form[action='/logout'] button"))
            .await
            .expect("sign-out button")
            .click()
            .await
            .expect("sign out");
        assert_text(client, ".flash", "Bạn đã đăng xuất.").await;
    }
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn a_wrong_password_is_refused_in_the_browser(pool: PgPool) {
    let world = World::new(pool).await;
    let browser = browser(1280, 900).await;
    sign_in(&browser.client, &world.app, "canbo", "not-the-password").await;
    assert_text(
        &browser.client,
        "#login-error",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
    )
    .await;
    screenshot(&browser.client, "login-refused").await;
    browser.client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn a_cross_site_form_cannot_act_for_a_signed_in_user(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    // Another site, on another port: a page with a form that posts to our sign-out.
    let evil_page = format!(
        "<!doctype html><title>evil</title><form method=post action='{}/logout'><button id=go>Win a prize</button></form>",
        app.base
    );
    let evil = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(evil_page) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let evil_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, evil).await });

    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, app, "canbo", PASSWORD).await;
    assert_text_starts(client, "main h1", "Xin chào").await;
    client.goto(&evil_url).await.expect("evil page");
    client
        .find(Locator::Id("go"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    assert_text(
        client,
        "main .lead",
        "Yêu cầu bị từ chối vì không gửi từ trang của hệ thống.",
    )
    .await;
    client.goto(&app.url("/")).await.expect("home");
    assert_text_starts(client, "main h1", "Xin chào").await;
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn a_local_officer_cannot_open_another_areas_facility_by_url(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let tax = world
        .facility_in(DAI_TU, "Hợp tác xã Chè La Bằng", "4609990201")
        .await;
    let foreign: i64 = sqlx::query_scalar("select id from facilities where tax_code = $1")
        .bind(&tax)
        .fetch_one(&app.pool)
        .await
        .expect("a Đại Từ facility");
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, app, "pkt.phubinh", PASSWORD).await;
    client
        .goto(&app.url(&format!("/facilities/{foreign}")))
        .await
        .expect("goto");
    assert_text(client, "main h1", "404").await;
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn the_english_switch_works_and_is_remembered(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    client.goto(&app.url("/login")).await.expect("login");
    assert_text(client, "main h1", "Đăng nhập").await;
    client
        .find(Locator::LinkText("EN"))
        .await
        .expect("EN")
        .click()
        .await
        .expect("click");
    assert_text(client, "main h1", "Sign in").await;
    sign_in(client, app, "giamdoc", PASSWORD).await;
    assert_text_starts(client, "main h1", "Hello").await;
    screenshot(client, "home-english").await;
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn pages_fit_a_360_pixel_phone(pool: PgPool) {
    let world = World::of_every_role(pool).await;
    // The owner's facility has a proposal at the Centre, so the lists have a row.
    world
        .proposal(
            "4609990099",
            "Máy sao chè tự động",
            ProposalState::Submitted,
        )
        .await;
    let app = &world.app;
    let browser = browser(360, 800).await;
    let client = &browser.client;
    client.goto(&app.url("/login")).await.expect("login");
    screenshot(client, "login-phone").await;
    sign_in(client, app, "coso", PASSWORD).await;
    screenshot(client, "home-phone-owner").await;
    for path in ["/", "/proposals", "/facilities"] {
        client.goto(&app.url(path)).await.expect("goto");
        text_when(client, "main h1", |t| !t.is_empty()).await;
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await
            .expect("script");
        assert!(
            overflow.as_i64().unwrap_or(i64::MAX) <= 0,
            "{path} scrolls sideways by {overflow}"
        );
    }
    client.clone().close().await.expect("close");
}
