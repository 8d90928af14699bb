//! The money's first steps in a browser: the director builds and approves a plan of several
//! proposals, and the Centre signs, amends and starts a contract.

use fantoccini::Locator;
use khuyencong::domain::proposal::ProposalState;
use sqlx::PgPool;

use super::{
    assert_text_starts, browser, click, record_plan_decision, screenshot, set_date, sign_in,
    text_when, type_into, visit,
};
use crate::helpers::PASSWORD;
use crate::world::{DAI_TU, World};

/// The director builds the year's plan in a browser: the page picks proposals in ranking
/// order within what is left, the live total follows an unticked line and a lowered amount,
/// and the decision is recorded with its scan, approving the set in one step.
#[sqlx::test]
async fn a_director_builds_and_approves_a_plan_of_several_proposals(pool: PgPool) {
    let world = World::new(pool).await;
    // Three appraised proposals of 2026, each proposed at the 150,000,000 đồng it asks.
    let mut appraised = Vec::new();
    for (area, name, tax_code) in [
        (None, "Hợp tác xã Chè Tân Khánh", "4609990099"),
        (Some(DAI_TU), "Hợp tác xã Chè La Bằng", "4609990201"),
        (None, "Hợp tác xã Chè Đồng Liên", "4609990500"),
    ] {
        let tax = match area {
            Some(district) => world.facility_in(district, name, tax_code).await,
            None => world.facility(name, tax_code).await,
        };
        let id = world
            .proposal(&tax, "Máy sao chè tự động", ProposalState::Appraised)
            .await;
        appraised.push((id, 150_000_000_i64));
    }
    let app = &world.app;
    let today = crate::helpers::today().to_string();
    // Room for every appraised proposal: the accountant records a round (over HTTP).
    let room: i64 = appraised.iter().map(|(_, p)| p).sum();
    let accountant = world.as_user("ketoan").await;
    let response = accountant
        .post_form(
            "/funding/rounds",
            &[
                ("year", "2026"),
                ("source", "local"),
                ("direction", "allocate"),
                ("amount", &room.to_string()),
                ("decided_on", &today),
                ("reference", "Quyết định 2001/QĐ-UBND"),
            ],
        )
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);

    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, app, "giamdoc", PASSWORD).await;
    visit(client, app, "/funding?year=2026").await;
    click(client, "a[href='/funding/plan?year=2026&source=local']").await;
    text_when(client, "h1", |t| t.starts_with("Kế hoạch khuyến công")).await;
    // Every appraised proposal fits, so every one is picked at its most.
    let picked = client
        .find_all(Locator::Css(
            "table.plan-lines input[type=checkbox]:checked",
        ))
        .await
        .expect("checkboxes");
    assert_eq!(picked.len(), appraised.len());
    // Leave the last one out and halve the first: the total follows as typed.
    let (first, first_proposed) = appraised[0];
    let (last, _) = appraised[appraised.len() - 1];
    click(client, &format!("#pick_{last}")).await;
    type_into(
        client,
        &format!("amount_{first}"),
        0,
        &(first_proposed / 2).to_string(),
    )
    .await;
    let expected: i64 = first_proposed / 2
        + appraised[1..appraised.len() - 1]
            .iter()
            .map(|(_, p)| p)
            .sum::<i64>();
    let shown = khuyencong::domain::money::format_vnd(expected);
    text_when(client, "#selected-total", |t| {
        t.replace('\u{a0}', " ") == shown
    })
    .await;
    screenshot(client, "plan-built").await;

    record_plan_decision(
        client,
        "2026/QĐ-UBND",
        &today,
        "Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh",
    )
    .await;
    screenshot(client, "plan-recorded").await;

    let approved: Vec<i64> = sqlx::query_scalar(
        "select proposal_id from plan_decision_lines l join plan_decisions d on d.id = l.decision_id \
         where d.number = '2026/QĐ-UBND' order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .expect("lines");
    let wanted: Vec<i64> = appraised[..appraised.len() - 1]
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(approved, wanted);
    let state: String = sqlx::query_scalar("select state::text from proposals where id = $1")
        .bind(last)
        .fetch_one(&app.pool)
        .await
        .expect("state");
    assert_eq!(
        state, "appraised",
        "the one left out waits for another round"
    );
}

/// The Centre's contract in a browser: the signing form prefilled from the approval, the
/// amendment form on the same page, and the button that starts the work.
#[sqlx::test]
async fn the_centre_signs_amends_and_starts_a_contract_in_the_browser(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let id = world
        .proposal(&tax, "Máy sao chè tự động", ProposalState::Approved)
        .await;
    let app = &world.app;
    let decided_on: time::Date = sqlx::query_scalar(
        "select d.decided_on from proposals p join plan_decisions d on d.id = p.plan_decision_id \
         where p.id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("an approved proposal");
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &format!("/proposals/{id}/contract")).await;
    set_date(
        client,
        "signed_on",
        &(decided_on + time::Duration::days(7)).to_string(),
    )
    .await;
    type_into(client, "holder_signer", 0, "Lê Văn Hùng, Giám đốc").await;
    type_into(
        client,
        "implementer_signer",
        0,
        "Lương Văn Quý, Giám đốc HTX",
    )
    .await;
    click(
        client,
        &format!("form[action='/proposals/{id}/contract'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đã ghi nhận hợp đồng").await;
    screenshot(client, "contract-signed").await;

    let today = crate::helpers::today();
    type_into(client, "amend_number", 0, "01/PL-HĐ").await;
    set_date(client, "amended_on", &today.to_string()).await;
    set_date(
        client,
        "amend_deadline",
        &(today + time::Duration::days(90)).to_string(),
    )
    .await;
    type_into(client, "reason", 0, "Thiết bị về chậm do nhà cung cấp.").await;
    click(client, "form[action$='/contract/amend'] button").await;
    assert_text_starts(client, ".flash", "Đã ghi nhận phụ lục 01/PL-HĐ").await;
    let amended: (time::Date, i64) = sqlx::query_as(
        "select c.deadline, (select count(*) from contract_amendments a where a.contract_id = c.id) \
         from contracts c where c.proposal_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the contract");
    assert_eq!(amended, (today + time::Duration::days(90), 1));

    visit(client, app, &format!("/proposals/{id}")).await;
    click(
        client,
        &format!("form[action='/proposals/{id}/start'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đề án đã chuyển sang đang thực hiện").await;
    assert_eq!(crate::helpers::state_of(&app.pool, id).await, "in_progress");
}
