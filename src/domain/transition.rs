//! The proposal lifecycle as one table (PRODUCT.md §3): from which state an action leads to
//! which, who may take it, and what it needs. The buttons a page shows, the authorisation of
//! the POST, and the tests all read this table. Later stages add their rows here.

use super::proposal::ProposalState;
use super::role::Role;

pub mod path;

/// Something that moves a proposal from one state to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Send a draft to the Centre (the dossier must be complete).
    Submit,
    /// Send a returned dossier back, completed.
    Resubmit,
    /// Screening: the dossier is complete and eligible; on to appraisal.
    Accept,
    /// Screening: send back with a list of what is missing and a due date.
    Return,
    /// Screening: refuse as ineligible, with the reason.
    RejectIneligible,
    /// The submitting side takes the proposal back.
    Withdraw,
    /// Put on an appraisal visit (from the visit's page).
    ScheduleAppraisal,
    /// Taken off its visit, or the visit cancelled: back in the queue.
    UnscheduleAppraisal,
    /// The team leader finalises the appraisal record (from the record's page).
    RecordAppraisal,
    /// The director sends an appraised proposal back for a new appraisal, with a reason.
    Reappraise,
    /// Approved with an amount in a plan decision (from the plan's page).
    ApproveInPlan,
    /// Left out of the year's plan, with a reason the submitter reads (from the plan's page).
    NotSelected,
    /// The implementation contract is signed (from the contract's page).
    SignContract,
    /// Work starts under the contract.
    Start,
    /// A national proposal is sent on to the Ministry (from the national page).
    Forward,
    /// The Ministry approves a forwarded proposal with an amount (from the plan's page).
    MinistryApprove,
    /// The Ministry does not fund a forwarded proposal (from the plan's page).
    MinistryReject,
    /// Work is stopped by a decision, with its reason (from the stop page).
    Stop,
    /// The acceptance team's leader finalises a passed acceptance record (nghiệm thu).
    AcceptResult,
    /// The accountant records the contract's liquidation and the final payment or recovery.
    Settle,
    /// The programme closes the proposal once its effects at settlement are recorded.
    Close,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 21] = [
        Self::Submit,
        Self::Resubmit,
        Self::Accept,
        Self::Return,
        Self::RejectIneligible,
        Self::Withdraw,
        Self::ScheduleAppraisal,
        Self::UnscheduleAppraisal,
        Self::RecordAppraisal,
        Self::Reappraise,
        Self::ApproveInPlan,
        Self::NotSelected,
        Self::SignContract,
        Self::Start,
        Self::Forward,
        Self::MinistryApprove,
        Self::MinistryReject,
        Self::Stop,
        Self::AcceptResult,
        Self::Settle,
        Self::Close,
    ];

    /// The URL segment: `POST /proposals/{id}/{code}`; also the event's `action`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Resubmit => "resubmit",
            Self::Accept => "accept",
            Self::Return => "return",
            Self::RejectIneligible => "reject",
            Self::Withdraw => "withdraw",
            Self::ScheduleAppraisal => "schedule_appraisal",
            Self::UnscheduleAppraisal => "unschedule_appraisal",
            Self::RecordAppraisal => "record_appraisal",
            Self::Reappraise => "reappraise",
            Self::ApproveInPlan => "approve",
            Self::NotSelected => "not_selected",
            Self::SignContract => "contract",
            Self::Start => "start",
            Self::Forward => "forward",
            Self::MinistryApprove => "ministry_approve",
            Self::MinistryReject => "ministry_reject",
            Self::Stop => "stop",
            Self::AcceptResult => "accept_result",
            Self::Settle => "settle",
            Self::Close => "complete",
        }
    }

    /// Parses a URL segment.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Catalogue key of the button label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Submit => "action.submit",
            Self::Resubmit => "action.resubmit",
            Self::Accept => "action.accept",
            Self::Return => "action.return",
            Self::RejectIneligible => "action.reject",
            Self::Withdraw => "action.withdraw",
            Self::ScheduleAppraisal => "action.schedule_appraisal",
            Self::UnscheduleAppraisal => "action.unschedule_appraisal",
            Self::RecordAppraisal => "action.record_appraisal",
            Self::Reappraise => "action.reappraise",
            Self::ApproveInPlan => "action.approve",
            Self::NotSelected => "action.not_selected",
            Self::SignContract => "action.contract",
            Self::Start => "action.start",
            Self::Forward => "action.forward",
            Self::MinistryApprove => "action.ministry_approve",
            Self::MinistryReject => "action.ministry_reject",
            Self::Stop => "action.stop",
            Self::AcceptResult => "action.accept_result",
            Self::Settle => "action.settle",
            Self::Close => "action.complete",
        }
    }
}

