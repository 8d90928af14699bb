-- Notifications by e-mail, when SMTP is configured: a worker takes the notifications not
-- mailed yet (`for update skip locked`, so several processes never take the same one),
-- sends each to its user's address and stamps it. Users without an address are stamped
-- too; notifications older than a day when mail is switched on are not sent.
alter table notifications add column mailed_at timestamptz;
create index notifications_unmailed_idx on notifications (created_at, id) where mailed_at is null;
