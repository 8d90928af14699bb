//! Facilities. Every read is narrowed by the caller's scope (`facility_in_scope`).

use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use super::scope::ScopeParams;
use crate::domain::facility::LegalForm;
use crate::error::AppResult;

/// A row of the facilities list.
#[derive(Clone, Debug)]
pub struct FacilitySummary {
    /// Id.
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Tax code.
    pub tax_code: String,
    /// Commune/ward.
    pub unit_name: String,
    /// District (legacy units) or province.
    pub parent_unit_name: Option<String>,
    /// Sector code.
    pub sector_code: String,
    /// Workers.
    pub workers: i32,
}

/// One facility, with what its page and its form show.
#[derive(Clone, Debug)]
pub struct FacilityDetail {
    /// Id.
    pub id: i64,
    /// Province.
    pub province_code: String,
    /// Legal name.
    pub name: String,
    /// Legal form.
    pub legal_form: LegalForm,
    /// Tax code.
    pub tax_code: String,
    /// Business registration number.
    pub business_registration: String,
    /// Owner.
    pub owner_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Street, hamlet.
    pub address_detail: String,
    /// Commune/ward id.
    pub unit_id: i64,
    /// Commune/ward.
    pub unit_name: String,
    /// Its kind (`xã`, `phường`…).
    pub unit_kind: String,
    /// District (legacy units) or province.
    pub parent_unit_name: Option<String>,
    /// Whether the unit's province is a centrally-run city.
    pub in_central_city: bool,
    /// Sector code.
    pub sector_code: String,
    /// Main products.
    pub main_products: String,
    /// Workers.
    pub workers: i32,
    /// Revenue per year, đồng.
    pub annual_revenue: i64,
    /// Capital, đồng.
    pub capital: i64,
    /// Owned by a woman.
    pub women_owned: bool,
    /// Owned by a member of an ethnic minority.
    pub ethnic_minority_owned: bool,
    /// Holds a typical rural-industrial product certificate.
    pub typical_product: bool,
    /// Exports, or makes goods for export.
    pub exports: bool,
    /// More than half its main inputs come from the province.
    pub local_raw_materials: bool,
    /// Makes clay bricks in manual or ring kilns (excluded).
    pub fired_brick_kiln: bool,
    /// Edit counter.
    pub version: i32,
}

/// A facility as entered, validated.
#[derive(Clone, Debug)]
pub struct FacilityInput {
    /// Legal name.
    pub name: String,
    /// Legal form.
    pub legal_form: LegalForm,
    /// Tax code (digits only).
    pub tax_code: String,
    /// Business registration number.
    pub business_registration: String,
    /// Owner.
    pub owner_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Street, hamlet.
    pub address_detail: String,
    /// Commune/ward.
    pub unit_id: i64,
    /// Sector.
    pub sector_code: String,
    /// Main products.
    pub main_products: String,
    /// Workers.
    pub workers: i32,
    /// Revenue, đồng.
    pub annual_revenue: i64,
    /// Capital, đồng.
    pub capital: i64,
    /// Priority and exclusion flags, in the order of the columns.
    pub women_owned: bool,
    /// See [`FacilityDetail::ethnic_minority_owned`].
    pub ethnic_minority_owned: bool,
    /// See [`FacilityDetail::typical_product`].
    pub typical_product: bool,
    /// See [`FacilityDetail::exports`].
    pub exports: bool,
    /// See [`FacilityDetail::local_raw_materials`].
    pub local_raw_materials: bool,
    /// See [`FacilityDetail::fired_brick_kiln`].
    pub fired_brick_kiln: bool,
    /// Folded text for search (domain::search).
    pub search_text: String,
}

/// Filters of the facilities list.
#[derive(Clone, Debug, Default)]
pub struct FacilityFilters {
    /// A `tsquery` from domain::search.
    pub query: Option<String>,
    /// Sector code.
    pub sector_code: Option<String>,
    /// A unit: the facility's commune or the district above it.
    pub unit_id: Option<i64>,
    /// `name` (default) or `newest`.
    pub sort: String,
}

