-- Implementation contracts (hợp đồng thực hiện đề án, Thông tư 36/2013/TT-BCT Art. 6.4): one
-- per approved proposal, signed by the Centre (the fund holder) and the implementing side,
-- with the payment terms of the advance rule in force on the signing day; amendments kept.

-- Advance rules (DOMAIN.md §4.6): the share of the approved support that may be advanced and
-- the progress it needs, per province (none: every province) and activity type (none: every
-- type) and period. The default is the national one: 70% of the support once more than 70%
-- of the work is done.
create table advance_rules (
    id bigint generated always as identity primary key,
    province_code text,
    activity_type_code text references activity_types (code),
    share_bp integer not null check (share_bp between 0 and 10000),
    threshold_bp integer not null check (threshold_bp between 0 and 10000),
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date,
    valid_to date,
    created_at timestamptz not null default now(),
    check (valid_to is null or valid_from is null or valid_from < valid_to)
);
create unique index advance_rules_start_key
    on advance_rules (province_code, activity_type_code, valid_from) nulls not distinct;
insert into advance_rules (share_bp, threshold_bp, legal_ref) values
    (7000, 7000, 'Thông tư 36/2013/TT-BCT, Điều 13–16; Thông tư liên tịch 26/2014/TTLT-BTC-BCT, Điều 8.2.b');

create table contracts (
    id bigint generated always as identity primary key,
    proposal_id bigint not null unique references proposals (id),
    province_code text not null,
    number text not null check (length(number) between 1 and 100),
    signed_on date not null,
    -- The fund holder (the Centre) and the implementing side, with who signs for each.
    holder_name text not null check (length(holder_name) between 1 and 300),
    holder_signer text not null check (length(holder_signer) between 1 and 200),
    implementer_name text not null check (length(implementer_name) between 1 and 300),
    implementer_signer text not null check (length(implementer_signer) between 1 and 200),
    approved_support bigint not null check (approved_support > 0),
    counterpart_funds bigint not null check (counterpart_funds >= 0),
    deadline date not null,
    -- The advance terms of the rule in force on the signing day, copied.
    advance_rule_id bigint references advance_rules (id),
    advance_share_bp integer not null check (advance_share_bp between 0 and 10000),
    advance_threshold_bp integer not null check (advance_threshold_bp between 0 and 10000),
    payment_terms text not null default '' check (length(payment_terms) <= 5000),
    version integer not null default 1,
    created_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    check (deadline >= signed_on),
    unique (province_code, number)
);

-- An amendment (phụ lục hợp đồng): what changed and why; the contract row holds the terms in
-- force, each amendment the terms before and after.
create table contract_amendments (
    id bigint generated always as identity primary key,
    contract_id bigint not null references contracts (id),
    number text not null check (length(number) between 1 and 100),
    amended_on date not null,
    reason text not null check (length(reason) between 1 and 2000),
    deadline_before date not null,
    deadline_after date not null,
    counterpart_before bigint not null,
    counterpart_after bigint not null check (counterpart_after >= 0),
    terms_before text not null,
    terms_after text not null check (length(terms_after) <= 5000),
    created_by bigint not null references users (id),
    created_at timestamptz not null default now()
);
create index contract_amendments_contract_idx on contract_amendments (contract_id, amended_on, id);
