//! On-site appraisal: planning visits, declarations, scoring, photos, finalising, corrections,
//! visibility by role, the ranking and re-appraisal, post-checks and notifications.

use reqwest::StatusCode;
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{PASSWORD, TestApp, assert_redirect, count, state_of, text, texts, user_id};
use crate::world::{DAI_TU, World, dossier_of_2027};

/// A world of its own whose Phú Bình office has `n` proposals of one facility (its tax code
/// is answered) accepted and waiting for a visit, in id order.
async fn world_with_queue(pool: PgPool, n: usize) -> (World, String, Vec<i64>) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let mut queue = Vec::with_capacity(n);
    for number in 1..=n {
        let title = format!("Máy sao chè, đề án số {number}");
        queue.push(world.proposal(&tax, &title, ProposalState::Accepted).await);
    }
    (world, tax, queue)
}

/// The day visits are planned for: a week from today.
fn visit_day() -> String {
    (crate::helpers::today() + time::Duration::days(7)).to_string()
}

/// Plans a visit as the signed-in Centre officer of `app`; returns its id.
async fn plan_visit(
    app: &TestApp,
    proposals: &[i64],
    leader: &str,
    members: &[&str],
    externals: &str,
) -> i64 {
    let leader = user_id(&app.pool, leader).await.to_string();
    let mut member_ids = Vec::new();
    for m in members {
        member_ids.push(user_id(&app.pool, m).await.to_string());
    }
    let ids: Vec<String> = proposals.iter().map(i64::to_string).collect();
    let day = visit_day();
    let mut form: Vec<(&str, &str)> = vec![
        ("title", "Thẩm định đề án tại huyện Phú Bình"),
        ("visit_date", &day),
        ("notes", "Xuất phát 7 giờ 30"),
        ("leader_id", &leader),
        ("externals", externals),
    ];
    form.extend(member_ids.iter().map(|m| ("member_ids", m.as_str())));
    form.extend(ids.iter().map(|p| ("proposal_ids", p.as_str())));
    let response = app.post_form("/appraisals/visits/new", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "visit planned");
    sqlx::query_scalar("select max(id) from appraisal_visits")
        .fetch_one(&app.pool)
        .await
        .expect("visit id")
}

async fn record_of(pool: &PgPool, visit: i64, proposal: i64) -> i64 {
    sqlx::query_scalar(
        "select id from appraisal_records where visit_id = $1 and proposal_id = $2 order by revision desc limit 1",
    )
    .bind(visit)
    .bind(proposal)
    .fetch_one(pool)
    .await
    .expect("record")
}

async fn declare(
    app: &TestApp,
    visit: i64,
    proposal: i64,
    conflict: bool,
    member: Option<i64>,
) -> reqwest::Response {
    let proposal = proposal.to_string();
    let member = member.map(|m| m.to_string()).unwrap_or_default();
    let answer = if conflict { "yes" } else { "no" };
    let note = if conflict {
        "Con rể của chủ cơ sở"
    } else {
        ""
    };
    app.post_form(
        &format!("/appraisals/visits/{visit}/declare"),
        &[
            ("proposal_id", &proposal),
            ("conflict", answer),
            ("note", note),
            ("member_id", &member),
        ],
    )
    .await
}

async fn external_member(pool: &PgPool, visit: i64) -> i64 {
    sqlx::query_scalar("select id from visit_members where visit_id = $1 and user_id is null")
        .bind(visit)
        .fetch_one(pool)
        .await
        .expect("external member")
}

/// Criteria of a record with their maximum, in order.
async fn criteria(pool: &PgPool, record: i64) -> Vec<(i64, i16)> {
    sqlx::query_as(
        "select s.criterion_id, c.max_points from appraisal_scores s join appraisal_criteria c on c.id = s.criterion_id
         where s.record_id = $1 order by c.position",
    )
    .bind(record)
    .fetch_all(pool)
    .await
    .expect("criteria")
}

