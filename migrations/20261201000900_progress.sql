-- Monthly progress reports (DOMAIN.md §4.7; Thông tư 36/2013/TT-BCT, Điều 23.3.a): while a
-- proposal is carried out its implementing side reports, each month before the due day of
-- the rule in force, the share of the work done, what was done and what was spent to date,
-- with photos from the site. One report per proposal and month.
create table progress_rules (
    id bigint generated always as identity primary key,
    province_code text,
    -- A month's report is late from this day of the month.
    due_day smallint not null check (due_day between 1 and 28),
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date,
    valid_to date,
    created_at timestamptz not null default now(),
    check (valid_to is null or valid_from is null or valid_from < valid_to)
);
create unique index progress_rules_start_key
    on progress_rules (province_code, valid_from) nulls not distinct;
insert into progress_rules (due_day, legal_ref) values
    (25, 'Thông tư 36/2013/TT-BCT, Điều 23.3.a: báo cáo tiến độ hằng tháng trước ngày 25');

create table progress_reports (
    id bigint generated always as identity primary key,
    proposal_id bigint not null references proposals (id),
    -- The month reported on, as its first day.
    month date not null check (extract(day from month) = 1),
    percent_done smallint not null check (percent_done between 0 and 100),
    work_done text not null check (length(work_done) between 1 and 5000),
    spending bigint not null check (spending >= 0),
    reported_by bigint not null references users (id),
    reported_at timestamptz not null default now(),
    unique (proposal_id, month)
);

-- Photos of a report are documents of its proposal, linked to the report.
alter table documents add column progress_report_id bigint references progress_reports (id);
create index documents_progress_report_idx on documents (progress_report_id)
    where progress_report_id is not null and removed_at is null;
insert into document_kinds (code, name_vi, name_en, legal_ref, sort_order) values
    ('progress_photo', 'Ảnh hiện trường kèm báo cáo tiến độ', 'Site photo of a progress report',
        'Thông tư 36/2013/TT-BCT, Điều 23', 220);

-- The in-progress list finds each proposal's start and last report by index.
create index proposal_events_action_idx on proposal_events (proposal_id, action, at);
