//! What a cap allows for a cost ([`max_support`]) and how a requested amount compares with
//! it ([`check_request`]): which limit binds, and by how much a request is too high.

use super::{Arg, CapRule, CapUnit, FULL_BP, Message};

/// What a cap is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostBasis {
    /// The eligible cost, in đồng.
    pub eligible_cost: i64,
    /// How many cap units it covers (establishments of a group proposal, say); usually 1.
    pub units: u32,
    /// Whether the rule's multiplier applies (a technology line, say).
    pub apply_multiplier: bool,
}

impl CostBasis {
    /// The basis of a proposal under `rule`: a cap per establishment counts each beneficiary
    /// (a group proposal's), any other cap unit counts once.
    pub fn for_proposal(
        rule: &CapRule,
        eligible_cost: i64,
        beneficiaries: usize,
        apply_multiplier: bool,
    ) -> Self {
        let units = if rule.unit() == CapUnit::Establishment {
            beneficiaries.max(1)
        } else {
            1
        };
        Self {
            eligible_cost,
            units: u32::try_from(units).unwrap_or(u32::MAX),
            apply_multiplier,
        }
    }

    /// One unit, no multiplier.
    pub fn single(eligible_cost: i64) -> Self {
        Self {
            eligible_cost,
            units: 1,
            apply_multiplier: false,
        }
    }
}

/// Why a cap cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapError {
    /// The eligible cost is negative.
    NegativeCost,
    /// The requested amount is negative.
    NegativeRequest,
}

/// Which of the two limits is the lower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// The share of cost (ties count as this).
    Percent,
    /// The maximum.
    Maximum,
}

/// The most support a rule allows for a cost, and how it was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportLimit {
    /// The eligible cost.
    pub eligible_cost: i64,
    /// The share of cost the rule allows (rounded down to whole đồng).
    pub by_percent: i64,
    /// The maximum: per unit (multiplied if it applies) times the units. Saturates at
    /// `i64::MAX`, where it can never be lower than `by_percent`.
    pub by_maximum: i64,
    /// The lower of the two: the most support allowed.
    pub limit: i64,
    /// Which of the two it is.
    pub binding: Binding,
    /// Whether the multiplier was applied.
    pub multiplier_applied: bool,
}

impl SupportLimit {
    /// "50% của 800.000.000 ₫ là 400.000.000 ₫, vượt mức tối đa 300.000.000 ₫: hỗ trợ tối
    /// đa 300.000.000 ₫."
    pub fn message(&self, rule: &CapRule) -> Message {
        Message {
            key: match self.binding {
                Binding::Percent => "cap.limit_by_percent",
                Binding::Maximum => "cap.limit_by_maximum",
            },
            args: vec![
                ("percent", Arg::Percent(rule.percent_bp())),
                ("cost", Arg::Money(self.eligible_cost)),
                ("by_percent", Arg::Money(self.by_percent)),
                ("by_maximum", Arg::Money(self.by_maximum)),
                ("limit", Arg::Money(self.limit)),
            ],
        }
    }
}

/// The most support `rule` allows for `basis`: min(percent × cost, maximum × units, the
/// maximum multiplied if it applies), rounded down to whole đồng.
pub fn max_support(rule: &CapRule, basis: &CostBasis) -> Result<SupportLimit, CapError> {
    if basis.eligible_cost < 0 {
        return Err(CapError::NegativeCost);
    }
    // percent_bp ≤ 10,000, so the share is at most the cost: it fits an i64.
    let by_percent =
        i128::from(basis.eligible_cost) * i128::from(rule.percent_bp()) / i128::from(FULL_BP);
    let by_percent = i64::try_from(by_percent).unwrap_or(basis.eligible_cost);
    let per_unit = rule.max_per_unit(basis.apply_multiplier);
    let by_maximum =
        i64::try_from(i128::from(per_unit) * i128::from(basis.units)).unwrap_or(i64::MAX);
    let (limit, binding) = if by_percent <= by_maximum {
        (by_percent, Binding::Percent)
    } else {
        (by_maximum, Binding::Maximum)
    };
    Ok(SupportLimit {
        eligible_cost: basis.eligible_cost,
        by_percent,
        by_maximum,
        limit,
        binding,
        multiplier_applied: basis.apply_multiplier && rule.multiplier().is_some(),
    })
}

