//! A proposal's timeline and state: its events, the guarded state change (only through the
//! transition table: `set_state` and `move_many` take a row it allowed), codes and return
//! requests.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use tracing::instrument;

use crate::domain::proposal::{EventRefs, ProposalLevel, ProposalState};
use crate::domain::transition::Allowed;
use crate::error::AppResult;

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
    /// The records its details name (the timeline links the step's document).
    pub refs: EventRefs,
}

/// An open request to complete a returned dossier.
#[derive(Clone, Debug)]
pub struct ReturnRequest {
    /// What is missing.
    pub missing_items: String,
    /// By when.
    pub due_date: Date,
    /// When it was asked.
    pub requested_at: OffsetDateTime,
    /// Who asked.
    pub requested_by: String,
}

/// A proposal's timeline, oldest first.
pub async fn events(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Event>> {
    Ok(sqlx::query!(
        r#"
        select e.at, u.full_name as "actor_name?", e.action, e.to_state as "to_state: ProposalState", e.note,
               (e.details->>'record_id')::bigint as record_id,
               (e.details->>'decision_id')::bigint as decision_id,
               (e.details->>'visit_id')::bigint as visit_id,
               (e.details->>'acceptance_record_id')::bigint as acceptance_record_id,
               (e.details->>'document_id')::bigint as document_id
        from proposal_events e left join users u on u.id = e.actor_id
        where e.proposal_id = $1
        order by e.at, e.id
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Event {
        at: r.at,
        actor_name: r.actor_name,
        action: r.action,
        to_state: r.to_state,
        note: r.note,
        refs: EventRefs {
            record_id: r.record_id,
            decision_id: r.decision_id,
            visit_id: r.visit_id,
            acceptance_record_id: r.acceptance_record_id,
            document_id: r.document_id,
        },
    })
    .collect())
}

/// The open return request of a proposal, if any.
pub async fn open_return_request(
    pool: &PgPool,
    proposal_id: i64,
) -> AppResult<Option<ReturnRequest>> {
    Ok(sqlx::query_as!(
        ReturnRequest,
        r#"
        select r.missing_items, r.due_date, r.requested_at, u.full_name as requested_by
        from return_requests r join users u on u.id = r.requested_by
        where r.proposal_id = $1 and r.answered_at is null
        order by r.requested_at desc limit 1
        "#,
        proposal_id
    )
    .fetch_optional(pool)
    .await?)
}

/// The next number for a proposal code of this province, year and level. The counter row is
/// locked until the transaction ends, so concurrent submissions get distinct numbers; the
/// first use starts after the highest code already given (demo or imported data).
pub async fn next_code_number(
    conn: &mut PgConnection,
    province_code: &str,
    plan_year: i16,
    level: ProposalLevel,
) -> AppResult<i32> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into proposal_code_counters as c (province_code, plan_year, level, last_number)
        values ($1, $2, $3, 1 + coalesce((
            select max(substring(code from '[0-9]+$')::int) from proposals
            where province_code = $1 and plan_year = $2 and level = $3 and code is not null), 0))
        on conflict (province_code, plan_year, level) do update set last_number = c.last_number + 1
        returning last_number
        "#,
        province_code,
        plan_year,
        level as ProposalLevel,
    )
    .fetch_one(conn)
    .await?)
}

/// What a proposal's code is counted by: its province, plan year and level.
pub async fn numbering(
    db: impl sqlx::PgExecutor<'_>,
    id: i64,
) -> AppResult<(String, i16, ProposalLevel)> {
    let row = sqlx::query!(
        r#"select province_code, plan_year, level as "level: ProposalLevel" from proposals where id = $1"#,
        id
    )
    .fetch_one(db)
    .await?;
    Ok((row.province_code, row.plan_year, row.level))
}

