//! The policy: what each role may do, and which records each user may see.
//!
//! Every handler asks [`allows`] before acting, and every list or record query is narrowed
//! by [`record_scope`]; the `db` layer turns a [`RecordScope`] into SQL. Nothing else in the
//! application decides access.

use super::role::Role;

/// The acting user, as far as the policy needs to know them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The user's role.
    pub role: Role,
    /// The province the user's organisation belongs to.
    pub province_code: String,
    /// The user's organisation.
    pub organisation_id: i64,
    /// For a local office: the administrative unit it serves.
    pub area_unit_id: Option<i64>,
    /// For a facility owner: the facility.
    pub facility_id: Option<i64>,
}

/// Something a user may or may not do, regardless of which record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Open facility lists and records (narrowed by scope).
    ViewFacilities,
    /// Register a new facility.
    RegisterFacility,
    /// Open proposal lists and records (narrowed by scope).
    ViewProposals,
    /// Start a proposal dossier.
    CreateProposal,
    /// Create, change and deactivate user accounts.
    ManageUsers,
    /// See the organisations list.
    ViewOrganisations,
    /// Add, edit and end reference data and rules (sectors, activity types, caps, required
    /// documents, priority areas).
    ManageReference,
    /// Read reference data and rules.
    ViewReference,
    /// Open the appraisal calendar, visits and records (narrowed by scope; scores by
    /// `appraisal::may_see_scores`).
    ViewVisits,
    /// Plan appraisal visits: team, proposals, date, cancellation.
    PlanVisits,
    /// The ranking of appraised proposals for the year's plan.
    ViewRanking,
    /// The funding page: envelopes, what is approved and left, plan decisions.
    ViewFunding,
    /// Record an envelope's allocation rounds (the money a source gives for a year).
    ManageEnvelopes,
    /// Build the year's plan and record its decision, or an amendment of one.
    DecidePlan,
    /// Record amendments of implementation contracts (signing is the transition table's).
    AmendContracts,
    /// Report the monthly progress of a proposal being carried out (the implementing side:
    /// the Centre, the local office, the facility).
    ReportProgress,
    /// Ask for an advance on a contract (the implementing side).
    RequestAdvance,
    /// Confirm or refuse an advance request after checking the progress it relies on.
    ConfirmAdvance,
    /// Record payments against contracts (vouchers).
    RecordPayments,
    /// Record the effects of a settled proposal (at settlement and at the follow-ups).
    RecordEvaluation,
    /// Ask to adjust a proposal being carried out (the implementing side).
    RequestAdjustment,
    /// Decide an adjustment, or record the top level's decision on it.
    DecideAdjustment,
    /// The annual report and the year at a glance (narrowed by scope: a local office's
    /// report covers its area).
    ViewReports,
}

impl Permission {
    /// Every permission, for exhaustive tests and documentation.
    pub const ALL: [Permission; 23] = [
        Permission::ViewFacilities,
        Permission::RegisterFacility,
        Permission::ViewProposals,
        Permission::CreateProposal,
        Permission::ManageUsers,
        Permission::ViewOrganisations,
        Permission::ManageReference,
        Permission::ViewReference,
        Permission::ViewVisits,
        Permission::PlanVisits,
        Permission::ViewRanking,
        Permission::ViewFunding,
        Permission::ManageEnvelopes,
        Permission::DecidePlan,
        Permission::AmendContracts,
        Permission::ReportProgress,
        Permission::RequestAdvance,
        Permission::ConfirmAdvance,
        Permission::RecordPayments,
        Permission::RecordEvaluation,
        Permission::RequestAdjustment,
        Permission::DecideAdjustment,
        Permission::ViewReports,
    ];
}

