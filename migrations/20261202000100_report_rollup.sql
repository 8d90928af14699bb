-- The reports' year-by-year totals, added up ahead of time.
--
-- The annual report compares its year with every earlier one, and the dashboards show the
-- newest year: read live, that is every proposal of ten years with its contract and latest
-- evaluation on each page view (about 100 ms for 100,000 proposals). The rollup holds each
-- plan year's totals per combination of what a scope or a source filter selects on (a few
-- thousand rows for those 100,000), so a report adds up the rollup's rows instead.
--
-- Kept by marks, not by arithmetic in triggers: a statement that changes the proposals, the
-- contracts or the evaluations of a year leaves a mark for that year, and the next report
-- recomputes the marked years from `report_proposals` (the one definition of the figures)
-- before it reads — `db::reports::refresh_rollup`. Marks are only ever inserted (never
-- upserted), so a writer never waits for a reader, and a change committed while a refresh
-- runs keeps its mark for the next one (the refresh deletes only the marks it saw).
--
-- Not marked, because no write path changes them once used: an envelope's source, a plan
-- decision's envelope, the level of a source with envelopes (db::funding::update_source).
-- A migration that changes what `report_proposals` answers must mark every year.

-- report_proposals gains the columns the rollup groups by (its province, its office, its
-- plan decision's source).
drop function report_proposals(boolean, text, bigint, bigint, bigint, smallint, text);
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
    baseline_revenue bigint,
    province_code text,
    office_id bigint,
    source_code text
)
language sql stable as $$
    select p.id, p.plan_year, p.state, p.level, p.activity_type_code, f.sector_code,
           p.unit_id, p.parent_unit_id,
           p.requested_support, p.approved_support,
           c.approved_support, c.counterpart_funds, c.advanced, c.paid,
           p.baseline_jobs, p.baseline_revenue,
           p.province_code, p.office_id, e.source_code
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

create table report_year_rollup (
    province_code text not null,
    plan_year smallint not null,
    state proposal_state not null,
    level proposal_level not null,
    -- The plan decision's source; null before a decision (the proposal then counts for every
    -- source of its level, as in report_proposals).
    source_code text,
    unit_id bigint not null,
    parent_unit_id bigint,
    office_id bigint not null,
    proposals bigint not null,
    approved bigint not null,
    advanced bigint not null,
    paid bigint not null,
    contract_support bigint not null,
    counterpart bigint not null,
    -- Settled and completed proposals with an evaluation, and their latest evaluation's jobs
    -- and yearly revenue above the dossier's baseline.
    evaluated bigint not null,
    jobs_created bigint not null,
    revenue_gain bigint not null
);
create index report_year_rollup_idx on report_year_rollup (province_code, plan_year);

-- A year whose rollup rows may be out of date.
create table report_stale_years (
    id bigint generated always as identity primary key,
    province_code text not null,
    plan_year smallint not null
);

-- The rollup's rows in a scope, year and source: the same arguments and meaning as
-- report_proposals, except that a facility's scope reads nothing (the rollup does not know
-- beneficiaries; owners have no reports).
create function report_rollup(
    denied boolean, province text, area_unit bigint, office bigint, facility bigint,
    year smallint, source text
) returns setof report_year_rollup
language sql stable as $$
    select r.* from report_year_rollup r
    where not denied and facility is null
      and (province is null or r.province_code = province)
      and (area_unit is null or r.office_id = office
           or r.unit_id = area_unit or r.parent_unit_id = area_unit)
      and (year is null or r.plan_year = year)
      and (source is null
           or r.source_code = source
           or (r.source_code is null
               and r.level = (select s.level from funding_sources s where s.code = source)))
$$;

-- Marks the plan years of the changed proposals (statement-level: a bulk load marks each
-- year once per statement).
create function mark_report_years_of_proposals() returns trigger
language plpgsql as $$
begin
    if tg_op in ('INSERT', 'UPDATE') then
        insert into report_stale_years (province_code, plan_year)
        select distinct n.province_code, n.plan_year from new_rows n;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into report_stale_years (province_code, plan_year)
        select distinct o.province_code, o.plan_year from old_rows o;
    end if;
    return null;
end
$$;
create trigger proposals_report_inserted after insert on proposals
    referencing new table as new_rows
    for each statement execute function mark_report_years_of_proposals();
create trigger proposals_report_updated after update on proposals
    referencing old table as old_rows new table as new_rows
    for each statement execute function mark_report_years_of_proposals();
create trigger proposals_report_deleted after delete on proposals
    referencing old table as old_rows
    for each statement execute function mark_report_years_of_proposals();

-- Marks the plan years of the proposals whose contracts or evaluations changed.
create function mark_report_years_of_linked() returns trigger
language plpgsql as $$
begin
    if tg_op in ('INSERT', 'UPDATE') then
        insert into report_stale_years (province_code, plan_year)
        select distinct p.province_code, p.plan_year from proposals p
        where p.id in (select n.proposal_id from new_rows n);
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into report_stale_years (province_code, plan_year)
        select distinct p.province_code, p.plan_year from proposals p
        where p.id in (select o.proposal_id from old_rows o);
    end if;
    return null;
end
$$;
create trigger contracts_report_inserted after insert on contracts
    referencing new table as new_rows
    for each statement execute function mark_report_years_of_linked();
create trigger contracts_report_updated after update on contracts
    referencing old table as old_rows new table as new_rows
    for each statement execute function mark_report_years_of_linked();
create trigger contracts_report_deleted after delete on contracts
    referencing old table as old_rows
    for each statement execute function mark_report_years_of_linked();
create trigger evaluations_report_inserted after insert on evaluations
    referencing new table as new_rows
    for each statement execute function mark_report_years_of_linked();
create trigger evaluations_report_updated after update on evaluations
    referencing old table as old_rows new table as new_rows
    for each statement execute function mark_report_years_of_linked();
create trigger evaluations_report_deleted after delete on evaluations
    referencing old table as old_rows
    for each statement execute function mark_report_years_of_linked();

-- Every year there is, so the first report computes them.
insert into report_stale_years (province_code, plan_year)
select distinct province_code, plan_year from proposals;
