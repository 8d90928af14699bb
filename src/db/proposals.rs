//! Proposals (read side so far). Every query is narrowed by the caller's scope: within a
//! province; for a local office, located in its area or submitted by it; for a facility
//! owner, benefiting its facility.

use sqlx::PgPool;
use time::OffsetDateTime;

use super::scope::ScopeParams;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::error::AppResult;

/// A row of a proposals list.
#[derive(Clone, Debug)]
pub struct ProposalSummary {
    /// Id.
    pub id: i64,
    /// Code, once submitted.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Plan year.
    pub plan_year: i16,
    /// Local or national.
    pub level: ProposalLevel,
    /// State.
    pub state: ProposalState,
    /// Location (commune/ward).
    pub unit_name: String,
    /// Beneficiaries' names, joined.
    pub facilities: String,
    /// Requested support, đồng.
    pub requested_support: i64,
}

/// One proposal.
#[derive(Clone, Debug)]
pub struct ProposalDetail {
    /// Id.
    pub id: i64,
    /// Code, once submitted.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Plan year.
    pub plan_year: i16,
    /// Local or national.
    pub level: ProposalLevel,
    /// Form code.
    pub form: String,
    /// Activity type code.
    pub activity_type_code: String,
    /// State.
    pub state: ProposalState,
    /// Location.
    pub unit_name: String,
    /// District (legacy) or province of the location.
    pub parent_unit_name: Option<String>,
    /// Submitting office.
    pub office_name: String,
    /// Total cost, đồng.
    pub total_cost: i64,
    /// Requested support, đồng.
    pub requested_support: i64,
    /// Approved support, đồng.
    pub approved_support: Option<i64>,
    /// First submission.
    pub submitted_at: Option<OffsetDateTime>,
}

/// A beneficiary of a proposal.
#[derive(Clone, Debug)]
pub struct Beneficiary {
    /// Facility id.
    pub id: i64,
    /// Facility name.
    pub name: String,
}

/// One step of a proposal's timeline.
#[derive(Clone, Debug)]
pub struct Event {
    /// When.
    pub at: OffsetDateTime,
    /// Who (full name), or none for the system.
    pub actor_name: Option<String>,
    /// What.
    pub action: String,
    /// State after.
    pub to_state: ProposalState,
    /// Note.
    pub note: String,
}

/// A page of the proposals `scope` shows (in `state`, when given), newest plan year first,
/// and their total.
pub async fn list(
    pool: &PgPool,
    scope: &ScopeParams,
    state: Option<ProposalState>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ProposalSummary>, i64)> {
    let rows = sqlx::query!(
        r#"
        select p.id, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.state as "state: ProposalState", u.full_name as unit_name, p.requested_support,
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!",
               count(*) over () as "total!"
        from proposals p
        join admin_units u on u.id = p.unit_id
        where proposal_in_scope(p, $1, $2, $3, $4, $5)
          and ($8::proposal_state is null or p.state = $8)
        order by p.plan_year desc, p.code nulls first, p.id desc
        limit $6 offset $7
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        limit,
        offset,
        state as Option<ProposalState>,
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rows = rows
        .into_iter()
        .map(|r| ProposalSummary {
            id: r.id,
            code: r.code,
            title: r.title,
            plan_year: r.plan_year,
            level: r.level,
            state: r.state,
            unit_name: r.unit_name,
            facilities: r.facilities,
            requested_support: r.requested_support,
        })
        .collect();
    Ok((rows, total))
}

/// The proposal, if `scope` includes it (one outside the scope is "not found").
pub async fn find(
    pool: &PgPool,
    scope: &ScopeParams,
    id: i64,
) -> AppResult<Option<ProposalDetail>> {
    Ok(sqlx::query_as!(
        ProposalDetail,
        r#"
        select p.id, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel", p.form::text as "form!",
               p.activity_type_code, p.state as "state: ProposalState",
               u.full_name as unit_name, pu.full_name as "parent_unit_name?", o.name as office_name,
               p.total_cost, p.requested_support, p.approved_support, p.submitted_at
        from proposals p
        join admin_units u on u.id = p.unit_id
        left join admin_units pu on pu.id = u.parent_id
        join organisations o on o.id = p.office_id
        where p.id = $6
          and proposal_in_scope(p, $1, $2, $3, $4, $5)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        id,
    )
    .fetch_optional(pool)
    .await?)
}

/// The beneficiaries of a proposal.
pub async fn beneficiaries(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Beneficiary>> {
    Ok(sqlx::query_as!(
        Beneficiary,
        r#"
        select f.id, f.name from proposal_facilities pf join facilities f on f.id = pf.facility_id
        where pf.proposal_id = $1 order by f.name
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// A proposal's timeline, oldest first.
pub async fn events(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Event>> {
    Ok(sqlx::query_as!(
        Event,
        r#"
        select e.at, u.full_name as "actor_name?", e.action, e.to_state as "to_state: ProposalState", e.note
        from proposal_events e left join users u on u.id = e.actor_id
        where e.proposal_id = $1
        order by e.at, e.id
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// How many proposals `scope` shows in each state (states with none are left out).
pub async fn count_by_state(
    pool: &PgPool,
    scope: &ScopeParams,
) -> AppResult<Vec<(ProposalState, i64)>> {
    let rows = sqlx::query!(
        r#"
        select p.state as "state: ProposalState", count(*) as "count!"
        from proposals p
        join admin_units u on u.id = p.unit_id
        where proposal_in_scope(p, $1, $2, $3, $4, $5)
        group by p.state
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.state, r.count)).collect())
}

/// The proposals a facility benefits from, for its page (already scoped by the facility).
pub async fn for_facility(pool: &PgPool, facility_id: i64) -> AppResult<Vec<ProposalSummary>> {
    Ok(sqlx::query_as!(
        ProposalSummary,
        r#"
        select p.id, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.state as "state: ProposalState", u.full_name as unit_name, p.requested_support,
               '' as "facilities!"
        from proposal_facilities pf
        join proposals p on p.id = pf.proposal_id
        join admin_units u on u.id = p.unit_id
        where pf.facility_id = $1
        order by p.plan_year desc, p.id desc
        "#,
        facility_id
    )
    .fetch_all(pool)
    .await?)
}
