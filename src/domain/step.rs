//! Every step a proposal's timeline records: the moves of the transition table
//! (`transition::Action`) and the entries that leave its state as it is (an edit, a payment,
//! an amendment…). Each has its event code, its timeline label, the document it links, and
//! the notices it sends; the workflow layer sends exactly these.

use super::role::Role;
use super::transition::Action;

/// A step that records something on a proposal without moving it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// A draft is created (the timeline's first step; no state before it).
    Create,
    /// The dossier is edited.
    Edit,
    /// A document is attached.
    AttachDocument,
    /// A document is removed.
    RemoveDocument,
    /// The appraisal visit moves to another day.
    RescheduleAppraisal,
    /// A final appraisal record is corrected by a new revision.
    CorrectAppraisal,
    /// Put on an acceptance visit (the proposal stays in progress).
    ScheduleAcceptance,
    /// The acceptance record is final and failed: the work stays in progress.
    AcceptanceFailed,
    /// A plan decision is amended.
    AmendPlan,
    /// The contract is amended (phụ lục).
    AmendContract,
    /// A monthly progress report.
    ProgressReport,
    /// An advance is asked for.
    AdvanceRequested,
    /// The Centre confirms an advance request.
    AdvanceConfirmed,
    /// The Centre refuses an advance request.
    AdvanceRefused,
    /// The accountant pays an advance.
    AdvancePaid,
    /// Money recovered after a stop.
    RecoveryPaid,
    /// The effects at a stage are recorded.
    Evaluation,
    /// An adjustment is asked for.
    AdjustmentRequested,
    /// An adjustment is approved.
    AdjustmentApproved,
    /// An adjustment is refused.
    AdjustmentRefused,
}

impl Entry {
    /// Every entry.
    pub const ALL: [Entry; 20] = [
        Self::Create,
        Self::Edit,
        Self::AttachDocument,
        Self::RemoveDocument,
        Self::RescheduleAppraisal,
        Self::CorrectAppraisal,
        Self::ScheduleAcceptance,
        Self::AcceptanceFailed,
        Self::AmendPlan,
        Self::AmendContract,
        Self::ProgressReport,
        Self::AdvanceRequested,
        Self::AdvanceConfirmed,
        Self::AdvanceRefused,
        Self::AdvancePaid,
        Self::RecoveryPaid,
        Self::Evaluation,
        Self::AdjustmentRequested,
        Self::AdjustmentApproved,
        Self::AdjustmentRefused,
    ];

    /// The event's `action` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Edit => "edit",
            Self::AttachDocument => "attach_document",
            Self::RemoveDocument => "remove_document",
            Self::RescheduleAppraisal => "reschedule_appraisal",
            Self::CorrectAppraisal => "correct_appraisal",
            Self::ScheduleAcceptance => "schedule_acceptance",
            Self::AcceptanceFailed => "acceptance_failed",
            Self::AmendPlan => "amend_plan",
            Self::AmendContract => "amend_contract",
            Self::ProgressReport => "progress_report",
            Self::AdvanceRequested => "advance_requested",
            Self::AdvanceConfirmed => "advance_confirmed",
            Self::AdvanceRefused => "advance_refused",
            Self::AdvancePaid => "advance_paid",
            Self::RecoveryPaid => "recovery_paid",
            Self::Evaluation => "evaluation",
            Self::AdjustmentRequested => "adjustment_requested",
            Self::AdjustmentApproved => "adjustment_approved",
            Self::AdjustmentRefused => "adjustment_refused",
        }
    }
}

/// Any step of the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// A move of the transition table.
    Move(Action),
    /// An entry that leaves the state as it is.
    Entry(Entry),
}

impl From<Action> for Step {
    fn from(action: Action) -> Self {
        Self::Move(action)
    }
}

impl From<Entry> for Step {
    fn from(entry: Entry) -> Self {
        Self::Entry(entry)
    }
}

/// Who hears of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Catalogue key of the message; the step gives its value (the proposal's code or title,
    /// a decision's number…) and its link.
    pub key: &'static str,
    /// The proposal's followers: its office's users and its beneficiaries' owners.
    pub followers: bool,
    /// The province's users with these roles (the Centre's staff who act next, say).
    pub roles: &'static [Role],
    /// The one who asked for what the step answers (an adjustment's requester, who may be a
    /// Centre officer and no follower).
    pub asker: bool,
}

