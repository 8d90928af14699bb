-- Record scope in one place per record type. The policy (domain::policy) decides which
-- scope a user has; db::scope turns it into these five parameters; every list and record
-- query calls the function, so no query can forget a condition. They are plain SQL
-- functions, which the planner inlines into the calling query.
--
--   denied    the scope grants nothing
--   province  only this province
--   area_unit only records located in this unit or directly below it (a local office) …
--   office    … or, for proposals, submitted by this office
--   facility  only this facility, or proposals that benefit it (a facility owner)

create function facility_in_scope(
    f facilities, denied boolean, province text, area_unit bigint, office bigint, facility bigint
) returns boolean
language sql stable as $$
    select not denied
       and (province is null or f.province_code = province)
       and (area_unit is null or exists (
               select 1 from admin_units u
               where u.id = f.unit_id and (u.id = area_unit or u.parent_id = area_unit)))
       and (facility is null or f.id = facility)
$$;

create function proposal_in_scope(
    p proposals, denied boolean, province text, area_unit bigint, office bigint, facility bigint
) returns boolean
language sql stable as $$
    select not denied
       and (province is null or p.province_code = province)
       and (area_unit is null or p.office_id = office or exists (
               select 1 from admin_units u
               where u.id = p.unit_id and (u.id = area_unit or u.parent_id = area_unit)))
       and (facility is null or exists (
               select 1 from proposal_facilities pf
               where pf.proposal_id = p.id and pf.facility_id = facility))
$$;
