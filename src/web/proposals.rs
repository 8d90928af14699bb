//! Proposals: the list (search, filters, counts per state), the dossier form (new, edit while
//! a draft or returned), a proposal's page, and its state changes (`POST
//! /proposals/{id}/{action}`), all from the transition table in domain::transition.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use time::OffsetDateTime;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::pagination::{PageQuery, Pager};
use crate::app::AppState;
use crate::db;
use crate::db::appraisals::Outcome;
use crate::db::facilities::UnitOption;
use crate::db::post_checks::PostCheckSummary;
use crate::db::proposals::{
    Beneficiary, CostLineRow, Event, NewEvent, ProposalDetail, ProposalFilters, ProposalInput,
    ProposalSummary, ReturnRequest,
};
use crate::db::visits::ProposalVisit;
use crate::domain::caps::{self, CostBasis};
use crate::domain::dossier::{self, CostLine, DossierFacts};
use crate::domain::facility::parse_tax_code;
use crate::domain::policy::{self, Permission};
use crate::domain::proposal::{ProposalForm, ProposalLevel, ProposalState, proposal_code};
use crate::domain::role::Role;
use crate::domain::transition::{self, Action, Requirement, Transition, TransitionError};
use crate::domain::{format, input, money};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// Routes: `/proposals`, `/proposals/new`, `/proposals/{id}`, `/proposals/{id}/edit`,
/// `/proposals/{id}/{action}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals", get(list))
        .route("/proposals/new", get(new_form).post(create))
        .route("/proposals/{id}", get(show))
        .route("/proposals/{id}/edit", get(edit_form).post(update))
        .route("/proposals/{id}/{action}", post(act))
}

// ---------------------------------------------------------------- list

/// The list's query string (its export, `web::export`, reads the same).
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    activity: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    sort: String,
}

impl ListQuery {
    /// The filters around `query` (the search's `tsquery`), or a 400 for a value no form of
    /// ours sends.
    pub(super) fn filters(&self, query: Option<String>) -> AppResult<ProposalFilters> {
        let bad = || AppError::BadRequest("error.bad_filter");
        let optional = |text: &str| {
            let trimmed = text.trim();
            (!trimmed.is_empty()).then(|| trimmed.to_owned())
        };
        let code_like = |text: String| {
            if text.len() <= 40 && text.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                Ok(text)
            } else {
                Err(bad())
            }
        };
        Ok(ProposalFilters {
            query,
            plan_year: optional(&self.year)
                .map(|y| {
                    y.parse::<i16>()
                        .ok()
                        .filter(|y| (2000..=2100).contains(y))
                        .ok_or_else(bad)
                })
                .transpose()?,
            state: optional(&self.state)
                .map(|s| ProposalState::from_code(&s).ok_or_else(bad))
                .transpose()?,
            level: optional(&self.level)
                .map(|l| ProposalLevel::from_code(&l).ok_or_else(bad))
                .transpose()?,
            activity_type_code: optional(&self.activity).map(code_like).transpose()?,
            sector_code: optional(&self.sector).map(code_like).transpose()?,
            unit_id: optional(&self.unit)
                .map(|u| u.parse::<i64>().map_err(|_| bad()))
                .transpose()?,
            sort: match self.sort.as_str() {
                "code" | "requested" => self.sort.clone(),
                _ => "newest".into(),
            },
        })
    }

    fn pairs(&self) -> [(&'static str, &str); 8] {
        [
            ("q", &self.q),
            ("year", &self.year),
            ("state", &self.state),
            ("level", &self.level),
            ("activity", &self.activity),
            ("sector", &self.sector),
            ("unit", &self.unit),
            ("sort", &self.sort),
        ]
    }

    /// This list with the state filter set to `state` (for the counts).
    fn with_state(&self, state: &str) -> String {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.pairs() {
            let value = if name == "state" { state } else { value };
            if !value.is_empty() {
                serializer.append_pair(name, value);
            }
        }
        format!("/proposals?{}", serializer.finish())
    }
}

