//! National proposals: forwarding appraised ones to the Ministry in a dispatch before the
//! registration deadline, and recording the Ministry's decision on the national plan.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, pdf, state_of, text, texts};

/// The demo's national 2024 proposal sent to the Ministry, put back to `appraised` so that it
/// waits to be sent (the demo has no dispatch rows).
async fn pending_national(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "update proposals set state = 'appraised' where id = \
         (select id from proposals where level = 'national' and plan_year = 2024 \
          and state = 'forwarded' order by id limit 1) returning id",
    )
    .fetch_one(pool)
    .await
    .expect("a national proposal")
}

fn dispatch(picks: &[i64], number: &str, date: &str) -> Form {
    let mut form = Form::new()
        .percent_encode_noop()
        .text("year", "2024")
        .text("dispatch_number", number.to_owned())
        .text("forwarded_on", date.to_owned())
        .text("note", "Đề nghị hỗ trợ từ kinh phí khuyến công quốc gia");
    for id in picks {
        form = form.text(format!("pick_{id}"), "on");
    }
    form.part(
        "file",
        Part::bytes(pdf())
            .file_name("cong-van.pdf")
            .mime_str("application/pdf")
            .expect("mime"),
    )
}

#[sqlx::test]
async fn a_national_proposal_is_forwarded_and_the_ministry_decision_recorded(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let id = pending_national(&app.pool).await;
    app.login("giamdoc", PASSWORD).await;
    let page = app.page("/funding/national?year=2024").await;
    assert!(
        text(&page, "#deadline").contains("20/06/2023"),
        "20 June of the year before"
    );
    assert!(
        !texts(&page, "#deadline .field-error").is_empty(),
        "the deadline has passed with a proposal still unsent"
    );
    assert_eq!(texts(&page, "table.national-pending tbody tr").len(), 1);

    // No proposal picked, a date to come, no scan: the form comes back.
    let today = crate::helpers::today();
    let response = app
        .post_multipart(
            "/funding/national",
            dispatch(&[], "215/SCT-QLCN", &today.to_string()),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let tomorrow = (today + time::Duration::days(1)).to_string();
    let response = app
        .post_multipart(
            "/funding/national",
            dispatch(&[id], "215/SCT-QLCN", &tomorrow),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert!(!text(&page, "#forwarded_on-error").is_empty());
    assert_eq!(state_of(&app.pool, id).await, "appraised");

    let response = app
        .post_multipart(
            "/funding/national",
            dispatch(&[id], "215/SCT-QLCN", &today.to_string()),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "forwarded");
    let page = app.page("/funding/national?year=2024").await;
    let rows = texts(&page, "table.forwardings tbody tr");
    assert!(rows.iter().any(|r| r.contains("215/SCT-QLCN")), "{rows:?}");
    let events: i64 = sqlx::query_scalar(
        "select count(*) from proposal_events where proposal_id = $1 and action = 'forward' \
         and details->>'dispatch' = '215/SCT-QLCN'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("events");
    assert_eq!(events, 1);

    // The Ministry decides: recorded on the national plan, from the forwarded proposals.
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let response = accountant
        .post_form(
            "/funding/rounds",
            &[
                ("year", "2024"),
                ("source", "national"),
                ("direction", "allocate"),
                ("amount", "3.000.000.000"),
                ("decided_on", today.to_string().as_str()),
                ("reference", "Công văn phân bổ của Bộ Công Thương"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let plan = app.page("/funding/plan?year=2024&source=national").await;
    assert_eq!(texts(&plan, "table.plan-lines tbody tr").len(), 1);
    let proposed: i64 = sqlx::query_scalar(
        "select proposed_support from appraisal_records where proposal_id = $1 and status = 'final'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("proposed");
    let form = Form::new()
        .text("year", "2024")
        .text("source", "national")
        .text("number", "1601/QĐ-BCT")
        .text("decided_on", today.to_string())
        .text(
            "signer",
            "Cục trưởng Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công",
        )
        .text(format!("pick_{id}"), "on")
        .text(format!("amount_{id}"), proposed.to_string())
        .part(
            "file",
            Part::bytes(pdf())
                .file_name("qd-bo.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let response = app.post_multipart("/funding/plan", form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "approved");
    let approved: i64 = sqlx::query_scalar(
        "select count(*) from proposal_events where proposal_id = $1 and action = 'ministry_approve'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("events");
    assert_eq!(approved, 1);
}

#[sqlx::test]
async fn only_a_director_forwards(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let id = pending_national(&app.pool).await;
    let today = crate::helpers::today().to_string();
    for user in [
        "canbo",
        "ketoan",
        "thamdinh",
        "so.congthuong",
        "pkt.phubinh",
        "coso.phucxuan",
    ] {
        let other = app.with_client(app.login_new_client(user, PASSWORD).await);
        let response = other
            .post_multipart("/funding/national", dispatch(&[id], "1/CV", &today))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user}");
    }
    assert_eq!(state_of(&app.pool, id).await, "appraised");
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    let page = staff.page("/funding/national?year=2024").await;
    assert!(texts(&page, "form[action='/funding/national'][method='post']").is_empty());
    let officer = app.with_client(app.login_new_client("pkt.phubinh", PASSWORD).await);
    assert_eq!(
        officer.get("/funding/national").await.status(),
        StatusCode::FORBIDDEN
    );
}
