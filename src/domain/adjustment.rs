//! Adjustments of a proposal being carried out (điều chỉnh, DOMAIN.md §4.8): what may be
//! asked, what each kind needs, and which level decides it by default (Thông tư
//! 36/2013/TT-BCT Art. 11; the rule in force, a table, is what the application applies).

use time::{Date, Month};

/// What an adjustment changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdjustmentKind {
    /// The timing, within the plan's fiscal year.
    Schedule,
    /// An extension into the next year.
    Extension,
    /// Where the work is done.
    Location,
    /// The beneficiary.
    Beneficiary,
    /// The content of the activity.
    Content,
    /// More support.
    SupportIncrease,
    /// Less support.
    SupportDecrease,
}

/// Who decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdjustmentLevel {
    /// The Department (Sở Công Thương) itself, by a contract amendment.
    Department,
    /// The top level (the province's People's Committee; the Ministry for national funds):
    /// the Department records its decision.
    Top,
}

impl AdjustmentKind {
    /// Every kind, in the order of the form.
    pub const ALL: [AdjustmentKind; 7] = [
        Self::Schedule,
        Self::Extension,
        Self::Location,
        Self::Beneficiary,
        Self::Content,
        Self::SupportIncrease,
        Self::SupportDecrease,
    ];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Extension => "extension",
            Self::Location => "location",
            Self::Beneficiary => "beneficiary",
            Self::Content => "content",
            Self::SupportIncrease => "support_increase",
            Self::SupportDecrease => "support_decrease",
        }
    }

    /// The kind a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Schedule => "adjustment_kind.schedule",
            Self::Extension => "adjustment_kind.extension",
            Self::Location => "adjustment_kind.location",
            Self::Beneficiary => "adjustment_kind.beneficiary",
            Self::Content => "adjustment_kind.content",
            Self::SupportIncrease => "adjustment_kind.support_increase",
            Self::SupportDecrease => "adjustment_kind.support_decrease",
        }
    }

    /// Whether it moves the contract's deadline.
    pub fn needs_deadline(self) -> bool {
        matches!(self, Self::Schedule | Self::Extension)
    }

    /// Whether it changes the support.
    pub fn needs_support(self) -> bool {
        matches!(self, Self::SupportIncrease | Self::SupportDecrease)
    }

    /// The level Art. 11 gives it (the seeded rules).
    pub fn default_level(self) -> AdjustmentLevel {
        match self {
            Self::Extension | Self::Content | Self::SupportIncrease => AdjustmentLevel::Top,
            Self::Schedule | Self::Location | Self::Beneficiary | Self::SupportDecrease => {
                AdjustmentLevel::Department
            }
        }
    }
}

impl AdjustmentLevel {
    /// Both levels.
    pub const ALL: [AdjustmentLevel; 2] = [Self::Department, Self::Top];

    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Top => "top",
        }
    }

    /// The level a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Department => "adjustment_level.department",
            Self::Top => "adjustment_level.top",
        }
    }
}

/// What a request is checked against.
#[derive(Clone, Copy, Debug)]
pub struct Current {
    /// The plan year (its fiscal year ends on 31 December).
    pub plan_year: i32,
    /// The contract's deadline.
    pub deadline: Date,
    /// The approved support.
    pub support: i64,
    /// What was paid already.
    pub paid: i64,
    /// The support the dossier requested (an increase stays within it).
    pub requested: i64,
}

