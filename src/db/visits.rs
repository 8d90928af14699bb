//! Appraisal visits (đoàn công tác): the calendar, a visit with its team, the proposals it
//! covers and each member's declarations, rescheduling and cancellation.
//!
//! A user sees a visit when its scope is the whole province, when the user is on its team,
//! or when one of its proposals is in the user's scope (a local office sees the visits to
//! its area). The caller decides who may change what; these functions only write.

use sqlx::PgPool;
use time::{Date, OffsetDateTime, Time};
use tracing::instrument;

use super::scope::ScopeParams;
use crate::domain::appraisal::{Declaration, TeamRole, VisitPurpose};
use crate::domain::proposal::ProposalState;
use crate::domain::role::Role;
use crate::error::AppResult;

mod changes;
pub use changes::{
    add_external_member, add_proposal, add_user_member, cancel, declare, insert, lock_planned,
    member_user_ids, members_in, remove_member, remove_proposal, reschedule, scheduled_proposals,
    set_leader, set_planned_time, update_details, void_drafts,
};

/// A visit in the calendar and the list.
#[derive(Clone, Debug)]
pub struct VisitSummary {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Day of the visit.
    pub visit_date: Date,
    /// Cancelled or not.
    pub cancelled: bool,
    /// The leader's name.
    pub leader: Option<String>,
    /// Proposals to appraise.
    pub proposals: i64,
    /// Of which with a final record.
    pub finalised: i64,
    /// Appraisal or acceptance.
    pub purpose: VisitPurpose,
}

/// A visit's own fields.
#[derive(Clone, Debug)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// Province.
    pub province_code: String,
    /// Title.
    pub title: String,
    /// Day of the visit.
    pub visit_date: Date,
    /// Notes for the printed schedule.
    pub notes: String,
    /// Cancelled or not.
    pub cancelled: bool,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Edit counter.
    pub version: i32,
    /// Who planned it.
    pub created_by_name: String,
    /// Appraisal or acceptance.
    pub purpose: VisitPurpose,
}

/// A team member.
#[derive(Clone, Debug)]
pub struct Member {
    /// Member id (`visit_members.id`).
    pub id: i64,
    /// The account, for members who have one.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Organisation, or the unit an external member gave.
    pub unit: String,
    /// The account's role, if any.
    pub role: Option<Role>,
    /// Leader or member.
    pub team_role: TeamRole,
}

/// A proposal of a visit, with what the day's schedule needs.
#[derive(Clone, Debug)]
pub struct VisitProposal {
    /// Proposal id.
    pub proposal_id: i64,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// State.
    pub state: ProposalState,
    /// Beneficiaries: names.
    pub facilities: String,
    /// Beneficiaries: owners and phones.
    pub contacts: String,
    /// Beneficiaries: addresses.
    pub addresses: String,
    /// Requested support.
    pub requested_support: i64,
    /// Planned hour.
    pub planned_time: Option<Time>,
    /// The visit's record of it.
    pub record_id: Option<i64>,
    /// Whether that record is final (or was, before a correction).
    pub record_final: bool,
    /// Its score, once final.
    pub score_tenths: Option<i16>,
    /// The team's recommendation, once final.
    pub recommendation: Option<crate::domain::appraisal::Recommendation>,
    /// The proposed support, once final.
    pub proposed_support: Option<i64>,
}

/// A member's declaration on one proposal.
#[derive(Clone, Debug)]
pub struct DeclarationRow {
    /// Member id.
    pub member_id: i64,
    /// Proposal id.
    pub proposal_id: i64,
    /// None or a conflict.
    pub declaration: Declaration,
    /// What the conflict is.
    pub note: String,
}

/// A change of the visit's date.
#[derive(Clone, Debug)]
pub struct DateChange {
    /// Old date.
    pub from_date: Date,
    /// New date.
    pub to_date: Date,
    /// Why.
    pub reason: String,
    /// Who.
    pub changed_by: String,
    /// When.
    pub changed_at: OffsetDateTime,
}

/// A planned visit of a proposal, for its page.
#[derive(Clone, Debug)]
pub struct ProposalVisit {
    /// Visit id.
    pub visit_id: i64,
    /// Day.
    pub visit_date: Date,
    /// Planned hour.
    pub planned_time: Option<Time>,
    /// Cancelled or not.
    pub cancelled: bool,
}

/// A user who may be put on a team.
#[derive(Clone, Debug)]
pub struct TeamCandidate {
    /// User id.
    pub id: i64,
    /// Name.
    pub full_name: String,
    /// Organisation.
    pub organisation: String,
    /// Role.
    pub role: Role,
}