/// A page of the facilities `scope` shows, filtered, and their total. Two statements, run
/// at once on two connections: a window count in the page query would read every matching
/// row before the first page could be cut off the index in the list's order. A search is
/// ordered by how well each facility matches first: besides being the order a person wants,
/// it keeps the planner from walking the name index in the hope of finding matches early
/// ("Hợp tác xã …" all sort together, far down the index).
#[instrument(level = "debug", skip_all, fields(limit, offset), err)]
pub async fn list(
    pool: &PgPool,
    scope: &ScopeParams,
    filters: &FacilityFilters,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<FacilitySummary>, i64)> {
    let page = sqlx::query_as!(
        FacilitySummary,
        r#"
        select f.id, f.name, f.tax_code, u.full_name as unit_name, pu.full_name as "parent_unit_name?",
               f.sector_code, f.workers
        from facilities f
        join admin_units u on u.id = f.unit_id
        left join admin_units pu on pu.id = f.parent_unit_id
        where facility_in_scope(f, $1, $2, $3, $4, $5)
          and ($8::text is null or f.search_vector @@ to_tsquery('simple', $8))
          and ($9::text is null or f.sector_code = $9)
          and ($10::bigint is null or f.unit_id = $10 or f.parent_unit_id = $10)
        order by case when $8::text is not null
                      then ts_rank(f.search_vector, to_tsquery('simple', $8)) end desc,
                 case when $11 = 'newest' then f.id end desc, f.name, f.id
        limit $6 offset $7
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        limit,
        offset,
        filters.query,
        filters.sector_code,
        filters.unit_id,
        filters.sort,
    )
    .fetch_all(pool);
    let total = sqlx::query_scalar!(
        r#"
        select count(*) as "count!" from facilities f
        where facility_in_scope(f, $1, $2, $3, $4, $5)
          and ($6::text is null or f.search_vector @@ to_tsquery('simple', $6))
          and ($7::text is null or f.sector_code = $7)
          and ($8::bigint is null or f.unit_id = $8 or f.parent_unit_id = $8)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        filters.query,
        filters.sector_code,
        filters.unit_id,
    )
    .fetch_one(pool);
    Ok(tokio::try_join!(page, total)?)
}

/// A row of the facilities list's export.
#[derive(Clone, Debug)]
pub struct FacilityExportRow {
    /// Legal name.
    pub name: String,
    /// Tax code.
    pub tax_code: String,
    /// Legal form.
    pub legal_form: LegalForm,
    /// Owner or representative.
    pub owner_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Street, hamlet.
    pub address_detail: String,
    /// Commune/ward.
    pub unit_name: String,
    /// The district above it (legacy units), if any.
    pub district_name: Option<String>,
    /// Sector, Vietnamese.
    pub sector_vi: String,
    /// Sector, English.
    pub sector_en: String,
    /// Main products.
    pub main_products: String,
    /// Workers.
    pub workers: i32,
    /// Revenue per year, đồng.
    pub annual_revenue: i64,
    /// Capital, đồng.
    pub capital: i64,
}

/// The facilities `scope` shows under `filters`, in the list's order, at most `limit`, each
/// handed to `each` as it is read (a stream: the rows are never all held).
pub async fn export<F, Fut>(
    pool: &PgPool,
    scope: &ScopeParams,
    filters: &FacilityFilters,
    limit: i64,
    mut each: F,
) -> AppResult<()>
where
    F: FnMut(FacilityExportRow) -> Fut,
    Fut: Future<Output = AppResult<()>>,
{
    use futures_util::TryStreamExt as _;
    let mut rows = sqlx::query_as!(
        FacilityExportRow,
        r#"
        select f.name, f.tax_code, f.legal_form as "legal_form: LegalForm", f.owner_name, f.phone,
               f.address_detail, u.full_name as unit_name,
               case when pu.level = 'district' then pu.full_name end as "district_name?",
               s.name_vi as sector_vi, s.name_en as sector_en, f.main_products, f.workers,
               f.annual_revenue, f.capital
        from facilities f
        join admin_units u on u.id = f.unit_id
        left join admin_units pu on pu.id = u.parent_id
        join sectors s on s.code = f.sector_code
        where facility_in_scope(f, $1, $2, $3, $4, $5)
          and ($7::text is null or f.search_vector @@ to_tsquery('simple', $7))
          and ($8::text is null or f.sector_code = $8)
          and ($9::bigint is null or f.unit_id = $9 or f.parent_unit_id = $9)
        order by case when $7::text is not null
                      then ts_rank(f.search_vector, to_tsquery('simple', $7)) end desc,
                 case when $10 = 'newest' then f.id end desc, f.name, f.id
        limit $6
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        limit,
        filters.query,
        filters.sector_code,
        filters.unit_id,
        filters.sort,
    )
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        each(row).await?;
    }
    Ok(())
}

