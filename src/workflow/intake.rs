//! Intake: a draft is made and edited, submitted (numbered on its first submission) and
//! screened by the Centre — accepted, returned with what is missing, refused as ineligible —
//! or withdrawn. The same function takes every step done with a button on the proposal's
//! page (a new appraisal and the start of the work too): the table says what each needs.

use sqlx::PgConnection;
use time::Date;
use tracing::instrument;

use super::{Act, Change, StepError, StepResult, Subject, record, take, tell};
use crate::db;
use crate::db::proposals::ProposalInput;
use crate::domain::caps::{self, CapCheck, CapError, CostBasis, NoRule, SupportCap};
use crate::domain::dossier::{self, CostLine, DossierFacts, Totals};
use crate::domain::policy;
use crate::domain::proposal::{ProposalLevel, ProposalState, proposal_code};
use crate::domain::step::Entry;
use crate::domain::transition::{Action, Allowed, Requirement};
use crate::error::AppError;

/// A dossier as entered and checked, ready to save.
#[derive(Clone, Debug)]
pub struct Dossier {
    /// Its fields.
    pub input: ProposalInput,
    /// The beneficiaries, in the order given.
    pub facility_ids: Vec<i64>,
    /// The budget lines.
    pub lines: Vec<CostLine>,
    /// Each line's total.
    pub line_totals: Vec<i64>,
}

/// Makes a draft of the actor's office from `dossier`; its id.
#[instrument(skip_all, fields(actor.id = act.by.user_id), err)]
pub async fn create(conn: &mut PgConnection, act: &Act<'_>, dossier: &Dossier) -> StepResult<i64> {
    let by = act.by;
    let id = db::proposals::insert_draft(
        conn,
        &by.province_code,
        by.organisation_id,
        &dossier.input,
        by.user_id,
    )
    .await?;
    save_parts(conn, id, dossier).await?;
    let draft = (ProposalState::Draft, ProposalState::Draft);
    record(
        conn,
        act,
        id,
        Entry::Create.into(),
        draft,
        "",
        serde_json::json!({}),
    )
    .await?;
    tracing::info!(proposal.id = id, user.id = by.user_id, "proposal drafted");
    Ok(id)
}

/// Saves `dossier` over the one `subject` had, if it may still be edited and nobody changed
/// it since the actor read it.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn edit(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    dossier: &Dossier,
) -> StepResult<()> {
    if !subject.state.is_editable() {
        return Err(AppError::Conflict("proposal.not_editable").into());
    }
    if !db::proposals::update_dossier(conn, subject.id, subject.version, &dossier.input).await? {
        return Err(StepError::Stale);
    }
    save_parts(conn, subject.id, dossier).await?;
    let totals = dossier.input.totals;
    let details = serde_json::json!({
        "total_cost": totals.total_cost,
        "requested_support": totals.requested_support,
    });
    let state = (subject.state, subject.state);
    record(
        conn,
        act,
        subject.id,
        Entry::Edit.into(),
        state,
        "",
        details,
    )
    .await?;
    Ok(())
}

async fn save_parts(conn: &mut PgConnection, id: i64, dossier: &Dossier) -> Result<(), AppError> {
    db::proposals::replace_parts(
        conn,
        id,
        &dossier.facility_ids,
        &dossier.lines,
        &dossier.line_totals,
    )
    .await?;
    db::search::refresh_proposals(conn, &[id]).await
}

/// What a step taken with a button carries, as its requirement asks.
#[derive(Clone, Debug, Default)]
pub enum ButtonInput {
    /// Nothing more.
    #[default]
    Nothing,
    /// A reason the submitter reads.
    Reason(String),
    /// What is missing, and by when it is to be sent.
    MissingItems {
        /// What is missing.
        items: String,
        /// By when.
        due: Date,
    },
}

/// What a dossier lacks before it may be submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Incomplete {
    /// Catalogue keys of what is missing (`dossier::missing_for_submission`).
    pub missing: Vec<&'static str>,
    /// The required documents not attached, by name: Vietnamese, English.
    pub documents: Vec<(String, String)>,
}

