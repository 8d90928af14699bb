//! Record scope: each role sees exactly the records the policy gives it.

use std::collections::BTreeSet;

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, attrs};
use crate::world::{DAI_TU, PHU_BINH, World};

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

/// A world with records on both sides of the offices' border: two Phú Bình facilities, one
/// with an owner `coso` and a submitted proposal, the other with a draft; one Đại Từ
/// facility with a submitted proposal.
async fn two_areas(pool: PgPool) -> World {
    let world = World::new(pool).await;
    let owned = world
        .facility("Hợp tác xã Chè Phúc Xuân", "4609990011")
        .await;
    let other = world.facility("Cơ sở Mộc Bảo Lý", "4609990012").await;
    let far = world
        .facility_in(DAI_TU, "Cơ sở Chè La Bằng", "4609990013")
        .await;
    world.owner("coso", &owned).await;
    world
        .proposal(&owned, "Máy sao chè", ProposalState::Submitted)
        .await;
    world
        .proposal(&other, "Máy cưa gỗ", ProposalState::Draft)
        .await;
    world
        .proposal(&far, "Máy vò chè", ProposalState::Submitted)
        .await;
    world
}

#[sqlx::test]
async fn a_local_officer_lists_only_its_area(pool: PgPool) {
    let world = two_areas(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let own_facilities = facilities_in(&app.pool, PHU_BINH).await;
    assert_eq!(own_facilities.len(), 2);
    assert_eq!(listed_ids(&app, "/facilities").await, own_facilities);
    let own_proposals = proposals_in(&app.pool, PHU_BINH).await;
    assert_eq!(own_proposals.len(), 2);
    assert_eq!(listed_ids(&app, "/proposals").await, own_proposals);
}

#[sqlx::test]
async fn a_local_officer_cannot_open_another_areas_records_by_url(pool: PgPool) {
    let world = two_areas(pool).await;
    let app = world.as_user("pkt.phubinh").await;
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
    let world = two_areas(pool).await;
    let app = world.as_user("coso").await;
    let facility: i64 = sqlx::query_scalar("select facility_id from users where username = 'coso'")
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
    assert_eq!(own.len(), 1);
    assert_eq!(listed_ids(&app, "/proposals").await, own);
    let others = sqlx::query_scalar::<_, i64>(
        "select proposal_id from proposal_facilities where facility_id <> $1",
    )
    .bind(facility)
    .fetch_all(&app.pool)
    .await
    .expect("other proposals");
    assert_eq!(others.len(), 2);
    for other in others {
        assert_eq!(
            app.get(&format!("/proposals/{other}")).await.status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[sqlx::test]
async fn centre_staff_and_the_department_see_the_whole_province(pool: PgPool) {
    let world = two_areas(pool).await;
    let app = &world.app;
    let all_facilities = ids(&app.pool, "select id from facilities").await;
    let all_proposals = ids(&app.pool, "select id from proposals").await;
    assert_eq!((all_facilities.len(), all_proposals.len()), (3, 3));
    for username in ["canbo", "so.congthuong"] {
        let client_app = world.as_user(username).await;
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
