//! `/funding/national`: appraised national proposals are forwarded to the Ministry in a
//! dispatch (number, date, note, scan) before the registration deadline of the rule in force
//! (20 June of the year before the plan year by default), which the page shows and warns
//! about. The Ministry's decision is recorded later on the plan's page for the national
//! source, from the forwarded proposals (`transition::plan_steps`).

use std::collections::HashSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use time::Date;

use super::{YearQuery, one_scan};
use crate::db;
use crate::db::appraisals::RankingRow;
use crate::db::documents::RecordOwner;
use crate::db::national::{Forwarding, NewForwarding};
use crate::domain::funding::{self, DeadlineRule};
use crate::domain::policy::Permission;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::{document, input};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::web::form::plan_year;
use crate::web::today;
use crate::web::upload::{self, Limits, MultipartForm};
use crate::workflow::{self, Act};

/// Routes under `/funding/national`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/funding/national",
            // The form carries the scan: `forward` applies the configured upload limit itself.
            get(show).post(forward).layer(DefaultBodyLimit::disable()),
        )
        .route("/funding/national/{id}/documents/{doc}", get(download))
}

/// The dispatch form as typed.
#[derive(Clone, Debug, Default)]
struct Typed {
    dispatch_number: String,
    forwarded_on: String,
    note: String,
    picked: HashSet<i64>,
}

impl Typed {
    fn from_form(form: &MultipartForm) -> Self {
        Self {
            dispatch_number: form.text("dispatch_number").to_owned(),
            forwarded_on: form.text("forwarded_on").to_owned(),
            note: form.text("note").to_owned(),
            picked: form
                .texts
                .keys()
                .filter_map(|name| name.strip_prefix("pick_")?.parse().ok())
                .collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/national.html")]
struct NationalPage {
    ctx: PageContext,
    year: i16,
    deadline: Option<Date>,
    legal_ref: String,
    /// Days to the deadline (negative: days late).
    days_left: Option<i64>,
    pending: Vec<RankingRow>,
    forwardings: Vec<Forwarding>,
    may_forward: bool,
    typed: Typed,
    errors: FieldErrors,
    file_error: Option<String>,
    file_hint: String,
    accept: &'static str,
}

impl NationalPage {
    fn picked(&self, id: &i64) -> bool {
        self.typed.picked.contains(id)
    }
}

async fn page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    year: i16,
    typed: Typed,
) -> AppResult<NationalPage> {
    let province = &user.0.province_code;
    let db = &state.db;
    let (rule, pending, forwardings) = tokio::try_join!(
        db::national::deadline_rule(db, province, today()),
        db::appraisals::ranking(
            db,
            province,
            year,
            ProposalLevel::National,
            ProposalState::Appraised,
            today(),
        ),
        db::national::forwardings(db, province, year),
    )?;
    let (deadline, legal_ref) = match rule {
        Some((rule, legal_ref)) => (rule.deadline(year), legal_ref),
        None => (DEFAULT_RULE.deadline(year), String::new()),
    };
    Ok(NationalPage {
        days_left: deadline.map(|d| funding::days_left(d, today())),
        may_forward: user.may(Permission::DecidePlan),
        file_hint: upload::file_hint(ctx.lang, &state.config),
        ctx,
        year,
        deadline,
        legal_ref,
        pending,
        forwardings,
        typed,
        errors: FieldErrors::default(),
        file_error: None,
        accept: document::ACCEPT,
    })
}

/// Without a rule row: 20 June of the year before the plan year.
const DEFAULT_RULE: DeadlineRule = DeadlineRule {
    month: 6,
    day: 20,
    year_offset: -1,
};

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
) -> AppResult<NationalPage> {
    user.require(Permission::ViewFunding)?;
    let year = plan_year(&query.year)?;
    let typed = Typed {
        forwarded_on: today().to_string(),
        ..Typed::default()
    };
    page(&state, ctx, &user, year, typed).await
}

async fn forward(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
    request: Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    user.require(Permission::DecidePlan)?;
    let (form, refusal) =
        upload::read_multipart(request, Limits::configured(&state.config, 2048), "file").await;
    let year = plan_year(match form.text("year") {
        "" => &query.year,
        year => year,
    })?;
    let typed = Typed::from_form(&form);
    let mut page = page(&state, ctx, &user, year, typed).await?;
    let mut errors = FieldErrors::default();
    let checked = page.typed.check(&mut errors);
    let scan = one_scan(refusal, form.files, page.ctx.lang, &state.config)
        .map_err(|message| page.file_error = Some(message))
        .ok();
    let (Some((number, forwarded_on, note)), Some(scan), true) = (checked, scan, errors.is_empty())
    else {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let ids: Vec<i64> = page.typed.picked.iter().copied().collect();
    let scans = std::slice::from_ref(&scan);
    let (stored, scans) = upload::store_documents(&state, scans, "ministry_dispatch", None).await?;
    let forwarding = NewForwarding {
        province_code: &user.0.province_code,
        plan_year: year,
        dispatch_number: &number,
        forwarded_on,
        note: &note,
        recorded_by: user.0.user_id,
    };
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let act = Act::now(&actor);
    let written = workflow::plan::forward(&mut tx, &act, &forwarding, &scans[0], &ids).await;
    if let Err(errors) = upload::commit_step(&state, tx, &stored, written).await? {
        page.errors = errors;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    Ok((
        Flash::success("flash.forwarded").with(number),
        Redirect::to(&format!("/funding/national?year={year}")),
    )
        .into_response())
}

impl Typed {
    /// The dispatch's number, day and note, checked, or `None` with the mistakes in
    /// `errors`; at least one proposal must be picked.
    fn check(&self, errors: &mut FieldErrors) -> Option<(String, Date, String)> {
        let number = errors.required("dispatch_number", &self.dispatch_number, 100);
        let note = errors.text("note", &self.note, 2000);
        let forwarded_on = match errors.check("forwarded_on", input::date(&self.forwarded_on)) {
            Some(Some(date)) if date > today() => {
                errors.add("forwarded_on", "funding.date_in_future");
                None
            }
            Some(Some(date)) => Some(date),
            Some(None) => {
                errors.add("forwarded_on", "input.required");
                None
            }
            None => None,
        };
        if self.picked.is_empty() {
            errors.add("picked", "plan.none_picked");
        }
        Some((number, forwarded_on?, note))
    }
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path((id, doc)): axum::extract::Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ViewFunding)?;
    let document = db::documents::find_for_record(
        &state.db,
        &user.0.province_code,
        RecordOwner::Forwarding(id),
        doc,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    upload::download(&state, &document).await
}
