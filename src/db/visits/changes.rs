//! The changes of a visit: planned, its details, its day and cancellation, its team, its
//! proposals and their hours, its members' declarations. The caller decides who may change
//! what; these functions only write.

use sqlx::PgConnection;
use time::{Date, Time};

use crate::domain::appraisal::{Declaration, TeamRole, VisitPurpose};
use crate::error::{AppError, AppResult};

/// A new visit; returns its id.
pub async fn insert(
    conn: &mut PgConnection,
    province_code: &str,
    title: &str,
    visit_date: Date,
    notes: &str,
    purpose: VisitPurpose,
    created_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into appraisal_visits (province_code, title, visit_date, notes, purpose, created_by)
        values ($1, $2, $3, $4, $5, $6) returning id
        "#,
        province_code,
        title,
        visit_date,
        notes,
        purpose as VisitPurpose,
        created_by,
    )
    .fetch_one(conn)
    .await?)
}

/// Changes title and notes, if the visit is still at `version` and planned.
pub async fn update_details(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    title: &str,
    notes: &str,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        update appraisal_visits set title = $3, notes = $4, version = version + 1
        where id = $1 and version = $2 and state = 'planned'
        "#,
        id,
        version,
        title,
        notes,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Moves the visit to `to_date` and records the change, if it is still at `version` and
/// planned. Returns the old date, or `None` when it changed meanwhile.
pub async fn reschedule(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    to_date: Date,
    reason: &str,
    changed_by: i64,
) -> AppResult<Option<Date>> {
    let from = sqlx::query_scalar!(
        r#"
        update appraisal_visits v set visit_date = $3, version = v.version + 1
        from appraisal_visits old
        where v.id = $1 and old.id = v.id and v.version = $2 and v.state = 'planned'
        returning old.visit_date
        "#,
        id,
        version,
        to_date,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(from_date) = from {
        sqlx::query!(
            r#"
            insert into visit_date_changes (visit_id, from_date, to_date, reason, changed_by)
            values ($1, $2, $3, $4, $5)
            "#,
            id,
            from_date,
            to_date,
            reason,
            changed_by,
        )
        .execute(conn)
        .await?;
    }
    Ok(from)
}

/// Cancels the visit, if it is still at `version` and planned.
pub async fn cancel(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    reason: &str,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        update appraisal_visits set state = 'cancelled', cancel_reason = $3, version = version + 1
        where id = $1 and version = $2 and state = 'planned'
        "#,
        id,
        version,
        reason,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Locks the visit row for the rest of the transaction and bumps its version, so two
/// changes of its team or proposals cannot interleave; `false` if it is not at `version` or
/// no longer planned.
pub async fn lock_planned(conn: &mut PgConnection, id: i64, version: i32) -> AppResult<bool> {
    Ok(sqlx::query!(
        "update appraisal_visits set version = version + 1 where id = $1 and version = $2 and state = 'planned'",
        id,
        version,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Adds an account to the team; `false` if already on it.
pub async fn add_user_member(
    conn: &mut PgConnection,
    visit_id: i64,
    user_id: i64,
    team_role: TeamRole,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        insert into visit_members (visit_id, user_id, team_role) values ($1, $2, $3)
        on conflict (visit_id, user_id) where user_id is not null do nothing
        "#,
        visit_id,
        user_id,
        team_role.code(),
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Adds an external member by name and unit.
pub async fn add_external_member(
    conn: &mut PgConnection,
    visit_id: i64,
    name: &str,
    unit: &str,
) -> AppResult<()> {
    sqlx::query!(
        "insert into visit_members (visit_id, external_name, external_unit) values ($1, $2, $3)",
        visit_id,
        name,
        unit,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a member (and their declarations); `NotFound` if not on this visit.
pub async fn remove_member(
    conn: &mut PgConnection,
    visit_id: i64,
    member_id: i64,
) -> AppResult<()> {
    let removed = sqlx::query!(
        "delete from visit_members where id = $1 and visit_id = $2 and team_role <> 'leader'",
        member_id,
        visit_id,
    )
    .execute(conn)
    .await?
    .rows_affected();
    if removed == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Makes `member_id` (an account) the leader, and the former leader a member.
pub async fn set_leader(conn: &mut PgConnection, visit_id: i64, member_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update visit_members set team_role = 'member' where visit_id = $1 and team_role = 'leader'",
        visit_id
    )
    .execute(&mut *conn)
    .await?;
    let changed = sqlx::query!(
        r#"
        update visit_members set team_role = 'leader'
        where id = $1 and visit_id = $2 and user_id is not null
        "#,
        member_id,
        visit_id,
    )
    .execute(conn)
    .await?
    .rows_affected();
    if changed == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Puts a proposal on the visit, with an empty draft record: an appraisal record scored on
/// the criteria in force on the visit's date for its province, or an acceptance record;
/// returns the record's id.
pub async fn add_proposal(
    conn: &mut PgConnection,
    visit_id: i64,
    purpose: VisitPurpose,
    proposal_id: i64,
    planned_time: Option<Time>,
) -> AppResult<i64> {
    sqlx::query!(
        r#"
        insert into visit_proposals (visit_id, proposal_id, position, planned_time)
        values ($1, $2, 1 + (select count(*) from visit_proposals where visit_id = $1), $3)
        "#,
        visit_id,
        proposal_id,
        planned_time,
    )
    .execute(&mut *conn)
    .await?;
    match purpose {
        VisitPurpose::Appraisal => {
            crate::db::appraisals::insert_draft(conn, visit_id, proposal_id, None).await
        }
        VisitPurpose::Acceptance => {
            crate::db::acceptance::insert_draft(conn, visit_id, proposal_id).await
        }
    }
}

/// Takes a proposal off the visit, with its record, if no one has worked on the record yet;
/// `false` otherwise (or when the proposal is not on the visit).
pub async fn remove_proposal(
    conn: &mut PgConnection,
    visit_id: i64,
    purpose: VisitPurpose,
    proposal_id: i64,
) -> AppResult<bool> {
    let removed = match purpose {
        VisitPurpose::Appraisal => remove_untouched_appraisal(conn, visit_id, proposal_id).await?,
        VisitPurpose::Acceptance => {
            crate::db::acceptance::remove_untouched_draft(conn, visit_id, proposal_id).await?
        }
    };
    if !removed {
        return Ok(false);
    }
    sqlx::query!(
        "delete from conflict_declarations d using visit_members m
         where m.id = d.visit_member_id and m.visit_id = $1 and d.proposal_id = $2",
        visit_id,
        proposal_id,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from visit_proposals where visit_id = $1 and proposal_id = $2",
        visit_id,
        proposal_id,
    )
    .execute(conn)
    .await?;
    Ok(true)
}

/// Deletes the appraisal draft of a proposal taken off its visit, if untouched.
pub(super) async fn remove_untouched_appraisal(
    conn: &mut PgConnection,
    visit_id: i64,
    proposal_id: i64,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        delete from appraisal_records r
        where r.visit_id = $1 and r.proposal_id = $2 and r.status = 'draft' and r.version = 1
          and not exists (select 1 from documents d where d.appraisal_record_id = r.id)
        "#,
        visit_id,
        proposal_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Sets the planned hour of a proposal on the visit.
pub async fn set_planned_time(
    conn: &mut PgConnection,
    visit_id: i64,
    proposal_id: i64,
    planned_time: Option<Time>,
) -> AppResult<()> {
    sqlx::query!(
        "update visit_proposals set planned_time = $3 where visit_id = $1 and proposal_id = $2",
        visit_id,
        proposal_id,
        planned_time,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records (or changes) a member's declaration on a proposal of the visit. A declaration is
/// only changed while the proposal's record on this visit is a draft.
pub async fn declare(
    conn: &mut PgConnection,
    member_id: i64,
    proposal_id: i64,
    declaration: Declaration,
    note: &str,
    recorded_by: i64,
) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into conflict_declarations (visit_member_id, proposal_id, has_conflict, note, recorded_by)
        values ($1, $2, $3, $4, $5)
        on conflict (visit_member_id, proposal_id) do update
        set has_conflict = excluded.has_conflict, note = excluded.note,
            recorded_by = excluded.recorded_by, recorded_at = now()
        "#,
        member_id,
        proposal_id,
        declaration == Declaration::Conflict,
        note,
        recorded_by,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The proposals of a visit that are still planned on it (for cancelling).
pub async fn scheduled_proposals(conn: &mut PgConnection, visit_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"
        select p.id from visit_proposals vp join proposals p on p.id = vp.proposal_id
        where vp.visit_id = $1 and p.state = 'appraisal_scheduled'
          and exists (select 1 from appraisal_records r
                      where r.visit_id = vp.visit_id and r.proposal_id = p.id and r.status = 'draft')
        "#,
        visit_id
    )
    .fetch_all(conn)
    .await?)
}

/// Sets the visit's draft records aside (its cancellation): kept, but no longer open.
pub async fn void_drafts(conn: &mut PgConnection, visit_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update appraisal_records set status = 'void' where visit_id = $1 and status = 'draft'",
        visit_id
    )
    .execute(&mut *conn)
    .await?;
    crate::db::acceptance::void_drafts(conn, visit_id).await
}

/// The team's member ids with their accounts (none for an external member).
pub async fn members_in(
    conn: &mut PgConnection,
    visit_id: i64,
) -> AppResult<Vec<(i64, Option<i64>)>> {
    let rows = sqlx::query!(
        "select id, user_id from visit_members where visit_id = $1 order by id",
        visit_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.user_id)).collect())
}

/// The accounts on the team (to notify).
pub async fn member_user_ids(conn: &mut PgConnection, visit_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"select user_id as "user_id!" from visit_members where visit_id = $1 and user_id is not null"#,
        visit_id
    )
    .fetch_all(conn)
    .await?)
}