/// Checks the new deadline or support a request of `kind` asks for; the catalogue key of the
/// problem otherwise.
pub fn check(
    kind: AdjustmentKind,
    current: Current,
    new_deadline: Option<Date>,
    new_support: Option<i64>,
) -> Result<(), (&'static str, &'static str)> {
    let year_end = Date::from_calendar_date(current.plan_year, Month::December, 31)
        .map_err(|_| ("new_deadline", "input.not_a_date"))?;
    match kind {
        AdjustmentKind::Schedule | AdjustmentKind::Extension => {
            let day = new_deadline.ok_or(("new_deadline", "input.required"))?;
            if day == current.deadline {
                return Err(("new_deadline", "adjustment.same_deadline"));
            }
            match (kind, day > year_end) {
                (AdjustmentKind::Schedule, true) => Err(("new_deadline", "adjustment.past_year")),
                (AdjustmentKind::Extension, false) => {
                    Err(("new_deadline", "adjustment.within_year"))
                }
                _ => Ok(()),
            }
        }
        AdjustmentKind::SupportIncrease => match new_support {
            None => Err(("new_support", "input.required")),
            Some(amount) if amount <= current.support => {
                Err(("new_support", "adjustment.not_more"))
            }
            Some(amount) if amount > current.requested => {
                Err(("new_support", "adjustment.above_requested"))
            }
            Some(_) => Ok(()),
        },
        AdjustmentKind::SupportDecrease => match new_support {
            None => Err(("new_support", "input.required")),
            Some(amount) if amount >= current.support => {
                Err(("new_support", "adjustment.not_less"))
            }
            Some(amount) if amount < current.paid => Err(("new_support", "adjustment.below_paid")),
            Some(_) => Ok(()),
        },
        AdjustmentKind::Location | AdjustmentKind::Beneficiary | AdjustmentKind::Content => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const NOW: Current = Current {
        plan_year: 2026,
        deadline: date!(2026 - 11 - 30),
        support: 200_000_000,
        paid: 140_000_000,
        requested: 300_000_000,
    };

    #[test]
    fn the_regulation_sends_increases_content_and_extensions_up() {
        let top: Vec<_> = AdjustmentKind::ALL
            .into_iter()
            .filter(|k| k.default_level() == AdjustmentLevel::Top)
            .collect();
        assert_eq!(
            top,
            [
                AdjustmentKind::Extension,
                AdjustmentKind::Content,
                AdjustmentKind::SupportIncrease
            ]
        );
    }

    #[test]
    fn a_schedule_stays_in_the_year_and_an_extension_leaves_it() {
        use AdjustmentKind::{Extension, Schedule};
        assert_eq!(
            check(Schedule, NOW, Some(date!(2026 - 12 - 31)), None),
            Ok(())
        );
        assert_eq!(
            check(Schedule, NOW, Some(date!(2027 - 01 - 15)), None),
            Err(("new_deadline", "adjustment.past_year"))
        );
        assert_eq!(
            check(Extension, NOW, Some(date!(2027 - 03 - 31)), None),
            Ok(())
        );
        assert_eq!(
            check(Extension, NOW, Some(date!(2026 - 12 - 15)), None),
            Err(("new_deadline", "adjustment.within_year"))
        );
        assert_eq!(
            check(Schedule, NOW, Some(NOW.deadline), None),
            Err(("new_deadline", "adjustment.same_deadline"))
        );
        assert_eq!(
            check(Schedule, NOW, None, None),
            Err(("new_deadline", "input.required"))
        );
    }

    #[test]
    fn support_changes_go_the_way_they_say_and_never_below_what_was_paid() {
        use AdjustmentKind::{SupportDecrease, SupportIncrease};
        assert_eq!(check(SupportIncrease, NOW, None, Some(250_000_000)), Ok(()));
        assert_eq!(
            check(SupportIncrease, NOW, None, Some(300_000_001)),
            Err(("new_support", "adjustment.above_requested"))
        );
        assert_eq!(
            check(SupportIncrease, NOW, None, Some(200_000_000)),
            Err(("new_support", "adjustment.not_more"))
        );
        assert_eq!(check(SupportDecrease, NOW, None, Some(150_000_000)), Ok(()));
        assert_eq!(
            check(SupportDecrease, NOW, None, Some(100_000_000)),
            Err(("new_support", "adjustment.below_paid"))
        );
    }
}
