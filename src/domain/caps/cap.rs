//! A cap rule as stored, with its scope and validity, and the choice of the one in force
//! for a proposal's activity type, level, province and date.

use time::Date;

use super::{Arg, CapRule, FULL_BP, Message, covers};
use crate::domain::proposal::ProposalLevel;

/// A cap rule as stored: its figures, scope, legal reference and validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportCap {
    /// Row id.
    pub id: i64,
    /// The activity type it caps (`activity_types.code`).
    pub activity_type_code: String,
    /// National or local funds.
    pub level: ProposalLevel,
    /// `None`: every province; `Some`: one province's own rule.
    pub province_code: Option<String>,
    /// The figures.
    pub rule: CapRule,
    /// The legal basis, as written ("Thông tư 28/2018/TT-BTC, Điều 8.4").
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Date,
    /// First day no longer in force; `None`: still in force.
    pub valid_to: Option<Date>,
}

impl SupportCap {
    /// Whether the rule is in force on `on`.
    pub fn covers(&self, on: Date) -> bool {
        covers(Some(self.valid_from), self.valid_to, on)
    }

    /// The rule in a sentence: "Tối đa 50% chi phí nhưng không quá 300.000.000 ₫/cơ sở
    /// (Thông tư 28/2018/TT-BTC, Điều 8.4)"; with the multiplier applied, the raised
    /// maximum and why.
    pub fn explain(&self, apply_multiplier: bool) -> Message {
        let rule = &self.rule;
        let mut args = vec![
            ("percent", Arg::Percent(rule.percent_bp())),
            ("max", Arg::Money(rule.max_per_unit(apply_multiplier))),
            ("unit", Arg::Key(rule.unit().label_key())),
            ("legal_ref", Arg::Text(self.legal_ref.clone())),
        ];
        let multiplied = rule.multiplier().filter(|_| apply_multiplier);
        let key = match (multiplied, rule.percent_bp() == FULL_BP) {
            (Some(m), _) => {
                args.push(("factor", Arg::Factor(m.factor)));
                args.push(("base", Arg::Money(rule.max_amount())));
                args.push((
                    "case",
                    Arg::Localised {
                        vi: m.label_vi.clone(),
                        en: m.label_en.clone(),
                    },
                ));
                "cap.rule_multiplied"
            }
            (None, true) => "cap.rule_max_only",
            (None, false) => "cap.rule",
        };
        Message { key, args }
    }
}

/// No cap rule is in force for the scope and date asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoRule {
    /// The activity type asked about.
    pub activity_type_code: String,
    /// The level asked about.
    pub level: ProposalLevel,
    /// The province asked about.
    pub province_code: String,
    /// The date asked about.
    pub on: Date,
}

impl NoRule {
    /// "No cap is in force for this activity type (local funds) on 25/11/2026."
    pub fn message(&self) -> Message {
        Message {
            key: "cap.no_rule",
            args: vec![
                ("level", Arg::Key(self.level.label_key())),
                ("date", Arg::Date(self.on)),
            ],
        }
    }
}

