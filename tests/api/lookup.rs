//! The public status lookup (`/tra-cuu`): found by code and tax code without an account,
//! the same answer for a wrong tax code as for an unknown code, drafts never found, and
//! throttling per code and per address.

use khuyencong::domain::proposal::ProposalState;
use khuyencong::i18n::{self, Lang};
use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{TestApp, attrs, client, text};
use crate::world::World;

/// A proposal with a code: its code, title, state and its beneficiary's tax code.
struct Dossier {
    code: String,
    title: String,
    state: ProposalState,
    tax_code: String,
}

/// A world of one proposal in each of `states`, each for a facility of its own, and the
/// proposals as the lookup knows them.
async fn world_of(world: World, states: &[ProposalState]) -> (World, Vec<Dossier>) {
    let mut dossiers = Vec::with_capacity(states.len());
    for (n, &state) in states.iter().enumerate() {
        let tax_code = format!("46099900{n:02}");
        world
            .facility(&format!("Cơ sở Chè số {n}"), &tax_code)
            .await;
        let title = format!("Máy sao chè cho cơ sở số {n}");
        let id = world.proposal(&tax_code, &title, state).await;
        let code: String = sqlx::query_scalar("select code from proposals where id = $1")
            .bind(id)
            .fetch_one(&world.app.pool)
            .await
            .expect("a code");
        dossiers.push(Dossier {
            code,
            title,
            state,
            tax_code,
        });
    }
    (world, dossiers)
}

/// A world with one proposal in `state`, and that proposal.
async fn one(pool: PgPool, state: ProposalState) -> (World, Dossier) {
    let (world, mut dossiers) = world_of(World::new(pool).await, &[state]).await;
    (world, dossiers.remove(0))
}

/// A tax code no facility has.
const UNKNOWN_TAX_CODE: &str = "0999999999";

/// Posts a lookup from the test client (127.0.0.1).
async fn look_up(app: &TestApp, code: &str, tax_code: &str) -> (StatusCode, String) {
    let response = app
        .post_form("/tra-cuu", &[("code", code), ("tax_code", tax_code)])
        .await;
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// Posts a lookup as a client behind a proxy at `address` (`TRUST_FORWARDED_FOR` on).
async fn look_up_from(
    app: &TestApp,
    address: &str,
    code: &str,
    tax_code: &str,
) -> (StatusCode, String) {
    let response = app
        .client
        .post(app.url("/tra-cuu"))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", address)
        .form(&[("code", code), ("tax_code", tax_code)])
        .send()
        .await
        .expect("POST");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

#[sqlx::test]
async fn the_right_pair_shows_the_plain_state_and_next_step_without_signing_in(pool: PgPool) {
    let (world, dossier) = one(pool, ProposalState::Submitted).await;
    let app = &world.app;

    // The form itself, for an anonymous visitor, linked from the login page.
    let form = app.page("/tra-cuu").await;
    assert_eq!(text(&form, "h1"), i18n::t(Lang::Vi, "lookup.title"));
    assert_eq!(
        attrs(&form, "form[action='/tra-cuu'] input", "name"),
        ["code", "tax_code"]
    );
    let login = app.page("/login").await;
    assert_eq!(attrs(&login, "main a[href='/tra-cuu']", "href").len(), 1);

    let (status, body) = look_up(app, &dossier.code, &dossier.tax_code).await;
    assert_eq!(status, StatusCode::OK);
    let page = Html::parse_document(&body);
    assert_eq!(text(&page, "#lookup-title"), dossier.title);
    assert_eq!(text(&page, "#lookup-code"), dossier.code);
    assert_eq!(
        text(&page, "#lookup-state"),
        i18n::t(Lang::Vi, dossier.state.plain_key())
    );
    assert_eq!(
        text(&page, "#lookup-next"),
        i18n::t(Lang::Vi, dossier.state.next_step_key())
    );
    assert_eq!(text(&page, "#lookup-date").len(), "dd/mm/yyyy".len());
    // Nothing else: no staff label of the state, no sign-in, no amounts.
    assert!(!body.contains(i18n::t(Lang::Vi, dossier.state.label_key())));
    let requested: i64 =
        sqlx::query_scalar("select requested_support from proposals where code = $1")
            .bind(&dossier.code)
            .fetch_one(&app.pool)
            .await
            .expect("amount");
    assert!(!body.contains(&khuyencong::domain::money::format_vnd(requested)));

    // Typed as people type it: lower case, spaces around, a tax code with spaces.
    let typed = format!("  {}  ", dossier.code.to_lowercase());
    let spaced_tax = format!(" {} {} ", &dossier.tax_code[..4], &dossier.tax_code[4..]);
    let (status, body) = look_up(app, &typed, &spaced_tax).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text(&Html::parse_document(&body), "#lookup-title"),
        dossier.title
    );

    // In English, once chosen.
    assert_eq!(app.get("/tra-cuu?lang=en").await.status(), StatusCode::OK);
    let (status, body) = look_up(app, &dossier.code, &dossier.tax_code).await;
    assert_eq!(status, StatusCode::OK);
    let page = Html::parse_document(&body);
    assert_eq!(
        text(&page, "#lookup-state"),
        i18n::t(Lang::En, dossier.state.plain_key())
    );
    assert_eq!(
        text(&page, "#lookup-next"),
        i18n::t(Lang::En, dossier.state.next_step_key())
    );
}

#[sqlx::test]
async fn a_wrong_tax_code_is_answered_exactly_like_an_unknown_code(pool: PgPool) {
    let states = [ProposalState::Accepted, ProposalState::Submitted];
    let (world, dossiers) = world_of(World::new(pool).await, &states).await;
    let app = &world.app;
    let mine = &dossiers[0];
    // Another facility's real tax code: the pair exists, just not together.
    let other_tax = &dossiers[1].tax_code;
    let unknown_code = "ĐP-2099-999";

    let (wrong_status, wrong_body) = look_up(app, &mine.code, other_tax).await;
    let (unknown_status, unknown_body) = look_up(app, unknown_code, other_tax).await;
    assert_eq!(wrong_status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_status, wrong_status);
    assert!(!wrong_body.contains(&mine.title));
    let page = Html::parse_document(&wrong_body);
    assert_eq!(
        text(&page, "#lookup-message"),
        i18n::t(Lang::Vi, "lookup.not_found")
    );
    assert!(text(&page, "#lookup-title").is_empty());
    // The typed code comes back in the form; apart from it, the two answers are the same.
    assert_eq!(
        wrong_body.replace(&mine.code, "CODE"),
        unknown_body.replace(unknown_code, "CODE")
    );
}

#[sqlx::test]
async fn a_draft_is_never_found(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let tax_code = world.facility("Cơ sở Chè Nháp", "4609990077").await;
    let id = world
        .proposal(&tax_code, "Đề án nháp", ProposalState::Draft)
        .await;
    // Drafts have no code; give one a code anyway, as if the counter had run: still hidden.
    let code = "ĐP-2026-900";
    sqlx::query("update proposals set code = $1 where id = $2")
        .bind(code)
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("a code");
    let (status, body) = look_up(app, code, &tax_code).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        text(&Html::parse_document(&body), "#lookup-message"),
        i18n::t(Lang::Vi, "lookup.not_found")
    );
}

