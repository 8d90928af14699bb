-- Facilities registry and proposal dossiers (intake): the fields a dossier needs, itemised
-- cost lines, return requests, proposal codes and diacritics-insensitive search.

-- Search: the application folds text (lower case, no diacritics, đ → d; domain::search) into
-- `search_text`; PostgreSQL indexes its words. "che phuc xuan" finds "Chè Phúc Xuân".

alter table facilities
    add column business_registration text not null default ''
        check (length(business_registration) <= 100),
    -- Decree 80/2021 size test needs capital as well as revenue and workers.
    add column capital bigint not null default 0 check (capital >= 0),
    -- Priority flags (Decree 45 Art. 6; Decree 235/2025 for women- and minority-owned).
    add column women_owned boolean not null default false,
    add column ethnic_minority_owned boolean not null default false,
    add column typical_product boolean not null default false,
    add column exports boolean not null default false,
    add column local_raw_materials boolean not null default false,
    -- Excluded activity (Circular 46/2012 Art. 5.1): clay bricks from manual or ring kilns.
    add column fired_brick_kiln boolean not null default false,
    add column search_text text not null default '',
    add column search_vector tsvector generated always as (to_tsvector('simple', search_text)) stored;
create index facilities_search_idx on facilities using gin (search_vector);
create index facilities_sector_idx on facilities (sector_code);

alter table proposals
    add column objectives text not null default '' check (length(objectives) <= 20000),
    add column content text not null default '' check (length(content) <= 50000),
    add column location_detail text not null default '' check (length(location_detail) <= 500),
    add column start_date date,
    add column end_date date,
    -- Funds the beneficiary commits (vốn đối ứng): total cost minus requested support.
    add column counterpart_funds bigint not null default 0 check (counterpart_funds >= 0),
    -- Expected effects against the baseline (output, revenue, jobs).
    add column baseline_output text not null default '' check (length(baseline_output) <= 2000),
    add column expected_output text not null default '' check (length(expected_output) <= 2000),
    add column baseline_revenue bigint not null default 0 check (baseline_revenue >= 0),
    add column expected_revenue bigint not null default 0 check (expected_revenue >= 0),
    add column baseline_jobs integer not null default 0 check (baseline_jobs between 0 and 1000000),
    add column expected_jobs integer not null default 0 check (expected_jobs between 0 and 1000000),
    -- The beneficiary's commitment that no item received other State funding (TTLT 26/2014 Art. 7).
    add column no_double_funding boolean not null default false,
    add column search_text text not null default '',
    add column search_vector tsvector generated always as (to_tsvector('simple', search_text)) stored,
    add check (end_date is null or start_date is null or start_date <= end_date);
create index proposals_search_idx on proposals using gin (search_vector);
create index proposals_activity_idx on proposals (province_code, activity_type_code);
create index proposals_state_idx on proposals (province_code, state, plan_year);

-- Itemised budget (dự toán chi tiết, Mẫu số 1). Quantities are in hundredths so that 2,5 m²
-- stays exact; the line total is computed in code with checked arithmetic and stored.
create table proposal_cost_lines (
    id bigint generated always as identity primary key,
    proposal_id bigint not null references proposals (id) on delete cascade,
    position smallint not null check (position between 1 and 500),
    item text not null check (length(item) between 1 and 500),
    unit text not null default '' check (length(unit) <= 50),
    quantity_hundredths bigint not null check (quantity_hundredths > 0),
    unit_price bigint not null check (unit_price >= 0),
    total bigint not null check (total >= 0),
    -- Support requested for this line; the rest is counterpart funds.
    support bigint not null default 0 check (support >= 0 and support <= total),
    unique (proposal_id, position)
);

-- Screening returns: what is missing, by when; answered by the next resubmission.
create table return_requests (
    id bigint generated always as identity primary key,
    proposal_id bigint not null references proposals (id),
    requested_by bigint not null references users (id),
    requested_at timestamptz not null default now(),
    missing_items text not null check (length(missing_items) between 1 and 5000),
    due_date date not null,
    answered_at timestamptz
);
create index return_requests_proposal_idx on return_requests (proposal_id, requested_at desc);

-- The last number given per province, plan year and level. Submitting locks its row, so two
-- submissions at the same moment get consecutive numbers and never the same code.
create table proposal_code_counters (
    province_code text not null,
    plan_year smallint not null,
    level proposal_level not null,
    last_number integer not null check (last_number >= 0),
    primary key (province_code, plan_year, level)
);
