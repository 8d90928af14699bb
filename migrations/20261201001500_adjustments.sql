-- Adjustments (điều chỉnh, DOMAIN.md §4.8): the implementing side asks to change a proposal
-- being carried out, with its reasons; who decides each kind is a rule (Thông tư 36/2013/TT-BCT
-- Art. 11 by default: an increase of support, a change of content or an extension into the
-- next year need the top level; the Department approves the rest).
create type adjustment_kind as enum (
    'schedule', 'extension', 'location', 'beneficiary', 'content',
    'support_increase', 'support_decrease'
);
create type adjustment_level as enum ('department', 'top');

create table adjustment_rules (
    id bigint generated always as identity primary key,
    province_code text,
    kind adjustment_kind not null,
    level adjustment_level not null,
    legal_basis text not null check (length(legal_basis) between 1 and 300),
    valid_from date not null default '2013-01-01',
    valid_to date,
    check (valid_to is null or valid_to >= valid_from)
);
create index adjustment_rules_kind_idx on adjustment_rules (kind, province_code);

insert into adjustment_rules (kind, level, legal_basis) values
    ('schedule', 'department', 'Thông tư 36/2013/TT-BCT, Điều 11'),
    ('extension', 'top', 'Thông tư 36/2013/TT-BCT, Điều 11'),
    ('location', 'department', 'Thông tư 36/2013/TT-BCT, Điều 11'),
    ('beneficiary', 'department', 'Thông tư 36/2013/TT-BCT, Điều 11'),
    ('content', 'top', 'Thông tư 36/2013/TT-BCT, Điều 11'),
    ('support_increase', 'top', 'Thông tư 36/2013/TT-BCT, Điều 11'),
    ('support_decrease', 'department', 'Thông tư 36/2013/TT-BCT, Điều 11');

create type adjustment_status as enum ('requested', 'approved', 'refused');

create table adjustment_requests (
    id bigint generated always as identity primary key,
    proposal_id bigint not null references proposals (id),
    province_code text not null,
    kind adjustment_kind not null,
    -- The level the rule in force on the request's day gave, and the rule.
    level adjustment_level not null,
    rule_id bigint not null references adjustment_rules (id),
    reason text not null check (length(reason) between 1 and 5000),
    -- What is to change, in words (the new location, beneficiary, content).
    change text not null default '' check (length(change) <= 5000),
    new_deadline date,
    new_support bigint check (new_support >= 0),
    -- The approved support before an approved change of support (the history).
    support_before bigint,
    status adjustment_status not null default 'requested',
    requested_by bigint not null references users (id),
    requested_at timestamptz not null default now(),
    decided_by bigint references users (id),
    decided_at timestamptz,
    -- The decision: the Department's, or the top level's it records.
    decision_number text check (length(decision_number) between 1 and 100),
    decided_on date,
    decision_issuer text check (length(decision_issuer) <= 300),
    refusal_reason text check (length(refusal_reason) between 1 and 2000),
    check ((kind in ('schedule', 'extension')) = (new_deadline is not null)),
    check ((kind in ('support_increase', 'support_decrease')) = (new_support is not null)),
    check ((status = 'requested') = (decided_by is null)),
    check ((status = 'approved') = (decision_number is not null and decided_on is not null)),
    check ((status = 'refused') = (refusal_reason is not null))
);
-- One open request of each kind per proposal.
create unique index adjustment_requests_open_key on adjustment_requests (proposal_id, kind)
    where status = 'requested';
create index adjustment_requests_proposal_idx on adjustment_requests (proposal_id, requested_at);
create index adjustment_requests_open_idx on adjustment_requests (province_code)
    where status = 'requested';
