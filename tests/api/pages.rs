//! The page shell: languages, home pages per role, navigation.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, attrs, text, texts};
use crate::world::World;

#[sqlx::test]
async fn english_is_one_click_away_and_remembered(pool: PgPool) {
    let app = World::new(pool).await.app;
    let page = app.page("/login").await;
    assert_eq!(attrs(&page, "html", "lang"), ["vi"]);
    assert_eq!(attrs(&page, ".langs a", "href"), ["/login?lang=en"]);
    let page = app.page("/login?lang=en").await;
    assert_eq!(text(&page, "h1"), "Sign in");
    let page = app.page("/login").await;
    assert_eq!(text(&page, "h1"), "Sign in", "remembered");
    app.login("canbo", PASSWORD).await;
    let page = app.page("/").await;
    assert_eq!(attrs(&page, "html", "lang"), ["en"]);
    assert!(text(&page, "h1").starts_with("Hello"));
    let page = app.page("/?lang=vi").await;
    assert!(text(&page, "h1").starts_with("Xin chào"));
}

#[sqlx::test]
async fn each_role_sees_what_waits_for_it(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    for state in [
        ProposalState::Draft,
        ProposalState::Submitted,
        ProposalState::AppraisalScheduled,
        ProposalState::Appraised,
        ProposalState::Contracted,
    ] {
        world
            .proposal(&tax, &format!("Đề án {state:?}"), state)
            .await;
    }
    let app = &world.app;
    for (username, tile) in [
        ("canbo", "Đã gửi, chờ kiểm tra"),
        ("thamdinh", "Đã lên lịch thẩm định"),
        ("giamdoc", "Đã thẩm định"),
        ("ketoan", "Đã ký hợp đồng"),
        ("pkt.phubinh", "Dự thảo"),
    ] {
        let user = app.with_client(app.login_new_client(username, PASSWORD).await);
        let page = user.page("/").await;
        let tiles = texts(&page, ".tile");
        assert!(
            tiles.iter().any(|t| t.contains(tile)),
            "{username}: {tiles:?}"
        );
        let active = texts(&page, ".tile-active");
        assert!(!active.is_empty(), "{username} has something waiting");
    }
}

#[sqlx::test]
async fn the_facility_owner_reads_plain_words(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Phúc Xuân", "4609990011")
        .await;
    world.owner("coso", &tax).await;
    world
        .proposal(&tax, "Máy sao chè", ProposalState::Returned)
        .await;
    let app = world.as_user("coso").await;
    let page = app.page("/").await;
    let explanations = texts(&page, ".state-plain");
    assert!(
        explanations.iter().any(|t| t.contains("cần bổ sung")),
        "a returned proposal is explained: {explanations:?}"
    );
}

#[sqlx::test]
async fn navigation_follows_the_role(pool: PgPool) {
    let app = World::new(pool).await.app;
    let admin = app.with_client(app.login_new_client("admin", PASSWORD).await);
    let links = attrs(&admin.page("/").await, ".mainnav a", "href");
    assert!(
        links.contains(&"/admin/users".to_owned()) && !links.contains(&"/proposals".to_owned())
    );
    let officer = app.with_client(app.login_new_client("pkt.daitu", PASSWORD).await);
    let links = attrs(&officer.page("/").await, ".mainnav a", "href");
    assert!(
        links.contains(&"/proposals".to_owned()) && !links.contains(&"/admin/users".to_owned())
    );
}

#[sqlx::test]
async fn a_proposal_page_shows_its_timeline(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let id = world
        .proposal(&tax, "Máy sao chè", ProposalState::InProgress)
        .await;
    let app = world.as_user("canbo").await;
    let response = app.get(&format!("/proposals/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(
        texts(&page, ".timeline li").len() >= 5,
        "the whole life is listed"
    );
    assert!(text(&page, ".facts").contains("₫"));
}
