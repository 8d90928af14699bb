//! Appraisal records: the criteria in force, a record with its scores, drafts, finalising,
//! corrections, the current outcome of a proposal, photos, and the ranking of appraised
//! proposals. Who may read or change a record is the caller's decision (the record's
//! proposal scope, team membership and declarations: `domain::appraisal`).

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::appraisal::{Mark, Recommendation};
use crate::error::AppResult;

mod criteria;
mod ranking;
pub use criteria::{
    CriterionInput, CriterionRow, criterion_in_use, get_criterion, insert_criterion, list_criteria,
    update_criterion,
};
pub use ranking::{ranking, ranking_years};

/// A record's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStatus {
    /// Being written.
    Draft,
    /// Finalised by the leader: read-only.
    Final,
    /// Replaced by a correction or a new appraisal.
    Superseded,
    /// Left by a cancelled visit.
    Void,
}

impl RecordStatus {
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Final => "final",
            Self::Superseded => "superseded",
            Self::Void => "void",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Draft, Self::Final, Self::Superseded, Self::Void]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Draft => "record_status.draft",
            Self::Final => "record_status.final",
            Self::Superseded => "record_status.superseded",
            Self::Void => "record_status.void",
        }
    }
}

/// An appraisal record with its visit.
#[derive(Clone, Debug)]
pub struct Record {
    /// Id.
    pub id: i64,
    /// Visit.
    pub visit_id: i64,
    /// The visit's title.
    pub visit_title: String,
    /// The visit's day.
    pub visit_date: Date,
    /// Whether the visit was cancelled.
    pub visit_cancelled: bool,
    /// Proposal.
    pub proposal_id: i64,
    /// Revision (1, then each correction).
    pub revision: i16,
    /// The record this one corrects.
    pub corrects_id: Option<i64>,
    /// Why.
    pub correction_reason: Option<String>,
    /// Status.
    pub status: RecordStatus,
    /// Premises seen.
    pub premises: String,
    /// Machinery on site.
    pub machinery: String,
    /// Legal papers seen.
    pub legal_papers: String,
    /// Counterpart capacity.
    pub counterpart_capacity: String,
    /// Other findings.
    pub other_findings: String,
    /// Proposed support.
    pub proposed_support: Option<i64>,
    /// Recommendation.
    pub recommendation: Option<Recommendation>,
    /// Conditions.
    pub conditions: String,
    /// Score in tenths, once final.
    pub score_tenths: Option<i16>,
    /// Edit counter of the draft.
    pub version: i32,
    /// Who saved it last.
    pub updated_by_name: Option<String>,
    /// When.
    pub updated_at: OffsetDateTime,
    /// Who finalised it.
    pub finalised_by_name: Option<String>,
    /// When.
    pub finalised_at: Option<OffsetDateTime>,
}

/// One criterion of a record's sheet, with its mark.
#[derive(Clone, Debug)]
pub struct ScoreRow {
    /// Criterion id.
    pub criterion_id: i64,
    /// Position on the sheet.
    pub position: i16,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    /// Guidance in Vietnamese.
    pub guidance_vi: String,
    /// Guidance in English.
    pub guidance_en: String,
    /// Most points.
    pub max_points: i16,
    /// Points given.
    pub points: Option<i16>,
    /// Marked not applicable.
    pub not_applicable: bool,
    /// Finding.
    pub finding: String,
}

impl ScoreRow {
    /// The mark, as the domain counts it.
    pub fn mark(&self) -> Mark {
        match (self.not_applicable, self.points) {
            (true, _) => Mark::NotApplicable,
            (false, Some(p)) => Mark::Points(u16::try_from(p).unwrap_or(u16::MAX)),
            (false, None) => Mark::Missing,
        }
    }
}

/// A record's draft as the form sends it, validated.
#[derive(Clone, Debug, Default)]
pub struct DraftInput {
    /// Premises seen.
    pub premises: String,
    /// Machinery on site.
    pub machinery: String,
    /// Legal papers seen.
    pub legal_papers: String,
    /// Counterpart capacity.
    pub counterpart_capacity: String,
    /// Other findings.
    pub other_findings: String,
    /// Proposed support.
    pub proposed_support: Option<i64>,
    /// Recommendation.
    pub recommendation: Option<Recommendation>,
    /// Conditions.
    pub conditions: String,
    /// Per criterion: id, points, not applicable, finding.
    pub scores: Vec<(i64, Option<i16>, bool, String)>,
}

/// The current result of a proposal's appraisal, for its page and the ranking.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Record id.
    pub record_id: i64,
    /// Visit day.
    pub visit_date: Date,
    /// Score in tenths.
    pub score_tenths: i16,
    /// Recommendation.
    pub recommendation: Recommendation,
    /// Conditions.
    pub conditions: String,
    /// Proposed support.
    pub proposed_support: Option<i64>,
    /// When finalised.
    pub finalised_at: OffsetDateTime,
}

/// A photo of a record.
#[derive(Clone, Debug)]
pub struct Photo {
    /// Document id.
    pub id: i64,
    /// File name.
    pub file_name: String,
    /// Size.
    pub size_bytes: i64,
    /// Who took it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: OffsetDateTime,
}