async fn version_of(pool: &PgPool, record: i64) -> i32 {
    sqlx::query_scalar("select version from appraisal_records where id = $1")
        .bind(record)
        .fetch_one(pool)
        .await
        .expect("version")
}

/// A complete draft: points per criterion (`None`: not applicable), facts and the result.
async fn save_record(
    app: &TestApp,
    record: i64,
    points: &[Option<&str>],
    proposed: &str,
) -> reqwest::Response {
    let version = version_of(&app.pool, record).await.to_string();
    let sheet = criteria(&app.pool, record).await;
    let mut form: Vec<(String, String)> = vec![
        ("version".into(), version),
        (
            "premises".into(),
            "Nhà xưởng 250 m², mái tôn, nền bê tông".into(),
        ),
        (
            "machinery".into(),
            "Máy sao chè cũ, công suất 50 kg/mẻ".into(),
        ),
        (
            "legal_papers".into(),
            "Đã đối chiếu giấy đăng ký hộ kinh doanh".into(),
        ),
        (
            "counterpart_capacity".into(),
            "Có sổ tiết kiệm 300 triệu đồng".into(),
        ),
        ("proposed_support".into(), proposed.into()),
        ("recommendation".into(), "approve".into()),
        ("conditions".into(), String::new()),
    ];
    for ((id, _), value) in sheet.iter().zip(points) {
        match value {
            Some(p) => form.push((format!("points_{id}"), (*p).into())),
            None => form.push((format!("na_{id}"), "on".into())),
        }
        form.push((format!("finding_{id}"), format!("Nhận xét tiêu chí {id}")));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(&format!("/appraisals/{record}"), &pairs)
        .await
}

async fn requested(pool: &PgPool, proposal: i64) -> i64 {
    sqlx::query_scalar("select requested_support from proposals where id = $1")
        .bind(proposal)
        .fetch_one(pool)
        .await
        .expect("requested")
}

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
async fn members_declare_score_and_the_leader_finalises(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let visit = plan_visit(
        &app,
        &[proposal],
        "thamdinh",
        &["canbo"],
        "Bùi Thanh Sơn – Sở Công Thương",
    )
    .await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);

    // Nobody scores before declaring.
    let page = leader.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, "main").contains("kê khai xung đột lợi ích"));
    let response = save_record(&leader, record, &[Some("18"); 5], "100").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The Centre officer has a conflict: the officer may not score, the minutes will say so.
    assert_eq!(
        declare(&app, visit, proposal, true, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let response = save_record(&app, record, &[Some("18"); 5], "100").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = app.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, "main").contains("có xung đột lợi ích"));

    assert_eq!(
        declare(&leader, visit, proposal, false, None)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let proposed = (requested(&app.pool, proposal).await / 2).to_string();
    let response = save_record(
        &leader,
        record,
        &[Some("18"), Some("24"), Some("20"), None, Some("15")],
        &proposed,
    )
    .await;
    assert_redirect(&response, &format!("/appraisals/{record}"));
    let page = leader.page(&format!("/appraisals/{record}")).await;
    // 77 points of the 90 that apply: 85,6 on the 100-point scale (n/a is not zero).
    assert!(
        text(&page, ".score-total").contains("85,6/100"),
        "{}",
        text(&page, ".score-total")
    );

    // The external member has not declared yet: the leader cannot finalise.
    let version = version_of(&app.pool, record).await.to_string();
    let response = leader
        .post_form(
            &format!("/appraisals/{record}/finalise"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(text(&page, ".finalise").contains("Bùi Thanh Sơn"));
    // Only the leader records an external member's declaration.
    let external = external_member(&app.pool, visit).await;
    assert_eq!(
        declare(&app, visit, proposal, false, Some(external))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        declare(&leader, visit, proposal, false, Some(external))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // A member who is not the leader does not finalise.
    let response = app
        .post_form(
            &format!("/appraisals/{record}/finalise"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a member who is not the leader"
    );

    let response = leader
        .post_form(
            &format!("/appraisals/{record}/finalise"),
            &[("version", &version)],
        )
        .await;
    assert_redirect(&response, &format!("/appraisals/{record}"));
    assert_eq!(state_of(&app.pool, proposal).await, "appraised");
    let (status, score): (String, i16) =
        sqlx::query_as("select status::text, score_tenths from appraisal_records where id = $1")
            .bind(record)
            .fetch_one(&app.pool)
            .await
            .expect("record");
    assert_eq!((status.as_str(), score), ("final", 856));
    let details: serde_json::Value = sqlx::query_scalar(
        "select details from proposal_events where proposal_id = $1 and action = 'record_appraisal'",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("event");
    assert_eq!(details["score_tenths"], 856);
    let director = user_id(&app.pool, "giamdoc").await;
    assert_eq!(
        count(&app.pool, &format!("select count(*) from notifications where user_id = {director} and message_key = 'notify.appraisal_to_rank'")).await,
        1
    );

    // A final record is read-only.
    let response = save_record(&leader, record, &[Some("1"); 5], "1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let minutes = leader.page(&format!("/appraisals/{record}/minutes")).await;
    assert_eq!(text(&minutes, "h1"), "Biên bản thẩm định tại cơ sở");
    assert!(
        text(&minutes, "main")
            .contains("Cán Bộ Trung Tâm: Con rể của chủ cơ sở — không tham gia chấm điểm")
    );
    assert!(text(&minutes, ".doc-table tfoot").contains("85,6"));
    assert_eq!(texts(&minutes, ".signatures > div").len(), 3);
    // The trip's sheet becomes its summary of results.
    let summary = leader
        .page(&format!("/appraisals/visits/{visit}/schedule"))
        .await;
    assert_eq!(text(&summary, "h1"), "Kết quả chuyến thẩm định tại cơ sở");
    assert!(text(&summary, ".doc-table tbody").contains("85,6 điểm — Đề nghị hỗ trợ"));
}

#[sqlx::test]
async fn bad_scores_come_back_with_the_form_and_nothing_is_saved(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let visit = plan_visit(&app, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    let version = version_of(&app.pool, record).await;
    let sheet = criteria(&app.pool, record).await;
    let too_much = (requested(&app.pool, proposal).await + 1).to_string();
    for (points, proposed, field) in [
        ("21", "100", format!("points_{}", sheet[0].0)),
        ("-3", "100", format!("points_{}", sheet[0].0)),
        ("mười", "100", format!("points_{}", sheet[0].0)),
        ("10", too_much.as_str(), "proposed_support".to_owned()),
        ("10", "-5", "proposed_support".to_owned()),
        ("10", "99999999999999999999", "proposed_support".to_owned()),
    ] {
        let response = save_record(
            &leader,
            record,
            &[Some(points), Some("10"), Some("10"), Some("5"), Some("5")],
            proposed,
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{points} {proposed}"
        );
        let page = scraper::Html::parse_document(&response.text().await.expect("body"));
        let error = if field.starts_with("points") {
            text(&page, &format!("#{field}-error"))
        } else {
            text(&page, "#proposed_support-error")
        };
        assert!(
            !error.is_empty(),
            "a message for {field} ({points}, {proposed})"
        );
        assert_eq!(
            crate::helpers::attrs(&page, &format!("#points_{}", sheet[0].0), "value"),
            [points.to_owned()],
            "the typed points come back"
        );
    }
    // Not applicable and points at once.
    let mut form = vec![
        ("version".to_owned(), version.to_string()),
        (format!("points_{}", sheet[3].0), "5".to_owned()),
        (format!("na_{}", sheet[3].0), "on".to_owned()),
    ];
    form.push(("premises".into(), "x".repeat(6000)));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = leader
        .post_form(&format!("/appraisals/{record}"), &pairs)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(!text(&page, &format!("#points_{}-error", sheet[3].0)).is_empty());
    assert!(!text(&page, "#premises-error").is_empty());
    assert_eq!(
        version_of(&app.pool, record).await,
        version,
        "nothing saved"
    );
    assert_eq!(
        count(&app.pool, &format!("select count(*) from appraisal_scores where record_id = {record} and (points is not null or not_applicable)")).await,
        0
    );
}

#[sqlx::test]
async fn a_stale_save_keeps_what_the_member_typed(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let visit = plan_visit(&app, &[proposal], "thamdinh", &["canbo"], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    declare(&app, visit, proposal, false, None).await;
    let version = version_of(&app.pool, record).await.to_string();
    let path = format!("/appraisals/{record}");
    let response = leader
        .post_form(
            &path,
            &[("version", &version), ("premises", "Nhà xưởng mới")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .post_form(
            &path,
            &[
                ("version", &version),
                ("premises", "Nhà xưởng cũ, cần sửa mái"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(text(&page, "#premises"), "Nhà xưởng cũ, cần sửa mái");
    let stored: String = sqlx::query_scalar("select premises from appraisal_records where id = $1")
        .bind(record)
        .fetch_one(&app.pool)
        .await
        .expect("premises");
    assert_eq!(
        stored, "Nhà xưởng mới",
        "the first save is not overwritten silently"
    );
}

#[sqlx::test]
async fn photos_must_be_images_and_are_kept_with_the_record(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let visit = plan_visit(&app, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    let upload = |bytes: Vec<u8>, name: &'static str, mime: &'static str| {
        let leader = &leader;
        async move {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name)
                    .mime_str(mime)
                    .expect("mime"),
            );
            leader
                .client
                .post(leader.url(&format!("/appraisals/{record}/photos")))
                .header("origin", &leader.base)
                .header("sec-fetch-site", "same-origin")
                .multipart(form)
                .send()
                .await
                .expect("upload")
        }
    };
    let response = upload(crate::helpers::pdf(), "anh.pdf", "application/pdf").await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(text(&page, "#photo-error").contains("anh.pdf"));
    // A PDF that calls itself a JPEG is refused by its content.
    let response = upload(crate::helpers::pdf(), "anh.jpg", "image/jpeg").await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        count(
            &app.pool,
            &format!("select count(*) from documents where appraisal_record_id = {record}")
        )
        .await,
        0
    );
    let response = upload(crate::helpers::png(), "nha-xuong.png", "image/png").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        count(&app.pool, &format!("select count(*) from documents where appraisal_record_id = {record} and kind_code = 'appraisal_photo'")).await,
        1
    );
    let page = leader.page(&format!("/appraisals/{record}")).await;
    let links = crate::helpers::attrs(&page, "#photos li a", "href");
    assert_eq!(links.len(), 1);
    let download = leader.get(&links[0]).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        crate::helpers::header(download.headers(), "content-disposition").starts_with("attachment")
    );
    // Someone not on the team cannot add photos.
    let response = app
        .client
        .post(app.url(&format!("/appraisals/{record}/photos")))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(crate::helpers::png()).file_name("x.png"),
        ))
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// Points within each criterion's maximum (20, 30, 25, 10, 15) adding up to 75.
const SEVENTY_FIVE: [Option<&str>; 5] = [Some("15"), Some("24"), Some("18"), Some("6"), Some("12")];

/// Finalises the record of `proposal` on a new visit led by `thamdinh` alone.
async fn appraise(app: &TestApp, proposal: i64) -> (i64, i64, TestApp) {
    let visit = plan_visit(app, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    let proposed = (requested(&app.pool, proposal).await / 2).to_string();
    let response = save_record(&leader, record, &SEVENTY_FIVE, &proposed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let version = version_of(&app.pool, record).await.to_string();
    let response = leader
        .post_form(
            &format!("/appraisals/{record}/finalise"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (visit, record, leader)
}

#[sqlx::test]
async fn each_role_sees_what_it_may_of_an_appraisal(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("canbo").await;
    // A Đại Từ proposal waiting for appraisal, for the facility of the owner `coso`.
    let tax = world
        .facility_in(DAI_TU, "Cơ sở Chè La Bằng", "4609990013")
        .await;
    world.owner("coso", &tax).await;
    let proposal = world
        .proposal(&tax, "Máy sao chè", ProposalState::Accepted)
        .await;
    let visit = plan_visit(&app, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    let response = save_record(&leader, record, &SEVENTY_FIVE, "1000000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The local office of the area sees the date, not the scores, before the result.
    let office = app.with_client(app.login_new_client("pkt.daitu", PASSWORD).await);
    let page = office.page(&format!("/proposals/{proposal}")).await;
    assert!(text(&page, "#appraisal").contains("Lịch thẩm định"));
    let page = office.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, "main").contains("Điểm và nhận xét sẽ được xem sau"));
    assert!(texts(&page, ".criterion").is_empty() && texts(&page, ".score-total").is_empty());
    assert_eq!(
        office
            .get(&format!("/appraisals/{record}/minutes"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save_record(&office, record, &[Some("1"); 5], "1")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Another area's office does not see the visit or the record at all.
    let other = app.with_client(app.login_new_client("pkt.phubinh", PASSWORD).await);
    assert_eq!(
        other
            .get(&format!("/appraisals/visits/{visit}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/appraisals/{record}")).await.status(),
        StatusCode::NOT_FOUND
    );

    let version = version_of(&app.pool, record).await.to_string();
    leader
        .post_form(
            &format!("/appraisals/{record}/finalise"),
            &[("version", &version)],
        )
        .await;
    let page = office.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, ".score-total").contains("75,0/100"));

    // The facility owner reads the outcome on its proposal's page, never the scores.
    let owner = world.as_user("coso").await;
    let page = owner.page(&format!("/proposals/{proposal}")).await;
    let summary = text(&page, "#appraisal");
    assert!(summary.contains("Đề nghị hỗ trợ"), "{summary}");
    assert!(!summary.contains("75,0"), "{summary}");
    assert_eq!(
        owner.get(&format!("/appraisals/{record}")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        owner
            .get(&format!("/appraisals/visits/{visit}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
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

#[sqlx::test]
async fn a_final_record_is_corrected_by_a_new_revision(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let (_, record, leader) = appraise(&app, proposal).await;
    let response = leader
        .post_form(&format!("/appraisals/{record}/correct"), &[("reason", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(&format!("/appraisals/{record}/correct"), &[("reason", "x")])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "only the leader corrects"
    );
    let response = leader
        .post_form(
            &format!("/appraisals/{record}/correct"),
            &[("reason", "Nhầm điểm tiêu chí 2")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let revision: i64 = sqlx::query_scalar(
        "select id from appraisal_records where proposal_id = $1 and revision = 2",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("revision 2");
    assert_eq!(criteria(&app.pool, revision).await.len(), 5);
    let proposed = (requested(&app.pool, proposal).await / 2).to_string();
    save_record(
        &leader,
        revision,
        &[Some("20"), Some("30"), Some("25"), Some("10"), Some("15")],
        &proposed,
    )
    .await;
    let version = version_of(&app.pool, revision).await.to_string();
    let response = leader
        .post_form(
            &format!("/appraisals/{revision}/finalise"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let statuses: Vec<String> = sqlx::query_scalar(
        "select status::text from appraisal_records where proposal_id = $1 and visit_id is not null order by revision",
    )
    .bind(proposal)
    .fetch_all(&app.pool)
    .await
    .expect("statuses");
    assert_eq!(statuses, ["superseded", "final"]);
    assert_eq!(state_of(&app.pool, proposal).await, "appraised");
    let note: String = sqlx::query_scalar(
        "select note from proposal_events where proposal_id = $1 and action = 'correct_appraisal'",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("correction event");
    assert_eq!(note, "Nhầm điểm tiêu chí 2");
}

#[sqlx::test]
async fn the_director_ranks_appraised_proposals_and_may_send_one_back(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let near = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let far = world
        .facility_in(DAI_TU, "Cơ sở Chè La Bằng", "4609990013")
        .await;
    for (tax, title) in [
        (&near, "Máy sao chè"),
        (&near, "Máy vò chè"),
        (&far, "Máy sấy chè"),
    ] {
        world.proposal(tax, title, ProposalState::Appraised).await;
    }
    world
        .proposal(&near, "Lò sấy", ProposalState::Accepted)
        .await;
    let director = world.as_user("giamdoc").await;
    let page = director
        .page("/appraisals/ranking?year=2026&level=local")
        .await;
    let rows = texts(&page, "table.ranking tbody tr");
    assert_eq!(
        rows.len(),
        3,
        "the appraised proposals, not the one waiting"
    );
    // Upland districts (priority point a) come first; the running total adds up.
    let areas = texts(&page, "table.ranking tbody td:nth-child(4)");
    let first_plain = areas.iter().position(|a| a == "—").unwrap_or(areas.len());
    assert!(areas[first_plain..].iter().all(|a| a == "—"), "{areas:?}");
    let proposed: i64 = sqlx::query_scalar(
        "select sum(r.proposed_support)::bigint from appraisal_records r join proposals p on p.id = r.proposal_id
         where r.status = 'final' and p.state = 'appraised'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("sum");
    let totals = texts(&page, "table.ranking tbody td:nth-child(10)");
    assert_eq!(
        totals.last().cloned(),
        Some(khuyencong::domain::money::format_vnd(proposed))
    );
    for (query, status) in [
        ("?year=abc", StatusCode::BAD_REQUEST),
        ("?level=moon", StatusCode::BAD_REQUEST),
        ("?year=1990", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(
            director
                .get(&format!("/appraisals/ranking{query}"))
                .await
                .status(),
            status,
            "{query}"
        );
    }
    world.owner("coso", &near).await;
    for username in ["thamdinh", "pkt.phubinh", "coso", "ketoan"] {
        let other = world.as_user(username).await;
        assert_eq!(
            other.get("/appraisals/ranking").await.status(),
            StatusCode::FORBIDDEN,
            "{username}"
        );
    }

    // Sent back for a new appraisal, with a reason.
    let (proposal, version): (i64, i32) = sqlx::query_as(
        "select id, version from proposals where state = 'appraised' order by id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("an appraised proposal");
    let staff = world.as_user("canbo").await;
    let response = staff
        .post_form(
            &format!("/proposals/{proposal}/reappraise"),
            &[("version", &version.to_string()), ("reason", "x")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = director
        .post_form(
            &format!("/proposals/{proposal}/reappraise"),
            &[("version", &version.to_string()), ("reason", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = director
        .post_form(
            &format!("/proposals/{proposal}/reappraise"),
            &[
                ("version", &version.to_string()),
                ("reason", "Cần kiểm tra lại khả năng vốn đối ứng"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, proposal).await, "accepted");
    assert_eq!(
        count(&app.pool, &format!("select count(*) from appraisal_records where proposal_id = {proposal} and status = 'final'")).await,
        0
    );
    let page = director
        .page("/appraisals/ranking?year=2026&level=local")
        .await;
    assert_eq!(texts(&page, "table.ranking tbody tr").len() + 1, rows.len());
}

#[sqlx::test]
async fn a_visit_post_checks_a_facility_supported_earlier(pool: PgPool) {
    // A facility supported in 2026 asks again for 2027; the visit of January checks on
    // the work of the year before.
    let world = World::new(pool).await;
    let (supported, ..) = world.running().await;
    let code: String = sqlx::query_scalar("select code from proposals where id = $1")
        .bind(supported)
        .fetch_one(&world.app.pool)
        .await
        .expect("its code");
    let again = dossier_of_2027("4609990500", "Máy đóng gói chè");
    let asked = world.proposal_from(&again, ProposalState::Accepted).await;
    let january = time::Date::from_calendar_date(2027, time::Month::January, 15).expect("a day");
    let record = world.visit(asked, january).await;
    let visit: i64 = sqlx::query_scalar("select visit_id from appraisal_records where id = $1")
        .bind(record)
        .fetch_one(&world.app.pool)
        .await
        .expect("the visit");
    // A proposal of 2026 whose work has not started yet has nothing to check.
    let signed = world
        .proposal("4609990500", "Máy vò chè", ProposalState::Contracted)
        .await;
    let unstarted: String = sqlx::query_scalar("select code from proposals where id = $1")
        .bind(signed)
        .fetch_one(&world.app.pool)
        .await
        .expect("its code");
    let app = world.as_user("canbo").await;
    for typed in ["ĐP-1999-001", unstarted.as_str()] {
        let response = app
            .post_form(
                &format!("/appraisals/visits/{visit}/post-checks"),
                &[("code", typed)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            count(&app.pool, "select count(*) from post_checks").await,
            0,
            "{typed}"
        );
    }
    let typed = code.to_lowercase().replace('đ', "d");
    let response = app
        .post_form(
            &format!("/appraisals/visits/{visit}/post-checks"),
            &[("code", &typed)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let check: i64 = sqlx::query_scalar("select id from post_checks where proposal_id = $1")
        .bind(supported)
        .fetch_one(&app.pool)
        .await
        .expect("post-check");
    let leader = world.as_user("thamdinh").await;
    let response = leader
        .post_form(
            &format!("/appraisals/post-checks/{check}"),
            &[("version", "1"), ("equipment", ""), ("revenue_now", "-1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = leader
        .post_form(
            &format!("/appraisals/post-checks/{check}"),
            &[
                ("version", "1"),
                ("equipment", "in_use"),
                ("effects", "Năng suất tăng gấp đôi, thêm 3 lao động"),
                ("output_now", "12 tấn chè búp khô/năm"),
                ("revenue_now", "2.400.000.000"),
                ("jobs_now", "15"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (revenue, jobs): (Option<i64>, Option<i32>) =
        sqlx::query_as("select revenue_now, jobs_now from post_checks where id = $1")
            .bind(check)
            .fetch_one(&app.pool)
            .await
            .expect("post-check");
    assert_eq!((revenue, jobs), (Some(2_400_000_000), Some(15)));
    let page = app.page(&format!("/proposals/{supported}")).await;
    assert!(text(&page, "#appraisal").contains("Năng suất tăng gấp đôi"));
    // An accountant may read, not record.
    let accountant = world.as_user("ketoan").await;
    assert_eq!(
        accountant
            .get(&format!("/appraisals/post-checks/{check}"))
            .await
            .status(),
        StatusCode::OK
    );
    let response = accountant
        .post_form(
            &format!("/appraisals/post-checks/{check}"),
            &[("version", "2"), ("equipment", "partly")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn notifications_are_listed_opened_and_marked_read(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    plan_visit(&app, &queue[..1], "thamdinh", &[], "").await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    let page = leader.page("/notifications").await;
    assert_eq!(texts(&page, ".notifications li.unread").len(), 1);
    let id: i64 = sqlx::query_scalar("select id from notifications where user_id = $1")
        .bind(user_id(&app.pool, "thamdinh").await)
        .fetch_one(&app.pool)
        .await
        .expect("notification");
    let response = leader
        .post_form(&format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        crate::helpers::header(response.headers(), "location").starts_with("/appraisals/visits/")
    );
    let page = leader.page("/").await;
    assert!(texts(&page, ".bell .count").is_empty());
    // Nobody opens another user's notification.
    let response = app
        .post_form(&format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        leader
            .post_form("/notifications/read-all", &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn a_province_sets_its_own_criteria_and_new_records_are_scored_on_them(pool: PgPool) {
    // One proposal appraised on the national criteria, one waiting for its visit.
    let (world, tax, queue) = world_with_queue(pool, 1).await;
    world
        .proposal(&tax, "Máy vò chè", ProposalState::Appraised)
        .await;
    let app = world.as_user("admin").await;
    let today = crate::helpers::today().to_string();
    let criterion = |position: &'static str, code: &'static str, max: &'static str| {
        vec![
            ("province_code", "19"),
            ("position", position),
            ("code", code),
            ("name_vi", "Thị trường tiêu thụ"),
            ("name_en", "Market"),
            ("guidance_vi", ""),
            ("guidance_en", ""),
            ("max_points", max),
            ("legal_ref", "Quyết định 12/2026/QĐ-UBND tỉnh Thái Nguyên"),
        ]
    };
    let before = count(&app.pool, "select count(*) from appraisal_criteria").await;
    for (position, code, max) in [
        ("1", "Thị trường", "60"),
        ("0", "market", "60"),
        ("1", "market", "0"),
        ("1", "market", "101"),
    ] {
        let mut form = criterion(position, code, max);
        form.push(("valid_from", &today));
        let response = app.post_form("/admin/reference/criteria/new", &form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{position} {code} {max}"
        );
    }
    assert_eq!(
        count(&app.pool, "select count(*) from appraisal_criteria").await,
        before
    );
    for (position, code, max) in [("1", "market", "60"), ("2", "capacity", "40")] {
        let mut form = criterion(position, code, max);
        form.push(("valid_from", &today));
        let response = app.post_form("/admin/reference/criteria/new", &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{code}");
    }
    let list = app.page("/admin/reference/criteria").await;
    assert_eq!(texts(&list, "tbody tr").len(), 7);

    // The Centre cannot change the rules; a visit planned now is scored on the province's set.
    let staff = world.as_user("canbo").await;
    let mut form = criterion("3", "other", "10");
    form.push(("valid_from", &today));
    assert_eq!(
        staff
            .post_form("/admin/reference/criteria/new", &form)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let proposal = queue[0];
    let visit = plan_visit(&staff, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let sheet: Vec<i16> = criteria(&app.pool, record)
        .await
        .into_iter()
        .map(|(_, max)| max)
        .collect();
    assert_eq!(sheet, [60, 40]);

    // A criterion a final record was scored on is ended and replaced, never edited.
    let used: i64 = sqlx::query_scalar(
        "select s.criterion_id from appraisal_scores s join appraisal_records r on r.id = s.record_id
         where r.status = 'final' order by s.criterion_id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a used criterion");
    let mut form = criterion("1", "fit", "25");
    form[0] = ("province_code", "");
    let response = app
        .post_form(&format!("/admin/reference/criteria/{used}/edit"), &form)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(text(&page, "#max_points-error").contains("kết thúc hiệu lực"));
    let max: i16 = sqlx::query_scalar("select max_points from appraisal_criteria where id = $1")
        .bind(used)
        .fetch_one(&app.pool)
        .await
        .expect("max");
    assert_eq!(max, 20);
}

#[sqlx::test]
async fn the_proposed_amount_stays_under_the_cap_in_force_on_the_visit_day(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    // Since the dossier was checked, the province lowered its cap to 10 million đồng.
    sqlx::query(
        "insert into support_caps (activity_type_code, level, province_code, percent_bp, max_amount, cap_unit,
             legal_ref, valid_from)
         select activity_type_code, 'local', '19', 5000, 10000000, 'proposal', 'Nghị quyết thử nghiệm', current_date - 1
         from proposals where id = $1",
    )
    .bind(proposal)
    .execute(&app.pool)
    .await
    .expect("a lower cap");
    let visit = plan_visit(&app, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    assert!(requested(&app.pool, proposal).await > 20_000_000);
    let response = save_record(&leader, record, &SEVENTY_FIVE, "20.000.000").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        text(&page, "#proposed_support-error"),
        "Kinh phí đề nghị hỗ trợ vượt mức tối đa theo quy định đang áp dụng."
    );
    assert!(
        text(&page, ".record-form").contains("10.000.000"),
        "the limit is shown"
    );
    let response = save_record(&leader, record, &SEVENTY_FIVE, "10.000.000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
