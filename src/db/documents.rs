//! Documents attached to proposals and plan decisions: their rows (the contents are in the
//! store, see `crate::storage`) and the kinds; the timeline's entries of attaching and
//! removing are the workflow's (`workflow::documents`).
//!
//! Reading a proposal's document goes through its scope (`proposal_in_scope`), so a document
//! of a proposal the user cannot see is "not found"; a decision's, through its province. Writes take the proposal's state the
//! caller checked the policy against and refuse with a conflict if it has changed since.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use tracing::instrument;

use super::scope::ScopeParams;
use crate::domain::proposal::ProposalState;
use crate::error::{AppError, AppResult};

/// The proposal a documents page is about, if the scope includes it.
#[derive(Clone, Debug)]
pub struct Owner {
    /// Proposal id.
    pub id: i64,
    /// Code, once submitted.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// State.
    pub state: ProposalState,
}

/// A kind of document (reference data), for the upload form.
#[derive(Clone, Debug)]
pub struct Kind {
    /// Code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

/// A row of a proposal's documents list.
#[derive(Clone, Debug)]
pub struct DocumentSummary {
    /// Id.
    pub id: i64,
    /// Kind code.
    pub kind_code: String,
    /// Kind, in Vietnamese.
    pub kind_vi: String,
    /// Kind, in English.
    pub kind_en: String,
    /// File name (sanitised).
    pub file_name: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: OffsetDateTime,
}

/// A document to download.
#[derive(Clone, Debug)]
pub struct StoredDocument {
    /// Id.
    pub id: i64,
    /// File name (sanitised).
    pub file_name: String,
    /// Detected media type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content.
    pub sha256: Vec<u8>,
    /// Key in the store.
    pub storage_key: String,
}

/// A checked, stored file to record.
#[derive(Clone, Debug)]
pub struct NewDocument {
    /// Kind code (must exist in `document_kinds`).
    pub kind_code: String,
    /// Sanitised file name.
    pub file_name: String,
    /// Detected media type.
    pub content_type: &'static str,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content (32 bytes).
    pub sha256: Vec<u8>,
    /// Key in the store.
    pub storage_key: String,
    /// The appraisal record a photo was taken for.
    pub appraisal_record_id: Option<i64>,
}

/// The proposal `id`, if `scope` includes it.
pub async fn find_owner(pool: &PgPool, scope: &ScopeParams, id: i64) -> AppResult<Option<Owner>> {
    Ok(sqlx::query_as!(
        Owner,
        r#"
        select p.id, p.code, p.title, p.state as "state: ProposalState"
        from proposals p
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

/// Every kind of document, in the order forms list them.
pub async fn kinds(pool: &PgPool) -> AppResult<Vec<Kind>> {
    Ok(sqlx::query_as!(
        Kind,
        "select code, name_vi, name_en from document_kinds order by sort_order, code"
    )
    .fetch_all(pool)
    .await?)
}

/// The documents of a proposal (not removed), by kind, oldest first within a kind.
pub async fn list_for_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<DocumentSummary>> {
    list_of(pool, Some(proposal_id), None, None).await
}

/// The documents of a plan decision or a dispatch.
pub async fn list_for_record(pool: &PgPool, owner: RecordOwner) -> AppResult<Vec<DocumentSummary>> {
    let (decision, forwarding) = owner.ids();
    list_of(pool, None, decision, forwarding).await
}

/// The documents of a proposal, a decision or a dispatch (the other ids `None`).
async fn list_of(
    pool: &PgPool,
    proposal_id: Option<i64>,
    decision_id: Option<i64>,
    forwarding_id: Option<i64>,
) -> AppResult<Vec<DocumentSummary>> {
    Ok(sqlx::query_as!(
        DocumentSummary,
        r#"
        select d.id, d.kind_code, k.name_vi as kind_vi, k.name_en as kind_en, d.file_name,
               d.size_bytes, u.full_name as uploaded_by, d.uploaded_at
        from documents d
        join document_kinds k on k.code = d.kind_code
        join users u on u.id = d.uploaded_by
        where (d.proposal_id = $1 or d.plan_decision_id = $2 or d.forwarding_id = $3)
          and d.removed_at is null
        order by k.sort_order, d.uploaded_at, d.id
        "#,
        proposal_id,
        decision_id,
        forwarding_id,
    )
    .fetch_all(pool)
    .await?)
}

/// The kinds a proposal has at least one document of (for the dossier's completeness check).
pub async fn attached_kinds(
    db: impl sqlx::PgExecutor<'_>,
    proposal_id: i64,
) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar!(
        r#"
        select distinct kind_code as "kind_code!" from documents
        where proposal_id = $1 and removed_at is null
        order by 1
        "#,
        proposal_id
    )
    .fetch_all(db)
    .await?)
}

/// Document `id` of proposal `proposal_id` (not removed), if `scope` includes the proposal.
pub async fn find(
    pool: &PgPool,
    scope: &ScopeParams,
    proposal_id: i64,
    id: i64,
) -> AppResult<Option<StoredDocument>> {
    Ok(sqlx::query_as!(
        StoredDocument,
        r#"
        select d.id, d.file_name, d.content_type, d.size_bytes, d.sha256, d.storage_key
        from documents d
        join proposals p on p.id = d.proposal_id
        where d.id = $7 and p.id = $6 and d.removed_at is null
          and proposal_in_scope(p, $1, $2, $3, $4, $5)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        proposal_id,
        id,
    )
    .fetch_optional(pool)
    .await?)
}

/// Locks the proposal's row for the transaction and checks it is still in `expected`.
async fn lock_in_state(
    tx: &mut sqlx::PgConnection,
    proposal_id: i64,
    expected: ProposalState,
) -> AppResult<()> {
    let state = sqlx::query_scalar!(
        r#"select state as "state: ProposalState" from proposals where id = $1 for share"#,
        proposal_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if state == expected {
        Ok(())
    } else {
        Err(AppError::Conflict("document.state_changed"))
    }
}

/// Records `documents` for proposal `proposal_id`, refused with a conflict unless the
/// proposal is still in `state` (its row locked for the caller's transaction). A file
/// already attached under the same kind (same SHA-256) is not recorded twice: its entry in
/// the result is `None`, and its stored copy is the caller's to delete.
#[instrument(skip_all, fields(proposal.id = proposal_id, actor.id = actor_id), err)]
pub async fn insert_for_proposal(
    conn: &mut PgConnection,
    proposal_id: i64,
    state: ProposalState,
    actor_id: i64,
    documents: &[NewDocument],
) -> AppResult<Vec<Option<i64>>> {
    lock_in_state(conn, proposal_id, state).await?;
    let mut ids = Vec::with_capacity(documents.len());
    for d in documents {
        let id = sqlx::query_scalar!(
            r#"
            insert into documents (proposal_id, kind_code, file_name, content_type, size_bytes,
                                   sha256, storage_key, uploaded_by, appraisal_record_id)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            on conflict (proposal_id, kind_code, sha256) where removed_at is null do nothing
            returning id
            "#,
            proposal_id,
            d.kind_code,
            d.file_name,
            d.content_type,
            d.size_bytes,
            d.sha256,
            d.storage_key,
            actor_id,
            d.appraisal_record_id,
        )
        .fetch_optional(&mut *conn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// A removed document: its kind and file name.
#[derive(Clone, Debug)]
pub struct Removed {
    /// Kind code.
    pub kind_code: String,
    /// File name.
    pub file_name: String,
}

/// Marks document `id` of proposal `proposal_id` removed, refused with a conflict unless
/// the proposal is still in `state`; `NotFound` when there is no such document (or it is
/// already removed).
#[instrument(skip_all, fields(proposal.id = proposal_id, actor.id = actor_id), err)]
pub async fn remove(
    conn: &mut PgConnection,
    proposal_id: i64,
    state: ProposalState,
    id: i64,
    actor_id: i64,
) -> AppResult<Removed> {
    lock_in_state(conn, proposal_id, state).await?;
    sqlx::query_as!(
        Removed,
        r#"
        update documents set removed_at = now(), removed_by = $3
        where id = $1 and proposal_id = $2 and removed_at is null
        returning kind_code, file_name
        "#,
        id,
        proposal_id,
        actor_id,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// A record other than a proposal that documents belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordOwner {
    /// A plan decision (its scan).
    Decision(i64),
    /// A dispatch to the Ministry (its scan).
    Forwarding(i64),
}

impl RecordOwner {
    fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            Self::Decision(id) => (Some(id), None),
            Self::Forwarding(id) => (None, Some(id)),
        }
    }
}

/// The record a proposal's document is attached to, besides the proposal.
#[derive(Clone, Copy, Debug)]
pub enum AttachedTo {
    /// A monthly progress report (its photos).
    ProgressReport(i64),
    /// An adjustment request (its papers).
    AdjustmentRequest(i64),
}

/// What kind of record documents are attached to, for [`attached`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachedKind {
    /// Progress reports.
    ProgressReports,
    /// Adjustment requests.
    AdjustmentRequests,
}

/// The documents attached to the records `ids` of `kind`: (record id, document id, file
/// name), in the order they came.
pub async fn attached(
    pool: &PgPool,
    kind: AttachedKind,
    ids: &[i64],
) -> AppResult<Vec<(i64, i64, String)>> {
    let reports = kind == AttachedKind::ProgressReports;
    let rows = sqlx::query!(
        r#"
        select coalesce(progress_report_id, adjustment_request_id) as "owner!", id, file_name
        from documents
        where removed_at is null
          and (($2 and progress_report_id = any($1)) or (not $2 and adjustment_request_id = any($1)))
        order by id
        "#,
        ids,
        reports,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.owner, r.id, r.file_name))
        .collect())
}

/// The (id, name) of the documents of record `owner` among `attached`.
pub fn of_owner(attached: &[(i64, i64, String)], owner: i64) -> Vec<(i64, String)> {
    attached
        .iter()
        .filter(|(o, ..)| *o == owner)
        .map(|(_, id, name)| (*id, name.clone()))
        .collect()
}

/// Records `documents` of proposal `proposal_id` as attached to `to`, of kind `kind`, in the
/// transaction that writes `to`; the same file twice is recorded once.
pub async fn insert_attached(
    conn: &mut PgConnection,
    proposal_id: i64,
    to: AttachedTo,
    kind: &str,
    uploaded_by: i64,
    documents: &[NewDocument],
) -> AppResult<()> {
    let (report, adjustment) = match to {
        AttachedTo::ProgressReport(id) => (Some(id), None),
        AttachedTo::AdjustmentRequest(id) => (None, Some(id)),
    };
    let column = |f: fn(&NewDocument) -> String| documents.iter().map(f).collect::<Vec<_>>();
    let sizes: Vec<i64> = documents.iter().map(|d| d.size_bytes).collect();
    let hashes: Vec<Vec<u8>> = documents.iter().map(|d| d.sha256.clone()).collect();
    sqlx::query!(
        r#"
        insert into documents (proposal_id, progress_report_id, adjustment_request_id, kind_code,
                               file_name, content_type, size_bytes, sha256, storage_key,
                               uploaded_by)
        select $1, $2, $3, $4, f.name, f.content_type, f.size, f.sha256, f.key, $5
        from unnest($6::text[], $7::text[], $8::bigint[], $9::bytea[], $10::text[])
             as f (name, content_type, size, sha256, key)
        on conflict (proposal_id, kind_code, sha256) where removed_at is null do nothing
        "#,
        proposal_id,
        report,
        adjustment,
        kind,
        uploaded_by,
        &column(|d| d.file_name.clone()),
        &column(|d| d.content_type.to_owned()),
        &sizes,
        &hashes,
        &column(|d| d.storage_key.clone()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a document of `owner` in the owner's transaction.
pub async fn insert_for_record(
    conn: &mut PgConnection,
    owner: RecordOwner,
    actor_id: i64,
    document: &NewDocument,
) -> AppResult<()> {
    let (decision, forwarding) = owner.ids();
    sqlx::query!(
        r#"
        insert into documents (plan_decision_id, forwarding_id, kind_code, file_name, content_type,
                               size_bytes, sha256, storage_key, uploaded_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        "#,
        decision,
        forwarding,
        document.kind_code,
        document.file_name,
        document.content_type,
        document.size_bytes,
        document.sha256,
        document.storage_key,
        actor_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Document `id` of `owner`, if the owner is of `province_code`, for download.
pub async fn find_for_record(
    pool: &PgPool,
    province_code: &str,
    owner: RecordOwner,
    id: i64,
) -> AppResult<Option<StoredDocument>> {
    let (decision, forwarding) = owner.ids();
    Ok(sqlx::query_as!(
        StoredDocument,
        r#"
        select d.id, d.file_name, d.content_type, d.size_bytes, d.sha256, d.storage_key
        from documents d
        left join plan_decisions pd on pd.id = d.plan_decision_id
        left join ministry_forwardings mf on mf.id = d.forwarding_id
        where d.id = $1 and d.removed_at is null
          and (pd.id = $2 or mf.id = $3)
          and coalesce(pd.province_code, mf.province_code) = $4
        "#,
        id,
        decision,
        forwarding,
        province_code,
    )
    .fetch_optional(pool)
    .await?)
}
