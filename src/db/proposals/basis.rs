//! The one header of a proposal's later pages.

use sqlx::{PgConnection, PgPool};
use time::Date;

use crate::db::scope::ScopeParams;
use crate::domain::proposal::ProposalState;
use crate::error::AppResult;

/// A proposal as the pages of its later steps head it (contract, payments, stop, progress,
/// acceptance, settlement, evaluation, adjustments): its state and version, its approval and
/// its beneficiaries.
#[derive(Clone, Debug)]
pub struct Basis {
    /// Proposal id.
    pub id: i64,
    /// Province.
    pub province_code: String,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Plan year.
    pub plan_year: i16,
    /// State.
    pub state: ProposalState,
    /// Version (guards the state change).
    pub version: i32,
    /// Activity type.
    pub activity_type_code: String,
    /// Approved support.
    pub approved_support: Option<i64>,
    /// Support the dossier requested.
    pub requested_support: i64,
    /// Counterpart funds in the dossier.
    pub counterpart_funds: i64,
    /// Planned end of the work.
    pub end_date: Option<Date>,
    /// The date of the decision in force.
    pub approved_on: Option<Date>,
    /// Its number.
    pub decision_number: Option<String>,
    /// Beneficiaries' names.
    pub beneficiaries: String,
    /// Where the work is done.
    pub unit_name: String,
}

/// The basis of proposal `id`, if `scope` includes the proposal (else not found).
pub async fn basis(pool: &PgPool, scope: &ScopeParams, id: i64) -> AppResult<Basis> {
    Ok(sqlx::query_as!(
        Basis,
        r#"
        select p.id, p.province_code, p.code, p.title, p.plan_year,
               p.state as "state: ProposalState", p.version, p.activity_type_code,
               p.approved_support, p.requested_support, p.counterpart_funds, p.end_date,
               d.decided_on as "approved_on?", d.number as "decision_number?",
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "beneficiaries!",
               u.full_name as unit_name
        from proposals p
        join admin_units u on u.id = p.unit_id
        left join plan_decisions d on d.id = p.plan_decision_id
        where p.id = $6 and proposal_in_scope(p, $1, $2, $3, $4, $5)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        id,
    )
    .fetch_one(pool)
    .await?)
}

/// A proposal as a step finds it under its lock: what the step checks and names.
#[derive(Clone, Debug)]
pub struct Held {
    /// Proposal id.
    pub id: i64,
    /// Province.
    pub province_code: String,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// State.
    pub state: ProposalState,
    /// Version.
    pub version: i32,
}

/// Locks proposal `id` for the rest of the transaction and reads it as it is now: for the
/// steps that act on the latest state (a planner's pick from a list, a team's record), so
/// that two of them at once take turns.
pub async fn hold(conn: &mut PgConnection, id: i64) -> AppResult<Held> {
    Ok(sqlx::query_as!(
        Held,
        r#"
        select id, province_code, code, title, state as "state: ProposalState", version
        from proposals where id = $1 for update
        "#,
        id
    )
    .fetch_one(conn)
    .await?)
}

/// The proposals of `ids` that `scope` includes, as they are now (not locked): what a
/// planner's picks are checked against before each is held.
pub async fn in_scope(pool: &PgPool, scope: &ScopeParams, ids: &[i64]) -> AppResult<Vec<Held>> {
    Ok(sqlx::query_as!(
        Held,
        r#"
        select p.id, p.province_code, p.code, p.title, p.state as "state: ProposalState",
               p.version
        from proposals p
        where p.id = any($6) and proposal_in_scope(p, $1, $2, $3, $4, $5)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        ids,
    )
    .fetch_all(pool)
    .await?)
}

/// Locks proposals `ids` as [`hold`] does, in one statement and in id order (so that two
/// transactions locking overlapping sets take turns rather than deadlock).
pub async fn hold_all(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<Held>> {
    Ok(sqlx::query_as!(
        Held,
        r#"
        select id, province_code, code, title, state as "state: ProposalState", version
        from proposals where id = any($1) order by id for update
        "#,
        ids
    )
    .fetch_all(conn)
    .await?)
}
