-- Acceptance (nghiệm thu, DOMAIN.md §4.9), settlement (thanh lý, quyết toán, §4.10) and the
-- evaluation of effects (§4.11).

-- An acceptance visit is a visit like an appraisal's: one day, a team with a leader, each
-- member's declaration on each proposal. Its proposals are being carried out and stay so;
-- each gets an acceptance record instead of an appraisal record.
create type visit_purpose as enum ('appraisal', 'acceptance');
alter table appraisal_visits add column purpose visit_purpose not null default 'appraisal';

-- The evidence the beneficiary shows at acceptance, per activity type (Thông tư 36/2013/TT-BCT
-- Art. 14): rules as data, per province (null: the national default) and period.
create table acceptance_evidence (
    id bigint generated always as identity primary key,
    province_code text,
    activity_type_code text not null references activity_types (code),
    position smallint not null check (position between 1 and 100),
    name_vi text not null check (length(name_vi) between 1 and 300),
    name_en text not null check (length(name_en) between 1 and 300),
    legal_basis text not null check (length(legal_basis) between 1 and 300),
    valid_from date not null default '2013-01-01',
    valid_to date,
    check (valid_to is null or valid_to >= valid_from)
);
create index acceptance_evidence_type_idx on acceptance_evidence (activity_type_code, position);