/// Takes `action`, a step done with a button on the proposal's page, with what its
/// requirement asks: a complete dossier to submit (refused with what it lacks), a reason, or
/// what is missing and a due date not past. The first submission gives the proposal its code.
#[instrument(
    skip_all,
    fields(proposal.id = subject.id, actor.id = act.by.user_id, action = action.code()),
    err
)]
pub async fn press(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    action: Action,
    input: &ButtonInput,
) -> StepResult<Allowed> {
    let step = super::allowed(act, subject, action)?;
    let (note, due) = what_it_needs(conn, act, subject, step, input).await?;
    let code = match (&subject.code, step.to) {
        (None, ProposalState::Submitted) => Some(new_code(conn, subject.id).await?),
        _ => None,
    };
    let details = serde_json::json!({ "code": code, "due_date": due.map(|d| d.to_string()) });
    let change = Change {
        note,
        details,
        code: code.as_deref(),
    };
    take(conn, act, subject, action, change).await?;
    match (action, due) {
        (Action::Return, Some(due)) => {
            db::proposals::insert_return_request(
                conn,
                subject.id,
                act.by.user_id,
                note,
                due,
                act.at,
            )
            .await?
        }
        (Action::Resubmit, _) => db::proposals::answer_return_requests(conn, subject.id).await?,
        // The old result no longer stands; the next visit writes a new record.
        (Action::Reappraise, _) => db::appraisals::supersede_final(conn, subject.id).await?,
        _ => {}
    }
    if code.is_some() {
        db::search::refresh_proposals(conn, &[subject.id]).await?;
    }
    let name = code.unwrap_or_else(|| subject.name());
    let link = super::proposal_link(subject.id);
    tell(conn, act, action.into(), subject, &name, &link).await?;
    Ok(step)
}

/// The note and due date of a button's step, once what its requirement asks is there.
async fn what_it_needs<'i>(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    step: Allowed,
    input: &'i ButtonInput,
) -> StepResult<(&'i str, Option<Date>)> {
    match (step.requires, input) {
        (Requirement::Nothing, _) => Ok(("", None)),
        (Requirement::CompleteDossier, _) => {
            let lacks = completeness(conn, act, subject.id).await?;
            if lacks.missing.is_empty() {
                Ok(("", None))
            } else {
                Err(StepError::Incomplete(lacks))
            }
        }
        (Requirement::Reason, ButtonInput::Reason(reason)) if !reason.trim().is_empty() => {
            Ok((reason, None))
        }
        (Requirement::Reason, _) => Err(StepError::refused("reason", "input.required")),
        (Requirement::MissingItemsAndDueDate, ButtonInput::MissingItems { items, due }) => {
            if items.trim().is_empty() {
                Err(StepError::refused("missing_items", "input.required"))
            } else if *due < act.today() {
                Err(StepError::refused("due_date", "proposal.due_in_past"))
            } else {
                Ok((items, Some(*due)))
            }
        }
        (Requirement::MissingItemsAndDueDate, _) => {
            Err(StepError::refused("missing_items", "input.required"))
        }
        // Scheduling, finalising, deciding, contracting… have their own pages and steps.
        _ => Err(AppError::Conflict("proposal.action_elsewhere").into()),
    }
}

/// The next code of the proposal's province, plan year and level (a locked counter).
async fn new_code(conn: &mut PgConnection, id: i64) -> Result<String, AppError> {
    let (province, year, level) = db::proposals::numbering(&mut *conn, id).await?;
    let number = db::proposals::next_code_number(conn, &province, year, level).await?;
    Ok(proposal_code(
        level,
        i32::from(year),
        u32::try_from(number).unwrap_or(0),
    ))
}