/// The cap rule in force for `activity_type_code` at `level` in `province_code` on `on`,
/// chosen from `candidates` (which may hold other scopes and periods: they are ignored).
///
/// A rule of the province itself beats a rule for every province, whatever their dates;
/// among rules of the same kind, the latest `valid_from` wins (a new rule supersedes an old
/// one that nobody ended), then the highest id. Nothing in force is [`NoRule`].
pub fn cap_in_force<'a>(
    candidates: &'a [SupportCap],
    activity_type_code: &str,
    level: ProposalLevel,
    province_code: &str,
    on: Date,
) -> Result<&'a SupportCap, NoRule> {
    candidates
        .iter()
        .filter(|c| {
            c.activity_type_code == activity_type_code
                && c.level == level
                && c.province_code
                    .as_deref()
                    .is_none_or(|p| p == province_code)
                && c.covers(on)
        })
        .max_by_key(|c| (c.province_code.is_some(), c.valid_from, c.id))
        .ok_or_else(|| NoRule {
            activity_type_code: activity_type_code.to_owned(),
            level,
            province_code: province_code.to_owned(),
            on,
        })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::cap;
    use super::super::{CapUnit, CostBasis, max_support};
    use super::*;
    use crate::i18n::Lang;
    use time::macros::date;

    #[test]
    fn the_rule_is_explained_in_both_languages() {
        let national = cap(1, None, date!(2018 - 05 - 11), None);
        assert_eq!(
            national.explain(false).render(Lang::Vi),
            "Tối đa 50% chi phí nhưng không quá 300.000.000 ₫/cơ sở (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        assert_eq!(
            national.explain(false).render(Lang::En),
            "At most 50% of the cost and no more than 300.000.000 ₫ per establishment (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        assert_eq!(
            national.explain(true).render(Lang::Vi),
            "Tối đa 50% chi phí nhưng không quá 450.000.000 ₫/cơ sở, tức 1,5 lần mức 300.000.000 ₫ đối với dây chuyền công nghệ (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        assert_eq!(
            national.explain(true).render(Lang::En),
            "At most 50% of the cost and no more than 450.000.000 ₫ per establishment, that is 1.5 × 300.000.000 ₫ for a technology line (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        let founding = SupportCap {
            rule: CapRule::new(FULL_BP, 10_000_000, CapUnit::Enterprise, None).expect("valid"),
            legal_ref: "Thông tư 28/2018/TT-BTC, Điều 8".into(),
            ..national.clone()
        };
        assert_eq!(
            founding.explain(false).render(Lang::Vi),
            "Không quá 10.000.000 ₫/doanh nghiệp (Thông tư 28/2018/TT-BTC, Điều 8)"
        );
        let limit = max_support(&national.rule, &CostBasis::single(800_000_000)).expect("ok");
        assert_eq!(
            limit.message(&national.rule).render(Lang::Vi),
            "50% của 800.000.000 ₫ là 400.000.000 ₫, vượt mức tối đa 300.000.000 ₫: hỗ trợ tối đa 300.000.000 ₫."
        );
    }

    #[test]
    fn the_rule_in_force_is_the_latest_that_covers_the_date() {
        let old = cap(1, None, date!(2018 - 05 - 11), Some(date!(2026 - 01 - 01)));
        let new = cap(2, None, date!(2026 - 01 - 01), None);
        let rules = [old, new];
        let pick =
            |on| cap_in_force(&rules, "machinery", ProposalLevel::Local, "19", on).map(|c| c.id);
        assert_eq!(
            pick(date!(2018 - 05 - 10)).map_err(|e| e.on),
            Err(date!(2018 - 05 - 10))
        );
        assert_eq!(pick(date!(2018 - 05 - 11)), Ok(1));
        assert_eq!(pick(date!(2025 - 12 - 31)), Ok(1));
        assert_eq!(pick(date!(2026 - 01 - 01)), Ok(2), "valid_to is exclusive");

        // A new rule that nobody ended the old one for still takes over from its start.
        let overlapping = [
            cap(1, None, date!(2018 - 05 - 11), None),
            cap(2, None, date!(2026 - 01 - 01), None),
        ];
        let pick = |on| {
            cap_in_force(&overlapping, "machinery", ProposalLevel::Local, "19", on).map(|c| c.id)
        };
        assert_eq!(pick(date!(2025 - 06 - 01)), Ok(1));
        assert_eq!(pick(date!(2026 - 06 - 01)), Ok(2));
    }

    #[test]
    fn the_province_own_rule_beats_the_all_provinces_rule() {
        let rules = [
            cap(1, None, date!(2025 - 01 - 01), None),
            cap(2, Some("19"), date!(2018 - 05 - 11), None),
            cap(3, Some("01"), date!(2026 - 01 - 01), None),
        ];
        let pick = |province, on| {
            cap_in_force(&rules, "machinery", ProposalLevel::Local, province, on).map(|c| c.id)
        };
        assert_eq!(pick("19", date!(2026 - 06 - 01)), Ok(2));
        assert_eq!(pick("04", date!(2026 - 06 - 01)), Ok(1));
        assert_eq!(pick("01", date!(2026 - 06 - 01)), Ok(3));
        assert_eq!(pick("01", date!(2025 - 06 - 01)), Ok(1));
        assert!(pick("04", date!(2024 - 06 - 01)).is_err());
    }

    #[test]
    fn other_activity_types_and_levels_are_not_chosen() {
        let rules = [cap(1, None, date!(2018 - 05 - 11), None)];
        let on = date!(2026 - 06 - 01);
        let none = cap_in_force(&rules, "training", ProposalLevel::Local, "19", on);
        let Err(no_rule) = none else {
            panic!("training has no rule");
        };
        assert_eq!(no_rule.activity_type_code, "training");
        assert_eq!(
            no_rule.message().render(Lang::Vi),
            "Chưa có quy định mức hỗ trợ tối đa cho nội dung này (Khuyến công địa phương) áp dụng ngày 01/06/2026."
        );
        assert!(cap_in_force(&rules, "machinery", ProposalLevel::National, "19", on).is_err());
        assert!(cap_in_force(&[], "machinery", ProposalLevel::Local, "19", on).is_err());
    }
}
