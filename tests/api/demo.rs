//! The demo data set read as its users would: every account signs in, and its funding,
//! acceptances and 2023 report agree with what its timeline says. These are the only tests
//! that load the demo; every other test makes its own world.

use khuyencong::demo::ACCOUNTS;
use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::funding::{appraised_in, envelope_of};
use crate::helpers::{PASSWORD, TestApp, attrs, count, text, texts};

#[sqlx::test]
async fn the_demo_accepted_settled_and_evaluated_what_its_timeline_says(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let gaps: (i64, i64, i64) = sqlx::query_as(
        "select \
           count(*) filter (where not exists (select 1 from acceptance_records a \
               where a.proposal_id = p.id and a.status = 'final' and a.result = 'pass')), \
           count(*) filter (where p.state in ('settled', 'completed') \
               and not exists (select 1 from settlements s where s.proposal_id = p.id)), \
           count(*) filter (where p.state = 'completed' and not exists \
               (select 1 from evaluations e where e.proposal_id = p.id and e.months_after = 0)) \
         from proposals p where p.state in ('result_accepted', 'settled', 'completed')",
    )
    .fetch_one(&app.pool)
    .await
    .expect("gaps");
    assert_eq!(gaps, (0, 0, 0));
    // Every settled contract is paid in full: the settlement's final payment.
    let short: i64 = sqlx::query_scalar(
        "select count(*) from contracts c join settlements s on s.contract_id = c.id \
         where c.paid <> s.admitted_support",
    )
    .fetch_one(&app.pool)
    .await
    .expect("short");
    assert_eq!(short, 0);
    let id: i64 =
        sqlx::query_scalar("select proposal_id from settlements order by proposal_id limit 1")
            .fetch_one(&app.pool)
            .await
            .expect("a settled proposal");
    app.login("ketoan", PASSWORD).await;
    let page = app.page(&format!("/proposals/{id}/settlement")).await;
    assert!(text(&page, "main").contains("TL-"));
    let page = app.page(&format!("/proposals/{id}")).await;
    assert!(
        attrs(&page, ".timeline a", "href")
            .iter()
            .any(|h| h.ends_with("/settlement/print")),
        "the timeline links the liquidation minutes"
    );
}

#[sqlx::test]
async fn every_demo_account_signs_in_and_sees_its_home_page(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    for (username, _role) in ACCOUNTS {
        let client = app.login_new_client(username, PASSWORD).await;
        let response = client.get(app.url("/")).send().await.expect("GET /");
        assert_eq!(response.status(), StatusCode::OK, "{username}");
        let page = Html::parse_document(&response.text().await.expect("body"));
        let full_name: String =
            sqlx::query_scalar("select full_name from users where username = $1")
                .bind(username)
                .fetch_one(&app.pool)
                .await
                .expect("user");
        assert_eq!(
            text(&page, "h1"),
            format!("Xin chào, {full_name}"),
            "{username}"
        );
        assert!(
            !text(&page, ".facts").is_empty(),
            "{username} sees role and organisation"
        );
    }
}

#[sqlx::test]
async fn the_demo_funding_agrees_with_its_proposals(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    // Every approved demo proposal is a line of a decision, and each envelope's committed
    // total is the sum of the lines in force, of a stopped proposal only what was paid.
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from proposals where approved_support is not null and plan_decision_id is null"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from funding_envelopes e where e.committed <> \
             (select coalesce(sum(case when p.state = 'stopped' then coalesce(k.paid, 0) \
                                       else p.approved_support end), 0) \
              from proposals p join plan_decisions d on d.id = p.plan_decision_id \
              left join contracts k on k.proposal_id = p.id where d.envelope_id = e.id)"
        )
        .await,
        0
    );
    assert!(count(&app.pool, "select count(*) from plan_decisions").await >= 3);
    app.login("giamdoc", PASSWORD).await;
    let page = app.page("/funding?year=2023").await;
    assert_eq!(texts(&page, "table.decisions tbody tr").len(), 2);
    // 2024's second round leaves room for some of the proposals still appraised.
    let (amount, committed) = envelope_of(&app.pool, 2024, "local").await;
    let smallest = appraised_in(&app.pool, 2024)
        .await
        .into_iter()
        .map(|c| c.2)
        .min()
        .expect("appraised proposals");
    assert!(amount - committed >= smallest);
    let plan = app.page("/funding/plan?year=2024&source=local").await;
    assert!(!crate::helpers::attrs(&plan, "input[type=checkbox][checked]", "name").is_empty());
}

#[sqlx::test]
async fn the_demo_2023_reads_as_the_centre_reported_it(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    app.login("giamdoc", PASSWORD).await;
    let page = app.page("/reports?year=2023").await;
    let summary = texts(&page, ".report-summary").join(" ");
    assert!(
        summary.contains("Năm 2023, Trung tâm Khuyến công đã hoàn thành 27 đề án, trong đó 3 đề án khuyến công quốc gia"),
        "{summary}"
    );
    // Without a year, the newest year with proposals is reported.
    let newest = app.page("/reports").await;
    let newest_year: i16 =
        sqlx::query_scalar("select max(plan_year) from proposals where state <> 'draft'")
            .fetch_one(&app.pool)
            .await
            .expect("newest year");
    assert!(
        texts(&newest, "h1")
            .join(" ")
            .contains(&newest_year.to_string())
    );
    // The province's envelopes are shown to the Centre's side, with the charts as SVG.
    assert!(!texts(&page, "svg.chart-drawing title").is_empty());
    assert!(
        texts(&page, "h2")
            .iter()
            .any(|h| h == "Dự toán kinh phí theo nguồn")
    );
}
