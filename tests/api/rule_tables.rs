//! The advance rules and the national registration deadline as rules an administrator keeps:
//! a province's own rule takes over from the general one where the pages use it (the
//! contract's advance terms, the national plan's deadline); bad forms come back with their
//! values and nothing saved; a rule a contract copied is ended, not edited; other roles
//! cannot change them.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, attrs, count, html, text};
use crate::world::{World, signing_form};

/// Posts each bad form to `path`: each comes back 422 with the message by its field and the
/// value of `kept` as typed, and `count_sql` counts as many rows after as before.
async fn all_refused<const N: usize>(
    app: &TestApp,
    path: &str,
    count_sql: &str,
    cases: &[([(&str, &str); N], &str)],
    kept: &str,
) {
    let before = count(&app.pool, count_sql).await;
    for (form, field) in cases {
        let response = app.post_form(path, form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form:?}"
        );
        let page = html(response).await;
        assert!(
            !text(&page, &format!("#{field}-error")).is_empty(),
            "{form:?}"
        );
        let typed = form.iter().find(|(name, _)| *name == kept).map(|(_, v)| *v);
        assert_eq!(
            attrs(&page, &format!("input[name='{kept}']"), "value"),
            typed.into_iter().collect::<Vec<_>>(),
            "{form:?}"
        );
    }
    assert_eq!(count(&app.pool, count_sql).await, before, "nothing saved");
}

/// A demo proposal approved in 2024's plan and not contracted yet, its activity type and its
/// decision's date.
/// A world with an approved proposal not contracted yet: the world, the proposal, its
/// activity and its decision's date.
async fn approved(pool: PgPool) -> (World, i64, String, time::Date) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let id = world
        .proposal(&tax, "Máy sao chè", ProposalState::Approved)
        .await;
    let (activity, decided_on) = sqlx::query_as(
        "select p.activity_type_code, d.decided_on from proposals p \
         join plan_decisions d on d.id = p.plan_decision_id where p.id = $1",
    )
    .bind(id)
    .fetch_one(&world.app.pool)
    .await
    .expect("the approved proposal");
    (world, id, activity, decided_on)
}

