//! When each step of a demo timeline happens: the Centre's calendar of the main and the
//! supplementary round, on workdays.

use anyhow::bail;
use time::{Date, Duration, Month, Weekday};

use super::data;
use crate::domain::transition::Action;

/// When a step happens: the Centre's calendar (month, day) in the main and the supplementary
/// round, at least `gap` days after the previous step, spread over a few weeks when `spread`.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    main: Option<(u8, u8)>,
    supplementary: Option<(u8, u8)>,
    gap: i64,
    spread: bool,
}

pub(super) const fn slot(
    main: Option<(u8, u8)>,
    supplementary: Option<(u8, u8)>,
    gap: i64,
    spread: bool,
) -> Slot {
    Slot {
        main,
        supplementary,
        gap,
        spread,
    }
}

/// The province approves the year's plan in one decision in April.
pub(super) const PLAN_DECISION: Slot = slot(Some((4, 19)), None, 1, false);
/// The Ministry decides on national proposals in June.
pub(super) const MINISTRY_DECISION: Slot = slot(Some((6, 14)), None, 1, false);

/// The draft is written in January (in August for the supplementary round).
pub(super) const CREATION: Slot = slot(Some((1, 4)), Some((8, 5)), 0, true);

pub(super) fn slot_of(action: Action) -> anyhow::Result<Slot> {
    Ok(match action {
        Action::Submit => slot(Some((1, 15)), Some((8, 19)), 3, true),
        Action::Return => slot(None, None, 6, false),
        Action::Resubmit => slot(None, None, 9, false),
        Action::Accept => slot(Some((2, 1)), Some((9, 9)), 4, true),
        Action::RejectIneligible => slot(None, None, 7, false),
        Action::ScheduleAppraisal => slot(Some((2, 26)), Some((10, 1)), 3, true),
        // Appraisal visits in March (in October for the supplementary round).
        Action::RecordAppraisal => slot(Some((3, 4)), Some((10, 14)), 5, true),
        Action::Forward => slot(Some((4, 8)), None, 3, false),
        Action::ApproveInPlan | Action::NotSelected => PLAN_DECISION,
        Action::MinistryApprove | Action::MinistryReject => MINISTRY_DECISION,
        Action::SignContract => slot(Some((5, 6)), None, 10, true),
        Action::Start => slot(None, None, 7, false),
        Action::AcceptResult => slot(Some((10, 7)), None, 30, true),
        Action::Settle => slot(Some((11, 4)), None, 10, true),
        Action::Close => slot(Some((12, 2)), None, 7, true),
        Action::Withdraw => slot(None, None, 10, false),
        Action::Stop => slot(None, None, 40, false),
        Action::UnscheduleAppraisal | Action::Reappraise => {
            bail!("the demo takes no {action:?}")
        }
    })
}

/// The same day, or the next Monday for a weekend day: offices work Monday to Friday.
pub(super) fn workday(date: Date) -> Date {
    match date.weekday() {
        Weekday::Saturday => date.saturating_add(Duration::days(2)),
        Weekday::Sunday => date.saturating_add(Duration::days(1)),
        _ => date,
    }
}

/// The day of a step in `spec`'s timeline at `slot`, after the previous step's day;
/// `spread` days (0–18) set proposals apart.
pub(super) fn step_day(
    spec: &data::Spec,
    slot: Slot,
    previous: Option<Date>,
    spread: i64,
) -> anyhow::Result<Date> {
    let anchor = if spec.second_round() {
        slot.supplementary
    } else {
        slot.main
    };
    let anchor = match anchor {
        Some((month, day)) => {
            let date = Date::from_calendar_date(spec.year.into(), Month::try_from(month)?, day)?;
            Some(date.saturating_add(Duration::days(if slot.spread { spread } else { 0 })))
        }
        None => None,
    };
    let earliest = previous.map(|date| date.saturating_add(Duration::days(slot.gap)));
    let day = match (anchor, earliest) {
        (Some(anchor), Some(earliest)) => anchor.max(earliest),
        (Some(day), None) | (None, Some(day)) => day,
        (None, None) => bail!("a step off the calendar cannot be the first"),
    };
    Ok(workday(day))
}