/// A state and how many proposals of the list are in it.
struct StateCount {
    state: ProposalState,
    count: i64,
    href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/list.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<ProposalSummary>,
    pager: Pager,
    plain: bool,
    query: ListQuery,
    counts: Vec<StateCount>,
    all_href: String,
    activity_types: Vec<(String, String, String)>,
    sectors: Vec<(String, String, String)>,
    units: Vec<UnitOption>,
    years: Vec<i32>,
    may_create: bool,
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> AppResult<ListPage> {
    user.require(Permission::ViewProposals)?;
    let filters = query.filters(db::search::tsquery(&state.db, &query.q).await?)?;
    let scope = user.scope();
    let (limit, offset) = page.limit_offset();
    // Independent statements on their own connections: the page waits for the slowest, not
    // for their sum (a search's index scan is the bulk of each).
    let db = &state.db;
    let (rows, by_state, activity_types, sectors, units) = tokio::try_join!(
        db::proposals::list(db, &scope, &filters, limit, offset),
        db::proposals::count_by_state(db, &scope, &filters),
        db::proposals::activity_type_options(db),
        db::facilities::sector_options(db),
        db::facilities::commune_options(db, &user.0.province_code, user.0.area_unit_id),
    )?;
    let total = by_state
        .iter()
        .filter(|(s, _)| filters.state.is_none_or(|wanted| wanted == *s))
        .map(|(_, count)| count)
        .sum();
    let counts = by_state
        .into_iter()
        .map(|(s, count)| StateCount {
            state: s,
            count,
            href: query.with_state(s.code()),
        })
        .collect::<Vec<_>>();
    let mut counts = counts;
    counts.sort_by_key(|c| ProposalState::ALL.iter().position(|s| *s == c.state));
    let pager = Pager::new(&page, total).keeping(&query.pairs());
    let this_year = OffsetDateTime::now_utc().to_offset(format::VIETNAM).year();
    Ok(ListPage {
        ctx,
        rows,
        pager,
        plain: user.0.role == Role::FacilityOwner,
        all_href: query.with_state(""),
        counts,
        activity_types,
        sectors,
        units,
        years: (2016..=this_year + 1).rev().collect(),
        may_create: user.require(Permission::CreateProposal).is_ok(),
        query,
    })
}

// ---------------------------------------------------------------- the dossier form

/// The dossier form as typed. Budget lines come as parallel lists (`line_item` repeated…),
/// which is how a form without JavaScript sends a table.
#[derive(Clone, Debug, Default, Deserialize)]
struct DossierForm {
    #[serde(default)]
    plan_year: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    activity_type_code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    facility_tax_codes: String,
    #[serde(default)]
    objectives: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    location_detail: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    line_item: Vec<String>,
    #[serde(default)]
    line_unit: Vec<String>,
    #[serde(default)]
    line_quantity: Vec<String>,
    #[serde(default)]
    line_price: Vec<String>,
    #[serde(default)]
    line_support: Vec<String>,
    #[serde(default)]
    baseline_output: String,
    #[serde(default)]
    expected_output: String,
    #[serde(default)]
    baseline_revenue: String,
    #[serde(default)]
    expected_revenue: String,
    #[serde(default)]
    baseline_jobs: String,
    #[serde(default)]
    expected_jobs: String,
    no_double_funding: Option<String>,
    technology_line: Option<String>,
    #[serde(default)]
    version: String,
    /// Pressed "more lines" rather than "save".
    add_lines: Option<String>,
}

/// Most budget lines a dossier may have.
const MAX_LINES: usize = 200;
/// Blank lines offered at the end of the table.
const BLANK_LINES: usize = 3;

/// One budget line as typed, for the form's table.
#[derive(Clone, Debug, Default)]
struct LineFields {
    item: String,
    unit: String,
    quantity: String,
    price: String,
    support: String,
    total: String,
}

impl DossierForm {
    fn from_detail(
        p: &ProposalDetail,
        beneficiaries: &[Beneficiary],
        lines: &[CostLineRow],
    ) -> Self {
        let quantity = |h: i64| {
            if h % 100 == 0 {
                (h / 100).to_string()
            } else {
                format!("{},{:02}", h / 100, h % 100)
                    .trim_end_matches('0')
                    .to_owned()
            }
        };
        Self {
            plan_year: p.plan_year.to_string(),
            level: p.level.code().into(),
            form: p.form.code().into(),
            activity_type_code: p.activity_type_code.clone(),
            title: p.title.clone(),
            facility_tax_codes: beneficiaries
                .iter()
                .map(|b| b.tax_code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            objectives: p.objectives.clone(),
            content: p.content.clone(),
            location_detail: p.location_detail.clone(),
            start_date: p.start_date.map(|d| d.to_string()).unwrap_or_default(),
            end_date: p.end_date.map(|d| d.to_string()).unwrap_or_default(),
            line_item: lines.iter().map(|l| l.item.clone()).collect(),
            line_unit: lines.iter().map(|l| l.unit.clone()).collect(),
            line_quantity: lines
                .iter()
                .map(|l| quantity(l.quantity_hundredths))
                .collect(),
            line_price: lines
                .iter()
                .map(|l| money::format_plain(l.unit_price))
                .collect(),
            line_support: lines
                .iter()
                .map(|l| money::format_plain(l.support))
                .collect(),
            baseline_output: p.baseline_output.clone(),
            expected_output: p.expected_output.clone(),
            baseline_revenue: money::format_plain(p.baseline_revenue),
            expected_revenue: money::format_plain(p.expected_revenue),
            baseline_jobs: p.baseline_jobs.to_string(),
            expected_jobs: p.expected_jobs.to_string(),
            no_double_funding: p.no_double_funding.then(|| "on".into()),
            technology_line: p.technology_line.then(|| "on".into()),
            version: p.version.to_string(),
            add_lines: None,
        }
    }

    /// The typed lines that are not entirely blank, with their row numbers (1-based).
    fn typed_lines(&self) -> Vec<(usize, LineFields)> {
        let get = |list: &Vec<String>, i: usize| list.get(i).cloned().unwrap_or_default();
        let count = [
            &self.line_item,
            &self.line_unit,
            &self.line_quantity,
            &self.line_price,
            &self.line_support,
        ]
        .iter()
        .map(|l| l.len())
        .max()
        .unwrap_or(0)
        .min(MAX_LINES + BLANK_LINES);
        (0..count)
            .map(|i| {
                (
                    i + 1,
                    LineFields {
                        item: get(&self.line_item, i),
                        unit: get(&self.line_unit, i),
                        quantity: get(&self.line_quantity, i),
                        price: get(&self.line_price, i),
                        support: get(&self.line_support, i),
                        total: String::new(),
                    },
                )
            })
            .filter(|(_, l)| {
                [&l.item, &l.unit, &l.quantity, &l.price, &l.support]
                    .iter()
                    .any(|v| !v.trim().is_empty())
            })
            .collect()
    }
}

/// A dossier that passed the form's checks, ready to save.
struct ParsedDossier {
    input: ProposalInput,
    facility_ids: Vec<i64>,
    lines: Vec<CostLine>,
    line_totals: Vec<i64>,
}

/// Checks the form against the rules and the database (beneficiaries in scope, codes known).
async fn parse_dossier(
    state: &AppState,
    user: &CurrentUser,
    form: &DossierForm,
    errors: &mut FieldErrors,
    cap: &mut CapReport,
    lang: Lang,
) -> AppResult<Option<ParsedDossier>> {
    let plan_year = errors.whole("plan_year", &form.plan_year, 2000, 2100);
    let level = ProposalLevel::from_code(form.level.trim());
    if level.is_none() {
        errors.add("level", "input.required");
    }
    let proposal_form = ProposalForm::from_code(form.form.trim()).unwrap_or(ProposalForm::Normal);
    let activity_types = db::proposals::activity_type_options(&state.db).await?;
    let activity_type_code = form.activity_type_code.trim().to_owned();
    if !activity_types
        .iter()
        .any(|(code, _, _)| *code == activity_type_code)
    {
        errors.add("activity_type_code", "input.required");
    }
    let title = errors.required("title", &form.title, 500);
    let objectives = errors.text("objectives", &form.objectives, 20_000);
    let content = errors.text("content", &form.content, 50_000);
    let location_detail = errors.text("location_detail", &form.location_detail, 500);
    let start_date = errors
        .check("start_date", input::date(&form.start_date))
        .flatten();
    let end_date = errors
        .check("end_date", input::date(&form.end_date))
        .flatten();
    if let (Some(start), Some(end)) = (start_date, end_date)
        && end < start
    {
        errors.add("end_date", "dossier.end_before_start");
    }
    let baseline_output = errors.text("baseline_output", &form.baseline_output, 2000);
    let expected_output = errors.text("expected_output", &form.expected_output, 2000);
    let baseline_revenue = errors.money("baseline_revenue", &form.baseline_revenue);
    let expected_revenue = errors.money("expected_revenue", &form.expected_revenue);
    let baseline_jobs = errors.whole("baseline_jobs", &form.baseline_jobs, 0, 1_000_000);
    let expected_jobs = errors.whole("expected_jobs", &form.expected_jobs, 0, 1_000_000);

    // Beneficiaries by tax code, each in the user's scope.
    let mut facility_ids = Vec::new();
    let mut first_unit = None;
    let codes: Vec<&str> = form
        .facility_tax_codes
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() || codes.len() > 50 {
        errors.add("facility_tax_codes", "dossier.beneficiary_required");
    }
    for code in codes.iter().take(50) {
        let found = match parse_tax_code(code) {
            Some(tax_code) => db::facilities::find_id_by_tax_code(&state.db, &tax_code).await?,
            None => None,
        };
        let visible = match found {
            Some(id) => db::facilities::find(&state.db, &user.scope(), id).await?,
            None => None,
        };
        match visible {
            Some(facility) => {
                first_unit.get_or_insert(facility.unit_id);
                if !facility_ids.contains(&facility.id) {
                    facility_ids.push(facility.id);
                }
            }
            None => errors.add("facility_tax_codes", "dossier.beneficiary_unknown"),
        }
    }

    // Budget lines.
    let mut lines = Vec::new();
    for (row, typed) in form.typed_lines() {
        let item = errors.required(&format!("line_item_{row}"), &typed.item, 500);
        let unit = errors.text(&format!("line_unit_{row}"), &typed.unit, 50);
        let quantity = errors.check(
            &format!("line_quantity_{row}"),
            input::quantity_hundredths(&typed.quantity),
        );
        let unit_price = errors.money(&format!("line_price_{row}"), &typed.price);
        let support = errors.money(&format!("line_support_{row}"), &typed.support);
        if let Some(quantity_hundredths) = quantity {
            lines.push(CostLine {
                item,
                unit,
                quantity_hundredths,
                unit_price,
                support,
            });
        }
    }
    if lines.len() > MAX_LINES {
        errors.add("lines", "dossier.too_many_lines");
    }
    let sums = match dossier::totals(&lines) {
        Ok(sums) => Some(sums),
        Err(problems) => {
            for (index, problem) in problems {
                errors.add(format!("line_support_{}", index + 1), problem.key());
            }
            None
        }
    };

    let technology_line = input::checked(form.technology_line.as_deref());
    let mut support_cap_id = None;
    if let (Some(level), Some((_, totals))) = (level, &sums) {
        let beneficiaries = facility_ids.len();
        let check = check_cap(
            state,
            user,
            &activity_type_code,
            level,
            *totals,
            beneficiaries,
            technology_line,
            lang,
        )
        .await?;
        support_cap_id = check.cap_id;
        if !check.problems.is_empty() {
            errors.add("requested", "dossier.over_cap");
        }
        *cap = check;
    }
    let (Some(level), Some(unit_id), Some((line_totals, totals)), true) =
        (level, first_unit, sums, errors.is_empty())
    else {
        return Ok(None);
    };
    Ok(Some(ParsedDossier {
        input: ProposalInput {
            plan_year: i16::try_from(plan_year).unwrap_or(2000),
            level,
            form: proposal_form,
            activity_type_code,
            title,
            objectives,
            content,
            location_detail,
            start_date,
            end_date,
            totals,
            baseline_output,
            expected_output,
            baseline_revenue,
            expected_revenue,
            baseline_jobs: i32::try_from(baseline_jobs).unwrap_or(0),
            expected_jobs: i32::try_from(expected_jobs).unwrap_or(0),
            no_double_funding: input::checked(form.no_double_funding.as_deref()),
            unit_id,
            support_cap_id,
            technology_line,
        },
        facility_ids,
        lines,
        line_totals,
    }))
}

/// What the cap in force says about a request: the rule in words, and why the amount is
/// too high, already in the page's language.
#[derive(Clone, Debug, Default)]
struct CapReport {
    cap_id: Option<i64>,
    rule: Option<String>,
    problems: Vec<String>,
}

/// Checks the requested support against the cap in force today for the activity type, level
/// and province (domain::caps): per establishment for a group, with the technology-line
/// multiplier when asked.
#[expect(
    clippy::too_many_arguments,
    reason = "the facts of one check, passed by the two forms that need it"
)]
async fn check_cap(
    state: &AppState,
    user: &CurrentUser,
    activity_type_code: &str,
    level: ProposalLevel,
    totals: dossier::Totals,
    beneficiaries: usize,
    technology_line: bool,
    lang: Lang,
) -> AppResult<CapReport> {
    let today = OffsetDateTime::now_utc().to_offset(format::VIETNAM).date();
    let cap = match db::rules::cap_in_force(
        &state.db,
        activity_type_code,
        level,
        &user.0.province_code,
        today,
    )
    .await?
    {
        Ok(cap) => cap,
        Err(no_rule) => {
            return Ok(CapReport {
                rule: Some(no_rule.message().render(lang)),
                ..CapReport::default()
            });
        }
    };
    let basis =
        CostBasis::for_proposal(&cap.rule, totals.total_cost, beneficiaries, technology_line);
    let problems = match caps::check_request(&cap.rule, &basis, totals.requested_support) {
        Ok(check) if check.is_within() => Vec::new(),
        Ok(check) => check
            .messages(&cap.rule)
            .iter()
            .map(|m| m.render(lang))
            .collect(),
        Err(_) => vec![crate::i18n::t(lang, "dossier.cap_unreadable").to_owned()],
    };
    Ok(CapReport {
        cap_id: Some(cap.id),
        rule: Some(cap.explain(technology_line).render(lang)),
        problems,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/form.html")]
struct FormPage {
    ctx: PageContext,
    id: Option<i64>,
    form: DossierForm,
    lines: Vec<(usize, LineFields)>,
    errors: FieldErrors,
    activity_types: Vec<(String, String, String)>,
    levels: [ProposalLevel; 2],
    forms: [ProposalForm; 3],
    stale: bool,
    cap: CapReport,
}

impl FormPage {
    async fn new(
        state: &AppState,
        ctx: PageContext,
        id: Option<i64>,
        form: DossierForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let mut lines = form.typed_lines();
        let next = lines.last().map_or(1, |(row, _)| row + 1);
        let extra = if form.add_lines.is_some() {
            BLANK_LINES + 5
        } else {
            BLANK_LINES
        };
        lines.extend((next..next + extra).map(|row| (row, LineFields::default())));
        for (_, line) in &mut lines {
            let quantity = input::quantity_hundredths(&line.quantity).ok();
            let price = input::money(&line.price).ok();
            if let (Some(quantity_hundredths), Some(unit_price)) = (quantity, price) {
                let cost = CostLine {
                    item: String::new(),
                    unit: String::new(),
                    quantity_hundredths,
                    unit_price,
                    support: 0,
                };
                line.total = cost.total().map(money::format_vnd).unwrap_or_default();
            }
        }
        Ok(Self {
            ctx,
            id,
            form,
            lines,
            errors,
            activity_types: db::proposals::activity_type_options(&state.db).await?,
            levels: [ProposalLevel::Local, ProposalLevel::National],
            forms: ProposalForm::ALL,
            stale: false,
            cap: CapReport::default(),
        })
    }

    fn line_error(&self, column: &str, row: &usize) -> Option<&'static str> {
        self.errors.get(&format!("{column}_{row}"))
    }

    fn declared(&self) -> bool {
        input::checked(self.form.no_double_funding.as_deref())
    }

    fn technology_line(&self) -> bool {
        input::checked(self.form.technology_line.as_deref())
    }
}

#[derive(Deserialize)]
struct NewQuery {
    facility: Option<i64>,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<NewQuery>,
) -> AppResult<FormPage> {
    user.require(Permission::CreateProposal)?;
    let this_year = OffsetDateTime::now_utc().to_offset(format::VIETNAM).year();
    let mut form = DossierForm {
        plan_year: (this_year + 1).to_string(),
        level: ProposalLevel::Local.code().into(),
        form: ProposalForm::Normal.code().into(),
        ..DossierForm::default()
    };
    if let Some(id) = query.facility
        && let Some(facility) = db::facilities::find(&state.db, &user.scope(), id).await?
    {
        form.facility_tax_codes = facility.tax_code;
    }
    FormPage::new(&state, ctx, None, form, FieldErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<DossierForm>,
) -> AppResult<Response> {
    user.require(Permission::CreateProposal)?;
    let mut errors = FieldErrors::default();
    if form.add_lines.is_some() {
        return Ok(FormPage::new(&state, ctx, None, form, errors)
            .await?
            .into_response());
    }
    let mut cap = CapReport::default();
    let lang = ctx.lang;
    let Some(parsed) = parse_dossier(&state, &user, &form, &mut errors, &mut cap, lang).await?
    else {
        let mut page = FormPage::new(&state, ctx, None, form, errors).await?;
        page.cap = cap;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    let id = db::proposals::insert_draft(
        &mut tx,
        &user.0.province_code,
        user.0.organisation_id,
        &parsed.input,
        user.0.user_id,
    )
    .await?;
    db::proposals::replace_parts(
        &mut tx,
        id,
        &parsed.facility_ids,
        &parsed.lines,
        &parsed.line_totals,
    )
    .await?;
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            proposal_id: id,
            actor_id: user.0.user_id,
            action: "create",
            from: None,
            to: ProposalState::Draft,
            note: "",
            details: serde_json::json!({}),
        },
    )
    .await?;
    db::search::refresh_proposals(&mut tx, &[id]).await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        "proposal drafted"
    );
    Ok((
        Flash::success("flash.proposal_saved"),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}

/// The proposal if the user sees it and may edit its dossier now.
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<ProposalDetail> {
    user.require(Permission::CreateProposal)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(
        proposal.state,
        ProposalState::Draft | ProposalState::Returned
    ) {
        return Err(AppError::Conflict("proposal.not_editable"));
    }
    Ok(proposal)
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<FormPage> {
    let proposal = editable(&state, &user, id).await?;
    let beneficiaries = db::proposals::beneficiaries(&state.db, id).await?;
    let lines = db::proposals::cost_lines(&state.db, id).await?;
    let form = DossierForm::from_detail(&proposal, &beneficiaries, &lines);
    FormPage::new(&state, ctx, Some(id), form, FieldErrors::default()).await
}

async fn update(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DossierForm>,
) -> AppResult<Response> {
    let current = editable(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    if form.add_lines.is_some() {
        return Ok(FormPage::new(&state, ctx, Some(id), form, errors)
            .await?
            .into_response());
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut cap = CapReport::default();
    let lang = ctx.lang;
    let Some(parsed) = parse_dossier(&state, &user, &form, &mut errors, &mut cap, lang).await?
    else {
        let mut page = FormPage::new(&state, ctx, Some(id), form, errors).await?;
        page.cap = cap;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    if !db::proposals::update_dossier(&mut tx, id, version, &parsed.input).await? {
        drop(tx);
        let mut page = FormPage::new(&state, ctx, Some(id), form, errors).await?;
        page.stale = true;
        page.form.version = current.version.to_string();
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    db::proposals::replace_parts(
        &mut tx,
        id,
        &parsed.facility_ids,
        &parsed.lines,
        &parsed.line_totals,
    )
    .await?;
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            proposal_id: id,
            actor_id: user.0.user_id,
            action: "edit",
            from: Some(current.state),
            to: current.state,
            note: "",
            details: serde_json::json!({
                "total_cost": parsed.input.totals.total_cost,
                "requested_support": parsed.input.totals.requested_support,
            }),
        },
    )
    .await?;
    db::search::refresh_proposals(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.proposal_saved"),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}

// ---------------------------------------------------------------- a proposal's page

#[derive(Template, WebTemplate)]
#[template(path = "proposals/show.html")]
struct ShowPage {
    ctx: PageContext,
    proposal: ProposalDetail,
    beneficiaries: Vec<Beneficiary>,
    lines: Vec<CostLineRow>,
    events: Vec<Event>,
    return_request: Option<ReturnRequest>,
    actions: Vec<&'static Transition>,
    missing: Vec<&'static str>,
    /// Required documents not yet attached, by name.
    missing_documents: Vec<String>,
    action_errors: FieldErrors,
    action_form: ActionForm,
    may_edit: bool,
    plain: bool,
    /// Appraisal visits the proposal is (or was) planned on.
    visits: Vec<ProposalVisit>,
    /// The appraisal's current result.
    outcome: Option<Outcome>,
    /// Whether the user sees the result's score and amount, and the record (not only the
    /// recommendation, as a facility owner does).
    outcome_detail: bool,
    /// Post-checks of the proposal after its support.
    post_checks: Vec<PostCheckSummary>,
    /// Whether the contract page has something for this user: the contract, or its form.
    contract_link: bool,
}

impl ShowPage {
    /// Whether the proposal has progress reports to show or take: work started on it.
    fn progress_link(&self) -> bool {
        matches!(
            self.proposal.state,
            ProposalState::InProgress
                | ProposalState::ResultAccepted
                | ProposalState::Settled
                | ProposalState::Completed
                | ProposalState::Stopped
        )
    }

    /// Acceptance is shown from the work's start (a visit may be planned) on.
    fn acceptance_link(&self) -> bool {
        self.progress_link() && self.proposal.state != ProposalState::Stopped
    }

    fn adjustments_link(&self) -> bool {
        self.progress_link() || self.proposal.state == ProposalState::Contracted
    }

    fn settlement_link(&self) -> bool {
        matches!(
            self.proposal.state,
            ProposalState::ResultAccepted | ProposalState::Settled | ProposalState::Completed
        )
    }

    fn evaluation_link(&self) -> bool {
        matches!(
            self.proposal.state,
            ProposalState::Settled | ProposalState::Completed
        )
    }

    fn quantity(&self, hundredths: &i64) -> String {
        if hundredths % 100 == 0 {
            (hundredths / 100).to_string()
        } else {
            format!("{},{:02}", hundredths / 100, hundredths % 100)
        }
    }

    fn date(&self, date: &Option<time::Date>) -> String {
        date.map(format::date).unwrap_or_else(|| "—".into())
    }

    fn due(&self, date: &time::Date) -> String {
        format::date(*date)
    }

    fn equipment_key(&self, code: &str) -> &'static str {
        crate::db::post_checks::EquipmentUse::from_code(code).map_or(
            "post_check.open",
            crate::db::post_checks::EquipmentUse::label_key,
        )
    }
}

async fn show_page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    proposal: ProposalDetail,
    missing: Vec<&'static str>,
    action_errors: FieldErrors,
    action_form: ActionForm,
) -> AppResult<ShowPage> {
    let id = proposal.id;
    let role = user.0.role;
    Ok(ShowPage {
        beneficiaries: db::proposals::beneficiaries(&state.db, id).await?,
        lines: db::proposals::cost_lines(&state.db, id).await?,
        events: db::proposals::events(&state.db, id).await?,
        return_request: db::proposals::open_return_request(&state.db, id).await?,
        actions: transition::available(proposal.state, role),
        may_edit: user.require(Permission::CreateProposal).is_ok()
            && matches!(
                proposal.state,
                ProposalState::Draft | ProposalState::Returned
            ),
        plain: role == Role::FacilityOwner,
        visits: db::visits::of_proposal(&state.db, id).await?,
        outcome: db::appraisals::outcome(&state.db, id).await?,
        outcome_detail: policy::allows(role, Permission::ViewVisits)
            && crate::domain::appraisal::may_see_scores(role, false, true),
        post_checks: db::post_checks::of_proposal(&state.db, id).await?,
        contract_link: match proposal.state {
            ProposalState::Approved => {
                transition::transition(proposal.state, Action::SignContract, role).is_ok()
            }
            ProposalState::Contracted
            | ProposalState::InProgress
            | ProposalState::ResultAccepted
            | ProposalState::Settled
            | ProposalState::Completed => true,
            _ => false,
        },
        ctx,
        proposal,
        missing,
        missing_documents: Vec::new(),
        action_errors,
        action_form,
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ShowPage> {
    user.require(Permission::ViewProposals)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    show_page(
        &state,
        ctx,
        &user,
        proposal,
        Vec::new(),
        FieldErrors::default(),
        ActionForm::default(),
    )
    .await
}

// ---------------------------------------------------------------- state changes

/// What a state change may carry.
#[derive(Clone, Debug, Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    missing_items: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    reason: String,
}

async fn act(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let action = Action::from_code(&action).ok_or(AppError::NotFound)?;
    user.require(Permission::ViewProposals)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let step = match transition::transition(proposal.state, action, user.0.role) {
        Ok(step) => step,
        Err(TransitionError::NotAllowed) => return Err(AppError::Forbidden),
        // A second click on the same button: the first one did it.
        Err(TransitionError::NotFromThisState)
            if transition::TABLE
                .iter()
                .any(|t| t.action == action && t.to == proposal.state) =>
        {
            return Ok((
                Flash::info("flash.already_done"),
                Redirect::to(&format!("/proposals/{id}")),
            )
                .into_response());
        }
        Err(TransitionError::NotFromThisState) => {
            return Err(AppError::Conflict("proposal.action_not_now"));
        }
    };
    if step.requires.is_elsewhere() {
        // Scheduling and finalising an appraisal have their own pages and checks.
        return Err(AppError::Conflict("proposal.action_elsewhere"));
    }

    let mut errors = FieldErrors::default();
    let mut note = String::new();
    let mut due_date = None;
    match step.requires {
        Requirement::Nothing => {}
        Requirement::CompleteDossier => {
            let facts = dossier_facts(&state, &user, &proposal, ctx.lang).await?;
            let missing = dossier::missing_for_submission(&facts);
            if !missing.is_empty() {
                let mut page =
                    show_page(&state, ctx, &user, proposal, missing, errors, form).await?;
                page.missing_documents = facts.missing_documents;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        }
        Requirement::MissingItemsAndDueDate => {
            note = errors.required("missing_items", &form.missing_items, 5000);
            due_date = errors
                .check("due_date", input::date(&form.due_date))
                .flatten();
            let today = OffsetDateTime::now_utc().to_offset(format::VIETNAM).date();
            match due_date {
                None if errors.get("due_date").is_none() => {
                    errors.add("due_date", "input.required")
                }
                Some(date) if date < today => errors.add("due_date", "proposal.due_in_past"),
                _ => {}
            }
        }
        Requirement::Reason => note = errors.required("reason", &form.reason, 5000),
        Requirement::Visit
        | Requirement::FinalRecord
        | Requirement::PlanDecision
        | Requirement::Contract
        | Requirement::Dispatch
        | Requirement::StopDecision
        | Requirement::AcceptanceRecord
        | Requirement::Settlement
        | Requirement::Evaluation => {}
    }
    if !errors.is_empty() {
        let page = show_page(&state, ctx, &user, proposal, Vec::new(), errors, form).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }

    let mut tx = state.db.begin().await?;
    let code = match (&proposal.code, step.to) {
        (None, ProposalState::Submitted) => {
            let number = db::proposals::next_code_number(
                &mut tx,
                &proposal.province_code,
                proposal.plan_year,
                proposal.level,
            )
            .await?;
            Some(proposal_code(
                proposal.level,
                i32::from(proposal.plan_year),
                u32::try_from(number).unwrap_or(0),
            ))
        }
        _ => None,
    };
    if !db::proposals::set_state(&mut tx, id, step.from, step.to, version, code.as_deref()).await? {
        return Err(AppError::Conflict("proposal.stale"));
    }
    match (action, due_date) {
        (Action::Return, Some(due)) => {
            db::proposals::insert_return_request(&mut tx, id, user.0.user_id, &note, due).await?
        }
        (Action::Resubmit, _) => db::proposals::answer_return_requests(&mut tx, id).await?,
        // The old result no longer stands; the next visit writes a new record.
        (Action::Reappraise, _) => db::appraisals::supersede_final(&mut tx, id).await?,
        _ => {}
    }
    let details = serde_json::json!({ "code": code, "due_date": due_date.map(|d| d.to_string()) });
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            proposal_id: id,
            actor_id: user.0.user_id,
            action: action.code(),
            from: Some(step.from),
            to: step.to,
            note: &note,
            details,
        },
    )
    .await?;
    if code.is_some() {
        db::search::refresh_proposals(&mut tx, &[id]).await?;
    }
    if let Some(notice) = transition::notice(action) {
        let mut told = Vec::new();
        if notice.followers {
            told.extend(db::notifications::proposal_followers(&mut tx, id).await?);
        }
        if notice.centre {
            told.extend(
                db::notifications::with_role(&mut tx, &proposal.province_code, Role::CentreStaff)
                    .await?,
            );
        }
        let name = code.clone().or_else(|| proposal.code.clone());
        let name = name.unwrap_or_else(|| proposal.title.clone());
        db::notifications::notify(
            &mut tx,
            &told,
            user.0.user_id,
            notice.key,
            &name,
            &format!("/proposals/{id}"),
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        action = action.code(),
        "proposal moved"
    );
    Ok((
        Flash::success(step_message(action)),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}

fn step_message(action: Action) -> &'static str {
    match action {
        Action::Submit | Action::Resubmit => "flash.proposal_submitted",
        Action::Accept => "flash.proposal_accepted",
        Action::Return => "flash.proposal_returned",
        Action::RejectIneligible => "flash.proposal_rejected",
        Action::Withdraw => "flash.proposal_withdrawn",
        Action::Reappraise => "flash.proposal_reappraise",
        // Taken on other pages, which say what happened themselves.
        Action::ScheduleAppraisal
        | Action::UnscheduleAppraisal
        | Action::RecordAppraisal
        | Action::ApproveInPlan
        | Action::NotSelected
        | Action::SignContract
        | Action::Forward
        | Action::MinistryApprove
        | Action::MinistryReject
        | Action::Stop
        | Action::AcceptResult
        | Action::Settle
        | Action::Close => "flash.proposal_moved",
        Action::Start => "flash.proposal_started",
    }
}

/// What the completeness check needs, from the stored dossier: its fields, and the documents
/// the activity type requires (rules in force today) that are not attached, named in `lang`.
async fn dossier_facts(
    state: &AppState,
    user: &CurrentUser,
    p: &ProposalDetail,
    lang: Lang,
) -> AppResult<DossierFacts> {
    let beneficiaries = db::proposals::beneficiaries(&state.db, p.id).await?;
    let lines = db::proposals::cost_lines(&state.db, p.id).await?;
    let today = OffsetDateTime::now_utc().to_offset(format::VIETNAM).date();
    let required =
        db::rules::required_documents_in_force(&state.db, &p.activity_type_code, today).await?;
    let attached = db::documents::attached_kinds(&state.db, p.id).await?;
    let missing_documents = required
        .into_iter()
        .filter(|r| r.required && !attached.contains(&r.document_kind_code))
        .map(|r| {
            if lang == Lang::En {
                r.kind_name_en
            } else {
                r.kind_name_vi
            }
        })
        .collect();
    let totals = dossier::Totals {
        total_cost: p.total_cost,
        requested_support: p.requested_support,
        counterpart_funds: p.counterpart_funds,
    };
    let cap = check_cap(
        state,
        user,
        &p.activity_type_code,
        p.level,
        totals,
        beneficiaries.len(),
        p.technology_line,
        lang,
    )
    .await?;
    Ok(DossierFacts {
        has_title: !p.title.trim().is_empty(),
        has_objectives: !p.objectives.trim().is_empty(),
        has_content: !p.content.trim().is_empty(),
        has_schedule: p.start_date.is_some() && p.end_date.is_some(),
        beneficiaries: beneficiaries.len(),
        cost_lines: lines.len(),
        requested_support: p.requested_support,
        has_expected_effects: !p.expected_output.trim().is_empty(),
        no_double_funding: p.no_double_funding,
        missing_documents,
        over_cap: !cap.problems.is_empty(),
    })
}
