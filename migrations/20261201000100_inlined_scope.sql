-- Record scope that the planner can inline. PostgreSQL inlines a SQL function only when its
-- body has no sub-select; the first versions of facility_in_scope and proposal_in_scope had
-- two (the unit's parent, the beneficiaries), so they ran as an opaque call on every row and
-- no index could serve a province or an area (100,000 calls: half a second per list).
-- The rows now carry what the test needs, kept by triggers so no write path can forget it:
--
--   parent_unit_id   the unit above the location (a legacy commune's district, a 2025
--                    commune's province). Units never change parents: a new set of units
--                    gets new rows, so the copy cannot go stale.
--   beneficiary_ids  the proposal's beneficiary facilities, from proposal_facilities.

alter table facilities add column parent_unit_id bigint references admin_units (id);
alter table proposals add column parent_unit_id bigint references admin_units (id);
alter table proposals add column beneficiary_ids bigint[] not null default '{}';

create function set_parent_unit() returns trigger
language plpgsql as $$
begin
    new.parent_unit_id := (select u.parent_id from admin_units u where u.id = new.unit_id);
    return new;
end
$$;
create trigger facilities_parent_unit before insert or update of unit_id on facilities
    for each row execute function set_parent_unit();
create trigger proposals_parent_unit before insert or update of unit_id on proposals
    for each row execute function set_parent_unit();

-- Statement-level, over the changed rows, so a bulk load updates each proposal once; a row
-- that already holds the right list (a bulk load may write it with the row) is left alone:
-- an update rewrites the row and every index entry, the text search's included.
create function sync_beneficiary_ids() returns trigger
language plpgsql as $$
begin
    update proposals p
       set beneficiary_ids = b.ids
      from (select c.proposal_id,
                   coalesce((select array_agg(pf.facility_id order by pf.facility_id)
                             from proposal_facilities pf
                             where pf.proposal_id = c.proposal_id), '{}') as ids
            from (select distinct proposal_id from changed) c) b
     where p.id = b.proposal_id and p.beneficiary_ids is distinct from b.ids;
    return null;
end
$$;
create trigger proposal_facilities_added after insert on proposal_facilities
    referencing new table as changed
    for each statement execute function sync_beneficiary_ids();
create trigger proposal_facilities_removed after delete on proposal_facilities
    referencing old table as changed
    for each statement execute function sync_beneficiary_ids();

-- Existing rows, without touching updated_at (nothing a user did changed).
alter table facilities disable trigger facilities_updated_at;
alter table proposals disable trigger proposals_updated_at;
update facilities f set parent_unit_id = u.parent_id
  from admin_units u where u.id = f.unit_id and u.parent_id is not null;
update proposals p set parent_unit_id = u.parent_id
  from admin_units u where u.id = p.unit_id and u.parent_id is not null;
update proposals p set beneficiary_ids = b.ids
  from (select proposal_id, array_agg(facility_id order by facility_id) as ids
        from proposal_facilities group by proposal_id) b
 where b.proposal_id = p.id;
alter table facilities enable trigger facilities_updated_at;
alter table proposals enable trigger proposals_updated_at;

create or replace function facility_in_scope(
    f facilities, denied boolean, province text, area_unit bigint, office bigint, facility bigint
) returns boolean
language sql immutable as $$
    select not denied
       and (province is null or f.province_code = province)
       and (area_unit is null or f.unit_id = area_unit or f.parent_unit_id = area_unit)
       and (facility is null or f.id = facility)
$$;

create or replace function proposal_in_scope(
    p proposals, denied boolean, province text, area_unit bigint, office bigint, facility bigint
) returns boolean
language sql immutable as $$
    select not denied
       and (province is null or p.province_code = province)
       and (area_unit is null or p.office_id = office
            or p.unit_id = area_unit or p.parent_unit_id = area_unit)
       and (facility is null or p.beneficiary_ids @> array[facility])
$$;

-- An area's records (unit_id has its own index already), a facility's proposals, and the
-- lists' default orders, so the first page is read off an index.
create index facilities_parent_unit_idx on facilities (parent_unit_id);
create index proposals_parent_unit_idx on proposals (parent_unit_id);
create index proposals_beneficiaries_idx on proposals using gin (beneficiary_ids);
create index proposals_newest_idx on proposals (province_code, plan_year desc, id desc);
drop index facilities_province_idx;
create index facilities_province_idx on facilities (province_code, name, id);