impl Action {
    /// Catalogue key of the message when the action does not apply in the proposal's state.
    pub fn not_now_key(self) -> &'static str {
        match self {
            Self::SignContract => "contract.not_approved",
            Self::Stop => "stop.not_running",
            Self::Settle => "settlement.not_accepted",
            Self::Close => "evaluation.not_settled",
            Self::ApproveInPlan
            | Self::NotSelected
            | Self::MinistryApprove
            | Self::MinistryReject => "plan.changed",
            Self::Submit
            | Self::Resubmit
            | Self::Accept
            | Self::Return
            | Self::RejectIneligible
            | Self::Withdraw
            | Self::ScheduleAppraisal
            | Self::UnscheduleAppraisal
            | Self::RecordAppraisal
            | Self::Reappraise
            | Self::Start
            | Self::Forward
            | Self::AcceptResult => "proposal.action_not_now",
        }
    }
}

/// What an action needs besides the right state and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Nothing more.
    Nothing,
    /// A complete, consistent dossier (fields, documents, totals, caps).
    CompleteDossier,
    /// A list of what is missing and a due date.
    MissingItemsAndDueDate,
    /// A reason the submitter will read.
    Reason,
    /// An appraisal visit: taken on the visit's page, not with a button on the proposal's.
    Visit,
    /// A complete appraisal record, finalised by the team leader on the record's page.
    FinalRecord,
    /// A plan decision (number, date, signer, amounts within the envelope), recorded on the
    /// plan's page for the whole set at once.
    PlanDecision,
    /// The contract's terms (number, dates, parties), recorded on the contract's page.
    Contract,
    /// A dispatch to the Ministry (number, date, scan), recorded on the national page.
    Dispatch,
    /// The stop decision (number, date, reason), recorded on the stop page.
    StopDecision,
    /// A final, passed acceptance record, finalised by the team's leader on its page.
    AcceptanceRecord,
    /// The liquidation minutes and the final payment or recovery, on the settlement page.
    Settlement,
    /// The effects at settlement, recorded on the evaluation page.
    Evaluation,
}

