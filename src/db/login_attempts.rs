//! Sign-in attempts, for throttling per account and per address.

use std::net::IpAddr;

use sqlx::PgPool;
use sqlx::types::ipnetwork::IpNetwork;

use crate::error::AppResult;

/// Recent failures that count against a sign-in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentFailures {
    /// Failures for this username since its last success, within the window.
    pub for_username: i64,
    /// Failures from this address within the window.
    pub for_address: i64,
}

/// Counts failures in the last `window_minutes`.
pub async fn recent_failures(
    pool: &PgPool,
    username: &str,
    address: IpAddr,
    window_minutes: i32,
) -> AppResult<RecentFailures> {
    let address = IpNetwork::from(address);
    let row = sqlx::query!(
        r#"
        select
            (select count(*) from login_attempts a
              where a.username = $1 and not a.succeeded
                and a.at > now() - make_interval(mins => $3)
                and a.at > coalesce((select max(s.at) from login_attempts s
                                      where s.username = $1 and s.succeeded), '-infinity')
            ) as "for_username!",
            (select count(*) from login_attempts a
              where a.address = $2 and not a.succeeded
                and a.at > now() - make_interval(mins => $3)
            ) as "for_address!"
        "#,
        username,
        address,
        window_minutes,
    )
    .fetch_one(pool)
    .await?;
    Ok(RecentFailures {
        for_username: row.for_username,
        for_address: row.for_address,
    })
}

/// Records one attempt.
pub async fn record(
    pool: &PgPool,
    username: &str,
    address: IpAddr,
    succeeded: bool,
) -> AppResult<()> {
    sqlx::query!(
        "insert into login_attempts (username, address, succeeded) values ($1, $2, $3)",
        username,
        IpNetwork::from(address),
        succeeded,
    )
    .execute(pool)
    .await?;
    Ok(())
}
