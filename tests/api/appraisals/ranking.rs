//! After the record: the director's ranking and re-appraisal, post-checks of earlier support,
//! notifications, a province's own criteria, and the cap in force on the visit day.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use sqlx::PgPool;

use super::{
    SEVENTY_FIVE, criteria, declared_visit, plan_visit, record_of, requested, save_record,
    world_with_queue,
};
use crate::helpers::{PASSWORD, count, state_of, text, texts, user_id};
use crate::world::{DAI_TU, World, dossier_of_2027};

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
    let (_visit, record, leader) = declared_visit(&app, proposal).await;
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
