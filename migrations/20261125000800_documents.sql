-- Documents attached to records (PRODUCT.md §5): the file itself lives in the document store
-- (src/storage.rs: a local directory by default, an S3-compatible store later) under a
-- server-generated key; this table holds what we know about it. Rows are never deleted:
-- removing a document marks it, so the dossier's history keeps what was sent and when.

create table documents (
    id bigint generated always as identity primary key,
    -- The owner. A document belongs to exactly one record; today only proposals. Later owners
    -- (appraisal visits, decisions, payments) add a nullable column each and widen the check
    -- to num_nonnulls(proposal_id, visit_id, …) = 1.
    proposal_id bigint references proposals (id),
    kind_code text not null references document_kinds (code),
    -- The name the user's file had, cleaned (domain::document::sanitize_file_name): shown and
    -- offered back on download, never used in a path.
    file_name text not null check (length(file_name) between 1 and 255),
    -- The type found in the content (not the one the browser claimed).
    content_type text not null check (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    size_bytes bigint not null check (size_bytes > 0),
    sha256 bytea not null check (octet_length(sha256) = 32),
    -- Where the store keeps it: 128 random bits in hex, made by the server.
    storage_key text not null unique check (storage_key ~ '^[0-9a-f]{32}$'),
    uploaded_by bigint not null references users (id),
    uploaded_at timestamptz not null default now(),
    removed_at timestamptz,
    removed_by bigint references users (id),
    check (num_nonnulls(proposal_id) = 1),
    check ((removed_at is null) = (removed_by is null))
);

-- A proposal's documents page lists the ones not removed.
create index documents_proposal_idx on documents (proposal_id, uploaded_at)
    where removed_at is null;

-- The same file twice under the same kind is one document: a double submit stores it once.
create unique index documents_same_file_key on documents (proposal_id, kind_code, sha256)
    where removed_at is null;
