-- Rules as data (PRODUCT.md §4): support caps, the documents each activity type requires,
-- and priority areas. Every row carries its legal reference and validity dates; a new
-- regulation ends the old row (valid_to) and adds a new one, so the rule that applied to a
-- past decision can still be found. Which row is in force on a date is decided in code
-- (domain::caps), not here. The administration pages are under /admin/reference.
--
-- Validity dates everywhere: valid_from inclusive, valid_to exclusive; a null valid_from
-- means "in force before the records kept here", a null valid_to "still in force".

-- Sectors and activity types (migration …_reference_rules) become editable: keep the time of
-- the last edit, as on every other editable table.
alter table sectors
    add column updated_at timestamptz not null default now(),
    add check (valid_to is null or valid_from is null or valid_from < valid_to),
    add check (length(legal_ref) between 1 and 500);
create trigger sectors_updated_at before update on sectors
    for each row execute function set_updated_at();

alter table activity_types
    add column updated_at timestamptz not null default now(),
    add check (valid_to is null or valid_from is null or valid_from < valid_to),
    add check (length(legal_ref) between 1 and 500);
create trigger activity_types_updated_at before update on activity_types
    for each row execute function set_updated_at();

-- Decree 45 Art. 4.2 includes enterprise formation, which Thông tư 28/2018/TT-BTC Art. 8 caps
-- per enterprise rather than as a share of cost: a subtype of its own, as group 3's are.
insert into activity_types (code, group_no, name_vi, name_en, legal_ref, sort_order) values
    ('enterprise_formation', 2, 'Hỗ trợ thành lập doanh nghiệp sản xuất công nghiệp nông thôn',
        'Support to found a rural-industrial enterprise', 'Nghị định 45/2012/NĐ-CP, Điều 4.2', 21);

-- Support caps: "tối đa X% chi phí nhưng không quá Y đồng/<đơn vị>" (DOMAIN.md §3).
create table support_caps (
    id bigint generated always as identity primary key,
    activity_type_code text not null references activity_types (code),
    -- Which budget: national caps are the Ministry's, local caps the province's.
    level proposal_level not null,
    -- Null: every province (all national rules; local defaults). Set: one province's own
    -- local rule, which beats the all-provinces one.
    province_code text check (province_code ~ '^[0-9]{2}$'),
    -- The share of eligible cost, in basis points (5000 = 50%): exact integer arithmetic.
    percent_bp integer not null check (percent_bp between 0 and 10000),
    -- Whole đồng per cap unit.
    max_amount bigint not null check (max_amount >= 0),
    -- What the maximum is counted per (domain::caps::CapUnit).
    cap_unit text not null check (
        cap_unit in ('model', 'establishment', 'enterprise', 'cluster', 'course', 'product', 'proposal')),
    -- An optional raise of the maximum for a named case, as an exact fraction (3/2 = 1.5×
    -- for a technology line), with the case's name in both languages.
    multiplier_num integer check (multiplier_num between 1 and 10000),
    multiplier_den integer check (multiplier_den between 1 and 10000),
    multiplier_label_vi text check (length(multiplier_label_vi) between 1 and 200),
    multiplier_label_en text check (length(multiplier_label_en) between 1 and 200),
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date not null,
    valid_to date,
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (valid_to is null or valid_from < valid_to),
    check (level = 'local' or province_code is null),
    check (num_nulls(multiplier_num, multiplier_den, multiplier_label_vi, multiplier_label_en) in (0, 4))
);
-- Two rules for the same scope starting the same day would leave the choice to chance.
create unique index support_caps_scope_start_key
    on support_caps (activity_type_code, level, province_code, valid_from) nulls not distinct;
create trigger support_caps_updated_at before update on support_caps
    for each row execute function set_updated_at();

-- National caps, Thông tư 28/2018/TT-BTC (effective 11/05/2018) Art. 8 (DOMAIN.md §3.1).
-- Enterprise formation has no share of cost: 100% up to the maximum.
insert into support_caps (activity_type_code, level, percent_bp, max_amount, cap_unit,
        multiplier_num, multiplier_den, multiplier_label_vi, multiplier_label_en,
        legal_ref, valid_from) values
    ('demonstration_model', 'national', 3000, 1000000000, 'model', null, null, null, null,
        'Thông tư 28/2018/TT-BTC, Điều 8.2', '2018-05-11'),
    ('machinery', 'national', 5000, 300000000, 'establishment',
        3, 2, 'dây chuyền công nghệ', 'a technology line',
        'Thông tư 28/2018/TT-BTC, Điều 8.4', '2018-05-11'),
    ('technology_transfer', 'national', 5000, 300000000, 'establishment',
        3, 2, 'dây chuyền công nghệ', 'a technology line',
        'Thông tư 28/2018/TT-BTC, Điều 8.4', '2018-05-11'),
    ('enterprise_formation', 'national', 10000, 10000000, 'enterprise', null, null, null, null,
        'Thông tư 28/2018/TT-BTC, Điều 8', '2018-05-11');