/// Takes `step` on proposal `id` if it is still in the step's state at `version`, giving it
/// `code` if it has none (first submission, on `at`). `false` when it moved or changed
/// meanwhile. Only the workflow layer calls this (clippy.toml).
#[instrument(skip_all, fields(proposal.id = id, from = ?step.from, to = ?step.to), err)]
pub async fn set_state(
    conn: &mut PgConnection,
    id: i64,
    step: Allowed,
    version: i32,
    code: Option<&str>,
    at: OffsetDateTime,
) -> AppResult<bool> {
    let changed = sqlx::query!(
        r#"
        update proposals
        set state = $3::proposal_state, version = version + 1, code = coalesce(code, $5),
            submitted_at = case when $3::proposal_state = 'submitted' then coalesce(submitted_at, $6)
                                else submitted_at end
        where id = $1 and state = $2 and version = $4
        "#,
        id,
        step.from as ProposalState,
        step.to as ProposalState,
        version,
        code,
        at,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Takes `step` on every proposal of `ids` in one statement (a plan decision's set); how
/// many moved. Fewer than `ids.len()` means one was no longer in the step's state. Only the
/// workflow layer calls this (clippy.toml).
pub async fn move_many(conn: &mut PgConnection, ids: &[i64], step: Allowed) -> AppResult<u64> {
    Ok(sqlx::query!(
        r#"
        update proposals set state = $3::proposal_state, version = version + 1
        where id = any($1) and state = $2
        "#,
        ids,
        step.from as ProposalState,
        step.to as ProposalState,
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// A step of a proposal's timeline, to append.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    /// The proposal.
    pub proposal_id: i64,
    /// Who.
    pub actor_id: i64,
    /// What (`submit`, `return`…).
    pub action: &'a str,
    /// State before.
    pub from: Option<ProposalState>,
    /// State after.
    pub to: ProposalState,
    /// Note the people concerned read.
    pub note: &'a str,
    /// Changed amounts and other details.
    pub details: serde_json::Value,
    /// When it was taken.
    pub at: OffsetDateTime,
}

/// Appends a step to the proposal's timeline.
#[instrument(skip_all, fields(proposal.id = event.proposal_id, action = event.action), err)]
pub async fn insert_event(conn: &mut PgConnection, event: &NewEvent<'_>) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into proposal_events (proposal_id, actor_id, action, from_state, to_state, note, details, at)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        event.proposal_id,
        event.actor_id,
        event.action,
        event.from as Option<ProposalState>,
        event.to as ProposalState,
        event.note,
        event.details,
        event.at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends several timeline steps in one statement.
#[instrument(skip_all, fields(events = events.len()), err)]
pub async fn insert_events(conn: &mut PgConnection, events: &[NewEvent<'_>]) -> AppResult<()> {
    let ids: Vec<i64> = events.iter().map(|e| e.proposal_id).collect();
    let actors: Vec<i64> = events.iter().map(|e| e.actor_id).collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action).collect();
    let froms: Vec<Option<ProposalState>> = events.iter().map(|e| e.from).collect();
    let tos: Vec<ProposalState> = events.iter().map(|e| e.to).collect();
    let notes: Vec<&str> = events.iter().map(|e| e.note).collect();
    let details: Vec<serde_json::Value> = events.iter().map(|e| e.details.clone()).collect();
    let ats: Vec<OffsetDateTime> = events.iter().map(|e| e.at).collect();
    sqlx::query!(
        r#"
        insert into proposal_events (proposal_id, actor_id, action, from_state, to_state, note, details, at)
        select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::proposal_state[],
                             $5::proposal_state[], $6::text[], $7::jsonb[], $8::timestamptz[])
        "#,
        &ids,
        &actors,
        &actions as &[&str],
        &froms as &[Option<ProposalState>],
        &tos as &[ProposalState],
        &notes as &[&str],
        &details,
        &ats,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a return request.
pub async fn insert_return_request(
    conn: &mut PgConnection,
    proposal_id: i64,
    requested_by: i64,
    missing_items: &str,
    due_date: Date,
    requested_at: OffsetDateTime,
) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into return_requests (proposal_id, requested_by, missing_items, due_date, requested_at)
        values ($1, $2, $3, $4, $5)
        "#,
        proposal_id,
        requested_by,
        missing_items,
        due_date,
        requested_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the open return requests of a proposal answered (on resubmission).
pub async fn answer_return_requests(conn: &mut PgConnection, proposal_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update return_requests set answered_at = now() where proposal_id = $1 and answered_at is null",
        proposal_id
    )
    .execute(conn)
    .await?;
    Ok(())
}
