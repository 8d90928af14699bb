-- Funding (issue "Plan decisions and funding"): sources of funds, the yearly envelope of each
-- source with its allocation rounds, and the plan decisions that approve proposals against it.

-- Sources are data: the two of Decree 45 by default; a province may add others (a programme's
-- funds). `level`: the proposals a source funds.
create table funding_sources (
    code text primary key check (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    name_vi text not null check (length(name_vi) between 1 and 200),
    name_en text not null check (length(name_en) between 1 and 200),
    level proposal_level not null,
    legal_ref text not null default '' check (length(legal_ref) <= 500),
    sort_order smallint not null default 0
);
insert into funding_sources (code, name_vi, name_en, level, legal_ref, sort_order) values
    ('national', 'Kinh phí khuyến công quốc gia', 'National industrial-promotion funds', 'national',
        'Nghị định 45/2012/NĐ-CP; Thông tư 28/2018/TT-BTC', 10),
    ('local', 'Kinh phí khuyến công địa phương', 'Local industrial-promotion funds', 'local',
        'Nghị định 45/2012/NĐ-CP; Thông tư 28/2018/TT-BTC', 20);

-- What a province has from a source for a plan year: the sum of its rounds (`amount`), and
-- the support approved against it (`committed`). Every approval and amendment updates
-- `committed` on this row in its own transaction, so the check below holds the invariant
-- "never above the envelope" even when two directors approve at the same moment: the second
-- update waits for the first and is checked against its result.
create table funding_envelopes (
    id bigint generated always as identity primary key,
    province_code text not null,
    plan_year smallint not null check (plan_year between 2000 and 2100),
    source_code text not null references funding_sources (code),
    amount bigint not null default 0 check (amount >= 0),
    committed bigint not null default 0 check (committed >= 0),
    check (committed <= amount),
    unique (province_code, plan_year, source_code)
);

-- An allocation round (the first allocation, a second round, a cut): never changed, so the
-- envelope's history is the list of its rounds.
create table envelope_rounds (
    id bigint generated always as identity primary key,
    envelope_id bigint not null references funding_envelopes (id),
    amount bigint not null check (amount <> 0),
    decided_on date not null,
    reference text not null check (length(reference) between 1 and 200),
    note text not null default '' check (length(note) <= 2000),
    created_by bigint not null references users (id),
    created_at timestamptz not null default now()
);
create index envelope_rounds_envelope_idx on envelope_rounds (envelope_id, decided_on, id);

-- A plan decision (quyết định phê duyệt kế hoạch): approves a set of appraised proposals
-- against an envelope. An amendment is a decision of its own naming the one it amends and the
-- original of the chain, with a reason; lines are never changed, so the history is the chain.
create table plan_decisions (
    id bigint generated always as identity primary key,
    envelope_id bigint not null references funding_envelopes (id),
    province_code text not null,
    number text not null check (length(number) between 1 and 100),
    decided_on date not null,
    signer text not null check (length(signer) between 1 and 200),
    amends_id bigint references plan_decisions (id),
    original_id bigint references plan_decisions (id),
    reason text not null default '' check (length(reason) <= 2000),
    check ((amends_id is null) = (original_id is null)),
    check (amends_id is null or length(reason) > 0),
    created_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    unique (province_code, number)
);
create index plan_decisions_envelope_idx on plan_decisions (envelope_id, decided_on desc, id desc);
create index plan_decisions_original_idx on plan_decisions (original_id) where original_id is not null;

-- A proposal's approved support in a decision, with the cap rule in force on the decision's
-- date and what it allowed.
create table plan_decision_lines (
    decision_id bigint not null references plan_decisions (id),
    proposal_id bigint not null references proposals (id),
    approved_support bigint not null check (approved_support > 0),
    support_cap_id bigint references support_caps (id),
    cap_limit bigint check (cap_limit >= 0),
    previous_support bigint check (previous_support > 0),
    primary key (decision_id, proposal_id)
);
create index plan_decision_lines_proposal_idx on plan_decision_lines (proposal_id);

-- The decision whose line is in force for the proposal (its `approved_support` is that line's).
alter table proposals add column plan_decision_id bigint references plan_decisions (id);
create index proposals_plan_decision_idx on proposals (plan_decision_id)
    where plan_decision_id is not null;

-- A scanned decision is a document of the decision.
alter table documents add column plan_decision_id bigint references plan_decisions (id);
alter table documents drop constraint documents_proposal_id_check;
alter table documents add constraint documents_owner_check
    check (num_nonnulls(proposal_id, plan_decision_id) = 1);
create index documents_plan_decision_idx on documents (plan_decision_id)
    where plan_decision_id is not null and removed_at is null;
insert into document_kinds (code, name_vi, name_en, legal_ref, sort_order) values
    ('plan_decision', 'Quyết định phê duyệt kế hoạch khuyến công (bản chụp)',
        'Plan approval decision (scan)', 'Thông tư 46/2012/TT-BCT, Điều 8', 200);
