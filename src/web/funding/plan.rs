//! `/funding/plan`: the director builds a plan year's plan for one source of funds from the
//! ranking of appraised proposals (Thông tư 46/2012/TT-BCT Art. 6.3 order): picks proposals,
//! sets each approved support (≤ proposed ≤ requested, ≤ the cap in force on the decision's
//! date, which the line records), sees what is left of the envelope as lines change (a small
//! script; without it, "Recalculate" asks the server), and records the decision — number,
//! date, signer, scanned copy — approving the set in one transaction. Proposals left out may
//! be rejected in the same step with a reason their submitters read.
//!
//! The envelope row is locked first, then the proposals in id order: two directors approving
//! at once are served one after the other, and the second is checked against what the first
//! committed.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use time::Date;

use super::{CapFacts, DecisionFields, ValidDecision, cap_for, one_scan};
use crate::db;
use crate::db::funding::{Candidate, NewLine, Source};
use crate::domain::caps::SupportCap;
use crate::domain::funding::{self, EnvelopeFigures, LineLimits};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::domain::transition::plan_steps;
use crate::domain::{document, input, money};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::appraisals::ranking::{self, Ranked};
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::web::form::plan_year;
use crate::web::today;
use crate::web::upload::{self, Limits, MultipartForm};
use crate::workflow::plan::Decided;
use crate::workflow::{self, Act};

/// Route: `/funding/plan`.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/funding/plan",
        // The page router's 256 KiB body limit is lifted here: the form carries the scan, and
        // `record` applies the configured upload limit itself.
        get(show).post(record).layer(DefaultBodyLimit::disable()),
    )
}

/// Longest text field of the plan form (the reason for those left out).
const MAX_TEXT: usize = 8 * 1024;

#[derive(Debug, Default, Deserialize)]
struct PlanQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    source: String,
}

/// The plan form as typed: the decision's fields and, per proposal, whether it is picked and
/// the amount typed.
#[derive(Clone, Debug, Default)]
struct Typed {
    fields: DecisionFields,
    reject_others: bool,
    reason: String,
    /// Proposal id → typed amount, for the picked ones.
    picked: HashMap<i64, String>,
    /// Proposal id → typed amount, for every line (picked or not: kept when the form returns).
    amounts: HashMap<i64, String>,
}

impl Typed {
    fn from_form(form: &MultipartForm) -> Self {
        let mut amounts = HashMap::new();
        let mut picked = HashMap::new();
        for (name, value) in &form.texts {
            if let Some(id) = name.strip_prefix("amount_").and_then(|i| i.parse().ok()) {
                amounts.insert(id, value.clone());
            }
        }
        for name in form.texts.keys() {
            if let Some(id) = name
                .strip_prefix("pick_")
                .and_then(|i| i.parse::<i64>().ok())
            {
                picked.insert(id, amounts.get(&id).cloned().unwrap_or_default());
            }
        }
        Self {
            fields: DecisionFields::from_form(form),
            reject_others: input::checked(Some(form.text("reject_others"))),
            reason: form.text("reason").to_owned(),
            picked,
            amounts,
        }
    }

    /// Whether the line of `id` is picked and with what amount: as typed when the form comes
    /// back, or on a first visit the most it may get, picked while it fits in what is `left`.
    fn choice(&self, id: i64, most: i64, first_visit: bool, left: &mut i64) -> (bool, String) {
        if !first_visit {
            let amount = self.amounts.get(&id).cloned().unwrap_or_default();
            return (self.picked.contains_key(&id), amount);
        }
        let fits = most > 0 && most <= *left;
        if fits {
            *left -= most;
        }
        (fits, money::format_plain(most))
    }
}

/// A line of the plan: the ranked proposal, what it may be given, and what was typed.
struct PlanLine {
    ranked: Ranked,
    /// The most that may be approved (the lowest of proposed, requested, cap).
    most: i64,
    /// What the cap in force allows, and the rule in words.
    cap_limit: Option<i64>,
    cap_rule: Option<String>,
    picked: bool,
    amount: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/plan.html")]
struct PlanPage {
    ctx: PageContext,
    year: i16,
    source: Source,
    sources: Vec<Source>,
    figures: EnvelopeFigures,
    lines: Vec<PlanLine>,
    typed: Typed,
    /// The picked lines' amounts that read, added up.
    selected_total: i64,
    errors: FieldErrors,
    /// By how much the plan is over what is left.
    over_by: Option<i64>,
    /// Why the plan could not be recorded as it stood (catalogue key).
    conflict: Option<&'static str>,
    file_error: Option<String>,
    file_hint: String,
    accept: &'static str,
}

impl PlanPage {
    /// What is left once the picked lines are approved.
    fn left_after(&self) -> i64 {
        self.figures.remaining().saturating_sub(self.selected_total)
    }

