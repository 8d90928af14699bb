//! The daily job: reminders of progress reports missing, contract deadlines, visits
//! tomorrow and evaluations due, sent once a day even when several processes run the job at
//! the same moment, and each reminder once.

use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, count_for, texts};
use khuyencong::jobs::run_daily;

/// How many notices of `key` were sent.
async fn notices(pool: &PgPool, key: &str) -> i64 {
    count_for(
        pool,
        "select count(*) from notifications where message_key = $1",
        key,
    )
    .await
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(khuyencong::domain::format::VIETNAM)
        .date()
}

#[sqlx::test]
async fn the_daily_job_runs_once_a_day_and_reminds_once(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    // A contract ends in a week; a visit is planned for tomorrow.
    let (proposal, office): (i64, String) = sqlx::query_as(
        "update contracts c set deadline = $1 from proposals p \
         join users u on u.organisation_id = p.office_id and u.role = 'local_officer' \
         where p.id = c.proposal_id and p.id = (select id from proposals \
               where state = 'in_progress' and level = 'local' order by id limit 1) \
         returning p.id, u.username",
    )
    .bind(today() + time::Duration::days(7))
    .fetch_one(&app.pool)
    .await
    .expect("a contract");
    let visit: i64 = sqlx::query_scalar(
        "update appraisal_visits set visit_date = $1 where id = \
         (select v.id from appraisal_visits v join visit_members m on m.visit_id = v.id \
          where v.state = 'planned' and m.user_id is not null order by v.id limit 1) returning id",
    )
    .bind(today() + time::Duration::days(1))
    .fetch_one(&app.pool)
    .await
    .expect("a visit");

    // Two processes at once: one runs the day.
    let (a, b) = tokio::join!(run_daily(&app.pool, today()), run_daily(&app.pool, today()));
    let runs: Vec<u64> = [a.expect("run"), b.expect("run")]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(runs.len(), 1, "one of the two ran the day");
    assert!(runs[0] > 0);
    let overdue = notices(&app.pool, "notify.progress_overdue").await;
    assert!(
        overdue > 0,
        "the demo's proposals started in 2024 have no report"
    );
    assert!(notices(&app.pool, "notify.contract_deadline").await >= 1);
    let members: i64 = sqlx::query_scalar(
        "select count(*) from visit_members m join users u on u.id = m.user_id \
         where m.visit_id = $1 and u.active",
    )
    .bind(visit)
    .fetch_one(&app.pool)
    .await
    .expect("members");
    assert_eq!(notices(&app.pool, "notify.visit_tomorrow").await, members);
    assert_eq!(run_daily(&app.pool, today()).await.expect("again"), None);

    // The next day's run does not repeat what was said.
    let next = run_daily(&app.pool, today() + time::Duration::days(1))
        .await
        .expect("next day");
    assert!(next.is_some());
    assert_eq!(notices(&app.pool, "notify.progress_overdue").await, overdue);
    assert_eq!(notices(&app.pool, "notify.visit_tomorrow").await, members);

    // The office reads them in its list.
    app.login(&office, PASSWORD).await;
    let list = app.page("/notifications").await;
    let items = texts(&list, "ul.notifications li");
    assert!(
        items.iter().any(|i| i.contains("hết hạn ngày")),
        "{items:?}"
    );
    // Opening the reminder leads to the contract.
    let opens = crate::helpers::attrs(&list, "ul.notifications li form", "action");
    let position = items
        .iter()
        .position(|i| i.contains("hết hạn ngày"))
        .expect("the reminder");
    let response = app.post_form(&opens[position], &[]).await;
    assert_eq!(
        response.headers()["location"],
        format!("/proposals/{proposal}/contract").as_str()
    );
}

#[sqlx::test]
async fn the_evaluations_due_are_reminded_once(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    // A completed proposal's latest follow-up is taken back: it is due again.
    let (proposal, months): (i64, i16) = sqlx::query_as(
        "delete from evaluations where id = (select e.id from evaluations e \
         join proposals p on p.id = e.proposal_id where p.state = 'completed' \
         order by e.months_after desc, e.id limit 1) returning proposal_id, months_after",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a follow-up");
    let settled_waiting: i64 = sqlx::query_scalar(
        "select count(*) from settlements s where not exists \
         (select 1 from evaluations e where e.proposal_id = s.proposal_id and e.months_after = 0)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("waiting");
    run_daily(&app.pool, today()).await.expect("run");
    let told: Vec<String> = sqlx::query_scalar(
        "select u.username from notifications n join users u on u.id = n.user_id \
         where n.message_key = 'notify.evaluation_due' and n.link = $1",
    )
    .bind(format!("/proposals/{proposal}/evaluation"))
    .fetch_all(&app.pool)
    .await
    .expect("told");
    assert!(
        told.iter().any(|u| u == "canbo"),
        "{told:?} ({months} months)"
    );
    let first = notices(&app.pool, "notify.evaluation_due").await;
    // At least the Centre's officer, for that proposal and every settled one waiting.
    assert!(first > settled_waiting);
    // Said once.
    run_daily(&app.pool, today() + time::Duration::days(1))
        .await
        .expect("next day");
    assert_eq!(notices(&app.pool, "notify.evaluation_due").await, first);
    app.login("canbo", PASSWORD).await;
    let list = app.page("/notifications").await;
    assert!(
        texts(&list, "main li")
            .iter()
            .any(|t| t.contains("Đến hạn đánh giá hiệu quả")),
        "the message reads in Vietnamese"
    );
}
