//! Acceptance (nghiệm thu) of a proposal's work: `/proposals/{id}/acceptance` shows its
//! records (one per acceptance visit), the open one as a form for the team (the evidence the
//! activity type requires, the support admitted per cost line, the conclusion and outcome),
//! and the leader's finalisation; `/proposals/{id}/acceptance/{record}/minutes` prints the
//! minutes (Mẫu 5a). A passed record moves the proposal to `result_accepted`; a failed one
//! leaves it in progress for another visit.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;

use super::{VisitView, visit_view};
use crate::db;
use crate::db::acceptance::{Checks, EvidenceCheck, LineCheck, Record};
use crate::db::contracts::Contract;
use crate::domain::acceptance::{self, AcceptanceResult, AcceptanceStatus, FinalFacts};
use crate::domain::appraisal;
use crate::domain::input;
use crate::domain::proposal::ProposalState;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::{self, Act, acceptance::Draft};

/// Routes of acceptance records.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/acceptance", get(show))
        .route("/proposals/{id}/acceptance/{record}", post(save))
        .route("/proposals/{id}/acceptance/{record}/minutes", get(minutes))
}

/// An evidence item as the form shows it.
struct EvidenceRow {
    check: EvidenceCheck,
    /// `yes`, `no` or empty.
    answer: String,
    note: String,
}

impl EvidenceRow {
    fn field(&self) -> String {
        format!("ev_{}", self.check.evidence_id)
    }

    fn note_field(&self) -> String {
        format!("ev_note_{}", self.check.evidence_id)
    }

    fn is(&self, answer: &str) -> bool {
        self.answer == answer
    }
}

/// A cost line as the form shows it.
struct LineRow {
    check: LineCheck,
    amount: String,
    note: String,
}

impl LineRow {
    fn field(&self) -> String {
        format!("line_{}", self.check.cost_line_id)
    }

    fn note_field(&self) -> String {
        format!("line_note_{}", self.check.cost_line_id)
    }
}

/// What a record's page and its minutes need.
struct RecordView {
    record: Record,
    visit: VisitView,
    evidence: Vec<EvidenceRow>,
    lines: Vec<LineRow>,
    conclusion: String,
    result: String,
    /// The user may fill the record in (on the team, declared no conflict, a draft).
    may_edit: bool,
    /// Why not, as a catalogue key, when on the team.
    refusal: Option<&'static str>,
}

impl RecordView {
    fn is_final(&self) -> bool {
        self.record.status == AcceptanceStatus::Final
    }

    fn result_is(&self, code: &str) -> bool {
        self.result == code
    }

