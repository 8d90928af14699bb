//! Proposal codes: numbered per plan year and level in the order of first submission.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::proposals::Proposal;
use crate::domain::proposal::{ProposalLevel, proposal_code};
use crate::domain::transition::Action;

/// Gives each submitted proposal its code, per plan year and level in the order of first
/// submission, after the numbers already used.
pub(super) fn number(proposals: &mut [Proposal], numbers: &mut HashMap<(i16, ProposalLevel), u32>) {
    let mut submitted: Vec<(OffsetDateTime, usize)> = proposals
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.submitted_at.map(|at| (at, i)))
        .collect();
    submitted.sort();
    for (_, index) in submitted {
        let proposal = &mut proposals[index];
        let last = numbers
            .entry((proposal.plan_year, proposal.level))
            .or_default();
        *last += 1;
        let code = proposal_code(proposal.level, proposal.plan_year.into(), *last);
        if let Some(event) = proposal
            .events
            .iter_mut()
            .find(|e| e.action == Some(Action::Submit))
        {
            event.details = serde_json::json!({ "code": code }).to_string();
        }
        proposal.code = Some(code);
    }
}
