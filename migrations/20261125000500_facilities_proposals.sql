-- Facilities (cơ sở công nghiệp nông thôn), proposals (đề án) and the proposal timeline.
-- Money is whole đồng in BIGINT; arithmetic on it is checked in code (domain::money).

create type legal_form as enum (
    'sme',                -- doanh nghiệp nhỏ và vừa
    'cooperative',        -- hợp tác xã
    'cooperative_union',  -- liên hiệp hợp tác xã (Decree 235/2025)
    'cooperative_group',  -- tổ hợp tác
    'household_business'  -- hộ kinh doanh
);

create table facilities (
    id bigint generated always as identity primary key,
    province_code text not null,
    name text not null check (length(name) between 1 and 300),
    legal_form legal_form not null,
    -- Mã số thuế: 10 digits, or 13 for a branch (stored without the dash).
    tax_code text not null check (tax_code ~ '^[0-9]{10}([0-9]{3})?$'),
    owner_name text not null check (length(owner_name) between 1 and 200),
    phone text check (phone is null or phone ~ '^[0-9+ .-]{6,20}$'),
    email text check (email is null or length(email) <= 254),
    -- Street, hamlet (thôn, xóm, tổ dân phố): the part below the commune.
    address_detail text not null default '',
    -- The commune/ward the facility is in (a legacy or a 2025 unit).
    unit_id bigint not null references admin_units (id),
    sector_code text not null references sectors (code),
    main_products text not null default '',
    workers integer not null default 0 check (workers between 0 and 1000000),
    annual_revenue bigint not null default 0 check (annual_revenue >= 0),
    created_by bigint references users (id),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index facilities_tax_code_key on facilities (tax_code);
create index facilities_unit_idx on facilities (unit_id);
create index facilities_province_idx on facilities (province_code, name);
create trigger facilities_updated_at before update on facilities
    for each row execute function set_updated_at();

alter table users add constraint users_facility_fk foreign key (facility_id) references facilities (id);

create type proposal_level as enum ('local', 'national');
create type proposal_form as enum ('normal', 'group', 'flagship');

-- The lifecycle of PRODUCT.md §3. Which action leads from which state to which, and who may
-- take it, is decided in code (domain::proposal); the database only guards the value set.
create type proposal_state as enum (
    'draft', 'submitted', 'returned', 'accepted', 'appraisal_scheduled', 'appraised',
    'approved', 'forwarded', 'contracted', 'in_progress', 'result_accepted', 'settled',
    'completed', 'rejected', 'withdrawn', 'stopped'
);

create table proposals (
    id bigint generated always as identity primary key,
    province_code text not null,
    -- Assigned on first submission: 'ĐP-2024-017' (local) or 'QG-2024-003' (national).
    code text,
    plan_year smallint not null check (plan_year between 2000 and 2100),
    level proposal_level not null,
    form proposal_form not null default 'normal',
    activity_type_code text not null references activity_types (code),
    title text not null check (length(title) between 1 and 500),
    -- Where it is carried out (a commune/ward); the basis of a local office's scope.
    unit_id bigint not null references admin_units (id),
    -- The local office that prepared and submitted it.
    office_id bigint not null references organisations (id),
    state proposal_state not null default 'draft',
    total_cost bigint not null default 0 check (total_cost >= 0),
    requested_support bigint not null default 0
        check (requested_support >= 0 and requested_support <= total_cost),
    approved_support bigint check (approved_support is null or approved_support between 0 and requested_support),
    submitted_at timestamptz,
    -- Optimistic locking: every edit bumps it; a stale form is refused.
    version integer not null default 1,
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index proposals_code_key on proposals (province_code, code) where code is not null;
create index proposals_list_idx on proposals (province_code, plan_year desc, state);
create index proposals_unit_idx on proposals (unit_id);
create index proposals_office_idx on proposals (office_id);
create trigger proposals_updated_at before update on proposals
    for each row execute function set_updated_at();

-- Beneficiary facilities (đơn vị thụ hưởng): one for a normal proposal, several for a group.
create table proposal_facilities (
    proposal_id bigint not null references proposals (id) on delete cascade,
    facility_id bigint not null references facilities (id),
    primary key (proposal_id, facility_id)
);
create index proposal_facilities_facility_idx on proposal_facilities (facility_id);

-- The proposal's timeline: who did what, when, from which state to which. Append-only: the
-- triggers below make the database itself refuse to rewrite history.
create table proposal_events (
    id bigint generated always as identity primary key,
    proposal_id bigint not null references proposals (id),
    at timestamptz not null default now(),
    -- Null for the system's own steps (e.g. the daily job).
    actor_id bigint references users (id),
    action text not null,
    from_state proposal_state,
    to_state proposal_state not null,
    note text not null default '',
    -- Changed amounts and other details of the step.
    details jsonb not null default '{}'
);
create index proposal_events_proposal_idx on proposal_events (proposal_id, at);
create trigger proposal_events_append_only before update or delete on proposal_events
    for each row execute function refuse_change();
create trigger proposal_events_no_truncate before truncate on proposal_events
    for each statement execute function refuse_change();