const fn followers(key: &'static str) -> Notice {
    Notice {
        key,
        followers: true,
        roles: &[],
        asker: false,
    }
}

const fn followers_and_asker(key: &'static str) -> Notice {
    Notice {
        key,
        followers: true,
        roles: &[],
        asker: true,
    }
}

const fn followers_and(key: &'static str, roles: &'static [Role]) -> Notice {
    Notice {
        key,
        followers: true,
        roles,
        asker: false,
    }
}

const fn only(key: &'static str, roles: &'static [Role]) -> Notice {
    Notice {
        key,
        followers: false,
        roles,
        asker: false,
    }
}

const CENTRE: &[Role] = &[Role::CentreStaff];

impl Step {
    /// Every step.
    pub fn all() -> impl Iterator<Item = Step> {
        Action::ALL
            .into_iter()
            .map(Step::Move)
            .chain(Entry::ALL.into_iter().map(Step::Entry))
    }

    /// The event's `action` code (`proposal_events.action`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Move(action) => action.code(),
            Self::Entry(entry) => entry.code(),
        }
    }

    /// The step an event's code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::all().find(|s| s.code() == code)
    }

    /// Catalogue key of the step's label in a timeline.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Move(action) => match action {
                Action::Submit => "event.submit",
                Action::Resubmit => "event.resubmit",
                Action::Accept => "event.accept",
                Action::Return => "event.return",
                Action::RejectIneligible => "event.reject",
                Action::Withdraw => "event.withdraw",
                Action::ScheduleAppraisal => "event.schedule_appraisal",
                Action::UnscheduleAppraisal => "event.unschedule_appraisal",
                Action::RecordAppraisal => "event.record_appraisal",
                Action::Reappraise => "event.reappraise",
                Action::ApproveInPlan => "event.approve",
                Action::NotSelected => "event.not_selected",
                Action::SignContract => "event.contract",
                Action::Start => "event.start",
                Action::Forward => "event.forward",
                Action::MinistryApprove => "event.ministry_approve",
                Action::MinistryReject => "event.ministry_reject",
                Action::Stop => "event.stop",
                Action::AcceptResult => "event.accept_result",
                Action::Settle => "event.settle",
                Action::Close => "event.complete",
            },
            Self::Entry(entry) => match entry {
                Entry::Create => "event.create",
                Entry::Edit => "event.edit",
                Entry::AttachDocument => "event.attach_document",
                Entry::RemoveDocument => "event.remove_document",
                Entry::RescheduleAppraisal => "event.reschedule_appraisal",
                Entry::CorrectAppraisal => "event.correct_appraisal",
                Entry::ScheduleAcceptance => "event.schedule_acceptance",
                Entry::AcceptanceFailed => "event.acceptance_failed",
                Entry::AmendPlan => "event.amend_plan",
                Entry::AmendContract => "event.amend_contract",
                Entry::ProgressReport => "event.progress_report",
                Entry::AdvanceRequested => "event.advance_requested",
                Entry::AdvanceConfirmed => "event.advance_confirmed",
                Entry::AdvanceRefused => "event.advance_refused",
                Entry::AdvancePaid => "event.advance_paid",
                Entry::RecoveryPaid => "event.recovery_paid",
                Entry::Evaluation => "event.evaluation",
                Entry::AdjustmentRequested => "event.adjustment_requested",
                Entry::AdjustmentApproved => "event.adjustment_approved",
                Entry::AdjustmentRefused => "event.adjustment_refused",
            },
        }
    }

    /// Who hears of the step, each with its message. Empty for the steps nobody needs to
    /// hear of (an edit, a correction, an evaluation).
    pub fn notices(self) -> &'static [Notice] {
        use Action as A;
        match self {
            Self::Move(action) => match action {
                A::Submit | A::Resubmit => const { &[followers_and("notify.submitted", CENTRE)] },
                A::Accept => const { &[followers("notify.accepted")] },
                A::Return => const { &[followers("notify.returned")] },
                A::RejectIneligible => const { &[followers("notify.rejected")] },
                A::Withdraw => const { &[followers_and("notify.withdrawn", CENTRE)] },
                A::Reappraise => const { &[followers_and("notify.reappraise", CENTRE)] },
                A::Start => const { &[followers("notify.started")] },
                A::ScheduleAppraisal => const { &[followers("notify.appraisal_planned")] },
                A::UnscheduleAppraisal => const { &[followers("notify.appraisal_unscheduled")] },
                // The director ranks the appraised proposals next.
                A::RecordAppraisal => {
                    const {
                        &[
                            followers("notify.appraisal_result"),
                            only("notify.appraisal_to_rank", &[Role::Director]),
                        ]
                    }
                }
                A::ApproveInPlan | A::MinistryApprove => {
                    const { &[followers("notify.proposal_approved")] }
                }
                A::NotSelected | A::MinistryReject => {
                    const { &[followers("notify.proposal_not_selected")] }
                }
                A::SignContract => const { &[followers("notify.contract_signed")] },
                A::Forward => const { &[followers("notify.proposal_forwarded")] },
                A::Stop => const { &[followers("notify.proposal_stopped")] },
                // The accountant settles an accepted proposal next.
                A::AcceptResult => {
                    const { &[followers_and("notify.result_accepted", &[Role::Accountant])] }
                }
                // The Centre's staff close a settled proposal next.
                A::Settle => const { &[followers_and("notify.settled", CENTRE)] },
                A::Close => const { &[followers("notify.completed")] },
            },
            Self::Entry(entry) => match entry {
                Entry::RescheduleAppraisal => {
                    const { &[followers("notify.appraisal_rescheduled")] }
                }
                Entry::ScheduleAcceptance => const { &[followers("notify.acceptance_planned")] },
                Entry::AcceptanceFailed => const { &[followers("notify.acceptance_failed")] },
                Entry::AmendPlan => const { &[followers("notify.plan_amended")] },
                Entry::ProgressReport => const { &[followers("notify.progress_reported")] },
                Entry::AdvanceRequested => const { &[followers("notify.advance_requested")] },
                Entry::AdvanceConfirmed => const { &[followers("notify.advance_confirmed")] },
                Entry::AdvanceRefused => const { &[followers("notify.advance_refused")] },
                Entry::AdvancePaid => const { &[followers("notify.advance_paid")] },
                Entry::RecoveryPaid => const { &[followers("notify.recovery_paid")] },
                Entry::AdjustmentRequested => {
                    const { &[only("notify.adjustment_requested", &[Role::Director])] }
                }
                Entry::AdjustmentApproved => {
                    const { &[followers_and_asker("notify.adjustment_approved")] }
                }
                Entry::AdjustmentRefused => {
                    const { &[followers_and_asker("notify.adjustment_refused")] }
                }
                Entry::Create
                | Entry::Edit
                | Entry::AttachDocument
                | Entry::RemoveDocument
                | Entry::CorrectAppraisal
                | Entry::AmendContract
                | Entry::Evaluation => &[],
            },
        }
    }
}

/// Catalogue key of the label of a timeline step (`proposal_events.action`).
pub fn label_key(code: &str) -> &'static str {
    Step::from_code(code).map_or("event.other", Step::label_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let steps: Vec<Step> = Step::all().collect();
        for (i, a) in steps.iter().enumerate() {
            assert_eq!(Step::from_code(a.code()), Some(*a));
            for b in &steps[i + 1..] {
                assert_ne!(a.code(), b.code(), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn an_unknown_code_has_the_plain_label() {
        assert_eq!(label_key("contract"), "event.contract");
        assert_eq!(label_key("something_else"), "event.other");
    }

    #[test]
    fn every_notice_tells_someone() {
        for step in Step::all() {
            for notice in step.notices() {
                assert!(notice.followers || !notice.roles.is_empty(), "{step:?}");
                assert!(notice.key.starts_with("notify."), "{step:?}");
            }
        }
    }

    #[test]
    fn every_move_tells_the_followers() {
        for action in Action::ALL {
            assert!(
                Step::Move(action).notices().iter().any(|n| n.followers),
                "{action:?} tells no follower"
            );
        }
    }
}
