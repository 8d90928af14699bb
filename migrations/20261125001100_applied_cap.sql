-- Which support cap was applied to a dossier's request (PRODUCT.md §4: a decision records
-- the rule it used), and whether the request is for a technology line (the cap's multiplier).
alter table proposals
    add column support_cap_id bigint references support_caps (id),
    add column technology_line boolean not null default false;
