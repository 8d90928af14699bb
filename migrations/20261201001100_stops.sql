-- Stopping a proposal's work (ngừng thực hiện, DOMAIN.md §4.8): the decision's number, day
-- and reason. Its approved support goes back to the envelope, less what was paid by then;
-- what was paid is to be recovered (recoveries are payments, and each one recovered goes
-- back to the envelope too).
create table stop_decisions (
    id bigint generated always as identity primary key,
    proposal_id bigint not null unique references proposals (id),
    province_code text not null,
    number text not null check (length(number) between 1 and 100),
    decided_on date not null,
    reason text not null check (length(reason) between 1 and 2000),
    returned bigint not null check (returned >= 0),
    to_recover bigint not null check (to_recover >= 0),
    recorded_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    unique (province_code, number)
);