impl Requirement {
    /// Whether the action is taken on another page (the visit or the appraisal record),
    /// which checks what it needs; `POST /proposals/{id}/{action}` refuses it.
    pub fn is_elsewhere(self) -> bool {
        matches!(
            self,
            Self::Visit
                | Self::FinalRecord
                | Self::PlanDecision
                | Self::Contract
                | Self::Dispatch
                | Self::StopDecision
                | Self::AcceptanceRecord
                | Self::Settlement
                | Self::Evaluation
        )
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Transition {
    /// The state it starts from.
    pub from: ProposalState,
    /// The action.
    pub action: Action,
    /// The state it leads to.
    pub to: ProposalState,
    /// Who may take it.
    pub roles: &'static [Role],
    /// What it needs.
    pub requires: Requirement,
}

use ProposalState as S;
use Requirement as Needs;
use Role as R;

/// The submitting side: a local office, or the Centre preparing a dossier itself.
const SUBMITTERS: &[Role] = &[R::LocalOfficer, R::CentreStaff];
/// The submitting side and the beneficiary, who answers a return request too.
const SUBMITTERS_AND_OWNER: &[Role] = &[R::LocalOfficer, R::CentreStaff, R::FacilityOwner];
const CENTRE: &[Role] = &[R::CentreStaff];
/// Who may sit on an appraisal team with an account (domain::appraisal::may_join_team); that
/// the user leads this visit's team is checked on the record's page.
const APPRAISAL_TEAM: &[Role] = &[R::CentreStaff, R::Appraiser, R::Director, R::LocalOfficer];
const DIRECTOR: &[Role] = &[R::Director];
const ACCOUNTANT: &[Role] = &[R::Accountant];
/// Who closes a proposal: the Centre's staff who followed it, or its director.
const CLOSERS: &[Role] = &[R::CentreStaff, R::Director];

/// The lifecycle so far.
pub const TABLE: &[Transition] = &[
    Transition {
        from: S::Draft,
        action: Action::Submit,
        to: S::Submitted,
        roles: SUBMITTERS,
        requires: Needs::CompleteDossier,
    },
    Transition {
        from: S::Returned,
        action: Action::Resubmit,
        to: S::Submitted,
        roles: SUBMITTERS_AND_OWNER,
        requires: Needs::CompleteDossier,
    },
    Transition {
        from: S::Submitted,
        action: Action::Accept,
        to: S::Accepted,
        roles: CENTRE,
        requires: Needs::Nothing,
    },
    Transition {
        from: S::Submitted,
        action: Action::Return,
        to: S::Returned,
        roles: CENTRE,
        requires: Needs::MissingItemsAndDueDate,
    },
    Transition {
        from: S::Submitted,
        action: Action::RejectIneligible,
        to: S::Rejected,
        roles: CENTRE,
        requires: Needs::Reason,
    },
    Transition {
        from: S::Returned,
        action: Action::RejectIneligible,
        to: S::Rejected,
        roles: CENTRE,
        requires: Needs::Reason,
    },
    Transition {
        from: S::Draft,
        action: Action::Withdraw,
        to: S::Withdrawn,
        roles: SUBMITTERS,
        requires: Needs::Nothing,
    },
    Transition {
        from: S::Submitted,
        action: Action::Withdraw,
        to: S::Withdrawn,
        roles: SUBMITTERS,
        requires: Needs::Nothing,
    },
    Transition {
        from: S::Returned,
        action: Action::Withdraw,
        to: S::Withdrawn,
        roles: SUBMITTERS,
        requires: Needs::Nothing,
    },
    Transition {
        from: S::Accepted,
        action: Action::ScheduleAppraisal,
        to: S::AppraisalScheduled,
        roles: CENTRE,
        requires: Needs::Visit,
    },
    Transition {
        from: S::AppraisalScheduled,
        action: Action::UnscheduleAppraisal,
        to: S::Accepted,
        roles: CENTRE,
        requires: Needs::Visit,
    },
    Transition {
        from: S::AppraisalScheduled,
        action: Action::RecordAppraisal,
        to: S::Appraised,
        roles: APPRAISAL_TEAM,
        requires: Needs::FinalRecord,
    },
    Transition {
        from: S::Appraised,
        action: Action::Reappraise,
        to: S::Accepted,
        roles: DIRECTOR,
        requires: Needs::Reason,
    },
    Transition {
        from: S::Appraised,
        action: Action::ApproveInPlan,
        to: S::Approved,
        roles: DIRECTOR,
        requires: Needs::PlanDecision,
    },
    Transition {
        from: S::Appraised,
        action: Action::NotSelected,
        to: S::Rejected,
        roles: DIRECTOR,
        requires: Needs::PlanDecision,
    },
    Transition {
        from: S::Approved,
        action: Action::SignContract,
        to: S::Contracted,
        roles: CENTRE,
        requires: Needs::Contract,
    },
    Transition {
        from: S::Appraised,
        action: Action::Forward,
        to: S::Forwarded,
        roles: DIRECTOR,
        requires: Needs::Dispatch,
    },
    Transition {
        from: S::Forwarded,
        action: Action::MinistryApprove,
        to: S::Approved,
        roles: DIRECTOR,
        requires: Needs::PlanDecision,
    },
    Transition {
        from: S::Forwarded,
        action: Action::MinistryReject,
        to: S::Rejected,
        roles: DIRECTOR,
        requires: Needs::PlanDecision,
    },
    Transition {
        from: S::Contracted,
        action: Action::Start,
        to: S::InProgress,
        roles: CENTRE,
        requires: Needs::Nothing,
    },
    // The director records the stop the competent level decided (DOMAIN.md §4.8).
    Transition {
        from: S::Contracted,
        action: Action::Stop,
        to: S::Stopped,
        roles: DIRECTOR,
        requires: Needs::StopDecision,
    },
    Transition {
        from: S::InProgress,
        action: Action::Stop,
        to: S::Stopped,
        roles: DIRECTOR,
        requires: Needs::StopDecision,
    },
    // A failed acceptance leaves the proposal in progress: another visit accepts it later.
    Transition {
        from: S::InProgress,
        action: Action::AcceptResult,
        to: S::ResultAccepted,
        roles: APPRAISAL_TEAM,
        requires: Needs::AcceptanceRecord,
    },
    Transition {
        from: S::ResultAccepted,
        action: Action::Settle,
        to: S::Settled,
        roles: ACCOUNTANT,
        requires: Needs::Settlement,
    },
    Transition {
        from: S::Settled,
        action: Action::Close,
        to: S::Completed,
        roles: CLOSERS,
        requires: Needs::Evaluation,
    },
];

/// How a plan decision moves the proposals of a level: those it chooses from, and the
/// actions for the ones it approves and the ones it leaves out. A local plan chooses from
/// the appraised proposals; the Ministry's decision, from those forwarded to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanSteps {
    /// The state of the proposals to choose from.
    pub from: ProposalState,
    /// The action for a proposal approved.
    pub approve: Action,
    /// The action for one left out.
    pub leave_out: Action,
}

/// The plan steps of `level`.
pub fn plan_steps(level: super::proposal::ProposalLevel) -> PlanSteps {
    match level {
        super::proposal::ProposalLevel::Local => PlanSteps {
            from: ProposalState::Appraised,
            approve: Action::ApproveInPlan,
            leave_out: Action::NotSelected,
        },
        super::proposal::ProposalLevel::National => PlanSteps {
            from: ProposalState::Forwarded,
            approve: Action::MinistryApprove,
            leave_out: Action::MinistryReject,
        },
    }
}

/// Why an action cannot be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// The action does not apply in the proposal's current state.
    NotFromThisState(Action),
    /// The role may not take it.
    NotAllowed,
}

