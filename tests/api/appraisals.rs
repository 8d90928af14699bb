//! On-site appraisal: planning visits, declarations, scoring, photos, finalising, corrections,
//! visibility by role, the ranking and re-appraisal, post-checks and notifications. This file
//! holds what the tests beside it share: a world with a queue, planning a visit, declaring,
//! saving and finalising a record.

use reqwest::StatusCode;
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{PASSWORD, TestApp, user_id};
use crate::world::World;

mod ranking;
mod records;
mod visits;

/// A world of its own whose Phú Bình office has `n` proposals of one facility (its tax code
/// is answered) accepted and waiting for a visit, in id order.
async fn world_with_queue(pool: PgPool, n: usize) -> (World, String, Vec<i64>) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let mut queue = Vec::with_capacity(n);
    for number in 1..=n {
        let title = format!("Máy sao chè, đề án số {number}");
        queue.push(world.proposal(&tax, &title, ProposalState::Accepted).await);
    }
    (world, tax, queue)
}

/// The day visits are planned for: a week from today.
fn visit_day() -> String {
    (crate::helpers::today() + time::Duration::days(7)).to_string()
}

/// Plans a visit as the signed-in Centre officer of `app`; returns its id.
async fn plan_visit(
    app: &TestApp,
    proposals: &[i64],
    leader: &str,
    members: &[&str],
    externals: &str,
) -> i64 {
    let leader = user_id(&app.pool, leader).await.to_string();
    let mut member_ids = Vec::new();
    for m in members {
        member_ids.push(user_id(&app.pool, m).await.to_string());
    }
    let ids: Vec<String> = proposals.iter().map(i64::to_string).collect();
    let day = visit_day();
    let mut form: Vec<(&str, &str)> = vec![
        ("title", "Thẩm định đề án tại huyện Phú Bình"),
        ("visit_date", &day),
        ("notes", "Xuất phát 7 giờ 30"),
        ("leader_id", &leader),
        ("externals", externals),
    ];
    form.extend(member_ids.iter().map(|m| ("member_ids", m.as_str())));
    form.extend(ids.iter().map(|p| ("proposal_ids", p.as_str())));
    let response = app.post_form("/appraisals/visits/new", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "visit planned");
    sqlx::query_scalar("select max(id) from appraisal_visits")
        .fetch_one(&app.pool)
        .await
        .expect("visit id")
}

async fn record_of(pool: &PgPool, visit: i64, proposal: i64) -> i64 {
    sqlx::query_scalar(
        "select id from appraisal_records where visit_id = $1 and proposal_id = $2 order by revision desc limit 1",
    )
    .bind(visit)
    .bind(proposal)
    .fetch_one(pool)
    .await
    .expect("record")
}

async fn declare(
    app: &TestApp,
    visit: i64,
    proposal: i64,
    conflict: bool,
    member: Option<i64>,
) -> reqwest::Response {
    let proposal = proposal.to_string();
    let member = member.map(|m| m.to_string()).unwrap_or_default();
    let answer = if conflict { "yes" } else { "no" };
    let note = if conflict {
        "Con rể của chủ cơ sở"
    } else {
        ""
    };
    app.post_form(
        &format!("/appraisals/visits/{visit}/declare"),
        &[
            ("proposal_id", &proposal),
            ("conflict", answer),
            ("note", note),
            ("member_id", &member),
        ],
    )
    .await
}

async fn external_member(pool: &PgPool, visit: i64) -> i64 {
    sqlx::query_scalar("select id from visit_members where visit_id = $1 and user_id is null")
        .bind(visit)
        .fetch_one(pool)
        .await
        .expect("external member")
}

/// Criteria of a record with their maximum, in order.
async fn criteria(pool: &PgPool, record: i64) -> Vec<(i64, i16)> {
    sqlx::query_as(
        "select s.criterion_id, c.max_points from appraisal_scores s join appraisal_criteria c on c.id = s.criterion_id
         where s.record_id = $1 order by c.position",
    )
    .bind(record)
    .fetch_all(pool)
    .await
    .expect("criteria")
}

async fn version_of(pool: &PgPool, record: i64) -> i32 {
    sqlx::query_scalar("select version from appraisal_records where id = $1")
        .bind(record)
        .fetch_one(pool)
        .await
        .expect("version")
}

/// A complete draft: points per criterion (`None`: not applicable), facts and the result.
async fn save_record(
    app: &TestApp,
    record: i64,
    points: &[Option<&str>],
    proposed: &str,
) -> reqwest::Response {
    let version = version_of(&app.pool, record).await.to_string();
    let sheet = criteria(&app.pool, record).await;
    let mut form: Vec<(String, String)> = vec![
        ("version".into(), version),
        (
            "premises".into(),
            "Nhà xưởng 250 m², mái tôn, nền bê tông".into(),
        ),
        (
            "machinery".into(),
            "Máy sao chè cũ, công suất 50 kg/mẻ".into(),
        ),
        (
            "legal_papers".into(),
            "Đã đối chiếu giấy đăng ký hộ kinh doanh".into(),
        ),
        (
            "counterpart_capacity".into(),
            "Có sổ tiết kiệm 300 triệu đồng".into(),
        ),
        ("proposed_support".into(), proposed.into()),
        ("recommendation".into(), "approve".into()),
        ("conditions".into(), String::new()),
    ];
    for ((id, _), value) in sheet.iter().zip(points) {
        match value {
            Some(p) => form.push((format!("points_{id}"), (*p).into())),
            None => form.push((format!("na_{id}"), "on".into())),
        }
        form.push((format!("finding_{id}"), format!("Nhận xét tiêu chí {id}")));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(&format!("/appraisals/{record}"), &pairs)
        .await
}

async fn requested(pool: &PgPool, proposal: i64) -> i64 {
    sqlx::query_scalar("select requested_support from proposals where id = $1")
        .bind(proposal)
        .fetch_one(pool)
        .await
        .expect("requested")
}

/// Points within each criterion's maximum (20, 30, 25, 10, 15) adding up to 75.
const SEVENTY_FIVE: [Option<&str>; 5] = [Some("15"), Some("24"), Some("18"), Some("6"), Some("12")];

/// The Centre (signed in on `app`) sends `thamdinh` alone to `proposal`, and the leader
/// declares no conflict: the visit, the record, and the leader signed in.
async fn declared_visit(app: &TestApp, proposal: i64) -> (i64, i64, TestApp) {
    let visit = plan_visit(app, &[proposal], "thamdinh", &[], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    (visit, record, leader)
}

/// `who` asks to finalise `record` at the version it has now.
async fn finalise(who: &TestApp, record: i64) -> reqwest::Response {
    let version = version_of(&who.pool, record).await.to_string();
    let path = format!("/appraisals/{record}/finalise");
    who.post_form(&path, &[("version", &version)]).await
}

/// Finalises the record of `proposal` on a new visit led by `thamdinh` alone.
async fn appraise(app: &TestApp, proposal: i64) -> (i64, i64, TestApp) {
    let (visit, record, leader) = declared_visit(app, proposal).await;
    let proposed = (requested(&app.pool, proposal).await / 2).to_string();
    let response = save_record(&leader, record, &SEVENTY_FIVE, &proposed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = finalise(&leader, record).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (visit, record, leader)
}
