//! Acceptance records (nghiệm thu): one per proposal on an acceptance visit, with the
//! evidence the activity type requires and the support admitted on each cost line.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::acceptance::{AcceptanceResult, AcceptanceStatus};
use crate::error::AppResult;

/// A record with what its page needs of its visit.
#[derive(Clone, Debug)]
pub struct Record {
    /// Id.
    pub id: i64,
    /// The visit.
    pub visit_id: i64,
    /// The visit's day: the minutes' date and the evidence rules in force.
    pub visit_date: Date,
    /// The visit's title.
    pub visit_title: String,
    /// The proposal.
    pub proposal_id: i64,
    /// Draft, final or void.
    pub status: AcceptanceStatus,
    /// The outcome chosen (a draft may have one already).
    pub result: Option<AcceptanceResult>,
    /// The team's conclusion.
    pub conclusion: String,
    /// The support admitted, once final.
    pub admitted_support: Option<i64>,
    /// Who finalised it.
    pub finalised_by_name: Option<String>,
    /// When.
    pub finalised_at: Option<OffsetDateTime>,
    /// Edit counter.
    pub version: i32,
}

/// The records of a proposal, newest first.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Record>> {
    Ok(sqlx::query_as!(
        Record,
        r#"
        select r.id, r.visit_id, v.visit_date, v.title as visit_title, r.proposal_id,
               r.status as "status: AcceptanceStatus", r.result as "result: AcceptanceResult",
               r.conclusion, r.admitted_support, u.full_name as "finalised_by_name?",
               r.finalised_at, r.version
        from acceptance_records r
        join appraisal_visits v on v.id = r.visit_id
        left join users u on u.id = r.finalised_by
        where r.proposal_id = $1
        order by r.created_at desc, r.id desc
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// The passed record of a proposal, if it was accepted.
pub async fn passed(pool: &PgPool, proposal_id: i64) -> AppResult<Option<Record>> {
    Ok(of_proposal(pool, proposal_id)
        .await?
        .into_iter()
        .find(|r| r.status == AcceptanceStatus::Final && r.result == Some(AcceptanceResult::Pass)))
}

/// An evidence item of the checklist with the team's answer.
#[derive(Clone, Debug)]
pub struct EvidenceCheck {
    /// The evidence rule's id.
    pub evidence_id: i64,
    /// Its name in Vietnamese.
    pub name_vi: String,
    /// Its name in English.
    pub name_en: String,
    /// Its legal basis.
    pub legal_basis: String,
    /// Seen, not seen, or not answered yet.
    pub present: Option<bool>,
    /// The team's note.
    pub note: String,
}

/// The checklist of a record: the evidence the proposal's activity type requires on the
/// visit's day (the province's own list when it has one), and any item answered already.
pub async fn evidence(
    executor: impl sqlx::PgExecutor<'_>,
    record_id: i64,
) -> AppResult<Vec<EvidenceCheck>> {
    Ok(sqlx::query_as!(
        EvidenceCheck,
        r#"
        with rec as (
            select r.id, p.activity_type_code, p.province_code, v.visit_date
            from acceptance_records r
            join proposals p on p.id = r.proposal_id
            join appraisal_visits v on v.id = r.visit_id
            where r.id = $1
        ), in_force as (
            select e.* from acceptance_evidence e, rec
            where e.activity_type_code = rec.activity_type_code
              and e.valid_from <= rec.visit_date
              and (e.valid_to is null or e.valid_to >= rec.visit_date)
              and (e.province_code = rec.province_code
                   or (e.province_code is null and not exists (
                       select 1 from acceptance_evidence o
                       where o.activity_type_code = rec.activity_type_code
                         and o.province_code = rec.province_code
                         and o.valid_from <= rec.visit_date
                         and (o.valid_to is null or o.valid_to >= rec.visit_date))))
        )
        select e.id as "evidence_id!", e.name_vi as "name_vi!", e.name_en as "name_en!",
               e.legal_basis as "legal_basis!", c.present as "present?",
               coalesce(c.note, '') as "note!"
        from (select id, name_vi, name_en, legal_basis, position from in_force
              union
              select a.id, a.name_vi, a.name_en, a.legal_basis, a.position
              from acceptance_evidence_checks k join acceptance_evidence a on a.id = k.evidence_id
              where k.record_id = $1) e
        left join acceptance_evidence_checks c on c.record_id = $1 and c.evidence_id = e.id
        order by e.position, e.id
        "#,
        record_id
    )
    .fetch_all(executor)
    .await?)
}

/// A cost line with the support admitted on it.
#[derive(Clone, Debug)]
pub struct LineCheck {
    /// The cost line's id.
    pub cost_line_id: i64,
    /// Item.
    pub item: String,
    /// Unit.
    pub unit: String,
    /// Quantity in hundredths.
    pub quantity_hundredths: i64,
    /// Line total.
    pub total: i64,
    /// Support of the line in the dossier.
    pub support: i64,
    /// Support admitted, if checked.
    pub admitted: Option<i64>,
    /// The evidence seen for it.
    pub note: String,
}

/// The proposal's cost lines with what the record admits on each.
pub async fn lines(
    executor: impl sqlx::PgExecutor<'_>,
    record_id: i64,
) -> AppResult<Vec<LineCheck>> {
    Ok(sqlx::query_as!(
        LineCheck,
        r#"
        select l.id as cost_line_id, l.item, l.unit, l.quantity_hundredths, l.total, l.support,
               c.admitted as "admitted?", coalesce(c.note, '') as "note!"
        from acceptance_records r
        join proposal_cost_lines l on l.proposal_id = r.proposal_id
        left join acceptance_line_checks c on c.record_id = r.id and c.cost_line_id = l.id
        where r.id = $1
        order by l.position
        "#,
        record_id
    )
    .fetch_all(executor)
    .await?)
}

/// Opens an empty draft for a proposal put on an acceptance visit; returns its id.
pub async fn insert_draft(
    conn: &mut PgConnection,
    visit_id: i64,
    proposal_id: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "insert into acceptance_records (visit_id, proposal_id) values ($1, $2) returning id",
        visit_id,
        proposal_id,
    )
    .fetch_one(conn)
    .await?)
}

