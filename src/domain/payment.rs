//! Money paid against a contract (DOMAIN.md §4.6, §4.10): advances (tạm ứng) up to the
//! share of the approved support the contract's terms allow, the final payment at settlement
//! (admitted support less the advances), and recoveries (thu hồi) when the advances were
//! more than was admitted or the work was stopped. Never more than the approved support.

use super::contract::AdvanceTerms;

/// What a payment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentKind {
    /// An advance during the work.
    Advance,
    /// The final payment at settlement.
    Final,
    /// Money paid back to the fund holder.
    Recovery,
}

impl PaymentKind {
    /// Every kind, in the order of a contract's life.
    pub const ALL: [PaymentKind; 3] = [Self::Advance, Self::Final, Self::Recovery];

    /// The database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Advance => "advance",
            Self::Final => "final",
            Self::Recovery => "recovery",
        }
    }

    /// The kind a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Catalogue key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Advance => "payment_kind.advance",
            Self::Final => "payment_kind.final",
            Self::Recovery => "payment_kind.recovery",
        }
    }
}

/// What a contract has had paid so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paid {
    /// Every advance, added up.
    pub advanced: i64,
    /// Net of everything: advances and final payment less recoveries.
    pub net: i64,
}

impl Paid {
    /// The totals after `amount` of `kind`, if they stay whole numbers.
    pub fn with(self, kind: PaymentKind, amount: i64) -> Option<Self> {
        Some(match kind {
            PaymentKind::Advance => Self {
                advanced: self.advanced.checked_add(amount)?,
                net: self.net.checked_add(amount)?,
            },
            PaymentKind::Final => Self {
                net: self.net.checked_add(amount)?,
                ..self
            },
            PaymentKind::Recovery => Self {
                net: self.net.checked_sub(amount)?,
                ..self
            },
        })
    }
}

/// Why a payment cannot be recorded, as a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentProblem {
    /// Nothing, or less than nothing.
    NotPositive,
    /// The advances would pass the share the contract allows.
    AboveAdvanceShare,
    /// Everything paid would pass the approved support.
    AboveSupport,
    /// More would be recovered than was paid.
    RecoveryAbovePaid,
}

impl PaymentProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::NotPositive => "payment.not_positive",
            Self::AboveAdvanceShare => "payment.above_advance_share",
            Self::AboveSupport => "payment.above_support",
            Self::RecoveryAbovePaid => "payment.recovery_above_paid",
        }
    }
}

/// Checks a payment of `amount` against a contract of `support` under `terms` that has had
/// `paid`; the totals after it.
pub fn check(
    kind: PaymentKind,
    amount: i64,
    support: i64,
    terms: AdvanceTerms,
    paid: Paid,
) -> Result<Paid, PaymentProblem> {
    if amount <= 0 {
        return Err(PaymentProblem::NotPositive);
    }
    let after = paid
        .with(kind, amount)
        .ok_or(PaymentProblem::AboveSupport)?;
    if after.net < 0 {
        return Err(PaymentProblem::RecoveryAbovePaid);
    }
    if after.net > support {
        return Err(PaymentProblem::AboveSupport);
    }
    if kind == PaymentKind::Advance && after.advanced > terms.max_advance(support) {
        return Err(PaymentProblem::AboveAdvanceShare);
    }
    Ok(after)
}

/// Why an advance cannot be requested, as a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestProblem {
    /// Nothing, or less than nothing.
    NotPositive,
    /// No progress report yet, or the last one is not above the threshold.
    BelowThreshold,
    /// With what is advanced or asked already, above the share the contract allows.
    AboveShare,
}

impl RequestProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::NotPositive => "payment.not_positive",
            Self::BelowThreshold => "advance.below_threshold",
            Self::AboveShare => "payment.above_advance_share",
        }
    }
}

/// Whether work `percent_done` (whole percent) is past the threshold of `terms`: the
/// progress report must show more than it (36/2013 Art. 14: "trên 70%").
pub fn past_threshold(terms: AdvanceTerms, percent_done: u8) -> bool {
    u32::from(percent_done) * 100 > terms.threshold_bp
}

/// What may still be asked as advances on `support` under `terms` when `asked` is advanced
/// or asked already (requests not refused).
pub fn advance_left(support: i64, terms: AdvanceTerms, asked: i64) -> i64 {
    terms.max_advance(support).saturating_sub(asked).max(0)
}

/// Checks a request for an advance of `amount`, the latest progress report saying
/// `percent_done` (`None`: none yet).
pub fn check_request(
    amount: i64,
    support: i64,
    terms: AdvanceTerms,
    percent_done: Option<u8>,
    asked: i64,
) -> Result<(), RequestProblem> {
    if amount <= 0 {
        return Err(RequestProblem::NotPositive);
    }
    if !percent_done.is_some_and(|p| past_threshold(terms, p)) {
        return Err(RequestProblem::BelowThreshold);
    }
    if amount > advance_left(support, terms, asked) {
        return Err(RequestProblem::AboveShare);
    }
    Ok(())
}