    fn amount_error(&self, id: &i64) -> Option<&'static str> {
        self.errors.get(&format!("amount_{id}"))
    }
}

/// The source `code` names, or a 400 for one no form of ours sends.
fn find_source(sources: &[Source], code: &str) -> AppResult<Source> {
    let code = match code.trim() {
        "" => "local",
        code => code,
    };
    sources
        .iter()
        .find(|s| s.code == code)
        .cloned()
        .ok_or(AppError::BadRequest("error.bad_filter"))
}

/// What each line of a plan is weighed against: the caps in force at the plan's level, in
/// the province, on the decision's day.
struct Weighing<'a> {
    caps: &'a [SupportCap],
    province: &'a str,
    on: Date,
    level: ProposalLevel,
    lang: Lang,
}

impl Weighing<'_> {
    /// The most `ranked` may be approved (the lowest of proposed, requested and cap), what the
    /// cap allows, and the cap's rule in words.
    fn most(&self, ranked: &Ranked) -> (i64, Option<i64>, Option<String>) {
        let row = &ranked.row;
        let facts = CapFacts {
            activity_type_code: &row.activity_type_code,
            level: self.level,
            total_cost: row.total_cost,
            beneficiaries: row.sectors.len(),
            technology_line: row.technology_line,
        };
        let (cap, cap_limit) = cap_for(self.caps, self.province, self.on, &facts);
        let most = LineLimits {
            requested: row.requested_support,
            proposed: row.proposed_support,
            cap_limit,
        }
        .most();
        let rule = cap.map(|c| c.explain(row.technology_line).render(self.lang));
        (most, cap_limit, rule)
    }
}

