//! `/funding/decisions/{id}`: a plan decision — its number, date and signer, its scanned
//! copy, the proposals it approves with the amounts and the cap each was checked against, and
//! the decisions that amend it; `/funding/decisions/{id}/amend`: an amending decision, a new
//! version with its own number, date, signer, scan and reason, that changes the approved
//! support of proposals not yet contracted (their contract is amended instead). Lines are
//! never changed: the old amounts stay in the old decision, and the envelope follows.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::{CapFacts, DecisionFields, ValidDecision, cap_for, one_scan};
use crate::db;
use crate::db::documents::{DocumentSummary, RecordOwner};
use crate::db::funding::{ChainLine, Decision, DecisionLine, DecisionSummary, NewLine, Source};
use crate::domain::funding::{self, EnvelopeFigures, LineLimits};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::domain::{document, money};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::web::today;
use crate::web::upload::{self, Limits};
use crate::workflow::{self, Act};

/// Routes under `/funding/decisions/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/funding/decisions/{id}", get(show))
        .route("/funding/decisions/{id}/documents/{doc}", get(download))
        .route(
            "/funding/decisions/{id}/amend",
            // The form carries the scan: `amend` applies the configured upload limit itself.
            get(amend_form)
                .post(amend)
                .layer(DefaultBodyLimit::disable()),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/decision.html")]
struct DecisionPage {
    ctx: PageContext,
    decision: Decision,
    source: Option<Source>,
    lines: Vec<DecisionLine>,
    documents: Vec<DocumentSummary>,
    amendments: Vec<DecisionSummary>,
    total: i64,
    can_amend: bool,
}

impl DecisionPage {
    /// A size in the page's language.
    fn size(&self, bytes: &i64) -> String {
        document::format_size(*bytes, self.ctx.lang == crate::i18n::Lang::Vi)
    }
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<DecisionPage> {
    user.require(Permission::ViewFunding)?;
    let province = &user.0.province_code;
    let decision = db::funding::decision(&state.db, province, id).await?;
    let db = &state.db;
    let (lines, documents, decisions, sources) = tokio::try_join!(
        db::funding::decision_lines(db, id),
        db::documents::list_for_record(db, RecordOwner::Decision(id)),
        db::funding::decisions(db, province, decision.plan_year),
        db::funding::sources(db),
    )?;
    let amendments = decisions
        .into_iter()
        .filter(|d| d.amends_number.as_deref() == Some(decision.number.as_str()))
        .collect();
    let can_amend = user.may(Permission::DecidePlan);
    let total = lines
        .iter()
        .fold(0_i64, |sum, l| sum.saturating_add(l.approved_support));
    Ok(DecisionPage {
        source: sources.into_iter().find(|s| s.code == decision.source_code),
        ctx,
        decision,
        lines,
        documents,
        amendments,
        total,
        can_amend,
    })
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, doc)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ViewFunding)?;
    let document = db::documents::find_for_record(
        &state.db,
        &user.0.province_code,
        RecordOwner::Decision(id),
        doc,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    upload::download(&state, &document).await
}

/// A line of the amendment form.
struct AmendLine {
    line: ChainLine,
    /// The most it may be given on the amendment's date.
    most: i64,
    /// What was typed (the amount in force at first).
    amount: String,
}

impl AmendLine {
    /// Whether its amount may change here (not yet contracted).
    fn editable(&self) -> bool {
        self.line.state.plan_amendable()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/amend.html")]
struct AmendPage {
    ctx: PageContext,
    decision: Decision,
    figures: EnvelopeFigures,
    lines: Vec<AmendLine>,
    fields: DecisionFields,
    reason: String,
    errors: FieldErrors,
    over_by: Option<i64>,
    file_error: Option<String>,
    file_hint: String,
    accept: &'static str,
}

impl AmendPage {
    fn amount_error(&self, id: &i64) -> Option<&'static str> {
        self.errors.get(&format!("amount_{id}"))
    }
}

/// The limits of a chain line on `on`: what it may be given, and the cap rule's id.
fn line_limits(
    line: &ChainLine,
    caps_in_force: &[crate::domain::caps::SupportCap],
    province: &str,
    on: time::Date,
) -> (LineLimits, Option<i64>) {
    let facts = CapFacts {
        activity_type_code: &line.activity_type_code,
        level: line.level,
        total_cost: line.total_cost,
        beneficiaries: usize::try_from(line.beneficiaries).unwrap_or(1),
        technology_line: line.technology_line,
    };
    let (cap, cap_limit) = cap_for(caps_in_force, province, on, &facts);
    (
        LineLimits {
            requested: line.requested_support,
            proposed: line.proposed_support,
            cap_limit,
        },
        cap.map(|c| c.id),
    )
}

/// The amendment page for `decision`, with what was typed (`amounts` by proposal).
async fn amend_page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    decision: Decision,
    fields: DecisionFields,
    reason: String,
    amounts: &HashMap<i64, String>,
) -> AppResult<AmendPage> {
    let province = &user.0.province_code;
    let on = fields.cap_date();
    let mut conn = state.db.acquire().await?;
    let chain = db::funding::chain_lines(&mut conn, decision.original_id).await?;
    drop(conn);
    let db = &state.db;
    let (envelopes, level_caps) = tokio::try_join!(
        db::funding::envelopes(db, province, decision.plan_year),
        async {
            let level = chain.first().map_or(ProposalLevel::Local, |l| l.level);
            db::rules::caps_in_force_at_level(db, level, province, on).await
        },
    )?;
    let figures = envelopes
        .iter()
        .find(|e| e.source.code == decision.source_code)
        .map(|e| e.figures)
        .unwrap_or_default();
    let lines = chain
        .into_iter()
        .map(|line| {
            let (limits, _) = line_limits(&line, &level_caps, province, on);
            let amount = amounts
                .get(&line.proposal_id)
                .cloned()
                .unwrap_or_else(|| money::format_plain(line.approved_support));
            AmendLine {
                most: limits.most(),
                amount,
                line,
            }
        })
        .collect();
    Ok(AmendPage {
        file_hint: upload::file_hint(ctx.lang, &state.config),
        ctx,
        decision,
        figures,
        lines,
        fields,
        reason,
        errors: FieldErrors::default(),
        over_by: None,
        file_error: None,
        accept: document::ACCEPT,
    })
}

async fn amend_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<AmendPage> {
    user.require(Permission::DecidePlan)?;
    let decision = db::funding::decision(&state.db, &user.0.province_code, id).await?;
    let fields = DecisionFields {
        decided_on: today().to_string(),
        ..DecisionFields::default()
    };
    amend_page(
        &state,
        ctx,
        &user,
        decision,
        fields,
        String::new(),
        &HashMap::new(),
    )
    .await
}

/// What an amending form typed: the decision's fields, the reason and the new amounts by
/// proposal (`amount_{id}`).
struct TypedAmendment {
    fields: DecisionFields,
    reason: String,
    amounts: HashMap<i64, String>,
}

impl TypedAmendment {
    fn of(form: &upload::MultipartForm) -> Self {
        Self {
            fields: DecisionFields::from_form(form),
            reason: form.text("reason").to_owned(),
            amounts: form
                .texts
                .iter()
                .filter_map(|(name, value)| {
                    let id = name.strip_prefix("amount_")?.parse().ok()?;
                    Some((id, value.clone()))
                })
                .collect(),
        }
    }
}

async fn amend(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    request: Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    user.require(Permission::DecidePlan)?;
    let decision = db::funding::decision(&state.db, &user.0.province_code, id).await?;
    let (form, refusal) =
        upload::read_multipart(request, Limits::configured(&state.config, 8 * 1024), "file").await;
    let typed = TypedAmendment::of(&form);
    let (fields, reason) = (typed.fields, typed.reason);
    let page = amend_page(
        &state,
        ctx,
        &user,
        decision.clone(),
        fields,
        reason,
        &typed.amounts,
    );
    let mut page = page.await?;
    let mut errors = FieldErrors::default();
    let valid = page.fields.validate(&mut errors);
    let reason = errors.required("reason", &page.reason, 2000);
    let scan = one_scan(refusal, form.files, page.ctx.lang, &state.config)
        .map_err(|message| page.file_error = Some(message))
        .ok();
    let (Some(valid), Some(scan), true) = (valid, scan, errors.is_empty()) else {
        return Ok(page.refused(errors, None));
    };
    let amendment = (valid, reason, scan);
    save(&state, &user, page, &decision, amendment, &typed.amounts).await
}

/// Records the checked amendment `valid` of `decision`, with its reason, its scan and the
/// `amounts` typed: the chain
/// is locked and checked again in the transaction, and the step writes it; a number taken
/// shows the page again.
async fn save(
    state: &AppState,
    user: &CurrentUser,
    mut page: AmendPage,
    decision: &Decision,
    (valid, reason, scan): (ValidDecision, String, upload::Checked),
    amounts: &HashMap<i64, String>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.db.begin().await?;
    let checked = check_amendment(state, &mut tx, decision, &valid, amounts, &mut errors);
    let (chain, lines, change) = match checked.await? {
        Ok(checked) => checked,
        Err(over_by) => return Ok(page.refused(errors, over_by)),
    };
    let scans = std::slice::from_ref(&scan);
    let (stored, scans) = upload::store_documents(state, scans, "plan_decision", None).await?;
    let amendment = valid.to_record(
        (decision.envelope_id, &decision.province_code),
        Some((decision.id, decision.original_id)),
        &reason,
        user.0.user_id,
    );
    let actor = user.actor();
    let act = Act::now(&actor);
    let decided = (&amendment, &scans[0]);
    let written = workflow::plan::amend(&mut tx, &act, decided, &chain, &lines, change).await;
    let amendment_id = match upload::commit_step(state, tx, &stored, written).await? {
        Ok(id) => id,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
    };
    Ok((
        Flash::success("flash.plan_amended").with(valid.number),
        Redirect::to(&format!("/funding/decisions/{amendment_id}")),
    )
        .into_response())
}

impl AmendPage {
    /// The page again with 422, its mistakes and how far the envelope would be overrun.
    fn refused(mut self, errors: FieldErrors, over_by: Option<i64>) -> Response {
        self.errors = errors;
        self.over_by = over_by;
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}

/// Locks the decision's chain and checks the typed amounts: each changed line against its
/// limits and state, the decision's date, and the envelope. Answers the chain, the lines to
/// write and the change in the approved total; or, with the mistakes in `errors`, how far the
/// envelope would be overrun (`Err(None)` when it is not the envelope).
async fn check_amendment(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    decision: &Decision,
    valid: &super::ValidDecision,
    amounts: &HashMap<i64, String>,
    errors: &mut FieldErrors,
) -> AppResult<Result<(Vec<ChainLine>, Vec<NewLine>, i64), Option<i64>>> {
    let province = &decision.province_code;
    let figures = db::funding::lock_chain(tx, decision.envelope_id, decision.original_id).await?;
    let chain = db::funding::chain_lines(tx, decision.original_id).await?;
    let level = chain.first().map_or(ProposalLevel::Local, |l| l.level);
    let caps = db::rules::caps_in_force_at_level(&state.db, level, province, valid.decided_on);
    let caps = caps.await?;
    let lines = changed_lines(&chain, amounts, &caps, province, valid.decided_on, errors);
    if lines.is_empty() && errors.is_empty() {
        errors.add("lines", "decision.amend.nothing_changed");
    }
    if let Err(problem) =
        funding::check_decision_date(valid.decided_on, Some(decision.decided_on), today())
    {
        errors.add("decided_on", problem.message_key());
    }
    let change = lines.iter().try_fold(0_i64, |sum, l| {
        sum.checked_add(l.approved_support - l.previous_support.unwrap_or(0))
    });
    let over = match change {
        Some(change) => funding::check_fits(figures, change)
            .err()
            .map(|o| o.over_by),
        None => Some(i64::MAX),
    };
    Ok(match change {
        Some(change) if errors.is_empty() && over.is_none() => Ok((chain, lines, change)),
        _ => Err(over),
    })
}

/// The lines whose typed amount differs from the approved one, each checked against its cap
/// and state; a refused amount is a mistake in `errors`, by its field.
fn changed_lines(
    chain: &[ChainLine],
    amounts: &HashMap<i64, String>,
    caps_in_force: &[crate::domain::caps::SupportCap],
    province: &str,
    on: time::Date,
    errors: &mut FieldErrors,
) -> Vec<NewLine> {
    let mut lines = Vec::new();
    for line in chain {
        let field = format!("amount_{}", line.proposal_id);
        let typed = amounts.get(&line.proposal_id).map_or("", String::as_str);
        if typed.trim().is_empty() {
            continue;
        }
        let amount = errors.money(&field, typed);
        if errors.get(&field).is_some() || amount == line.approved_support {
            continue;
        }
        if !line.state.plan_amendable() {
            errors.add(&field, "decision.amend.contracted");
            continue;
        }
        let (limits, cap_id) = line_limits(line, caps_in_force, province, on);
        if let Err(problem) = limits.check(amount) {
            errors.add(&field, problem.message_key());
            continue;
        }
        lines.push(NewLine {
            proposal_id: line.proposal_id,
            approved_support: amount,
            support_cap_id: cap_id,
            cap_limit: limits.cap_limit,
            previous_support: Some(line.approved_support),
        });
    }
    lines
}