/// One reason a requested amount is too high.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Excess {
    /// Above the share of cost.
    OverPercent {
        /// The share of cost allowed.
        allowed: i64,
        /// How much the request is above it.
        by: i64,
    },
    /// Above the maximum.
    OverMaximum {
        /// The maximum allowed.
        allowed: i64,
        /// How much the request is above it.
        by: i64,
    },
}

/// A requested amount checked against a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapCheck {
    /// The amount asked for.
    pub requested: i64,
    /// What the rule allows.
    pub limit: SupportLimit,
    /// Why the request is too high: empty when it is within the cap; the share of cost
    /// first, then the maximum, when both are exceeded.
    pub excesses: Vec<Excess>,
}

impl CapCheck {
    /// Whether the request is within the cap.
    pub fn is_within(&self) -> bool {
        self.excesses.is_empty()
    }

    /// How much the request is above what the rule allows (0 when within).
    pub fn over_by(&self) -> i64 {
        // Both are non-negative, so the difference cannot overflow.
        (self.requested - self.limit.limit).max(0)
    }

    /// One sentence per reason the request is too high, or one saying it is within the cap.
    pub fn messages(&self, rule: &CapRule) -> Vec<Message> {
        if self.excesses.is_empty() {
            return vec![Message {
                key: "cap.within",
                args: vec![
                    ("requested", Arg::Money(self.requested)),
                    ("limit", Arg::Money(self.limit.limit)),
                ],
            }];
        }
        self.excesses
            .iter()
            .map(|excess| match *excess {
                Excess::OverPercent { allowed, by } => Message {
                    key: "cap.over_percent",
                    args: vec![
                        ("requested", Arg::Money(self.requested)),
                        ("percent", Arg::Percent(rule.percent_bp())),
                        ("cost", Arg::Money(self.limit.eligible_cost)),
                        ("allowed", Arg::Money(allowed)),
                        ("by", Arg::Money(by)),
                    ],
                },
                Excess::OverMaximum { allowed, by } => Message {
                    key: "cap.over_maximum",
                    args: vec![
                        ("requested", Arg::Money(self.requested)),
                        ("allowed", Arg::Money(allowed)),
                        ("by", Arg::Money(by)),
                    ],
                },
            })
            .collect()
    }
}

