-- The public status lookup (/tra-cuu): a facility owner without an account gives a dossier
-- code and a tax code. Each lookup is a row, so throttling against guessing holds across
-- several server processes (like login_attempts). Rows older than a day are removed by the
-- session clean-up.
create table status_lookups (
    id bigint generated always as identity primary key,
    address inet not null,
    -- The code as stored on proposals (normalised), whether or not such a proposal exists.
    code text not null check (length(code) between 1 and 20),
    succeeded boolean not null,
    at timestamptz not null default now()
);
-- Failures and successes from one address within a window.
create index status_lookups_address_idx on status_lookups (address, succeeded, at);
-- Failures for one code within a window, whichever address tried.
create index status_lookups_code_idx on status_lookups (code, at) where not succeeded;
-- The clean-up of old rows.
create index status_lookups_at_idx on status_lookups (at);
