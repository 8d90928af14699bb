//! The appraisal visits of the generated timelines, set-wise after the proposals are written.

use sqlx::PgConnection;

use crate::error::AppResult;

/// The appraisal visits of the generated timelines, in one statement: every proposal of
/// `province` that was scheduled for a visit (and is on none yet) goes on one visit per area
/// (legacy district or 2025 commune) and day — the day of its `record_appraisal` event, or a
/// week after its scheduling while still scheduled — led by `leader` with `member`. Appraised
/// proposals get a final record on the default criteria, with points from their id, the
/// score those points make (as `domain::appraisal::Tally::score_tenths` computes it), both
/// members' declarations and the amount their timeline proposed; scheduled ones an empty
/// draft. Returns the number of visits.
pub async fn insert_appraisals(
    conn: &mut PgConnection,
    province: &str,
    leader: i64,
    member: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        with planned as (
            select p.id as proposal_id, p.province_code, coalesce(d.id, p.unit_id) as area_id,
                   coalesce((r.at at time zone 'Asia/Ho_Chi_Minh')::date,
                            (s.at at time zone 'Asia/Ho_Chi_Minh')::date + 7) as visit_date,
                   r.at as appraised_at,
                   least(coalesce((r.details->>'proposed_support')::bigint, p.requested_support),
                         p.requested_support) as proposed
            from proposals p
            join lateral (select max(e.at) as at from proposal_events e
                          where e.proposal_id = p.id and e.action = 'schedule_appraisal') s
                 on s.at is not null
            left join lateral (select e.at, e.details from proposal_events e
                               where e.proposal_id = p.id and e.action = 'record_appraisal'
                               order by e.at limit 1) r on true
            left join admin_units d on d.id = p.parent_unit_id and d.level = 'district'
            where p.province_code = $1
              and not exists (select 1 from visit_proposals vp where vp.proposal_id = p.id)
        ),
        trips as materialized (
            select nextval(pg_get_serial_sequence('appraisal_visits', 'id')) as visit_id,
                   province_code, area_id, visit_date
            from (select distinct province_code, area_id, visit_date from planned) t
        ),
        criteria as (
            select id, position, max_points from appraisal_criteria
            where province_code is null and valid_to is null
        ),
        visits as (
            insert into appraisal_visits (id, province_code, title, visit_date, created_by, created_at)
            overriding system value
            select t.visit_id, t.province_code, 'Thẩm định đề án khuyến công tại ' || a.full_name,
                   t.visit_date, $3, t.visit_date - 10
            from trips t join admin_units a on a.id = t.area_id
            returning id
        ),
        members as (
            insert into visit_members (visit_id, user_id, team_role)
            select visit_id, $2, 'leader' from trips
            union all
            select visit_id, $3, 'member' from trips
            returning id, visit_id, user_id
        ),
        on_visits as (
            insert into visit_proposals (visit_id, proposal_id, position)
            select t.visit_id, g.proposal_id,
                   row_number() over (partition by t.visit_id order by g.proposal_id)
            from planned g join trips t using (province_code, area_id, visit_date)
        ),
        records as (
            insert into appraisal_records (visit_id, proposal_id, status, premises, machinery,
                legal_papers, counterpart_capacity, proposed_support, recommendation, score_tenths,
                version, updated_by, updated_at, finalised_by, finalised_at)
            select t.visit_id, g.proposal_id,
                   case when g.appraised_at is null then 'draft' else 'final' end::appraisal_record_status,
                   case when g.appraised_at is null then '' else 'Nhà xưởng kiên cố, đủ mặt bằng.' end,
                   case when g.appraised_at is null then '' else 'Thiết bị cũ, năng suất thấp.' end,
                   case when g.appraised_at is null then '' else 'Đã đối chiếu đăng ký kinh doanh.' end,
                   case when g.appraised_at is null then '' else 'Cam kết đủ vốn đối ứng.' end,
                   case when g.appraised_at is not null then g.proposed end,
                   case when g.appraised_at is not null then 'approve'::appraisal_recommendation end,
                   case when g.appraised_at is not null then sc.score end,
                   case when g.appraised_at is null then 1 else 2 end,
                   $2, coalesce(g.appraised_at, now()),
                   case when g.appraised_at is not null then $2::bigint end, g.appraised_at
            from planned g
            join trips t using (province_code, area_id, visit_date)
            cross join lateral (
                select ((2000 * sum(c.max_points * (80 + (g.proposal_id * 7 + c.position * 13) % 20) / 100)
                         + sum(c.max_points)) / (2 * sum(c.max_points)))::smallint as score
                from criteria c
            ) sc
            returning id, proposal_id, status
        ),
        scores as (
            insert into appraisal_scores (record_id, criterion_id, points)
            select r.id, c.id,
                   case when r.status = 'final'
                        then (c.max_points * (80 + (r.proposal_id * 7 + c.position * 13) % 20) / 100)::smallint end
            from records r cross join criteria c
        ),
        declared as (
            insert into conflict_declarations (visit_member_id, proposal_id, has_conflict, recorded_by, recorded_at)
            select m.id, g.proposal_id, false, m.user_id, g.appraised_at
            from planned g
            join trips t using (province_code, area_id, visit_date)
            join members m on m.visit_id = t.visit_id
            where g.appraised_at is not null
        )
        -- The other data-modifying parts run to completion whether read here or not.
        select count(*) as "visits!" from visits
        "#,
        province,
        leader,
        member,
    )
    .fetch_one(conn)
    .await?)
}