insert into acceptance_evidence (activity_type_code, position, name_vi, name_en, legal_basis)
select t.code, e.position, e.name_vi, e.name_en, e.legal_basis
from activity_types t
join (values
    ('machinery', 1, 'Hợp đồng mua bán máy móc, thiết bị', 'Purchase contract of the machinery', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('machinery', 2, 'Hóa đơn mua máy móc, thiết bị', 'Invoices of the machinery', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('machinery', 3, 'Biên bản lắp đặt, nghiệm thu và bàn giao máy móc', 'Installation, acceptance and handover minutes of the machinery', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('machinery', 4, 'Biên bản thanh lý hợp đồng mua bán', 'Liquidation minutes of the purchase contract', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('demonstration_model', 1, 'Hóa đơn các hạng mục được hỗ trợ', 'Invoices of the supported items', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('demonstration_model', 2, 'Danh sách đại biểu dự hội nghị trình diễn có chữ ký', 'Signed attendance list of the demonstration event', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('demonstration_model', 3, 'Tài liệu giới thiệu mô hình', 'Brochure of the model', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('cleaner_production_pilot', 1, 'Hóa đơn các hạng mục được hỗ trợ', 'Invoices of the supported items', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('cleaner_production_pilot', 2, 'Danh sách đại biểu dự hội nghị trình diễn có chữ ký', 'Signed attendance list of the demonstration event', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('technology_transfer', 1, 'Hợp đồng chuyển giao công nghệ', 'Technology transfer contract', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('technology_transfer', 2, 'Biên bản nghiệm thu, thanh lý hợp đồng chuyển giao', 'Acceptance and liquidation minutes of the transfer', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('training', 1, 'Chứng chỉ, giấy chứng nhận của học viên', 'Trainees'' certificates', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('training', 2, 'Danh sách học viên có chữ ký', 'Signed list of trainees', 'Thông tư 36/2013/TT-BCT, Điều 14'),
    ('training', 3, 'Danh sách học viên có việc làm sau đào tạo', 'List of trainees employed afterwards', 'Thông tư 36/2013/TT-BCT, Điều 14')
) as e (activity_type_code, position, name_vi, name_en, legal_basis) on e.activity_type_code = t.code;

-- Every other activity type: the invoices of what was supported.
insert into acceptance_evidence (activity_type_code, position, name_vi, name_en, legal_basis)
select t.code, 1, 'Hóa đơn, chứng từ chi của các hạng mục được hỗ trợ',
       'Invoices and vouchers of the supported items', 'Thông tư 36/2013/TT-BCT, Điều 14'
from activity_types t
where not exists (select 1 from acceptance_evidence e where e.activity_type_code = t.code);

-- An acceptance record: one per proposal on an acceptance visit. The team checks each
-- evidence item and admits an amount of support per cost line; the leader finalises it as
-- passed or failed. A failed acceptance leaves the proposal being carried out, to be
-- accepted again on another visit.
create type acceptance_status as enum ('draft', 'final', 'void');
create type acceptance_result as enum ('pass', 'fail');

create table acceptance_records (
    id bigint generated always as identity primary key,
    visit_id bigint not null references appraisal_visits (id),
    proposal_id bigint not null references proposals (id),
    status acceptance_status not null default 'draft',
    result acceptance_result,
    conclusion text not null default '' check (length(conclusion) <= 5000),
    -- The support admitted: the sum of the lines' admitted amounts, set when finalised.
    admitted_support bigint check (admitted_support >= 0),
    finalised_by bigint references users (id),
    finalised_at timestamptz,
    version integer not null default 1,
    updated_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((status = 'final') = (result is not null and admitted_support is not null
                                 and finalised_by is not null and finalised_at is not null))
);
create unique index acceptance_records_open_key on acceptance_records (visit_id, proposal_id)
    where status <> 'void';
-- A proposal is accepted once.
create unique index acceptance_records_passed_key on acceptance_records (proposal_id)
    where status = 'final' and result = 'pass';
create index acceptance_records_proposal_idx on acceptance_records (proposal_id, created_at);
create trigger acceptance_records_updated_at before update on acceptance_records
    for each row execute function set_updated_at();

create table acceptance_evidence_checks (
    record_id bigint not null references acceptance_records (id) on delete cascade,
    evidence_id bigint not null references acceptance_evidence (id),
    present boolean not null,
    note text not null default '' check (length(note) <= 1000),
    primary key (record_id, evidence_id)
);

-- The support admitted on each cost line, against the evidence seen; never more than the
-- line's approved support (checked in code against the line, which may change on amendment).
create table acceptance_line_checks (
    record_id bigint not null references acceptance_records (id) on delete cascade,
    cost_line_id bigint not null references proposal_cost_lines (id),
    admitted bigint not null check (admitted >= 0),
    note text not null default '' check (length(note) <= 1000),
    primary key (record_id, cost_line_id)
);

-- Settlement: the contract's liquidation minutes (Mẫu 6) and the final payment or the
-- recovery (admitted support less the advances). What was approved but not admitted goes
-- back to the envelope.
create table settlements (
    id bigint generated always as identity primary key,
    proposal_id bigint not null unique references proposals (id),
    contract_id bigint not null unique references contracts (id),
    acceptance_record_id bigint not null references acceptance_records (id),
    province_code text not null,
    liquidation_number text not null check (length(liquidation_number) between 1 and 100),
    liquidated_on date not null,
    admitted_support bigint not null check (admitted_support >= 0),
    advanced bigint not null check (advanced >= 0),
    -- Positive: paid to the beneficiary; negative: recovered from it.
    balance bigint not null,
    returned bigint not null check (returned >= 0),
    payment_id bigint references payments (id),
    recorded_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    unique (province_code, liquidation_number),
    check (balance = admitted_support - advanced),
    check ((balance = 0) = (payment_id is null))
);

-- Effects against the dossier's baseline (output, revenue, jobs), at settlement and at the
-- follow-ups (6, 12 and 24 months after by default).
create table evaluations (
    id bigint generated always as identity primary key,
    proposal_id bigint not null references proposals (id),
    months_after smallint not null check (months_after between 0 and 120),
    evaluated_on date not null,
    output text not null default '' check (length(output) <= 2000),
    revenue bigint not null check (revenue >= 0),
    jobs integer not null check (jobs between 0 and 1000000),
    -- Change of labour productivity against the baseline, whole percent (may be negative).
    productivity_change integer not null check (productivity_change between -100 and 10000),
    notes text not null default '' check (length(notes) <= 5000),
    recorded_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    unique (proposal_id, months_after)
);

-- The calendar's summary counts an acceptance visit's final records too, and says which
-- kind of visit it is.
create or replace view visit_summaries as
select v.id, v.province_code, v.title, v.visit_date, v.state,
       (select coalesce(u.full_name, m.external_name) from visit_members m
        left join users u on u.id = m.user_id
        where m.visit_id = v.id and m.team_role = 'leader') as leader,
       (select count(*) from visit_proposals vp where vp.visit_id = v.id) as proposals,
       (select count(*) from appraisal_records r
        where r.visit_id = v.id and r.status in ('final', 'superseded'))
       + (select count(*) from acceptance_records a
          where a.visit_id = v.id and a.status = 'final') as finalised,
       v.purpose
from appraisal_visits v;
