//! Organisations: the Centre, the Department, local offices, the Ministry, facilities.

use sqlx::PgPool;

use crate::domain::organisation::OrganisationKind;
use crate::error::AppResult;

/// A row of the organisations list.
#[derive(Clone, Debug)]
pub struct OrganisationSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Province code.
    pub province_code: String,
    /// The area a local office serves.
    pub unit_name: Option<String>,
    /// Accounts in it.
    pub users: i64,
    /// Whether it is in use.
    pub active: bool,
}

/// A validated new organisation.
#[derive(Debug)]
pub struct NewOrganisation<'a> {
    /// Province code.
    pub province_code: &'a str,
    /// Kind.
    pub kind: OrganisationKind,
    /// Name.
    pub name: &'a str,
    /// Area (local offices).
    pub unit_id: Option<i64>,
}

/// Every organisation, kind by kind, then by name.
pub async fn list(pool: &PgPool) -> AppResult<Vec<OrganisationSummary>> {
    Ok(sqlx::query_as!(
        OrganisationSummary,
        r#"
        select o.id, o.name, o.kind as "kind: OrganisationKind", o.province_code,
               au.full_name as "unit_name?",
               (select count(*) from users u where u.organisation_id = o.id) as "users!",
               o.active
        from organisations o
        left join admin_units au on au.id = o.unit_id
        order by o.kind, o.name
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// The kind of an organisation, if it exists, and whether it is open (active).
pub async fn find_kind(pool: &PgPool, id: i64) -> AppResult<Option<(OrganisationKind, bool)>> {
    let row = sqlx::query!(
        r#"select kind as "kind: OrganisationKind", active from organisations where id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.kind, r.active)))
}

/// The names of a province's organisations, by name.
pub async fn names_in(
    executor: impl sqlx::PgExecutor<'_>,
    province_code: &str,
) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "select name from organisations where province_code = $1 order by name",
        province_code
    )
    .fetch_all(executor)
    .await?)
}

/// Creates an organisation.
pub async fn insert(
    executor: impl sqlx::PgExecutor<'_>,
    org: &NewOrganisation<'_>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "insert into organisations (province_code, kind, name, unit_id) values ($1, $2, $3, $4) returning id",
        org.province_code,
        org.kind as OrganisationKind,
        org.name,
        org.unit_id,
    )
    .fetch_one(executor)
    .await?)
}

/// Active organisations for a picker: id and name, by name.
pub async fn options(pool: &PgPool) -> AppResult<Vec<(i64, String)>> {
    let rows = sqlx::query!("select id, name from organisations where active order by kind, name")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Who issues a province's documents, for the header of printed papers.
#[derive(Clone, Debug)]
pub struct Issuer {
    /// The Centre's name (or a generic one when the province has none registered).
    pub centre: String,
    /// The body above the Centre: the province's Department of Industry and Trade.
    pub parent: String,
    /// The province's name without its type (`Thái Nguyên`), for "Thái Nguyên, ngày …".
    pub province_name: String,
}

/// The issuer of `province_code`'s documents.
pub async fn issuer(pool: &PgPool, province_code: &str) -> AppResult<Issuer> {
    let row = sqlx::query!(
        r#"
        select (select name from organisations where province_code = $1 and kind = 'centre' and active
                order by id limit 1) as centre,
               (select name from admin_units where level = 'province' and code = $1
                order by valid_from desc nulls last limit 1) as province_name
        "#,
        province_code
    )
    .fetch_one(pool)
    .await?;
    Ok(Issuer {
        centre: row
            .centre
            .unwrap_or_else(|| "Trung tâm Khuyến công".to_owned()),
        parent: format!(
            "Sở Công Thương {}",
            row.province_name.as_deref().unwrap_or_default()
        ),
        province_name: row.province_name.unwrap_or_default(),
    })
}
