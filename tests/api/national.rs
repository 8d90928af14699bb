//! National proposals: forwarding appraised ones to the Ministry in a dispatch before the
//! registration deadline, and recording the Ministry's decision on the national plan.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{pdf, state_of, text, texts};
use crate::world::{World, changed, dossier_of_2027, everyone_but_admin};

/// A national proposal of 2027 appraised in `world`, waiting to be sent to the Ministry.
async fn pending_national(world: &World) -> i64 {
    let tax = world.facility("Hợp tác xã Chè Hà Châu", "4609990700").await;
    let form = changed(
        dossier_of_2027(&tax, "Mô hình trình diễn máy sao chè liên hoàn"),
        &[("level", "national")],
    );
    world.proposal_from(&form, ProposalState::Appraised).await
}

fn dispatch(picks: &[i64], number: &str, date: &str) -> Form {
    let mut form = Form::new()
        .percent_encode_noop()
        .text("year", "2027")
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
    let world = World::new(pool).await;
    let id = pending_national(&world).await;
    let app = world.as_user("giamdoc").await;
    let page = app.page("/funding/national?year=2027").await;
    assert!(
        text(&page, "#deadline").contains("20/06/2026"),
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
    let page = app.page("/funding/national?year=2027").await;
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
    let accountant = world.as_user("ketoan").await;
    let response = accountant
        .post_form(
            "/funding/rounds",
            &[
                ("year", "2027"),
                ("source", "national"),
                ("direction", "allocate"),
                ("amount", "3.000.000.000"),
                ("decided_on", today.to_string().as_str()),
                ("reference", "Công văn phân bổ của Bộ Công Thương"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let plan = app.page("/funding/plan?year=2027&source=national").await;
    assert_eq!(texts(&plan, "table.plan-lines tbody tr").len(), 1);
    let proposed: i64 = sqlx::query_scalar(
        "select proposed_support from appraisal_records where proposal_id = $1 and status = 'final'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("proposed");
    let form = Form::new()
        .text("year", "2027")
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
    let world = World::of_every_role(pool).await;
    let id = pending_national(&world).await;
    let today = crate::helpers::today().to_string();
    for user in everyone_but_admin().filter(|u| *u != "giamdoc") {
        let other = world.as_user(user).await;
        let response = other
            .post_multipart("/funding/national", dispatch(&[id], "1/CV", &today))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user}");
    }
    assert_eq!(state_of(&world.app.pool, id).await, "appraised");
    let staff = world.as_user("canbo").await;
    let page = staff.page("/funding/national?year=2027").await;
    assert!(texts(&page, "form[action='/funding/national'][method='post']").is_empty());
    let officer = world.as_user("pkt.phubinh").await;
    assert_eq!(
        officer.get("/funding/national").await.status(),
        StatusCode::FORBIDDEN
    );
}
