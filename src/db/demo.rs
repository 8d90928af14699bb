//! The SQL of the demo data set (`crate::demo`). Every function takes the connection of the
//! one seeding transaction; rows go in by column arrays (`unnest`), one statement per table.
//! Enum columns travel as text and are cast in SQL.

use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::domain::proposal::ProposalState;
use crate::error::AppResult;

/// A legacy (pre-July-2025) administrative unit of a province.
#[derive(Clone, Debug)]
pub struct LegacyUnit {
    /// `district` or `commune` (or `province`).
    pub level: String,
    /// Official code.
    pub code: String,
    /// Row id.
    pub id: i64,
    /// The parent's official code (a commune's district), if any.
    pub parent_code: Option<String>,
}

/// Organisations to create, column by column.
#[derive(Debug, Default)]
pub struct OrganisationColumns {
    /// Kind codes (`organisation_kind`).
    pub kind: Vec<String>,
    /// Names (unique within the province).
    pub name: Vec<String>,
    /// Area of local offices.
    pub unit_id: Vec<Option<i64>>,
}

/// Accounts to create, column by column; they all share one password hash.
#[derive(Debug, Default)]
pub struct UserColumns {
    /// Login names.
    pub username: Vec<String>,
    /// Full names.
    pub full_name: Vec<String>,
    /// Role codes (`user_role`).
    pub role: Vec<String>,
    /// Organisation ids.
    pub organisation_id: Vec<i64>,
    /// Facility of a facility owner.
    pub facility_id: Vec<Option<i64>>,
}

/// Facilities to create, column by column.
#[derive(Debug, Default)]
pub struct FacilityColumns {
    /// Legal names.
    pub name: Vec<String>,
    /// Legal form codes (`legal_form`).
    pub legal_form: Vec<String>,
    /// Tax codes (unique).
    pub tax_code: Vec<String>,
    /// Owners.
    pub owner_name: Vec<String>,
    /// Phones.
    pub phone: Vec<String>,
    /// Hamlet or street.
    pub address_detail: Vec<String>,
    /// Commune ids.
    pub unit_id: Vec<i64>,
    /// Sector codes.
    pub sector_code: Vec<String>,
    /// Main products.
    pub main_products: Vec<String>,
    /// Workers.
    pub workers: Vec<i32>,
    /// Revenue per year, đồng.
    pub annual_revenue: Vec<i64>,
    /// Who registered it.
    pub created_by: Vec<i64>,
    /// When it was registered.
    pub created_at: Vec<OffsetDateTime>,
}

/// Proposals to create, column by column, with ids taken from [`reserve_proposal_ids`].
#[derive(Debug, Default)]
pub struct ProposalColumns {
    /// Reserved ids.
    pub id: Vec<i64>,
    /// Codes of submitted proposals.
    pub code: Vec<Option<String>>,
    /// Plan years.
    pub plan_year: Vec<i16>,
    /// Level codes (`proposal_level`).
    pub level: Vec<String>,
    /// Form codes (`proposal_form`).
    pub form: Vec<String>,
    /// Activity type codes.
    pub activity_type_code: Vec<String>,
    /// Titles.
    pub title: Vec<String>,
    /// Location (commune ids).
    pub unit_id: Vec<i64>,
    /// Submitting offices.
    pub office_id: Vec<i64>,
    /// State codes (`proposal_state`).
    pub state: Vec<String>,
    /// Total costs, đồng.
    pub total_cost: Vec<i64>,
    /// Requested support, đồng.
    pub requested_support: Vec<i64>,
    /// Approved support, đồng.
    pub approved_support: Vec<Option<i64>>,
    /// First submissions.
    pub submitted_at: Vec<Option<OffsetDateTime>>,
    /// Authors.
    pub created_by: Vec<i64>,
    /// First event.
    pub created_at: Vec<OffsetDateTime>,
    /// Last event.
    pub updated_at: Vec<OffsetDateTime>,
}

/// Timeline events to append, column by column.
#[derive(Debug, Default)]
pub struct EventColumns {
    /// Proposal ids.
    pub proposal_id: Vec<i64>,
    /// When.
    pub at: Vec<OffsetDateTime>,
    /// Who.
    pub actor_id: Vec<i64>,
    /// Action codes.
    pub action: Vec<String>,
    /// State before (none for the creation).
    pub from_state: Vec<Option<String>>,
    /// State after.
    pub to_state: Vec<String>,
    /// Notes.
    pub note: Vec<String>,
    /// Details as JSON text.
    pub details: Vec<String>,
}

/// One timeline event for [`EventColumns::push`].
#[derive(Debug, Clone, Copy)]
pub struct EventRow<'a> {
    /// The proposal.
    pub proposal_id: i64,
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub actor_id: i64,
    /// The action's code.
    pub action: &'a str,
    /// The state before (none for the creation).
    pub from: Option<ProposalState>,
    /// The state after.
    pub to: ProposalState,
    /// The note.
    pub note: &'a str,
    /// Details as JSON text.
    pub details: &'a str,
}

