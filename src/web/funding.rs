//! Funding under `/funding` (PRODUCT.md §5, DOMAIN.md §4.1, §4.5): each source's envelope for
//! a plan year with its allocation rounds and what is approved, contracted and left (this
//! module); the year's plan built from the ranking and approved in one decision (`plan`); a
//! decision's page, its scan and its amendments (`decision`).
//!
//! Who may do what: `Permission::ViewFunding` to read, `ManageEnvelopes` to record a round,
//! `DecidePlan` to record a decision or amend one. Every figure is read from the records
//! (envelope rows kept by the same transactions that write the lines), never typed.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::Date;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::{FieldErrors, plan_year};
use super::today;
use super::upload::{self, MultipartForm};
use crate::db;
use crate::db::funding::{DecisionSummary, EnvelopeRow, NewDecision, NewRound, Round, Source};
use crate::domain::caps::{self, CostBasis, SupportCap};
use crate::domain::funding;
use crate::domain::input;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::error::AppResult;
use crate::state::AppState;

mod annex;
mod commitments;
mod decision;
mod national;
mod plan;

/// Every route under `/funding`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/funding", get(overview))
        .route("/funding/rounds", post(add_round))
        .merge(plan::router())
        .merge(decision::router())
        .merge(annex::router())
        .merge(commitments::router())
        .merge(national::router())
}

/// What decides a proposal's cap.
struct CapFacts<'a> {
    activity_type_code: &'a str,
    level: ProposalLevel,
    total_cost: i64,
    beneficiaries: usize,
    technology_line: bool,
}

/// The cap rule in force for a proposal on `on` (of `caps_in_force`), and what it allows.
fn cap_for<'c>(
    caps_in_force: &'c [SupportCap],
    province_code: &str,
    on: Date,
    facts: &CapFacts<'_>,
) -> (Option<&'c SupportCap>, Option<i64>) {
    let cap = caps::cap_in_force(
        caps_in_force,
        facts.activity_type_code,
        facts.level,
        province_code,
        on,
    )
    .ok();
    let limit = cap.and_then(|cap| {
        let basis = CostBasis::for_proposal(
            &cap.rule,
            facts.total_cost,
            facts.beneficiaries,
            facts.technology_line,
        );
        caps::max_support(&cap.rule, &basis).ok().map(|l| l.limit)
    });
    (cap, limit)
}

/// A decision's own fields as typed: number, date, signer.
#[derive(Clone, Debug, Default)]
struct DecisionFields {
    number: String,
    decided_on: String,
    signer: String,
}

/// A decision's own fields, checked.
struct ValidDecision {
    number: String,
    decided_on: Date,
    signer: String,
}

impl DecisionFields {
    fn from_form(form: &MultipartForm) -> Self {
        Self {
            number: form.text("number").to_owned(),
            decided_on: form.text("decided_on").to_owned(),
            signer: form.text("signer").to_owned(),
        }
    }

    /// The date the caps are read on: the typed one when it reads, else today.
    fn cap_date(&self) -> Date {
        input::date(&self.decided_on)
            .ok()
            .flatten()
            .unwrap_or_else(today)
    }

    /// The checked fields, or `None` with the mistakes in `errors`.
    fn validate(&self, errors: &mut FieldErrors) -> Option<ValidDecision> {
        let number = errors.required("number", &self.number, 100);
        let decided_on = match errors.check("decided_on", input::date(&self.decided_on)) {
            Some(Some(date)) => Some(date),
            Some(None) => {
                errors.add("decided_on", "input.required");
                None
            }
            None => None,
        };
        let signer = errors.required("signer", &self.signer, 200);
        Some(ValidDecision {
            number,
            decided_on: decided_on?,
            signer,
        })
    }
}

impl ValidDecision {
    /// The decision to record: on `envelope_id` of `province_code`, amending `amends` (the
    /// decision and its chain's original) for `reason`, recorded by `by`.
    fn to_record<'a>(
        &'a self,
        (envelope_id, province_code): (i64, &'a str),
        amends: Option<(i64, i64)>,
        reason: &'a str,
        by: i64,
    ) -> NewDecision<'a> {
        NewDecision {
            envelope_id,
            province_code,
            number: &self.number,
            decided_on: self.decided_on,
            signer: &self.signer,
            amends,
            reason,
            recorded_by: by,
        }
    }
}

