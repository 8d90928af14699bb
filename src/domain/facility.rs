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

/// A tax code (mã số thuế): 10 digits, or 13 for a dependent unit (written `0101234567-001`).
/// Spaces, dots and dashes are ignored.
pub fn parse_tax_code(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    let valid = matches!(digits.len(), 10 | 13) && digits.chars().all(|c| c.is_ascii_digit());
    valid.then_some(digits)
}

/// Size class under Decree 80/2021/NĐ-CP Art. 5 (agriculture/forestry/fishery and
/// industry/construction: the sectors of rural industry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeClass {
    /// ≤ 10 insured workers and revenue ≤ 3 billion or capital ≤ 3 billion đồng.
    Micro,
    /// ≤ 100 workers and revenue ≤ 50 billion or capital ≤ 20 billion.
    Small,
    /// ≤ 200 workers and revenue ≤ 200 billion or capital ≤ 100 billion.
    Medium,
    /// Above the medium limits: not an SME.
    Large,
}

const BILLION: i64 = 1_000_000_000;

/// The size class of an enterprise with these figures.
pub fn size_class(workers: i32, annual_revenue: i64, capital: i64) -> SizeClass {
    let within = |max_workers: i32, max_revenue: i64, max_capital: i64| {
        workers <= max_workers
            && (annual_revenue <= max_revenue * BILLION || capital <= max_capital * BILLION)
    };
    if within(10, 3, 3) {
        SizeClass::Micro
    } else if within(100, 50, 20) {
        SizeClass::Small
    } else if within(200, 200, 100) {
        SizeClass::Medium
    } else {
        SizeClass::Large
    }
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Meets the rule.
    Pass,
    /// Needs a person to confirm.
    Warn,
    /// Does not meet the rule: not eligible.
    Fail,
}

impl Outcome {
    /// CSS class and catalogue suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// One line of an eligibility check: the outcome and the catalogue key that explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How it came out.
    pub outcome: Outcome,
    /// Catalogue key of the explanation.
    pub key: &'static str,
    /// Value for the explanation's `{value}` placeholder.
    pub value: String,
}

/// What the eligibility check needs to know about a facility and where it is.
#[derive(Clone, Debug)]
pub struct EligibilityFacts<'a> {
    /// Legal form.
    pub legal_form: LegalForm,
    /// Sector code (`sectors.code`).
    pub sector_code: &'a str,
    /// Insured workers.
    pub workers: i32,
    /// Revenue per year, đồng.
    pub annual_revenue: i64,
    /// Capital, đồng.
    pub capital: i64,
    /// Makes clay bricks in manual or ring kilns.
    pub fired_brick_kiln: bool,
    /// The commune-level unit's kind (`xã`, `phường`, `thị trấn`, `đặc khu`).
    pub unit_kind: &'a str,
    /// Whether the unit lies in a centrally-run city.
    pub in_central_city: bool,
}

/// Whether a facility may receive khuyến công support, and why (Decree 45/2012 Art. 1.2.a as
/// amended by Decree 235/2025; Decree 80/2021 Art. 5; Circular 46/2012 Art. 5.1). Every
/// finding explains itself; the facility is eligible when none fails.
pub fn eligibility(facts: &EligibilityFacts<'_>) -> Vec<Finding> {
    let finding = |outcome, key: &'static str, value: String| Finding {
        outcome,
        key,
        value,
    };
    let mut findings = vec![finding(
        Outcome::Pass,
        "eligibility.legal_form_ok",
        String::new(),
    )];

    if facts.legal_form == LegalForm::Sme {
        let class = size_class(facts.workers, facts.annual_revenue, facts.capital);
        findings.push(match class {
            SizeClass::Large => finding(
                Outcome::Fail,
                "eligibility.too_large",
                facts.workers.to_string(),
            ),
            SizeClass::Micro => finding(Outcome::Pass, "eligibility.size_micro", String::new()),
            SizeClass::Small => finding(Outcome::Pass, "eligibility.size_small", String::new()),
            SizeClass::Medium => finding(Outcome::Pass, "eligibility.size_medium", String::new()),
        });
    }

    if facts.fired_brick_kiln {
        findings.push(finding(
            Outcome::Fail,
            "eligibility.brick_kiln",
            String::new(),
        ));
    }
    if facts.sector_code == "mining_difficult_areas" {
        findings.push(finding(
            Outcome::Warn,
            "eligibility.mining_area",
            String::new(),
        ));
    }
    // Wards of the six centrally-run cities qualify only as recognised craft villages.
    if facts.in_central_city && facts.unit_kind == "phường" {
        findings.push(finding(
            Outcome::Warn,
            "eligibility.city_ward",
            String::new(),
        ));
    } else {
        findings.push(finding(Outcome::Pass, "eligibility.area_ok", String::new()));
    }
    findings
}