#[sqlx::test]
async fn a_province_advance_rule_sets_the_terms_of_the_contracts_signed_under_it(pool: PgPool) {
    let (world, id, activity, decided_on) = approved(pool).await;
    let app = &world.app;
    app.login("admin", PASSWORD).await;
    let rule = |province: &'static str, activity: &str, share: &'static str, threshold| {
        vec![
            ("province_code", province.to_owned()),
            ("activity_type_code", activity.to_owned()),
            ("share", share.to_owned()),
            ("threshold", threshold),
            (
                "legal_ref",
                "Quyết định 5/2024/QĐ-UBND tỉnh Thái Nguyên".to_owned(),
            ),
            ("valid_from", String::new()),
            ("valid_to", String::new()),
        ]
    };
    let pairs = |form: &[(&'static str, String)]| -> Vec<(&'static str, String)> { form.to_vec() };
    let before = count(&app.pool, "select count(*) from advance_rules").await;
    for (form, field) in [
        (rule("19", &activity, "120", "60".into()), "share"),
        (rule("19", &activity, "50", "bảy mươi".into()), "threshold"),
        (
            rule("19", "khong_co", "50", "60".into()),
            "activity_type_code",
        ),
        (rule("99", &activity, "50", "60".into()), "province_code"),
    ] {
        let sent: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let response = app.post_form("/admin/reference/advances/new", &sent).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let page = html(response).await;
        assert!(
            !text(&page, &format!("#{field}-error")).is_empty(),
            "{field} says why"
        );
        let typed = pairs(&form);
        if field == "threshold" {
            assert_eq!(
                attrs(&page, "input[name='threshold']", "value"),
                [typed[3].1.clone()],
                "the typed value comes back"
            );
        }
    }
    assert_eq!(
        count(&app.pool, "select count(*) from advance_rules").await,
        before
    );

    // The province's own rule for the activity type: half the support, from 60% done.
    let form = rule("19", &activity, "50", "60".into());
    let sent: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let response = app.post_form("/admin/reference/advances/new", &sent).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let list = app.page("/admin/reference/advances").await;
    assert!(
        text(&list, "tbody").contains("60%"),
        "{}",
        text(&list, "tbody")
    );
    let rule_id: i64 = sqlx::query_scalar(
        "select id from advance_rules where province_code = '19' and activity_type_code = $1",
    )
    .bind(&activity)
    .fetch_one(&app.pool)
    .await
    .expect("the province's rule");

    // The Centre cannot change the rules; its contract copies the province's terms.
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    assert_eq!(
        staff
            .post_form("/admin/reference/advances/new", &sent)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let signed_on = (decided_on + time::Duration::days(10)).to_string();
    let changes = [
        ("signed_on", signed_on.as_str()),
        ("implementer_signer", "Lương Văn Quý"),
        ("payment_terms", ""),
    ];
    let fields = signing_form(&staff, id, &changes).await;
    let sent: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let response = staff
        .post_form(&format!("/proposals/{id}/contract"), &sent)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let terms: (Option<i64>, i32, i32) = sqlx::query_as(
        "select advance_rule_id, advance_share_bp, advance_threshold_bp from contracts \
         where proposal_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the contract");
    assert_eq!(terms, (Some(rule_id), 5000, 6000));

    // Copied into a contract, the rule is ended and replaced, never edited.
    let form = rule("19", &activity, "40", "60".into());
    let sent: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let response = app
        .post_form(&format!("/admin/reference/advances/{rule_id}/edit"), &sent)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(response).await;
    assert!(
        text(&page, "#share-error").contains("kết thúc hiệu lực"),
        "{}",
        text(&page, ".field-error")
    );
    let today = crate::helpers::today().to_string();
    let response = app
        .post_form(
            &format!("/admin/reference/advances/{rule_id}/end"),
            &[("end_on", today.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let share: i32 = sqlx::query_scalar("select share_bp from advance_rules where id = $1")
        .bind(rule_id)
        .fetch_one(&app.pool)
        .await
        .expect("share");
    assert_eq!(share, 5000);
}

#[sqlx::test]
async fn a_province_deadline_moves_the_deadline_the_national_page_shows(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let deadline = |day: &'static str, month: &'static str, offset: &'static str| {
        [
            ("province_code", "19"),
            ("day", day),
            ("month", month),
            ("year_offset", offset),
            ("legal_ref", "Quyết định 7/2024/QĐ-UBND tỉnh Thái Nguyên"),
            ("valid_from", ""),
            ("valid_to", ""),
        ]
    };
    all_refused(
        &app,
        "/admin/reference/national-deadlines/new",
        "select count(*) from national_deadlines",
        &[
            (deadline("31", "4", "-1"), "day"),
            (deadline("x", "5", "-1"), "day"),
            (deadline("15", "5", "1"), "year_offset"),
        ],
        "day",
    )
    .await;
    let response = app
        .post_form(
            "/admin/reference/national-deadlines/new",
            &deadline("15", "5", "-1"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let list = app.page("/admin/reference/national-deadlines").await;
    assert!(text(&list, "tbody").contains("15/5"));

    let director = app.with_client(app.login_new_client("giamdoc", PASSWORD).await);
    let national = director.page("/funding/national?year=2025").await;
    assert!(
        text(&national, "#deadline").contains("15/05/2024"),
        "{}",
        text(&national, "#deadline")
    );
    assert_eq!(
        director
            .post_form(
                "/admin/reference/national-deadlines/new",
                &deadline("1", "6", "-1"),
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Nothing keeps a deadline, so it is edited in place.
    let id: i64 =
        sqlx::query_scalar("select id from national_deadlines where province_code = '19'")
            .fetch_one(&app.pool)
            .await
            .expect("the province's deadline");
    let edit = app
        .page(&format!("/admin/reference/national-deadlines/{id}/edit"))
        .await;
    assert_eq!(attrs(&edit, "input[name='day']", "value"), ["15"]);
    let response = app
        .post_form(
            &format!("/admin/reference/national-deadlines/{id}/edit"),
            &deadline("10", "5", "-1"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let national = director.page("/funding/national?year=2025").await;
    assert!(text(&national, "#deadline").contains("10/05/2024"));
}

#[sqlx::test]
async fn an_administrator_adds_a_funding_source_and_the_funding_page_lists_it(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    app.login("admin", PASSWORD).await;
    let source = |code: &'static str, name: &'static str, level: &'static str| {
        [
            ("code", code),
            ("name_vi", name),
            ("name_en", "District budget for industrial promotion"),
            ("level", level),
            ("legal_ref", "Nghị quyết 15/2024/NQ-HĐND tỉnh Thái Nguyên"),
            ("sort_order", "30"),
        ]
    };
    all_refused(
        app,
        "/admin/reference/funding-sources/new",
        "select count(*) from funding_sources",
        &[
            (source("Huyện", "Ngân sách huyện", "local"), "code"),
            (source("district", "", "local"), "name_vi"),
            (source("district", "Ngân sách huyện", "regional"), "level"),
            (source("local", "Ngân sách huyện", "local"), "code"),
        ],
        "code",
    )
    .await;
    let response = app
        .post_form(
            "/admin/reference/funding-sources/new",
            &source("district", "Ngân sách huyện hỗ trợ khuyến công", "local"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The accountant sees it among the envelopes, and cannot change the sources.
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let funding = accountant.page("/funding?year=2025").await;
    assert!(text(&funding, "table.envelopes").contains("Ngân sách huyện hỗ trợ khuyến công"));
    assert_eq!(
        accountant
            .post_form(
                "/admin/reference/funding-sources/new",
                &source("other", "Khác", "local"),
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // A source with envelopes keeps its level; its name can change.
    let round = [
        ("year", "2026"),
        ("source", "local"),
        ("direction", "allocate"),
        ("amount", "1.000.000.000"),
        ("decided_on", "2026-02-20"),
        ("reference", "Quyết định giao dự toán"),
        ("note", ""),
    ];
    let response = accountant.post_form("/funding/rounds", &round).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "an envelope");
    let mut local = source(
        "local",
        "Kinh phí khuyến công địa phương (tỉnh)",
        "national",
    );
    local[2].1 = "Local funds";
    let response = app
        .post_form("/admin/reference/funding-sources/local/edit", &local)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#level-error").is_empty());
    local[3].1 = "local";
    let response = app
        .post_form("/admin/reference/funding-sources/local/edit", &local)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (name, level): (String, String) =
        sqlx::query_as("select name_vi, level::text from funding_sources where code = 'local'")
            .fetch_one(&app.pool)
            .await
            .expect("local");
    assert_eq!(
        (name.as_str(), level.as_str()),
        ("Kinh phí khuyến công địa phương (tỉnh)", "local")
    );
}

#[sqlx::test]
async fn a_province_report_day_moves_when_reports_are_late(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let rule = |day: &'static str| {
        [
            ("province_code", "19"),
            ("due_day", day),
            ("legal_ref", "Quyết định 9/2024/QĐ-UBND tỉnh Thái Nguyên"),
            ("valid_from", ""),
            ("valid_to", ""),
        ]
    };
    all_refused(
        &app,
        "/admin/reference/reporting/new",
        "select count(*) from progress_rules",
        &[
            (rule("29"), "due_day"),
            (rule("0"), "due_day"),
            (rule(""), "due_day"),
        ],
        "due_day",
    )
    .await;
    let response = app
        .post_form("/admin/reference/reporting/new", &rule("10"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The monitoring list says the month is late from the 10th.
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    let list = staff.page("/progress").await;
    assert!(
        text(&list, "main .lead").contains("10/"),
        "{}",
        text(&list, "main .lead")
    );
    assert_eq!(
        staff
            .post_form("/admin/reference/reporting/new", &rule("5"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Nothing keeps a report day, so it is edited in place.
    let id: i64 = sqlx::query_scalar("select id from progress_rules where province_code = '19'")
        .fetch_one(&app.pool)
        .await
        .expect("the province's rule");
    let response = app
        .post_form(
            &format!("/admin/reference/reporting/{id}/edit"),
            &rule("12"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let list = staff.page("/progress").await;
    assert!(
        text(&list, "main .lead").contains("12/"),
        "{}",
        text(&list, "main .lead")
    );
    assert_eq!(
        count(&app.pool, "select count(*) from progress_rules").await,
        2,
        "the general rule and the province's"
    );
}

#[sqlx::test]
async fn a_province_rule_says_who_decides_an_adjustment(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    app.login("admin", PASSWORD).await;
    let rule = |kind: &'static str, level: &'static str| {
        [
            ("province_code", "19"),
            ("kind", kind),
            ("level", level),
            ("legal_ref", "Quyết định 12/2025/QĐ-UBND tỉnh Thái Nguyên"),
            ("valid_from", "2025-01-01"),
            ("valid_to", ""),
        ]
    };
    all_refused(
        app,
        "/admin/reference/adjustments/new",
        "select count(*) from adjustment_rules",
        &[(rule("", "top"), "kind"), (rule("schedule", ""), "level")],
        "valid_from",
    )
    .await;
    let response = app
        .post_form("/admin/reference/adjustments/new", &rule("schedule", "top"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let list = app.page("/admin/reference/adjustments").await;
    assert!(text(&list, "main").contains("12/2025/QĐ-UBND"));
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    assert_eq!(
        staff
            .post_form(
                "/admin/reference/adjustments/new",
                &rule("content", "department")
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The province's rule is the one a new request copies.
    let (id, _, _, office, _) = world.running().await;
    let year: i16 = sqlx::query_scalar("select plan_year from proposals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("year");
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    let response = officer
        .post_multipart_fields(
            &format!("/proposals/{id}/adjustments"),
            &[
                ("kind", "schedule"),
                ("reason", "Chậm giao máy."),
                ("new_deadline", &format!("{year}-12-15")),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (level, rule_id): (String, i64) = sqlx::query_as(
        "select level::text, rule_id from adjustment_requests where proposal_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("request");
    assert_eq!(level, "top");
    // A rule a request copied is ended, not edited.
    let response = app
        .post_form(
            &format!("/admin/reference/adjustments/{rule_id}/edit"),
            &rule("schedule", "department"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#level-error").is_empty());
}

#[sqlx::test]
async fn a_province_evidence_list_is_the_acceptance_checklist(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    app.login("admin", PASSWORD).await;
    let (id, _, _, _, _) = world.running().await;
    let activity: String =
        sqlx::query_scalar("select activity_type_code from proposals where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("activity");
    let activity = activity.as_str();
    let item = |name: &'static str, position: &'static str| {
        [
            ("province_code", "19"),
            ("activity_type_code", activity),
            ("position", position),
            ("name_vi", name),
            ("name_en", "Photos of the machine at work"),
            ("legal_ref", "Quyết định 12/2025/QĐ-UBND tỉnh Thái Nguyên"),
            ("valid_from", "2025-01-01"),
            ("valid_to", ""),
        ]
    };
    all_refused(
        app,
        "/admin/reference/evidence/new",
        "select count(*) from acceptance_evidence",
        &[
            (item("", "1"), "name_vi"),
            (item("Ảnh máy", "0"), "position"),
        ],
        "valid_from",
    )
    .await;
    let response = app
        .post_form(
            "/admin/reference/evidence/new",
            &item("Ảnh máy đang vận hành", "1"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let list = app.page("/admin/reference/evidence").await;
    assert!(text(&list, "main").contains("Ảnh máy đang vận hành"));

    // An acceptance record of the province checks its own list, not the general one.
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    let leader = crate::helpers::user_id(&app.pool, "thamdinh")
        .await
        .to_string();
    let day = crate::helpers::today().to_string();
    let response = staff
        .post_form(
            "/appraisals/visits/new",
            &[
                ("purpose", "acceptance"),
                ("title", "Nghiệm thu"),
                ("visit_date", &day),
                ("leader_id", &leader),
                ("proposal_ids", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = staff.page(&format!("/proposals/{id}/acceptance")).await;
    let checklist = text(&page, "#record table");
    assert!(checklist.contains("Ảnh máy đang vận hành"), "{checklist}");
    assert!(!checklist.contains("Thông tư 36/2013"), "{checklist}");
}
