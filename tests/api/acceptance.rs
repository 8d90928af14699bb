//! Acceptance, settlement, evaluation and closing: an acceptance visit's team checks the
//! evidence and admits support per line, the leader finalises; the accountant settles (final
//! payment or recovery, the rest back to the envelope); the Centre records the effects and
//! closes. Roles that may not act, cannot; bad forms come back with their values.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, attrs, committed, pay_advance, state_of, text, version};
use crate::world::{World, lines, plan_acceptance, post, record_form};

#[sqlx::test]
async fn a_proposal_goes_from_acceptance_to_completed(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, contract, support, office, envelope) = world.running().await;
    let advance = support / 2;
    pay_advance(app, id, contract, &office, advance, "PC-NT-01").await;
    let (_visit, record) = plan_acceptance(app, id, "thamdinh").await;
    let path = format!("/proposals/{id}/acceptance/{record}");

    // Someone off the team cannot fill the record in.
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    app.login("thamdinh", PASSWORD).await;
    let form = record_form(app, id, "yes", |s| s).await;
    let response = post(&officer, &path, &form).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // More than a line's support is refused, the form comes back as typed.
    let lines = lines(&app.pool, id).await;
    let (first, first_support) = lines[0];
    let mut too_much = form.clone();
    for (k, v) in &mut too_much {
        if *k == format!("line_{first}") {
            *v = (first_support + 1).to_string();
        }
    }
    let response = post(app, &path, &too_much).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(!text(&page, &format!("#line_{first}-error")).is_empty());
    assert_eq!(
        attrs(&page, &format!("#line_{first}"), "value"),
        [(first_support + 1).to_string()]
    );

    // A pass with evidence not seen cannot be finalised; nothing is saved.
    let mut absent = record_form(app, id, "no", |s| s).await;
    absent.push(("result".into(), "pass".into()));
    absent.push(("finalise".into(), "1".into()));
    let response = post(app, &path, &absent).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved: i64 =
        sqlx::query_scalar("select count(*) from acceptance_evidence_checks where record_id = $1")
            .bind(record)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(saved, 0);

    // The leader admits all but 1,000,000 đồng of the first line and finalises a pass.
    let cut = 1_000_000.min(first_support);
    let mut pass = record_form(app, id, "yes", |s| s).await;
    for (k, v) in &mut pass {
        if *k == format!("line_{first}") {
            *v = (first_support - cut).to_string();
        }
    }
    pass.push(("conclusion".into(), "Máy đã lắp đặt, vận hành tốt.".into()));
    pass.push(("result".into(), "pass".into()));
    pass.push(("finalise".into(), "1".into()));
    let response = post(app, &path, &pass).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "result_accepted");
    let lines_support: i64 = lines.iter().map(|l| l.1).sum();
    let admitted = (lines_support - cut).min(support);
    let stored: Option<i64> =
        sqlx::query_scalar("select admitted_support from acceptance_records where id = $1")
            .bind(record)
            .fetch_one(&app.pool)
            .await
            .expect("admitted");
    assert_eq!(stored, Some(admitted));
    let minutes = app.page(&format!("{path}/minutes")).await;
    assert!(text(&minutes, "h1").contains("NGHIỆM THU"));
    // The final record is read-only.
    assert_eq!(post(app, &path, &pass).await.status(), StatusCode::CONFLICT);

    // Settlement: only the accountant; a missing number comes back.
    let settle = format!("/proposals/{id}/settlement");
    let day = crate::helpers::today().to_string();
    let v = version(&app.pool, id).await;
    let form = [
        ("liquidation_number", "TL-01/2026"),
        ("liquidated_on", day.as_str()),
        ("voucher_number", "PC-NT-02"),
        ("paid_on", day.as_str()),
        ("version", v.as_str()),
    ];
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    assert_eq!(
        staff.post_form(&settle, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let mut missing = form;
    missing[0].1 = "";
    let response = accountant.post_form(&settle, &missing).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(attrs(&page, "#voucher_number", "value"), ["PC-NT-02"]);
    let before = committed(&app.pool, envelope).await;
    let response = accountant.post_form(&settle, &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "settled");
    let (kind, amount): (String, i64) = sqlx::query_as(
        "select kind::text, amount from payments where contract_id = $1 order by id desc limit 1",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("the final payment");
    assert_eq!((kind.as_str(), amount), ("final", admitted - advance));
    assert_eq!(
        committed(&app.pool, envelope).await,
        before - (support - admitted)
    );
    let print = accountant.page(&format!("{settle}/print")).await;
    assert!(text(&print, "h1").contains("THANH LÝ"));

    // Evaluation at settlement, then closing: the accountant may not record, the office may
    // not close.
    let eval = format!("/proposals/{id}/evaluation");
    let figures = [
        ("months_after", "0"),
        ("evaluated_on", day.as_str()),
        ("output", "12.000 sản phẩm/năm"),
        ("revenue", "2.500.000.000"),
        ("jobs", "18"),
        ("productivity_change", "35"),
    ];
    assert_eq!(
        accountant.post_form(&eval, &figures).await.status(),
        StatusCode::FORBIDDEN
    );
    let mut bad = figures;
    bad[4].1 = "nhiều";
    let response = staff.post_form(&eval, &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(attrs(&page, "#jobs", "value"), ["nhiều"]);
    let close = format!("{eval}/close");
    assert_eq!(
        staff.post_form(&close, &[]).await.status(),
        StatusCode::CONFLICT,
        "closing needs the evaluation at settlement"
    );
    assert_eq!(
        staff.post_form(&eval, &figures).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        officer.post_form(&close, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff.post_form(&close, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(state_of(&app.pool, id).await, "completed");
    let page = staff.page(&eval).await;
    assert!(text(&page, "table").contains("18"));

    // The office heard of each step.
    let told: Vec<String> = sqlx::query_scalar(
        "select n.message_key from notifications n join users u on u.id = n.user_id \
         where u.username = $1 and n.link like $2 order by n.id",
    )
    .bind(&office)
    .bind(format!("/proposals/{id}%"))
    .fetch_all(&app.pool)
    .await
    .expect("notifications");
    for key in [
        "notify.acceptance_planned",
        "notify.result_accepted",
        "notify.settled",
        "notify.completed",
    ] {
        assert!(told.iter().any(|k| k == key), "{key} in {told:?}");
    }
}

#[sqlx::test]
async fn a_failed_acceptance_goes_on_and_a_small_admission_is_recovered(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, contract, support, office, _) = world.running().await;
    let advance = support / 2;
    pay_advance(app, id, contract, &office, advance, "PC-NT-11").await;

    // A first visit fails: the proposal stays in progress.
    let (_, first) = plan_acceptance(app, id, "thamdinh").await;
    app.login("thamdinh", PASSWORD).await;
    let fail = record_form(app, id, "no", |_| 0).await;

    // A finalisation over a save made meanwhile is refused as stale: nothing of it is kept.
    let record_path = format!("/proposals/{id}/acceptance/{first}");
    let mut stale = fail.clone();
    let response = post(app, &record_path, &fail).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    stale.push(("result".into(), "fail".into()));
    stale.push(("finalise".into(), "1".into()));
    let response = post(app, &record_path, &stale).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let status: String =
        sqlx::query_scalar("select status::text from acceptance_records where id = $1")
            .bind(first)
            .fetch_one(&app.pool)
            .await
            .expect("status");
    assert_eq!(status, "draft");
    assert_eq!(state_of(&app.pool, id).await, "in_progress");
    let mut fail = record_form(app, id, "no", |_| 0).await;
    fail.push(("result".into(), "fail".into()));
    fail.push(("finalise".into(), "1".into()));
    let response = post(app, &format!("/proposals/{id}/acceptance/{first}"), &fail).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "in_progress");

    // A second visit admits a tenth of the support: less than the advance.
    let (_, second) = plan_acceptance(app, id, "thamdinh").await;
    assert_ne!(first, second);
    let tenth = support / 10;
    let mut left = tenth;
    let mut pass = record_form(app, id, "yes", |s| {
        let take = s.min(left);
        left -= take;
        take
    })
    .await;
    pass.push(("result".into(), "pass".into()));
    pass.push(("finalise".into(), "1".into()));
    let response = post(app, &format!("/proposals/{id}/acceptance/{second}"), &pass).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "result_accepted");

    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let day = crate::helpers::today().to_string();
    let v = version(&app.pool, id).await;
    let response = accountant
        .post_form(
            &format!("/proposals/{id}/settlement"),
            &[
                ("liquidation_number", "TL-02/2026"),
                ("liquidated_on", &day),
                ("voucher_number", "PT-NT-01"),
                ("paid_on", &day),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (kind, amount, paid): (String, i64, i64) = sqlx::query_as(
        "select y.kind::text, y.amount, c.paid from payments y join contracts c on c.id = y.contract_id \
         where y.contract_id = $1 order by y.id desc limit 1",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("the recovery");
    assert_eq!((kind.as_str(), amount), ("recovery", advance - tenth));
    assert_eq!(paid, tenth, "what stays paid is what was admitted");
}

#[sqlx::test]
async fn two_accountants_settling_at_once_pay_once(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, contract, support, _, _) = world.running().await;
    world.accept_result(id).await;

    let v = version(&app.pool, id).await;
    let day = crate::helpers::today().to_string();
    let path = format!("/proposals/{id}/settlement");
    let first = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let second = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let form = |n: &'static str, voucher: &'static str| {
        [
            ("liquidation_number", n),
            ("liquidated_on", day.as_str()),
            ("voucher_number", voucher),
            ("paid_on", day.as_str()),
            ("version", v.as_str()),
        ]
    };
    let (form_a, form_b) = (form("TL-A", "PC-A"), form("TL-B", "PC-B"));
    let (a, b) = tokio::join!(
        first.post_form(&path, &form_a),
        second.post_form(&path, &form_b),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409]);
    let (finals, paid): (i64, i64) = sqlx::query_as(
        "select (select count(*) from payments where contract_id = $1 and kind = 'final'), \
                (select paid from contracts where id = $1)",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("payments");
    assert_eq!(finals, 1);
    assert!(paid <= support);
}