/// Whether no finding fails.
pub fn is_eligible(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.outcome != Outcome::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_have_10_or_13_digits() {
        assert_eq!(parse_tax_code("4600123456").as_deref(), Some("4600123456"));
        assert_eq!(
            parse_tax_code(" 4600123456-001 ").as_deref(),
            Some("4600123456001")
        );
        for bad in [
            "",
            "460012345",
            "46001234567",
            "46001234567890",
            "46001234a6",
            "４６００１２３４５６",
        ] {
            assert_eq!(parse_tax_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn size_classes_follow_decree_80() {
        assert_eq!(size_class(10, 3 * BILLION, 0), SizeClass::Micro);
        assert_eq!(size_class(11, 0, 0), SizeClass::Small);
        // Revenue over the limit, but capital within it: still small.
        assert_eq!(size_class(50, 60 * BILLION, 20 * BILLION), SizeClass::Small);
        assert_eq!(
            size_class(50, 60 * BILLION, 21 * BILLION),
            SizeClass::Medium
        );
        assert_eq!(
            size_class(200, 200 * BILLION, 200 * BILLION),
            SizeClass::Medium
        );
        assert_eq!(size_class(201, 0, 0), SizeClass::Large);
        assert_eq!(
            size_class(150, 250 * BILLION, 150 * BILLION),
            SizeClass::Large
        );
        assert_eq!(size_class(i32::MAX, i64::MAX, i64::MAX), SizeClass::Large);
    }

    fn facts() -> EligibilityFacts<'static> {
        EligibilityFacts {
            legal_form: LegalForm::Sme,
            sector_code: "agro_processing",
            workers: 20,
            annual_revenue: 5 * BILLION,
            capital: BILLION,
            fired_brick_kiln: false,
            unit_kind: "xã",
            in_central_city: false,
        }
    }

    #[test]
    fn a_small_tea_firm_in_a_commune_is_eligible() {
        let findings = eligibility(&facts());
        assert!(is_eligible(&findings));
        assert!(findings.iter().any(|f| f.key == "eligibility.size_small"));
    }

    #[test]
    fn large_firms_and_ring_kilns_are_not() {
        let large = EligibilityFacts {
            workers: 500,
            annual_revenue: 900 * BILLION,
            capital: 900 * BILLION,
            ..facts()
        };
        assert!(!is_eligible(&eligibility(&large)));
        let kiln = EligibilityFacts {
            fired_brick_kiln: true,
            ..facts()
        };
        let findings = eligibility(&kiln);
        assert!(!is_eligible(&findings));
        assert!(findings.iter().any(|f| f.key == "eligibility.brick_kiln"));
    }

    #[test]
    fn size_limits_apply_to_enterprises_only() {
        let household = EligibilityFacts {
            legal_form: LegalForm::HouseholdBusiness,
            workers: 500,
            ..facts()
        };
        assert!(is_eligible(&eligibility(&household)));
    }

    #[test]
    fn city_wards_and_mining_need_a_person_to_confirm() {
        let ward = EligibilityFacts {
            unit_kind: "phường",
            in_central_city: true,
            ..facts()
        };
        let findings = eligibility(&ward);
        assert!(is_eligible(&findings));
        assert!(
            findings
                .iter()
                .any(|f| f.outcome == Outcome::Warn && f.key == "eligibility.city_ward")
        );
        let mine = EligibilityFacts {
            sector_code: "mining_difficult_areas",
            ..facts()
        };
        assert!(
            eligibility(&mine)
                .iter()
                .any(|f| f.key == "eligibility.mining_area")
        );
    }
}
