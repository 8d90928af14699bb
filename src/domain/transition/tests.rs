use super::*;

#[test]
fn each_state_and_action_has_at_most_one_row() {
    for (i, a) in TABLE.iter().enumerate() {
        for b in &TABLE[i + 1..] {
            assert!(
                !(a.from == b.from && a.action == b.action),
                "{:?} {:?} twice",
                a.from,
                a.action
            );
        }
    }
}

/// Every state × action × role, against the table written out longhand.
#[test]
fn the_table_is_exactly_the_lifecycle() {
    let expected = |from: S, action: Action, role: R| -> Result<S, TransitionError> {
        use Action as A;
        let (to, roles): (S, &[R]) = match (from, action) {
            (S::Draft, A::Submit) => (S::Submitted, SUBMITTERS),
            (S::Returned, A::Resubmit) => (S::Submitted, SUBMITTERS_AND_OWNER),
            (S::Submitted, A::Accept) => (S::Accepted, CENTRE),
            (S::Submitted, A::Return) => (S::Returned, CENTRE),
            (S::Submitted | S::Returned, A::RejectIneligible) => (S::Rejected, CENTRE),
            (S::Draft | S::Submitted | S::Returned, A::Withdraw) => (S::Withdrawn, SUBMITTERS),
            (S::Accepted, A::ScheduleAppraisal) => (S::AppraisalScheduled, CENTRE),
            (S::AppraisalScheduled, A::UnscheduleAppraisal) => (S::Accepted, CENTRE),
            (S::AppraisalScheduled, A::RecordAppraisal) => (S::Appraised, APPRAISAL_TEAM),
            (S::Appraised, A::Reappraise) => (S::Accepted, DIRECTOR),
            (S::Appraised, A::ApproveInPlan) => (S::Approved, DIRECTOR),
            (S::Appraised, A::NotSelected) => (S::Rejected, DIRECTOR),
            (S::Approved, A::SignContract) => (S::Contracted, CENTRE),
            (S::Contracted, A::Start) => (S::InProgress, CENTRE),
            (S::Appraised, A::Forward) => (S::Forwarded, DIRECTOR),
            (S::Forwarded, A::MinistryApprove) => (S::Approved, DIRECTOR),
            (S::Forwarded, A::MinistryReject) => (S::Rejected, DIRECTOR),
            (S::Contracted | S::InProgress, A::Stop) => (S::Stopped, DIRECTOR),
            (S::InProgress, A::AcceptResult) => (S::ResultAccepted, APPRAISAL_TEAM),
            (S::ResultAccepted, A::Settle) => (S::Settled, ACCOUNTANT),
            (S::Settled, A::Close) => (S::Completed, CLOSERS),
            _ => return Err(TransitionError::NotFromThisState(action)),
        };
        if roles.contains(&role) {
            Ok(to)
        } else {
            Err(TransitionError::NotAllowed)
        }
    };
    for from in ProposalState::ALL {
        for action in Action::ALL {
            for role in Role::ALL {
                assert_eq!(
                    transition(from, action, role).map(|t| t.to),
                    expected(from, action, role),
                    "{from:?} {action:?} {role:?}"
                );
            }
        }
    }
}

#[test]
fn final_states_lead_nowhere() {
    for row in TABLE {
        assert!(
            !row.from.is_final(),
            "{:?} leaves a final state",
            row.action
        );
    }
}

#[test]
fn what_needs_what() {
    let needs = |from, action| transition(from, action, R::CentreStaff).map(|t| t.requires);
    assert_eq!(needs(S::Draft, Action::Submit), Ok(Needs::CompleteDossier));
    assert_eq!(
        needs(S::Submitted, Action::Return),
        Ok(Needs::MissingItemsAndDueDate)
    );
    assert_eq!(
        needs(S::Submitted, Action::RejectIneligible),
        Ok(Needs::Reason)
    );
    assert_eq!(needs(S::Submitted, Action::Accept), Ok(Needs::Nothing));
    assert_eq!(
        needs(S::Accepted, Action::ScheduleAppraisal),
        Ok(Needs::Visit)
    );
    let director = |from, action| transition(from, action, R::Director).map(|t| t.requires);
    assert_eq!(
        director(S::AppraisalScheduled, Action::RecordAppraisal),
        Ok(Needs::FinalRecord)
    );
    assert_eq!(
        director(S::Appraised, Action::Reappraise),
        Ok(Needs::Reason)
    );
    for action in [Action::ApproveInPlan, Action::NotSelected] {
        assert_eq!(director(S::Appraised, action), Ok(Needs::PlanDecision));
    }
    assert_eq!(
        needs(S::Approved, Action::SignContract),
        Ok(Needs::Contract)
    );
    assert_eq!(needs(S::Contracted, Action::Start), Ok(Needs::Nothing));
    assert_eq!(director(S::Appraised, Action::Forward), Ok(Needs::Dispatch));
    for action in [Action::MinistryApprove, Action::MinistryReject] {
        assert_eq!(director(S::Forwarded, action), Ok(Needs::PlanDecision));
    }
    for from in [S::Contracted, S::InProgress] {
        assert_eq!(director(from, Action::Stop), Ok(Needs::StopDecision));
    }
    assert_eq!(
        director(S::InProgress, Action::AcceptResult),
        Ok(Needs::AcceptanceRecord)
    );
    assert_eq!(
        transition(S::ResultAccepted, Action::Settle, R::Accountant).map(|t| t.requires),
        Ok(Needs::Settlement)
    );
    assert_eq!(needs(S::Settled, Action::Close), Ok(Needs::Evaluation));
}

#[test]
fn each_level_plans_from_its_own_state() {
    use crate::domain::proposal::ProposalLevel;
    for level in [ProposalLevel::Local, ProposalLevel::National] {
        let steps = plan_steps(level);
        for action in [steps.approve, steps.leave_out] {
            let row = transition(steps.from, action, R::Director).expect("a row");
            assert_eq!(row.requires, Needs::PlanDecision);
        }
        assert_eq!(
            transition(steps.from, steps.approve, R::Director).map(|t| t.to),
            Ok(S::Approved)
        );
        assert_eq!(
            transition(steps.from, steps.leave_out, R::Director).map(|t| t.to),
            Ok(S::Rejected)
        );
    }
}

#[test]
fn actions_taken_elsewhere_have_no_button() {
    assert!(available(S::Accepted, R::CentreStaff).is_empty());
    assert!(available(S::AppraisalScheduled, R::Appraiser).is_empty());
    let director: Vec<_> = available(S::Appraised, R::Director)
        .iter()
        .map(|t| t.action)
        .collect();
    assert_eq!(director, [Action::Reappraise]);
}

#[test]
fn codes_round_trip() {
    for action in Action::ALL {
        assert_eq!(Action::from_code(action.code()), Some(action));
    }
}

#[test]
fn a_local_officer_sees_submit_and_withdraw_on_a_draft() {
    let actions: Vec<_> = available(S::Draft, R::LocalOfficer)
        .iter()
        .map(|t| t.action)
        .collect();
    assert_eq!(actions, [Action::Submit, Action::Withdraw]);
    assert!(available(S::Draft, R::Director).is_empty());
}
