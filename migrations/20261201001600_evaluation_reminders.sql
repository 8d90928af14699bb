-- The daily job also reminds of evaluations due (at settlement and at the follow-ups).
alter table reminders_sent drop constraint reminders_sent_kind_check;
alter table reminders_sent add constraint reminders_sent_kind_check
    check (kind in ('progress_overdue', 'contract_deadline', 'visit_tomorrow', 'evaluation_due'));
-- The follow-ups are found from the settlements' days.
create index settlements_liquidated_idx on settlements (province_code, liquidated_on);
