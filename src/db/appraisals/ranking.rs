//! The ranking rows of appraised proposals, and the years that have some.

use sqlx::PgPool;
use time::Date;

use super::RankingRow;
use crate::domain::appraisal::Recommendation;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::error::AppResult;

/// Appraised proposals of a province, plan year and level, with what the ranking orders
/// them by (the order itself is `domain::appraisal::RankingKey`).
pub async fn ranking(
    pool: &PgPool,
    province_code: &str,
    plan_year: i16,
    level: ProposalLevel,
    state: ProposalState,
    on: Date,
) -> AppResult<Vec<RankingRow>> {
    Ok(sqlx::query_as!(
        RankingRow,
        r#"
        select p.id, p.code, p.title, u.full_name as unit_name, p.requested_support,
               r.proposed_support, r.score_tenths as "score_tenths!",
               r.recommendation as "recommendation!: Recommendation",
               coalesce(b.names, '') as "facilities!",
               coalesce(b.sectors, '{}') as "sectors!", coalesce(b.workers, '{}') as "workers!",
               coalesce(b.typical, '{}') as "typical!", coalesce(b.exports, '{}') as "exports!",
               coalesce(b.local_raw, '{}') as "local_raw!",
               array(select pa.kind from priority_areas pa
                     where pa.unit_id in (p.unit_id, p.parent_unit_id, u.parent_id)
                       and (pa.valid_from is null or pa.valid_from <= $4)
                       and (pa.valid_to is null or pa.valid_to > $4)) as "area_kinds!",
               p.activity_type_code, p.total_cost, p.technology_line, v.visit_date as appraised_on
        from proposals p
        join admin_units u on u.id = p.unit_id
        join appraisal_records r on r.proposal_id = p.id and r.status = 'final'
        join appraisal_visits v on v.id = r.visit_id
        left join lateral (
            select string_agg(f.name, ', ' order by f.name) as names,
                   array_agg(f.sector_code order by f.name) as sectors,
                   array_agg(f.workers order by f.name) as workers,
                   array_agg(f.typical_product order by f.name) as typical,
                   array_agg(f.exports order by f.name) as exports,
                   array_agg(f.local_raw_materials order by f.name) as local_raw
            from proposal_facilities pf join facilities f on f.id = pf.facility_id
            where pf.proposal_id = p.id
        ) b on true
        where p.province_code = $1 and p.plan_year = $2 and p.level = $3 and p.state = $5
        "#,
        province_code,
        plan_year,
        level as ProposalLevel,
        on,
        state as ProposalState,
    )
    .fetch_all(pool)
    .await?)
}

/// Plan years with appraised proposals in a province, newest first.
pub async fn ranking_years(pool: &PgPool, province_code: &str) -> AppResult<Vec<i16>> {
    Ok(sqlx::query_scalar!(
        r#"
        select distinct plan_year from proposals
        where province_code = $1 and state = 'appraised'
        order by plan_year desc
        "#,
        province_code
    )
    .fetch_all(pool)
    .await?)
}
