//! Funding: envelopes and their allocation rounds, the plan decision that approves appraised
//! proposals within the envelope (also under concurrent approvals), rejection of those left
//! out, bad inputs, and the roles that may not act.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{PASSWORD, TestApp, count, html, pdf, text, texts};
use crate::world::World;

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

#[sqlx::test]
async fn a_director_approves_a_plan_within_the_envelope(pool: PgPool) {
    let world = appraised_world(pool, 4).await;
    let app = &world.app;
    let accountant = world.as_user("ketoan").await;
    let (amount0, committed0) = envelope(&app.pool, "local").await;
    let rounds0 = texts(
        &accountant.page("/funding?year=2026").await,
        "table.rounds tbody tr",
    )
    .len();
    let response = round(&accountant, "local", "allocate", "1.000.000.000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = round(&accountant, "local", "allocate", "500.000.000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let amount = amount0 + 1_500 * MILLION;
    assert_eq!(envelope(&app.pool, "local").await, (amount, committed0));
    let overview = accountant.page("/funding?year=2026").await;
    assert_eq!(texts(&overview, "table.rounds tbody tr").len(), rounds0 + 2);

    app.login("giamdoc", PASSWORD).await;
    let page = app.page("/funding/plan?year=2026&source=local").await;
    let candidates = appraised(&app.pool).await;
    assert_eq!(
        texts(&page, "table.plan-lines tbody tr").len(),
        candidates.len()
    );
    let lines: Vec<(i64, String)> = candidates
        .iter()
        .take(2)
        .map(|(id, _, proposed)| (*id, (proposed / 2).to_string()))
        .collect();
    let response = post_plan(app, plan_form(&lines, "1234/QĐ-UBND", &decided())).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().expect("location");
    let decision = app.page(location).await;
    assert!(text(&decision, "h1").contains("1234/QĐ-UBND"));
    assert_eq!(texts(&decision, "table.decision-lines tbody tr").len(), 2);
    assert_eq!(
        attrs_count(&decision, "a[href*='/documents/']"),
        1,
        "the scan is downloadable"
    );

    let total: i64 = candidates.iter().take(2).map(|(_, _, p)| p / 2).sum();
    assert_eq!(
        envelope(&app.pool, "local").await,
        (amount, committed0 + total)
    );
    for (id, amount) in &lines {
        let (state, approved): (String, Option<i64>) =
            sqlx::query_as("select state::text, approved_support from proposals where id = $1")
                .bind(id)
                .fetch_one(&app.pool)
                .await
                .expect("proposal");
        assert_eq!(state, "approved");
        assert_eq!(approved.map(|a| a.to_string()), Some(amount.clone()));
    }
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from proposal_events \
             where action = 'approve' and details->>'decision' = '1234/QĐ-UBND'"
        )
        .await,
        2
    );
    // The submitting office hears of it.
    assert!(
        count(
            &app.pool,
            "select count(*) from notifications where message_key = 'notify.proposal_approved'"
        )
        .await
            >= 2
    );
    // The remaining two are still appraised: a second round may fund them.
    assert_eq!(appraised(&app.pool).await.len(), candidates.len() - 2);
    // The envelope's figures follow the lines.
    // (Of the lines, a stopped proposal's support went back to the envelope.)
    let lines_total = count(
        &app.pool,
        "select (select coalesce(sum(l.approved_support), 0)::bigint from plan_decision_lines l \
                 join plan_decisions d on d.id = l.decision_id \
                 join funding_envelopes e on e.id = d.envelope_id \
                 where e.plan_year = 2026 and e.source_code = 'local') \
              - (select coalesce(sum(s.returned), 0)::bigint from stop_decisions s \
                 join proposals p on p.id = s.proposal_id \
                 join plan_decisions d on d.id = p.plan_decision_id \
                 join funding_envelopes e on e.id = d.envelope_id \
                 where e.plan_year = 2026 and e.source_code = 'local')",
    )
    .await;
    assert_eq!(lines_total, committed0 + total);
    let overview = app.page("/funding?year=2026").await;
    let row = texts(&overview, "table.envelopes tbody tr")
        .into_iter()
        .find(|r| r.contains("địa phương"))
        .expect("local row");
    assert!(
        row.contains(&khuyencong::domain::money::format_vnd(
            amount - committed0 - total
        )),
        "{row}"
    );
}

fn attrs_count(html: &Html, selector: &str) -> usize {
    crate::helpers::attrs(html, selector, "href").len()
}