/// Deletes the draft of a proposal taken off its visit, if no one has worked on it yet.
pub async fn remove_untouched_draft(
    conn: &mut PgConnection,
    visit_id: i64,
    proposal_id: i64,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        delete from acceptance_records
        where visit_id = $1 and proposal_id = $2 and status = 'draft' and version = 1
        "#,
        visit_id,
        proposal_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Sets the visit's drafts aside (its cancellation).
pub async fn void_drafts(conn: &mut PgConnection, visit_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update acceptance_records set status = 'void' where visit_id = $1 and status = 'draft'",
        visit_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What the team typed on the record's form.
#[derive(Clone, Debug)]
pub struct Checks<'a> {
    /// (evidence id, seen, note) of each answered item.
    pub evidence: &'a [(i64, bool, String)],
    /// (cost line id, admitted, note) of each checked line.
    pub lines: &'a [(i64, i64, String)],
    /// The conclusion.
    pub conclusion: &'a str,
    /// The outcome, if chosen.
    pub result: Option<AcceptanceResult>,
}

/// Saves a draft at `version`: its conclusion and outcome, and the answers given (an item
/// or line left empty keeps no answer). `false` when the draft moved on meanwhile.
pub async fn save(
    conn: &mut PgConnection,
    record_id: i64,
    version: i32,
    checks: &Checks<'_>,
    user_id: i64,
) -> AppResult<bool> {
    let updated = sqlx::query!(
        r#"
        update acceptance_records
        set conclusion = $3, result = $4, version = version + 1, updated_by = $5
        where id = $1 and version = $2 and status = 'draft'
        "#,
        record_id,
        version,
        checks.conclusion,
        checks.result as Option<AcceptanceResult>,
        user_id,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    let (ids, present, notes): (Vec<i64>, Vec<bool>, Vec<String>) = checks
        .evidence
        .iter()
        .map(|(id, seen, note)| (*id, *seen, note.clone()))
        .collect();
    sqlx::query!(
        "delete from acceptance_evidence_checks where record_id = $1",
        record_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        insert into acceptance_evidence_checks (record_id, evidence_id, present, note)
        select $1, * from unnest($2::bigint[], $3::boolean[], $4::text[])
        "#,
        record_id,
        &ids,
        &present,
        &notes,
    )
    .execute(&mut *conn)
    .await?;
    let (line_ids, admitted, line_notes): (Vec<i64>, Vec<i64>, Vec<String>) = checks
        .lines
        .iter()
        .map(|(id, amount, note)| (*id, *amount, note.clone()))
        .collect();
    sqlx::query!(
        "delete from acceptance_line_checks where record_id = $1",
        record_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        insert into acceptance_line_checks (record_id, cost_line_id, admitted, note)
        select $1, * from unnest($2::bigint[], $3::bigint[], $4::text[])
        "#,
        record_id,
        &line_ids,
        &admitted,
        &line_notes,
    )
    .execute(conn)
    .await?;
    Ok(true)
}

/// Finalises a draft at `version` with its outcome and the support it admits; `false` when
/// it moved on meanwhile.
pub async fn finalise(
    conn: &mut PgConnection,
    record_id: i64,
    version: i32,
    result: AcceptanceResult,
    admitted_support: i64,
    user_id: i64,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        update acceptance_records
        set status = 'final', result = $3, admitted_support = $4, finalised_by = $5,
            finalised_at = now(), version = version + 1, updated_by = $5
        where id = $1 and version = $2 and status = 'draft'
        "#,
        record_id,
        version,
        result as AcceptanceResult,
        admitted_support,
        user_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// An evidence rule as the admin pages show it.
#[derive(Clone, Debug)]
pub struct EvidenceRule {
    /// Id.
    pub id: i64,
    /// `None`: every province without a list of its own.
    pub province_code: Option<String>,
    /// The activity type.
    pub activity_type_code: String,
    /// Its place in the checklist.
    pub position: i16,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    /// Legal basis.
    pub legal_basis: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated evidence rule to write.
#[derive(Clone, Copy, Debug)]
pub struct EvidenceInput<'a> {
    /// Province, or every province.
    pub province_code: Option<&'a str>,
    /// Activity type.
    pub activity_type_code: &'a str,
    /// Place in the checklist.
    pub position: i16,
    /// Vietnamese name.
    pub name_vi: &'a str,
    /// English name.
    pub name_en: &'a str,
    /// Legal basis.
    pub legal_basis: &'a str,
    /// First day in force (the regulation's when empty).
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every evidence rule, by scope, activity type and place.
pub async fn list_evidence_rules(pool: &PgPool) -> AppResult<Vec<EvidenceRule>> {
    Ok(sqlx::query_as!(
        EvidenceRule,
        r#"
        select e.id, e.province_code, e.activity_type_code, e.position, e.name_vi, e.name_en,
               e.legal_basis, e.valid_from as "valid_from?", e.valid_to
        from acceptance_evidence e join activity_types t on t.code = e.activity_type_code
        order by e.province_code nulls first, t.sort_order, e.position, e.id
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One evidence rule.
pub async fn get_evidence_rule(pool: &PgPool, id: i64) -> AppResult<EvidenceRule> {
    Ok(sqlx::query_as!(
        EvidenceRule,
        r#"
        select id, province_code, activity_type_code, position, name_vi, name_en, legal_basis,
               valid_from as "valid_from?", valid_to
        from acceptance_evidence where id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Whether a record answered evidence rule `id` (it is then ended, not edited).
pub async fn evidence_rule_in_use(pool: &PgPool, id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from acceptance_evidence_checks where evidence_id = $1) as "used!""#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds an evidence rule (`id` `None`) or changes rule `id`.
pub async fn save_evidence_rule(
    pool: &PgPool,
    id: Option<i64>,
    r: &EvidenceInput<'_>,
) -> AppResult<()> {
    let done = match id {
        None => {
            sqlx::query!(
                r#"
            insert into acceptance_evidence (province_code, activity_type_code, position, name_vi,
                                             name_en, legal_basis, valid_from, valid_to)
            values ($1, $2, $3, $4, $5, $6, coalesce($7, date '2013-01-01'), $8)
            "#,
                r.province_code,
                r.activity_type_code,
                r.position,
                r.name_vi,
                r.name_en,
                r.legal_basis,
                r.valid_from,
                r.valid_to,
            )
            .execute(pool)
            .await?
        }
        Some(id) => {
            sqlx::query!(
                r#"
            update acceptance_evidence
            set province_code = $2, activity_type_code = $3, position = $4, name_vi = $5,
                name_en = $6, legal_basis = $7, valid_from = coalesce($8, date '2013-01-01'),
                valid_to = $9
            where id = $1
            "#,
                id,
                r.province_code,
                r.activity_type_code,
                r.position,
                r.name_vi,
                r.name_en,
                r.legal_basis,
                r.valid_from,
                r.valid_to,
            )
            .execute(pool)
            .await?
        }
    };
    super::found(done.rows_affected())
}
