//! The steps of a proposal's life, one function each, shared by the pages, the demo data
//! set and whatever else takes a step (an import, an API).
//!
//! A step takes who takes it and when ([`Act`]), its input already parsed into domain types,
//! and the caller's transaction. It checks the transition table (never a literal state), writes
//! its records, the timeline's event and the state change, and the notifications the step
//! table names (`domain::step`); it returns what the page needs to answer. The caller commits.
//! `db::proposals::set_state` and `move_many` are called from here only (clippy.toml).

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use crate::db;
use crate::db::proposals::NewEvent;
use crate::domain::format;
use crate::domain::policy::Actor;
use crate::domain::proposal::ProposalState;
use crate::domain::step::Step;
use crate::domain::transition::{self, Action, Allowed};
use crate::error::AppError;

pub mod acceptance;
pub mod adjustment;
pub mod appraisal;
pub mod contract;
pub mod documents;
pub mod evaluation;
pub mod intake;
pub mod money;
pub mod monitoring;
pub mod plan;
pub mod settlement;
pub mod stop;

/// Who takes a step, and when.
#[derive(Clone, Copy, Debug)]
pub struct Act<'a> {
    /// The user taking it, as the policy sees them.
    pub by: &'a Actor,
    /// When it is taken: now on a page; the day of the story in the demo.
    pub at: OffsetDateTime,
}

impl<'a> Act<'a> {
    /// A step taken now.
    pub fn now(by: &'a Actor) -> Self {
        Self {
            by,
            at: OffsetDateTime::now_utc(),
        }
    }

    /// The day it is taken, in Vietnam.
    pub fn today(&self) -> Date {
        self.at.to_offset(format::VIETNAM).date()
    }
}

/// The proposal a step is taken on, as the one taking it saw it.
#[derive(Clone, Debug)]
pub struct Subject {
    /// Id.
    pub id: i64,
    /// Its province.
    pub province_code: String,
    /// The state it was seen in.
    pub state: ProposalState,
    /// The version the actor's form was made from: a step on a proposal changed since then
    /// is refused as stale.
    pub version: i32,
    /// Its code, once submitted.
    pub code: Option<String>,
    /// Its title.
    pub title: String,
}

impl Subject {
    /// The proposal as the notices name it: its code, or its title before it has one.
    pub fn name(&self) -> String {
        self.code.clone().unwrap_or_else(|| self.title.clone())
    }

    /// The same proposal, as seen at `version` (the form's).
    pub fn at_version(self, version: i32) -> Self {
        Self { version, ..self }
    }
}

impl From<&db::proposals::ProposalDetail> for Subject {
    fn from(p: &db::proposals::ProposalDetail) -> Self {
        Self {
            id: p.id,
            province_code: p.province_code.clone(),
            state: p.state,
            version: p.version,
            code: p.code.clone(),
            title: p.title.clone(),
        }
    }
}

impl From<&db::proposals::Basis> for Subject {
    fn from(b: &db::proposals::Basis) -> Self {
        Self {
            id: b.id,
            province_code: b.province_code.clone(),
            state: b.state,
            version: b.version,
            code: b.code.clone(),
            title: b.title.clone(),
        }
    }
}

impl From<db::proposals::Held> for Subject {
    fn from(p: db::proposals::Held) -> Self {
        Self {
            id: p.id,
            province_code: p.province_code,
            state: p.state,
            version: p.version,
            code: p.code,
            title: p.title,
        }
    }
}

/// Locks proposal `id` for the rest of the transaction and returns it as it is now: for the
/// steps that act on the latest state rather than the one the actor saw (a planner's pick
/// from a list, a team's record), so that two at once take turns.
pub(crate) async fn hold(conn: &mut PgConnection, id: i64) -> StepResult<Subject> {
    Ok(db::proposals::hold(conn, id).await?.into())
}

/// Why a step was not taken, besides the transition table's refusal (which is an
/// [`AppError`] already: forbidden, or not in this state).
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The input is refused: the field and the catalogue key of the message by it.
    #[error("refused: {field}: {key}")]
    Refused {
        /// The form field.
        field: &'static str,
        /// The catalogue key.
        key: &'static str,
    },
    /// The proposal changed since the actor saw it (another step, another edit).
    #[error("stale")]
    Stale,
    /// The dossier lacks what submission needs.
    #[error("incomplete dossier: {0:?}")]
    Incomplete(intake::Incomplete),
    /// Anything else: the table's refusal, a database failure.
    #[error(transparent)]
    App(#[from] AppError),
}

