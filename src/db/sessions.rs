//! Server-side sessions. The cookie holds a random token; rows are keyed by its SHA-256.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::domain::role::Role;
use crate::error::AppResult;

/// The signed-in user behind a live session, with what the pages and the policy need.
#[derive(Clone, Debug)]
pub struct SessionUser {
    /// User id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Full name as shown.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Organisation id.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// The organisation's province.
    pub province_code: String,
    /// The unit a local office serves.
    pub area_unit_id: Option<i64>,
    /// The unit's full name, for the home page.
    pub area_name: Option<String>,
    /// A facility owner's facility.
    pub facility_id: Option<i64>,
    /// When the session was last used (to refresh it at most once a minute).
    pub last_seen_at: OffsetDateTime,
    /// Notifications not read yet (for the header).
    pub unread_notifications: i64,
}

/// Starts a session for `user_id`; it ends after `absolute` whatever happens.
pub async fn insert(
    pool: &PgPool,
    token_hash: &[u8],
    user_id: i64,
    absolute: Duration,
    user_agent: Option<&str>,
) -> AppResult<()> {
    let expires_at = OffsetDateTime::now_utc() + absolute;
    sqlx::query!(
        "insert into sessions (token_hash, user_id, expires_at, user_agent) values ($1, $2, $3, $4)",
        token_hash,
        user_id,
        expires_at,
        user_agent.map(|ua| ua.chars().take(300).collect::<String>()),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The user of a live session: not expired, used within `idle`, account active.
pub async fn find_user(
    pool: &PgPool,
    token_hash: &[u8],
    idle: Duration,
) -> AppResult<Option<SessionUser>> {
    let idle_seconds = idle.as_secs_f64();
    let user = sqlx::query_as!(
        SessionUser,
        r#"
        select u.id as user_id, u.username, u.full_name, u.role as "role: Role",
               o.id as organisation_id, o.name as organisation_name, o.province_code,
               o.unit_id as area_unit_id, au.full_name as "area_name?",
               u.facility_id, s.last_seen_at,
               (select count(*) from notifications n
                where n.user_id = u.id and n.read_at is null) as "unread_notifications!"
        from sessions s
        join users u on u.id = s.user_id
        join organisations o on o.id = u.organisation_id
        left join admin_units au on au.id = o.unit_id
        where s.token_hash = $1
          and s.expires_at > now()
          and s.last_seen_at > now() - make_interval(secs => $2)
          and u.active
        "#,
        token_hash,
        idle_seconds,
    )
    .fetch_optional(pool)
    .await?;
    Ok(user)
}

/// Marks the session as used now.
pub async fn touch(pool: &PgPool, token_hash: &[u8]) -> AppResult<()> {
    sqlx::query!(
        "update sessions set last_seen_at = now() where token_hash = $1",
        token_hash
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete(pool: &PgPool, token_hash: &[u8]) -> AppResult<()> {
    sqlx::query!("delete from sessions where token_hash = $1", token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Removes sessions past their absolute or idle end, and sign-in attempts and status
/// lookups older than a day.
pub async fn delete_expired(pool: &PgPool, idle: Duration) -> AppResult<u64> {
    let idle_seconds = idle.as_secs_f64();
    let sessions = sqlx::query!(
        "delete from sessions where expires_at <= now() or last_seen_at <= now() - make_interval(secs => $1)",
        idle_seconds
    )
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query!("delete from login_attempts where at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    super::lookup::delete_old(pool).await?;
    Ok(sessions)
}
