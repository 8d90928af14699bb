//! Where each proposal ends up, and the steps that take it there. The steps are actions of
//! the lifecycle's table (`domain::transition`), each taken by someone whose role the table
//! allows; the states come from the table, never from here.

use anyhow::bail;

use super::LAST_PLAN_YEAR;
use super::setting::{Actor, Staff};
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::transition::Action;
use crate::domain::transition::path::path_to;

use ProposalState as S;

pub use crate::domain::transition::path::{CREATE, Fate};

/// Fates of proposals of plan years two or more years back: nearly all closed.
pub(super) const PAST: &[(Fate, u32)] = &[
    ((S::Completed, None), 760),
    ((S::Settled, None), 10),
    ((S::Draft, None), 10),
    ((S::Returned, None), 5),
    ((S::Rejected, Some(S::Submitted)), 40),
    ((S::Rejected, Some(S::Appraised)), 70),
    ((S::Rejected, Some(S::Forwarded)), 5),
    ((S::Withdrawn, Some(S::Draft)), 15),
    ((S::Withdrawn, Some(S::Returned)), 30),
    ((S::Withdrawn, Some(S::Submitted)), 10),
    ((S::Stopped, Some(S::Contracted)), 12),
    ((S::Stopped, Some(S::InProgress)), 18),
];

/// Fates of the previous plan year: the last ones are being accepted and settled.
pub(super) const PREVIOUS: &[(Fate, u32)] = &[
    ((S::Completed, None), 560),
    ((S::Settled, None), 80),
    ((S::ResultAccepted, None), 60),
    ((S::InProgress, None), 40),
    ((S::Draft, None), 10),
    ((S::Returned, None), 10),
    ((S::Rejected, Some(S::Submitted)), 40),
    ((S::Rejected, Some(S::Appraised)), 70),
    ((S::Rejected, Some(S::Forwarded)), 5),
    ((S::Withdrawn, Some(S::Draft)), 15),
    ((S::Withdrawn, Some(S::Returned)), 30),
    ((S::Withdrawn, Some(S::Submitted)), 10),
    ((S::Stopped, Some(S::Contracted)), 15),
    ((S::Stopped, Some(S::InProgress)), 20),
];

/// Fates of the last plan year: every state.
pub(super) const CURRENT: &[(Fate, u32)] = &[
    ((S::Draft, None), 70),
    ((S::Submitted, None), 90),
    ((S::Returned, None), 50),
    ((S::Accepted, None), 70),
    ((S::AppraisalScheduled, None), 60),
    ((S::Appraised, None), 80),
    ((S::Approved, None), 70),
    ((S::Forwarded, None), 25),
    ((S::Contracted, None), 70),
    ((S::InProgress, None), 110),
    ((S::ResultAccepted, None), 50),
    ((S::Settled, None), 30),
    ((S::Completed, None), 60),
    ((S::Rejected, Some(S::Submitted)), 25),
    ((S::Rejected, Some(S::Appraised)), 35),
    ((S::Rejected, Some(S::Forwarded)), 5),
    ((S::Withdrawn, Some(S::Draft)), 10),
    ((S::Withdrawn, Some(S::Returned)), 15),
    ((S::Withdrawn, Some(S::Submitted)), 5),
    ((S::Stopped, Some(S::Contracted)), 10),
    ((S::Stopped, Some(S::InProgress)), 10),
];

/// The fates of the proposals of plan year `year`.
pub(super) fn fate_table(year: i16) -> &'static [(Fate, u32)] {
    match LAST_PLAN_YEAR - year {
        0 => CURRENT,
        1 => PREVIOUS,
        _ => PAST,
    }
}

/// A step of a timeline after the creation: a move of the table's path and who takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    /// The action.
    pub action: Action,
    /// Who takes it.
    pub actor: Actor,
    /// The state before.
    pub from: ProposalState,
    /// The state after, as `transition::transition` gives it for the actor's role.
    pub to: ProposalState,
}

/// Who takes `action` in a generated timeline: the proposal's `author` (its office's local
/// officer, or the Centre's officer for an office without one) submits, answers a return and
/// withdraws; the Centre's officer screens, schedules visits, signs contracts, starts the
/// work, accepts the result and closes; the appraisal officer records the appraisal; the
/// director forwards to the Ministry, decides the plan, records the Ministry's answer and
/// stops; the accountant settles.
pub(super) fn taker(action: Action, author: Actor, staff: &Staff) -> Actor {
    match action {
        Action::Submit | Action::Resubmit | Action::Withdraw => author,
        Action::Accept
        | Action::Return
        | Action::RejectIneligible
        | Action::ScheduleAppraisal
        | Action::UnscheduleAppraisal
        | Action::SignContract
        | Action::Start
        | Action::AcceptResult
        | Action::Close => staff.centre,
        Action::RecordAppraisal => staff.appraiser,
        Action::Reappraise
        | Action::ApproveInPlan
        | Action::NotSelected
        | Action::Forward
        | Action::MinistryApprove
        | Action::MinistryReject
        | Action::Stop => staff.director,
        Action::Settle => staff.accountant,
    }
}

/// Days between the previous step and `action` (before the office calendar moves it to a
/// workday); the data set takes no reappraisal and no unscheduling.
pub(super) fn gap(action: Action) -> anyhow::Result<(i64, i64)> {
    Ok(match action {
        Action::Submit => (3, 20),
        Action::Return
        | Action::Accept
        | Action::RejectIneligible
        | Action::NotSelected
        | Action::MinistryReject => (4, 15),
        Action::Resubmit => (7, 25),
        Action::ScheduleAppraisal => (3, 12),
        Action::RecordAppraisal => (5, 20),
        Action::Forward => (3, 10),
        Action::ApproveInPlan | Action::MinistryApprove => (1, 5),
        Action::SignContract => (10, 30),
        Action::Start => (5, 15),
        Action::AcceptResult => (60, 160),
        Action::Settle => (10, 30),
        Action::Close => (7, 25),
        Action::Withdraw => (5, 30),
        Action::Stop => (20, 90),
        Action::UnscheduleAppraisal | Action::Reappraise => {
            bail!("the data set takes no {action:?}")
        }
    })
}

/// The steps after the creation that take a proposal of `level` written by `author` to
/// `fate` (`transition::path::path_to`), each taken by its [`taker`]. With `detour`, the
/// dossier is returned once after its first submission and submitted again.
pub fn lifecycle(
    fate: Fate,
    level: ProposalLevel,
    detour: bool,
    author: Actor,
    staff: &Staff,
) -> anyhow::Result<Vec<Move>> {
    let path = path_to(fate, level, detour, |action| {
        Some(taker(action, author, staff).role)
    })?;
    Ok(path
        .into_iter()
        .map(|step| Move {
            action: step.action,
            actor: taker(step.action, author, staff),
            from: step.from,
            to: step.to,
        })
        .collect())
}
