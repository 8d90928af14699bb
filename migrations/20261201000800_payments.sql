-- Money paid against a contract (DOMAIN.md §4.6, §4.10): advances (tạm ứng), the final
-- payment at settlement, and recoveries (thu hồi). Each payment has the accountant's voucher
-- number, unique in the province.
--
-- The contract row keeps the running totals, updated with every payment in its transaction:
-- as with the envelope's `committed`, the checks below then hold "never more than the
-- approved support, never more advanced than the contract's share" even when two payments
-- are recorded at the same moment (the second update waits for the first and is checked
-- against its result).
create type payment_kind as enum ('advance', 'final', 'recovery');

alter table contracts
    add column advanced bigint not null default 0 check (advanced >= 0),
    add column paid bigint not null default 0 check (paid >= 0),
    add constraint contracts_paid_within_support check (paid <= approved_support),
    -- advanced / approved_support <= share / 10000, in whole numbers.
    add constraint contracts_advanced_within_share
        check (advanced::numeric * 10000 <= approved_support::numeric * advance_share_bp);

create table payments (
    id bigint generated always as identity primary key,
    contract_id bigint not null references contracts (id),
    province_code text not null,
    kind payment_kind not null,
    amount bigint not null check (amount > 0),
    paid_on date not null,
    voucher_number text not null check (length(voucher_number) between 1 and 100),
    note text not null default '' check (length(note) <= 2000),
    recorded_by bigint not null references users (id),
    created_at timestamptz not null default now(),
    unique (province_code, voucher_number)
);
create index payments_contract_idx on payments (contract_id, paid_on, id);
