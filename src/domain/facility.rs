//! Facilities: legal forms (Decree 45 Art. 1.2.a, as amended by Decree 235/2025).

/// The legal form of a rural industrial facility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegalForm {
    /// Doanh nghiệp nhỏ và vừa.
    Sme,
    /// Hợp tác xã.
    Cooperative,
    /// Liên hiệp hợp tác xã (added by Decree 235/2025).
    CooperativeUnion,
    /// Tổ hợp tác.
    CooperativeGroup,
    /// Hộ kinh doanh.
    HouseholdBusiness,
}

impl LegalForm {
    /// Every form.
    pub const ALL: [LegalForm; 5] = [
        Self::Sme,
        Self::Cooperative,
        Self::CooperativeUnion,
        Self::CooperativeGroup,
        Self::HouseholdBusiness,
    ];

    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sme => "sme",
            Self::Cooperative => "cooperative",
            Self::CooperativeUnion => "cooperative_union",
            Self::CooperativeGroup => "cooperative_group",
            Self::HouseholdBusiness => "household_business",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Sme => "legal_form.sme",
            Self::Cooperative => "legal_form.cooperative",
            Self::CooperativeUnion => "legal_form.cooperative_union",
            Self::CooperativeGroup => "legal_form.cooperative_group",
            Self::HouseholdBusiness => "legal_form.household_business",
        }
    }
}
