//! `/appraisals`: the calendar of visits (month, week, or a list) and, for the Centre, the
//! queue of accepted proposals from which a visit is planned; `/appraisals/visits/new`:
//! planning a visit (date, team, proposals) in one step.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::{Form, Query};
use serde::Deserialize;
use time::{Date, Duration};

use super::today;
use super::visit::visit_date;
use crate::db;
use crate::db::proposals::{ProposalFilters, ProposalSummary};
use crate::db::visits::{TeamCandidate, VisitSummary};
use crate::domain::appraisal::VisitPurpose;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::{calendar, format, input};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::Act;
use crate::workflow::appraisal::{self, Slot, VisitPlan};

/// Routes: `/appraisals`, `/appraisals/visits/new`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appraisals", get(index))
        .route("/appraisals/visits/new", get(new_form).post(create))
}

/// Most proposals offered in the queue at once (an area's, when filtered).
const QUEUE_LIMIT: i64 = 200;
/// Days a list view covers.
const LIST_DAYS: i64 = 90;
/// Most external members one visit takes.
const MAX_EXTERNALS: usize = 20;

#[derive(Clone, Debug, Default, Deserialize)]
struct CalendarQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    unit: String,
}

/// The calendar's layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Month,
    Week,
    List,
}

impl View {
    fn from_code(code: &str) -> Self {
        match code {
            "week" => Self::Week,
            "list" => Self::List,
            _ => Self::Month,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Week => "week",
            Self::List => "list",
        }
    }
}

/// A day of the calendar grid with its visits.
struct Day {
    date: Date,
    in_month: bool,
    today: bool,
    visits: Vec<VisitSummary>,
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/index.html")]
struct IndexPage {
    ctx: PageContext,
    view: &'static str,
    heading: String,
    weeks: Vec<Vec<Day>>,
    list: Vec<VisitSummary>,
    prev_href: String,
    next_href: String,
    today_href: String,
    view_hrefs: [(&'static str, &'static str, String); 3],
    queue: Vec<ProposalSummary>,
    queue_areas: Vec<db::visits::AreaCount>,
    unit: String,
    may_plan: bool,
    may_rank: bool,
    weekdays: [&'static str; 7],
}

const WEEKDAYS: [&str; 7] = [
    "weekday.mon",
    "weekday.tue",
    "weekday.wed",
    "weekday.thu",
    "weekday.fri",
    "weekday.sat",
    "weekday.sun",
];

fn calendar_href(view: View, date: Date, unit: &str) -> String {
    let mut href = format!("/appraisals?view={}&date={date}", view.code());
    if !unit.is_empty() {
        href.push_str("&unit=");
        href.push_str(&url::form_urlencoded::byte_serialize(unit.as_bytes()).collect::<String>());
    }
    href
}

/// The days a calendar view shows, where its arrows lead and its heading.
struct Span {
    first: Date,
    last: Date,
    prev: Date,
    next: Date,
    heading: String,
}

impl Span {
    fn of(view: View, anchor: Date, vietnamese: bool) -> Self {
        match view {
            View::Month => {
                let weeks = calendar::month_weeks(anchor);
                Self {
                    first: weeks.first().map_or(anchor, |w| w[0]),
                    last: weeks.last().map_or(anchor, |w| w[6]),
                    prev: calendar::shift_month(anchor, -1),
                    next: calendar::shift_month(anchor, 1),
                    heading: calendar::month_label(anchor, vietnamese),
                }
            }
            View::Week => {
                let week = calendar::week_of(anchor);
                Self {
                    first: week[0],
                    last: week[6],
                    prev: week[0] - Duration::days(7),
                    next: week[0] + Duration::days(7),
                    heading: format!("{} – {}", format::date(week[0]), format::date(week[6])),
                }
            }
            View::List => {
                let last = anchor + Duration::days(LIST_DAYS - 1);
                Self {
                    first: anchor,
                    last,
                    prev: anchor - Duration::days(LIST_DAYS),
                    next: anchor + Duration::days(LIST_DAYS),
                    heading: format!("{} – {}", format::date(anchor), format::date(last)),
                }
            }
        }
    }
}

/// The grid of a month or week view, each day with its visits (none for the list).
fn grid(view: View, anchor: Date, today: Date, visits: &[VisitSummary]) -> Vec<Vec<Day>> {
    let weeks = match view {
        View::Month => calendar::month_weeks(anchor),
        View::Week => vec![calendar::week_of(anchor)],
        View::List => Vec::new(),
    };
    weeks
        .iter()
        .map(|week| {
            week.iter()
                .map(|&date| Day {
                    date,
                    in_month: view != View::Month || date.month() == anchor.month(),
                    today: date == today,
                    visits: visits
                        .iter()
                        .filter(|v| v.visit_date == date)
                        .cloned()
                        .collect(),
                })
                .collect()
        })
        .collect()
}

async fn index(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<CalendarQuery>,
) -> AppResult<IndexPage> {
    user.require(Permission::ViewVisits)?;
    let view = View::from_code(&query.view);
    let today = today();
    let anchor = input::date(&query.date).ok().flatten().unwrap_or(today);
    let span = Span::of(view, anchor, ctx.lang == crate::i18n::Lang::Vi);
    let may_plan = user.require(Permission::PlanVisits).is_ok();
    let scope = user.scope();
    let visits = db::visits::list(&state.db, &scope, user.0.user_id, span.first, span.last);
    // The Centre also sees the queue; its statements run beside the calendar's.
    let (visits, queue, queue_areas) = if may_plan {
        let filters = ProposalFilters {
            state: Some(ProposalState::Accepted),
            unit_id: query.unit.trim().parse().ok(),
            sort: "code".into(),
            ..ProposalFilters::default()
        };
        tokio::try_join!(
            visits,
            db::proposals::list(&state.db, &scope, &filters, QUEUE_LIMIT, 0),
            db::visits::accepted_areas(&state.db, &scope),
        )?
    } else {
        (visits.await?, Vec::new(), Vec::new())
    };
    let unit = query.unit.trim().to_owned();
    let href = |view, date| calendar_href(view, date, &unit);
    Ok(IndexPage {
        view: view.code(),
        weeks: grid(view, anchor, today, &visits),
        list: if view == View::List {
            visits
        } else {
            Vec::new()
        },
        prev_href: href(view, span.prev),
        next_href: href(view, span.next),
        today_href: href(view, today),
        view_hrefs: [
            ("month", "calendar.month", href(View::Month, anchor)),
            ("week", "calendar.week", href(View::Week, anchor)),
            ("list", "calendar.list", href(View::List, anchor)),
        ],
        heading: span.heading,
        queue,
        queue_areas,
        unit,
        may_plan,
        may_rank: user.require(Permission::ViewRanking).is_ok(),
        weekdays: WEEKDAYS,
        ctx,
    })
}

// ---------------------------------------------------------------- planning a visit

/// The planning form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
struct VisitForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    visit_date: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    leader_id: String,
    #[serde(default)]
    member_ids: Vec<String>,
    #[serde(default)]
    externals: String,
    #[serde(default, alias = "proposal")]
    proposal_ids: Vec<String>,
    #[serde(default)]
    unit: String,
    /// `appraisal` (the default) or `acceptance`.
    #[serde(default)]
    purpose: String,
}

impl VisitForm {
    fn purpose(&self) -> VisitPurpose {
        VisitPurpose::from_code(self.purpose.trim()).unwrap_or_default()
    }

