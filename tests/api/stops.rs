//! Stopping the work: the director records the decision; the support not paid goes back to
//! the envelope and what was paid is to recover; the accountant's recoveries go back too.
//! Bad forms come back with their values; roles that may not stop or recover, cannot.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, attrs, committed, html, state_of, text};
use crate::world::World;
use khuyencong::domain::money::format_plain;

#[sqlx::test]
async fn a_stop_gives_back_what_was_not_paid_and_recoveries_the_rest(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, contract, support, office, envelope) = world.running().await;
    let today = crate::helpers::today();

    // An advance of half the support is paid first.
    let advance = support / 2;
    crate::helpers::pay_advance(app, id, contract, &office, advance, "PC-01").await;
    let day = today.to_string();
    let before = committed(&app.pool, envelope).await;

    // Only the director stops; bad forms come back with their values.
    let path = format!("/proposals/{id}/stop");
    let version = crate::helpers::version(&app.pool, id).await;
    let tomorrow = (today + time::Duration::days(1)).to_string();
    let reason = "Cơ sở không bố trí được vốn đối ứng.";
    for user in ["canbo", "ketoan", office.as_str()] {
        let other = app.with_client(app.login_new_client(user, PASSWORD).await);
        let response = other
            .post_form(
                &path,
                &[
                    ("number", "12/QĐ-UBND"),
                    ("decided_on", &day),
                    ("reason", reason),
                    ("version", &version),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user}");
    }
    let director = app.with_client(app.login_new_client("giamdoc", PASSWORD).await);
    for (form, field) in [
        (
            [
                ("number", "12/QĐ-UBND"),
                ("decided_on", tomorrow.as_str()),
                ("reason", reason),
            ],
            "#decided_on-error",
        ),
        (
            [
                ("number", ""),
                ("decided_on", day.as_str()),
                ("reason", reason),
            ],
            "#number-error",
        ),
        (
            [
                ("number", "12/QĐ-UBND"),
                ("decided_on", day.as_str()),
                ("reason", " "),
            ],
            "#reason-error",
        ),
    ] {
        let mut form = form.to_vec();
        form.push(("version", &version));
        let response = director.post_form(&path, &form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form:?}"
        );
        let page = html(response).await;
        assert!(!text(&page, field).is_empty(), "{form:?}");
        assert_eq!(attrs(&page, "input[name='number']", "value"), [form[0].1]);
    }
    assert_eq!(state_of(&app.pool, id).await, "in_progress");
    assert_eq!(committed(&app.pool, envelope).await, before);
    let response = director
        .post_form(
            &path,
            &[
                ("number", "12/QĐ-UBND"),
                ("decided_on", &day),
                ("reason", reason),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await, "stopped");
    assert_eq!(
        committed(&app.pool, envelope).await,
        before - (support - advance)
    );
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let page = accountant.page(&format!("/proposals/{id}/payments")).await;
    assert!(text(&page, "#to-recover").contains(&format_plain(advance)));

    // The accountant recovers the advance: it goes back to the envelope.
    let recover = format!("/proposals/{id}/recoveries");
    let response = accountant
        .post_form(
            &recover,
            &[
                ("recovery_amount", &format_plain(advance + 1)),
                ("recovery_paid_on", &day),
                ("recovery_voucher", "PT-01"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#recovery_amount-error").is_empty());
    assert_eq!(
        director
            .post_form(
                &recover,
                &[
                    ("recovery_amount", "1"),
                    ("recovery_paid_on", &day),
                    ("recovery_voucher", "PT-02")
                ],
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let response = accountant
        .post_form(
            &recover,
            &[
                ("recovery_amount", &format_plain(advance)),
                ("recovery_paid_on", &day),
                ("recovery_voucher", "PT-01"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(committed(&app.pool, envelope).await, before - support);
    let paid: i64 = sqlx::query_scalar("select paid from contracts where id = $1")
        .bind(contract)
        .fetch_one(&app.pool)
        .await
        .expect("paid");
    assert_eq!(paid, 0);
    // The accountant's view adds up to the envelopes still.
    let year: i16 = sqlx::query_scalar("select plan_year from proposals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("year");
    let (lines, envelopes): (i64, i64) = sqlx::query_as(
        "select (select coalesce(sum(case when p.state = 'stopped' then coalesce(k.paid, 0) \
                 else p.approved_support end), 0)::bigint \
                 from proposals p join plan_decisions d on d.id = p.plan_decision_id \
                 join funding_envelopes e on e.id = d.envelope_id \
                 left join contracts k on k.proposal_id = p.id \
                 where e.plan_year = $1), \
                (select sum(committed)::bigint from funding_envelopes where plan_year = $1)",
    )
    .bind(year)
    .fetch_one(&app.pool)
    .await
    .expect("sums");
    assert_eq!(lines, envelopes);
}
