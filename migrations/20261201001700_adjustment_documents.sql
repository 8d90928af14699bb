-- The documents a request to adjust comes with (the written request, quotations, minutes):
-- documents of its proposal, linked to the request.
alter table documents add column adjustment_request_id bigint references adjustment_requests (id);
create index documents_adjustment_request_idx on documents (adjustment_request_id)
    where adjustment_request_id is not null and removed_at is null;
insert into document_kinds (code, name_vi, name_en, legal_ref, sort_order) values
    ('adjustment_document', 'Văn bản kèm đề nghị điều chỉnh', 'Document of an adjustment request',
        'Thông tư 36/2013/TT-BCT, Điều 11', 230);
