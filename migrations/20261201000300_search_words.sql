-- Every word the search index holds, so a query's last word (a prefix: the user may still be
-- typing it) can be completed to the words it starts before the index is asked. The text
-- index answers `may & sao & (che | chen)` about twice as fast as `may & sao & che:*`: a
-- prefix is merged in full, whole words let the index skip (measured in docs/benchmarks.md).
--
-- Words are only ever added, by the statements that write the rows, so the list is always
-- complete; a word no row holds any more completes to nothing and costs nothing.
create table search_words (
    word text collate "C" primary key
);

insert into search_words
select word from (select unnest(tsvector_to_array(search_vector)) as word from proposals
                  union
                  select unnest(tsvector_to_array(search_vector)) from facilities) w
on conflict do nothing;

-- Ordered, so two loads adding the same new words wait for each other instead of deadlocking.
create function add_search_words() returns trigger
language plpgsql as $$
begin
    insert into search_words
    select distinct unnest(tsvector_to_array(search_vector)) as word from new_rows order by word
    on conflict do nothing;
    return null;
end;
$$;

create trigger proposals_search_words_insert after insert on proposals
    referencing new table as new_rows for each statement execute function add_search_words();
create trigger proposals_search_words_update after update on proposals
    referencing new table as new_rows for each statement execute function add_search_words();
create trigger facilities_search_words_insert after insert on facilities
    referencing new table as new_rows for each statement execute function add_search_words();
create trigger facilities_search_words_update after update on facilities
    referencing new table as new_rows for each statement execute function add_search_words();
