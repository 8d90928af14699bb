//! Acceptance (nghiệm thu, DOMAIN.md §4.9): the team checks the evidence the activity type
//! requires (Thông tư 36/2013/TT-BCT Art. 14) and admits an amount of support on each cost
//! line; the leader finalises the record as passed or failed. The support admitted is what
//! the settlement pays (§4.10), never more than each line's support nor the approved total.

/// The outcome of an acceptance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AcceptanceResult {
    /// The work is accepted; on to settlement.
    Pass,
    /// Not accepted: the work goes on and is accepted again later.
    Fail,
}

impl AcceptanceResult {
    /// Both outcomes.
    pub const ALL: [AcceptanceResult; 2] = [Self::Pass, Self::Fail];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }

    /// The outcome a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Pass => "acceptance_result.pass",
            Self::Fail => "acceptance_result.fail",
        }
    }
}

/// A record's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AcceptanceStatus {
    /// Being filled in by the team.
    Draft,
    /// Finalised by the leader; read-only.
    Final,
    /// Set aside with its visit's cancellation.
    Void,
}

impl AcceptanceStatus {
    /// Every state.
    pub const ALL: [AcceptanceStatus; 3] = [Self::Draft, Self::Final, Self::Void];

    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Final => "final",
            Self::Void => "void",
        }
    }

    /// The state a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The support admitted on one line, checked against the line's own support.
pub fn check_line(admitted: i64, line_support: i64) -> Result<i64, &'static str> {
    if admitted < 0 {
        Err("acceptance.line_negative")
    } else if admitted > line_support {
        Err("acceptance.line_above_support")
    } else {
        Ok(admitted)
    }
}

/// The support a record admits: its lines added up, but never more than the support the
/// plan approved (a line's support was requested; the approved total may be smaller).
pub fn admitted_support(lines: impl IntoIterator<Item = i64>, approved: i64) -> i64 {
    let total = lines
        .into_iter()
        .fold(0_i64, |sum, line| sum.saturating_add(line.max(0)));
    total.min(approved.max(0))
}

/// What is known of a record when its leader asks to finalise it.
#[derive(Clone, Copy, Debug, Default)]
pub struct FinalFacts {
    /// The user leads the visit's team.
    pub leader: bool,
    /// Team members with an account who have not declared on this proposal.
    pub undeclared: usize,
    /// Evidence items not yet answered (seen or not seen).
    pub evidence_unanswered: usize,
    /// Evidence items answered "not seen".
    pub evidence_absent: usize,
    /// Cost lines without an admitted amount.
    pub lines_unchecked: usize,
    /// The support admitted so far.
    pub admitted: i64,
    /// The outcome the leader chose.
    pub result: Option<AcceptanceResult>,
}

/// What is missing before a record may be finalised, as catalogue keys; empty when ready.
/// A pass needs every evidence item seen and some support admitted; a fail needs only the
/// checks done (its conclusion says what is missing).
pub fn missing_for_final(facts: &FinalFacts) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !facts.leader {
        missing.push("acceptance.final.leader_only");
    }
    if facts.undeclared > 0 {
        missing.push("acceptance.final.undeclared");
    }
    if facts.evidence_unanswered > 0 {
        missing.push("acceptance.final.evidence_unanswered");
    }
    if facts.lines_unchecked > 0 {
        missing.push("acceptance.final.lines_unchecked");
    }
    match facts.result {
        None => missing.push("acceptance.final.no_result"),
        Some(AcceptanceResult::Pass) => {
            if facts.evidence_absent > 0 {
                missing.push("acceptance.final.pass_without_evidence");
            }
            if facts.admitted == 0 && facts.lines_unchecked == 0 {
                missing.push("acceptance.final.nothing_admitted");
            }
        }
        Some(AcceptanceResult::Fail) => {}
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_admits_up_to_its_support() {
        assert_eq!(check_line(0, 10), Ok(0));
        assert_eq!(check_line(10, 10), Ok(10));
        assert_eq!(check_line(11, 10), Err("acceptance.line_above_support"));
        assert_eq!(check_line(-1, 10), Err("acceptance.line_negative"));
    }

    #[test]
    fn the_admitted_support_stops_at_the_approved_support() {
        assert_eq!(admitted_support([40, 50], 100), 90);
        assert_eq!(admitted_support([60, 50], 100), 100);
        assert_eq!(admitted_support([i64::MAX, i64::MAX], 100), 100);
        assert_eq!(admitted_support([], 100), 0);
    }

    fn ready(result: AcceptanceResult) -> FinalFacts {
        FinalFacts {
            leader: true,
            admitted: 90,
            result: Some(result),
            ..FinalFacts::default()
        }
    }

    #[test]
    fn a_complete_record_may_be_finalised_either_way() {
        assert!(missing_for_final(&ready(AcceptanceResult::Pass)).is_empty());
        assert!(missing_for_final(&ready(AcceptanceResult::Fail)).is_empty());
    }

    #[test]
    fn a_pass_needs_every_evidence_seen_and_something_admitted() {
        let absent = FinalFacts {
            evidence_absent: 1,
            ..ready(AcceptanceResult::Pass)
        };
        assert_eq!(
            missing_for_final(&absent),
            ["acceptance.final.pass_without_evidence"]
        );
        let fail = FinalFacts {
            evidence_absent: 1,
            admitted: 0,
            ..ready(AcceptanceResult::Fail)
        };
        assert!(missing_for_final(&fail).is_empty());
        let nothing = FinalFacts {
            admitted: 0,
            ..ready(AcceptanceResult::Pass)
        };
        assert_eq!(
            missing_for_final(&nothing),
            ["acceptance.final.nothing_admitted"]
        );
    }

    #[test]
    fn only_the_leader_finalises_a_checked_record() {
        let facts = FinalFacts {
            leader: false,
            undeclared: 1,
            evidence_unanswered: 2,
            lines_unchecked: 1,
            admitted: 0,
            result: None,
            evidence_absent: 0,
        };
        assert_eq!(
            missing_for_final(&facts),
            [
                "acceptance.final.leader_only",
                "acceptance.final.undeclared",
                "acceptance.final.evidence_unanswered",
                "acceptance.final.lines_unchecked",
                "acceptance.final.no_result",
            ]
        );
    }
}