/// How a contract settles: what is still owed to the implementer, or what it must pay back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// The final payment.
    Pay(i64),
    /// The recovery.
    Recover(i64),
    /// Nothing either way.
    Even,
}

/// The settlement of `admitted` support (at most the approved) after `paid` net.
pub fn settle(admitted: i64, paid: Paid) -> Settlement {
    let due = i128::from(admitted) - i128::from(paid.net);
    let amount = i64::try_from(due.unsigned_abs()).unwrap_or(i64::MAX);
    match due.signum() {
        1 => Settlement::Pay(amount),
        -1 => Settlement::Recover(amount),
        _ => Settlement::Even,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMS: AdvanceTerms = AdvanceTerms {
        share_bp: 7000,
        threshold_bp: 7000,
    };
    const SUPPORT: i64 = 200_000_000;

    #[test]
    fn advances_stop_at_the_share_of_the_support() {
        let first = check(
            PaymentKind::Advance,
            100_000_000,
            SUPPORT,
            TERMS,
            Paid::default(),
        )
        .expect("half the support");
        assert_eq!(
            first,
            Paid {
                advanced: 100_000_000,
                net: 100_000_000
            }
        );
        let second =
            check(PaymentKind::Advance, 40_000_000, SUPPORT, TERMS, first).expect("up to 70%");
        assert_eq!(second.advanced, 140_000_000);
        assert_eq!(
            check(PaymentKind::Advance, 1, SUPPORT, TERMS, second),
            Err(PaymentProblem::AboveAdvanceShare)
        );
    }

    #[test]
    fn nothing_paid_passes_the_support_and_nothing_recovered_passes_what_was_paid() {
        let advanced = Paid {
            advanced: 140_000_000,
            net: 140_000_000,
        };
        assert_eq!(
            check(PaymentKind::Final, 60_000_000, SUPPORT, TERMS, advanced),
            Ok(Paid {
                advanced: 140_000_000,
                net: SUPPORT
            })
        );
        assert_eq!(
            check(PaymentKind::Final, 60_000_001, SUPPORT, TERMS, advanced),
            Err(PaymentProblem::AboveSupport)
        );
        assert_eq!(
            check(PaymentKind::Recovery, 140_000_001, SUPPORT, TERMS, advanced),
            Err(PaymentProblem::RecoveryAbovePaid)
        );
        assert_eq!(
            check(PaymentKind::Recovery, 40_000_000, SUPPORT, TERMS, advanced).map(|p| p.net),
            Ok(100_000_000)
        );
        for amount in [0, -5] {
            assert_eq!(
                check(PaymentKind::Advance, amount, SUPPORT, TERMS, advanced),
                Err(PaymentProblem::NotPositive)
            );
        }
    }

    #[test]
    fn sums_that_would_overflow_are_refused_not_wrapped() {
        let paid = Paid {
            advanced: i64::MAX - 1,
            net: i64::MAX - 1,
        };
        assert_eq!(
            check(PaymentKind::Final, 10, i64::MAX, TERMS, paid),
            Err(PaymentProblem::AboveSupport)
        );
        assert_eq!(paid.with(PaymentKind::Advance, 10), None);
    }

    #[test]
    fn an_advance_is_asked_past_the_threshold_and_within_the_share() {
        assert_eq!(
            check_request(1, SUPPORT, TERMS, None, 0),
            Err(RequestProblem::BelowThreshold)
        );
        assert_eq!(
            check_request(1, SUPPORT, TERMS, Some(70), 0),
            Err(RequestProblem::BelowThreshold),
            "70% is not above 70%"
        );
        assert_eq!(
            check_request(140_000_000, SUPPORT, TERMS, Some(71), 0),
            Ok(())
        );
        assert_eq!(
            check_request(140_000_001, SUPPORT, TERMS, Some(90), 0),
            Err(RequestProblem::AboveShare)
        );
        assert_eq!(
            check_request(40_000_001, SUPPORT, TERMS, Some(90), 100_000_000),
            Err(RequestProblem::AboveShare)
        );
        assert_eq!(
            check_request(0, SUPPORT, TERMS, Some(90), 0),
            Err(RequestProblem::NotPositive)
        );
        assert_eq!(advance_left(SUPPORT, TERMS, 150_000_000), 0);
        assert_eq!(advance_left(SUPPORT, TERMS, 100_000_000), 40_000_000);
    }

    #[test]
    fn settlement_pays_the_rest_or_recovers_the_excess() {
        let advanced = Paid {
            advanced: 140_000_000,
            net: 140_000_000,
        };
        assert_eq!(settle(190_000_000, advanced), Settlement::Pay(50_000_000));
        assert_eq!(
            settle(120_000_000, advanced),
            Settlement::Recover(20_000_000)
        );
        assert_eq!(settle(140_000_000, advanced), Settlement::Even);
        assert_eq!(settle(0, Paid::default()), Settlement::Even);
    }
}
