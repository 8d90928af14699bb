-- Organisations, users and their sessions.

create type organisation_kind as enum (
    'centre',        -- Trung tâm Khuyến công (the province's Industry Promotion Centre)
    'department',    -- Sở Công Thương and its divisions
    'local_office',  -- district (until 2025) or commune/ward economic office
    'ministry',      -- Bộ Công Thương and its departments
    'facility'       -- a beneficiary's own organisation (facility owners' accounts)
);

create table organisations (
    id bigint generated always as identity primary key,
    -- Every record belongs to a province; one deployment can serve several.
    province_code text not null,
    kind organisation_kind not null,
    name text not null check (length(name) between 1 and 300),
    -- The area a local office serves (a district before July 2025, a commune/ward after).
    unit_id bigint references admin_units (id),
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((kind = 'local_office') = (unit_id is not null)),
    unique (province_code, name)
);
create trigger organisations_updated_at before update on organisations
    for each row execute function set_updated_at();

-- The eight roles of the product; what each may do is decided in code (domain::policy).
create type user_role as enum (
    'admin', 'centre_staff', 'appraiser', 'director', 'accountant',
    'department_viewer', 'local_officer', 'facility_owner'
);

create table users (
    id bigint generated always as identity primary key,
    username text not null check (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    full_name text not null check (length(full_name) between 1 and 200),
    email text check (email is null or length(email) <= 254),
    -- argon2id PHC string; never logged.
    password_hash text not null,
    role user_role not null,
    organisation_id bigint not null references organisations (id),
    -- Set for facility owners only: the facility whose proposals they follow.
    facility_id bigint,
    active boolean not null default true,
    password_changed_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((role = 'facility_owner') = (facility_id is not null))
);
-- Usernames are stored lower-case (the check above), so a plain unique index suffices.
create unique index users_username_key on users (username);
create index users_organisation_idx on users (organisation_id);
create trigger users_updated_at before update on users
    for each row execute function set_updated_at();

-- Server-side sessions, shared by every server process. The cookie carries a random token;
-- only its SHA-256 is stored, so a database leak does not hand out live sessions.
create table sessions (
    token_hash bytea primary key check (length(token_hash) = 32),
    user_id bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    -- Absolute timeout: the session ends then, however active it is.
    expires_at timestamptz not null,
    user_agent text
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

-- Sign-in attempts, for throttling per account and per address (shared across processes).
create table login_attempts (
    id bigint generated always as identity primary key,
    username text not null,
    address inet not null,
    succeeded boolean not null,
    at timestamptz not null default now()
);
create index login_attempts_username_idx on login_attempts (username, at);
create index login_attempts_address_idx on login_attempts (address, at) where not succeeded;
