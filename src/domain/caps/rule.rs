//! A cap's figures: the share of cost, the maximum per unit and the unit it counts, and the
//! multiplier of a named case. [`CapRule::new`] refuses figures that cannot form a rule.

use super::FULL_BP;
use crate::domain::format::decimal;
use crate::i18n::Lang;

/// The largest numerator or denominator of a multiplier.
pub const MAX_MULTIPLIER_TERM: u32 = 10_000;

/// What a cap's maximum is counted per.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapUnit {
    /// A demonstration or pilot model (mô hình).
    Model,
    /// A beneficiary establishment (cơ sở).
    Establishment,
    /// An enterprise founded (doanh nghiệp).
    Enterprise,
    /// An industrial cluster (cụm công nghiệp).
    Cluster,
    /// A training course (khóa đào tạo).
    Course,
    /// A product (sản phẩm), e.g. a typical product.
    Product,
    /// The proposal as a whole (đề án).
    Proposal,
}

impl CapUnit {
    /// Every unit, in the order forms list them.
    pub const ALL: [CapUnit; 7] = [
        Self::Model,
        Self::Establishment,
        Self::Enterprise,
        Self::Cluster,
        Self::Course,
        Self::Product,
        Self::Proposal,
    ];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Establishment => "establishment",
            Self::Enterprise => "enterprise",
            Self::Cluster => "cluster",
            Self::Course => "course",
            Self::Product => "product",
            Self::Proposal => "proposal",
        }
    }

    /// Parses a unit code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }

    /// Catalogue key of the unit's name ("cơ sở").
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Model => "cap_unit.model",
            Self::Establishment => "cap_unit.establishment",
            Self::Enterprise => "cap_unit.enterprise",
            Self::Cluster => "cap_unit.cluster",
            Self::Course => "cap_unit.course",
            Self::Product => "cap_unit.product",
            Self::Proposal => "cap_unit.proposal",
        }
    }
}

/// An exact factor `numerator / denominator` (3/2 = 1.5×), both terms 1..=10,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Multiplier {
    numerator: u32,
    denominator: u32,
}

impl Multiplier {
    /// The factor in lowest terms; `None` if a term is 0 or above [`MAX_MULTIPLIER_TERM`].
    pub fn new(numerator: u32, denominator: u32) -> Option<Self> {
        let in_range = |t: u32| (1..=MAX_MULTIPLIER_TERM).contains(&t);
        if !in_range(numerator) || !in_range(denominator) {
            return None;
        }
        let g = gcd(numerator, denominator);
        Some(Self {
            numerator: numerator / g,
            denominator: denominator / g,
        })
    }

    /// The numerator (in lowest terms).
    pub fn numerator(self) -> u32 {
        self.numerator
    }

    /// The denominator (in lowest terms).
    pub fn denominator(self) -> u32 {
        self.denominator
    }

    /// `amount × self`, rounded down; `None` if it does not fit an `i64` or `amount` < 0.
    pub fn apply(self, amount: i64) -> Option<i64> {
        if amount < 0 {
            return None;
        }
        let product =
            i128::from(amount) * i128::from(self.numerator) / i128::from(self.denominator);
        i64::try_from(product).ok()
    }

    /// The factor as people write it: `1,5` (Vietnamese) or `1.5` (English) when it is a
    /// decimal with at most two places, else `4/3`. [`parse_multiplier`](crate::domain::input::parse_multiplier)
    /// reads both back.
    pub fn display(self, lang: Lang) -> String {
        if 100 % self.denominator == 0 {
            let hundredths = u64::from(self.numerator) * 100 / u64::from(self.denominator);
            decimal(hundredths, lang)
        } else {
            format!("{}/{}", self.numerator, self.denominator)
        }
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A multiplier and the case it applies to, named in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseMultiplier {
    /// The factor.
    pub factor: Multiplier,
    /// The case in Vietnamese ("dây chuyền công nghệ").
    pub label_vi: String,
    /// The case in English ("a technology line").
    pub label_en: String,
}

impl CaseMultiplier {
    /// The case in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.label_vi,
            Lang::En => &self.label_en,
        }
    }
}

