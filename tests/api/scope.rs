//! Record scope: each role sees exactly the records the policy gives it.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, attrs};
use crate::world::World;

/// Ids linked from a list page (`/facilities/{id}` or `/proposals/{id}`), all pages.
async fn listed_ids(app: &TestApp, list: &str) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    for page in 1..=20 {
        let html = app.page(&format!("{list}?page={page}")).await;
        let found: Vec<i64> = attrs(&html, &format!("main table a[href^='{list}/']"), "href")
            .iter()
            .filter_map(|href| href.rsplit('/').next()?.parse().ok())
            .collect();
        if found.is_empty() {
            break;
        }
        ids.extend(found);
    }
    ids
}

async fn ids(pool: &PgPool, sql: &str) -> BTreeSet<i64> {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_all(pool)
        .await
        .expect("query")
        .into_iter()
        .collect()
}

const FACILITIES_IN_DISTRICT: &str = "select f.id from facilities f join admin_units c on c.id = f.unit_id \
     join admin_units d on d.id = c.parent_id where d.level = 'district' and d.code = $1";

async fn facilities_in(pool: &PgPool, district_code: &str) -> BTreeSet<i64> {
    sqlx::query_scalar::<_, i64>(FACILITIES_IN_DISTRICT)
        .bind(district_code)
        .fetch_all(pool)
        .await
        .expect("query")
        .into_iter()
        .collect()
}

async fn proposals_in(pool: &PgPool, district_code: &str) -> BTreeSet<i64> {
    sqlx::query_scalar::<_, i64>(
        "select p.id from proposals p join admin_units c on c.id = p.unit_id \
         join admin_units d on d.id = c.parent_id where d.level = 'district' and d.code = $1",
    )
    .bind(district_code)
    .fetch_all(pool)
    .await
    .expect("query")
    .into_iter()
    .collect()
}

const PHU_BINH: &str = "173";
const DAI_TU: &str = "171";

#[sqlx::test]
async fn a_local_officer_lists_only_its_area(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    app.login("pkt.phubinh", PASSWORD).await;
    let own_facilities = facilities_in(&app.pool, PHU_BINH).await;
    assert!(
        !own_facilities.is_empty(),
        "the demo data has facilities in Phú Bình"
    );
    assert_eq!(listed_ids(&app, "/facilities").await, own_facilities);
    let own_proposals = proposals_in(&app.pool, PHU_BINH).await;
    assert!(!own_proposals.is_empty());
    assert_eq!(listed_ids(&app, "/proposals").await, own_proposals);
}

#[sqlx::test]
async fn a_local_officer_cannot_open_another_areas_records_by_url(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    app.login("pkt.phubinh", PASSWORD).await;
    let foreign_facility = *facilities_in(&app.pool, DAI_TU)
        .await
        .first()
        .expect("a Đại Từ facility");
    let foreign_proposal = *proposals_in(&app.pool, DAI_TU)
        .await
        .first()
        .expect("a Đại Từ proposal");
    assert_eq!(
        app.get(&format!("/facilities/{foreign_facility}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/proposals/{foreign_proposal}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let own = *facilities_in(&app.pool, PHU_BINH)
        .await
        .first()
        .expect("own facility");
    assert_eq!(
        app.get(&format!("/facilities/{own}")).await.status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_facility_owner_sees_only_its_facility_and_its_proposals(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    app.login("coso.phucxuan", PASSWORD).await;
    let facility: i64 =
        sqlx::query_scalar("select facility_id from users where username = 'coso.phucxuan'")
            .fetch_one(&app.pool)
            .await
            .expect("owner");
    assert_eq!(
        listed_ids(&app, "/facilities").await,
        BTreeSet::from([facility])
    );
    let own = sqlx::query_scalar::<_, i64>(
        "select proposal_id from proposal_facilities where facility_id = $1",
    )
    .bind(facility)
    .fetch_all(&app.pool)
    .await
    .expect("query")
    .into_iter()
    .collect::<BTreeSet<_>>();
    assert!(!own.is_empty());
    assert_eq!(listed_ids(&app, "/proposals").await, own);
    let other: i64 = sqlx::query_scalar(
        "select proposal_id from proposal_facilities where facility_id <> $1 order by proposal_id limit 1",
    )
    .bind(facility)
    .fetch_one(&app.pool)
    .await
    .expect("another proposal");
    assert_eq!(
        app.get(&format!("/proposals/{other}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn centre_staff_and_the_department_see_the_whole_province(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let all_facilities = ids(&app.pool, "select id from facilities").await;
    let all_proposals = ids(&app.pool, "select id from proposals").await;
    for username in ["canbo", "so.congthuong"] {
        let client_app = app.with_client(app.login_new_client(username, PASSWORD).await);
        assert_eq!(
            listed_ids(&client_app, "/facilities").await,
            all_facilities,
            "{username}"
        );
        assert_eq!(
            listed_ids(&client_app, "/proposals").await,
            all_proposals,
            "{username}"
        );
    }
}

#[sqlx::test]
async fn the_administrator_manages_accounts_not_proposals(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    assert_eq!(app.get("/proposals").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/facilities").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/admin/users").await.status(), StatusCode::OK);
}
