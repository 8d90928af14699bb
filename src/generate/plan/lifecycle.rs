//! Where each proposal ends up, and the steps that take it there. The steps are actions of
//! the lifecycle's table (`domain::transition`), each taken by someone whose role the table
//! allows; the states come from the table, never from here.

use anyhow::{anyhow, bail, ensure};

use super::LAST_PLAN_YEAR;
use super::setting::{Actor, Staff};
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::transition::{self, Action, TABLE};

use ProposalState as S;

/// The `action` of a timeline's first event, the draft's creation: the one event that is not
/// a transition of the table (a proposal starts in [`ProposalState::Draft`]).
pub const CREATE: &str = "create";

/// Where a proposal ends up: its state and, for a rejection, withdrawal or stop, the state it
/// ended from.
pub type Fate = (ProposalState, Option<ProposalState>);

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

/// A step of a timeline after the creation: an action of the table, who takes it, and the
/// states the table says it leads from and to.
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

/// The main line of the lifecycle at `level`: a national proposal is forwarded to the
/// Ministry, whose decision approves it; a local one is approved in the province's plan.
fn main_line(level: ProposalLevel) -> Vec<Action> {
    let mut line = vec![
        Action::Submit,
        Action::Accept,
        Action::ScheduleAppraisal,
        Action::RecordAppraisal,
    ];
    if level == ProposalLevel::National {
        line.push(Action::Forward);
    }
    line.extend([
        transition::plan_steps(level).approve,
        Action::SignContract,
        Action::Start,
        Action::AcceptResult,
        Action::Settle,
        Action::Close,
    ]);
    line
}

/// The steps after the creation that take a proposal of `level` written by `author` to
/// `fate`, each checked against the table for the role of who takes it. With `detour`, the
/// dossier is returned once after its first submission and submitted again. A rejection,
/// withdrawal or stop is the table's action from the state it ended from to the one it ends
/// in.
pub fn lifecycle(
    fate: Fate,
    level: ProposalLevel,
    detour: bool,
    author: Actor,
    staff: &Staff,
) -> anyhow::Result<Vec<Move>> {
    let (state, ended_from) = fate;
    let reached = ended_from.unwrap_or(state);
    // The detour follows the first submission of the main line, whatever the fate.
    let (path, detour) = match reached {
        S::Draft => (Vec::new(), false),
        S::Returned => (vec![Action::Submit, Action::Return], false),
        _ => (main_line(level), detour),
    };
    let mut moves = Vec::with_capacity(path.len() + 3);
    let mut now = S::Draft;
    for action in path {
        now = take(&mut moves, now, action, author, staff)?;
        if detour && action == Action::Submit {
            for again in [Action::Return, Action::Resubmit] {
                now = take(&mut moves, now, again, author, staff)?;
            }
        }
        if now == reached {
            break;
        }
    }
    ensure!(now == reached, "the lifecycle does not reach {reached:?}");
    if ended_from.is_some() {
        ensure!(
            state.is_final(),
            "{state:?} is not a state a proposal ends in"
        );
        let ending = TABLE
            .iter()
            .find(|t| t.from == reached && t.to == state)
            .ok_or_else(|| anyhow!("no action leads from {reached:?} to {state:?}"))?;
        take(&mut moves, now, ending.action, author, staff)?;
    }
    Ok(moves)
}

/// Adds the move of `action` from `from`, taken by its [`taker`]; answers the state it leads
/// to.
fn take(
    moves: &mut Vec<Move>,
    from: ProposalState,
    action: Action,
    author: Actor,
    staff: &Staff,
) -> anyhow::Result<ProposalState> {
    let actor = taker(action, author, staff);
    let row = transition::transition(from, action, actor.role)
        .map_err(|e| anyhow!("{:?} may not {action:?} from {from:?}: {e:?}", actor.role))?;
    moves.push(Move {
        action,
        actor,
        from,
        to: row.to,
    });
    Ok(row.to)
}
