//! Implementation contracts: the Centre records the signed contract of an approved proposal
//! (which moves it to `contracted`), prints it, amends it, and starts the work; bad dates and
//! numbers come back with the form; roles that may not sign or amend, cannot.

use reqwest::StatusCode;
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{TestApp, attrs, html, state_of, text, texts};
use crate::world::{World, signing_form};

/// A world with an approved proposal not contracted yet, and beside it a contracted one of
/// the owner `coso`: the world, the approved proposal and its decision's date.
async fn approved(pool: PgPool) -> (World, i64, time::Date) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world.owner("coso", &tax).await;
    world
        .proposal(&tax, "Máy vò chè", ProposalState::Contracted)
        .await;
    let id = world
        .proposal(&tax, "Máy sao chè", ProposalState::Approved)
        .await;
    let decided_on = sqlx::query_scalar(
        "select d.decided_on from proposals p join plan_decisions d on d.id = p.plan_decision_id \
         where p.id = $1",
    )
    .bind(id)
    .fetch_one(&world.app.pool)
    .await
    .expect("the decision");
    (world, id, decided_on)
}

async fn contracts_of(pool: &PgPool, id: i64) -> i64 {
    sqlx::query_scalar("select count(*) from contracts where proposal_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("count")
}

async fn post(app: &TestApp, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_form(path, &form).await
}

/// A bad form: the fields changed, the element that must say why, the status.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, StatusCode);

#[sqlx::test]
async fn the_centre_records_the_contract_prints_it_and_starts_the_work(pool: PgPool) {
    let (world, id, decided_on) = approved(pool).await;
    let app = world.as_user("canbo").await;
    let signed_on = (decided_on + time::Duration::days(10)).to_string();
    assert!(decided_on + time::Duration::days(10) < crate::helpers::today());
    let fields = signing_form(&app, id, &[("signed_on", &signed_on)]).await;
    let number = fields
        .iter()
        .find(|(n, _)| n == "number")
        .map(|(_, v)| v.clone())
        .expect("a suggested number");
    assert!(number.ends_with("/2026/HĐ-KC"), "{number}");
    let response = post(&app, &format!("/proposals/{id}/contract"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "contracted");
    let page = app.page(&format!("/proposals/{id}/contract")).await;
    assert!(page.html().contains(&number));
    // 70% of the support, from the default advance rule.
    let support: i64 = sqlx::query_scalar("select approved_support from proposals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("support");
    let advance = khuyencong::domain::money::format_vnd(support * 7 / 10);
    assert!(
        page.html().contains(&advance),
        "the advance {advance} is shown"
    );
    let print = app.page(&format!("/proposals/{id}/contract/print")).await;
    assert!(text(&print, ".doc-header").contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(text(&print, "h1").contains("HỢP ĐỒNG"));
    assert_eq!(texts(&print, ".signatures > div").len(), 2);
    // The timeline says so, and the office hears of it.
    let events: i64 = sqlx::query_scalar(
        "select count(*) from proposal_events where proposal_id = $1 and action = 'contract' \
         and details->>'contract' = $2",
    )
    .bind(id)
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .expect("events");
    assert_eq!(events, 1);

    // Work starts with the button on the proposal's page.
    let proposal = app.page(&format!("/proposals/{id}")).await;
    assert!(
        !attrs(
            &proposal,
            &format!("form[action='/proposals/{id}/start']"),
            "action"
        )
        .is_empty()
    );
    let version = attrs(
        &proposal,
        &format!("form[action='/proposals/{id}/start'] input[name='version']"),
        "value",
    );
    let response = app
        .post_form(
            &format!("/proposals/{id}/start"),
            &[("version", version[0].as_str())],
        )
        .await;
    assert!(
        response.status() == StatusCode::SEE_OTHER,
        "{}",
        response.status()
    );
    assert_eq!(state_of(&app.pool, id).await, "in_progress");

    // An amendment moves the deadline; the history keeps both.
    let page = app.page(&format!("/proposals/{id}/contract")).await;
    let version = attrs(
        &page,
        "form[action$='/amend'] input[name='version']",
        "value",
    );
    let today = crate::helpers::today().to_string();
    let response = app
        .post_form(
            &format!("/proposals/{id}/contract/amend"),
            &[
                ("version", version[0].as_str()),
                ("amend_number", "01/PL"),
                ("amended_on", today.as_str()),
                ("amend_deadline", "2027-03-31"),
                ("amend_counterpart_funds", "50.000.000"),
                ("payment_terms", ""),
                ("reason", "Thiết bị về chậm do nhà cung cấp."),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page(&format!("/proposals/{id}/contract")).await;
    let rows = texts(&page, "table.contract-amendments tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("31/03/2027"), "{rows:?}");
    // The same form again is stale.
    let response = app
        .post_form(
            &format!("/proposals/{id}/contract/amend"),
            &[
                ("version", version[0].as_str()),
                ("amend_number", "02/PL"),
                ("amended_on", today.as_str()),
                ("amend_deadline", "2027-04-30"),
                ("amend_counterpart_funds", "0"),
                ("reason", "Lần nữa"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // It comes back with what was typed, ready for the contract's version now.
    let page = html(response).await;
    assert!(text(&page, "[role='alert']").contains("vẫn được giữ"));
    assert_eq!(
        attrs(&page, "input[name='amend_number']", "value"),
        ["02/PL"]
    );
    assert_eq!(text(&page, "#reason"), "Lần nữa");
    let fresh = attrs(
        &page,
        "form[action$='/amend'] input[name='version']",
        "value",
    );
    assert_ne!(fresh, version);
    let amendments: i64 = sqlx::query_scalar(
        "select count(*) from contract_amendments a join contracts c on c.id = a.contract_id \
         where c.proposal_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("amendments");
    assert_eq!(amendments, 1, "nothing saved");
}

#[sqlx::test]
async fn bad_contracts_come_back_with_the_form_and_nothing_saved(pool: PgPool) {
    let (world, id, decided_on) = approved(pool).await;
    let app = world.as_user("canbo").await;
    let before = (decided_on - time::Duration::days(1)).to_string();
    let after = (decided_on + time::Duration::days(5)).to_string();
    let earlier = (decided_on + time::Duration::days(4)).to_string();
    let taken: String = sqlx::query_scalar("select number from contracts order by id limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("the other proposal's contract");
    let cases: [Case<'_>; 6] = [
        (
            &[("signed_on", &before)],
            "#signed_on-error",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &[("signed_on", "2100-01-01")],
            "#signed_on-error",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &[("signed_on", &after), ("deadline", &earlier)],
            "#deadline-error",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &[("signed_on", &after), ("counterpart_funds", "-5")],
            "#counterpart_funds-error",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &[("signed_on", &after), ("holder_signer", "")],
            "#holder_signer-error",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &[("signed_on", &after), ("number", &taken)],
            "#number-error",
            StatusCode::CONFLICT,
        ),
    ];
    for (changes, error, status) in cases {
        let fields = signing_form(&app, id, changes).await;
        let response = post(&app, &format!("/proposals/{id}/contract"), &fields).await;
        assert_eq!(response.status(), status, "{changes:?}");
        let page = html(response).await;
        assert!(!text(&page, error).is_empty(), "{changes:?}: {error}");
        // The form keeps what was typed.
        assert_eq!(
            attrs(&page, "form input[name='signed_on']", "value"),
            [changes
                .iter()
                .find(|(n, _)| *n == "signed_on")
                .map(|(_, v)| (*v).to_owned())
                .unwrap_or_default()]
        );
        assert_eq!(state_of(&app.pool, id).await, "approved");
        assert_eq!(contracts_of(&app.pool, id).await, 0);
    }
}

#[sqlx::test]
async fn roles_that_may_not_sign_or_amend_cannot(pool: PgPool) {
    let (world, id, decided_on) = approved(pool).await;
    let app = &world.app;
    let canbo = world.as_user("canbo").await;
    let signed_on = (decided_on + time::Duration::days(3)).to_string();
    let fields = signing_form(&canbo, id, &[("signed_on", &signed_on)]).await;
    for user in [
        "giamdoc",
        "ketoan",
        "thamdinh",
        "so.congthuong",
        "pkt.phubinh",
        "coso",
        "admin",
    ] {
        let other = world.as_user(user).await;
        let response = post(&other, &format!("/proposals/{id}/contract"), &fields).await;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&response.status()),
            "{user} signs: {}",
            response.status()
        );
    }
    assert_eq!(contracts_of(&app.pool, id).await, 0);
    // The contracted proposal: only the Centre amends it; the parties read it.
    let (contracted, office, version): (i64, String, i32) = sqlx::query_as(
        "select p.id, u.username, c.version from proposals p join contracts c on c.proposal_id = p.id \
         join users u on u.organisation_id = p.office_id and u.role = 'local_officer' \
         where p.state in ('contracted', 'in_progress') order by p.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a contracted proposal with a local office account");
    let officer = world.as_user(&office).await;
    officer
        .page(&format!("/proposals/{contracted}/contract"))
        .await;
    let today = crate::helpers::today().to_string();
    let version = version.to_string();
    let amendment = [
        ("version", version.as_str()),
        ("amend_number", "09/PL"),
        ("amended_on", today.as_str()),
        ("amend_deadline", "2030-01-01"),
        ("amend_counterpart_funds", "0"),
        ("reason", "x"),
    ];
    for user in ["giamdoc", "ketoan", office.as_str()] {
        let other = world.as_user(user).await;
        let response = other
            .post_form(
                &format!("/proposals/{contracted}/contract/amend"),
                &amendment,
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user} amends");
    }
    let amendments: i64 = sqlx::query_scalar("select count(*) from contract_amendments")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(amendments, 0);
}