impl EventColumns {
    /// Appends one event.
    pub fn push(&mut self, event: EventRow<'_>) {
        self.proposal_id.push(event.proposal_id);
        self.at.push(event.at);
        self.actor_id.push(event.actor_id);
        self.action.push(event.action.to_owned());
        self.from_state
            .push(event.from.map(|s| s.code().to_owned()));
        self.to_state.push(event.to.code().to_owned());
        self.note.push(event.note.to_owned());
        self.details.push(event.details.to_owned());
    }
}

/// Beneficiary links to create: the proposal and the facility at the same index.
#[derive(Debug, Default)]
pub struct BeneficiaryColumns {
    /// Proposal ids.
    pub proposal_id: Vec<i64>,
    /// Facility ids.
    pub facility_id: Vec<i64>,
}

/// Dates a demo appraisal record as written on the day of its visit, not on the day the demo
/// was loaded.
pub async fn date_appraisal_record(
    conn: &mut PgConnection,
    record_id: i64,
    at: OffsetDateTime,
) -> AppResult<()> {
    sqlx::query!(
        "update appraisal_records set updated_at = $2::timestamptz,
             finalised_at = case when finalised_at is null then null else $2::timestamptz end
         where id = $1",
        record_id,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Dates a demo acceptance record, finalised then.
pub async fn date_acceptance_record(
    conn: &mut PgConnection,
    record_id: i64,
    at: OffsetDateTime,
) -> AppResult<()> {
    sqlx::query!(
        "update acceptance_records set created_at = $2, updated_at = $2, finalised_at = $2 where id = $1",
        record_id,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The contract of a demo proposal.
pub async fn contract_of(conn: &mut PgConnection, proposal_id: i64) -> AppResult<(i64, i64)> {
    let row = sqlx::query!(
        "select id, approved_support from contracts where proposal_id = $1",
        proposal_id
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.approved_support))
}

/// Whether any account exists.
pub async fn has_users(conn: &mut PgConnection) -> AppResult<bool> {
    Ok(
        sqlx::query_scalar!(r#"select exists (select 1 from users) as "exists!""#)
            .fetch_one(conn)
            .await?,
    )
}

/// The legacy units (districts and communes) of a province, with their parents' codes.
pub async fn legacy_units(
    conn: &mut PgConnection,
    province_code: &str,
) -> AppResult<Vec<LegacyUnit>> {
    Ok(sqlx::query_as!(
        LegacyUnit,
        r#"
        select u.level::text as "level!", u.code, u.id, p.code as "parent_code?"
        from admin_units u
        left join admin_units p on p.id = u.parent_id
        where u.province_code = $1 and u.valid_from is null
        "#,
        province_code,
    )
    .fetch_all(conn)
    .await?)
}

/// Creates organisations; answers (name, id) pairs.
pub async fn insert_organisations(
    conn: &mut PgConnection,
    province_code: &str,
    rows: &OrganisationColumns,
) -> AppResult<Vec<(String, i64)>> {
    let inserted = sqlx::query!(
        r#"
        insert into organisations (province_code, kind, name, unit_id)
        select $1, r.kind::organisation_kind, r.name, r.unit_id
        from unnest($2::text[], $3::text[], $4::bigint[]) as r(kind, name, unit_id)
        returning name, id
        "#,
        province_code,
        &rows.kind,
        &rows.name,
        &rows.unit_id as &[Option<i64>],
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.name, r.id)).collect())
}

/// Creates accounts that all have `password_hash`; answers (username, id) pairs.
pub async fn insert_users(
    conn: &mut PgConnection,
    password_hash: &str,
    rows: &UserColumns,
) -> AppResult<Vec<(String, i64)>> {
    let inserted = sqlx::query!(
        r#"
        insert into users (username, full_name, password_hash, role, organisation_id, facility_id)
        select r.username, r.full_name, $1, r.role::user_role, r.organisation_id, r.facility_id
        from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
             as r(username, full_name, role, organisation_id, facility_id)
        returning username, id
        "#,
        password_hash,
        &rows.username,
        &rows.full_name,
        &rows.role,
        &rows.organisation_id,
        &rows.facility_id as &[Option<i64>],
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.username, r.id)).collect())
}

/// Creates facilities; answers (tax code, id) pairs.
pub async fn insert_facilities(
    conn: &mut PgConnection,
    province_code: &str,
    rows: &FacilityColumns,
) -> AppResult<Vec<(String, i64)>> {
    let inserted = sqlx::query!(
        r#"
        insert into facilities
            (province_code, name, legal_form, tax_code, owner_name, phone, address_detail, unit_id,
             sector_code, main_products, workers, annual_revenue, created_by, created_at, updated_at)
        select $1, r.name, r.legal_form::legal_form, r.tax_code, r.owner_name, r.phone, r.address_detail,
               r.unit_id, r.sector_code, r.main_products, r.workers, r.annual_revenue, r.created_by,
               r.created_at, r.created_at
        from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                    $9::text[], $10::text[], $11::int4[], $12::bigint[], $13::bigint[], $14::timestamptz[])
             as r(name, legal_form, tax_code, owner_name, phone, address_detail, unit_id,
                  sector_code, main_products, workers, annual_revenue, created_by, created_at)
        returning tax_code, id
        "#,
        province_code,
        &rows.name,
        &rows.legal_form,
        &rows.tax_code,
        &rows.owner_name,
        &rows.phone,
        &rows.address_detail,
        &rows.unit_id,
        &rows.sector_code,
        &rows.main_products,
        &rows.workers,
        &rows.annual_revenue,
        &rows.created_by,
        &rows.created_at,
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.tax_code, r.id)).collect())
}

