//! Monthly progress reports (DOMAIN.md §4.7): `/proposals/{id}/progress` lists a proposal's
//! reports with their photos and, while it is carried out, takes this month's report (or a
//! missed month's) from the implementing side; `/progress` lists the proposals being carried
//! out, those whose report is missing first. The due day is the rule in force (`progress_rules`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use time::Date;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::pagination::{PageQuery, Pager};
use super::today;
use super::upload::{self, Checked, Limits, UploadError};
use crate::db;
use crate::db::progress::{InProgressRow, ReportRow};
use crate::db::proposals::Basis;
use crate::domain::input;
use crate::domain::policy::Permission;
use crate::domain::progress::{self, Report, ReportingRule};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::state::AppState;
use crate::workflow::{Act, Subject, monitoring};

/// Longest "work done".
const WORK_MAX: usize = 5000;

/// Routes of progress reporting.
pub fn router() -> Router<AppState> {
    Router::new().route("/progress", get(monitoring)).route(
        "/proposals/{id}/progress",
        // `report` applies the configured upload limits itself, while reading.
        get(show).post(report).layer(DefaultBodyLimit::disable()),
    )
}

/// The report form as typed.
#[derive(Clone, Debug, Default)]
struct ReportForm {
    /// `YYYY-MM`.
    month: String,
    percent_done: String,
    spending: String,
    work_done: String,
}

