-- Advance requests (DOMAIN.md §4.6, §4.7): the implementing side asks for an advance once a
-- progress report shows the threshold of the contract's terms reached; the Centre confirms
-- the report's volumes (or refuses, with a reason); the accountant pays it with a voucher,
-- which is a payment (`payments`) of kind advance. What is requested and not refused never
-- passes the contract's advance share (checked under the contract row's lock).
create type advance_request_status as enum ('requested', 'confirmed', 'paid', 'refused');

create table advance_requests (
    id bigint generated always as identity primary key,
    contract_id bigint not null references contracts (id),
    progress_report_id bigint not null references progress_reports (id),
    amount bigint not null check (amount > 0),
    status advance_request_status not null default 'requested',
    requested_by bigint not null references users (id),
    requested_at timestamptz not null default now(),
    decided_by bigint references users (id),
    decided_at timestamptz,
    refusal_reason text not null default '' check (length(refusal_reason) <= 2000),
    payment_id bigint unique references payments (id),
    check ((status = 'refused') = (length(refusal_reason) > 0)),
    check ((status = 'paid') = (payment_id is not null))
);
create index advance_requests_contract_idx on advance_requests (contract_id, requested_at);
create index advance_requests_open_idx on advance_requests (status)
    where status in ('requested', 'confirmed');
