//! Rows that go in by the thousand: the demo (`crate::demo`) and the performance data set
//! (`crate::generate`) write facilities, proposals, beneficiaries, budget lines, returns and
//! timeline events through these statements, one statement per table and batch, on the
//! connection of their one loading transaction. Rows travel as column arrays (`unnest`);
//! enum columns travel as text and are cast in SQL.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use crate::domain::proposal::ProposalState;
use crate::error::AppResult;

/// Declares a row and its columns: `$row` is one record, `$columns` holds the same fields as
/// arrays for `unnest`, and `push` moves a whole row in. Because a row must name every field,
/// no column can fall behind the others.
macro_rules! columns {
    ($(#[$doc:meta])* $row:ident => $columns:ident {
        $($(#[$field_doc:meta])* $field:ident: $ty:ty,)*
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $row {
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        #[doc = concat!("[`", stringify!($row), "`]s, column by column.")]
        #[derive(Debug, Default)]
        pub struct $columns {
            $($(#[$field_doc])* pub $field: Vec<$ty>,)*
        }

        impl $columns {
            #[doc = concat!("Appends one [`", stringify!($row), "`] to every column.")]
            pub fn push(&mut self, row: $row) {
                $(self.$field.push(row.$field);)*
            }
        }
    };
}

columns! {
    /// A facility to create.
    FacilityRow => FacilityColumns {
        /// Legal name.
        name: String,
        /// Legal form code (`legal_form`).
        legal_form: String,
        /// Tax code (unique).
        tax_code: String,
        /// Owner.
        owner_name: String,
        /// Phone.
        phone: Option<String>,
        /// Hamlet or street.
        address_detail: String,
        /// Commune id.
        unit_id: i64,
        /// Sector code.
        sector_code: String,
        /// Main products.
        main_products: String,
        /// Workers.
        workers: i32,
        /// Revenue per year, đồng.
        annual_revenue: i64,
        /// Business registration number ('' when none).
        business_registration: String,
        /// Capital, đồng.
        capital: i64,
        /// Owned by a woman.
        women_owned: bool,
        /// Owned by a member of an ethnic minority.
        ethnic_minority_owned: bool,
        /// Makes a typical rural-industrial product.
        typical_product: bool,
        /// Exports.
        exports: bool,
        /// Uses local raw materials.
        local_raw_materials: bool,
        /// Who registered it.
        created_by: i64,
        /// When it was registered.
        created_at: OffsetDateTime,
    }
}

columns! {
    /// A proposal to create, with an id taken from [`reserve_proposal_ids`].
    ProposalRow => ProposalColumns {
        /// Reserved id.
        id: i64,
        /// Beneficiary facility ids as an array literal ([`id_array`]): written with the row,
        /// so the trigger that keeps them has nothing to update when the links follow.
        beneficiary_ids: String,
        /// Code of a submitted proposal.
        code: Option<String>,
        /// Plan year.
        plan_year: i16,
        /// Level code (`proposal_level`).
        level: String,
        /// Form code (`proposal_form`).
        form: String,
        /// Activity type code.
        activity_type_code: String,
        /// Title.
        title: String,
        /// Location (commune id).
        unit_id: i64,
        /// Submitting office.
        office_id: i64,
        /// State code (`proposal_state`).
        state: String,
        /// Total cost, đồng.
        total_cost: i64,
        /// Requested support, đồng.
        requested_support: i64,
        /// Counterpart funds, đồng.
        counterpart_funds: i64,
        /// Approved support, đồng.
        approved_support: Option<i64>,
        /// First submission.
        submitted_at: Option<OffsetDateTime>,
        /// Objectives.
        objectives: String,
        /// Content.
        content: String,
        /// Where, below the commune.
        location_detail: String,
        /// Planned start.
        start_date: Option<Date>,
        /// Planned end.
        end_date: Option<Date>,
        /// Output before.
        baseline_output: String,
        /// Output expected.
        expected_output: String,
        /// Revenue before, đồng.
        baseline_revenue: i64,
        /// Revenue expected, đồng.
        expected_revenue: i64,
        /// Jobs before.
        baseline_jobs: i32,
        /// Jobs expected.
        expected_jobs: i32,
        /// The no-double-funding commitment.
        no_double_funding: bool,
        /// Author.
        created_by: i64,
        /// First event.
        created_at: OffsetDateTime,
        /// Last event.
        updated_at: OffsetDateTime,
    }
}

columns! {
    /// A beneficiary link: a proposal and one of its facilities.
    BeneficiaryRow => BeneficiaryColumns {
        /// Proposal id.
        proposal_id: i64,
        /// Facility id.
        facility_id: i64,
    }
}

columns! {
    /// A budget line to create.
    CostLineRow => CostLineColumns {
        /// Proposal id.
        proposal_id: i64,
        /// Position within the proposal, from 1.
        position: i16,
        /// Item.
        item: String,
        /// Unit of measure.
        unit: String,
        /// Quantity in hundredths.
        quantity_hundredths: i64,
        /// Unit price, đồng.
        unit_price: i64,
        /// Line total, đồng.
        total: i64,
        /// Support requested, đồng.
        support: i64,
    }
}

columns! {
    /// A screening return to create.
    ReturnRow => ReturnColumns {
        /// Proposal id.
        proposal_id: i64,
        /// Who returned the dossier.
        requested_by: i64,
        /// When.
        requested_at: OffsetDateTime,
        /// What is missing.
        missing_items: String,
        /// By when.
        due_date: Date,
        /// The resubmission that answered it.
        answered_at: Option<OffsetDateTime>,
    }
}

/// The array literal (`{3,17}`) of ids, ascending, for a `bigint[]` column sent as text.
pub fn id_array(ids: &[i64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let listed: Vec<String> = sorted.iter().map(i64::to_string).collect();
    format!("{{{}}}", listed.join(","))
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
             sector_code, main_products, workers, annual_revenue, business_registration, capital,
             women_owned, ethnic_minority_owned, typical_product, exports, local_raw_materials,
             created_by, created_at, updated_at)
        select $1, r.name, r.legal_form::legal_form, r.tax_code, r.owner_name, r.phone,
               r.address_detail, r.unit_id, r.sector_code, r.main_products, r.workers,
               r.annual_revenue, r.business_registration, r.capital, r.women_owned,
               r.ethnic_minority_owned, r.typical_product, r.exports, r.local_raw_materials,
               r.created_by, r.created_at, r.created_at
        from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::bigint[], $9::text[], $10::text[], $11::int4[], $12::bigint[], $13::text[],
                    $14::bigint[], $15::bool[], $16::bool[], $17::bool[], $18::bool[], $19::bool[],
                    $20::bigint[], $21::timestamptz[])
             as r(name, legal_form, tax_code, owner_name, phone, address_detail, unit_id,
                  sector_code, main_products, workers, annual_revenue, business_registration,
                  capital, women_owned, ethnic_minority_owned, typical_product, exports,
                  local_raw_materials, created_by, created_at)
        returning tax_code, id
        "#,
        province_code,
        &rows.name,
        &rows.legal_form,
        &rows.tax_code,
        &rows.owner_name,
        &rows.phone as &[Option<String>],
        &rows.address_detail,
        &rows.unit_id,
        &rows.sector_code,
        &rows.main_products,
        &rows.workers,
        &rows.annual_revenue,
        &rows.business_registration,
        &rows.capital,
        &rows.women_owned,
        &rows.ethnic_minority_owned,
        &rows.typical_product,
        &rows.exports,
        &rows.local_raw_materials,
        &rows.created_by,
        &rows.created_at,
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.tax_code, r.id)).collect())
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
            (id, province_code, code, plan_year, level, form, activity_type_code, title, unit_id,
             office_id, state, total_cost, requested_support, counterpart_funds, approved_support,
             submitted_at, objectives, content, location_detail, start_date, end_date,
             baseline_output, expected_output, baseline_revenue, expected_revenue, baseline_jobs,
             expected_jobs, no_double_funding, created_by, created_at, updated_at, beneficiary_ids)
        overriding system value
        select r.id, $1, r.code, r.plan_year, r.level::proposal_level, r.form::proposal_form,
               r.activity_type_code, r.title, r.unit_id, r.office_id, r.state::proposal_state,
               r.total_cost, r.requested_support, r.counterpart_funds, r.approved_support,
               r.submitted_at, r.objectives, r.content, r.location_detail, r.start_date,
               r.end_date, r.baseline_output, r.expected_output, r.baseline_revenue,
               r.expected_revenue, r.baseline_jobs, r.expected_jobs, r.no_double_funding,
               r.created_by, r.created_at, r.updated_at, r.beneficiary_ids::bigint[]
        from unnest($2::bigint[], $3::text[], $4::int2[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[],
                    $13::bigint[], $14::bigint[], $15::bigint[], $16::timestamptz[], $17::text[],
                    $18::text[], $19::text[], $20::date[], $21::date[], $22::text[], $23::text[],
                    $24::bigint[], $25::bigint[], $26::int4[], $27::int4[], $28::bool[],
                    $29::bigint[], $30::timestamptz[], $31::timestamptz[], $32::text[])
             as r(id, code, plan_year, level, form, activity_type_code, title, unit_id, office_id,
                  state, total_cost, requested_support, counterpart_funds, approved_support,
                  submitted_at, objectives, content, location_detail, start_date, end_date,
                  baseline_output, expected_output, baseline_revenue, expected_revenue,
                  baseline_jobs, expected_jobs, no_double_funding, created_by, created_at,
                  updated_at, beneficiary_ids)
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
        &rows.counterpart_funds,
        &rows.approved_support as &[Option<i64>],
        &rows.submitted_at as &[Option<OffsetDateTime>],
        &rows.objectives,
        &rows.content,
        &rows.location_detail,
        &rows.start_date as &[Option<Date>],
        &rows.end_date as &[Option<Date>],
        &rows.baseline_output,
        &rows.expected_output,
        &rows.baseline_revenue,
        &rows.expected_revenue,
        &rows.baseline_jobs,
        &rows.expected_jobs,
        &rows.no_double_funding,
        &rows.created_by,
        &rows.created_at,
        &rows.updated_at,
        &rows.beneficiary_ids,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Creates budget lines.
pub async fn insert_cost_lines(conn: &mut PgConnection, rows: &CostLineColumns) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into proposal_cost_lines
            (proposal_id, position, item, unit, quantity_hundredths, unit_price, total, support)
        select * from unnest($1::bigint[], $2::int2[], $3::text[], $4::text[], $5::bigint[],
                             $6::bigint[], $7::bigint[], $8::bigint[])
        "#,
        &rows.proposal_id,
        &rows.position,
        &rows.item,
        &rows.unit,
        &rows.quantity_hundredths,
        &rows.unit_price,
        &rows.total,
        &rows.support,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Creates screening returns.
pub async fn insert_returns(conn: &mut PgConnection, rows: &ReturnColumns) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into return_requests
            (proposal_id, requested_by, requested_at, missing_items, due_date, answered_at)
        select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[],
                             $5::date[], $6::timestamptz[])
        "#,
        &rows.proposal_id,
        &rows.requested_by,
        &rows.requested_at,
        &rows.missing_items,
        &rows.due_date,
        &rows.answered_at as &[Option<OffsetDateTime>],
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