    fn admitted_lines(&self) -> i64 {
        self.lines
            .iter()
            .filter_map(|l| l.check.admitted)
            .fold(0, i64::saturating_add)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/show.html")]
struct AcceptancePage {
    ctx: PageContext,
    proposal_id: i64,
    title: String,
    code: Option<String>,
    state: ProposalState,
    contract: Contract,
    /// Every record, newest first.
    records: Vec<Record>,
    /// The record shown: the open draft, else the newest.
    current: Option<RecordView>,
    errors: FieldErrors,
    /// What finalising still needs.
    missing: Vec<&'static str>,
}

impl AcceptancePage {
    fn admitted_preview(&self) -> i64 {
        self.current.as_ref().map_or(0, |v| {
            acceptance::admitted_support(
                v.lines.iter().filter_map(|l| l.check.admitted),
                self.contract.approved_support,
            )
        })
    }
}

/// The record the user sees first: a draft if one is open, else the newest.
fn current_id(records: &[Record]) -> Option<i64> {
    records
        .iter()
        .find(|r| r.status == AcceptanceStatus::Draft)
        .or_else(|| records.iter().find(|r| r.status != AcceptanceStatus::Void))
        .map(|r| r.id)
}

async fn record_view(
    state: &AppState,
    user: &CurrentUser,
    record: Record,
) -> AppResult<RecordView> {
    let visit = visit_view(state, user, record.visit_id).await?;
    let declarations = db::visits::declarations(&state.db, record.visit_id).await?;
    let membership = visit.my_declaration(&declarations, record.proposal_id);
    let editable = appraisal::may_score(membership, record.status != AcceptanceStatus::Draft);
    let evidence = db::acceptance::evidence(&state.db, record.id)
        .await?
        .into_iter()
        .map(|check| EvidenceRow {
            answer: match check.present {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            note: check.note.clone(),
            check,
        })
        .collect();
    let lines = db::acceptance::lines(&state.db, record.id)
        .await?
        .into_iter()
        .map(|check| LineRow {
            amount: check.admitted.map(|a| a.to_string()).unwrap_or_default(),
            note: check.note.clone(),
            check,
        })
        .collect();
    Ok(RecordView {
        conclusion: record.conclusion.clone(),
        result: record
            .result
            .map(|r| r.code().to_owned())
            .unwrap_or_default(),
        may_edit: editable.is_ok() && !visit.visit.cancelled,
        refusal: membership.and(editable.err().map(|e| e.message_key())),
        record,
        visit,
        evidence,
        lines,
    })
}

/// The proposal's acceptance page with `current` (its record) as the form shows it.
async fn page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
    pick: Option<i64>,
) -> AppResult<AcceptancePage> {
    let records = db::acceptance::of_proposal(&state.db, id).await?;
    let chosen = pick.or_else(|| current_id(&records));
    // Those who do not see visits (a facility owner) see the outcomes without the record.
    let current = match records.iter().find(|r| Some(r.id) == chosen) {
        Some(r) => match record_view(state, user, r.clone()).await {
            Ok(view) => Some(view),
            Err(AppError::Forbidden | AppError::NotFound) if pick.is_none() => None,
            Err(other) => return Err(other),
        },
        None => None,
    };
    // Who may see the page: the proposal's scope, or the team of one of its visits.
    let scope = match &current {
        Some(view) => view.visit.proposal_scope(user),
        None => user.scope(),
    };
    let basis = db::proposals::basis(&state.db, &scope, id).await?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(AcceptancePage {
        ctx,
        proposal_id: id,
        title: basis.title,
        code: basis.code,
        state: basis.state,
        contract,
        records,
        current,
        errors: FieldErrors::default(),
        missing: Vec::new(),
    })
}

/// `GET /proposals/{id}/acceptance`.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<AcceptancePage> {
    page(&state, ctx, &user, id, None).await
}

/// The form's answers, read into the view (so a refused form comes back as typed) and
/// checked; the checks to save when every field is right.
struct Typed {
    evidence: Vec<(i64, bool, String)>,
    lines: Vec<(i64, i64, String)>,
    conclusion: String,
    result: Option<AcceptanceResult>,
    finalise: bool,
    version: i32,
}

fn read_form(view: &mut RecordView, form: &[(String, String)], errors: &mut FieldErrors) -> Typed {
    let fields: HashMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let get = |name: &str| fields.get(name).copied().unwrap_or("");
    let mut evidence = Vec::new();
    for row in &mut view.evidence {
        row.answer = get(&row.field()).trim().to_owned();
        row.note = errors.text(&row.note_field(), get(&row.note_field()), 1000);
        match row.answer.as_str() {
            "yes" => evidence.push((row.check.evidence_id, true, row.note.clone())),
            "no" => evidence.push((row.check.evidence_id, false, row.note.clone())),
            "" => {}
            _ => errors.add(row.field(), "input.invalid_choice"),
        }
    }
    let mut lines = Vec::new();
    for row in &mut view.lines {
        row.amount = get(&row.field()).trim().to_owned();
        row.note = errors.text(&row.note_field(), get(&row.note_field()), 1000);
        if row.amount.is_empty() {
            row.check.admitted = None;
            continue;
        }
        let checked = input::money(&row.amount)
            .and_then(|amount| acceptance::check_line(amount, row.check.support));
        if let Some(amount) = errors.check(&row.field(), checked) {
            row.check.admitted = Some(amount);
            lines.push((row.check.cost_line_id, amount, row.note.clone()));
        }
    }
    view.conclusion = errors.text("conclusion", get("conclusion"), 5000);
    view.result = get("result").trim().to_owned();
    let result = AcceptanceResult::from_code(&view.result);
    if result.is_none() && !view.result.is_empty() {
        errors.add("result", "input.invalid_choice");
    }
    Typed {
        evidence,
        lines,
        conclusion: view.conclusion.clone(),
        result,
        finalise: !get("finalise").is_empty(),
        version: get("version").trim().parse().unwrap_or(-1),
    }
}

/// What finalising needs, from the form just read.
fn final_facts(
    view: &RecordView,
    declarations: &[crate::db::visits::DeclarationRow],
    typed: &Typed,
    approved: i64,
) -> FinalFacts {
    let proposal_id = view.record.proposal_id;
    let undeclared = view
        .visit
        .members
        .iter()
        .filter(|m| m.user_id.is_some())
        .filter(|m| {
            !declarations
                .iter()
                .any(|d| d.member_id == m.id && d.proposal_id == proposal_id)
        })
        .count();
    FinalFacts {
        leader: view.visit.is_leader(),
        undeclared,
        evidence_unanswered: view.evidence.len().saturating_sub(typed.evidence.len()),
        evidence_absent: typed.evidence.iter().filter(|(_, seen, _)| !seen).count(),
        lines_unchecked: view.lines.len().saturating_sub(typed.lines.len()),
        admitted: acceptance::admitted_support(typed.lines.iter().map(|l| l.1), approved),
        result: typed.result,
    }
}

/// `POST /proposals/{id}/acceptance/{record}`: the team saves the record; with `finalise`,
/// the leader closes it with its outcome.
async fn save(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, record_id)): Path<(i64, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut page = page(&state, ctx, &user, id, Some(record_id)).await?;
    let Some(mut view) = page.current.take().filter(|v| v.record.id == record_id) else {
        return Err(AppError::NotFound);
    };
    if !view.may_edit {
        return Err(if view.is_final() {
            AppError::Conflict("acceptance.final_read_only")
        } else if view.visit.visit.cancelled {
            AppError::Conflict("visit.cancelled")
        } else {
            AppError::Forbidden
        });
    }
    let mut errors = FieldErrors::default();
    let typed = read_form(&mut view, &form, &mut errors);
    let declarations = db::visits::declarations(&state.db, view.record.visit_id).await?;
    let facts = final_facts(&view, &declarations, &typed, page.contract.approved_support);
    let missing = if typed.finalise {
        acceptance::missing_for_final(&facts)
    } else {
        Vec::new()
    };
    if !errors.is_empty() || !missing.is_empty() {
        page.current = Some(view);
        page.errors = errors;
        page.missing = missing;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let checks = Checks {
        evidence: &typed.evidence,
        lines: &typed.lines,
        conclusion: &typed.conclusion,
        result: typed.result,
    };
    let draft = Draft {
        record_id,
        visit_id: view.record.visit_id,
        version: typed.version,
        checks: &checks,
    };
    let actor = user.actor();
    let act = Act::now(&actor);
    let mut tx = state.db.begin().await?;
    let Some(result) = typed.result.filter(|_| typed.finalise) else {
        workflow::acceptance::save(&mut tx, &act, &draft).await?;
        tx.commit().await?;
        return Ok(back(id, "flash.acceptance_saved", String::new()));
    };
    workflow::acceptance::finalise(&mut tx, &act, id, &draft, (result, facts.admitted)).await?;
    tx.commit().await?;
    let key = match result {
        AcceptanceResult::Pass => "flash.acceptance_passed",
        AcceptanceResult::Fail => "flash.acceptance_failed",
    };
    Ok(back(id, key, page.code.unwrap_or(page.title)))
}

fn back(id: i64, key: &'static str, value: String) -> Response {
    (
        Flash::success(key).with(value),
        Redirect::to(&format!("/proposals/{id}/acceptance")),
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "acceptance/minutes.html")]
struct MinutesPage {
    ctx: PageContext,
    title: String,
    code: Option<String>,
    contract: Contract,
    view: RecordView,
    issuer: crate::db::organisations::Issuer,
    beneficiaries: String,
}

/// `GET /proposals/{id}/acceptance/{record}/minutes`: the acceptance minutes (Mẫu 5a).
async fn minutes(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, record_id)): Path<(i64, i64)>,
) -> AppResult<MinutesPage> {
    let AcceptancePage {
        ctx,
        title,
        code,
        contract,
        current,
        ..
    } = page(&state, ctx, &user, id, Some(record_id)).await?;
    let view = current
        .filter(|v| v.record.id == record_id)
        .ok_or(AppError::NotFound)?;
    let basis = db::proposals::basis(&state.db, &view.visit.proposal_scope(&user), id).await?;
    Ok(MinutesPage {
        issuer: db::organisations::issuer(&state.db, &basis.province_code).await?,
        beneficiaries: basis.beneficiaries,
        ctx,
        title,
        code,
        contract,
        view,
    })
}