impl StepError {
    /// A refusal of `field` with the message `key`.
    pub fn refused(field: &'static str, key: &'static str) -> Self {
        Self::Refused { field, key }
    }
}

impl From<sqlx::Error> for StepError {
    fn from(error: sqlx::Error) -> Self {
        Self::App(error.into())
    }
}

impl From<transition::TransitionError> for StepError {
    fn from(error: transition::TransitionError) -> Self {
        Self::App(error.into())
    }
}

/// Where a page that cannot show the refusal by its field answers: a stale step is the
/// proposal's conflict, a refused one the message's.
impl From<StepError> for AppError {
    fn from(error: StepError) -> Self {
        match error {
            StepError::Refused { key, .. } => Self::Conflict(key),
            StepError::Stale => Self::Conflict("proposal.stale"),
            StepError::Incomplete(_) => Self::Conflict("dossier.incomplete"),
            StepError::App(error) => error,
        }
    }
}

/// The result of a step.
pub type StepResult<T> = Result<T, StepError>;

/// The row of the transition table that the actor may take on `subject` with `action`.
pub fn allowed(act: &Act<'_>, subject: &Subject, action: Action) -> StepResult<Allowed> {
    Ok(transition::transition(subject.state, action, act.by.role)?)
}

/// What a move writes on the timeline besides its state change.
#[derive(Clone, Debug, Default)]
pub(crate) struct Change<'a> {
    /// The note the people concerned read.
    pub note: &'a str,
    /// The details the step records (amounts, numbers, the ids its documents are found by).
    pub details: serde_json::Value,
    /// The code a first submission gives.
    pub code: Option<&'a str>,
}

/// Moves `subject` by `action` (checked against the table for the actor), guarded by the
/// version the actor saw, and writes the move's event. The one place a single proposal's
/// state changes.
pub(crate) async fn take(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    action: Action,
    change: Change<'_>,
) -> StepResult<Allowed> {
    let step = change_state(conn, act, subject, action, change.code).await?;
    let moved = (step.from, step.to);
    let (note, details) = (change.note, change.details);
    record(conn, act, subject.id, action.into(), moved, note, details).await?;
    Ok(step)
}

/// Moves `subject` by `action` as [`take`] does, but leaves the event to the step, which
/// writes it with [`announce`] once what the move led to is known (a settlement's sums,
/// worked out under the contract's lock after the move, so that a second settlement waits
/// and is stale).
pub(crate) async fn shift(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    action: Action,
) -> StepResult<Allowed> {
    change_state(conn, act, subject, action, None).await
}

/// Writes the event of `step`, a move [`shift`] made, with `note` and `details`, and sends
/// its notices with `value` and `link`.
pub(crate) async fn announce(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    step: Allowed,
    (note, details): (&str, serde_json::Value),
    (value, link): (&str, &str),
) -> Result<(), AppError> {
    let moved = (step.from, step.to);
    record(
        conn,
        act,
        subject.id,
        step.action.into(),
        moved,
        note,
        details,
    )
    .await?;
    tell(conn, act, step.action.into(), subject, value, link).await
}

/// The state change of a move, with the code a first submission gives.
async fn change_state(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    action: Action,
    code: Option<&str>,
) -> StepResult<Allowed> {
    let step = allowed(act, subject, action)?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the workflow layer is where a state changes"
    )]
    let moved =
        db::proposals::set_state(conn, subject.id, step, subject.version, code, act.at).await?;
    if !moved {
        return Err(StepError::Stale);
    }
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        action = action.code(),
        "proposal moved"
    );
    Ok(step)
}

/// Moves every proposal of `ids` by `step` in one statement (a plan decision's set); refused
/// as stale when one of them is no longer in the step's state.
pub(crate) async fn take_many(
    conn: &mut PgConnection,
    ids: &[i64],
    step: Allowed,
) -> StepResult<()> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the workflow layer is where a state changes"
    )]
    let moved = db::proposals::move_many(conn, ids, step).await?;
    if usize::try_from(moved).ok() != Some(ids.len()) {
        return Err(StepError::Stale);
    }
    Ok(())
}

