//! Keeps `search_text` (folded by domain::search) current. Write paths set it for the row
//! they write; these functions cover rows whose text depends on other rows (a proposal holds
//! its beneficiaries' names) and rows loaded in bulk (demo data, generated data). And turns
//! what a user typed into the index's query, its last word completed from `search_words`.

use sqlx::{PgConnection, PgPool};

use crate::domain::search::{self, MAX_COMPLETIONS, search_text};
use crate::error::AppResult;

/// The `tsquery` for what a user typed, or `None` when nothing searchable was typed.
pub async fn tsquery(pool: &PgPool, input: &str) -> AppResult<Option<String>> {
    let Some(terms) = search::terms(input) else {
        return Ok(None);
    };
    // Folded words hold letters and digits only, so the prefix has no LIKE wildcard in it.
    let mut completions = sqlx::query_scalar!(
        "select word from search_words where word like $1 || '%' order by word limit $2",
        terms.last,
        MAX_COMPLETIONS as i64 + 1,
    )
    .fetch_all(pool)
    .await?;
    let listed = completions.len() <= MAX_COMPLETIONS;
    completions.truncate(MAX_COMPLETIONS);
    Ok(Some(terms.tsquery(listed.then_some(&completions[..]))))
}

/// Recomputes the search text of the given proposals: code, title, beneficiaries, location.
pub async fn refresh_proposals(conn: &mut PgConnection, ids: &[i64]) -> AppResult<()> {
    let rows = sqlx::query!(
        r#"
        select p.id, coalesce(p.code, '') as "code!", p.title, u.full_name as unit_name,
               coalesce((select string_agg(f.name || ' ' || f.tax_code, ' ')
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!"
        from proposals p join admin_units u on u.id = p.unit_id
        where p.id = any($1)
        "#,
        ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let (ids, texts): (Vec<i64>, Vec<String>) = rows
        .into_iter()
        .map(|r| {
            let text = search_text([r.code.as_str(), &r.title, &r.facilities, &r.unit_name]);
            (r.id, text)
        })
        .unzip();
    sqlx::query!(
        "update proposals p set search_text = t.text from unnest($1::bigint[], $2::text[]) as t(id, text)
         where p.id = t.id and p.search_text is distinct from t.text",
        &ids,
        &texts,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Recomputes the search text of every proposal `facility_id` benefits from.
pub async fn refresh_proposals_of_facility(
    conn: &mut PgConnection,
    facility_id: i64,
) -> AppResult<()> {
    let ids = sqlx::query_scalar!(
        "select proposal_id from proposal_facilities where facility_id = $1",
        facility_id
    )
    .fetch_all(&mut *conn)
    .await?;
    refresh_proposals(conn, &ids).await
}

/// The search text of a facility from its fields.
pub fn facility_text(
    name: &str,
    tax_code: &str,
    owner: &str,
    products: &str,
    unit_name: &str,
) -> String {
    search_text([name, tax_code, owner, products, unit_name])
}

/// Fills the search text of rows that have none (after a bulk load), a batch at a time.
pub async fn fill_missing(conn: &mut PgConnection) -> AppResult<()> {
    loop {
        let rows = sqlx::query!(
            r#"
            select f.id, f.name, f.tax_code, f.owner_name, f.main_products, u.full_name as unit_name
            from facilities f join admin_units u on u.id = f.unit_id
            where f.search_text = '' limit 5000
            "#
        )
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            break;
        }
        let (ids, texts): (Vec<i64>, Vec<String>) = rows
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    facility_text(
                        &r.name,
                        &r.tax_code,
                        &r.owner_name,
                        &r.main_products,
                        &r.unit_name,
                    ),
                )
            })
            .unzip();
        sqlx::query!(
            "update facilities f set search_text = t.text from unnest($1::bigint[], $2::text[]) as t(id, text)
             where f.id = t.id",
            &ids,
            &texts,
        )
        .execute(&mut *conn)
        .await?;
    }
    loop {
        let ids = sqlx::query_scalar!("select id from proposals where search_text = '' limit 5000")
            .fetch_all(&mut *conn)
            .await?;
        if ids.is_empty() {
            break;
        }
        refresh_proposals(conn, &ids).await?;
    }
    Ok(())
}
