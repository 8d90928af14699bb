//! Demo data (being written by a helper; this placeholder keeps the crate compiling).

/// Placeholder.
pub async fn database_is_empty(_pool: &sqlx::PgPool) -> anyhow::Result<bool> {
    anyhow::bail!("demo data not written yet")
}

/// Placeholder.
pub async fn seed(_pool: &sqlx::PgPool, _p: &crate::auth::password::Passwords) -> anyhow::Result<()> {
    anyhow::bail!("demo data not written yet")
}
