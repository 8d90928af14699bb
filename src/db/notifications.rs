//! In-app notifications: a catalogue key and its value per recipient, rendered in the
//! reader's language; the unread count travels with the session user (`db::sessions`).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use crate::error::AppResult;

/// A notification as listed.
#[derive(Clone, Debug)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// Catalogue key of the message.
    pub message_key: String,
    /// Its `{value}`.
    pub value: String,
    /// Where it leads.
    pub link: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// Whether it was read.
    pub read: bool,
}

/// Notifies each of `user_ids` (duplicates once), except `except` (who caused it).
pub async fn notify(
    conn: &mut PgConnection,
    user_ids: &[i64],
    except: i64,
    message_key: &str,
    value: &str,
    link: &str,
) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into notifications (user_id, message_key, value, link)
        select distinct u, $3, $4, $5 from unnest($1::bigint[]) as u where u <> $2
        "#,
        user_ids,
        except,
        message_key,
        value,
        link,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sends `notice` about each proposal of `proposal_ids` with its own value and link: to its
/// followers (when the notice says so: the active users of the office that submitted it and
/// the owners of its beneficiaries), to the active users of
/// its province with one of the notice's roles, and to `asker` when the notice names the one
/// who asked, in one statement; a user who is several is told once, and `except` (the one
/// acting) not at all.
pub async fn notify_about(
    conn: &mut PgConnection,
    proposal_ids: &[i64],
    (except, asker): (i64, Option<i64>),
    notice: &crate::domain::step::Notice,
    values: &[String],
    links: &[String],
) -> AppResult<()> {
    let asker = asker.filter(|_| notice.asker);
    sqlx::query!(
        r#"
        insert into notifications (user_id, message_key, value, link)
        select distinct u.id, $3, t.value, t.link
        from unnest($1::bigint[], $4::text[], $5::text[]) as t(proposal_id, value, link)
        join proposals p on p.id = t.proposal_id
        join users u on u.active and (
               ($6 and (u.organisation_id = p.office_id or u.facility_id = any(p.beneficiary_ids)))
            or (u.role = any($7) and exists (select 1 from organisations o
                                            where o.id = u.organisation_id
                                              and o.province_code = p.province_code))
            or u.id = $8)
        where u.id <> $2
        "#,
        proposal_ids,
        except,
        notice.key,
        values,
        links,
        notice.followers,
        notice.roles as &[crate::domain::role::Role],
        asker,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The active users of a province with `role` (the directors who rank appraised
/// proposals, the accountants who settle accepted ones…).
pub async fn with_role(
    conn: &mut PgConnection,
    province_code: &str,
    role: crate::domain::role::Role,
) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"
        select u.id from users u join organisations o on o.id = u.organisation_id
        where u.active and u.role = $2 and o.province_code = $1
        "#,
        province_code,
        role as crate::domain::role::Role,
    )
    .fetch_all(conn)
    .await?)
}

/// A user's notifications, newest first, and how many there are.
pub async fn list(
    pool: &PgPool,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Notification>, i64)> {
    let rows = sqlx::query_as!(
        Notification,
        r#"
        select id, message_key, value, link, created_at, read_at is not null as "read!"
        from notifications where user_id = $1
        order by created_at desc, id desc limit $2 offset $3
        "#,
        user_id,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "count!" from notifications where user_id = $1"#,
        user_id
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// Marks one of the user's notifications read; returns its link (`None`: not the user's).
pub async fn mark_read(pool: &PgPool, user_id: i64, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        r#"
        update notifications set read_at = coalesce(read_at, now())
        where id = $1 and user_id = $2 returning link
        "#,
        id,
        user_id,
    )
    .fetch_optional(pool)
    .await?)
}

/// Marks all of the user's notifications read.
pub async fn mark_all_read(pool: &PgPool, user_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update notifications set read_at = now() where user_id = $1 and read_at is null",
        user_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A notification to mail: its text's key and value, link, and its user's address.
#[derive(Clone, Debug)]
pub struct Unmailed {
    /// Id.
    pub id: i64,
    /// Catalogue key of the message.
    pub message_key: String,
    /// Its value.
    pub value: String,
    /// Where it leads, a path of the site.
    pub link: String,
    /// The user's name and address (`None`: nothing to send).
    pub to: Option<(String, String)>,
}

/// Takes up to `limit` notifications of the last day not mailed yet, oldest first, locked
/// for the rest of the transaction; those another process took are skipped.
pub async fn take_unmailed(conn: &mut PgConnection, limit: i64) -> AppResult<Vec<Unmailed>> {
    let rows = sqlx::query!(
        r#"
        select n.id, n.message_key, n.value, n.link, u.full_name, u.email
        from notifications n join users u on u.id = n.user_id
        where n.mailed_at is null and n.created_at > now() - interval '1 day'
        order by n.created_at, n.id
        limit $1
        for update of n skip locked
        "#,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Unmailed {
            id: r.id,
            message_key: r.message_key,
            value: r.value,
            link: r.link,
            to: r
                .email
                .filter(|e| !e.trim().is_empty())
                .map(|email| (r.full_name, email)),
        })
        .collect())
}

/// Stamps notifications as mailed.
pub async fn mark_mailed(conn: &mut PgConnection, ids: &[i64]) -> AppResult<()> {
    sqlx::query!(
        "update notifications set mailed_at = now() where id = any($1)",
        ids
    )
    .execute(conn)
    .await?;
    Ok(())
}
