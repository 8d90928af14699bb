-- On-site appraisal (thẩm định tại cơ sở, DOMAIN.md §4.4): the criteria as rules, the visits
-- (đoàn công tác) with their teams and the proposals they visit, each member's conflict-of-
-- interest declaration, the appraisal record of each proposal visited with its scores and
-- photos, post-checks (hậu kiểm) of earlier supported facilities, and in-app notifications.

-- The appraisal criteria of Thông tư 36/2013/TT-BCT Art. 9, as rules: per province (null:
-- every province without its own set) and period. The set in force on the visit's date is
-- the one a record is scored on; scores keep pointing at the rows they used.
create table appraisal_criteria (
    id bigint generated always as identity primary key,
    province_code text,
    position smallint not null check (position between 1 and 50),
    code text not null check (code ~ '^[a-z0-9_]{1,40}$'),
    name_vi text not null check (length(name_vi) between 1 and 300),
    name_en text not null check (length(name_en) between 1 and 300),
    guidance_vi text not null default '',
    guidance_en text not null default '',
    -- Its weight: the most points it gives on the 100-point scale.
    max_points smallint not null check (max_points between 1 and 100),
    legal_ref text not null check (length(legal_ref) between 1 and 500),
    valid_from date,
    valid_to date,
    created_at timestamptz not null default now(),
    check (valid_to is null or valid_from is null or valid_from < valid_to)
);
create unique index appraisal_criteria_start_key
    on appraisal_criteria (province_code, code, valid_from) nulls not distinct;

-- The law names the five criteria but no scale (DOMAIN.md §4.4, "Scoring scale: NOT FOUND"):
-- the weights are the system's default, which a province replaces with its own set.
insert into appraisal_criteria (position, code, name_vi, name_en, guidance_vi, guidance_en, max_points, legal_ref)
values
    (1, 'fit', 'Sự phù hợp với nguyên tắc, nội dung, ngành nghề và chương trình khuyến công',
        'Fit with the principles, contents, sectors and the programme',
        'Đúng đối tượng, nội dung (Nghị định 45 Điều 4), ngành nghề (Điều 5); phù hợp quy hoạch, chương trình, kế hoạch.',
        'Eligible beneficiary, content (Decree 45 Art. 4) and sector (Art. 5); in line with plans and the programme.',
        20, 'Thông tư 36/2013/TT-BCT, Điều 9.1 (trọng số: mặc định của hệ thống)'),
    (2, 'necessity', 'Mục tiêu, sự cần thiết, hiệu quả và tính hợp lý của kinh phí, nguồn lực',
        'Objectives, necessity, effectiveness, reasonable budget and resources',
        'Mục tiêu rõ; hiệu quả kinh tế - xã hội; đơn giá, khối lượng hợp lý so với báo giá và thực tế.',
        'Clear objectives; economic and social effect; quantities and prices reasonable against quotations.',
        30, 'Thông tư 36/2013/TT-BCT, Điều 9.2 (trọng số: mặc định của hệ thống)'),
    (3, 'capacity', 'Năng lực của đơn vị thực hiện, đơn vị phối hợp và đơn vị thụ hưởng',
        'Capacity of the implementing, coordinating and beneficiary units',
        'Nhà xưởng, mặt bằng, nhân lực, kinh nghiệm; khả năng bố trí vốn đối ứng.',
        'Premises, staff and experience; ability to provide the counterpart funds.',
        25, 'Thông tư 36/2013/TT-BCT, Điều 9.3 (trọng số: mặc định của hệ thống)'),
    (4, 'combination', 'Khả năng lồng ghép với các chương trình, dự án khác',
        'Scope to combine with other programmes and projects',
        'Kết hợp với chương trình nông thôn mới, OCOP, hỗ trợ doanh nghiệp nhỏ và vừa… (không áp dụng nếu không liên quan).',
        'Links with New Rural Development, OCOP, SME support… (not applicable when none is relevant).',
        10, 'Thông tư 36/2013/TT-BCT, Điều 9.4 (trọng số: mặc định của hệ thống)'),
    (5, 'dossier', 'Tính đầy đủ, hợp lệ của hồ sơ đề án',
        'Completeness and validity of the dossier',
        'Hồ sơ đủ thành phần, giấy tờ pháp lý của cơ sở đã đối chiếu bản gốc.',
        'All parts of the dossier; the facility''s legal papers checked against the originals.',
        15, 'Thông tư 36/2013/TT-BCT, Điều 9.5 (trọng số: mặc định của hệ thống)');