#[sqlx::test]
async fn those_left_out_are_rejected_with_a_reason_the_submitter_reads(pool: PgPool) {
    let world = appraised_world(pool, 4).await;
    let app = &world.app;
    let accountant = world.as_user("ketoan").await;
    leave_room(&accountant, 5_000 * MILLION).await;
    app.login("giamdoc", PASSWORD).await;
    let candidates = appraised(&app.pool).await;
    let (first, _, proposed) = candidates[0];
    let form = plan_form(&[(first, proposed.to_string())], "88/QĐ-UBND", &decided())
        .text("reject_others", "on")
        .text(
            "reason",
            "Không đủ kinh phí năm nay; đề nghị đăng ký lại năm sau.",
        );
    let response = post_plan(app, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let rejected: Vec<i64> = sqlx::query_scalar(
        "select proposal_id from proposal_events \
         where action = 'not_selected' and details->>'decision' = '88/QĐ-UBND' order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .expect("events");
    let others: Vec<i64> = candidates[1..].iter().map(|c| c.0).collect();
    assert_eq!(rejected, others);
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from proposals where plan_year = 2026 and state = 'appraised' and level = 'local'"
        )
        .await,
        0
    );
    // The local office that submitted one of them reads the reason on its page.
    let office: String = sqlx::query_scalar(
        "select u.username from users u join proposals p on p.office_id = u.organisation_id \
         where p.id = $1 and u.role = 'local_officer' limit 1",
    )
    .bind(others[0])
    .fetch_one(&app.pool)
    .await
    .expect("an officer of the submitting office");
    let officer = world.as_user(&office).await;
    let page = officer.page(&format!("/proposals/{}", others[0])).await;
    assert!(
        page.html().contains("Không đủ kinh phí năm nay"),
        "the reason is on the proposal's page"
    );
}

#[sqlx::test]
async fn two_directors_approving_at_once_never_exceed_the_envelope(pool: PgPool) {
    let world = appraised_world(pool, 2).await;
    let app = &world.app;
    let accountant = world.as_user("ketoan").await;
    let candidates = appraised(&app.pool).await;
    let (a, _, proposed_a) = candidates[0];
    let (b, _, proposed_b) = candidates[1];
    // Room for either plan, not both.
    let room = proposed_a.max(proposed_b) + 1;
    leave_room(&accountant, room).await;
    let (amount0, committed0) = envelope(&app.pool, "local").await;
    // A second director: the Department's leader.
    sqlx::query(
        "insert into users (username, full_name, role, organisation_id, password_hash) \
         select 'giamdoc2', 'Phó Giám đốc', 'director', organisation_id, password_hash \
         from users where username = 'giamdoc'",
    )
    .execute(&app.pool)
    .await
    .expect("second director");
    let first = world.as_user("giamdoc").await;
    let second = world.as_user("giamdoc2").await;
    for _ in 0..3 {
        let (one, two) = tokio::join!(
            post_plan(
                &first,
                plan_form(&[(a, proposed_a.to_string())], "1/QĐ", &decided())
            ),
            post_plan(
                &second,
                plan_form(&[(b, proposed_b.to_string())], "2/QĐ", &decided())
            ),
        );
        let statuses = [one.status(), two.status()];
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::SEE_OTHER)
                .count(),
            1,
            "exactly one plan fits: {statuses:?}"
        );
        let (amount, committed) = envelope(&app.pool, "local").await;
        assert_eq!(amount, amount0);
        assert!(committed <= amount);
        let won = if one.status() == StatusCode::SEE_OTHER {
            proposed_a
        } else {
            proposed_b
        };
        assert_eq!(committed, committed0 + won);
        // Undo, to race again.
        sqlx::query(
            "with d as (delete from plan_decision_lines \
                        where decision_id in (select id from plan_decisions where number in ('1/QĐ', '2/QĐ')) \
                        returning proposal_id) \
             update proposals set state = 'appraised', approved_support = null, plan_decision_id = null \
             where id in (select proposal_id from d)",
        )
        .execute(&app.pool)
        .await
        .expect("undo lines");
        sqlx::query(
            "delete from documents where plan_decision_id in \
             (select id from plan_decisions where number in ('1/QĐ', '2/QĐ'))",
        )
        .execute(&app.pool)
        .await
        .expect("undo scans");
        sqlx::query("delete from plan_decisions where number in ('1/QĐ', '2/QĐ')")
            .execute(&app.pool)
            .await
            .expect("undo decisions");
        sqlx::query("update funding_envelopes set committed = $1 where plan_year = 2026 and source_code = 'local'")
            .bind(committed0)
            .execute(&app.pool)
            .await
            .expect("undo envelope");
    }
}

