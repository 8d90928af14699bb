//! The daily job's statements: claiming the day's run, and writing each kind of reminder
//! set-wise (one statement a kind, each reminder recorded in `reminders_sent` so that it is
//! sent once).

use sqlx::PgConnection;
use time::Date;

use crate::error::AppResult;

/// Claims the run of `day`: `false` when it ran already (or another process runs it now:
/// this insert then waits for that transaction and finds its row).
pub async fn claim(conn: &mut PgConnection, day: Date) -> AppResult<bool> {
    let done = sqlx::query!(
        "insert into daily_runs (day) values ($1) on conflict (day) do nothing",
        day
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how many reminders the run of `day` wrote.
pub async fn finish(conn: &mut PgConnection, day: Date, reminders: i64) -> AppResult<()> {
    sqlx::query!(
        "update daily_runs set reminders = $2 where day = $1",
        day,
        i32::try_from(reminders).unwrap_or(i32::MAX)
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The provinces with proposals being carried out (each has its own reporting rule).
pub async fn provinces_in_progress(conn: &mut PgConnection) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "select distinct province_code from proposals where state = 'in_progress' order by 1"
    )
    .fetch_all(conn)
    .await?)
}

/// Reminds the followers of each proposal of `province` being carried out, started before
/// `late_from`, that has no report for `due_month` or later; once per proposal and month.
/// `month_label` is the month as shown. Returns how many notifications were written.
pub async fn remind_progress(
    conn: &mut PgConnection,
    province: &str,
    due_month: Date,
    late_from: Date,
    month_label: &str,
) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        with due as (
            select p.id from proposals p
            where p.state = 'in_progress' and p.province_code = $1
              and exists (select 1 from proposal_events e
                          where e.proposal_id = p.id and e.action = 'start'
                            and (e.at at time zone 'Asia/Ho_Chi_Minh')::date < $3)
              and not exists (select 1 from progress_reports r
                              where r.proposal_id = p.id and r.month >= $2)
        ), fresh as (
            insert into reminders_sent (kind, subject_id, period)
            select 'progress_overdue', id, $2 from due
            on conflict do nothing
            returning subject_id
        )
        insert into notifications (user_id, message_key, value, link)
        select distinct u.id, 'notify.progress_overdue', $4, '/proposals/' || p.id || '/progress'
        from fresh f
        join proposals p on p.id = f.subject_id
        join users u on u.active
                    and (u.organisation_id = p.office_id or u.facility_id = any(p.beneficiary_ids))
        "#,
        province,
        due_month,
        late_from,
        month_label,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Reminds the followers of contracts whose deadline falls from `today` to `until` of work
/// not accepted yet; once per contract and deadline.
pub async fn remind_deadlines(conn: &mut PgConnection, today: Date, until: Date) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        with due as (
            select c.id, c.proposal_id, c.deadline from contracts c
            join proposals p on p.id = c.proposal_id
            where p.state in ('contracted', 'in_progress') and c.deadline between $1 and $2
        ), fresh as (
            insert into reminders_sent (kind, subject_id, period)
            select 'contract_deadline', id, deadline from due
            on conflict do nothing
            returning subject_id
        )
        insert into notifications (user_id, message_key, value, link)
        select distinct u.id, 'notify.contract_deadline', to_char(d.deadline, 'DD/MM/YYYY'),
               '/proposals/' || d.proposal_id || '/contract'
        from fresh f
        join due d on d.id = f.subject_id
        join proposals p on p.id = d.proposal_id
        join users u on u.active
                    and (u.organisation_id = p.office_id or u.facility_id = any(p.beneficiary_ids))
        "#,
        today,
        until,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Reminds the Centre's staff and the office of every settled proposal whose evaluation
/// `months` after its settlement (each of `stages`) is due by `today` and not recorded; once
/// per proposal and stage.
pub async fn remind_evaluations(
    conn: &mut PgConnection,
    today: Date,
    stages: &[i16],
) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        with due as (
            select s.proposal_id, s.province_code, m.months,
                   (s.liquidated_on + make_interval(months => m.months))::date as due_on
            from settlements s
            cross join unnest($2::smallint[]) as m(months)
            where (s.liquidated_on + make_interval(months => m.months))::date <= $1
              and not exists (select 1 from evaluations e
                              where e.proposal_id = s.proposal_id and e.months_after = m.months)
        ), fresh as (
            insert into reminders_sent (kind, subject_id, period)
            select 'evaluation_due', proposal_id, due_on from due
            on conflict do nothing
            returning subject_id, period
        )
        insert into notifications (user_id, message_key, value, link)
        select distinct u.id, 'notify.evaluation_due',
               coalesce(p.code, p.title) || ' · ' || to_char(f.period, 'DD/MM/YYYY'),
               '/proposals/' || p.id || '/evaluation'
        from fresh f
        join proposals p on p.id = f.subject_id
        join users u on u.active
             and (u.organisation_id = p.office_id
                  or (u.role = 'centre_staff'
                      and u.organisation_id in (select o.id from organisations o
                                                where o.province_code = p.province_code)))
        "#,
        today,
        stages,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Reminds the members with an account of every visit planned on `tomorrow`; once a visit.
pub async fn remind_visits(conn: &mut PgConnection, tomorrow: Date) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        with fresh as (
            insert into reminders_sent (kind, subject_id, period)
            select 'visit_tomorrow', v.id, v.visit_date from appraisal_visits v
            where v.state = 'planned' and v.visit_date = $1
            on conflict do nothing
            returning subject_id
        )
        insert into notifications (user_id, message_key, value, link)
        select m.user_id, 'notify.visit_tomorrow', v.title, '/appraisals/visits/' || v.id
        from fresh f
        join appraisal_visits v on v.id = f.subject_id
        join visit_members m on m.visit_id = v.id and m.user_id is not null
        join users u on u.id = m.user_id and u.active
        "#,
        tomorrow,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
