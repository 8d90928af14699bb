//! Funding: envelopes and their allocation rounds, the plan decision that approves appraised
//! proposals within the envelope (also under concurrent approvals), rejection of those left
//! out, bad inputs, and the roles that may not act.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{TestApp, pdf};
use crate::world::World;

mod plan;
mod rounds;

const MILLION: i64 = 1_000_000;

/// The plan year of a world's proposals.
const YEAR: i16 = 2026;

/// A day after a world's appraisals and before today, for a plan decision.
fn decided() -> String {
    (crate::helpers::today() - time::Duration::days(10)).to_string()
}

/// A world with `n` appraised local proposals of [`YEAR`] for Phú Bình facilities (the
/// owner `coso` has the first facility) and none approved yet.
async fn appraised_world(pool: PgPool, n: usize) -> World {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world.owner("coso", &tax).await;
    for number in 1..=n {
        let tax = if number % 2 == 0 {
            world
                .facility(
                    &format!("Cơ sở Chè số {number}"),
                    &format!("46099901{number:02}"),
                )
                .await
        } else {
            tax.clone()
        };
        let title = format!("Máy sao chè, đề án số {number}");
        world.proposal(&tax, &title, ProposalState::Appraised).await;
    }
    world
}

/// The appraised local proposals of [`YEAR`] with what bounds their approval: id,
/// requested, proposed.
async fn appraised(pool: &PgPool) -> Vec<(i64, i64, i64)> {
    appraised_in(pool, YEAR).await
}

/// The appraised local proposals of `year`, as [`appraised`].
pub(crate) async fn appraised_in(pool: &PgPool, year: i16) -> Vec<(i64, i64, i64)> {
    sqlx::query_as(
        "select p.id, p.requested_support, r.proposed_support from proposals p \
         join appraisal_records r on r.proposal_id = p.id and r.status = 'final' \
         where p.state = 'appraised' and p.level = 'local' and p.plan_year = $1 order by p.id",
    )
    .bind(year)
    .fetch_all(pool)
    .await
    .expect("appraised proposals")
}

async fn envelope(pool: &PgPool, source: &str) -> (i64, i64) {
    envelope_of(pool, YEAR, source).await
}

pub(crate) async fn envelope_of(pool: &PgPool, year: i16, source: &str) -> (i64, i64) {
    sqlx::query_as(
        "select amount, committed from funding_envelopes \
         where plan_year = $1 and source_code = $2",
    )
    .bind(year)
    .bind(source)
    .fetch_optional(pool)
    .await
    .expect("envelope")
    .unwrap_or((0, 0))
}

/// Records a round for [`YEAR`] as the signed-in user of `app`.
async fn round(app: &TestApp, source: &str, direction: &str, amount: &str) -> reqwest::Response {
    round_for(app, &YEAR.to_string(), source, direction, amount).await
}

/// Records a round for `year` as the signed-in user of `app`.
async fn round_for(
    app: &TestApp,
    year: &str,
    source: &str,
    direction: &str,
    amount: &str,
) -> reqwest::Response {
    app.post_form(
        "/funding/rounds",
        &[
            ("year", year),
            ("source", source),
            ("direction", direction),
            ("amount", amount),
            ("decided_on", "2026-02-20"),
            ("reference", "Quyết định 345/QĐ-UBND"),
            ("note", "Giao dự toán đầu năm"),
        ],
    )
    .await
}

/// The plan form for [`YEAR`]'s local funds: `lines` of (proposal, amount), a decision number,
/// date and scan.
fn plan_form(lines: &[(i64, String)], number: &str, decided_on: &str) -> Form {
    let mut form = Form::new()
        .percent_encode_noop()
        .text("year", YEAR.to_string())
        .text("source", "local")
        .text("number", number.to_owned())
        .text("decided_on", decided_on.to_owned())
        .text("signer", "Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh");
    for (id, amount) in lines {
        form = form
            .text(format!("pick_{id}"), "on")
            .text(format!("amount_{id}"), amount.clone());
    }
    form.part(
        "file",
        Part::bytes(pdf())
            .file_name("quyet-dinh.pdf")
            .mime_str("application/pdf")
            .expect("mime"),
    )
}

async fn post_plan(app: &TestApp, form: Form) -> reqwest::Response {
    app.client
        .post(app.url("/funding/plan"))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("POST")
}

/// Cuts [`YEAR`]'s local envelope to what is approved, then allocates `room`: what is left is
/// exactly `room`.
async fn leave_room(accountant: &TestApp, room: i64) {
    let (amount, committed) = envelope(&accountant.pool, "local").await;
    if amount > committed {
        let response = round(
            accountant,
            "local",
            "cut",
            &(amount - committed).to_string(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let response = round(accountant, "local", "allocate", &room.to_string()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (amount, committed) = envelope(&accountant.pool, "local").await;
    assert_eq!(amount - committed, room);
}