#[sqlx::test]
async fn bad_plans_come_back_with_the_form_and_nothing_saved(pool: PgPool) {
    let world = appraised_world(pool, 3).await;
    let app = &world.app;
    let candidates = appraised(&app.pool).await;
    let (id, _, proposed) = candidates[0];
    // Room for the first two proposals, not for all of them.
    let room = candidates[0].2 + candidates[1].2;
    let accountant = world.as_user("ketoan").await;
    leave_room(&accountant, room).await;
    let (_, committed0) = envelope(&app.pool, "local").await;
    let decisions0 = count(&app.pool, "select count(*) from plan_decisions").await;
    app.login("giamdoc", PASSWORD).await;
    let nothing_saved = || async {
        assert_eq!(
            count(&app.pool, "select count(*) from plan_decisions").await,
            decisions0
        );
        assert_eq!(envelope(&app.pool, "local").await.1, committed0);
        assert_eq!(
            count(
                &app.pool,
                "select count(*) from documents where plan_decision_id is not null"
            )
            .await,
            0
        );
    };

    // Above what the appraisal proposed.
    let response = post_plan(
        app,
        plan_form(&[(id, (proposed + 1).to_string())], "9/QĐ", &decided()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(response).await;
    assert!(text(&page, &format!("#amount_{id}-error")).contains("đề xuất"));
    assert_eq!(
        crate::helpers::attrs(&page, "input[name='number']", "value"),
        ["9/QĐ"],
        "the form keeps what was typed"
    );
    nothing_saved().await;

    // Dated before the appraisal, and in the future.
    for date in ["2020-01-01", "2100-01-01"] {
        let response = post_plan(app, plan_form(&[(id, proposed.to_string())], "9/QĐ", date)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date}"
        );
        assert!(!text(&html(response).await, "#decided_on-error").is_empty());
    }
    nothing_saved().await;

    // More than the envelope has left (every appraised proposal at its proposed amount).
    let all: Vec<(i64, String)> = candidates
        .iter()
        .map(|(id, _, p)| (*id, p.to_string()))
        .collect();
    let response = post_plan(app, plan_form(&all, "9/QĐ", &decided())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#over-envelope").is_empty());
    nothing_saved().await;

    // Negative, overflowing and NUL amounts; no proposal picked.
    for amount in ["-5", "99999999999999999999999", "1\u{0}0"] {
        let response = post_plan(
            app,
            plan_form(&[(id, amount.to_owned())], "9/QĐ", &decided()),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount:?}"
        );
    }
    let response = post_plan(app, plan_form(&[], "9/QĐ", &decided())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    nothing_saved().await;

    // A scan that lies about its type.
    let form = Form::new()
        .text("year", YEAR.to_string())
        .text("source", "local")
        .text("number", "9/QĐ")
        .text("decided_on", decided())
        .text("signer", "Nguyễn Văn Hùng")
        .text(format!("pick_{id}"), "on")
        .text(format!("amount_{id}"), proposed.to_string())
        .part(
            "file",
            Part::bytes(b"MZ\x90\x00 not a pdf".to_vec())
                .file_name("quyet-dinh.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let response = post_plan(app, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#file-error").is_empty());
    nothing_saved().await;

    // A number already used: the second decision is refused, the first stands.
    let response = post_plan(
        app,
        plan_form(&[(id, proposed.to_string())], "9/QĐ", &decided()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (other, _, other_proposed) = candidates[1];
    let response = post_plan(
        app,
        plan_form(&[(other, other_proposed.to_string())], "9/QĐ", &decided()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(!text(&html(response).await, "#number-error").is_empty());
    assert_eq!(
        count(&app.pool, "select count(*) from plan_decisions").await,
        decisions0 + 1
    );
    assert_eq!(envelope(&app.pool, "local").await.1, committed0 + proposed);
}

#[sqlx::test]
async fn rounds_are_checked_and_kept_as_history(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world
        .proposal(&tax, "Máy sao chè", ProposalState::Approved)
        .await;
    let app = &world.app;
    app.login("ketoan", PASSWORD).await;
    for (direction, amount) in [("allocate", "-5"), ("allocate", ""), ("allocate", "abc")] {
        let response = round_for(app, "2025", "local", direction, amount).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount:?}"
        );
        let page = html(response).await;
        assert!(!text(&page, "#amount-error").is_empty());
    }
    // A cut below zero.
    let response = round_for(app, "2025", "local", "cut", "1").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(response).await, "#amount-error").contains("âm"));
    assert_eq!(envelope_of(&app.pool, 2025, "local").await, (0, 0));
    round_for(app, "2025", "local", "allocate", "300.000.000").await;
    round_for(app, "2025", "local", "cut", "100.000.000").await;
    assert_eq!(
        envelope_of(&app.pool, 2025, "local").await,
        (200 * MILLION, 0)
    );
    // A cut below what is approved (the world's plan).
    let (amount, committed) = envelope(&app.pool, "local").await;
    let response = round(app, "local", "cut", &(amount - committed + 1).to_string()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(response).await, "#amount-error").contains("đã phê duyệt"));
    let page = app.page("/funding?year=2025").await;
    let rounds = texts(&page, "table.rounds tbody tr");
    assert_eq!(rounds.len(), 2);
    assert!(rounds[1].contains("-100.000.000"), "{rounds:?}");
    // An unknown source or year is refused.
    assert_eq!(
        round_for(app, "2025", "nonsense", "allocate", "5")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/funding?year=abc").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test]
async fn roles_that_may_not_fund_cannot(pool: PgPool) {
    let world = appraised_world(pool, 1).await;
    let app = &world.app;
    let candidates = appraised(&app.pool).await;
    let (id, _, proposed) = candidates[0];
    let decisions0 = count(&app.pool, "select count(*) from plan_decisions").await;
    let rounds0 = count(&app.pool, "select count(*) from envelope_rounds").await;
    for user in [
        "canbo",
        "ketoan",
        "thamdinh",
        "so.congthuong",
        "pkt.phubinh",
        "coso",
        "admin",
    ] {
        let as_user = world.as_user(user).await;
        let response = post_plan(
            &as_user,
            plan_form(&[(id, proposed.to_string())], "7/QĐ", &decided()),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user} plans");
        assert_eq!(
            as_user.get("/funding/plan?year=2026").await.status(),
            StatusCode::FORBIDDEN,
            "{user} opens the plan"
        );
    }
    for user in [
        "canbo",
        "thamdinh",
        "so.congthuong",
        "pkt.phubinh",
        "coso",
        "admin",
    ] {
        let as_user = world.as_user(user).await;
        let response = round(&as_user, "local", "allocate", "5").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user} allocates");
    }
    for user in ["thamdinh", "pkt.phubinh", "coso", "admin"] {
        let as_user = world.as_user(user).await;
        assert_eq!(
            as_user.get("/funding").await.status(),
            StatusCode::FORBIDDEN,
            "{user} reads funding"
        );
    }
    // Those who may read, read; nothing was written.
    for user in ["canbo", "ketoan", "so.congthuong", "giamdoc"] {
        let as_user = world.as_user(user).await;
        as_user.page("/funding").await;
    }
    assert_eq!(
        count(&app.pool, "select count(*) from plan_decisions").await,
        decisions0
    );
    assert_eq!(
        count(&app.pool, "select count(*) from envelope_rounds").await,
        rounds0
    );
}

/// The amendment form for decision `id`: new amounts by proposal, with number, date, reason
/// and scan.
fn amend_form(lines: &[(i64, String)], number: &str, reason: &str) -> Form {
    let mut form = Form::new()
        .percent_encode_noop()
        .text("number", number.to_owned())
        .text(
            "decided_on",
            (crate::helpers::today() - time::Duration::days(5)).to_string(),
        )
        .text("signer", "Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh")
        .text("reason", reason.to_owned());
    for (id, amount) in lines {
        form = form.text(format!("amount_{id}"), amount.clone());
    }
    form.part(
        "file",
        Part::bytes(pdf())
            .file_name("dieu-chinh.pdf")
            .mime_str("application/pdf")
            .expect("mime"),
    )
}

async fn post_amend(app: &TestApp, decision: i64, form: Form) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/funding/decisions/{decision}/amend")))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("POST")
}

#[sqlx::test]
async fn an_amendment_is_a_new_decision_and_the_envelope_follows(pool: PgPool) {
    let world = appraised_world(pool, 2).await;
    let tax = world.facility("Cơ sở Mộc Bảo Lý", "4609990012").await;
    world
        .proposal(&tax, "Máy cưa gỗ", ProposalState::Contracted)
        .await;
    let app = &world.app;
    let accountant = world.as_user("ketoan").await;
    let candidates = appraised(&app.pool).await;
    let (a, _, proposed_a) = candidates[0];
    let (b, _, proposed_b) = candidates[1];
    leave_room(&accountant, proposed_a + proposed_b).await;
    app.login("giamdoc", PASSWORD).await;
    let half = |amount: i64| (amount / 2).to_string();
    let response = post_plan(
        app,
        plan_form(
            &[(a, half(proposed_a)), (b, half(proposed_b))],
            "300/QĐ-UBND",
            &decided(),
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let original: i64 =
        sqlx::query_scalar("select id from plan_decisions where number = '300/QĐ-UBND'")
            .fetch_one(&app.pool)
            .await
            .expect("decision");
    let (_, committed0) = envelope(&app.pool, "local").await;

    // Without a reason, and above what was proposed: the form comes back, nothing changes.
    let response = post_amend(
        app,
        original,
        amend_form(&[(a, proposed_a.to_string())], "301/QĐ-UBND", ""),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#reason-error").is_empty());
    let response = post_amend(
        app,
        original,
        amend_form(
            &[(a, (proposed_a + 1).to_string())],
            "301/QĐ-UBND",
            "Bổ sung kinh phí",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, &format!("#amount_{a}-error")).is_empty());
    assert_eq!(envelope(&app.pool, "local").await.1, committed0);

    // Raise one, keep the other.
    let response = post_amend(
        app,
        original,
        amend_form(
            &[(a, proposed_a.to_string()), (b, half(proposed_b))],
            "301/QĐ-UBND",
            "Bổ sung kinh phí sau khi cơ sở hoàn thiện hồ sơ đối ứng.",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let raise = proposed_a - proposed_a / 2;
    assert_eq!(envelope(&app.pool, "local").await.1, committed0 + raise);
    let approved: i64 = sqlx::query_scalar("select approved_support from proposals where id = $1")
        .bind(a)
        .fetch_one(&app.pool)
        .await
        .expect("amount");
    assert_eq!(approved, proposed_a);
    // History: the original keeps its line (marked as amended), the amendment has one line.
    let page = app.page(&format!("/funding/decisions/{original}")).await;
    assert!(page.html().contains("301/QĐ-UBND"));
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from plan_decision_lines l join plan_decisions d on d.id = l.decision_id \
             where d.number = '301/QĐ-UBND'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.pool,
            "select count(*) from proposal_events where action = 'amend_plan'"
        )
        .await,
        1
    );
    // A contracted proposal's decision cannot be changed here.
    let (contracted, decision, amount): (i64, i64, i64) = sqlx::query_as(
        "select id, plan_decision_id, approved_support from proposals where state = 'contracted'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the contracted proposal");
    let response = post_amend(
        app,
        decision,
        amend_form(
            &[(contracted, (amount - 1).to_string())],
            "302/QĐ-UBND",
            "Giảm",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Only a director amends.
    let staff = world.as_user("canbo").await;
    assert_eq!(
        staff
            .get(&format!("/funding/decisions/{original}/amend"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let response = post_amend(
        &staff,
        original,
        amend_form(&[(b, proposed_b.to_string())], "303/QĐ-UBND", "x"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn the_accountant_sees_commitments_by_source_type_and_area(pool: PgPool) {
    let world = World::new(pool).await;
    world.decision_of_two().await;
    let app = world.as_user("ketoan").await;
    let page = app.page("/funding/commitments?year=2026").await;
    let tables = texts(&page, "table.commitments tfoot tr");
    assert_eq!(tables.len(), 3, "by source, by activity type, by area");
    // Each way adds up to the same total: what the decision committed.
    let total = khuyencong::domain::money::format_vnd(300_000_000);
    for row in &tables {
        assert!(row.contains(&total), "{row} should hold {total}");
    }
    let by_area = texts(&page, "table.commitments:last-of-type tbody tr");
    let half = khuyencong::domain::money::format_vnd(150_000_000);
    for area in ["Phú Bình", "Đại Từ"] {
        assert!(
            by_area
                .iter()
                .any(|r| r.contains(area) && r.contains(&half)),
            "{area} in {by_area:?}"
        );
    }
    assert_eq!(
        app.get("/funding/commitments?year=x").await.status(),
        StatusCode::BAD_REQUEST
    );
    let officer = world.as_user("pkt.phubinh").await;
    assert_eq!(
        officer.get("/funding/commitments").await.status(),
        StatusCode::FORBIDDEN
    );
}
