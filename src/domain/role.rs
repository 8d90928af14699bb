//! The eight roles of the product (PRODUCT.md §2).

use serde::Deserialize;

/// A user's role. Each user has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator: users, organisations, reference data and rules.
    Admin,
    /// Centre officer: screens, plans appraisals, contracts, monitors.
    CentreStaff,
    /// Appraisal officer: records appraisal and acceptance visits.
    Appraiser,
    /// Centre or Department leader: approves plans, funding, adjustments.
    Director,
    /// Centre accountant: budgets, advances, payments, settlement.
    Accountant,
    /// Department of Industry and Trade oversight: reads the whole province.
    DepartmentViewer,
    /// Local economic office officer: its area's facilities and proposals.
    LocalOfficer,
    /// Owner of a facility: its own proposals, in plain words.
    FacilityOwner,
}

impl Role {
    /// Every role, in the order the product lists them.
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::CentreStaff,
        Role::Appraiser,
        Role::Director,
        Role::Accountant,
        Role::DepartmentViewer,
        Role::LocalOfficer,
        Role::FacilityOwner,
    ];

    /// The code used in forms, the database and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CentreStaff => "centre_staff",
            Role::Appraiser => "appraiser",
            Role::Director => "director",
            Role::Accountant => "accountant",
            Role::DepartmentViewer => "department_viewer",
            Role::LocalOfficer => "local_officer",
            Role::FacilityOwner => "facility_owner",
        }
    }

    /// Parses a role code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The message-catalogue key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::CentreStaff => "role.centre_staff",
            Role::Appraiser => "role.appraiser",
            Role::Director => "role.director",
            Role::Accountant => "role.accountant",
            Role::DepartmentViewer => "role.department_viewer",
            Role::LocalOfficer => "role.local_officer",
            Role::FacilityOwner => "role.facility_owner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("root"), None);
    }
}