/// A row of the table that a role may take from the state a proposal is in: the only
/// thing `db::proposals::set_state` accepts, so no state changes but by the table.
#[derive(Clone, Copy, Debug)]
pub struct Allowed(&'static Transition);

impl std::ops::Deref for Allowed {
    type Target = Transition;

    fn deref(&self) -> &Transition {
        self.0
    }
}

/// The row for `action` from `from`, if `role` may take it.
pub fn transition(
    from: ProposalState,
    action: Action,
    role: Role,
) -> Result<Allowed, TransitionError> {
    let row = TABLE
        .iter()
        .find(|t| t.from == from && t.action == action)
        .ok_or(TransitionError::NotFromThisState(action))?;
    if row.roles.contains(&role) {
        Ok(Allowed(row))
    } else {
        Err(TransitionError::NotAllowed)
    }
}

/// Whether `action` leads to `state` from somewhere: a second click on a button whose step
/// the first click took finds the proposal there.
pub fn leads_to(action: Action, state: ProposalState) -> bool {
    TABLE.iter().any(|t| t.action == action && t.to == state)
}

/// The actions `role` may take from `state` with a button on the proposal's page, in table
/// order.
pub fn available(state: ProposalState, role: Role) -> Vec<&'static Transition> {
    TABLE
        .iter()
        .filter(|t| t.from == state && t.roles.contains(&role) && !t.requires.is_elsewhere())
        .collect()
}

#[cfg(test)]
mod tests;