/// An area with proposals waiting for a visit: a legacy district, or a 2025 commune.
#[derive(Clone, Debug)]
pub struct AreaCount {
    /// Unit id (the proposals list's `unit` filter).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Accepted proposals there.
    pub count: i64,
}

/// Where the accepted proposals `scope` shows are, with how many in each area.
pub async fn accepted_areas(pool: &PgPool, scope: &ScopeParams) -> AppResult<Vec<AreaCount>> {
    Ok(sqlx::query_as!(
        AreaCount,
        r#"
        select a.id, a.full_name as name, count(*) as "count!"
        from proposals p
        left join admin_units d on d.id = p.parent_unit_id and d.level = 'district'
        join admin_units a on a.id = coalesce(d.id, p.unit_id)
        where p.state = 'accepted' and proposal_in_scope(p, $1, $2, $3, $4, $5)
        group by a.id, a.full_name
        order by a.full_name
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
    )
    .fetch_all(pool)
    .await?)
}

/// The visits `scope` (or membership of `user_id`) shows, from `from` to `to` inclusive.
#[instrument(level = "debug", skip_all, fields(%from, %to), err)]
pub async fn list(
    pool: &PgPool,
    scope: &ScopeParams,
    user_id: i64,
    from: Date,
    to: Date,
) -> AppResult<Vec<VisitSummary>> {
    Ok(sqlx::query_as!(
        VisitSummary,
        r#"
        select v.id as "id!", v.title as "title!", v.visit_date as "visit_date!",
               v.state = 'cancelled' as "cancelled!", v.leader, v.proposals as "proposals!",
               v.finalised as "finalised!", v.purpose as "purpose!: VisitPurpose"
        from visit_summaries v
        where v.visit_date between $7 and $8
          and not $1
          and (($3::bigint is null and $5::bigint is null and v.province_code = $2)
               or exists (select 1 from visit_members m where m.visit_id = v.id and m.user_id = $6)
               or exists (select 1 from visit_proposals vp join proposals p on p.id = vp.proposal_id
                          where vp.visit_id = v.id and proposal_in_scope(p, $1, $2, $3, $4, $5)))
        order by v.visit_date, v.id
        limit 500
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        user_id,
        from,
        to,
    )
    .fetch_all(pool)
    .await?)
}

/// The visits `user_id` is on the team of, from `from` on, soonest first.
pub async fn upcoming_for_member(
    pool: &PgPool,
    user_id: i64,
    from: Date,
    limit: i64,
) -> AppResult<Vec<VisitSummary>> {
    Ok(sqlx::query_as!(
        VisitSummary,
        r#"
        select v.id as "id!", v.title as "title!", v.visit_date as "visit_date!",
               v.state = 'cancelled' as "cancelled!", v.leader, v.proposals as "proposals!",
               v.finalised as "finalised!", v.purpose as "purpose!: VisitPurpose"
        from visit_members m join visit_summaries v on v.id = m.visit_id
        where m.user_id = $1 and v.visit_date >= $2 and v.state = 'planned'
        order by v.visit_date, v.id
        limit $3
        "#,
        user_id,
        from,
        limit,
    )
    .fetch_all(pool)
    .await?)
}

/// The visit, if the user sees it (as in [`list`]).
pub async fn find(
    pool: &PgPool,
    scope: &ScopeParams,
    user_id: i64,
    id: i64,
) -> AppResult<Option<Visit>> {
    Ok(sqlx::query_as!(
        Visit,
        r#"
        select v.id, v.province_code, v.title, v.visit_date, v.notes,
               v.state = 'cancelled' as "cancelled!", v.cancel_reason, v.version,
               u.full_name as created_by_name, v.purpose as "purpose: VisitPurpose"
        from appraisal_visits v join users u on u.id = v.created_by
        where v.id = $7
          and not $1
          and (($3::bigint is null and $5::bigint is null and v.province_code = $2)
               or exists (select 1 from visit_members m where m.visit_id = v.id and m.user_id = $6)
               or exists (select 1 from visit_proposals vp join proposals p on p.id = vp.proposal_id
                          where vp.visit_id = v.id and proposal_in_scope(p, $1, $2, $3, $4, $5)))
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        user_id,
        id,
    )
    .fetch_optional(pool)
    .await?)
}

/// The team, leader first.
pub async fn members(pool: &PgPool, visit_id: i64) -> AppResult<Vec<Member>> {
    let rows = sqlx::query!(
        r#"
        select m.id, m.user_id, coalesce(u.full_name, m.external_name) as "name!",
               coalesce(o.name, m.external_unit, '') as "unit!", u.role as "role?: Role", m.team_role
        from visit_members m
        left join users u on u.id = m.user_id
        left join organisations o on o.id = u.organisation_id
        where m.visit_id = $1
        order by m.team_role = 'leader' desc, m.id
        "#,
        visit_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Member {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            unit: r.unit,
            role: r.role,
            team_role: TeamRole::from_code(&r.team_role).unwrap_or(TeamRole::Member),
        })
        .collect())
}

