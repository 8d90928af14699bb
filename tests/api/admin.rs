//! Administration of accounts.

use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, assert_redirect, attrs, text, texts, user_id};
use crate::world::World;

async fn centre_id(app: &TestApp) -> String {
    let id: i64 = sqlx::query_scalar("select organisation_id from users where username = 'canbo'")
        .fetch_one(&app.pool)
        .await
        .expect("centre");
    id.to_string()
}

#[sqlx::test]
async fn an_administrator_creates_an_account_that_can_sign_in(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let centre = centre_id(&app).await;
    let response = app
        .post_form(
            "/admin/users/new",
            &[
                ("username", "  CanBo2 "),
                ("full_name", "Nguyễn Thị Hoa"),
                ("email", "hoa@example.vn"),
                ("role", "centre_staff"),
                ("organisation_id", &centre),
                ("password", "mat-khau-moi-2024"),
            ],
        )
        .await;
    let id = user_id(&app.pool, "canbo2").await;
    assert_redirect(&response, &format!("/admin/users/{id}"));
    let page = app.page(&format!("/admin/users/{id}")).await;
    assert_eq!(text(&page, ".flash"), "Đã tạo tài khoản canbo2.");
    let new_user = app.login_new_client("canbo2", "mat-khau-moi-2024").await;
    assert_eq!(
        new_user
            .get(app.url("/"))
            .send()
            .await
            .expect("GET")
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_bad_account_form_comes_back_with_its_values_and_nothing_is_saved(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let before: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    let long_name = "x".repeat(100_000);
    for (username, full_name, password, role) in [
        (
            "bad name",
            "Nguyễn Văn A",
            "long-enough-password",
            "centre_staff",
        ),
        (
            "okname",
            "Nguyễn\0Văn A",
            "long-enough-password",
            "centre_staff",
        ),
        (
            "okname",
            long_name.as_str(),
            "long-enough-password",
            "centre_staff",
        ),
        ("okname", "Nguyễn Văn A", "short", "centre_staff"),
        ("okname", "Nguyễn Văn A", "long-enough-password", "emperor"),
        (
            "okname",
            "Nguyễn Văn A",
            "long-enough-password",
            "facility_owner",
        ),
        (
            "canbo",
            "Nguyễn Văn A",
            "long-enough-password",
            "centre_staff",
        ),
    ] {
        let response = app
            .post_form(
                "/admin/users/new",
                &[
                    ("username", username),
                    ("full_name", full_name),
                    ("role", role),
                    ("organisation_id", &centre_id(&app).await),
                    ("password", password),
                ],
            )
            .await;
        assert!(
            response.status() == StatusCode::UNPROCESSABLE_ENTITY
                || response.status() == StatusCode::PAYLOAD_TOO_LARGE,
            "{username}/{role}: {}",
            response.status()
        );
        if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
            let page = Html::parse_document(&response.text().await.expect("body"));
            assert!(
                !texts(&page, ".field-error").is_empty(),
                "{username}/{role}: a message by the field"
            );
            assert_eq!(
                attrs(&page, "input[name='username']", "value"),
                [username],
                "value kept"
            );
            assert_eq!(
                attrs(&page, "input[name='password']", "value"),
                Vec::<String>::new(),
                "password not echoed"
            );
        }
    }
    let after: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(before, after);
}

#[sqlx::test]
async fn deactivating_an_account_ends_its_sessions(pool: PgPool) {
    let app = World::new(pool).await.app;
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    assert_eq!(accountant.get("/").await.status(), StatusCode::OK);
    app.login("admin", PASSWORD).await;
    let id = user_id(&app.pool, "ketoan").await;
    let response = app
        .post_form(&format!("/admin/users/{id}/deactivate"), &[])
        .await;
    assert_redirect(&response, &format!("/admin/users/{id}"));
    assert_eq!(
        accountant.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "signed out at once"
    );
    let again = app
        .post_form("/login", &[("username", "ketoan"), ("password", PASSWORD)])
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(&format!("/admin/users/{id}/activate"), &[])
        .await;
    assert_redirect(&response, &format!("/admin/users/{id}"));
    app.with_client(app.login_new_client("ketoan", PASSWORD).await);
}

#[sqlx::test]
async fn resetting_a_password_ends_sessions_and_the_new_one_works(pool: PgPool) {
    let app = World::new(pool).await.app;
    let director = app.with_client(app.login_new_client("giamdoc", PASSWORD).await);
    app.login("admin", PASSWORD).await;
    let id = user_id(&app.pool, "giamdoc").await;
    let short = app
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", "mat-khau-giam-doc")],
        )
        .await;
    assert_redirect(&response, &format!("/admin/users/{id}"));
    assert_eq!(director.get("/").await.status(), StatusCode::SEE_OTHER);
    app.login_new_client("giamdoc", "mat-khau-giam-doc").await;
}