-- Thái Nguyên's own local caps were not found (DOMAIN.md §3.2): defaults that mirror the
-- national figures, saying so, for an administrator to end when the province's resolution
-- is known.
insert into support_caps (activity_type_code, level, province_code, percent_bp, max_amount,
        cap_unit, multiplier_num, multiplier_den, multiplier_label_vi, multiplier_label_en,
        legal_ref, valid_from)
select activity_type_code, 'local', '19', percent_bp, max_amount, cap_unit,
       multiplier_num, multiplier_den, multiplier_label_vi, multiplier_label_en,
       'Mặc định theo mức khuyến công quốc gia (' || legal_ref || ') — chờ nghị quyết của HĐND tỉnh',
       valid_from
from support_caps
where level = 'national';

-- The documents a dossier of each activity type needs (required) or should have
-- (recommended): DOMAIN.md §4.3.
create table required_documents (
    id bigint generated always as identity primary key,
    activity_type_code text not null references activity_types (code),
    document_kind_code text not null references document_kinds (code),
    -- False: recommended; screening does not return a dossier for lacking it.
    required boolean not null,
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date,
    valid_to date,
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (valid_to is null or valid_from is null or valid_from < valid_to)
);
create unique index required_documents_start_key
    on required_documents (activity_type_code, document_kind_code, valid_from) nulls not distinct;
create trigger required_documents_updated_at before update on required_documents
    for each row execute function set_updated_at();

-- Every activity type: the cover letter, the proposal, its budget and the beneficiary's
-- request (Thông tư 36/2013/TT-BCT Art. 5); the two commitments that are conditions of
-- support (TTLT 26/2014 Art. 7); the registration and accounts, kept at the Centre
-- (Art. 21), as recommended.
insert into required_documents (activity_type_code, document_kind_code, required, legal_ref)
select a.code, d.code, d.required, d.legal_ref
from activity_types a
cross join (values
    ('cover_letter', true, 'Thông tư 36/2013/TT-BCT, Điều 5'),
    ('proposal_text', true, 'Thông tư 36/2013/TT-BCT, Điều 5'),
    ('budget_estimate', true, 'Thông tư 36/2013/TT-BCT, Điều 5'),
    ('support_request', true, 'Thông tư 36/2013/TT-BCT, Điều 5'),
    ('no_double_funding', true, 'Thông tư liên tịch 26/2014/TTLT-BTC-BCT, Điều 7'),
    ('counterpart_commitment', true, 'Thông tư liên tịch 26/2014/TTLT-BTC-BCT, Điều 7'),
    ('business_registration', false, 'Thông tư 36/2013/TT-BCT, Điều 21'),
    ('financial_statement', false, 'Thông tư 36/2013/TT-BCT, Điều 21')
) as d (code, required, legal_ref);

-- By activity type. The official list (Phụ lục 2 of Thông tư 36/2013/TT-BCT) was not found,
-- so these rows say they are the system's defaults.
insert into required_documents (activity_type_code, document_kind_code, required, legal_ref)
select t.activity, t.kind, t.required,
       'Mặc định của hệ thống theo nội dung đề án (Thông tư 36/2013/TT-BCT, Điều 5) — chưa đối chiếu Phụ lục 2'
from (values
    ('machinery', 'quotation', true),
    ('machinery', 'premises_papers', false),
    ('machinery', 'photos', false),
    ('technology_transfer', 'technology_documents', true),
    ('technology_transfer', 'quotation', false),
    ('technology_transfer', 'photos', false),
    ('demonstration_model', 'technology_documents', true),
    ('demonstration_model', 'quotation', true),
    ('demonstration_model', 'premises_papers', false),
    ('demonstration_model', 'photos', false),
    ('cleaner_production_pilot', 'technology_documents', true),
    ('cleaner_production_pilot', 'photos', false),
    ('training', 'training_plan', true)
) as t (activity, kind, required);

-- Priority areas (Decree 45 Art. 6; Thông tư 46/2012/TT-BCT Art. 6.1), ranked a–d when funds
-- are allocated: a) upland, island, border, ethnic-minority areas; b) poor districts (NQ
-- 30a); c) communes in the New Rural Development plan; d) difficult or extremely difficult
-- areas. Which units are which is not in DOMAIN.md: no rows are seeded.
create table priority_areas (
    id bigint generated always as identity primary key,
    -- A commune/ward, or a whole province.
    unit_id bigint not null references admin_units (id),
    -- domain::caps::PriorityAreaKind.
    kind text not null check (kind in (
        'upland', 'island', 'border', 'ethnic_minority', 'poor_district', 'new_rural',
        'difficult', 'extremely_difficult')),
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date,
    valid_to date,
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (valid_to is null or valid_from is null or valid_from < valid_to)
);
create unique index priority_areas_start_key
    on priority_areas (unit_id, kind, valid_from) nulls not distinct;
create trigger priority_areas_updated_at before update on priority_areas
    for each row execute function set_updated_at();
