//! The public lookup on a phone, and the annual report and the director's dashboard in a
//! browser.

use fantoccini::Locator;
use khuyencong::domain::proposal::ProposalState;
use sqlx::PgPool;

use super::{
    assert_no_sideways_scrolling, assert_text, assert_text_starts, browser, click, screenshot,
    sign_in, text_when, visit,
};
use crate::helpers::PASSWORD;
use crate::world::{World, dossier_of_2027};

/// A facility owner without an account looks a dossier up on a phone from the sign-in page;
/// the director reads the year's report, picks another year and finds the export. The world
/// has a proposal of 2026 being carried out, one of 2026 completed and one of 2027 sent.
#[sqlx::test]
async fn the_public_lookup_and_the_annual_report_work_in_the_browser(pool: PgPool) {
    let world = World::new(pool).await;
    let (running, ..) = world.running().await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world
        .proposal(&tax, "Lò sấy chè", ProposalState::Completed)
        .await;
    world
        .proposal_from(
            &dossier_of_2027(&tax, "Máy vò chè"),
            ProposalState::Submitted,
        )
        .await;
    let app = &world.app;
    let (code, tax_code): (String, String) = sqlx::query_as(
        "select p.code, f.tax_code from proposals p
         join facilities f on f.id = p.beneficiary_ids[1] where p.id = $1",
    )
    .bind(running)
    .fetch_one(&app.pool)
    .await
    .expect("the dossier being carried out");

    let phone = browser(360, 740).await;
    let client = &phone.client;
    visit(client, app, "/login").await;
    click(client, "a[href='/tra-cuu']").await;
    let form = client
        .form(Locator::Css("form[action='/tra-cuu']"))
        .await
        .expect("lookup form");
    // Typed as a person might: lower case, with spaces around.
    form.set_by_name("code", &format!(" {} ", code.to_lowercase()))
        .await
        .expect("code");
    form.set_by_name("tax_code", &tax_code)
        .await
        .expect("tax code");
    form.submit().await.expect("submit");
    assert_text(client, "#lookup-code", &code).await;
    assert_text(
        client,
        "#lookup-state",
        "Đề án đang được thực hiện. Vui lòng báo cáo tiến độ hằng tháng.",
    )
    .await;
    screenshot(client, "lookup-phone").await;
    drop(phone);

    let desk = browser(1280, 900).await;
    let client = &desk.client;
    sign_in(client, app, "giamdoc", PASSWORD).await;
    click(client, "a[href='/reports']").await;
    assert_text_starts(client, ".report-summary", "Năm 2027").await;
    let form = client
        .form(Locator::Css("form[action='/reports']"))
        .await
        .expect("report form");
    form.set_by_name("year", "2026").await.expect("year");
    form.submit().await.expect("submit");
    assert_text_starts(
        client,
        ".report-summary",
        "Năm 2026, Trung tâm Khuyến công đã hoàn thành 1 đề án",
    )
    .await;
    let chart = client
        .find(Locator::Css("svg.chart-drawing rect"))
        .await
        .expect("a chart is drawn");
    assert!(chart.attr("width").await.expect("width").is_some());
    let export = client
        .find(Locator::Css("a[href^='/reports/export?format=xlsx']"))
        .await
        .expect("the export link");
    assert_eq!(
        export.attr("href").await.expect("href").as_deref(),
        Some("/reports/export?format=xlsx&year=2026&source=")
    );
    screenshot(client, "annual-report").await;
    assert_no_sideways_scrolling(client, "the report").await;

    // The director's dashboard: the newest year at a glance, with its chart.
    visit(client, app, "/").await;
    text_when(client, "section.glance h2", |t| !t.is_empty()).await;
    client
        .find(Locator::Css("section.glance svg.chart-drawing rect"))
        .await
        .expect("the glance's chart is drawn");
    screenshot(client, "dashboard-director").await;
    assert_no_sideways_scrolling(client, "the dashboard").await;
}