#[sqlx::test]
async fn changing_a_role_changes_what_the_user_may_do(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let id = user_id(&app.pool, "thamdinh").await;
    let centre = centre_id(&app).await;
    let response = app
        .post_form(
            &format!("/admin/users/{id}/assignment"),
            &[("role", "admin"), ("organisation_id", &centre)],
        )
        .await;
    assert_redirect(&response, &format!("/admin/users/{id}"));
    let promoted = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    assert_eq!(promoted.get("/admin/users").await.status(), StatusCode::OK);

    // A local officer must belong to a local office.
    let response = app
        .post_form(
            &format!("/admin/users/{id}/assignment"),
            &[("role", "local_officer"), ("organisation_id", &centre)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A closed office (Đại Từ's, say, after the districts went) takes no account, new or moved:
/// the form comes back with its values and the reason, and nothing changes.
#[sqlx::test]
async fn no_account_goes_to_a_closed_organisation(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let closed: i64 = sqlx::query_scalar(
        "update organisations set active = false where name = 'Phòng Kinh tế và Hạ tầng huyện Đại Từ' \
         returning id",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the Đại Từ office closed");
    let closed = closed.to_string();
    let users = || crate::helpers::count(&app.pool, "select count(*) from users");
    let before = users().await;
    let response = app
        .post_form(
            "/admin/users/new",
            &[
                ("username", "pkt.daitu2"),
                ("full_name", "Cán Bộ Mới"),
                ("email", ""),
                ("role", "local_officer"),
                ("organisation_id", &closed),
                ("password", "mat-khau-moi-2024"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text(&page, "#organisation_id-error"),
        "Đơn vị này đã ngừng hoạt động: vui lòng chọn đơn vị đang hoạt động."
    );
    assert_eq!(attrs(&page, "#username", "value"), ["pkt.daitu2"]);
    assert!(
        attrs(&page, "#organisation_id option", "value")
            .iter()
            .all(|v| *v != closed),
        "a closed office is not offered"
    );
    assert_eq!(users().await, before, "nothing saved");

    // Nor is an account moved into it.
    let officer = user_id(&app.pool, "pkt.phubinh").await;
    let response = app
        .post_form(
            &format!("/admin/users/{officer}/assignment"),
            &[("role", "local_officer"), ("organisation_id", &closed)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let still: String = sqlx::query_scalar(
        "select o.name from users u join organisations o on o.id = u.organisation_id \
         where u.id = $1",
    )
    .bind(officer)
    .fetch_one(&app.pool)
    .await
    .expect("the officer's office");
    assert_eq!(still, "Phòng Kinh tế và Hạ tầng huyện Phú Bình");
}

#[sqlx::test]
async fn an_administrator_cannot_lock_themselves_out(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let id = user_id(&app.pool, "admin").await;
    let response = app
        .post_form(&format!("/admin/users/{id}/deactivate"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn no_other_role_may_manage_accounts(pool: PgPool) {
    let world = World::of_every_role(pool).await;
    let app = &world.app;
    let target = user_id(&app.pool, "ketoan").await;
    for username in crate::world::everyone_but_admin() {
        let user = app.with_client(app.login_new_client(username, PASSWORD).await);
        assert_eq!(
            user.get("/admin/users").await.status(),
            StatusCode::FORBIDDEN,
            "{username}"
        );
        assert_eq!(
            user.get("/admin/users/new").await.status(),
            StatusCode::FORBIDDEN,
            "{username}"
        );
        let create = user
            .post_form(
                "/admin/users/new",
                &[
                    ("username", "sneaky"),
                    ("full_name", "S"),
                    ("role", "admin"),
                    ("organisation_id", "1"),
                    ("password", "sneaky-password"),
                ],
            )
            .await;
        assert_eq!(create.status(), StatusCode::FORBIDDEN, "{username}");
        let deactivate = user
            .post_form(&format!("/admin/users/{target}/deactivate"), &[])
            .await;
        assert_eq!(deactivate.status(), StatusCode::FORBIDDEN, "{username}");
    }
    let sneaky: i64 = sqlx::query_scalar("select count(*) from users where username = 'sneaky'")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(sneaky, 0);
    let active: bool = sqlx::query_scalar("select active from users where id = $1")
        .bind(target)
        .fetch_one(&app.pool)
        .await
        .expect("user");
    assert!(active);
}

#[sqlx::test]
async fn the_organisations_list_shows_the_offices(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("admin").await;
    let page = app.page("/admin/organisations").await;
    let rows = texts(&page, "tbody tr");
    assert_eq!(
        rows.len(),
        5,
        "Centre, Department, owners, two offices: {rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("Phú Bình")));
    assert!(rows.iter().any(|r| r.contains("Đại Từ")));
}