    fn is_acceptance(&self) -> bool {
        self.purpose() == VisitPurpose::Acceptance
    }

    fn chosen(list: &[String], id: i64) -> bool {
        list.iter()
            .any(|v| v.trim().parse::<i64>().ok() == Some(id))
    }

    fn member_chosen(&self, id: &i64) -> bool {
        Self::chosen(&self.member_ids, *id)
    }

    fn proposal_chosen(&self, id: &i64) -> bool {
        Self::chosen(&self.proposal_ids, *id)
    }

    fn leader_is(&self, id: &i64) -> bool {
        self.leader_id.trim().parse::<i64>().ok() == Some(*id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/visit_form.html")]
struct VisitFormPage {
    ctx: PageContext,
    form: VisitForm,
    errors: FieldErrors,
    candidates: Vec<TeamCandidate>,
    queue: Vec<ProposalSummary>,
    /// A proposal that was taken by someone else meanwhile.
    taken: Option<String>,
}

impl VisitFormPage {
    async fn new(
        state: &AppState,
        ctx: PageContext,
        user: &CurrentUser,
        form: VisitForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let filters = ProposalFilters {
            state: Some(form.purpose().queue_state()),
            unit_id: form.unit.trim().parse().ok(),
            sort: "code".into(),
            ..ProposalFilters::default()
        };
        let mut queue =
            db::proposals::list(&state.db, &user.scope(), &filters, QUEUE_LIMIT, 0).await?;
        // Chosen proposals stay on the form even when the area filter would hide them.
        let chosen: Vec<i64> = form
            .proposal_ids
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .filter(|id| !queue.iter().any(|p| p.id == *id))
            .collect();
        if !chosen.is_empty() {
            let all = ProposalFilters {
                state: Some(form.purpose().queue_state()),
                sort: "code".into(),
                ..ProposalFilters::default()
            };
            let others =
                db::proposals::list(&state.db, &user.scope(), &all, QUEUE_LIMIT, 0).await?;
            queue.extend(others.into_iter().filter(|p| chosen.contains(&p.id)));
        }
        Ok(Self {
            candidates: db::visits::team_candidates(&state.db, &user.0.province_code).await?,
            queue,
            ctx,
            form,
            errors,
            taken: None,
        })
    }
}

async fn new_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(mut form): Query<VisitForm>,
) -> AppResult<VisitFormPage> {
    user.require(Permission::PlanVisits)?;
    if form.title.is_empty() {
        form.title = ctx
            .t(if form.is_acceptance() {
                "visit.default_acceptance_title"
            } else {
                "visit.default_title"
            })
            .to_owned();
    }
    if form.visit_date.is_empty() {
        form.visit_date = (today() + Duration::days(7)).to_string();
    }
    if form.leader_id.is_empty() {
        form.leader_id = user.0.user_id.to_string();
    }
    VisitFormPage::new(&state, ctx, &user, form, FieldErrors::default()).await
}

/// A planned visit that passed the form's checks.
struct ValidVisit {
    title: String,
    visit_date: Date,
    notes: String,
    leader_id: i64,
    member_ids: Vec<i64>,
    externals: Vec<(String, String)>,
    proposal_ids: Vec<i64>,
}

/// `Name – Unit` per line (a dash or a comma between them).
fn parse_externals(text: &str, errors: &mut FieldErrors) -> Vec<(String, String)> {
    let mut externals = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, unit) = line
            .split_once(" – ")
            .or_else(|| line.split_once(" - "))
            .or_else(|| line.split_once(','))
            .unwrap_or((line, ""));
        let name = errors.required("externals", name, 200);
        let unit = errors.text("externals", unit, 300);
        externals.push((name, unit));
    }
    if externals.len() > MAX_EXTERNALS {
        errors.add("externals", "visit.too_many_externals");
    }
    externals
}

fn validate(form: &VisitForm, candidates: &[TeamCandidate]) -> Result<ValidVisit, FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = errors.required("title", &form.title, 300);
    let visit_date = visit_date(&mut errors, "visit_date", &form.visit_date);
    let notes = errors.text("notes", &form.notes, 5000);
    let known = |id: i64| candidates.iter().any(|c| c.id == id);
    let leader_id = form
        .leader_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| known(*id));
    if leader_id.is_none() {
        errors.add("leader_id", "visit.leader_required");
    }
    let mut member_ids = Vec::new();
    for value in &form.member_ids {
        match value.trim().parse::<i64>() {
            Ok(id) if known(id) => {
                if Some(id) != leader_id && !member_ids.contains(&id) {
                    member_ids.push(id);
                }
            }
            _ => errors.add("member_ids", "visit.member_unknown"),
        }
    }
    let externals = parse_externals(&form.externals, &mut errors);
    let mut proposal_ids = Vec::new();
    for value in &form.proposal_ids {
        match value.trim().parse::<i64>() {
            Ok(id) if !proposal_ids.contains(&id) => proposal_ids.push(id),
            Ok(_) => {}
            Err(_) => errors.add("proposal_ids", "visit.proposal_unknown"),
        }
    }
    match (leader_id, visit_date, errors.is_empty()) {
        (Some(leader_id), Some(visit_date), true) => Ok(ValidVisit {
            title,
            visit_date,
            notes,
            leader_id,
            member_ids,
            externals,
            proposal_ids,
        }),
        _ => Err(errors),
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<VisitForm>,
) -> AppResult<Response> {
    user.require(Permission::PlanVisits)?;
    let candidates = db::visits::team_candidates(&state.db, &user.0.province_code).await?;
    let valid = match validate(&form, &candidates) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = VisitFormPage::new(&state, ctx, &user, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let plan = VisitPlan {
        province_code: &user.0.province_code,
        title: &valid.title,
        visit_date: valid.visit_date,
        notes: &valid.notes,
        purpose: form.purpose(),
        leader_id: valid.leader_id,
        member_ids: &valid.member_ids,
        externals: &valid.externals,
    };
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let id = appraisal::plan_visit(&mut tx, &Act::now(&actor), &plan).await?;
    let slot = Slot {
        visit_id: id,
        visit_date: valid.visit_date,
        purpose: form.purpose(),
    };
    let picked = &valid.proposal_ids;
    let scheduled = super::visit::schedule(&mut tx, &state, &user, slot, picked, None);
    if let Err(name) = scheduled.await? {
        drop(tx);
        let mut page = VisitFormPage::new(&state, ctx, &user, form, FieldErrors::default()).await?;
        page.taken = Some(name);
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    tx.commit().await?;
    Ok((
        Flash::success(if form.is_acceptance() {
            "flash.acceptance_visit_planned"
        } else {
            "flash.visit_planned"
        }),
        Redirect::to(&format!("/appraisals/visits/{id}")),
    )
        .into_response())
}
