//! The proposals of a plan year: where each is located and who benefits, its budget, title,
//! fate and timeline; and their codes, numbered per plan year and level in the order of first
//! submission.

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use time::{Date, Duration, Month, OffsetDateTime};

use super::super::rng::Rng;
use super::budget::{ACTIVITIES, Line, NATIONAL_ACTIVITIES, budget, title};
use super::calendar::{date, new_units_from, office_time, workday};
use super::facilities::Registry;
use super::lifecycle::{fate_table, lifecycle};
use super::setting::lower_first;
use super::timeline::{Event, Return, Round, timeline};
use super::{LAST_PLAN_YEAR, Params, Setting};
use crate::domain::proposal::{ProposalLevel, ProposalState, proposal_code};
use crate::domain::transition::{Action, plan_steps};

use ProposalState as S;

/// A generated proposal with its beneficiaries, budget, timeline and returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Code, once submitted.
    pub code: Option<String>,
    /// Plan year.
    pub plan_year: i16,
    /// Level.
    pub level: ProposalLevel,
    /// Form code.
    pub form: &'static str,
    /// Activity type code.
    pub activity: &'static str,
    /// Title.
    pub title: String,
    /// Location: the first beneficiary's commune (unit id).
    pub unit_id: i64,
    /// Submitting office.
    pub office_id: i64,
    /// Author.
    pub created_by: i64,
    /// State.
    pub state: ProposalState,
    /// Σ line totals.
    pub total_cost: i64,
    /// Σ line support.
    pub requested_support: i64,
    /// total − requested.
    pub counterpart_funds: i64,
    /// Approved support, once approved.
    pub approved_support: Option<i64>,
    /// First submission.
    pub submitted_at: Option<OffsetDateTime>,
    /// First event.
    pub created_at: OffsetDateTime,
    /// Last event.
    pub updated_at: OffsetDateTime,
    /// Objectives.
    pub objectives: String,
    /// Content.
    pub content: String,
    /// Where, below the commune.
    pub location_detail: String,
    /// Planned start.
    pub start_date: Option<Date>,
    /// Planned end.
    pub end_date: Option<Date>,
    /// Output before.
    pub baseline_output: String,
    /// Output expected.
    pub expected_output: String,
    /// Revenue before.
    pub baseline_revenue: i64,
    /// Revenue expected.
    pub expected_revenue: i64,
    /// Jobs before.
    pub baseline_jobs: i32,
    /// Jobs expected.
    pub expected_jobs: i32,
    /// No-double-funding commitment.
    pub no_double_funding: bool,
    /// Beneficiaries: indices into the facilities, the first one the main one.
    pub beneficiaries: Vec<usize>,
    /// Budget lines (1 to 6).
    pub lines: Vec<Line>,
    /// Timeline, oldest first.
    pub events: Vec<Event>,
    /// Screening returns.
    pub returns: Vec<Return>,
}

/// How many proposals each plan year gets: more every year (the programme grew), the
/// rounding left over to the last year.
pub fn year_counts(params: &Params) -> Vec<(i16, usize)> {
    let first = params.first_year();
    let weights: Vec<(i16, usize)> = (first..=LAST_PLAN_YEAR)
        .map(|year| (year, 10 + usize::try_from(year - first).unwrap_or(0)))
        .collect();
    let sum: usize = weights.iter().map(|(_, w)| w).sum();
    let mut counts: Vec<(i16, usize)> = weights
        .iter()
        .map(|&(year, w)| (year, params.proposals * w / sum.max(1)))
        .collect();
    let given: usize = counts.iter().map(|(_, c)| c).sum();
    if let Some(last) = counts.last_mut() {
        last.1 += params.proposals - given;
    }
    counts
}

