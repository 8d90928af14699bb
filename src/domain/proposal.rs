//! Proposal states and their labels (PRODUCT.md §3).

use super::role::Role;

/// Where a proposal stands in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalState {
    /// Being prepared by the local office; not sent yet.
    Draft,
    /// Sent to the Centre, waiting for screening.
    Submitted,
    /// Sent back to the submitter with a list of what is missing.
    Returned,
    /// The dossier is complete; waiting for an appraisal visit.
    Accepted,
    /// A visit is planned.
    AppraisalScheduled,
    /// Appraised on site: scored, with a proposed amount.
    Appraised,
    /// In an approved plan, with an approved amount.
    Approved,
    /// A national proposal sent on to the Ministry.
    Forwarded,
    /// The implementation contract is signed.
    Contracted,
    /// Being carried out.
    InProgress,
    /// The result was inspected and accepted (nghiệm thu).
    ResultAccepted,
    /// Paid and settled.
    Settled,
    /// Closed after evaluation.
    Completed,
    /// Not selected, or ineligible.
    Rejected,
    /// Withdrawn by its submitter.
    Withdrawn,
    /// Stopped during implementation.
    Stopped,
}

impl ProposalState {
    /// Every state, in lifecycle order.
    pub const ALL: [ProposalState; 16] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::Accepted,
        Self::AppraisalScheduled,
        Self::Appraised,
        Self::Approved,
        Self::Forwarded,
        Self::Contracted,
        Self::InProgress,
        Self::ResultAccepted,
        Self::Settled,
        Self::Completed,
        Self::Rejected,
        Self::Withdrawn,
        Self::Stopped,
    ];

    /// The code used in the database and in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Accepted => "accepted",
            Self::AppraisalScheduled => "appraisal_scheduled",
            Self::Appraised => "appraised",
            Self::Approved => "approved",
            Self::Forwarded => "forwarded",
            Self::Contracted => "contracted",
            Self::InProgress => "in_progress",
            Self::ResultAccepted => "result_accepted",
            Self::Settled => "settled",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
        }
    }

    /// Parses a state code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Catalogue key of the precise label staff read (`state.submitted`).
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Draft => "state.draft",
            Self::Submitted => "state.submitted",
            Self::Returned => "state.returned",
            Self::Accepted => "state.accepted",
            Self::AppraisalScheduled => "state.appraisal_scheduled",
            Self::Appraised => "state.appraised",
            Self::Approved => "state.approved",
            Self::Forwarded => "state.forwarded",
            Self::Contracted => "state.contracted",
            Self::InProgress => "state.in_progress",
            Self::ResultAccepted => "state.result_accepted",
            Self::Settled => "state.settled",
            Self::Completed => "state.completed",
            Self::Rejected => "state.rejected",
            Self::Withdrawn => "state.withdrawn",
            Self::Stopped => "state.stopped",
        }
    }

    /// Catalogue key of the plain-language explanation a facility owner reads.
    pub fn plain_key(self) -> &'static str {
        match self {
            Self::Draft => "plain.draft",
            Self::Submitted => "plain.submitted",
            Self::Returned => "plain.returned",
            Self::Accepted => "plain.accepted",
            Self::AppraisalScheduled => "plain.appraisal_scheduled",
            Self::Appraised => "plain.appraised",
            Self::Approved => "plain.approved",
            Self::Forwarded => "plain.forwarded",
            Self::Contracted => "plain.contracted",
            Self::InProgress => "plain.in_progress",
            Self::ResultAccepted => "plain.result_accepted",
            Self::Settled => "plain.settled",
            Self::Completed => "plain.completed",
            Self::Rejected => "plain.rejected",
            Self::Withdrawn => "plain.withdrawn",
            Self::Stopped => "plain.stopped",
        }
    }

    /// Catalogue key of what happens next, in plain language, for a facility owner (the
    /// public status lookup shows it under [`Self::plain_key`]).
    pub fn next_step_key(self) -> &'static str {
        match self {
            Self::Draft => "next_step.draft",
            Self::Submitted => "next_step.submitted",
            Self::Returned => "next_step.returned",
            Self::Accepted => "next_step.accepted",
            Self::AppraisalScheduled => "next_step.appraisal_scheduled",
            Self::Appraised => "next_step.appraised",
            Self::Approved => "next_step.approved",
            Self::Forwarded => "next_step.forwarded",
            Self::Contracted => "next_step.contracted",
            Self::InProgress => "next_step.in_progress",
            Self::ResultAccepted => "next_step.result_accepted",
            Self::Settled => "next_step.settled",
            Self::Completed => "next_step.completed",
            Self::Rejected => "next_step.rejected",
            Self::Withdrawn => "next_step.withdrawn",
            Self::Stopped => "next_step.stopped",
        }
    }

    /// Whether its dossier may be edited: while a draft, or returned to be completed.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Whether the work is under way under its contract: what a contract amendment, an
    /// adjustment or a stop applies to.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Contracted | Self::InProgress)
    }

    /// Whether work started under a contract (progress reports were due), stopped or not.
    pub fn work_started(self) -> bool {
        matches!(
            self,
            Self::InProgress
                | Self::ResultAccepted
                | Self::Settled
                | Self::Completed
                | Self::Stopped
        )
    }

    /// Whether a contract was signed, the work stopped since or not.
    pub fn contract_signed(self) -> bool {
        self == Self::Contracted || self.work_started()
    }

    /// Whether the contract signed still stands (the work was not stopped).
    pub fn contract_in_force(self) -> bool {
        self.contract_signed() && self != Self::Stopped
    }

    /// Whether the result was accepted (nghiệm thu), settled since or not.
    pub fn result_accepted(self) -> bool {
        matches!(self, Self::ResultAccepted | Self::Settled | Self::Completed)
    }

    /// Whether a later visit may check on its facility (kiểm tra sau hỗ trợ): its work was
    /// supported and carried out, and not stopped.
    pub fn post_checkable(self) -> bool {
        self == Self::InProgress || self.result_accepted()
    }

    /// Whether its final appraisal record may still be corrected: appraised, and no plan
    /// decided on it yet.
    pub fn appraisal_correctable(self) -> bool {
        self == Self::Appraised
    }

    /// Whether its approved amount may still be changed by an amending plan decision: approved
    /// and not yet contracted (later the contract is amended instead).
    pub fn plan_amendable(self) -> bool {
        self == Self::Approved
    }

    /// Whether the work is being carried out: what its progress reports and advance
    /// requests are taken in.
    pub fn is_carried_out(self) -> bool {
        self == Self::InProgress
    }

    /// Whether advance requests may still be decided and paid: in progress, or accepted
    /// and not yet settled.
    pub fn advances_open(self) -> bool {
        matches!(self, Self::InProgress | Self::ResultAccepted)
    }

    /// Whether it was returned to its submitters to complete (what is missing asked for).
    pub fn is_returned(self) -> bool {
        self == Self::Returned
    }

    /// Whether its work was stopped: what money is recovered on.
    pub fn is_stopped(self) -> bool {
        self == Self::Stopped
    }

    /// Whether it was settled (closed since or not).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Settled | Self::Completed)
    }

    /// Whether the proposal's life is over.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Rejected | Self::Withdrawn | Self::Stopped
        )
    }
}

