//! Planning appraisal visits from the queue, bad plans, a proposal on one visit only, who may
//! plan; rescheduling and cancelling.

use reqwest::StatusCode;
use sqlx::PgPool;

use super::{criteria, plan_visit, record_of, visit_day, world_with_queue};
use crate::helpers::{PASSWORD, count, state_of, text, texts, user_id};

#[sqlx::test]
async fn the_centre_plans_a_visit_from_the_queue_and_the_people_concerned_are_told(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 3).await;
    let app = world.as_user("canbo").await;
    let page = app.page("/appraisals").await;
    assert!(texts(&page, "#queue td a").len() >= queue.len());

    let chosen = &queue[..2];
    let form = app
        .page(&format!(
            "/appraisals/visits/new?proposal={}&proposal={}",
            chosen[0], chosen[1]
        ))
        .await;
    let mut checked = crate::helpers::attrs(&form, "input[name=proposal_ids][checked]", "value");
    checked.sort();
    let mut wanted: Vec<String> = chosen.iter().map(i64::to_string).collect();
    wanted.sort();
    assert_eq!(checked, wanted);
    let visit = plan_visit(
        &app,
        chosen,
        "thamdinh",
        &["pkt.phubinh"],
        "Bùi Thanh Sơn – Sở Công Thương",
    )
    .await;

    for &p in chosen {
        assert_eq!(state_of(&app.pool, p).await, "appraisal_scheduled");
        let record = record_of(&app.pool, visit, p).await;
        assert_eq!(
            criteria(&app.pool, record).await.len(),
            5,
            "Decree 45's five criteria"
        );
    }
    assert_eq!(
        count(
            &app.pool,
            &format!("select count(*) from visit_members where visit_id = {visit}")
        )
        .await,
        3
    );
    assert_eq!(
        count(&app.pool, "select count(*) from proposal_events where action = 'schedule_appraisal' and at > now() - interval '1 minute'").await,
        2
    );
    // The team is told, and so are the offices and owners of the proposals.
    let leader = user_id(&app.pool, "thamdinh").await;
    assert_eq!(
        count(&app.pool, &format!("select count(*) from notifications where user_id = {leader} and message_key = 'notify.visit_assigned'")).await,
        1
    );
    // The proposals' economic office hears of the date, once for each; the other does not.
    for (office, told) in [("pkt.phubinh", 2), ("pkt.daitu", 0)] {
        let office = user_id(&app.pool, office).await;
        assert_eq!(
            count(
                &app.pool,
                &format!("select count(*) from notifications where user_id = {office} and message_key = 'notify.appraisal_planned'")
            )
            .await,
            told
        );
    }

    let page = app.page(&format!("/appraisals/visits/{visit}")).await;
    assert_eq!(text(&page, "h1"), "Thẩm định đề án tại huyện Phú Bình");
    assert_eq!(texts(&page, "#proposals tbody tr").len(), 2);
    let calendar = app
        .page(&format!("/appraisals?view=month&date={}", visit_day()))
        .await;
    assert!(
        texts(&calendar, "a.visit")
            .iter()
            .any(|t| t.contains("Phú Bình"))
    );
    let week = app
        .page(&format!("/appraisals?view=week&date={}", visit_day()))
        .await;
    assert!(
        texts(&week, "a.visit")
            .iter()
            .any(|t| t.contains("Phú Bình"))
    );
    let list = app.page("/appraisals?view=list").await;
    assert!(texts(&list, "td a").iter().any(|t| t.contains("Phú Bình")));
    let schedule = app
        .page(&format!("/appraisals/visits/{visit}/schedule"))
        .await;
    assert_eq!(text(&schedule, "h1"), "Lịch công tác thẩm định tại cơ sở");
    assert!(text(&schedule, ".doc-header").contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert_eq!(texts(&schedule, ".doc-table tbody tr").len(), 2);

    // The leader sees the trip on the home page, and the notification in the header.
    let leader_app = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    let home = leader_app.page("/").await;
    assert!(text(&home, "main").contains("Thẩm định đề án tại huyện Phú Bình"));
    assert_eq!(text(&home, ".bell .count"), "1");
}

#[sqlx::test]
async fn a_bad_plan_comes_back_with_its_values_and_nothing_is_saved(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let before = count(&app.pool, "select count(*) from appraisal_visits").await;
    let proposal = queue[0].to_string();
    for (date, leader, field) in [
        ("2024-02-30", "1", "visit_date"),
        ("1999-01-01", "1", "visit_date"),
        ("", "1", "visit_date"),
        ("2030-01-01", "1", "visit_date"),
        (visit_day().as_str(), "999999", "leader_id"),
    ] {
        let leader = if leader == "1" {
            user_id(&app.pool, "thamdinh").await.to_string()
        } else {
            leader.to_owned()
        };
        let response = app
            .post_form(
                "/appraisals/visits/new",
                &[
                    ("title", "Chuyến thử \u{0}"),
                    ("visit_date", date),
                    ("leader_id", &leader),
                    ("proposal_ids", &proposal),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date} {field}"
        );
        let page = scraper::Html::parse_document(&response.text().await.expect("body"));
        assert!(
            !text(&page, "#title-error").is_empty(),
            "title error for {date}"
        );
        assert!(
            !text(&page, &format!("#{field}-error")).is_empty(),
            "{field} error for {date}"
        );
        assert_eq!(
            crate::helpers::attrs(&page, "input[name=proposal_ids][checked]", "value"),
            std::slice::from_ref(&proposal),
            "the chosen proposal stays chosen"
        );
    }
    assert_eq!(
        count(&app.pool, "select count(*) from appraisal_visits").await,
        before
    );
    assert_eq!(state_of(&app.pool, queue[0]).await, "accepted");
}