/// Whether `role` may do `permission` at all. Record-level limits come from [`record_scope`].
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission as P;
    use Role as R;
    match permission {
        // The system administrator manages accounts, not the programme's records.
        P::ViewFacilities | P::ViewProposals => role != R::Admin,
        P::RegisterFacility | P::CreateProposal => matches!(role, R::CentreStaff | R::LocalOfficer),
        P::ManageUsers | P::ManageReference => role == R::Admin,
        P::ViewOrganisations | P::ViewReference => matches!(
            role,
            R::Admin | R::CentreStaff | R::Director | R::DepartmentViewer
        ),
        // A facility owner hears of its visit on its proposal's page, not in the calendar.
        P::ViewVisits => !matches!(role, R::Admin | R::FacilityOwner),
        P::PlanVisits => role == R::CentreStaff,
        P::ViewRanking => matches!(role, R::CentreStaff | R::Director | R::DepartmentViewer),
        P::ViewFunding => matches!(
            role,
            R::CentreStaff | R::Director | R::Accountant | R::DepartmentViewer
        ),
        // The accountant keeps the books of what each source gives; the director signs for it.
        P::ManageEnvelopes => matches!(role, R::Director | R::Accountant),
        P::DecidePlan => role == R::Director,
        // The Centre holds the funds and signs the contracts (the transition table's CENTRE).
        P::AmendContracts => role == R::CentreStaff,
        P::ReportProgress | P::RequestAdvance => {
            matches!(role, R::CentreStaff | R::LocalOfficer | R::FacilityOwner)
        }
        P::ConfirmAdvance => role == R::CentreStaff,
        P::RecordPayments => role == R::Accountant,
        // The Centre follows its proposals up; the local office knows its facilities.
        P::RecordEvaluation => matches!(role, R::CentreStaff | R::LocalOfficer),
        P::RequestAdjustment => {
            matches!(role, R::CentreStaff | R::LocalOfficer | R::FacilityOwner)
        }
        P::DecideAdjustment => role == R::Director,
        // Those who answer for the programme's figures; appraisers and owners have their pages.
        P::ViewReports => matches!(
            role,
            R::CentreStaff | R::Director | R::Accountant | R::DepartmentViewer | R::LocalOfficer
        ),
    }
}

/// Whether `role` may attach documents to (or remove them from) a proposal in `state` it
/// can see: the submitting side while the dossier is open; the facility owner when asked
/// for more; the Centre while the proposal is alive.
pub fn may_attach(role: Role, state: super::proposal::ProposalState) -> bool {
    match role {
        Role::LocalOfficer => state.is_editable(),
        Role::FacilityOwner => state.is_returned(),
        Role::CentreStaff => !state.is_final(),
        _ => false,
    }
}

/// Which facilities and proposals a user sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordScope {
    /// None at all.
    Nothing,
    /// Everything in the province (Centre, Department staff).
    Province {
        /// The province.
        province_code: String,
    },
    /// A local office's area: records located in the unit or below it, and proposals the
    /// office submitted itself.
    Area {
        /// The province.
        province_code: String,
        /// The unit the office serves.
        unit_id: i64,
        /// The office.
        office_id: i64,
    },
    /// One facility and the proposals it benefits from.
    Facility {
        /// The facility.
        facility_id: i64,
    },
}

/// The records `actor` may see.
pub fn record_scope(actor: &Actor) -> RecordScope {
    let province = || RecordScope::Province {
        province_code: actor.province_code.clone(),
    };
    match actor.role {
        Role::Admin => RecordScope::Nothing,
        Role::CentreStaff
        | Role::Appraiser
        | Role::Director
        | Role::Accountant
        | Role::DepartmentViewer => province(),
        Role::LocalOfficer => match actor.area_unit_id {
            Some(unit_id) => RecordScope::Area {
                province_code: actor.province_code.clone(),
                unit_id,
                office_id: actor.organisation_id,
            },
            // An officer whose office has no area sees nothing rather than everything.
            None => RecordScope::Nothing,
        },
        Role::FacilityOwner => actor
            .facility_id
            .map_or(RecordScope::Nothing, |facility_id| RecordScope::Facility {
                facility_id,
            }),
    }
}