-- A visit (đoàn công tác): one trip, one day, several facilities of an area.
create type visit_state as enum ('planned', 'cancelled');

create table appraisal_visits (
    id bigint generated always as identity primary key,
    province_code text not null,
    title text not null check (length(title) between 1 and 300),
    visit_date date not null,
    -- Where the trip goes, meeting point, transport: for the printed schedule.
    notes text not null default '' check (length(notes) <= 5000),
    state visit_state not null default 'planned',
    cancel_reason text,
    version integer not null default 1,
    created_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((state = 'cancelled') = (cancel_reason is not null))
);
create index appraisal_visits_calendar_idx on appraisal_visits (province_code, visit_date);
create trigger appraisal_visits_updated_at before update on appraisal_visits
    for each row execute function set_updated_at();

-- Rescheduling keeps the history: every change of date, with its reason.
create table visit_date_changes (
    id bigint generated always as identity primary key,
    visit_id bigint not null references appraisal_visits (id),
    from_date date not null,
    to_date date not null,
    reason text not null check (length(reason) between 1 and 2000),
    changed_by bigint not null references users (id),
    changed_at timestamptz not null default now()
);
create index visit_date_changes_visit_idx on visit_date_changes (visit_id, changed_at);

-- The team: users of the Centre, the Department and the local office with their accounts,
-- and external members by name and unit.
create table visit_members (
    id bigint generated always as identity primary key,
    visit_id bigint not null references appraisal_visits (id) on delete cascade,
    user_id bigint references users (id),
    external_name text check (length(external_name) between 1 and 200),
    external_unit text check (length(external_unit) <= 300),
    team_role text not null default 'member' check (team_role in ('leader', 'member')),
    added_at timestamptz not null default now(),
    check (num_nonnulls(user_id, external_name) = 1),
    check (external_name is not null or external_unit is null)
);
create unique index visit_members_user_key on visit_members (visit_id, user_id)
    where user_id is not null;
create unique index visit_members_leader_key on visit_members (visit_id)
    where team_role = 'leader';
-- "My visits": a member's own trips.
create index visit_members_user_idx on visit_members (user_id) where user_id is not null;

-- The proposals a visit covers, in the order of the day.
create table visit_proposals (
    visit_id bigint not null references appraisal_visits (id),
    proposal_id bigint not null references proposals (id),
    position smallint not null default 1,
    -- The planned hour at the facility, for the printed schedule.
    planned_time time,
    added_at timestamptz not null default now(),
    primary key (visit_id, proposal_id)
);
create index visit_proposals_proposal_idx on visit_proposals (proposal_id);

-- Each member's declaration on each proposal of the visit, before any scoring. External
-- members declare on paper; the leader records their answer.
create table conflict_declarations (
    visit_member_id bigint not null references visit_members (id) on delete cascade,
    proposal_id bigint not null references proposals (id),
    has_conflict boolean not null,
    note text not null default '' check (length(note) <= 2000),
    recorded_by bigint not null references users (id),
    recorded_at timestamptz not null default now(),
    primary key (visit_member_id, proposal_id),
    check (not has_conflict or length(note) > 0)
);

create type appraisal_record_status as enum ('draft', 'final', 'superseded', 'void');
create type appraisal_recommendation as enum ('approve', 'approve_with_conditions', 'reject');