/// Why a rule's figures cannot form a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// The share is above 100%.
    PercentOutOfRange,
    /// The maximum is negative.
    NegativeMaximum,
    /// The maximum times the multiplier does not fit in an `i64`.
    MaximumTooLarge,
}

/// The figures of a cap: a share of cost, a maximum per unit, and an optional multiplier.
/// Built only through [`CapRule::new`], so every rule in hand is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapRule {
    percent_bp: u32,
    max_amount: i64,
    unit: CapUnit,
    multiplier: Option<CaseMultiplier>,
}

impl CapRule {
    /// A rule: at most `percent_bp` basis points (5000 = 50%) of the eligible cost and at
    /// most `max_amount` đồng per `unit`, the maximum multiplied by `multiplier` in its case.
    pub fn new(
        percent_bp: u32,
        max_amount: i64,
        unit: CapUnit,
        multiplier: Option<CaseMultiplier>,
    ) -> Result<Self, RuleError> {
        if percent_bp > FULL_BP {
            return Err(RuleError::PercentOutOfRange);
        }
        if max_amount < 0 {
            return Err(RuleError::NegativeMaximum);
        }
        if let Some(m) = &multiplier
            && m.factor.apply(max_amount).is_none()
        {
            return Err(RuleError::MaximumTooLarge);
        }
        Ok(Self {
            percent_bp,
            max_amount,
            unit,
            multiplier,
        })
    }

    /// The share of cost, in basis points.
    pub fn percent_bp(&self) -> u32 {
        self.percent_bp
    }

    /// The maximum per unit, in đồng, without the multiplier.
    pub fn max_amount(&self) -> i64 {
        self.max_amount
    }

    /// What the maximum is counted per.
    pub fn unit(&self) -> CapUnit {
        self.unit
    }

    /// The multiplier and its case, if the rule has one.
    pub fn multiplier(&self) -> Option<&CaseMultiplier> {
        self.multiplier.as_ref()
    }

    /// The maximum per unit, multiplied when `apply_multiplier` and the rule has a
    /// multiplier. Exact: [`CapRule::new`] refused rules where it would not fit.
    pub fn max_per_unit(&self, apply_multiplier: bool) -> i64 {
        match (&self.multiplier, apply_multiplier) {
            (Some(m), true) => m.factor.apply(self.max_amount).unwrap_or(i64::MAX),
            _ => self.max_amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::technology_line;
    use super::*;

    #[test]
    fn invalid_rules_cannot_be_made() {
        assert_eq!(
            CapRule::new(10_001, 1, CapUnit::Model, None),
            Err(RuleError::PercentOutOfRange)
        );
        assert_eq!(
            CapRule::new(u32::MAX, 1, CapUnit::Model, None),
            Err(RuleError::PercentOutOfRange)
        );
        assert_eq!(
            CapRule::new(5_000, -1, CapUnit::Model, None),
            Err(RuleError::NegativeMaximum)
        );
        assert_eq!(
            CapRule::new(5_000, i64::MAX, CapUnit::Model, Some(technology_line())),
            Err(RuleError::MaximumTooLarge)
        );
        assert!(CapRule::new(0, 0, CapUnit::Model, None).is_ok());
        assert_eq!(Multiplier::new(0, 1), None);
        assert_eq!(Multiplier::new(1, 0), None);
        assert_eq!(Multiplier::new(10_001, 1), None);
        let m = Multiplier::new(150, 100).expect("1.5");
        assert_eq!((m.numerator(), m.denominator()), (3, 2));
        assert_eq!(m.apply(-1), None);
        assert_eq!(m.apply(i64::MAX), None);
    }

    #[test]
    fn unit_codes_round_trip() {
        for unit in CapUnit::ALL {
            assert_eq!(CapUnit::from_code(unit.code()), Some(unit));
        }
        assert_eq!(CapUnit::from_code("bushel"), None);
    }
}