/// Generates the proposals of one plan year, oldest first. Proposal numbers continue from
/// `numbers` (the last number used per plan year and level), which is updated.
pub fn proposals_of_year(
    params: &Params,
    setting: &Setting,
    registry: &Registry<'_>,
    year: i16,
    count: usize,
    numbers: &mut HashMap<(i16, ProposalLevel), u32>,
) -> anyhow::Result<Vec<Proposal>> {
    let mut rng = Rng::new(params.seed, 1_000 + u64::try_from(year)?);
    let staff = setting.staff;
    let y = i32::from(year);
    let new_units = new_units_from()?;
    let mut proposals = Vec::with_capacity(count);
    for _ in 0..count {
        let supplementary = rng.chance(220);
        let created_day = workday(if supplementary {
            date(y, Month::July, 21)?.saturating_add(Duration::days(rng.range(0, 40)))
        } else {
            date(y, Month::January, 2)?.saturating_add(Duration::days(rng.range(0, 45)))
        });
        let created_at = office_time(&mut rng, created_day)?;
        let Some(first) = registry.first(&mut rng, created_at, created_day >= new_units) else {
            bail!("no facility to benefit from a proposal");
        };
        let facility = &registry.facilities[first];
        let commune = setting
            .communes
            .get(facility.commune)
            .context("facility outside the communes")?;
        let trade = facility.trade();

        let fate = *rng.weighted(fate_table(year));
        let forwarded = fate.0 == S::Forwarded || fate.1 == Some(S::Forwarded);
        let national = forwarded || rng.chance(40);
        let level = if national {
            ProposalLevel::National
        } else {
            ProposalLevel::Local
        };
        let activity = if national {
            &ACTIVITIES[rng.index(NATIONAL_ACTIVITIES)].0
        } else {
            rng.weighted(ACTIVITIES)
        };
        let wanted = *rng.weighted(&[(1usize, 80), (2, 13), (3, 7)]);
        let beneficiaries = registry.others(&mut rng, first, created_at, wanted - 1);
        let group = beneficiaries.len() > 1;
        let (lines, machines) = budget(&mut rng, activity, trade, beneficiaries.len())?;
        let title = title(&mut rng, activity.0, trade, &machines, commune, group, year);
        let total_cost = lines.iter().map(|l| l.total).sum::<i64>();
        let requested_support = lines.iter().map(|l| l.line.support).sum::<i64>();

        let author = commune.office.creator;
        let moves = lifecycle(fate, level, rng.chance(150), author, &staff)?;
        let approved = {
            let share = requested_support * rng.range(85, 100) / 100;
            let rounded = share / 1_000_000 * 1_000_000;
            if rounded == 0 {
                requested_support
            } else {
                rounded
            }
        };
        let round = Round {
            year,
            supplementary,
            approved,
        };
        let (events, returns) = timeline(&mut rng, author, created_day, &moves, round)?;
        let (Some(first_event), Some(last_event)) = (events.first(), events.last()) else {
            bail!("a proposal without a timeline");
        };
        let approve = plan_steps(level).approve;
        let approved_support = moves
            .iter()
            .any(|m| m.action == approve)
            .then_some(approved);
        let submitted_at = events
            .iter()
            .find(|e| e.action == Some(Action::Submit))
            .map(|e| e.at);
        let start = date(y, Month::May, 2)?.saturating_add(Duration::days(rng.range(0, 60)));
        let end = start.saturating_add(Duration::days(rng.range(90, 200)));
        let output = rng.range(20, 2_000);
        let growth = rng.range(110, 160);
        let products = lower_first(&facility.main_products);
        let content = lines
            .iter()
            .map(|l| l.line.item.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        proposals.push(Proposal {
            code: None,
            plan_year: year,
            level,
            form: if group {
                "group"
            } else if national && rng.chance(100) {
                "flagship"
            } else {
                "normal"
            },
            activity: activity.0,
            title,
            unit_id: commune.id,
            office_id: commune.office.id,
            created_by: author.id,
            state: fate.0,
            total_cost,
            requested_support,
            counterpart_funds: total_cost - requested_support,
            approved_support,
            submitted_at,
            created_at: first_event.at,
            updated_at: last_event.at,
            objectives: format!(
                "Nâng cao năng suất, chất lượng {products}; giảm chi phí sản xuất, tạo việc làm \
                 ổn định cho người lao động."
            ),
            content: format!("Nội dung đầu tư: {content}."),
            location_detail: format!(
                "{}, {}",
                facility.address_detail,
                lower_first(&commune.full_name)
            ),
            start_date: Some(start),
            end_date: Some(end),
            baseline_output: format!("{output} {}/năm", trade.output_unit),
            expected_output: format!("{} {}/năm", output * growth / 100, trade.output_unit),
            baseline_revenue: facility.annual_revenue,
            expected_revenue: facility.annual_revenue / 100 * growth,
            baseline_jobs: facility.workers,
            expected_jobs: facility.workers + i32::try_from(rng.range(0, 10))?,
            no_double_funding: submitted_at.is_some() || rng.chance(500),
            beneficiaries,
            lines,
            events,
            returns,
        });
    }
    proposals.sort_by_key(|p| p.created_at);
    number(&mut proposals, numbers);
    Ok(proposals)
}

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