/// An appraised proposal in the ranking.
#[derive(Clone, Debug)]
pub struct RankingRow {
    /// Proposal id.
    pub id: i64,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Beneficiaries.
    pub facilities: String,
    /// Location.
    pub unit_name: String,
    /// Requested support.
    pub requested_support: i64,
    /// Proposed support.
    pub proposed_support: Option<i64>,
    /// Score in tenths.
    pub score_tenths: i16,
    /// Recommendation.
    pub recommendation: Recommendation,
    /// The priority-area kinds of the location (its commune, district or province).
    pub area_kinds: Vec<String>,
    /// Sector code of each beneficiary.
    pub sectors: Vec<String>,
    /// Workers of each beneficiary, in the order of `sectors`.
    pub workers: Vec<i32>,
    /// Typical product, per beneficiary.
    pub typical: Vec<bool>,
    /// Exports, per beneficiary.
    pub exports: Vec<bool>,
    /// Local raw materials, per beneficiary.
    pub local_raw: Vec<bool>,
    /// Activity type (for the cap in force).
    pub activity_type_code: String,
    /// Total cost (the cap's eligible cost).
    pub total_cost: i64,
    /// Whether a technology line (raises the machinery cap).
    pub technology_line: bool,
    /// The day of the final appraisal's visit.
    pub appraised_on: Date,
}

