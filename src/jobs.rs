//! The daily job: reminders of what is due or overdue — progress reports missing for the
//! month due, contract deadlines within two weeks, visits tomorrow, evaluations of effects
//! due (at settlement and at the follow-ups). A day's run
//! claims its row in `daily_runs` in the transaction that writes the reminders, so it runs
//! once even with several server processes; each reminder is recorded in `reminders_sent`,
//! so it is sent once whichever day's run finds it.

use std::time::Duration;

use sqlx::PgPool;
use time::{Date, OffsetDateTime};

use crate::db;
use crate::domain::format::VIETNAM;
use crate::error::AppResult;

/// How far ahead a contract's deadline is announced.
const DEADLINE_NOTICE: time::Duration = time::Duration::days(14);
/// How often a server process looks whether the day's run is done.
const CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

/// Runs the job of `today` unless it ran: the number of notifications written, or `None`.
pub async fn run_daily(pool: &PgPool, today: Date) -> AppResult<Option<u64>> {
    let mut tx = pool.begin().await?;
    if !db::daily::claim(&mut tx, today).await? {
        return Ok(None);
    }
    let mut written = 0;
    for province in db::daily::provinces_in_progress(&mut tx).await? {
        let rule = db::progress::rule(&mut *tx, &province, today).await?;
        // The month due now, whatever the start; the statement keeps the proposals started
        // before its due day.
        let Some(month) = rule.month_due(today, Date::MIN) else {
            continue;
        };
        let label = crate::domain::format::month(month);
        written +=
            db::daily::remind_progress(&mut tx, &province, month, rule.late_from(month), &label)
                .await?;
    }
    written += db::daily::remind_deadlines(&mut tx, today, today + DEADLINE_NOTICE).await?;
    if let Some(tomorrow) = today.next_day() {
        written += db::daily::remind_visits(&mut tx, tomorrow).await?;
    }
    let stages = crate::domain::evaluation::STAGES.map(i16::from);
    written += db::daily::remind_evaluations(&mut tx, today, &stages).await?;
    db::daily::finish(&mut tx, today, i64::try_from(written).unwrap_or(i64::MAX)).await?;
    tx.commit().await?;
    Ok(Some(written))
}

/// Today in Vietnam.
fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(VIETNAM).date()
}

/// Looks every quarter of an hour whether today's run is done, and runs it if not.
pub fn spawn(pool: PgPool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECK_EVERY);
        loop {
            every.tick().await;
            match run_daily(&pool, today()).await {
                Ok(Some(reminders)) => tracing::info!(reminders, "daily reminders sent"),
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "daily reminders failed; retried later"),
            }
        }
    });
}
