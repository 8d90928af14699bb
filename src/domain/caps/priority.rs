//! The kinds of priority area and their rank in the order of allocation.

/// The kinds of priority area (Thông tư 46/2012/TT-BCT Art. 6.1), ranked a–d.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PriorityAreaKind {
    /// a) Upland (miền núi).
    Upland,
    /// a) Island (hải đảo).
    Island,
    /// a) Land border area (biên giới).
    Border,
    /// a) Ethnic-minority area (vùng đồng bào dân tộc thiểu số).
    EthnicMinority,
    /// b) Poor district under Resolution 30a (huyện nghèo).
    PoorDistrict,
    /// c) Commune in the New Rural Development plan (xã nông thôn mới).
    NewRural,
    /// d) Difficult socio-economic conditions.
    Difficult,
    /// d) Extremely difficult socio-economic conditions.
    ExtremelyDifficult,
}

impl PriorityAreaKind {
    /// Every kind, in rank order.
    pub const ALL: [PriorityAreaKind; 8] = [
        Self::Upland,
        Self::Island,
        Self::Border,
        Self::EthnicMinority,
        Self::PoorDistrict,
        Self::NewRural,
        Self::Difficult,
        Self::ExtremelyDifficult,
    ];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Upland => "upland",
            Self::Island => "island",
            Self::Border => "border",
            Self::EthnicMinority => "ethnic_minority",
            Self::PoorDistrict => "poor_district",
            Self::NewRural => "new_rural",
            Self::Difficult => "difficult",
            Self::ExtremelyDifficult => "extremely_difficult",
        }
    }

    /// Parses a kind code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The point of Art. 6.1 it falls under, as the order of allocation: 1 (a) to 4 (d).
    pub fn rank(self) -> u8 {
        match self {
            Self::Upland | Self::Island | Self::Border | Self::EthnicMinority => 1,
            Self::PoorDistrict => 2,
            Self::NewRural => 3,
            Self::Difficult | Self::ExtremelyDifficult => 4,
        }
    }

    /// Catalogue key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Upland => "priority_kind.upland",
            Self::Island => "priority_kind.island",
            Self::Border => "priority_kind.border",
            Self::EthnicMinority => "priority_kind.ethnic_minority",
            Self::PoorDistrict => "priority_kind.poor_district",
            Self::NewRural => "priority_kind.new_rural",
            Self::Difficult => "priority_kind.difficult",
            Self::ExtremelyDifficult => "priority_kind.extremely_difficult",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_priority_ranks_follow_points_a_to_d() {
        for kind in PriorityAreaKind::ALL {
            assert_eq!(PriorityAreaKind::from_code(kind.code()), Some(kind));
        }
        let ranks: Vec<u8> = PriorityAreaKind::ALL.iter().map(|k| k.rank()).collect();
        assert_eq!(ranks, [1, 1, 1, 1, 2, 3, 4, 4]);
    }
}
