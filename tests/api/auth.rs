//! Sign-in, sessions and sign-out.

use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, assert_redirect, attrs, client, header, text};
use crate::world::World;

#[sqlx::test]
async fn the_login_page_has_the_contract_fields(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let page = app.page("/login").await;
    assert_eq!(
        attrs(
            &page,
            "form[action='/login'] input[name='username']",
            "type"
        ),
        ["text"]
    );
    assert_eq!(
        attrs(
            &page,
            "form[action='/login'] input[name='password']",
            "type"
        ),
        ["password"]
    );
    assert_eq!(text(&page, "h1"), "Đăng nhập");
}

#[sqlx::test]
async fn a_wrong_password_is_refused_with_a_message_and_no_session(pool: PgPool) {
    let app = World::new(pool).await.app;
    let response = app
        .post_form(
            "/login",
            &[("username", "canbo"), ("password", "wrong-password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        header(response.headers(), "set-cookie").is_empty(),
        "no session cookie"
    );
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text(&page, "#login-error"),
        "Tên đăng nhập hoặc mật khẩu không đúng."
    );
    assert_eq!(
        attrs(&page, "input[name='username']", "value"),
        ["canbo"],
        "the username is kept"
    );
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "still signed out"
    );
}

#[sqlx::test]
async fn an_unknown_user_gets_the_same_answer_as_a_wrong_password(pool: PgPool) {
    let app = World::new(pool).await.app;
    let unknown = app
        .post_form(
            "/login",
            &[("username", "nobody"), ("password", "whatever-it-is")],
        )
        .await;
    let wrong = app
        .post_form(
            "/login",
            &[("username", "canbo"), ("password", "whatever-it-is")],
        )
        .await;
    assert_eq!(unknown.status(), wrong.status());
    let unknown = Html::parse_document(&unknown.text().await.expect("body"));
    let wrong = Html::parse_document(&wrong.text().await.expect("body"));
    assert_eq!(text(&unknown, "#login-error"), text(&wrong, "#login-error"));
}

#[sqlx::test]
async fn an_account_is_paused_after_repeated_failures(pool: PgPool) {
    let app = World::new(pool).await.app;
    for _ in 0..5 {
        let response = app
            .post_form(
                "/login",
                &[("username", "ketoan"), ("password", "guess-guess")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = app
        .post_form("/login", &[("username", "ketoan"), ("password", PASSWORD)])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert!(text(&page, "#login-error").contains("15 phút"));
    // Other accounts from another address are not affected.
    let other = app.login_new_client("canbo", PASSWORD).await;
    assert_eq!(
        other.get(app.url("/")).send().await.expect("GET").status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_deactivated_account_cannot_sign_in(pool: PgPool) {
    let app = World::new(pool).await.app;
    sqlx::query("update users set active = false where username = 'thamdinh'")
        .execute(&app.pool)
        .await
        .expect("update");
    let response = app
        .post_form(
            "/login",
            &[("username", "thamdinh"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn pages_need_a_session_and_return_after_sign_in(pool: PgPool) {
    let app = World::new(pool).await.app;
    let response = app.get("/proposals?page=2").await;
    assert_redirect(&response, "/login?next=%2Fproposals%3Fpage%3D2");
    let page = app.page("/login?next=%2Fproposals%3Fpage%3D2").await;
    assert_eq!(
        attrs(&page, "input[name='next']", "value"),
        ["/proposals?page=2"]
    );
    let response = app
        .post_form(
            "/login",
            &[
                ("username", "canbo"),
                ("password", PASSWORD),
                ("next", "/proposals?page=2"),
            ],
        )
        .await;
    assert_redirect(&response, "/proposals?page=2");
    let response = app
        .post_form(
            "/login",
            &[
                ("username", "canbo"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_redirect(&response, "/");
}

#[sqlx::test]
async fn signing_in_again_issues_a_new_session_and_ends_the_old_one(pool: PgPool) {
    let app = World::new(pool).await.app;
    let first = app
        .post_form("/login", &[("username", "canbo"), ("password", PASSWORD)])
        .await;
    let first_cookie = session_cookie(&first);
    let second = app
        .post_form("/login", &[("username", "canbo"), ("password", PASSWORD)])
        .await;
    let second_cookie = session_cookie(&second);
    assert_ne!(
        first_cookie, second_cookie,
        "the session id is cycled at sign-in"
    );
    let replay = client()
        .get(app.url("/"))
        .header("cookie", first_cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        replay.status(),
        StatusCode::SEE_OTHER,
        "the old session no longer works"
    );
    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(sessions, 1);
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_and_same_site(pool: PgPool) {
    let app = World::new(pool).await.app;
    let response = app
        .post_form("/login", &[("username", "canbo"), ("password", PASSWORD)])
        .await;
    let cookie = header(response.headers(), "set-cookie");
    assert!(cookie.starts_with("kc_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(!cookie.contains("Secure"), "http base URL: no Secure flag");
}

#[sqlx::test]
async fn over_https_the_session_cookie_is_secure(pool: PgPool) {
    let world = World::with_settings(pool, &[("BASE_URL", "https://khuyencong.example")]).await;
    let app = &world.app;
    let response = app
        .post_form("/login", &[("username", "canbo"), ("password", PASSWORD)])
        .await;
    assert!(header(response.headers(), "set-cookie").contains("Secure"));
}

#[sqlx::test]
async fn signing_out_ends_the_session(pool: PgPool) {
    let app = World::new(pool).await.app;
    let response = app
        .post_form("/login", &[("username", "giamdoc"), ("password", PASSWORD)])
        .await;
    let cookie = session_cookie(&response);
    let response = app.post_form("/logout", &[]).await;
    assert_redirect(&response, "/login");
    let page = app.page("/login").await;
    assert_eq!(text(&page, ".flash"), "Bạn đã đăng xuất.");
    let replay = client()
        .get(app.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn an_idle_session_ends(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("canbo", PASSWORD).await;
    sqlx::query("update sessions set last_seen_at = now() - interval '2 hours'")
        .execute(&app.pool)
        .await
        .expect("update");
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "idle for longer than 60 minutes"
    );
}

#[sqlx::test]
async fn a_session_ends_at_its_absolute_timeout_however_active(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("canbo", PASSWORD).await;
    sqlx::query(
        "update sessions set expires_at = now() - interval '1 second', last_seen_at = now()",
    )
    .execute(&app.pool)
    .await
    .expect("update");
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kc_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}