impl ReportForm {
    /// The report the form enters and what was done; the fields' errors if not.
    fn report(&self) -> Result<(Report, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let month = parse_month(&self.month);
        if month.is_none() {
            errors.add("month", "progress.month_invalid");
        }
        let percent_done = errors
            .check("percent_done", input::whole(&self.percent_done, 0, 100))
            .and_then(|p| u8::try_from(p).ok());
        if self.percent_done.trim().is_empty() {
            errors.add("percent_done", "input.required");
        }
        let spending = errors.money("spending", &self.spending);
        let work_done = errors.required("work_done", &self.work_done, WORK_MAX);
        match (month, percent_done) {
            (Some(month), Some(percent_done)) if errors.is_empty() => {
                let report = Report {
                    month,
                    percent_done,
                    spending,
                };
                Ok((report, work_done))
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/show.html")]
struct ProgressPage {
    ctx: PageContext,
    basis: Basis,
    reports: Vec<ReportRow>,
    may_report: bool,
    form: ReportForm,
    errors: FieldErrors,
    file_error: Option<String>,
    /// The month whose report is due now, and the day it is late from.
    due: Option<(Date, Date)>,
    overdue: bool,
}

impl ProgressPage {}

/// What the page needs besides the form: the proposal, its reports and when they are due.
async fn load(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
) -> AppResult<ProgressPage> {
    user.require(Permission::ViewProposals)?;
    let basis = db::proposals::basis(&state.db, &user.scope(), id).await?;
    let reports = db::progress::reports(&state.db, id).await?;
    let started = db::progress::started_on(&state.db, id).await?;
    let rule = db::progress::rule(&state.db, &basis.province_code, today()).await?;
    let carried_out = basis.state.is_carried_out();
    let due = started
        .filter(|_| carried_out)
        .and_then(|started| rule.month_due(today(), started))
        .map(|month| (month, rule.late_from(month)));
    let last = reports.first().map(|r| r.month);
    let overdue =
        carried_out && started.is_some_and(|started| rule.is_overdue(today(), started, last));
    Ok(ProgressPage {
        may_report: carried_out && user.may(Permission::ReportProgress),
        form: ReportForm {
            month: month_value(progress::first_of_month(today())),
            ..ReportForm::default()
        },
        ctx,
        basis,
        reports,
        errors: FieldErrors::default(),
        file_error: None,
        due,
        overdue,
    })
}

fn month_value(month: Date) -> String {
    format!("{}-{:02}", month.year(), u8::from(month.month()))
}

/// A month typed as `YYYY-MM` (a month field) or `MM/YYYY`: its first day.
fn parse_month(value: &str) -> Option<Date> {
    let value = value.trim();
    let (year, month) = match value.split_once('-') {
        Some((year, month)) => (year, month),
        None => {
            let (month, year) = value.split_once('/')?;
            (year, month)
        }
    };
    let year: i32 = year.trim().parse().ok()?;
    let month: u8 = month.trim().parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, 1).ok()
}

/// `GET /proposals/{id}/progress`.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ProgressPage> {
    load(&state, ctx, &user, id).await
}

/// The photos of a report: none, or JPEG and PNG files that passed the checks.
fn photos(
    files: Vec<upload::Received>,
    refusal: Option<UploadError>,
    state: &AppState,
    lang: i18n::Lang,
) -> Result<Vec<Checked>, String> {
    let checked = upload::optional_files(files, refusal, lang, &state.config)?;
    upload::only_photos(&checked, lang)?;
    Ok(checked)
}

/// `POST /proposals/{id}/progress`: a month's report with its photos.
async fn report(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    request: Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    user.require(Permission::ReportProgress)?;
    let mut page = load(&state, ctx, &user, id).await?;
    if !page.may_report {
        return Err(AppError::Conflict("progress.not_in_progress"));
    }
    let (form, refusal) = upload::read_multipart(
        request,
        Limits::configured(&state.config, WORK_MAX * 4),
        "photos",
    )
    .await;
    page.form = ReportForm {
        month: form.text("month").to_owned(),
        percent_done: form.text("percent_done").to_owned(),
        spending: form.text("spending").to_owned(),
        work_done: form.text("work_done").to_owned(),
    };
    let parsed = page.form.report();
    let photos = photos(form.files, refusal, &state, page.ctx.lang);
    let (report, work_done, photos) = match (parsed, photos) {
        (Ok((report, work_done)), Ok(photos)) => (report, work_done, photos),
        (parsed, photos) => {
            page.errors = parsed.err().unwrap_or_default();
            page.file_error = photos.err();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    save(&state, page, &user, (report, &work_done), &photos).await
}

/// Stores the photos and takes the step; a refusal shows the page again and keeps no file.
async fn save(
    state: &AppState,
    mut page: ProgressPage,
    user: &CurrentUser,
    (report, work_done): (Report, &str),
    photos: &[Checked],
) -> AppResult<Response> {
    let id = page.basis.id;
    let (stored, documents) =
        upload::store_documents(state, photos, "progress_photo", None).await?;
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let mut tx = state.db.begin().await?;
    let act = Act::now(&actor);
    let taken = monitoring::report_progress(&mut tx, &act, &subject, report, work_done, &documents);
    let taken = taken.await;
    if let Err(errors) = upload::commit_step(state, tx, &stored, taken).await? {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok((
        Flash::success("flash.progress_reported").with(format!("{}%", report.percent_done)),
        Redirect::to(&format!("/proposals/{id}/progress")),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/list.html")]
struct MonitoringPage {
    ctx: PageContext,
    rows: Vec<InProgressRow>,
    pager: Pager,
    overdue: i64,
    /// The month whose report is due now, and the day it is late from.
    due: Option<(Date, Date)>,
}

impl MonitoringPage {}

#[derive(Debug, Default, Deserialize)]
struct MonitoringQuery {
    #[serde(flatten)]
    page: PageQuery,
}

/// `GET /progress`: the proposals being carried out in the user's scope.
async fn monitoring(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<MonitoringQuery>,
) -> AppResult<MonitoringPage> {
    user.require(Permission::ViewProposals)?;
    let rule: ReportingRule = db::progress::rule(&state.db, &user.0.province_code, today()).await?;
    // Whatever the start, the month due now is the latest one whose due day has come.
    let month = rule.month_due(today(), Date::MIN);
    let late_from = month.map(|m| rule.late_from(m));
    let (limit, offset) = query.page.limit_offset();
    let (rows, total, overdue) =
        db::progress::in_progress(&state.db, &user.scope(), month, late_from, limit, offset)
            .await?;
    Ok(MonitoringPage {
        ctx,
        rows,
        pager: Pager::new(&query.page, total),
        overdue,
        due: month.zip(late_from),
    })
}
