//! Allocation rounds kept as history, the roles that may not fund, an amendment that is a new
//! decision, and the commitments by source, type and area.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use super::{
    MILLION, appraised, appraised_world, decided, envelope, envelope_of, leave_room, plan_form,
    post_plan, round, round_for,
};
use crate::helpers::{PASSWORD, TestApp, count, html, pdf, text, texts};
use crate::world::World;

#[sqlx::test]
async fn rounds_are_checked_and_kept_as_history(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world
        .proposal(&tax, "Máy sao chè", ProposalState::Approved)
        .await;
    let app = &world.app;
    app.login("ketoan", PASSWORD).await;
    for (direction, amount) in [("allocate", "-5"), ("allocate", ""), ("allocate", "abc")] {
        let response = round_for(app, "2025", "local", direction, amount).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount:?}"
        );
        let page = html(response).await;
        assert!(!text(&page, "#amount-error").is_empty());
    }
    // A cut below zero.
    let response = round_for(app, "2025", "local", "cut", "1").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(response).await, "#amount-error").contains("âm"));
    assert_eq!(envelope_of(&app.pool, 2025, "local").await, (0, 0));
    round_for(app, "2025", "local", "allocate", "300.000.000").await;
    round_for(app, "2025", "local", "cut", "100.000.000").await;
    assert_eq!(
        envelope_of(&app.pool, 2025, "local").await,
        (200 * MILLION, 0)
    );
    // A cut below what is approved (the world's plan).
    let (amount, committed) = envelope(&app.pool, "local").await;
    let response = round(app, "local", "cut", &(amount - committed + 1).to_string()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(response).await, "#amount-error").contains("đã phê duyệt"));
    let page = app.page("/funding?year=2025").await;
    let rounds = texts(&page, "table.rounds tbody tr");
    assert_eq!(rounds.len(), 2);
    assert!(rounds[1].contains("-100.000.000"), "{rounds:?}");
    // An unknown source or year is refused.
    assert_eq!(
        round_for(app, "2025", "nonsense", "allocate", "5")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/funding?year=abc").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test]
async fn roles_that_may_not_fund_cannot(pool: PgPool) {
    let world = appraised_world(pool, 1).await;
    let app = &world.app;
    let candidates = appraised(&app.pool).await;
    let (id, _, proposed) = candidates[0];
    let decisions0 = count(&app.pool, "select count(*) from plan_decisions").await;
    let rounds0 = count(&app.pool, "select count(*) from envelope_rounds").await;
    for user in [
        "canbo",
        "ketoan",
        "thamdinh",
        "so.congthuong",
        "pkt.phubinh",
        "coso",
        "admin",
    ] {
        let as_user = world.as_user(user).await;
        let response = post_plan(
            &as_user,
            plan_form(&[(id, proposed.to_string())], "7/QĐ", &decided()),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user} plans");
        assert_eq!(
            as_user.get("/funding/plan?year=2026").await.status(),
            StatusCode::FORBIDDEN,
            "{user} opens the plan"
        );
    }
    for user in [
        "canbo",
        "thamdinh",
        "so.congthuong",
        "pkt.phubinh",
        "coso",
        "admin",
    ] {
        let as_user = world.as_user(user).await;
        let response = round(&as_user, "local", "allocate", "5").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user} allocates");
    }
    for user in ["thamdinh", "pkt.phubinh", "coso", "admin"] {
        let as_user = world.as_user(user).await;
        assert_eq!(
            as_user.get("/funding").await.status(),
            StatusCode::FORBIDDEN,
            "{user} reads funding"
        );
    }
    // Those who may read, read; nothing was written.
    for user in ["canbo", "ketoan", "so.congthuong", "giamdoc"] {
        let as_user = world.as_user(user).await;
        as_user.page("/funding").await;
    }
    assert_eq!(
        count(&app.pool, "select count(*) from plan_decisions").await,
        decisions0
    );
    assert_eq!(
        count(&app.pool, "select count(*) from envelope_rounds").await,
        rounds0
    );
}

/// The amendment form for decision `id`: new amounts by proposal, with number, date, reason
/// and scan.
fn amend_form(lines: &[(i64, String)], number: &str, reason: &str) -> Form {
    let mut form = Form::new()
        .percent_encode_noop()
        .text("number", number.to_owned())
        .text(
            "decided_on",
            (crate::helpers::today() - time::Duration::days(5)).to_string(),
        )
        .text("signer", "Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh")
        .text("reason", reason.to_owned());
    for (id, amount) in lines {
        form = form.text(format!("amount_{id}"), amount.clone());
    }
    form.part(
        "file",
        Part::bytes(pdf())
            .file_name("dieu-chinh.pdf")
            .mime_str("application/pdf")
            .expect("mime"),
    )
}

async fn post_amend(app: &TestApp, decision: i64, form: Form) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/funding/decisions/{decision}/amend")))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("POST")
}