/// The page for `typed`. A first visit (`typed` empty) picks, in ranking order, the
/// proposals whose most allowed support still fits what is left, at that amount.
async fn build(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    year: i16,
    source: Source,
    typed: Typed,
    first_visit: bool,
) -> AppResult<PlanPage> {
    let province = &user.0.province_code;
    let on = typed.fields.cap_date();
    let db = &state.db;
    let (rows, caps_in_force, sources, envelopes) = tokio::try_join!(
        db::appraisals::ranking(
            db,
            province,
            year,
            source.level,
            plan_steps(source.level).from,
            on
        ),
        db::rules::caps_in_force_at_level(db, source.level, province, on),
        db::funding::sources(db),
        db::funding::envelopes(db, province, year),
    )?;
    let figures = envelopes
        .iter()
        .find(|e| e.source.code == source.code)
        .map(|e| e.figures)
        .unwrap_or_default();
    let mut left = figures.remaining();
    let mut selected_total = 0_i64;
    let weighing = Weighing {
        caps: &caps_in_force,
        province,
        on,
        level: source.level,
        lang: ctx.lang,
    };
    let lines = ranking::rank(rows)
        .into_iter()
        .map(|ranked| {
            let (most, cap_limit, cap_rule) = weighing.most(&ranked);
            let (picked, amount) = typed.choice(ranked.row.id, most, first_visit, &mut left);
            if picked && let Ok(value) = input::money(&amount) {
                selected_total = selected_total.saturating_add(value);
            }
            PlanLine {
                cap_rule,
                cap_limit,
                most,
                picked,
                amount,
                ranked,
            }
        })
        .collect();
    let file_hint = upload::file_hint(ctx.lang, &state.config);
    Ok(PlanPage {
        ctx,
        year,
        source,
        sources,
        figures,
        lines,
        typed,
        selected_total,
        errors: FieldErrors::default(),
        over_by: None,
        conflict: None,
        file_error: None,
        file_hint,
        accept: document::ACCEPT,
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<PlanQuery>,
) -> AppResult<PlanPage> {
    user.require(Permission::DecidePlan)?;
    let year = plan_year(&query.year)?;
    let sources = db::funding::sources(&state.db).await?;
    let source = find_source(&sources, &query.source)?;
    let typed = Typed {
        fields: DecisionFields {
            decided_on: today().to_string(),
            ..DecisionFields::default()
        },
        ..Typed::default()
    };
    build(&state, ctx, &user, year, source, typed, true).await
}

/// The decision's fields, the reason for those left out, and that something is picked.
fn validate_decision(typed: &Typed, errors: &mut FieldErrors) -> Option<(ValidDecision, String)> {
    let valid = typed.fields.validate(errors);
    let reason = if typed.reject_others {
        errors.required("reason", &typed.reason, 2000)
    } else {
        String::new()
    };
    if typed.picked.is_empty() {
        errors.add("picked", "plan.none_picked");
    }
    Some((valid?, reason))
}

/// The form back, with `status`.
fn refused(page: PlanPage, status: StatusCode) -> AppResult<Response> {
    Ok((status, page).into_response())
}

async fn record(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<PlanQuery>,
    request: Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    user.require(Permission::DecidePlan)?;
    let (form, refusal) =
        upload::read_multipart(request, Limits::configured(&state.config, MAX_TEXT), "file").await;
    let year = match form.text("year") {
        "" => plan_year(&query.year)?,
        typed => plan_year(typed)?,
    };
    let sources = db::funding::sources(&state.db).await?;
    let source = find_source(&sources, form.text("source"))?;
    let typed = Typed::from_form(&form);
    let mut page = build(&state, ctx, &user, year, source.clone(), typed, false).await?;
    if form.texts.contains_key("recalculate") {
        return Ok(page.into_response());
    }
    let mut errors = FieldErrors::default();
    let valid = validate_decision(&page.typed, &mut errors);
    let scan = one_scan(refusal, form.files, page.ctx.lang, &state.config)
        .map_err(|message| page.file_error = Some(message))
        .ok();
    let (Some((valid, reason)), Some(scan), true) = (valid, scan, errors.is_empty()) else {
        return page.refused_with(errors, None);
    };
    save(&state, &user, page, (year, source), valid, (&reason, scan)).await
}

/// Records the checked decision `valid` with its `reason` for those left out and its scan:
/// the set is locked and checked again in the transaction, and the step writes it; a set
/// changed meanwhile or a number taken shows the page again.
async fn save(
    state: &AppState,
    user: &CurrentUser,
    mut page: PlanPage,
    (year, source): (i16, Source),
    valid: ValidDecision,
    (reason, scan): (&str, upload::Checked),
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let province = user.0.province_code.clone();
    let mut tx = state.db.begin().await?;
    let at = (province.as_str(), year, &source);
    let checked = check_plan(
        state,
        &mut tx,
        at,
        &page.typed,
        valid.decided_on,
        &mut errors,
    );
    let (set, lines, total) = match checked.await? {
        Ok(checked) => checked,
        Err(PlanRefusal::Changed) => {
            drop(tx);
            let ctx = page.ctx.clone();
            let mut page = build(state, ctx, user, year, source, page.typed, false).await?;
            page.conflict = Some("plan.changed");
            return refused(page, StatusCode::CONFLICT);
        }
        Err(PlanRefusal::Mistakes { over_by }) => return page.refused_with(errors, over_by),
    };
    let scans = std::slice::from_ref(&scan);
    let (stored, scans) = upload::store_documents(state, scans, "plan_decision", None).await?;
    let decided = Decided {
        decision: &valid.to_record((set.envelope_id, &province), None, "", user.0.user_id),
        scan: &scans[0],
        lines: &lines,
        others: &set.others,
        reason,
        steps: plan_steps(source.level),
        total,
    };
    let actor = user.actor();
    let written = workflow::plan::decide(&mut tx, &Act::now(&actor), &decided).await;
    let decision_id = match upload::commit_step(state, tx, &stored, written).await? {
        Ok(id) => id,
        Err(errors) => {
            page.errors = errors;
            return refused(page, StatusCode::CONFLICT);
        }
    };
    Ok((
        Flash::success("flash.plan_recorded").with(valid.number),
        Redirect::to(&format!("/funding/decisions/{decision_id}")),
    )
        .into_response())
}

impl PlanPage {
    /// The page again with 422, its mistakes and how far the envelope would be overrun.
    fn refused_with(mut self, errors: FieldErrors, over_by: Option<i64>) -> AppResult<Response> {
        self.errors = errors;
        self.over_by = over_by;
        refused(self, StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// Why a plan is not written as typed.
enum PlanRefusal {
    /// A picked candidate was decided meanwhile.
    Changed,
    /// The form's mistakes (in the caller's `errors`), and how far the envelope would be
    /// overrun.
    Mistakes { over_by: Option<i64> },
}

/// Locks the set the plan acts on and checks each picked amount against its limits on the
/// decision's day, and the total against the envelope. Answers the set, its lines and their
/// total, or why not (the mistakes in `errors`).
async fn check_plan(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    (province, year, source): (&str, i16, &Source),
    typed: &Typed,
    decided_on: time::Date,
    errors: &mut FieldErrors,
) -> AppResult<Result<(LockedSet, Vec<NewLine>, i64), PlanRefusal>> {
    let Some(set) = lock_set(tx, state, (province, year, source), typed).await? else {
        return Ok(Err(PlanRefusal::Changed));
    };
    let caps = db::rules::caps_in_force_at_level(&state.db, source.level, province, decided_on);
    let caps_in_force = caps.await?;
    let on = (&caps_in_force[..], province, decided_on);
    let (lines, total) = checked_lines(&set, &typed.picked, on, errors);
    Ok(match (total, errors.is_empty()) {
        (Ok(total), true) => Ok((set, lines, total)),
        (total, _) => Err(PlanRefusal::Mistakes {
            over_by: total.err(),
        }),
    })
}

/// The picked candidates' lines of `set`, each amount typed checked against its limits on
/// the decision's day (`caps` in force in `province` on `on`), the day against their
/// appraisals; with their total, or by how much it overruns the envelope.
fn checked_lines(
    set: &LockedSet,
    picked: &HashMap<i64, String>,
    (caps, province, on): (&[SupportCap], &str, Date),
    errors: &mut FieldErrors,
) -> (Vec<NewLine>, Result<i64, i64>) {
    let mut lines = Vec::with_capacity(picked.len());
    let mut latest_appraisal: Option<Date> = None;
    for c in set.candidates.iter().filter(|c| picked.contains_key(&c.id)) {
        let field = format!("amount_{}", c.id);
        let amount = errors.money(&field, picked.get(&c.id).map_or("", String::as_str));
        let facts = CapFacts {
            activity_type_code: &c.activity_type_code,
            level: c.level,
            total_cost: c.total_cost,
            beneficiaries: usize::try_from(c.beneficiaries).unwrap_or(1),
            technology_line: c.technology_line,
        };
        let (cap, cap_limit) = cap_for(caps, province, on, &facts);
        let limits = LineLimits {
            requested: c.requested_support,
            proposed: c.proposed_support,
            cap_limit,
        };
        if errors.get(&field).is_none()
            && let Err(problem) = limits.check(amount)
        {
            errors.add(&field, problem.message_key());
        }
        latest_appraisal = latest_appraisal.max(c.appraised_on);
        lines.push(NewLine {
            proposal_id: c.id,
            approved_support: amount,
            support_cap_id: cap.map(|c| c.id),
            cap_limit,
            previous_support: None,
        });
    }
    if let Err(problem) = funding::check_decision_date(on, latest_appraisal, today()) {
        errors.add("decided_on", problem.message_key());
    }
    let total = funding::total(lines.iter().map(|l| l.approved_support));
    let fits = match total {
        Some(total) => funding::check_fits(set.figures, total)
            .map(|()| total)
            .map_err(|o| o.over_by),
        None => Err(i64::MAX),
    };
    (lines, fits)
}

/// The set a decision acts on, locked: its envelope and what is left in it, the candidates
/// picked and those left out.
struct LockedSet {
    envelope_id: i64,
    figures: EnvelopeFigures,
    /// Those left out (when the form says so): the other candidates of the year and level.
    others: Vec<i64>,
    /// The picked and the left out, as locked.
    candidates: Vec<Candidate>,
}

/// Locks the envelope of `source` for `year` in `province` and the proposals `typed` picks
/// (and leaves out); `None` when one of them is no longer a candidate (decided meanwhile).
async fn lock_set(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    (province, year, source): (&str, i16, &Source),
    typed: &Typed,
) -> AppResult<Option<LockedSet>> {
    let steps = plan_steps(source.level);
    let (envelope_id, figures) =
        db::funding::lock_envelope(tx, province, year, &source.code).await?;
    let others: Vec<i64> = if typed.reject_others {
        db::funding::candidate_ids(&state.db, province, year, source.level, steps.from)
            .await?
            .into_iter()
            .filter(|id| !typed.picked.contains_key(id))
            .collect()
    } else {
        Vec::new()
    };
    let all_ids: Vec<i64> = typed.picked.keys().chain(&others).copied().collect();
    let candidates = db::funding::lock_candidates(tx, province, &all_ids).await?;
    let still_open =
        |c: &Candidate| c.state == steps.from && c.plan_year == year && c.level == source.level;
    if candidates.len() != all_ids.len() || !candidates.iter().all(still_open) {
        return Ok(None);
    }
    Ok(Some(LockedSet {
        envelope_id,
        figures,
        others,
        candidates,
    }))
}
