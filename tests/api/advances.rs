//! Advances: the implementing side asks once its last progress report is past the
//! threshold, within the contract's share; the Centre confirms or refuses (never its own
//! request); the accountant pays with a voucher. Requests made at once never pass the share;
//! roles that may not act, cannot.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, text};
use crate::world::World;
use khuyencong::domain::money::format_plain;

fn month(offset: i64) -> String {
    let today = crate::helpers::today();
    let first = today.replace_day(1).expect("first");
    let month = if offset < 0 {
        first - time::Duration::days(1)
    } else {
        first
    };
    format!("{}-{:02}", month.year(), u8::from(month.month()))
}

async fn report(app: &TestApp, id: i64, month: &str, percent: &str) {
    let form = Form::new()
        .text("month", month.to_owned())
        .text("percent_done", percent.to_owned())
        .text("spending", "100000000")
        .text("work_done", "Đã lắp đặt thiết bị.");
    let response = app
        .post_multipart(&format!("/proposals/{id}/progress"), form)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "report {month}");
}

async fn ask(app: &TestApp, id: i64, amount: i64) -> reqwest::Response {
    app.post_form(
        &format!("/proposals/{id}/advances"),
        &[("amount", &format_plain(amount))],
    )
    .await
}

async fn says(response: reqwest::Response, css: &str) -> String {
    let page = Html::parse_document(&response.text().await.expect("body"));
    text(&page, css)
}

async fn requests(pool: &PgPool, contract: i64) -> Vec<(i64, i64, String)> {
    sqlx::query_as(
        "select id, amount, status::text from advance_requests where contract_id = $1 order by id",
    )
    .bind(contract)
    .fetch_all(pool)
    .await
    .expect("requests")
}

#[sqlx::test]
async fn an_advance_is_asked_confirmed_and_paid_within_the_share(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    // Its contract advances 70% once a report shows more than 70% done (the form's default).
    let (id, contract, support, office, _) = world.running().await;
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    let share = support * 7 / 10;

    // No report past the threshold yet: 70% is not above 70%.
    let response = ask(&officer, id, share / 2).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        says(response, "#amount-error")
            .await
            .contains("chưa cho thấy")
    );
    report(&officer, id, &month(-1), "70").await;
    assert_eq!(
        ask(&officer, id, share / 2).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    report(&officer, id, &month(0), "80").await;
    let response = ask(&officer, id, share + 1).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        says(response, "#amount-error")
            .await
            .contains("tỷ lệ tạm ứng")
    );
    let first = support * 5 / 10;
    assert_eq!(
        ask(&officer, id, first).await.status(),
        StatusCode::SEE_OTHER
    );
    // What is asked counts before it is paid.
    assert_eq!(
        ask(&officer, id, share - first + 1).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ask(&officer, id, share - first).await.status(),
        StatusCode::SEE_OTHER
    );
    let asked = requests(&app.pool, contract).await;
    assert_eq!(asked.len(), 2);
    let (first_request, second_request) = (asked[0].0, asked[1].0);

    // Roles that may not confirm, cannot; the Centre confirms one and refuses the other.
    let path = |request: i64, step: &str| format!("/proposals/{id}/advances/{request}/{step}");
    for user in ["giamdoc", "ketoan", office.as_str()] {
        let other = app.with_client(app.login_new_client(user, PASSWORD).await);
        let response = other.post_form(&path(first_request, "confirm"), &[]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user}");
    }
    app.login("canbo", PASSWORD).await;
    assert_eq!(
        app.post_form(&path(first_request, "confirm"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let response = app
        .post_form(&path(second_request, "refuse"), &[("reason", "  ")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!says(response, "#reason-error").await.is_empty());
    assert_eq!(
        app.post_form(
            &path(second_request, "refuse"),
            &[(
                "reason",
                "Biên bản kiểm tra khối lượng chưa có chữ ký của Sở."
            )]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    // Who asks does not confirm.
    let own = support / 10;
    assert_eq!(ask(app, id, own).await.status(), StatusCode::SEE_OTHER);
    let own_request = requests(&app.pool, contract).await[2].0;
    assert_eq!(
        app.post_form(&path(own_request, "confirm"), &[])
            .await
            .status(),
        StatusCode::CONFLICT
    );

    // The accountant pays the confirmed one with a voucher.
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let today = crate::helpers::today();
    let tomorrow = (today + time::Duration::days(1)).to_string();
    for (form, field) in [
        (
            [
                ("voucher_number", "PC-2026-118"),
                ("paid_on", tomorrow.as_str()),
            ],
            "#paid_on-error",
        ),
        (
            [("voucher_number", ""), ("paid_on", "2026-11-30")],
            "#voucher_number-error",
        ),
        (
            [("voucher_number", "PC-2026-118"), ("paid_on", "30/02/2026")],
            "#paid_on-error",
        ),
    ] {
        let response = accountant
            .post_form(&path(first_request, "pay"), &form)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form:?}"
        );
        assert!(!says(response, field).await.is_empty(), "{form:?}");
    }
    assert_eq!(
        app.post_form(
            &path(first_request, "pay"),
            &[
                ("voucher_number", "PC-2026-118"),
                ("paid_on", &today.to_string())
            ]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN,
        "the Centre does not pay"
    );
    let pay = [
        ("voucher_number", "PC-2026-118"),
        ("paid_on", &*today.to_string()),
    ];
    assert_eq!(
        accountant
            .post_form(&path(first_request, "pay"), &pay)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        accountant
            .post_form(&path(first_request, "pay"), &pay)
            .await
            .status(),
        StatusCode::CONFLICT,
        "paid once"
    );
    let (advanced, paid): (i64, i64) =
        sqlx::query_as("select advanced, paid from contracts where id = $1")
            .bind(contract)
            .fetch_one(&app.pool)
            .await
            .expect("totals");
    assert_eq!((advanced, paid), (first, first));
    let states: Vec<String> = requests(&app.pool, contract)
        .await
        .into_iter()
        .map(|(_, _, s)| s)
        .collect();
    assert_eq!(states, ["paid", "refused", "requested"]);
    let page = officer.page(&format!("/proposals/{id}/payments")).await;
    assert!(text(&page, "table.advance-requests").contains("chưa có chữ ký"));
    assert!(text(&page, "table.payments").contains("PC-2026-118"));
    let events: i64 = sqlx::query_scalar(
        "select count(*) from proposal_events where proposal_id = $1 and action like 'advance_%'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("events");
    assert_eq!(events, 6);
}

#[sqlx::test]
async fn requests_made_at_once_never_pass_the_share(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    // Its contract advances 70% once a report shows more than 70% done (the form's default).
    let (id, contract, support, office, _) = world.running().await;
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    report(&officer, id, &month(0), "90").await;
    let by: i64 = sqlx::query_scalar("select id from users where username = $1")
        .bind(&office)
        .fetch_one(&app.pool)
        .await
        .expect("the officer");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let pool = app.pool.clone();
            tokio::spawn(async move {
                let mut tx = pool.begin().await.expect("begin");
                let asked =
                    khuyencong::db::advances::request(&mut tx, contract, support * 3 / 10, by)
                        .await
                        .expect("request");
                tx.commit().await.expect("commit");
                asked.is_ok()
            })
        })
        .collect();
    let mut written = 0;
    for task in tasks {
        if task.await.expect("task") {
            written += 1;
        }
    }
    assert_eq!(written, 2, "two of 30% fit under 70%");
    assert_eq!(requests(&app.pool, contract).await.len(), 2);
}
