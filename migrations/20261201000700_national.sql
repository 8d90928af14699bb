-- National proposals (DOMAIN.md §4.1, §4.2): appraised national proposals are forwarded to
-- the Ministry in a dispatch (công văn) before the registration deadline; the Ministry's
-- decision is recorded later as a plan decision of the national source.

-- The registration deadline as a rule: the day of the month, and whether it falls in the
-- plan year (0) or the year before (-1), per province (none: every province) and period.
create table national_deadlines (
    id bigint generated always as identity primary key,
    province_code text,
    month smallint not null check (month between 1 and 12),
    day smallint not null check (day between 1 and 31),
    year_offset smallint not null check (year_offset between -1 and 0),
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date,
    valid_to date,
    created_at timestamptz not null default now(),
    check (valid_to is null or valid_from is null or valid_from < valid_to)
);
create unique index national_deadlines_start_key
    on national_deadlines (province_code, valid_from) nulls not distinct;
insert into national_deadlines (month, day, year_offset, legal_ref) values
    (6, 20, -1, 'Thông tư 36/2013/TT-BCT, sửa đổi bởi Thông tư 17/2018/TT-BCT: Sở Công Thương gửi hồ sơ đăng ký kế hoạch khuyến công quốc gia năm sau trước ngày 20 tháng 6');

-- A dispatch to the Ministry and the proposals it forwards (each forwarded once).
create table ministry_forwardings (
    id bigint generated always as identity primary key,
    province_code text not null,
    plan_year smallint not null check (plan_year between 2000 and 2100),
    dispatch_number text not null check (length(dispatch_number) between 1 and 100),
    forwarded_on date not null,
    note text not null default '' check (length(note) <= 2000),
    created_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    unique (province_code, dispatch_number)
);
create index ministry_forwardings_year_idx on ministry_forwardings (province_code, plan_year);
create table forwarding_proposals (
    forwarding_id bigint not null references ministry_forwardings (id),
    proposal_id bigint not null unique references proposals (id),
    primary key (forwarding_id, proposal_id)
);

-- The dispatch's scan is a document of the forwarding.
alter table documents add column forwarding_id bigint references ministry_forwardings (id);
alter table documents drop constraint documents_owner_check;
alter table documents add constraint documents_owner_check
    check (num_nonnulls(proposal_id, plan_decision_id, forwarding_id) = 1);
create index documents_forwarding_idx on documents (forwarding_id)
    where forwarding_id is not null and removed_at is null;
insert into document_kinds (code, name_vi, name_en, legal_ref, sort_order) values
    ('ministry_dispatch', 'Công văn gửi Bộ Công Thương đề nghị hỗ trợ (bản chụp)',
        'Dispatch to the Ministry (scan)', 'Thông tư 36/2013/TT-BCT, sửa đổi bởi Thông tư 17/2018/TT-BCT', 210);
