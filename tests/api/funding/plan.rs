//! The plan decision: approving within the envelope, rejecting those left out, two directors
//! at once, and bad plans coming back with their form.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;
use sqlx::PgPool;

use super::{
    MILLION, YEAR, appraised, appraised_world, decided, envelope, leave_room, plan_form, post_plan,
    round,
};
use crate::helpers::{PASSWORD, count, html, text, texts};

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
