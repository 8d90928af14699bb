//! User accounts.

use super::found;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::domain::role::Role;
use crate::error::AppResult;

/// What sign-in needs to check a password.
#[derive(Clone)]
pub struct Credentials {
    /// User id.
    pub id: i64,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether the account may sign in.
    pub active: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("id", &self.id)
            .field("password_hash", &"[redacted]")
            .field("active", &self.active)
            .finish()
    }
}

/// A validated new account.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Lower-case login name.
    pub username: &'a str,
    /// Full name.
    pub full_name: &'a str,
    /// E-mail, if any.
    pub email: Option<&'a str>,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub organisation_id: i64,
    /// For facility owners.
    pub facility_id: Option<i64>,
}

/// A row of the users list.
#[derive(Clone, Debug)]
pub struct UserSummary {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Organisation name.
    pub organisation_name: String,
    /// Whether the account may sign in.
    pub active: bool,
}

/// One account, for its admin page.
#[derive(Clone, Debug)]
pub struct UserDetail {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Role.
    pub role: Role,
    /// Organisation id.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Facility (owners).
    pub facility_id: Option<i64>,
    /// Whether the account may sign in.
    pub active: bool,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Sessions currently open.
    pub open_sessions: i64,
}

/// Credentials for `username`, if such an account exists.
pub async fn find_credentials(pool: &PgPool, username: &str) -> AppResult<Option<Credentials>> {
    Ok(sqlx::query_as!(
        Credentials,
        "select id, password_hash, active from users where username = $1",
        username
    )
    .fetch_optional(pool)
    .await?)
}

/// Creates an account; a taken username violates `users_username_key`.
pub async fn insert(pool: &PgPool, user: &NewUser<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into users (username, full_name, email, password_hash, role, organisation_id, facility_id)
        values ($1, $2, $3, $4, $5, $6, $7)
        returning id
        "#,
        user.username,
        user.full_name,
        user.email,
        user.password_hash,
        user.role as Role,
        user.organisation_id,
        user.facility_id,
    )
    .fetch_one(pool)
    .await?)
}

