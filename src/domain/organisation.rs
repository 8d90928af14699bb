//! Kinds of organisation.

/// What an organisation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrganisationKind {
    /// The province's Industry Promotion Centre.
    Centre,
    /// The Department of Industry and Trade, or one of its divisions.
    Department,
    /// A local economic office, bound to its administrative unit.
    LocalOffice,
    /// The Ministry of Industry and Trade.
    Ministry,
    /// A beneficiary facility (its owners' accounts).
    Facility,
}

impl OrganisationKind {
    /// Every kind.
    pub const ALL: [OrganisationKind; 5] = [
        Self::Centre,
        Self::Department,
        Self::LocalOffice,
        Self::Ministry,
        Self::Facility,
    ];

    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Centre => "centre",
            Self::Department => "department",
            Self::LocalOffice => "local_office",
            Self::Ministry => "ministry",
            Self::Facility => "facility",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Centre => "org_kind.centre",
            Self::Department => "org_kind.department",
            Self::LocalOffice => "org_kind.local_office",
            Self::Ministry => "org_kind.ministry",
            Self::Facility => "org_kind.facility",
        }
    }
}
