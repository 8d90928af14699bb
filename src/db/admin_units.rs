//! Administrative units (read side).

use sqlx::PgPool;
use time::Date;

use crate::error::AppResult;

/// The id of the unit with `code` at `level` that was in force on `on`.
pub async fn find_id_in_force(
    pool: &PgPool,
    level: &str,
    code: &str,
    on: Date,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"
        select id from admin_units
        where level::text = $1 and code = $2
          and (valid_from is null or valid_from <= $3)
          and (valid_to is null or valid_to > $3)
        "#,
        level,
        code,
        on,
    )
    .fetch_optional(pool)
    .await?)
}
