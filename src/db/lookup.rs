//! The public status lookup (`/tra-cuu`): a proposal found by its code and a beneficiary's
//! tax code, and the lookups themselves, counted for throttling per address and per code.

use std::net::IpAddr;

use sqlx::PgPool;
use sqlx::types::ipnetwork::IpNetwork;
use time::OffsetDateTime;

use crate::domain::proposal::ProposalState;
use crate::error::AppResult;

/// What the public may read of a proposal: nothing beyond these.
#[derive(Clone, Debug)]
pub struct PublicStatus {
    /// The proposal's title.
    pub title: String,
    /// Its code, as stored.
    pub code: String,
    /// Where it stands.
    pub state: ProposalState,
    /// When it reached that state (its last step).
    pub last_step_at: OffsetDateTime,
}

/// The submitted proposal with `code` (as stored) that has the facility with `tax_code`
/// among its beneficiaries. Drafts are never found. A code with another facility's tax
/// code is not found either, exactly like an unknown code.
pub async fn find_status(
    pool: &PgPool,
    code: &str,
    tax_code: &str,
) -> AppResult<Option<PublicStatus>> {
    // From the facility (unique tax code) through its proposals: the indexes of both
    // joins answer, whatever the province.
    let status = sqlx::query_as!(
        PublicStatus,
        r#"
        select p.title, p.code as "code!", p.state as "state: ProposalState",
               coalesce(
                   (select max(e.at) from proposal_events e
                     where e.proposal_id = p.id and e.from_state is distinct from e.to_state),
                   p.updated_at
               ) as "last_step_at!"
        from facilities f
        join proposal_facilities pf on pf.facility_id = f.id
        join proposals p on p.id = pf.proposal_id
        where f.tax_code = $2 and p.code = $1 and p.state <> 'draft'
        order by p.id desc
        limit 1
        "#,
        code,
        tax_code,
    )
    .fetch_optional(pool)
    .await?;
    Ok(status)
}

/// Recent lookups that count against a new one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentLookups {
    /// Failures from this address within the address window.
    pub failures_from_address: i64,
    /// Failures for this code, from any address, within the code window.
    pub failures_for_code: i64,
    /// Successes from this address within the success window.
    pub successes_from_address: i64,
}

/// The windows, in minutes, over which [`recent`] counts.
#[derive(Clone, Copy, Debug)]
pub struct Windows {
    /// For failures from one address.
    pub address_failures: i32,
    /// For failures for one code.
    pub code_failures: i32,
    /// For successes from one address.
    pub address_successes: i32,
}

/// Counts the lookups from `address` and for `code` within `windows`.
pub async fn recent(
    pool: &PgPool,
    address: IpAddr,
    code: &str,
    windows: Windows,
) -> AppResult<RecentLookups> {
    let row = sqlx::query!(
        r#"
        select
            (select count(*) from status_lookups
              where address = $1 and not succeeded and at > now() - make_interval(mins => $3)
            ) as "failures_from_address!",
            (select count(*) from status_lookups
              where code = $2 and not succeeded and at > now() - make_interval(mins => $4)
            ) as "failures_for_code!",
            (select count(*) from status_lookups
              where address = $1 and succeeded and at > now() - make_interval(mins => $5)
            ) as "successes_from_address!"
        "#,
        IpNetwork::from(address),
        code,
        windows.address_failures,
        windows.code_failures,
        windows.address_successes,
    )
    .fetch_one(pool)
    .await?;
    Ok(RecentLookups {
        failures_from_address: row.failures_from_address,
        failures_for_code: row.failures_for_code,
        successes_from_address: row.successes_from_address,
    })
}

/// Records one lookup of `code` (as stored) from `address`.
pub async fn record(pool: &PgPool, address: IpAddr, code: &str, succeeded: bool) -> AppResult<()> {
    sqlx::query!(
        "insert into status_lookups (address, code, succeeded) values ($1, $2, $3)",
        IpNetwork::from(address),
        code,
        succeeded,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes lookups older than a day (longer than any window).
pub async fn delete_old(pool: &PgPool) -> AppResult<()> {
    sqlx::query!("delete from status_lookups where at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}
