//! The way through the table to a state: the steps a proposal takes from its draft to where
//! it is, each a row of [`TABLE`] taken by a role the row allows. The demo data set and the
//! performance generator both write their timelines from these paths, so neither holds a copy
//! of the lifecycle.

use super::{Action, TABLE, transition};
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::role::Role;

use ProposalState as S;

/// The `action` of a timeline's first event, the draft's creation: the one event that is not
/// a transition of the table (a proposal starts in [`ProposalState::Draft`]).
pub const CREATE: &str = "create";

/// Where a proposal ends up: its state and, for a rejection, withdrawal or stop, the state it
/// ended from.
pub type Fate = (ProposalState, Option<ProposalState>);

/// One step of a path: a row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    /// The action.
    pub action: Action,
    /// The state before.
    pub from: ProposalState,
    /// The state after, as the table gives it.
    pub to: ProposalState,
}

/// Why no path leads to a fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The main line does not pass through the state.
    Unreachable(ProposalState),
    /// A fate with a state it ended from must end in a final state.
    NotFinal(ProposalState),
    /// No action of the table leads from the one state to the other.
    NoEnding(ProposalState, ProposalState),
    /// The role who would take the action may not, or not from that state.
    Refused(Action, ProposalState, Role),
    /// Nobody is named to take the action.
    NoTaker(Action),
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(state) => write!(f, "the lifecycle does not reach {state:?}"),
            Self::NotFinal(state) => write!(f, "{state:?} is not a state a proposal ends in"),
            Self::NoEnding(from, to) => write!(f, "no action leads from {from:?} to {to:?}"),
            Self::Refused(action, from, role) => {
                write!(f, "{role:?} may not {action:?} from {from:?}")
            }
            Self::NoTaker(action) => write!(f, "nobody is named to {action:?}"),
        }
    }
}

impl std::error::Error for PathError {}

/// The main line of the lifecycle at `level`: a national proposal is forwarded to the
/// Ministry, whose decision approves it; a local one is approved in the province's plan.
pub fn main_line(level: ProposalLevel) -> Vec<Action> {
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
        super::plan_steps(level).approve,
        Action::SignContract,
        Action::Start,
        Action::AcceptResult,
        Action::Settle,
        Action::Close,
    ]);
    line
}

/// The steps after the creation that take a proposal of `level` to `fate`, each checked
/// against the table for the role `taker` names for it (none is an error). With `detour`,
/// the dossier is returned once after its first submission and submitted again. A rejection, withdrawal or stop is
/// the table's action from the state it ended from to the one it ends in.
pub fn path_to(
    fate: Fate,
    level: ProposalLevel,
    detour: bool,
    taker: impl Fn(Action) -> Option<Role>,
) -> Result<Vec<Move>, PathError> {
    let (state, ended_from) = fate;
    let reached = ended_from.unwrap_or(state);
    // The detour follows the first submission of the main line, whatever the fate.
    let (line, detour) = match reached {
        S::Draft => (Vec::new(), false),
        S::Returned => (vec![Action::Submit, Action::Return], false),
        _ => (main_line(level), detour),
    };
    let mut moves = Vec::with_capacity(line.len() + 3);
    let mut now = S::Draft;
    let mut take = |now: ProposalState, action: Action| {
        let role = taker(action).ok_or(PathError::NoTaker(action))?;
        let row =
            transition(now, action, role).map_err(|_| PathError::Refused(action, now, role))?;
        moves.push(Move {
            action,
            from: now,
            to: row.to,
        });
        Ok::<_, PathError>(row.to)
    };
    for action in line {
        now = take(now, action)?;
        if detour && action == Action::Submit {
            for again in [Action::Return, Action::Resubmit] {
                now = take(now, again)?;
            }
        }
        if now == reached {
            break;
        }
    }
    if now != reached {
        return Err(PathError::Unreachable(reached));
    }
    if ended_from.is_some() {
        if !state.is_final() {
            return Err(PathError::NotFinal(state));
        }
        let ending = TABLE
            .iter()
            .find(|t| t.from == reached && t.to == state)
            .ok_or(PathError::NoEnding(reached, state))?;
        take(now, ending.action)?;
    }
    Ok(moves)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first role the table lets take `action`, whatever the state.
    fn any_allowed(action: Action) -> Option<Role> {
        TABLE
            .iter()
            .find(|t| t.action == action)
            .and_then(|t| t.roles.first().copied())
    }

    #[test]
    fn the_main_line_reaches_completion_through_the_table_at_both_levels() {
        for level in [ProposalLevel::Local, ProposalLevel::National] {
            let path = path_to((S::Completed, None), level, true, any_allowed);
            let path = path.unwrap_or_else(|e| panic!("{level:?}: {e}"));
            assert_eq!(path.first().map(|m| m.from), Some(S::Draft));
            assert_eq!(path.last().map(|m| m.to), Some(S::Completed));
            assert!(path.windows(2).all(|pair| pair[0].to == pair[1].from));
            let forwarded = path.iter().any(|m| m.action == Action::Forward);
            assert_eq!(forwarded, level == ProposalLevel::National);
        }
    }

    #[test]
    fn a_step_nobody_takes_or_a_role_that_may_not_is_refused() {
        let fate = (S::Submitted, None);
        assert_eq!(
            path_to(fate, ProposalLevel::Local, false, |_| None),
            Err(PathError::NoTaker(Action::Submit))
        );
        let centre_only = |_| Some(Role::Director);
        assert!(matches!(
            path_to(fate, ProposalLevel::Local, false, centre_only),
            Err(PathError::Refused(Action::Submit, S::Draft, Role::Director))
        ));
    }

    #[test]
    fn an_ending_must_be_final_and_reachable_by_one_action() {
        let local = ProposalLevel::Local;
        assert_eq!(
            path_to((S::Accepted, Some(S::Submitted)), local, false, any_allowed),
            Err(PathError::NotFinal(S::Accepted))
        );
        assert!(matches!(
            path_to((S::Completed, Some(S::Draft)), local, false, any_allowed),
            Err(PathError::NoEnding(S::Draft, S::Completed))
        ));
    }
}