/// The states in which a proposal waits for someone in `role` to act: the role's queue on
/// its home page.
pub fn awaiting(role: Role) -> &'static [ProposalState] {
    use ProposalState as S;
    match role {
        Role::CentreStaff => &[S::Submitted, S::Accepted, S::Approved, S::Settled],
        Role::Appraiser => &[S::AppraisalScheduled],
        Role::Director => &[S::Appraised],
        Role::Accountant => &[S::Contracted, S::ResultAccepted],
        Role::LocalOfficer => &[S::Draft, S::Returned],
        Role::FacilityOwner => &[S::Returned],
        Role::Admin | Role::DepartmentViewer => &[],
    }
}

/// The records a timeline step's details name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventRefs {
    /// An appraisal record.
    pub record_id: Option<i64>,
    /// A plan decision.
    pub decision_id: Option<i64>,
    /// A visit.
    pub visit_id: Option<i64>,
    /// An acceptance record.
    pub acceptance_record_id: Option<i64>,
    /// An attached document.
    pub document_id: Option<i64>,
}

/// The document of a timeline step of proposal `id`: the catalogue key of its name and
/// where it is read or printed; none for a step without one (or whose document is gone).
pub fn event_document(action: &str, id: i64, refs: &EventRefs) -> Option<(&'static str, String)> {
    let link = |key, href: String| Some((key, href));
    match action {
        "attach_document" => refs.document_id.and_then(|doc| {
            link(
                "timeline_doc.document",
                format!("/proposals/{id}/documents/{doc}"),
            )
        }),
        "schedule_appraisal" | "reschedule_appraisal" | "schedule_acceptance" => {
            refs.visit_id.and_then(|v| {
                link(
                    "timeline_doc.schedule",
                    format!("/appraisals/visits/{v}/schedule"),
                )
            })
        }
        "record_appraisal" | "correct_appraisal" => refs.record_id.and_then(|r| {
            link(
                "timeline_doc.appraisal_minutes",
                format!("/appraisals/{r}/minutes"),
            )
        }),
        "approve" | "not_selected" | "ministry_approve" | "ministry_reject" | "amend_plan" => {
            refs.decision_id.and_then(|d| {
                link(
                    "timeline_doc.plan_decision",
                    format!("/funding/decisions/{d}"),
                )
            })
        }
        "contract" | "amend_contract" => link(
            "timeline_doc.contract",
            format!("/proposals/{id}/contract/print"),
        ),
        "progress_report" => link("timeline_doc.progress", format!("/proposals/{id}/progress")),
        "advance_requested" | "advance_confirmed" | "advance_refused" | "advance_paid"
        | "recovery_paid" | "stop" => {
            link("timeline_doc.payments", format!("/proposals/{id}/payments"))
        }
        "accept_result" | "acceptance_failed" => refs.acceptance_record_id.and_then(|r| {
            link(
                "timeline_doc.acceptance_minutes",
                format!("/proposals/{id}/acceptance/{r}/minutes"),
            )
        }),
        "settle" => link(
            "timeline_doc.liquidation",
            format!("/proposals/{id}/settlement/print"),
        ),
        "evaluation" | "complete" => link(
            "timeline_doc.evaluation",
            format!("/proposals/{id}/evaluation"),
        ),
        _ => None,
    }
}