#[sqlx::test]
async fn a_proposal_already_on_a_visit_is_not_scheduled_twice(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 2).await;
    let app = world.as_user("canbo").await;
    let first = plan_visit(&app, &queue[..1], "thamdinh", &[], "").await;
    let before = count(&app.pool, "select count(*) from appraisal_visits").await;
    let leader = user_id(&app.pool, "thamdinh").await.to_string();
    let (a, b) = (queue[0].to_string(), queue[1].to_string());
    let day = visit_day();
    let response = app
        .post_form(
            "/appraisals/visits/new",
            &[
                ("title", "Chuyến thứ hai"),
                ("visit_date", &day),
                ("leader_id", &leader),
                ("proposal_ids", &b),
                ("proposal_ids", &a),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // All or nothing: no second visit, and the other proposal is still waiting.
    assert_eq!(
        count(&app.pool, "select count(*) from appraisal_visits").await,
        before
    );
    assert_eq!(state_of(&app.pool, queue[1]).await, "accepted");
    assert_eq!(
        count(
            &app.pool,
            &format!(
                "select count(*) from visit_proposals where proposal_id = {}",
                queue[0]
            )
        )
        .await,
        1
    );
    // Adding it on the visit's page is refused the same way.
    let version: i32 = sqlx::query_scalar("select version from appraisal_visits where id = $1")
        .bind(first)
        .fetch_one(&app.pool)
        .await
        .expect("version");
    let response = app
        .post_form(
            &format!("/appraisals/visits/{first}/proposals"),
            &[("version", &version.to_string()), ("proposal_id", &a)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // And it cannot be scheduled through the proposal's own state-change URL.
    let response = app
        .post_form(
            &format!("/proposals/{}/schedule_appraisal", queue[1]),
            &[("version", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(state_of(&app.pool, queue[1]).await, "accepted");
}

#[sqlx::test]
async fn only_the_centre_plans_visits(pool: PgPool) {
    let (world, tax, queue) = world_with_queue(pool, 1).await;
    world.owner("coso.phucxuan", &tax).await;
    let app = world.app;
    let proposal = queue[0].to_string();
    for username in [
        "thamdinh",
        "giamdoc",
        "ketoan",
        "so.congthuong",
        "pkt.phubinh",
        "coso.phucxuan",
        "admin",
    ] {
        let other = app.with_client(app.login_new_client(username, PASSWORD).await);
        let response = other.get("/appraisals/visits/new").await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{username} opens the form"
        );
        let response = other
            .post_form(
                "/appraisals/visits/new",
                &[
                    ("title", "x"),
                    ("visit_date", &visit_day()),
                    ("proposal_ids", &proposal),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{username} plans");
    }
    for username in ["coso.phucxuan", "admin"] {
        let other = app.with_client(app.login_new_client(username, PASSWORD).await);
        assert_eq!(
            other.get("/appraisals").await.status(),
            StatusCode::FORBIDDEN,
            "{username}"
        );
    }
    assert_eq!(
        state_of(&app.pool, proposal.parse().expect("id")).await,
        "accepted"
    );
}

#[sqlx::test]
async fn rescheduling_keeps_history_and_cancelling_returns_proposals_to_the_queue(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 2).await;
    let app = world.as_user("canbo").await;
    let visit = plan_visit(&app, &queue[..2], "thamdinh", &[], "").await;
    let version = || async {
        sqlx::query_scalar::<_, i32>("select version from appraisal_visits where id = $1")
            .bind(visit)
            .fetch_one(&app.pool)
            .await
            .expect("version")
            .to_string()
    };
    let new_day = (crate::helpers::today() + time::Duration::days(9)).to_string();
    let response = app
        .post_form(
            &format!("/appraisals/visits/{visit}/reschedule"),
            &[
                ("version", &version().await),
                ("visit_date", &new_day),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let response = app
        .post_form(
            &format!("/appraisals/visits/{visit}/reschedule"),
            &[
                ("version", &version().await),
                ("visit_date", &visit_day()),
                ("reason", "Trùng lịch"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the same date"
    );
    let response = app
        .post_form(
            &format!("/appraisals/visits/{visit}/reschedule"),
            &[
                ("version", &version().await),
                ("visit_date", &new_day),
                ("reason", "Cơ sở đề nghị lùi lịch do thu hoạch chè"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page(&format!("/appraisals/visits/{visit}")).await;
    assert!(text(&page, "#history").contains("Cơ sở đề nghị lùi lịch do thu hoạch chè"));
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from proposal_events where action = 'reschedule_appraisal'"
        )
        .await,
        2
    );
    // A stale form is refused.
    let response = app
        .post_form(
            &format!("/appraisals/visits/{visit}/cancel"),
            &[("version", "1"), ("reason", "Mưa lũ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = app
        .post_form(
            &format!("/appraisals/visits/{visit}/cancel"),
            &[
                ("version", &version().await),
                ("reason", "Mưa lũ, đường bị chia cắt"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for &p in &queue[..2] {
        assert_eq!(state_of(&app.pool, p).await, "accepted");
    }
    assert_eq!(
        count(&app.pool, &format!("select count(*) from appraisal_records where visit_id = {visit} and status = 'void'")).await,
        2
    );
    // Back in the queue, they can go on a new trip.
    plan_visit(&app, &queue[..2], "thamdinh", &[], "").await;
    assert_eq!(state_of(&app.pool, queue[0]).await, "appraisal_scheduled");
}