/// Checks `requested` support against what `rule` allows for `basis`.
pub fn check_request(
    rule: &CapRule,
    basis: &CostBasis,
    requested: i64,
) -> Result<CapCheck, CapError> {
    if requested < 0 {
        return Err(CapError::NegativeRequest);
    }
    let limit = max_support(rule, basis)?;
    let mut excesses = Vec::new();
    // Both sides are non-negative: the subtractions cannot overflow.
    if requested > limit.by_percent {
        excesses.push(Excess::OverPercent {
            allowed: limit.by_percent,
            by: requested - limit.by_percent,
        });
    }
    if requested > limit.by_maximum {
        excesses.push(Excess::OverMaximum {
            allowed: limit.by_maximum,
            by: requested - limit.by_maximum,
        });
    }
    Ok(CapCheck {
        requested,
        limit,
        excesses,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{machinery, technology_line};
    use super::super::{CaseMultiplier, Multiplier};
    use super::*;
    use crate::i18n::Lang;

    /// 30%, at most 1,000 million per model.
    fn demonstration() -> CapRule {
        CapRule::new(3_000, 1_000_000_000, CapUnit::Model, None).expect("valid")
    }

    fn limit(rule: &CapRule, cost: i64) -> i64 {
        max_support(rule, &CostBasis::single(cost))
            .expect("non-negative cost")
            .limit
    }

    #[test]
    fn the_percent_binds_below_the_maximum_and_the_maximum_above() {
        let rule = machinery();
        // 50% of 400 M = 200 M < 300 M.
        let low = max_support(&rule, &CostBasis::single(400_000_000)).expect("ok");
        assert_eq!(low.by_percent, 200_000_000);
        assert_eq!(low.by_maximum, 300_000_000);
        assert_eq!(low.limit, 200_000_000);
        assert_eq!(low.binding, Binding::Percent);
        // 50% of 800 M = 400 M > 300 M.
        let high = max_support(&rule, &CostBasis::single(800_000_000)).expect("ok");
        assert_eq!(high.limit, 300_000_000);
        assert_eq!(high.binding, Binding::Maximum);
        // Exactly at the turning point both agree; the share of cost is named.
        let even = max_support(&rule, &CostBasis::single(600_000_000)).expect("ok");
        assert_eq!(even.limit, 300_000_000);
        assert_eq!(even.binding, Binding::Percent);
        assert_eq!(limit(&demonstration(), 2_000_000_000), 600_000_000);
        assert_eq!(limit(&demonstration(), 5_000_000_000), 1_000_000_000);
        assert_eq!(limit(&rule, 0), 0);
    }

    #[test]
    fn the_multiplier_raises_only_the_maximum_and_only_when_it_applies() {
        let rule = machinery();
        let line = CostBasis {
            eligible_cost: 1_000_000_000,
            units: 1,
            apply_multiplier: true,
        };
        let raised = max_support(&rule, &line).expect("ok");
        assert_eq!(raised.by_maximum, 450_000_000);
        assert_eq!(raised.limit, 450_000_000);
        assert!(raised.multiplier_applied);
        // The share of cost is not multiplied: 50% of 600 M is still 300 M.
        let small = CostBasis {
            eligible_cost: 600_000_000,
            ..line
        };
        assert_eq!(max_support(&rule, &small).expect("ok").limit, 300_000_000);
        assert_eq!(limit(&rule, 1_000_000_000), 300_000_000);
        // A rule without a multiplier ignores the flag.
        let demo = max_support(
            &demonstration(),
            &CostBasis {
                eligible_cost: 10_000_000_000,
                units: 1,
                apply_multiplier: true,
            },
        )
        .expect("ok");
        assert_eq!(demo.limit, 1_000_000_000);
        assert!(!demo.multiplier_applied);
    }

    #[test]
    fn the_maximum_counts_per_unit() {
        let three = CostBasis {
            eligible_cost: 3_000_000_000,
            units: 3,
            apply_multiplier: false,
        };
        assert_eq!(
            max_support(&machinery(), &three).expect("ok").limit,
            900_000_000
        );
        let none = CostBasis { units: 0, ..three };
        assert_eq!(max_support(&machinery(), &none).expect("ok").limit, 0);
    }

    #[test]
    fn amounts_round_down_to_whole_dong() {
        let rule = CapRule::new(3_333, i64::MAX, CapUnit::Proposal, None).expect("valid");
        // 33.33% of 100 = 33.33 → 33; of 1 = 0.33 → 0.
        assert_eq!(limit(&rule, 100), 33);
        assert_eq!(limit(&rule, 1), 0);
        assert_eq!(limit(&machinery(), 999), 499);
        let odd = CapRule::new(
            10_000,
            7,
            CapUnit::Model,
            Some(CaseMultiplier {
                factor: Multiplier::new(3, 2).expect("3/2"),
                ..technology_line()
            }),
        )
        .expect("valid");
        // 1.5 × 7 = 10.5 → 10.
        assert_eq!(odd.max_per_unit(true), 10);
    }

    #[test]
    fn no_input_overflows() {
        let full = CapRule::new(FULL_BP, i64::MAX, CapUnit::Proposal, None).expect("valid");
        assert_eq!(limit(&full, i64::MAX), i64::MAX);
        assert_eq!(limit(&machinery(), i64::MAX), 300_000_000);
        let huge_units = CostBasis {
            eligible_cost: i64::MAX,
            units: u32::MAX,
            apply_multiplier: true,
        };
        let result = max_support(&machinery(), &huge_units).expect("ok");
        assert_eq!(result.by_percent, i64::MAX / 2);
        // 450 M × 4,294,967,295 units fits; it is below half of i64::MAX, so it binds.
        assert_eq!(result.by_maximum, 450_000_000 * i64::from(u32::MAX));
        assert_eq!(result.limit, result.by_maximum);
        assert_eq!(result.binding, Binding::Maximum);
        let big = CapRule::new(FULL_BP, i64::MAX / 2, CapUnit::Model, None).expect("valid");
        let many = CostBasis {
            units: 4,
            ..huge_units
        };
        let saturated = max_support(&big, &many).expect("ok");
        assert_eq!(saturated.by_maximum, i64::MAX);
        assert_eq!(saturated.limit, i64::MAX);
        assert_eq!(
            max_support(&full, &CostBasis::single(-1)),
            Err(CapError::NegativeCost)
        );
        assert_eq!(
            max_support(&full, &CostBasis::single(i64::MIN)),
            Err(CapError::NegativeCost)
        );
        let check = check_request(&full, &CostBasis::single(0), i64::MAX).expect("ok");
        assert_eq!(check.over_by(), i64::MAX);
        assert_eq!(
            check_request(&full, &CostBasis::single(0), i64::MIN),
            Err(CapError::NegativeRequest)
        );
    }

    #[test]
    fn requests_above_the_cap_say_why_and_by_how_much() {
        let rule = machinery();
        let basis = CostBasis::single(800_000_000);
        let within = check_request(&rule, &basis, 300_000_000).expect("ok");
        assert!(within.is_within());
        assert_eq!(within.over_by(), 0);

        // 350 M: within 50% of 800 M (400 M), above the 300 M maximum.
        let over_max = check_request(&rule, &basis, 350_000_000).expect("ok");
        assert_eq!(
            over_max.excesses,
            [Excess::OverMaximum {
                allowed: 300_000_000,
                by: 50_000_000
            }]
        );
        assert_eq!(over_max.over_by(), 50_000_000);

        // 250 M on a 400 M cost: above 50% (200 M), within the maximum.
        let over_percent =
            check_request(&rule, &CostBasis::single(400_000_000), 250_000_000).expect("ok");
        assert_eq!(
            over_percent.excesses,
            [Excess::OverPercent {
                allowed: 200_000_000,
                by: 50_000_000
            }]
        );

        // 500 M on 800 M: above both; the share first.
        let both = check_request(&rule, &basis, 500_000_000).expect("ok");
        assert_eq!(
            both.excesses,
            [
                Excess::OverPercent {
                    allowed: 400_000_000,
                    by: 100_000_000
                },
                Excess::OverMaximum {
                    allowed: 300_000_000,
                    by: 200_000_000
                }
            ]
        );
        assert_eq!(both.over_by(), 200_000_000);
        let texts: Vec<String> = both
            .messages(&rule)
            .iter()
            .map(|m| m.render(Lang::Vi))
            .collect();
        assert_eq!(
            texts,
            [
                "Số tiền đề nghị 500.000.000 ₫ vượt 100.000.000 ₫ so với mức 50% chi phí (50% của 800.000.000 ₫ là 400.000.000 ₫).",
                "Số tiền đề nghị 500.000.000 ₫ vượt 200.000.000 ₫ so với mức tối đa 300.000.000 ₫."
            ]
        );
        assert_eq!(
            within.messages(&rule)[0].render(Lang::En),
            "The requested 300.000.000 ₫ is within the cap (at most 300.000.000 ₫)."
        );
    }
}