/// Takes `count` ids from the proposals' identity sequence, so that beneficiaries and events
/// can refer to proposals before they are inserted.
pub async fn reserve_proposal_ids(conn: &mut PgConnection, count: i32) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"
        select nextval(pg_get_serial_sequence('proposals', 'id')::regclass) as "id!"
        from generate_series(1, $1::int4)
        "#,
        count,
    )
    .fetch_all(conn)
    .await?)
}

/// Creates proposals with their reserved ids.
pub async fn insert_proposals(
    conn: &mut PgConnection,
    province_code: &str,
    rows: &ProposalColumns,
) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into proposals
            (id, province_code, code, plan_year, level, form, activity_type_code, title, unit_id, office_id,
             state, total_cost, requested_support, approved_support, submitted_at, created_by,
             created_at, updated_at)
        overriding system value
        select r.id, $1, r.code, r.plan_year, r.level::proposal_level, r.form::proposal_form,
               r.activity_type_code, r.title, r.unit_id, r.office_id, r.state::proposal_state,
               r.total_cost, r.requested_support, r.approved_support, r.submitted_at, r.created_by,
               r.created_at, r.updated_at
        from unnest($2::bigint[], $3::text[], $4::int2[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::bigint[], $10::bigint[], $11::text[], $12::bigint[], $13::bigint[], $14::bigint[],
                    $15::timestamptz[], $16::bigint[], $17::timestamptz[], $18::timestamptz[])
             as r(id, code, plan_year, level, form, activity_type_code, title, unit_id, office_id, state,
                  total_cost, requested_support, approved_support, submitted_at, created_by,
                  created_at, updated_at)
        "#,
        province_code,
        &rows.id,
        &rows.code as &[Option<String>],
        &rows.plan_year,
        &rows.level,
        &rows.form,
        &rows.activity_type_code,
        &rows.title,
        &rows.unit_id,
        &rows.office_id,
        &rows.state,
        &rows.total_cost,
        &rows.requested_support,
        &rows.approved_support as &[Option<i64>],
        &rows.submitted_at as &[Option<OffsetDateTime>],
        &rows.created_by,
        &rows.created_at,
        &rows.updated_at,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Itemises the demo's budgets, which are summed: every proposal of `province_code` without
/// a budget gets one line of its whole cost and support, and the rest of the cost as its
/// counterpart funds, as a submitted dossier has.
pub async fn itemise_budgets(conn: &mut PgConnection, province_code: &str) -> AppResult<u64> {
    let lines = sqlx::query!(
        r#"
        insert into proposal_cost_lines (proposal_id, position, item, unit, quantity_hundredths,
                                         unit_price, total, support)
        select p.id, 1, 'Máy móc, thiết bị và hạng mục chính của đề án', 'bộ', 100,
               p.total_cost, p.total_cost, p.requested_support
        from proposals p
        where p.province_code = $1 and p.total_cost > 0
          and not exists (select 1 from proposal_cost_lines l where l.proposal_id = p.id)
        "#,
        province_code
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query!(
        r#"
        update proposals set counterpart_funds = total_cost - requested_support
        where province_code = $1 and counterpart_funds = 0 and total_cost > requested_support
        "#,
        province_code
    )
    .execute(conn)
    .await?;
    Ok(lines)
}

/// Links proposals to their beneficiary facilities.
pub async fn insert_beneficiaries(
    conn: &mut PgConnection,
    rows: &BeneficiaryColumns,
) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into proposal_facilities (proposal_id, facility_id)
        select * from unnest($1::bigint[], $2::bigint[])
        "#,
        &rows.proposal_id,
        &rows.facility_id,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Appends timeline events.
pub async fn insert_events(conn: &mut PgConnection, rows: &EventColumns) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into proposal_events (proposal_id, at, actor_id, action, from_state, to_state, note, details)
        select r.proposal_id, r.at, r.actor_id, r.action, r.from_state::proposal_state,
               r.to_state::proposal_state, r.note, r.details::jsonb
        from unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                    $7::text[], $8::text[])
             as r(proposal_id, at, actor_id, action, from_state, to_state, note, details)
        order by r.proposal_id, r.at
        "#,
        &rows.proposal_id,
        &rows.at,
        &rows.actor_id,
        &rows.action,
        &rows.from_state as &[Option<String>],
        &rows.to_state,
        &rows.note,
        &rows.details,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
