//! A proposal's timeline: its events from the creation of the draft through the moves of its
//! lifecycle, dated on the office calendar, with their notes, and the screening returns among
//! them.

use time::{Date, Duration, OffsetDateTime};

use super::super::rng::Rng;
use super::super::words;
use super::calendar::{decision_day, office_time, workday};
use super::lifecycle::{CREATE, Move, gap};
use super::setting::Actor;
use crate::domain::money::format_vnd;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::transition::{Action, plan_steps};

/// One event of a generated timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The action of the table; `None` for the first event, the creation of the draft (whose
    /// code is [`CREATE`]).
    pub action: Option<Action>,
    /// State before (none for the creation).
    pub from: Option<ProposalState>,
    /// State after.
    pub to: ProposalState,
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// Note.
    pub note: String,
    /// Details, JSON.
    pub details: String,
}

impl Event {
    /// The event's `action` column.
    pub fn code(&self) -> &'static str {
        self.action.map_or(CREATE, Action::code)
    }
}

/// A screening return, answered by the resubmission that followed it, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Return {
    /// Who returned it.
    pub requested_by: i64,
    /// When.
    pub requested_at: OffsetDateTime,
    /// What is missing.
    pub missing_items: String,
    /// By when.
    pub due_date: Date,
    /// The resubmission.
    pub answered_at: Option<OffsetDateTime>,
}

/// What a timeline is dated and written with.
#[derive(Clone, Copy, Debug)]
pub(super) struct Round {
    /// The plan year.
    pub(super) year: i16,
    /// In the supplementary round (decided in November or December).
    pub(super) supplementary: bool,
    /// The support appraised and approved, đồng.
    pub(super) approved: i64,
}

/// The timeline of a draft created by `author` on `created_day`, then `moves`: each a few days
/// after the one before, a plan decision on the decision day of its level. Answers the events
/// and the screening returns.
pub(super) fn timeline(
    rng: &mut Rng,
    author: Actor,
    created_day: Date,
    moves: &[Move],
    round: Round,
) -> anyhow::Result<(Vec<Event>, Vec<Return>)> {
    let mut events = Vec::with_capacity(moves.len() + 1);
    let mut returns: Vec<Return> = Vec::new();
    events.push(Event {
        action: None,
        from: None,
        to: ProposalState::Draft,
        at: office_time(rng, created_day)?,
        actor: author,
        note: "Lập hồ sơ đề án.".to_owned(),
        details: String::from("{}"),
    });
    let mut day = created_day;
    for step in moves {
        let (low, high) = gap(step.action)?;
        let earliest = day.saturating_add(Duration::days(rng.range(low, high)));
        // Decisions fall on the province's (or the Ministry's) decision day.
        day = workday(match decided_at(step.action) {
            Some(level) => decision_day(
                i32::from(round.year),
                round.supplementary,
                level == ProposalLevel::National,
            )?
            .max(day.saturating_add(Duration::days(1))),
            None => earliest,
        });
        let at = office_time(rng, day)?;
        let (note, details) = note(rng, step.action, round)?;
        match step.action {
            Action::Return => returns.push(Return {
                requested_by: step.actor.id,
                requested_at: at,
                missing_items: note.clone(),
                due_date: day.saturating_add(Duration::days(15)),
                answered_at: None,
            }),
            Action::Resubmit => {
                if let Some(open) = returns.last_mut() {
                    open.answered_at = Some(at);
                }
            }
            _ => {}
        }
        events.push(Event {
            action: Some(step.action),
            from: Some(step.from),
            to: step.to,
            at,
            actor: step.actor,
            note,
            details,
        });
    }
    Ok((events, returns))
}

/// The level whose plan decision takes `action`, if it is one (`transition::plan_steps`).
fn decided_at(action: Action) -> Option<ProposalLevel> {
    [ProposalLevel::Local, ProposalLevel::National]
        .into_iter()
        .find(|&level| {
            let steps = plan_steps(level);
            action == steps.approve || action == steps.leave_out
        })
}

/// The note and details (JSON) of `action`'s event.
fn note(rng: &mut Rng, action: Action, round: Round) -> anyhow::Result<(String, String)> {
    let Round { year, approved, .. } = round;
    let amount = format_vnd(approved);
    let plain = |note: &str| (note.to_owned(), String::from("{}"));
    Ok(match action {
        // The code is known once the year is numbered (`proposals::number`).
        Action::Submit => plain("Gửi hồ sơ đề án về Trung tâm Khuyến công."),
        Action::Return => plain(rng.pick::<&str>(words::RETURN_NOTES)),
        Action::Resubmit => plain("Đã bổ sung hồ sơ theo yêu cầu, gửi lại Trung tâm."),
        Action::Accept => plain("Hồ sơ đầy đủ, hợp lệ; chuyển thẩm định."),
        Action::ScheduleAppraisal => plain("Lên lịch thẩm định thực tế tại cơ sở."),
        Action::RecordAppraisal => (
            format!("Đã thẩm định tại cơ sở; đề xuất hỗ trợ {amount}."),
            serde_json::json!({ "proposed_support": approved }).to_string(),
        ),
        Action::Forward => {
            plain("Trình Bộ Công Thương xem xét hỗ trợ từ kinh phí khuyến công quốc gia.")
        }
        Action::ApproveInPlan | Action::MinistryApprove => (
            format!("Phê duyệt trong kế hoạch khuyến công năm {year}; kinh phí hỗ trợ {amount}."),
            serde_json::json!({ "approved_support": approved }).to_string(),
        ),
        Action::SignContract => plain(&format!(
            "Ký hợp đồng thực hiện đề án số {}/{year}/HĐ-KC.",
            rng.range(1, 999)
        )),
        Action::Start => plain("Cơ sở bắt đầu triển khai thực hiện đề án."),
        Action::AcceptResult => plain("Nghiệm thu: đề án hoàn thành, đạt yêu cầu."),
        Action::Settle => plain(&format!("Thanh toán, quyết toán kinh phí hỗ trợ {amount}.")),
        Action::Close => plain("Kết thúc đề án; đã đánh giá hiệu quả sau hỗ trợ."),
        Action::NotSelected => plain(rng.pick::<&str>(words::NOT_SELECTED_NOTES)),
        Action::MinistryReject => {
            plain("Bộ Công Thương không bố trí kinh phí khuyến công quốc gia cho đề án.")
        }
        Action::RejectIneligible => plain(rng.pick::<&str>(words::INELIGIBLE_NOTES)),
        Action::Withdraw => plain(rng.pick::<&str>(words::WITHDRAW_NOTES)),
        Action::Stop => plain(rng.pick::<&str>(words::STOP_NOTES)),
        Action::UnscheduleAppraisal | Action::Reappraise => {
            anyhow::bail!("the data set takes no {action:?}")
        }
    })
}