/// The one scanned decision a form must carry, checked; or what to tell the user.
fn one_scan(
    refusal: Option<upload::UploadError>,
    files: Vec<upload::Received>,
    lang: crate::i18n::Lang,
    config: &crate::config::Config,
) -> Result<upload::Checked, String> {
    match refusal.map_or_else(|| upload::check_files(files), Err) {
        Ok(mut checked) if checked.len() == 1 => Ok(checked.remove(0)),
        Ok(_) => Err(crate::i18n::t(lang, "plan.one_scan").to_owned()),
        Err(error) => Err(error.message(lang, config)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: String,
}

/// The allocation round form, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
struct RoundForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    source: String,
    /// `allocate` (default) or `cut`.
    #[serde(default)]
    direction: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/overview.html")]
struct OverviewPage {
    ctx: PageContext,
    year: i16,
    envelopes: Vec<EnvelopeRow>,
    rounds: Vec<Round>,
    decisions: Vec<DecisionSummary>,
    sources: Vec<Source>,
    can_manage: bool,
    can_decide: bool,
    form: RoundForm,
    errors: FieldErrors,
}

impl OverviewPage {
    async fn new(
        state: &AppState,
        ctx: PageContext,
        user: &CurrentUser,
        year: i16,
        form: RoundForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let province = &user.0.province_code;
        let db = &state.db;
        let (envelopes, rounds, decisions, sources) = tokio::try_join!(
            db::funding::envelopes(db, province, year),
            db::funding::rounds(db, province, year),
            db::funding::decisions(db, province, year),
            db::funding::sources(db),
        )?;
        Ok(Self {
            can_manage: user.may(Permission::ManageEnvelopes),
            can_decide: user.may(Permission::DecidePlan),
            ctx,
            year,
            envelopes,
            rounds,
            decisions,
            sources,
            form,
            errors,
        })
    }

    /// A source's name in the page's language.
    fn source_name(&self, code: &str) -> String {
        self.sources.iter().find(|s| s.code == code).map_or_else(
            || code.to_owned(),
            |s| self.ctx.localised(&s.name_vi, &s.name_en).to_owned(),
        )
    }

    /// The sum of one figure over every source.
    fn sum(&self, figure: fn(&EnvelopeRow) -> i64) -> i64 {
        self.envelopes
            .iter()
            .fold(0_i64, |sum, e| sum.saturating_add(figure(e)))
    }

    fn total_amount(&self) -> i64 {
        self.sum(|e| e.figures.amount)
    }

    fn total_committed(&self) -> i64 {
        self.sum(|e| e.figures.committed)
    }

    fn total_contracted(&self) -> i64 {
        self.sum(|e| e.contracted)
    }

    fn total_advanced(&self) -> i64 {
        self.sum(|e| e.advanced)
    }

    fn total_paid(&self) -> i64 {
        self.sum(|e| e.paid)
    }

    fn total_remaining(&self) -> i64 {
        self.sum(|e| e.figures.remaining())
    }
}

async fn overview(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
) -> AppResult<OverviewPage> {
    user.require(Permission::ViewFunding)?;
    let year = plan_year(&query.year)?;
    let form = RoundForm {
        year: year.to_string(),
        decided_on: today().to_string(),
        ..RoundForm::default()
    };
    OverviewPage::new(&state, ctx, &user, year, form, FieldErrors::default()).await
}

/// A round that passed the form's checks.
struct ValidRound {
    source_code: String,
    amount: i64,
    decided_on: time::Date,
    reference: String,
    note: String,
}

fn validate_round(form: &RoundForm, sources: &[Source]) -> Result<ValidRound, FieldErrors> {
    let mut errors = FieldErrors::default();
    let source_code = form.source.trim().to_owned();
    if !sources.iter().any(|s| s.code == source_code) {
        errors.add("source", "input.required");
    }
    let typed = form.amount.trim();
    let amount = if typed.is_empty() {
        errors.add("amount", "input.required");
        0
    } else {
        errors.money("amount", typed)
    };
    let amount = if form.direction == "cut" {
        -amount
    } else {
        amount
    };
    let decided_on = errors
        .check("decided_on", input::date(&form.decided_on))
        .flatten();
    if decided_on.is_none() && errors.get("decided_on").is_none() {
        errors.add("decided_on", "input.required");
    }
    if decided_on.is_some_and(|d| d > today()) {
        errors.add("decided_on", "funding.date_in_future");
    }
    let reference = errors.required("reference", &form.reference, 200);
    let note = errors.text("note", &form.note, 2000);
    match decided_on {
        Some(decided_on) if errors.is_empty() => Ok(ValidRound {
            source_code,
            amount,
            decided_on,
            reference,
            note,
        }),
        _ => Err(errors),
    }
}

/// The overview again with the round form's values and what is wrong with them.
async fn round_refused(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    year: i16,
    form: RoundForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = OverviewPage::new(state, ctx, user, year, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn add_round(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<RoundForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageEnvelopes)?;
    let year = plan_year(&form.year)?;
    let sources = db::funding::sources(&state.db).await?;
    let valid = match validate_round(&form, &sources) {
        Ok(valid) => valid,
        Err(errors) => return round_refused(&state, ctx, &user, year, form, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let (envelope_id, figures) =
        db::funding::lock_envelope(&mut tx, &user.0.province_code, year, &valid.source_code)
            .await?;
    let new_total = match funding::apply_round(figures, valid.amount) {
        Ok(total) => total,
        Err(problem) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add("amount", problem.message_key());
            return round_refused(&state, ctx, &user, year, form, errors).await;
        }
    };
    db::funding::insert_round(
        &mut tx,
        &NewRound {
            envelope_id,
            amount: valid.amount,
            new_total,
            decided_on: valid.decided_on,
            reference: &valid.reference,
            note: &valid.note,
            recorded_by: user.0.user_id,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        envelope.id = envelope_id,
        amount = valid.amount,
        user.id = user.0.user_id,
        "allocation round recorded"
    );
    Ok((
        Flash::success("flash.round_recorded"),
        Redirect::to(&format!("/funding?year={year}")),
    )
        .into_response())
}
