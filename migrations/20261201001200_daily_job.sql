-- The daily job: reminders of what is due or overdue (PRODUCT.md, issue "notifications").
-- A day's run is a row, inserted by the process that runs the job in the same transaction
-- as the reminders: with several server processes the job runs once a day (a second
-- insert of the day waits for the first transaction and then finds the row), and a run
-- that fails leaves no row, so a later attempt runs it again.
create table daily_runs (
    day date primary key,
    reminders integer not null default 0 check (reminders >= 0),
    ran_at timestamptz not null default now()
);

-- What was reminded of (kind, the record, the period it is about): each reminder is sent
-- once, whichever day's run finds it first.
create table reminders_sent (
    kind text not null check (kind in ('progress_overdue', 'contract_deadline', 'visit_tomorrow')),
    subject_id bigint not null,
    period date not null,
    sent_at timestamptz not null default now(),
    primary key (kind, subject_id, period)
);