-- The appraisal record of one proposal on one visit. Drafts are saved as often as wanted;
-- the leader finalises; a final record is read-only, and a correction is a new revision that
-- names the record it corrects and why. When the correction is finalised, or the director
-- sends the proposal back for re-appraisal, the old final record becomes 'superseded'. A
-- draft left by a cancelled visit becomes 'void' (kept, since someone may have typed in it).
create table appraisal_records (
    id bigint generated always as identity primary key,
    visit_id bigint not null,
    proposal_id bigint not null,
    revision smallint not null default 1 check (revision >= 1),
    corrects_id bigint references appraisal_records (id),
    correction_reason text,
    status appraisal_record_status not null default 'draft',
    -- What the team saw (verified facts).
    premises text not null default '' check (length(premises) <= 5000),
    machinery text not null default '' check (length(machinery) <= 5000),
    legal_papers text not null default '' check (length(legal_papers) <= 5000),
    counterpart_capacity text not null default '' check (length(counterpart_capacity) <= 5000),
    other_findings text not null default '' check (length(other_findings) <= 10000),
    proposed_support bigint check (proposed_support >= 0),
    recommendation appraisal_recommendation,
    conditions text not null default '' check (length(conditions) <= 5000),
    -- On the 100-point scale, in tenths (domain::appraisal::Tally::score_tenths); set when final.
    score_tenths smallint check (score_tenths between 0 and 1000),
    -- Optimistic locking of the draft: every save bumps it.
    version integer not null default 1,
    updated_by bigint references users (id),
    updated_at timestamptz not null default now(),
    finalised_by bigint references users (id),
    finalised_at timestamptz,
    foreign key (visit_id, proposal_id) references visit_proposals (visit_id, proposal_id),
    check ((corrects_id is null) = (correction_reason is null)),
    check ((status in ('final', 'superseded')) = (finalised_at is not null)),
    check (status not in ('final', 'superseded') or (score_tenths is not null and recommendation is not null))
);
-- At most one draft and one final record per proposal at a time.
create unique index appraisal_records_draft_key on appraisal_records (proposal_id)
    where status = 'draft';
create unique index appraisal_records_final_key on appraisal_records (proposal_id)
    where status = 'final';
create index appraisal_records_visit_idx on appraisal_records (visit_id);

create table appraisal_scores (
    record_id bigint not null references appraisal_records (id) on delete cascade,
    criterion_id bigint not null references appraisal_criteria (id),
    points smallint check (points >= 0),
    -- Does not apply to this proposal: left out of the total and its maximum.
    not_applicable boolean not null default false,
    finding text not null default '' check (length(finding) <= 5000),
    primary key (record_id, criterion_id),
    check (not (not_applicable and points is not null))
);

-- Photos taken on site are documents of the proposal that name the record they were taken
-- for (the proposal stays the owner: who may download them follows its scope).
alter table documents add column appraisal_record_id bigint references appraisal_records (id);
create index documents_appraisal_record_idx on documents (appraisal_record_id)
    where appraisal_record_id is not null and removed_at is null;
insert into document_kinds (code, name_vi, name_en, legal_ref, sort_order) values
    ('appraisal_photo', 'Ảnh chụp khi thẩm định tại cơ sở', 'Photograph taken at the appraisal visit',
        'Thông tư 36/2013/TT-BCT, Điều 8', 135);

-- Post-check (hậu kiểm): on the same trip, a look at a facility supported in an earlier
-- year, for the evaluation of effects.
create type equipment_use as enum ('in_use', 'partly', 'not_in_use');

create table post_checks (
    id bigint generated always as identity primary key,
    visit_id bigint not null references appraisal_visits (id),
    proposal_id bigint not null references proposals (id),
    equipment equipment_use,
    effects text not null default '' check (length(effects) <= 5000),
    output_now text not null default '' check (length(output_now) <= 2000),
    revenue_now bigint check (revenue_now >= 0),
    jobs_now integer check (jobs_now between 0 and 1000000),
    recorded_by bigint references users (id),
    recorded_at timestamptz,
    version integer not null default 1,
    unique (visit_id, proposal_id)
);
create index post_checks_proposal_idx on post_checks (proposal_id);

-- In-app notifications: a catalogue key and its value, rendered in the reader's language.
create table notifications (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id),
    message_key text not null check (length(message_key) between 1 and 100),
    value text not null default '' check (length(value) <= 500),
    -- A path of this site: never "//host", which a browser would take for another site.
    link text not null check (link ~ '^/([A-Za-z0-9_?=&.-][A-Za-z0-9/_?=&.-]*)?$'),
    created_at timestamptz not null default now(),
    read_at timestamptz
);
create index notifications_user_idx on notifications (user_id, created_at desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

-- A visit as the calendar, the lists and the home page show it.
create view visit_summaries as
select v.id, v.province_code, v.title, v.visit_date, v.state,
       (select coalesce(u.full_name, m.external_name) from visit_members m
        left join users u on u.id = m.user_id
        where m.visit_id = v.id and m.team_role = 'leader') as leader,
       (select count(*) from visit_proposals vp where vp.visit_id = v.id) as proposals,
       (select count(*) from appraisal_records r
        where r.visit_id = v.id and r.status in ('final', 'superseded')) as finalised
from appraisal_visits v;