/// One page of accounts, ordered by username, with the total count.
pub async fn list(pool: &PgPool, limit: i64, offset: i64) -> AppResult<(Vec<UserSummary>, i64)> {
    let rows = sqlx::query_as!(
        UserSummary,
        r#"
        select u.id, u.username, u.full_name, u.role as "role: Role",
               o.name as organisation_name, u.active
        from users u join organisations o on o.id = u.organisation_id
        order by u.username
        limit $1 offset $2
        "#,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(r#"select count(*) as "count!" from users"#)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

/// One account.
pub async fn get(pool: &PgPool, id: i64) -> AppResult<UserDetail> {
    Ok(sqlx::query_as!(
        UserDetail,
        r#"
        select u.id, u.username, u.full_name, u.email, u.role as "role: Role",
               u.organisation_id, o.name as organisation_name, u.facility_id, u.active, u.created_at,
               (select count(*) from sessions s where s.user_id = u.id and s.expires_at > now()) as "open_sessions!"
        from users u join organisations o on o.id = u.organisation_id
        where u.id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Changes role, organisation and (for owners) facility.
pub async fn update_assignment(
    pool: &PgPool,
    id: i64,
    role: Role,
    organisation_id: i64,
    facility_id: Option<i64>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        "update users set role = $2, organisation_id = $3, facility_id = $4 where id = $1",
        id,
        role as Role,
        organisation_id,
        facility_id,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // What the user may see changed: make them sign in again.
    end_sessions_if_found(&mut tx, id, changed).await?;
    tx.commit().await?;
    Ok(())
}

/// Activates or deactivates an account; deactivation ends all its sessions.
pub async fn set_active(pool: &PgPool, id: i64, active: bool) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!("update users set active = $2 where id = $1", id, active)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if active {
        found(changed)?;
    } else {
        end_sessions_if_found(&mut tx, id, changed).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces the password hash and ends every session of the account.
pub async fn set_password(pool: &PgPool, id: i64, password_hash: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        "update users set password_hash = $2, password_changed_at = now() where id = $1",
        id,
        password_hash
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    end_sessions_if_found(&mut tx, id, changed).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of user `id`, within the caller's transaction, after checking that
/// the update before it found the user.
async fn end_sessions_if_found(
    tx: &mut sqlx::PgConnection,
    id: i64,
    rows_changed: u64,
) -> AppResult<()> {
    found(rows_changed)?;
    sqlx::query!("delete from sessions where user_id = $1", id)
        .execute(tx)
        .await?;
    Ok(())
}

/// Number of accounts, and of active ones.
pub async fn counts(pool: &PgPool) -> AppResult<(i64, i64)> {
    let row = sqlx::query!(
        r#"select count(*) as "total!", count(*) filter (where active) as "active!" from users"#
    )
    .fetch_one(pool)
    .await?;
    Ok((row.total, row.active))
}

/// Where `create-user` puts an account: the organisation of the province with this exact
/// name, or a new Centre by this name (for the first administrator), when asked for.
#[derive(Clone, Copy, Debug)]
pub enum Placement<'a> {
    /// An organisation that exists.
    Existing(&'a str),
    /// A Centre to create, unless one of that name exists.
    NewCentre(&'a str),
}

/// Creates an account in the organisation `placement` names in `province`, in one
/// transaction. A name that names no organisation is refused with the names it looks like;
/// nothing is created but what was asked for.
pub async fn create_with_organisation(
    pool: &PgPool,
    username: &str,
    full_name: &str,
    password_hash: &str,
    role: Role,
    placement: Placement<'_>,
    province: &str,
) -> anyhow::Result<i64> {
    let mut tx = pool.begin().await?;
    let (Placement::Existing(organisation) | Placement::NewCentre(organisation)) = placement;
    let existing = sqlx::query!(
        "select id, active from organisations where province_code = $1 and name = $2",
        province,
        organisation
    )
    .fetch_optional(&mut *tx)
    .await?;
    let organisation_id = match (existing, placement) {
        (Some(found), _) if !found.active => {
            anyhow::bail!(
                "--organisation: {organisation:?} is closed; choose one that is open today"
            )
        }
        (Some(found), _) => found.id,
        (None, Placement::NewCentre(name)) => {
            let new = super::organisations::NewOrganisation {
                province_code: province,
                kind: crate::domain::organisation::OrganisationKind::Centre,
                name,
                unit_id: None,
            };
            super::organisations::insert(&mut *tx, &new).await?
        }
        (None, Placement::Existing(name)) => {
            let names = super::organisations::names_in(&mut *tx, province).await?;
            anyhow::bail!("{}", no_such_organisation(name, province, &names));
        }
    };
    let id = sqlx::query_scalar!(
        r#"
        insert into users (username, full_name, password_hash, role, organisation_id)
        values ($1, $2, $3, $4, $5) returning id
        "#,
        username,
        full_name,
        password_hash,
        role as Role,
        organisation_id,
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("users_username_key") => {
            anyhow::anyhow!("--username: {username} is taken")
        }
        _ => anyhow::Error::from(e),
    })?;
    tx.commit().await?;
    Ok(id)
}

/// Why `create-user` refuses an organisation name: the names it looks like, or all of the
/// province's when few, and how to create a new Centre instead.
fn no_such_organisation(name: &str, province: &str, names: &[String]) -> String {
    let alike = crate::domain::search::close_matches(name, names, 3);
    let listed = |names: &[&str]| {
        let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        quoted.join(", ")
    };
    let mut message =
        format!("--organisation: province {province} has no organisation named {name:?}");
    if !alike.is_empty() {
        message.push_str(&format!("; did you mean {}?", listed(&alike)));
    } else if names.is_empty() {
        message.push_str(" (it has none yet)");
    }
    message.push_str(" To create a new Centre by that name, add --create-organisation.");
    message
}
