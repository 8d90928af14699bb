-- Reports: the rows the annual report and the dashboards add up.
--
-- One proposal (drafts are not the programme's yet) with what the reports group it by:
-- its unit and the unit's parent (the report groups by district), its sector (its first beneficiary's), its funding source (its
-- plan decision's envelope; before a decision, the source of its level) and its contract's
-- figures. A set-returning SQL function with one SELECT, so PostgreSQL inlines it: the
-- scope, year and source reach the indexes, and the left joins on unique keys a query does
-- not read are removed (the year-by-year totals read the proposals and contracts only).
create function report_proposals(
    denied boolean, province text, area_unit bigint, office bigint, facility bigint,
    year smallint, source text
) returns table (
    id bigint,
    plan_year smallint,
    state proposal_state,
    level proposal_level,
    activity_type_code text,
    sector_code text,
    unit_id bigint,
    parent_unit_id bigint,
    requested_support bigint,
    approved_support bigint,
    contract_support bigint,
    counterpart_funds bigint,
    advanced bigint,
    paid bigint,
    baseline_jobs integer,
    baseline_revenue bigint
)
language sql stable as $$
    select p.id, p.plan_year, p.state, p.level, p.activity_type_code, f.sector_code,
           p.unit_id, p.parent_unit_id,
           p.requested_support, p.approved_support,
           c.approved_support, c.counterpart_funds, c.advanced, c.paid,
           p.baseline_jobs, p.baseline_revenue
    from proposals p
    left join facilities f on f.id = p.beneficiary_ids[1]
    left join plan_decisions d on d.id = p.plan_decision_id
    left join funding_envelopes e on e.id = d.envelope_id
    left join contracts c on c.proposal_id = p.id
    where proposal_in_scope(p, denied, province, area_unit, office, facility)
      and p.state <> 'draft'
      and (year is null or p.plan_year = year)
      and (source is null
           or e.source_code = source
           or (p.plan_decision_id is null
               and p.level = (select s.level from funding_sources s where s.code = source)))
$$;

-- The year-by-year totals and a year's breakdown read from these indexes alone (an
-- index-only scan of every year's proposals instead of their wide rows).
create index proposals_report_idx on proposals (province_code, plan_year, state, level)
    include (id, unit_id, parent_unit_id, office_id, beneficiary_ids, activity_type_code,
             requested_support, approved_support, plan_decision_id);
create index facilities_sector_of_idx on facilities (id) include (sector_code);