/// The proposals of a visit in the order of the day, with their current record.
pub async fn proposals(pool: &PgPool, visit_id: i64) -> AppResult<Vec<VisitProposal>> {
    Ok(sqlx::query_as!(
        VisitProposal,
        r#"
        select p.id as proposal_id, p.code, p.title, p.state as "state: ProposalState",
               coalesce(b.names, '') as "facilities!", coalesce(b.contacts, '') as "contacts!",
               coalesce(b.addresses, '') as "addresses!", p.requested_support, vp.planned_time,
               coalesce(r.id, a.id) as "record_id?",
               coalesce(r.status in ('final', 'superseded'), a.status = 'final', false) as "record_final!",
               r.score_tenths as "score_tenths?",
               case when r.status in ('final', 'superseded') then r.recommendation end
                   as "recommendation?: crate::domain::appraisal::Recommendation",
               case when r.status in ('final', 'superseded') then r.proposed_support end
                   as "proposed_support?"
        from visit_proposals vp
        join proposals p on p.id = vp.proposal_id
        left join lateral (
            select string_agg(f.name, '; ' order by f.name) as names,
                   string_agg(f.owner_name || coalesce(' · ' || f.phone, ''), '; ' order by f.name) as contacts,
                   string_agg(concat_ws(', ', nullif(f.address_detail, ''), u.full_name, pu.full_name),
                              '; ' order by f.name) as addresses
            from proposal_facilities pf
            join facilities f on f.id = pf.facility_id
            join admin_units u on u.id = f.unit_id
            left join admin_units pu on pu.id = f.parent_unit_id and pu.level = 'district'
            where pf.proposal_id = p.id
        ) b on true
        left join lateral (
            select r.id, r.status, r.score_tenths, r.recommendation, r.proposed_support
            from appraisal_records r
            where r.visit_id = vp.visit_id and r.proposal_id = vp.proposal_id and r.status <> 'void'
            order by r.revision desc limit 1
        ) r on true
        left join acceptance_records a
            on a.visit_id = vp.visit_id and a.proposal_id = vp.proposal_id and a.status <> 'void'
        where vp.visit_id = $1
        order by vp.planned_time nulls last, vp.position, p.id
        "#,
        visit_id
    )
    .fetch_all(pool)
    .await?)
}

/// Every declaration made on the visit.
pub async fn declarations(pool: &PgPool, visit_id: i64) -> AppResult<Vec<DeclarationRow>> {
    let rows = sqlx::query!(
        r#"
        select d.visit_member_id, d.proposal_id, d.has_conflict, d.note
        from conflict_declarations d join visit_members m on m.id = d.visit_member_id
        where m.visit_id = $1
        "#,
        visit_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeclarationRow {
            member_id: r.visit_member_id,
            proposal_id: r.proposal_id,
            declaration: if r.has_conflict {
                Declaration::Conflict
            } else {
                Declaration::NoConflict
            },
            note: r.note,
        })
        .collect())
}

/// The history of the visit's date, oldest first.
pub async fn date_changes(pool: &PgPool, visit_id: i64) -> AppResult<Vec<DateChange>> {
    Ok(sqlx::query_as!(
        DateChange,
        r#"
        select c.from_date, c.to_date, c.reason, u.full_name as changed_by, c.changed_at
        from visit_date_changes c join users u on u.id = c.changed_by
        where c.visit_id = $1 order by c.changed_at, c.id
        "#,
        visit_id
    )
    .fetch_all(pool)
    .await?)
}

/// The visits that a proposal is (or was) planned on, newest first.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<ProposalVisit>> {
    Ok(sqlx::query_as!(
        ProposalVisit,
        r#"
        select v.id as visit_id, v.visit_date, vp.planned_time, v.state = 'cancelled' as "cancelled!"
        from visit_proposals vp join appraisal_visits v on v.id = vp.visit_id
        where vp.proposal_id = $1
        order by v.visit_date desc, v.id desc
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// Active users of the province who may sit on a team with their account.
pub async fn team_candidates(pool: &PgPool, province_code: &str) -> AppResult<Vec<TeamCandidate>> {
    Ok(sqlx::query_as!(
        TeamCandidate,
        r#"
        select u.id, u.full_name, o.name as organisation, u.role as "role: Role"
        from users u join organisations o on o.id = u.organisation_id
        where u.active and o.province_code = $1
          and u.role in ('centre_staff', 'appraiser', 'director', 'local_officer')
        order by o.name, u.full_name
        "#,
        province_code
    )
    .fetch_all(pool)
    .await?)
}