/// Creates the draft record of a proposal on a visit, with one empty score row per criterion
/// in force on the visit's date for the visit's province; `corrects` copies another record
/// (a correction) instead. Returns the id.
pub async fn insert_draft(
    conn: &mut PgConnection,
    visit_id: i64,
    proposal_id: i64,
    corrects: Option<(i64, &str)>,
) -> AppResult<i64> {
    let id = match corrects {
        None => {
            sqlx::query_scalar!(
                "insert into appraisal_records (visit_id, proposal_id) values ($1, $2) returning id",
                visit_id,
                proposal_id,
            )
            .fetch_one(&mut *conn)
            .await?
        }
        Some((old, reason)) => {
            sqlx::query_scalar!(
                r#"
                insert into appraisal_records (visit_id, proposal_id, revision, corrects_id, correction_reason,
                    premises, machinery, legal_papers, counterpart_capacity, other_findings,
                    proposed_support, recommendation, conditions)
                select visit_id, proposal_id, revision + 1, id, $2, premises, machinery, legal_papers,
                       counterpart_capacity, other_findings, proposed_support, recommendation, conditions
                from appraisal_records where id = $1
                returning id
                "#,
                old,
                reason,
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    match corrects {
        None => {
            sqlx::query!(
                r#"
                insert into appraisal_scores (record_id, criterion_id)
                select $1, c.id from appraisal_criteria c, appraisal_visits v
                where v.id = $2
                  and (c.valid_from is null or c.valid_from <= v.visit_date)
                  and (c.valid_to is null or c.valid_to > v.visit_date)
                  and (c.province_code = v.province_code
                       or (c.province_code is null and not exists (
                           select 1 from appraisal_criteria o
                           where o.province_code = v.province_code
                             and (o.valid_from is null or o.valid_from <= v.visit_date)
                             and (o.valid_to is null or o.valid_to > v.visit_date))))
                "#,
                id,
                visit_id,
            )
            .execute(conn)
            .await?;
        }
        Some((old, _)) => {
            sqlx::query!(
                r#"
                insert into appraisal_scores (record_id, criterion_id, points, not_applicable, finding)
                select $1, criterion_id, points, not_applicable, finding from appraisal_scores
                where record_id = $2
                "#,
                id,
                old,
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(id)
}

/// The record `id`, with its visit.
pub async fn find(pool: &PgPool, id: i64) -> AppResult<Option<Record>> {
    Ok(sqlx::query_as!(
        Record,
        r#"
        select r.id, r.visit_id, v.title as visit_title, v.visit_date,
               v.state = 'cancelled' as "visit_cancelled!", r.proposal_id, r.revision, r.corrects_id,
               r.correction_reason, r.status as "status: RecordStatus", r.premises, r.machinery,
               r.legal_papers, r.counterpart_capacity, r.other_findings, r.proposed_support,
               r.recommendation as "recommendation: Recommendation", r.conditions, r.score_tenths,
               r.version, uu.full_name as "updated_by_name?", r.updated_at,
               fu.full_name as "finalised_by_name?", r.finalised_at
        from appraisal_records r
        join appraisal_visits v on v.id = r.visit_id
        left join users uu on uu.id = r.updated_by
        left join users fu on fu.id = r.finalised_by
        where r.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?)
}

/// A record's sheet in order.
pub async fn scores(
    executor: impl sqlx::PgExecutor<'_>,
    record_id: i64,
) -> AppResult<Vec<ScoreRow>> {
    Ok(sqlx::query_as!(
        ScoreRow,
        r#"
        select s.criterion_id, c.position, c.name_vi, c.name_en, c.guidance_vi, c.guidance_en,
               c.max_points, s.points, s.not_applicable, s.finding
        from appraisal_scores s join appraisal_criteria c on c.id = s.criterion_id
        where s.record_id = $1
        order by c.position, c.id
        "#,
        record_id
    )
    .fetch_all(executor)
    .await?)
}

/// The other revisions of the same proposal on the same visit, newest first.
pub async fn revisions(pool: &PgPool, record: &Record) -> AppResult<Vec<(i64, i16, RecordStatus)>> {
    let rows = sqlx::query!(
        r#"
        select id, revision, status as "status: RecordStatus" from appraisal_records
        where visit_id = $1 and proposal_id = $2 and id <> $3
        order by revision desc
        "#,
        record.visit_id,
        record.proposal_id,
        record.id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.revision, r.status))
        .collect())
}

/// Saves a draft if it is still a draft at `version`; `false` when it changed meanwhile.
pub async fn save_draft(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    input: &DraftInput,
    updated_by: i64,
) -> AppResult<bool> {
    let saved = sqlx::query!(
        r#"
        update appraisal_records
        set premises = $3, machinery = $4, legal_papers = $5, counterpart_capacity = $6,
            other_findings = $7, proposed_support = $8, recommendation = $9, conditions = $10,
            version = version + 1, updated_by = $11, updated_at = now()
        where id = $1 and version = $2 and status = 'draft'
        "#,
        id,
        version,
        input.premises,
        input.machinery,
        input.legal_papers,
        input.counterpart_capacity,
        input.other_findings,
        input.proposed_support,
        input.recommendation as Option<Recommendation>,
        input.conditions,
        updated_by,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !saved {
        return Ok(false);
    }
    let criteria: Vec<i64> = input.scores.iter().map(|s| s.0).collect();
    let points: Vec<Option<i16>> = input.scores.iter().map(|s| s.1).collect();
    let not_applicable: Vec<bool> = input.scores.iter().map(|s| s.2).collect();
    let findings: Vec<&str> = input.scores.iter().map(|s| s.3.as_str()).collect();
    sqlx::query!(
        r#"
        update appraisal_scores s
        set points = i.points, not_applicable = i.not_applicable, finding = i.finding
        from unnest($2::bigint[], $3::smallint[], $4::boolean[], $5::text[])
             as i (criterion_id, points, not_applicable, finding)
        where s.record_id = $1 and s.criterion_id = i.criterion_id
        "#,
        id,
        &criteria,
        &points as &[Option<i16>],
        &not_applicable,
        &findings as &[&str],
    )
    .execute(conn)
    .await?;
    Ok(true)
}

/// Finalises a draft at `version` with its score; the record it corrects (if any) is
/// superseded first. `false` when it changed meanwhile.
pub async fn finalise(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    score_tenths: i16,
    finalised_by: i64,
) -> AppResult<bool> {
    sqlx::query!(
        r#"
        update appraisal_records old set status = 'superseded'
        from appraisal_records r
        where r.id = $1 and r.status = 'draft' and r.version = $2
          and old.id = r.corrects_id and old.status = 'final'
        "#,
        id,
        version,
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query!(
        r#"
        update appraisal_records
        set status = 'final', score_tenths = $3, finalised_by = $4, finalised_at = now(),
            version = version + 1
        where id = $1 and version = $2 and status = 'draft' and recommendation is not null
        "#,
        id,
        version,
        score_tenths,
        finalised_by,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The final record of a proposal no longer stands (re-appraisal).
pub async fn supersede_final(conn: &mut PgConnection, proposal_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update appraisal_records set status = 'superseded' where proposal_id = $1 and status = 'final'",
        proposal_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The open draft of a proposal, if any (a correction in progress, say).
pub async fn open_draft(
    executor: impl sqlx::PgExecutor<'_>,
    proposal_id: i64,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "select id from appraisal_records where proposal_id = $1 and status = 'draft'",
        proposal_id
    )
    .fetch_optional(executor)
    .await?)
}

/// The proposal's current appraisal result (its final record), if any.
pub async fn outcome(pool: &PgPool, proposal_id: i64) -> AppResult<Option<Outcome>> {
    Ok(sqlx::query_as!(
        Outcome,
        r#"
        select r.id as record_id, v.visit_date, r.score_tenths as "score_tenths!",
               r.recommendation as "recommendation!: Recommendation", r.conditions,
               r.proposed_support, r.finalised_at as "finalised_at!"
        from appraisal_records r join appraisal_visits v on v.id = r.visit_id
        where r.proposal_id = $1 and r.status = 'final'
        "#,
        proposal_id
    )
    .fetch_optional(pool)
    .await?)
}

/// The record's photos, oldest first.
pub async fn photos(pool: &PgPool, record_id: i64) -> AppResult<Vec<Photo>> {
    Ok(sqlx::query_as!(
        Photo,
        r#"
        select d.id, d.file_name, d.size_bytes, u.full_name as uploaded_by, d.uploaded_at
        from documents d join users u on u.id = d.uploaded_by
        where d.appraisal_record_id = $1 and d.removed_at is null
        order by d.uploaded_at, d.id
        "#,
        record_id
    )
    .fetch_all(pool)
    .await?)
}