/// Moves every proposal of `ids` by `step` (a decision's set) as [`take_many`] does, writes
/// each its event with `note` and its own `details`, and sends the step's notices with
/// `value` (the decision's number).
pub(crate) async fn take_set(
    conn: &mut PgConnection,
    act: &Act<'_>,
    step: Allowed,
    ids: &[i64],
    (note, details): (&str, Vec<serde_json::Value>),
    value: &str,
) -> StepResult<()> {
    take_many(conn, ids, step).await?;
    let moved = (step.from, step.to);
    let entries: Vec<(i64, _)> = ids.iter().map(|&id| (id, moved)).collect();
    record_each(conn, act, step.action.into(), &entries, (note, details)).await?;
    tell_set(conn, act, step.action.into(), ids, value).await?;
    Ok(())
}

/// Writes `step` on the timeline of each proposal of `entries` (id, from and to its states),
/// with `note` and its own `details`, in one statement.
pub(crate) async fn record_each(
    conn: &mut PgConnection,
    act: &Act<'_>,
    step: Step,
    entries: &[(i64, (ProposalState, ProposalState))],
    (note, details): (&str, Vec<serde_json::Value>),
) -> Result<(), AppError> {
    let events: Vec<NewEvent<'_>> = entries
        .iter()
        .zip(details)
        .map(|(&(id, moved), details)| event(act, id, step, moved, note, details))
        .collect();
    db::proposals::insert_events(conn, &events).await
}

/// Sends the notices of `step` on each proposal of `ids`, each with `value` and a link to
/// its page.
pub(crate) async fn tell_set(
    conn: &mut PgConnection,
    act: &Act<'_>,
    step: Step,
    ids: &[i64],
    value: &str,
) -> Result<(), AppError> {
    let values = vec![value.to_owned(); ids.len()];
    let links: Vec<String> = ids.iter().map(|&id| proposal_link(id)).collect();
    tell_each(conn, act, step, ids, &values, &links, None).await
}

/// Writes a step on proposal `id`'s timeline: from and to its states (the same for an
/// entry).
pub(crate) async fn record(
    conn: &mut PgConnection,
    act: &Act<'_>,
    id: i64,
    step: Step,
    (from, to): (ProposalState, ProposalState),
    note: &str,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let event = event(act, id, step, (from, to), note, details);
    db::proposals::insert_event(conn, &event).await
}

/// The timeline event of `step` on proposal `id`, taken by `act`.
fn event<'a>(
    act: &Act<'_>,
    id: i64,
    step: Step,
    (from, to): (ProposalState, ProposalState),
    note: &'a str,
    details: serde_json::Value,
) -> NewEvent<'a> {
    NewEvent {
        proposal_id: id,
        actor_id: act.by.user_id,
        action: step.code(),
        from: Some(from),
        to,
        note,
        details,
        at: act.at,
    }
}

/// Sends the notices the step table names for `step` on `subject`, each with `value` and
/// `link`.
pub(crate) async fn tell(
    conn: &mut PgConnection,
    act: &Act<'_>,
    step: Step,
    subject: &Subject,
    value: &str,
    link: &str,
) -> Result<(), AppError> {
    tell_each(
        conn,
        act,
        step,
        &[subject.id],
        &[value.to_owned()],
        &[link.to_owned()],
        None,
    )
    .await
}

/// Sends the notices of `step` on each proposal of `ids`, with its own value and link, one
/// statement per notice; `asker`, the one who asked for what the step answers, is told too
/// where a notice names them.
pub(crate) async fn tell_each(
    conn: &mut PgConnection,
    act: &Act<'_>,
    step: Step,
    ids: &[i64],
    values: &[String],
    links: &[String],
    asker: Option<i64>,
) -> Result<(), AppError> {
    let people = (act.by.user_id, asker);
    for notice in step.notices() {
        db::notifications::notify_about(conn, ids, people, notice, values, links).await?;
    }
    Ok(())
}

/// The page of proposal `id`.
pub(crate) fn proposal_link(id: i64) -> String {
    format!("/proposals/{id}")
}