/// Which budget funds a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalLevel {
    /// Khuyến công địa phương: the province's own funds.
    Local,
    /// Khuyến công quốc gia: national funds, decided by the Ministry.
    National,
}

impl ProposalLevel {
    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::National => "national",
        }
    }

    /// Parses a level code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Local, Self::National]
            .into_iter()
            .find(|l| l.code() == code)
    }

    /// The prefix of the proposal code: `ĐP` (địa phương) or `QG` (quốc gia).
    pub fn code_prefix(self) -> &'static str {
        match self {
            Self::Local => "ĐP",
            Self::National => "QG",
        }
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Local => "level.local",
            Self::National => "level.national",
        }
    }
}

/// The form of a proposal (Circular 36/2013/TT-BCT Art. 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalForm {
    /// A normal proposal.
    Normal,
    /// Đề án nhóm: locations and beneficiaries named later.
    Group,
    /// Đề án điểm: two or more contents, large scale, over a year.
    Flagship,
}

impl ProposalForm {
    /// Every form.
    pub const ALL: [ProposalForm; 3] = [Self::Normal, Self::Group, Self::Flagship];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Group => "group",
            Self::Flagship => "flagship",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Normal => "proposal_form.normal",
            Self::Group => "proposal_form.group",
            Self::Flagship => "proposal_form.flagship",
        }
    }
}

/// `ĐP-2024-017`: the code a proposal gets on its first submission.
pub fn proposal_code(level: ProposalLevel, plan_year: i32, number: u32) -> String {
    format!("{}-{plan_year}-{number:03}", level.code_prefix())
}

/// A proposal code as people type it (`dp-2024-017`, ` ĐP-2024-017 `, `qg-2024-3`), in the
/// form it is stored in; `None` when it is not one.
pub fn parse_code(input: &str) -> Option<String> {
    let upper = input.trim().to_uppercase();
    let mut parts = upper.splitn(3, '-');
    let level = match parts.next()? {
        "ĐP" | "DP" => ProposalLevel::Local,
        "QG" => ProposalLevel::National,
        _ => return None,
    };
    let year: i32 = parts
        .next()?
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))?;
    let number = parts.next()?;
    if number.is_empty() || number.len() > 6 || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(proposal_code(level, year, number.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for state in ProposalState::ALL {
            assert_eq!(ProposalState::from_code(state.code()), Some(state));
            assert!(seen.insert(state.code()));
        }
    }

    #[test]
    fn every_state_has_a_plain_label_and_next_step_in_both_languages() {
        use crate::i18n::{self, Lang};
        let mut seen = std::collections::HashSet::new();
        for state in ProposalState::ALL {
            assert!(
                seen.insert(state.next_step_key()),
                "{state:?} shares its next step"
            );
            for lang in [Lang::Vi, Lang::En] {
                let known: std::collections::HashSet<_> = i18n::keys(lang).collect();
                for key in [state.plain_key(), state.next_step_key()] {
                    assert!(known.contains(key), "{key} is missing in {lang:?}");
                }
            }
        }
    }

    #[test]
    fn every_waiting_state_is_live_and_each_acting_role_has_a_queue() {
        for role in Role::ALL {
            for state in awaiting(role) {
                assert!(!state.is_final(), "{role:?} waits on a final state");
            }
        }
        for role in [
            Role::CentreStaff,
            Role::Appraiser,
            Role::Director,
            Role::Accountant,
            Role::LocalOfficer,
        ] {
            assert!(!awaiting(role).is_empty(), "{role:?}");
        }
    }

    #[test]
    fn typed_codes_are_read_as_stored() {
        assert_eq!(parse_code(" dp-2024-17 ").as_deref(), Some("ĐP-2024-017"));
        assert_eq!(parse_code("ĐP-2024-017").as_deref(), Some("ĐP-2024-017"));
        assert_eq!(parse_code("qg-2023-3").as_deref(), Some("QG-2023-003"));
        assert_eq!(parse_code("XX-2024-001"), None);
        assert_eq!(parse_code("ĐP-24-001"), None);
        assert_eq!(parse_code("ĐP-2024-"), None);
        assert_eq!(parse_code("ĐP-2024-1a"), None);
    }

    #[test]
    fn codes_carry_level_year_and_a_padded_number() {
        assert_eq!(proposal_code(ProposalLevel::Local, 2024, 17), "ĐP-2024-017");
        assert_eq!(
            proposal_code(ProposalLevel::National, 2024, 3),
            "QG-2024-003"
        );
        assert_eq!(
            proposal_code(ProposalLevel::Local, 2024, 1234),
            "ĐP-2024-1234"
        );
    }
}
