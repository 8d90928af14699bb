//! The daily job: reminders of progress reports missing, contract deadlines, visits
//! tomorrow and evaluations due, sent once a day even when several processes run the job at
//! the same moment, and each reminder once.

use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;
use khuyencong::jobs::run_daily;

use crate::helpers::{count_for, texts};
use crate::world::World;

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
    let world = World::new(pool).await;
    // Work started last month with no report; its contract ends in a week (the Centre
    // signed it so). A visit is planned for tomorrow.
    let (proposal, contract, _, office, _) = world.running().await;
    sqlx::query("update contracts set deadline = $1 where id = $2")
        .bind(today() + time::Duration::days(7))
        .bind(contract)
        .execute(&world.app.pool)
        .await
        .expect("the deadline");
    let tax = world.facility("Hợp tác xã Chè La Bằng", "4609990601").await;
    let accepted = world
        .proposal(&tax, "Máy sấy chè", ProposalState::Accepted)
        .await;
    let record = world
        .visit(accepted, today() + time::Duration::days(1))
        .await;
    let visit: i64 = sqlx::query_scalar("select visit_id from appraisal_records where id = $1")
        .bind(record)
        .fetch_one(&world.app.pool)
        .await
        .expect("the visit");
    let app = &world.app;

    // Two processes at once: one runs the day.
    let (a, b) = tokio::join!(run_daily(&app.pool, today()), run_daily(&app.pool, today()));
    let runs: Vec<u64> = [a.expect("run"), b.expect("run")]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(runs.len(), 1, "one of the two ran the day");
    assert!(runs[0] > 0);
    // The office is told of the missing report (the facility has no account).
    let overdue = notices(&app.pool, "notify.progress_overdue").await;
    assert_eq!(overdue, 1);
    assert_eq!(notices(&app.pool, "notify.contract_deadline").await, 1);
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
    let app = world.as_user(&office).await;
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
    let world = World::new(pool).await;
    // Settled today with its effects not yet recorded: due. Completed with them: not.
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let settled = world
        .proposal(&tax, "Máy sao chè tự động", ProposalState::Settled)
        .await;
    world
        .proposal(&tax, "Máy vò chè", ProposalState::Completed)
        .await;
    let app = &world.app;
    run_daily(&app.pool, today()).await.expect("run");
    let told: Vec<String> = sqlx::query_scalar(
        "select u.username from notifications n join users u on u.id = n.user_id \
         where n.message_key = 'notify.evaluation_due' order by u.username, n.link",
    )
    .fetch_all(&app.pool)
    .await
    .expect("told");
    // The Centre's officer and the proposal's office, of the settled one only.
    assert_eq!(told, ["canbo", "pkt.phubinh"]);
    let links: Vec<String> = sqlx::query_scalar(
        "select distinct link from notifications where message_key = 'notify.evaluation_due'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("links");
    assert_eq!(links, [format!("/proposals/{settled}/evaluation")]);
    // Said once.
    run_daily(&app.pool, today() + time::Duration::days(1))
        .await
        .expect("next day");
    assert_eq!(notices(&app.pool, "notify.evaluation_due").await, 2);
    let app = world.as_user("canbo").await;
    let list = app.page("/notifications").await;
    assert!(
        texts(&list, "main li")
            .iter()
            .any(|t| t.contains("Đến hạn đánh giá hiệu quả")),
        "the message reads in Vietnamese"
    );
}
