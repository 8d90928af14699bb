-- A change of beneficiary names the facility that takes over and, in a group proposal, the
-- one it replaces; approved, it becomes the proposal's beneficiary.
alter table adjustment_requests
    add column new_facility_id bigint references facilities (id),
    add column replaced_facility_id bigint references facilities (id),
    add constraint adjustment_requests_beneficiary_check
        check ((kind = 'beneficiary') = (new_facility_id is not null));