/// The facility, if `scope` includes it (a facility outside the scope is "not found").
pub async fn find(
    pool: &PgPool,
    scope: &ScopeParams,
    id: i64,
) -> AppResult<Option<FacilityDetail>> {
    Ok(sqlx::query_as!(
        FacilityDetail,
        r#"
        select f.id, f.province_code, f.name, f.legal_form as "legal_form: LegalForm", f.tax_code,
               f.business_registration, f.owner_name, f.phone, f.email, f.address_detail,
               f.unit_id, u.full_name as unit_name, u.kind as unit_kind,
               pu.full_name as "parent_unit_name?",
               exists (select 1 from admin_units p where p.level = 'province' and p.code = u.province_code
                         and p.kind = 'thành phố trung ương') as "in_central_city!",
               f.sector_code, f.main_products, f.workers, f.annual_revenue, f.capital,
               f.women_owned, f.ethnic_minority_owned, f.typical_product, f.exports,
               f.local_raw_materials, f.fired_brick_kiln, f.version
        from facilities f
        join admin_units u on u.id = f.unit_id
        left join admin_units pu on pu.id = u.parent_id
        where f.id = $6
          and facility_in_scope(f, $1, $2, $3, $4, $5)
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

/// The id and name of the facility with `tax_code`, if registered (in any scope: tax codes
/// are unique nationally, and a duplicate must be found wherever it is).
pub async fn find_by_tax_code(pool: &PgPool, tax_code: &str) -> AppResult<Option<(i64, String)>> {
    let row = sqlx::query!(
        "select id, name from facilities where tax_code = $1",
        tax_code
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.id, r.name)))
}

/// The id of the facility with `tax_code`, if registered.
pub async fn find_id_by_tax_code(pool: &PgPool, tax_code: &str) -> AppResult<Option<i64>> {
    Ok(find_by_tax_code(pool, tax_code).await?.map(|(id, _)| id))
}

/// A proposal's beneficiaries by tax code, among the facilities in `scope`: each code's
/// facility and its unit, in the order the codes are given (one statement for the list).
pub async fn beneficiaries_by_tax_code(
    pool: &PgPool,
    scope: &ScopeParams,
    tax_codes: &[String],
) -> AppResult<Vec<(String, i64, i64)>> {
    let rows = sqlx::query!(
        r#"
        select f.tax_code as "tax_code!", f.id, f.unit_id
        from unnest($6::text[]) with ordinality as wanted(tax_code, position)
        join facilities f on f.tax_code = wanted.tax_code
        where facility_in_scope(f, $1, $2, $3, $4, $5)
        order by wanted.position
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        tax_codes,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.tax_code, r.id, r.unit_id))
        .collect())
}

/// Registers a facility; a taken tax code violates `facilities_tax_code_key`.
pub async fn insert(
    conn: &mut PgConnection,
    province_code: &str,
    input: &FacilityInput,
    created_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into facilities (province_code, name, legal_form, tax_code, business_registration, owner_name,
            phone, email, address_detail, unit_id, sector_code, main_products, workers, annual_revenue,
            capital, women_owned, ethnic_minority_owned, typical_product, exports, local_raw_materials,
            fired_brick_kiln, search_text, created_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23)
        returning id
        "#,
        province_code,
        input.name,
        input.legal_form as LegalForm,
        input.tax_code,
        input.business_registration,
        input.owner_name,
        input.phone,
        input.email,
        input.address_detail,
        input.unit_id,
        input.sector_code,
        input.main_products,
        input.workers,
        input.annual_revenue,
        input.capital,
        input.women_owned,
        input.ethnic_minority_owned,
        input.typical_product,
        input.exports,
        input.local_raw_materials,
        input.fired_brick_kiln,
        input.search_text,
        created_by,
    )
    .fetch_one(conn)
    .await?)
}

