-- Shared helpers for every later migration.

-- Keeps `updated_at` honest without every UPDATE having to remember it.
create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- Attached to tables that are history: a row, once written, is never changed or removed.
create function refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
end;
$$;
