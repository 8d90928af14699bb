-- Administrative units (đơn vị hành chính) with their official GSO codes.
--
-- Two sets coexist: the legacy three-level set (province → district → commune/ward/town),
-- in force until 30/06/2025, and the 2025 two-level set (province → commune/ward/special
-- zone, Resolution 202/2025/QH15) in force from 01/07/2025. Old records keep pointing at the
-- units they were made with, so rows are never updated to the new set: validity dates say
-- which set a row belongs to. The rows come from published data (`khuyencong migrate` loads
-- src/db/reference/admin_units_*.csv; see scripts/import-admin-units).

create type admin_level as enum ('province', 'district', 'commune');

create table admin_units (
    id bigint generated always as identity primary key,
    -- Official code with leading zeros: 2 digits (province), 3 (district), 5 (commune).
    code text not null check (code ~ '^[0-9]{2,5}$'),
    level admin_level not null,
    -- Official type in Vietnamese: 'tỉnh', 'huyện', 'thị xã', 'xã', 'phường', 'đặc khu'…
    kind text not null,
    name text not null,
    full_name text not null,
    name_en text not null,
    parent_id bigint references admin_units (id),
    -- The province a unit lies in, kept on every row so scope checks need no recursion.
    province_code text not null,
    -- Null: in force before the published snapshot (earlier history is not kept).
    valid_from date,
    -- Exclusive end; null: still in force.
    valid_to date,
    check (valid_to is null or valid_from is null or valid_from < valid_to),
    check ((level = 'province') = (parent_id is null))
);

-- A code is unique within one set (one validity period) and level.
create unique index admin_units_code_key
    on admin_units (level, code, valid_from) nulls not distinct;
create index admin_units_parent_idx on admin_units (parent_id);
create index admin_units_province_idx on admin_units (province_code, level);