/// The records an appraisal visit shows `actor`: a member of its team sees every proposal
/// the team visits in the province (a local officer may join a trip beyond its area); anyone
/// else what their own scope holds.
pub fn visit_scope(actor: &Actor, on_team: bool) -> RecordScope {
    if on_team {
        RecordScope::Province {
            province_code: actor.province_code.clone(),
        }
    } else {
        record_scope(actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            role,
            province_code: "19".into(),
            organisation_id: 7,
            area_unit_id: (role == Role::LocalOfficer).then_some(164),
            facility_id: (role == Role::FacilityOwner).then_some(3),
        }
    }

    #[test]
    fn the_permission_table_is_exactly_as_designed() {
        use Permission as P;
        use Role as R;
        let expected = |role: Role, permission: Permission| match permission {
            P::ViewFacilities | P::ViewProposals => role != R::Admin,
            P::RegisterFacility | P::CreateProposal => {
                [R::CentreStaff, R::LocalOfficer].contains(&role)
            }
            P::ManageUsers => role == R::Admin,
            P::ViewOrganisations => {
                [R::Admin, R::CentreStaff, R::Director, R::DepartmentViewer].contains(&role)
            }
            P::ManageReference => role == R::Admin,
            P::ViewReference => {
                [R::Admin, R::CentreStaff, R::Director, R::DepartmentViewer].contains(&role)
            }
            P::ViewVisits => ![R::Admin, R::FacilityOwner].contains(&role),
            P::PlanVisits => role == R::CentreStaff,
            P::ViewRanking => [R::CentreStaff, R::Director, R::DepartmentViewer].contains(&role),
            P::ViewFunding => [
                R::CentreStaff,
                R::Director,
                R::Accountant,
                R::DepartmentViewer,
            ]
            .contains(&role),
            P::ManageEnvelopes => [R::Director, R::Accountant].contains(&role),
            P::DecidePlan => role == R::Director,
            P::AmendContracts => role == R::CentreStaff,
            P::ReportProgress | P::RequestAdvance => {
                [R::CentreStaff, R::LocalOfficer, R::FacilityOwner].contains(&role)
            }
            P::ConfirmAdvance => role == R::CentreStaff,
            P::RecordPayments => role == R::Accountant,
            P::RecordEvaluation => [R::CentreStaff, R::LocalOfficer].contains(&role),
            P::RequestAdjustment => {
                [R::CentreStaff, R::LocalOfficer, R::FacilityOwner].contains(&role)
            }
            P::DecideAdjustment => role == R::Director,
            P::ViewReports => [
                R::CentreStaff,
                R::Director,
                R::Accountant,
                R::DepartmentViewer,
                R::LocalOfficer,
            ]
            .contains(&role),
        };
        for role in Role::ALL {
            for permission in Permission::ALL {
                assert_eq!(
                    allows(role, permission),
                    expected(role, permission),
                    "{role:?} {permission:?}"
                );
            }
        }
    }

    #[test]
    fn staff_see_the_province_local_officers_their_area_owners_their_facility() {
        for role in [
            Role::CentreStaff,
            Role::Appraiser,
            Role::Director,
            Role::Accountant,
            Role::DepartmentViewer,
        ] {
            assert_eq!(
                record_scope(&actor(role)),
                RecordScope::Province {
                    province_code: "19".into()
                }
            );
        }
        assert_eq!(
            record_scope(&actor(Role::LocalOfficer)),
            RecordScope::Area {
                province_code: "19".into(),
                unit_id: 164,
                office_id: 7
            }
        );
        assert_eq!(
            record_scope(&actor(Role::FacilityOwner)),
            RecordScope::Facility { facility_id: 3 }
        );
        assert_eq!(record_scope(&actor(Role::Admin)), RecordScope::Nothing);
    }

    #[test]
    fn documents_are_attached_while_the_dossier_is_open_to_the_role() {
        use crate::domain::proposal::ProposalState as S;
        assert!(may_attach(Role::LocalOfficer, S::Draft));
        assert!(!may_attach(Role::LocalOfficer, S::Submitted));
        assert!(may_attach(Role::FacilityOwner, S::Returned));
        assert!(!may_attach(Role::FacilityOwner, S::Draft));
        assert!(may_attach(Role::CentreStaff, S::InProgress));
        assert!(!may_attach(Role::CentreStaff, S::Completed));
        for role in [
            Role::Admin,
            Role::Appraiser,
            Role::Director,
            Role::Accountant,
            Role::DepartmentViewer,
        ] {
            for state in S::ALL {
                assert!(!may_attach(role, state), "{role:?} {state:?}");
            }
        }
    }

    #[test]
    fn a_team_member_sees_the_visits_proposals_others_keep_their_scope() {
        let officer = actor(Role::LocalOfficer);
        assert_eq!(
            visit_scope(&officer, true),
            RecordScope::Province {
                province_code: "19".into()
            }
        );
        assert_eq!(visit_scope(&officer, false), record_scope(&officer));
        let owner = actor(Role::FacilityOwner);
        assert_eq!(visit_scope(&owner, false), record_scope(&owner));
    }

    #[test]
    fn a_misconfigured_account_sees_nothing() {
        let mut officer = actor(Role::LocalOfficer);
        officer.area_unit_id = None;
        assert_eq!(record_scope(&officer), RecordScope::Nothing);
        let mut owner = actor(Role::FacilityOwner);
        owner.facility_id = None;
        assert_eq!(record_scope(&owner), RecordScope::Nothing);
    }
}