#[sqlx::test]
async fn an_amendment_is_a_new_decision_and_the_envelope_follows(pool: PgPool) {
    let world = appraised_world(pool, 2).await;
    let tax = world.facility("Cơ sở Mộc Bảo Lý", "4609990012").await;
    world
        .proposal(&tax, "Máy cưa gỗ", ProposalState::Contracted)
        .await;
    let app = &world.app;
    let accountant = world.as_user("ketoan").await;
    let candidates = appraised(&app.pool).await;
    let (a, _, proposed_a) = candidates[0];
    let (b, _, proposed_b) = candidates[1];
    leave_room(&accountant, proposed_a + proposed_b).await;
    app.login("giamdoc", PASSWORD).await;
    let half = |amount: i64| (amount / 2).to_string();
    let response = post_plan(
        app,
        plan_form(
            &[(a, half(proposed_a)), (b, half(proposed_b))],
            "300/QĐ-UBND",
            &decided(),
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let original: i64 =
        sqlx::query_scalar("select id from plan_decisions where number = '300/QĐ-UBND'")
            .fetch_one(&app.pool)
            .await
            .expect("decision");
    let (_, committed0) = envelope(&app.pool, "local").await;

    // Without a reason, and above what was proposed: the form comes back, nothing changes.
    let response = post_amend(
        app,
        original,
        amend_form(&[(a, proposed_a.to_string())], "301/QĐ-UBND", ""),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#reason-error").is_empty());
    let response = post_amend(
        app,
        original,
        amend_form(
            &[(a, (proposed_a + 1).to_string())],
            "301/QĐ-UBND",
            "Bổ sung kinh phí",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, &format!("#amount_{a}-error")).is_empty());
    assert_eq!(envelope(&app.pool, "local").await.1, committed0);

    // Raise one, keep the other.
    let response = post_amend(
        app,
        original,
        amend_form(
            &[(a, proposed_a.to_string()), (b, half(proposed_b))],
            "301/QĐ-UBND",
            "Bổ sung kinh phí sau khi cơ sở hoàn thiện hồ sơ đối ứng.",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let raise = proposed_a - proposed_a / 2;
    assert_eq!(envelope(&app.pool, "local").await.1, committed0 + raise);
    let approved: i64 = sqlx::query_scalar("select approved_support from proposals where id = $1")
        .bind(a)
        .fetch_one(&app.pool)
        .await
        .expect("amount");
    assert_eq!(approved, proposed_a);
    // History: the original keeps its line (marked as amended), the amendment has one line.
    let page = app.page(&format!("/funding/decisions/{original}")).await;
    assert!(page.html().contains("301/QĐ-UBND"));
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from plan_decision_lines l join plan_decisions d on d.id = l.decision_id \
             where d.number = '301/QĐ-UBND'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from proposal_events where action = 'amend_plan'"
        )
        .await,
        1
    );
    // A contracted proposal's decision cannot be changed here.
    let (contracted, decision, amount): (i64, i64, i64) = sqlx::query_as(
        "select id, plan_decision_id, approved_support from proposals where state = 'contracted'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the contracted proposal");
    let response = post_amend(
        app,
        decision,
        amend_form(
            &[(contracted, (amount - 1).to_string())],
            "302/QĐ-UBND",
            "Giảm",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Only a director amends.
    let staff = world.as_user("canbo").await;
    assert_eq!(
        staff
            .get(&format!("/funding/decisions/{original}/amend"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let response = post_amend(
        &staff,
        original,
        amend_form(&[(b, proposed_b.to_string())], "303/QĐ-UBND", "x"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn the_accountant_sees_commitments_by_source_type_and_area(pool: PgPool) {
    let world = World::new(pool).await;
    world.decision_of_two().await;
    let app = world.as_user("ketoan").await;
    let page = app.page("/funding/commitments?year=2026").await;
    let tables = texts(&page, "table.commitments tfoot tr");
    assert_eq!(tables.len(), 3, "by source, by activity type, by area");
    // Each way adds up to the same total: what the decision committed.
    let total = khuyencong::domain::money::format_vnd(300_000_000);
    for row in &tables {
        assert!(row.contains(&total), "{row} should hold {total}");
    }
    let by_area = texts(&page, "table.commitments:last-of-type tbody tr");
    let half = khuyencong::domain::money::format_vnd(150_000_000);
    for area in ["Phú Bình", "Đại Từ"] {
        assert!(
            by_area
                .iter()
                .any(|r| r.contains(area) && r.contains(&half)),
            "{area} in {by_area:?}"
        );
    }
    assert_eq!(
        app.get("/funding/commitments?year=x").await.status(),
        StatusCode::BAD_REQUEST
    );
    let officer = world.as_user("pkt.phubinh").await;
    assert_eq!(
        officer.get("/funding/commitments").await.status(),
        StatusCode::FORBIDDEN
    );
}