/// Saves an edit made on `version`; `false` when someone saved in between (a stale form).
pub async fn update(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    input: &FacilityInput,
) -> AppResult<bool> {
    let changed = sqlx::query!(
        r#"
        update facilities set name = $3, legal_form = $4, tax_code = $5, business_registration = $6,
            owner_name = $7, phone = $8, email = $9, address_detail = $10, unit_id = $11, sector_code = $12,
            main_products = $13, workers = $14, annual_revenue = $15, capital = $16, women_owned = $17,
            ethnic_minority_owned = $18, typical_product = $19, exports = $20, local_raw_materials = $21,
            fired_brick_kiln = $22, search_text = $23, version = version + 1
        where id = $1 and version = $2
        "#,
        id,
        version,
        input.name,
        input.legal_form as LegalForm,
        input.tax_code,
        input.business_registration,
        input.owner_name,
        input.phone,
        input.email,
        input.address_detail,
        input.unit_id,
        input.sector_code,
        input.main_products,
        input.workers,
        input.annual_revenue,
        input.capital,
        input.women_owned,
        input.ethnic_minority_owned,
        input.typical_product,
        input.exports,
        input.local_raw_materials,
        input.fired_brick_kiln,
        input.search_text,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// A commune a facility may be registered in, for the picker.
#[derive(Clone, Debug)]
pub struct UnitOption {
    /// Unit id.
    pub id: i64,
    /// Full name.
    pub full_name: String,
    /// District (legacy units) or province.
    pub parent_name: Option<String>,
}

/// The communes a user may register facilities in: below the office's area (a local office),
/// or the province's communes in force today (Centre staff: new records use the 2025 units).
pub async fn commune_options(
    pool: &PgPool,
    province_code: &str,
    area_unit_id: Option<i64>,
) -> AppResult<Vec<UnitOption>> {
    Ok(sqlx::query_as!(
        UnitOption,
        r#"
        select u.id, u.full_name, p.full_name as "parent_name?"
        from admin_units u left join admin_units p on p.id = u.parent_id
        where u.level = 'commune'
          and case when $2::bigint is null
                   then u.province_code = $1 and (u.valid_to is null or u.valid_to > current_date)
                   else u.id = $2 or u.parent_id = $2 end
        order by p.full_name, u.name
        "#,
        province_code,
        area_unit_id,
    )
    .fetch_all(pool)
    .await?)
}

/// Sectors in force, for pickers: code and name in both languages.
pub async fn sector_options(pool: &PgPool) -> AppResult<Vec<(String, String, String)>> {
    let rows = sqlx::query!(
        "select code, name_vi, name_en from sectors
         where valid_to is null or valid_to > current_date order by sort_order"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.code, r.name_vi, r.name_en))
        .collect())
}

/// Refreshes the search text of the proposals a facility benefits from (their text holds
/// the beneficiaries' names).
pub async fn touch_proposals_search(conn: &mut PgConnection, facility_id: i64) -> AppResult<()> {
    super::search::refresh_proposals_of_facility(conn, facility_id).await
}

/// What a facility received: per proposal from approval on, the approved support.
#[derive(Clone, Debug)]
pub struct SupportReceived {
    /// Proposal id.
    pub proposal_id: i64,
    /// Approved support, đồng.
    pub approved_support: i64,
}

/// The support approved for the facility's proposals (approved and later, not stopped).
pub async fn support_received(pool: &PgPool, facility_id: i64) -> AppResult<Vec<SupportReceived>> {
    Ok(sqlx::query_as!(
        SupportReceived,
        r#"
        select p.id as proposal_id, p.approved_support as "approved_support!"
        from proposal_facilities pf join proposals p on p.id = pf.proposal_id
        where pf.facility_id = $1 and p.approved_support is not null
          and p.state in ('approved', 'contracted', 'in_progress', 'result_accepted', 'settled', 'completed')
        "#,
        facility_id
    )
    .fetch_all(pool)
    .await?)
}

/// A cost item that appears in more than one of the facility's proposals (repeat support).
#[derive(Clone, Debug)]
pub struct RepeatedItem {
    /// The item as first written.
    pub item: String,
    /// The proposals' codes or titles.
    pub proposals: String,
}

/// Items requested in more than one proposal of the facility that was not refused or
/// withdrawn: a warning that the same item may be supported twice.
pub async fn repeated_items(pool: &PgPool, facility_id: i64) -> AppResult<Vec<RepeatedItem>> {
    Ok(sqlx::query_as!(
        RepeatedItem,
        r#"
        select min(l.item) as "item!",
               string_agg(distinct coalesce(p.code, p.title), ', ') as "proposals!"
        from proposal_facilities pf
        join proposals p on p.id = pf.proposal_id
        join proposal_cost_lines l on l.proposal_id = p.id
        where pf.facility_id = $1 and p.state not in ('rejected', 'withdrawn')
        group by lower(btrim(l.item))
        having count(distinct p.id) > 1
        order by 1
        "#,
        facility_id
    )
    .fetch_all(pool)
    .await?)
}