/// What proposal `id`'s dossier lacks for submission on the day of `act`: its fields, the
/// documents its activity type requires (rules in force that day), and a request within
/// the support cap in force.
pub async fn completeness(
    conn: &mut PgConnection,
    act: &Act<'_>,
    id: i64,
) -> Result<Incomplete, AppError> {
    let scope = (&policy::record_scope(act.by)).into();
    let p = db::proposals::find(&mut *conn, &scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let beneficiaries = db::proposals::beneficiaries(&mut *conn, id).await?;
    let lines = db::proposals::cost_lines(&mut *conn, id).await?;
    let on = act.today();
    let required =
        db::rules::required_documents_in_force(&mut *conn, &p.activity_type_code, on).await?;
    let attached = db::documents::attached_kinds(&mut *conn, id).await?;
    let documents: Vec<(String, String)> = required
        .into_iter()
        .filter(|r| r.required && !attached.contains(&r.document_kind_code))
        .map(|r| (r.kind_name_vi, r.kind_name_en))
        .collect();
    let totals = Totals {
        total_cost: p.total_cost,
        requested_support: p.requested_support,
        counterpart_funds: p.counterpart_funds,
    };
    let request = Request {
        province_code: &p.province_code,
        activity_type_code: &p.activity_type_code,
        level: p.level,
        totals,
        beneficiaries: beneficiaries.len(),
        technology_line: p.technology_line,
        on,
    };
    let verdict = cap_verdict(&mut *conn, &request).await?;
    let facts = DossierFacts {
        has_title: !p.title.trim().is_empty(),
        has_objectives: !p.objectives.trim().is_empty(),
        has_content: !p.content.trim().is_empty(),
        has_schedule: p.start_date.is_some() && p.end_date.is_some(),
        beneficiaries: beneficiaries.len(),
        cost_lines: lines.len(),
        requested_support: p.requested_support,
        has_expected_effects: !p.expected_output.trim().is_empty(),
        no_double_funding: p.no_double_funding,
        missing_documents: documents.iter().map(|(vi, _)| vi.clone()).collect(),
        over_cap: verdict.over_cap(),
    };
    Ok(Incomplete {
        missing: dossier::missing_for_submission(&facts),
        documents,
    })
}

/// A request for support, as the cap in force judges it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The province.
    pub province_code: &'a str,
    /// The activity type.
    pub activity_type_code: &'a str,
    /// The level.
    pub level: ProposalLevel,
    /// The budget's sums.
    pub totals: Totals,
    /// How many beneficiaries (a cap per establishment counts each).
    pub beneficiaries: usize,
    /// A technology line: the rule's multiplier applies.
    pub technology_line: bool,
    /// The day it is judged on.
    pub on: Date,
}

/// The cap in force for a request, and what it says of the amount.
#[derive(Clone, Debug)]
pub struct CapVerdict {
    /// The rule in force, or why there is none.
    pub cap: Result<SupportCap, NoRule>,
    /// The request checked against it (none without a rule).
    pub check: Option<Result<CapCheck, CapError>>,
}

impl CapVerdict {
    /// Whether the request is above the cap (or the rule cannot be read).
    pub fn over_cap(&self) -> bool {
        matches!(&self.check, Some(Ok(check)) if !check.is_within())
            || matches!(self.check, Some(Err(_)))
    }
}

/// Judges `request` against the cap in force on its day for its activity type, level and
/// province (domain::caps): per establishment for a group, with the technology-line
/// multiplier when asked.
pub async fn cap_verdict(
    db: impl sqlx::PgExecutor<'_>,
    request: &Request<'_>,
) -> Result<CapVerdict, AppError> {
    let cap = db::rules::cap_in_force(
        db,
        request.activity_type_code,
        request.level,
        request.province_code,
        request.on,
    )
    .await?;
    let check = cap.as_ref().ok().map(|cap| {
        let basis = CostBasis::for_proposal(
            &cap.rule,
            request.totals.total_cost,
            request.beneficiaries,
            request.technology_line,
        );
        caps::check_request(&cap.rule, &basis, request.totals.requested_support)
    });
    Ok(CapVerdict { cap, check })
}