#[sqlx::test]
async fn after_five_failures_a_code_is_paused_even_for_its_right_pair(pool: PgPool) {
    let states = [ProposalState::Submitted, ProposalState::Submitted];
    let (world, both) = world_of(World::new(pool).await, &states).await;
    let app = &world.app;
    let (target, other) = (&both[0], &both[1]);
    for _ in 0..5 {
        let (status, _) = look_up(app, &target.code, UNKNOWN_TAX_CODE).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Typed another way, it is the same code.
    let (status, body) = look_up(app, &target.code.to_lowercase(), &target.tax_code).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let page = Html::parse_document(&body);
    assert_eq!(
        text(&page, "#lookup-message"),
        i18n::t(Lang::Vi, "lookup.throttled")
    );
    assert!(!body.contains(&target.title));
    assert_eq!(
        attrs(&page, "input[name='tax_code']", "value"),
        std::slice::from_ref(&target.tax_code)
    );
    // Another code from the same address is still answered.
    let (status, body) = look_up(app, &other.code, &other.tax_code).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&other.title));
}

#[sqlx::test]
async fn after_ten_failures_an_address_is_paused_and_another_is_not(pool: PgPool) {
    let world = World::with_settings(pool, &[("TRUST_FORWARDED_FOR", "true")]).await;
    let (world, mut dossiers) = world_of(world, &[ProposalState::Submitted]).await;
    let (app, dossier) = (&world.app, dossiers.remove(0));
    // Ten codes, each failing once: no code reaches its own limit.
    for n in 1..=10 {
        let code = format!("ĐP-2099-{n:03}");
        let (status, _) = look_up_from(app, "203.0.113.7", &code, UNKNOWN_TAX_CODE).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "failure {n}");
    }
    let (status, body) = look_up_from(app, "203.0.113.7", &dossier.code, &dossier.tax_code).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!body.contains(&dossier.title));
    let (status, body) = look_up_from(app, "198.51.100.20", &dossier.code, &dossier.tax_code).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&dossier.title));
}

#[sqlx::test]
async fn successes_are_limited_per_address(pool: PgPool) {
    let (world, dossier) = one(pool, ProposalState::Submitted).await;
    let app = &world.app;
    for n in 1..=30 {
        let (status, _) = look_up(app, &dossier.code, &dossier.tax_code).await;
        assert_eq!(status, StatusCode::OK, "lookup {n}");
    }
    let (status, _) = look_up(app, &dossier.code, &dossier.tax_code).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn bad_input_brings_the_form_back_with_its_values_and_a_message(pool: PgPool) {
    let app = &TestApp::spawn(pool).await;
    let (status, body) = look_up(app, "   ", "0101234567").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&body);
    assert_eq!(
        text(&page, "#code-error"),
        i18n::t(Lang::Vi, "input.required")
    );
    assert_eq!(
        attrs(&page, "input[name='tax_code']", "value"),
        ["0101234567"]
    );

    let absurd = "x".repeat(5000);
    let (status, body) = look_up(app, "ĐP-2024-017", &absurd).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&body);
    assert_eq!(
        text(&page, "#tax_code-error"),
        i18n::t(Lang::Vi, "lookup.tax_code_invalid")
    );
    assert_eq!(attrs(&page, "input[name='code']", "value"), ["ĐP-2024-017"]);

    // In English too; and nothing was counted against the address.
    let english = app.with_client(client());
    assert_eq!(
        english.get("/tra-cuu?lang=en").await.status(),
        StatusCode::OK
    );
    let (status, body) = look_up(&english, "not a code", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&body);
    assert_eq!(
        text(&page, "#code-error"),
        i18n::t(Lang::En, "lookup.code_invalid")
    );
    assert_eq!(
        text(&page, "#tax_code-error"),
        i18n::t(Lang::En, "input.required")
    );
    let counted: i64 = sqlx::query_scalar("select count(*) from status_lookups")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(counted, 0);
}
