//! Reference data and rules as data (PRODUCT.md §4), under `/admin/reference`: sectors,
//! activity types, support caps, required documents, appraisal criteria, priority areas,
//! advance rules, the national registration deadline, the progress reporting day and
//! funding sources.
//!
//! Whoever has `ViewReference` reads the lists; `ManageReference` (administrators) adds,
//! edits and ends rows. A rule is ended (its `valid_to` set) and a new one added, never
//! deleted, so the rule a past decision used can still be found. Forms come back with 422,
//! their values and a message by each wrong field; nothing is saved then.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::{Date, OffsetDateTime};

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::pagination::{PageQuery, Pager};
use crate::app::AppState;
use crate::db;
use crate::db::rules::{
    CapInput, CapRow, CodeOption, EntryInput, PriorityArea, PriorityAreaInput, ReferenceEntry,
    RequiredDocument, RequiredDocumentInput, RuleRow, UnitOption,
};
use crate::domain::caps::{
    self, CapRule, CapUnit, CaseMultiplier, PriorityAreaKind, RuleError, SupportCap, ValidityError,
};
use crate::domain::format::{self, VIETNAM};
use crate::domain::money;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::error::{AppError, AppResult, ResultExt as _};

mod adjustments;
mod advances;
mod criteria;
mod deadlines;
mod evidence;
mod reporting;
mod sources;

const BASE: &str = "/admin/reference";
/// Longest name of a sector or activity type.
const NAME_MAX: usize = 300;
/// Longest legal reference.
const LEGAL_REF_MAX: usize = 500;
/// Longest name of a multiplier's case.
const CASE_MAX: usize = 200;

/// Routes under `/admin/reference`.
pub fn router() -> Router<AppState> {
    let router = Router::new().route(BASE, get(index));
    let router = entry_routes::<Sectors>(router);
    let router = entry_routes::<ActivityTypes>(router);
    router
        .route(CAPS, get(list_caps))
        .route(
            "/admin/reference/caps/new",
            get(new_cap).post(create_rule::<Caps>),
        )
        .route(
            "/admin/reference/caps/{id}/edit",
            get(edit_rule::<Caps>).post(update_rule::<Caps>),
        )
        .route("/admin/reference/caps/{id}/end", post(end_rule::<Caps>))
        .route(DOCUMENTS, get(list_documents))
        .route(
            "/admin/reference/required-documents/new",
            get(new_document).post(create_rule::<Documents>),
        )
        .route(
            "/admin/reference/required-documents/{id}/edit",
            get(edit_rule::<Documents>).post(update_rule::<Documents>),
        )
        .route(
            "/admin/reference/required-documents/{id}/end",
            post(end_rule::<Documents>),
        )
        .route(criteria::CRITERIA, get(criteria::list_criteria))
        .route(
            "/admin/reference/criteria/new",
            get(new_rule::<criteria::Criteria>).post(create_rule::<criteria::Criteria>),
        )
        .route(
            "/admin/reference/criteria/{id}/edit",
            get(edit_rule::<criteria::Criteria>).post(update_rule::<criteria::Criteria>),
        )
        .route(
            "/admin/reference/criteria/{id}/end",
            post(end_rule::<criteria::Criteria>),
        )
        .route(advances::ADVANCES, get(advances::list_advances))
        .route(
            "/admin/reference/advances/new",
            get(new_rule::<advances::Advances>).post(create_rule::<advances::Advances>),
        )
        .route(
            "/admin/reference/advances/{id}/edit",
            get(edit_rule::<advances::Advances>).post(update_rule::<advances::Advances>),
        )
        .route(
            "/admin/reference/advances/{id}/end",
            post(end_rule::<advances::Advances>),
        )
        .route(deadlines::DEADLINES, get(deadlines::list_deadlines))
        .route(
            "/admin/reference/national-deadlines/new",
            get(new_rule::<deadlines::Deadlines>).post(create_rule::<deadlines::Deadlines>),
        )
        .route(
            "/admin/reference/national-deadlines/{id}/edit",
            get(edit_rule::<deadlines::Deadlines>).post(update_rule::<deadlines::Deadlines>),
        )
        .route(
            "/admin/reference/national-deadlines/{id}/end",
            post(end_rule::<deadlines::Deadlines>),
        )
        .route(reporting::REPORTING, get(reporting::list_reporting))
        .route(
            "/admin/reference/reporting/new",
            get(new_rule::<reporting::Reporting>).post(create_rule::<reporting::Reporting>),
        )
        .route(
            "/admin/reference/reporting/{id}/edit",
            get(edit_rule::<reporting::Reporting>).post(update_rule::<reporting::Reporting>),
        )
        .route(
            "/admin/reference/reporting/{id}/end",
            post(end_rule::<reporting::Reporting>),
        )
        .route(
            adjustments::ADJUSTMENTS,
            get(adjustments::list_adjustment_rules),
        )
        .route(
            "/admin/reference/adjustments/new",
            get(new_rule::<adjustments::Adjustments>).post(create_rule::<adjustments::Adjustments>),
        )
        .route(
            "/admin/reference/adjustments/{id}/edit",
            get(edit_rule::<adjustments::Adjustments>)
                .post(update_rule::<adjustments::Adjustments>),
        )
        .route(
            "/admin/reference/adjustments/{id}/end",
            post(end_rule::<adjustments::Adjustments>),
        )
        .route(evidence::EVIDENCE, get(evidence::list_evidence))
        .route(
            "/admin/reference/evidence/new",
            get(new_rule::<evidence::Evidence>).post(create_rule::<evidence::Evidence>),
        )
        .route(
            "/admin/reference/evidence/{id}/edit",
            get(edit_rule::<evidence::Evidence>).post(update_rule::<evidence::Evidence>),
        )
        .route(
            "/admin/reference/evidence/{id}/end",
            post(end_rule::<evidence::Evidence>),
        )
        .route(sources::SOURCES, get(sources::list_sources))
        .route(
            "/admin/reference/funding-sources/new",
            get(sources::new_source).post(sources::create_source),
        )
        .route(
            "/admin/reference/funding-sources/{code}/edit",
            get(sources::edit_source).post(sources::update_source),
        )
        .route(AREAS, get(list_areas))
        .route(
            "/admin/reference/priority-areas/new",
            get(new_area).post(create_rule::<Areas>),
        )
        .route(
            "/admin/reference/priority-areas/{id}/edit",
            get(edit_area).post(update_rule::<Areas>),
        )
        .route(
            "/admin/reference/priority-areas/{id}/end",
            post(end_rule::<Areas>),
        )
}

/// The routes of a code-and-name table (sectors, activity types).
fn entry_routes<E: EntryTable>(router: Router<AppState>) -> Router<AppState> {
    let path = E::TABLE.path();
    router
        .route(path, get(list_entries::<E>))
        .route(
            &format!("{path}/new"),
            get(new_entry::<E>).post(create_entry::<E>),
        )
        .route(
            &format!("{path}/{{code}}/edit"),
            get(edit_rule::<E>).post(update_entry::<E>),
        )
        .route(&format!("{path}/{{code}}/end"), post(end_rule::<E>))
}

// ---------------------------------------------------------------------------------------------
// Form plumbing

/// Field mistakes recorded from `Option`s, as most of these checks produce them.
trait Need {
    /// `value`, or a mistake on `field` when there is none.
    fn need<T>(&mut self, field: &'static str, key: &'static str, value: Option<T>) -> Option<T>;
}

impl Need for FieldErrors {
    fn need<T>(&mut self, field: &'static str, key: &'static str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.add(field, key);
        }
        value
    }
}

/// A form's single mistake.
fn one_error(field: &'static str, key: &'static str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, key);
    errors
}

/// Trimmed text of 1..=`max` characters without control characters (NUL included).
fn clean_text(input: &str, max: usize) -> Option<String> {
    let text = input.trim();
    let ok = !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control);
    ok.then(|| text.to_owned())
}

/// An optional date field: `Some(None)` when empty, `None` when unreadable.
fn optional_date(
    value: &str,
    field: &'static str,
    errors: &mut FieldErrors,
) -> Option<Option<Date>> {
    if value.trim().is_empty() {
        return Some(None);
    }
    errors
        .need(field, "reference.date_invalid", caps::parse_date(value))
        .map(Some)
}

/// Validity dates from their two fields: the start is required when `from_required`, and
/// the end must come after it.
fn validity(
    from: &str,
    to: &str,
    from_required: bool,
    errors: &mut FieldErrors,
) -> Option<(Option<Date>, Option<Date>)> {
    let from = if from_required && from.trim().is_empty() {
        errors.add("valid_from", "reference.date_required");
        None
    } else {
        optional_date(from, "valid_from", errors)
    };
    let to = optional_date(to, "valid_to", errors);
    let (from, to) = (from?, to?);
    match caps::check_validity(from, to) {
        Ok(()) => Some((from, to)),
        Err(_) => {
            errors.add("valid_to", "reference.ends_before_start");
            None
        }
    }
}

/// An optional code picked from `known` ("" for every one): `Some(None)` when empty, `None`
/// (with the mistake recorded on `field`) when unknown.
fn optional_code<'a>(
    value: &str,
    known: impl IntoIterator<Item = &'a str>,
    field: &'static str,
    key: &'static str,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Some(None);
    }
    let found = known.into_iter().any(|code| code == value);
    errors
        .need(field, key, found.then(|| value.to_owned()))
        .map(Some)
}

/// A row's names in both languages, each of 1..=`max` characters.
fn names(
    vi: &str,
    en: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> (Option<String>, Option<String>) {
    let mut name =
        |field, value| errors.need(field, "reference.name_invalid", clean_text(value, max));
    (name("name_vi", vi), name("name_en", en))
}

fn legal_ref(value: &str, errors: &mut FieldErrors) -> Option<String> {
    errors.need(
        "legal_ref",
        "reference.legal_ref_invalid",
        clean_text(value, LEGAL_REF_MAX),
    )
}

/// The fields every rule form has, as typed: the legal basis and the validity dates.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct BasisForm {
    legal_ref: String,
    valid_from: String,
    valid_to: String,
}

/// A rule's legal basis and validity dates, checked.
struct Basis {
    legal_ref: String,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

impl BasisForm {
    /// The fields showing a row's values.
    fn of(legal_ref: &str, from: Option<Date>, to: Option<Date>) -> Self {
        Self {
            legal_ref: legal_ref.to_owned(),
            valid_from: date_value(from),
            valid_to: date_value(to),
        }
    }

    /// The checked values, or `None` after recording the mistakes; the start is required
    /// when `from_required`.
    fn check(&self, from_required: bool, errors: &mut FieldErrors) -> Option<Basis> {
        let legal_ref = legal_ref(&self.legal_ref, errors);
        let dates = validity(&self.valid_from, &self.valid_to, from_required, errors);
        let (valid_from, valid_to) = dates?;
        Some(Basis {
            legal_ref: legal_ref?,
            valid_from,
            valid_to,
        })
    }
}

/// Today in Vietnam.
fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(VIETNAM).date()
}

fn date_value(date: Option<Date>) -> String {
    date.map(caps::date_value).unwrap_or_default()
}

/// The status of a row on `today`: the catalogue key of its badge.
fn status_key(from: Option<Date>, to: Option<Date>, today: Date) -> &'static str {
    if to.is_some_and(|t| t <= today) {
        "reference.status_ended"
    } else if from.is_some_and(|f| f > today) {
        "reference.status_future"
    } else {
        "reference.status_in_force"
    }
}

/// A validity period in words: "từ 11/05/2018 · hết hiệu lực từ 01/01/2026".
fn period(ctx: &PageContext, from: Option<Date>, to: Option<Date>) -> String {
    let mut parts = Vec::new();
    if let Some(from) = from {
        parts.push(
            ctx.t("reference.period_from")
                .replace("{value}", &format::date(from)),
        );
    }
    if let Some(to) = to {
        parts.push(
            ctx.t("reference.period_to")
                .replace("{value}", &format::date(to)),
        );
    }
    if parts.is_empty() {
        parts.push(ctx.t("reference.period_open").to_owned());
    }
    parts.join(" · ")
}

/// Back to a list with a success message.
fn saved(list: &str, key: &'static str, value: String) -> Response {
    (Flash::success(key).with(value), Redirect::to(list)).into_response()
}

fn unprocessable(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// The end form of an edit page: where it posts, and the day typed.
#[derive(Clone, Debug)]
struct EndBox {
    action: String,
    /// The day the row already ends, as shown (`dd/mm/yyyy`).
    ended_on: Option<String>,
    /// The day typed in the form (a date field's value).
    end_on: String,
}

impl EndBox {
    fn new(action: String, valid_to: Option<Date>) -> Self {
        Self {
            action,
            ended_on: valid_to.map(format::date),
            end_on: caps::date_value(today()),
        }
    }
}

/// The "end" form.
#[derive(Debug, Default, Deserialize)]
struct EndForm {
    #[serde(default)]
    end_on: String,
}

/// Checks an end date against a row's dates: `Ok(day)` or the form's mistake.
fn parse_end(form: &EndForm, from: Option<Date>, to: Option<Date>) -> Result<Date, FieldErrors> {
    let Some(day) = caps::parse_date(&form.end_on) else {
        return Err(one_error("end_on", "reference.date_invalid"));
    };
    caps::check_end(from, to, day).map_err(|e| {
        one_error(
            "end_on",
            match e {
                ValidityError::EndsBeforeStart => "reference.ends_before_start",
                ValidityError::AlreadyEnded => "reference.already_ended",
            },
        )
    })?;
    Ok(day)
}

// ---------------------------------------------------------------------------------------------
// What every rule table shares: validity dates on lists, the edit page, the end form, and
// the add and edit forms of the tables with ids

/// A row with validity dates.
trait Dated {
    /// First day in force, and first day no longer in force.
    fn dates(&self) -> (Option<Date>, Option<Date>);
}

impl<T: Dated> Dated for &T {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (*self).dates()
    }
}

/// A list of rules: the status badge and the period of each row.
trait RuleList {
    fn ctx(&self) -> &PageContext;

    fn today(&self) -> Date;

    fn status(&self, row: &impl Dated) -> &'static str {
        let (from, to) = row.dates();
        status_key(from, to, self.today())
    }

    fn period(&self, row: &impl Dated) -> String {
        let (from, to) = row.dates();
        period(self.ctx(), from, to)
    }
}

/// A rule table as its edit page and end form see it: `edit_rule` and `end_rule` serve
/// every table.
trait RuleTable: Send + Sync + 'static {
    /// The path parameter naming a row: a code or an id.
    type Key: DeserializeOwned + Send + Sync;
    /// A row as read.
    type Row: Dated + Send + Sync;
    /// The edit page.
    type Page: IntoResponse + Send;
    /// The list the table's forms go back to.
    const LIST: &'static str;

    fn get(state: &AppState, key: &Self::Key) -> impl Future<Output = AppResult<Self::Row>> + Send;

    /// The edit page of `row`, with its values and `errors`.
    fn edit_page(
        state: &AppState,
        ctx: PageContext,
        row: &Self::Row,
        errors: FieldErrors,
    ) -> impl Future<Output = AppResult<Self::Page>> + Send;

    /// The end form of an edit page.
    fn end_box(page: &mut Self::Page) -> Option<&mut EndBox>;

    /// Ends `row` from `day`, and logs it.
    fn end(
        state: &AppState,
        row: &Self::Row,
        day: Date,
        by: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

/// A rule table with ids whose rows are added and edited through one form, checked against
/// the choices it offers.
trait RuleForm: RuleTable<Key = i64> {
    /// The form as typed.
    type Form: DeserializeOwned + Send;
    /// What the form offers.
    type Choices: Send;
    /// A row that passed the checks.
    type Valid: Send + Sync;

    fn choices(
        state: &AppState,
        form: &Self::Form,
    ) -> impl Future<Output = AppResult<Self::Choices>> + Send;

    fn validate(form: &Self::Form, choices: &Self::Choices) -> Result<Self::Valid, FieldErrors>;

    /// The form page; `editing` is the row being edited.
    fn form_page(
        ctx: PageContext,
        form: Self::Form,
        errors: FieldErrors,
        choices: Self::Choices,
        editing: Option<&Self::Row>,
    ) -> Self::Page;

    /// Adds the row (`id` `None`) or changes row `id`, and logs it; a database refusal is an
    /// `AppError::Conflict` with its message.
    fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &Self::Valid,
        by: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// The field a database refusal is shown by.
    fn conflict_field(key: &str) -> &'static str;

    /// What the success message names.
    fn legal_ref(valid: Self::Valid) -> String;
}

/// The id and end form of the row a form under `list` edits (`row`: its id and end).
fn editing_row(list: &str, row: Option<(i64, Option<Date>)>) -> Option<(i64, EndBox)> {
    row.map(|(id, valid_to)| (id, EndBox::new(format!("{list}/{id}/end"), valid_to)))
}

/// Where a form under `list` posts: row `id`'s edit path, or the path that adds a row.
fn form_action(list: &str, id: Option<i64>) -> String {
    match id {
        Some(id) => format!("{list}/{id}/edit"),
        None => format!("{list}/new"),
    }
}

/// The edit page of a rule form: `form` holds `row`'s values.
async fn rule_edit_page<R: RuleForm>(
    state: &AppState,
    ctx: PageContext,
    row: &R::Row,
    form: R::Form,
    errors: FieldErrors,
) -> AppResult<R::Page> {
    let choices = R::choices(state, &form).await?;
    Ok(R::form_page(ctx, form, errors, choices, Some(row)))
}

/// `GET …/new` of a rule form that starts empty.
async fn new_rule<R: RuleForm>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<R::Page>
where
    R::Form: Default,
{
    user.require(Permission::ManageReference)?;
    let form = R::Form::default();
    let choices = R::choices(&state, &form).await?;
    Ok(R::form_page(
        ctx,
        form,
        FieldErrors::default(),
        choices,
        None,
    ))
}

/// `GET …/{key}/edit`.
async fn edit_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(key): Path<R::Key>,
) -> AppResult<R::Page> {
    user.require(Permission::ManageReference)?;
    let row = R::get(&state, &key).await?;
    R::edit_page(&state, ctx, &row, FieldErrors::default()).await
}

/// `POST …/{key}/end`: the row is no longer in force from the day typed.
async fn end_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(key): Path<R::Key>,
    Form(end): Form<EndForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let row = R::get(&state, &key).await?;
    let (from, to) = row.dates();
    let day = match parse_end(&end, from, to) {
        Ok(day) => day,
        Err(errors) => {
            let mut page = R::edit_page(&state, ctx, &row, errors).await?;
            if let Some(end_box) = R::end_box(&mut page) {
                end_box.end_on = end.end_on;
            }
            return Ok(unprocessable(page));
        }
    };
    R::end(&state, &row, day, user.0.user_id).await?;
    Ok(saved(R::LIST, "reference.flash_ended", format::date(day)))
}

/// `POST …/new`.
async fn create_rule<R: RuleForm>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<R::Form>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    save_rule::<R>(&state, ctx, &user, None, form).await
}

/// `POST …/{id}/edit`.
async fn update_rule<R: RuleForm>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<R::Form>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let row = R::get(&state, &id).await?;
    save_rule::<R>(&state, ctx, &user, Some((id, row)), form).await
}

/// Checks and saves a rule form: back to the list, or the form again with 422.
async fn save_rule<R: RuleForm>(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    editing: Option<(i64, R::Row)>,
    form: R::Form,
) -> AppResult<Response> {
    let choices = R::choices(state, &form).await?;
    let row = editing.as_ref().map(|(_, row)| row);
    let valid = match R::validate(&form, &choices) {
        Ok(valid) => valid,
        Err(errors) => return Ok(unprocessable(R::form_page(ctx, form, errors, choices, row))),
    };
    let id = editing.as_ref().map(|(id, _)| *id);
    match R::save(state, id, &valid, user.0.user_id).await {
        Ok(()) => Ok(saved(R::LIST, "reference.flash_saved", R::legal_ref(valid))),
        Err(AppError::Conflict(key)) => Ok(unprocessable(R::form_page(
            ctx,
            form,
            one_error(R::conflict_field(key), key),
            choices,
            row,
        ))),
        Err(other) => Err(other),
    }
}

/// `RuleList` for list pages with `ctx` and `today` fields.
macro_rules! rule_lists {
    ($($page:ty),*) => {$(
        impl RuleList for $page {
            fn ctx(&self) -> &PageContext {
                &self.ctx
            }

            fn today(&self) -> Date {
                self.today
            }
        }
    )*};
}

rule_lists!(
    EntriesPage,
    CapsPage,
    DocumentsPage,
    AreasPage,
    criteria::CriteriaPage,
    advances::AdvancesPage,
    deadlines::DeadlinesPage,
    reporting::ReportingPage,
    adjustments::AdjustmentRulesPage,
    evidence::EvidencePage
);

// ---------------------------------------------------------------------------------------------
// Index

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/index.html")]
struct IndexPage {
    ctx: PageContext,
}

async fn index(ctx: PageContext, user: CurrentUser) -> AppResult<IndexPage> {
    user.require(Permission::ViewReference)?;
    Ok(IndexPage { ctx })
}

// ---------------------------------------------------------------------------------------------
// Sectors and activity types

/// Which of the two code-and-name tables a page is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    Sectors,
    ActivityTypes,
}

impl Table {
    const fn path(self) -> &'static str {
        match self {
            Self::Sectors => "/admin/reference/sectors",
            Self::ActivityTypes => "/admin/reference/activity-types",
        }
    }

    /// Where the form that adds a row is.
    fn new_path(self) -> String {
        format!("{}/new", self.path())
    }

    fn title_key(self) -> &'static str {
        match self {
            Self::Sectors => "reference.sectors_title",
            Self::ActivityTypes => "reference.activity_types_title",
        }
    }

    fn new_key(self) -> &'static str {
        match self {
            Self::Sectors => "reference.new_sector",
            Self::ActivityTypes => "reference.new_activity_type",
        }
    }

    fn has_group(self) -> bool {
        self == Self::ActivityTypes
    }

    fn pkey(self) -> &'static str {
        match self {
            Self::Sectors => "sectors_pkey",
            Self::ActivityTypes => "activity_types_pkey",
        }
    }

    async fn list(self, state: &AppState) -> AppResult<Vec<ReferenceEntry>> {
        match self {
            Self::Sectors => db::rules::list_sectors(&state.db).await,
            Self::ActivityTypes => db::rules::list_activity_types(&state.db).await,
        }
    }

    async fn get(self, state: &AppState, code: &str) -> AppResult<ReferenceEntry> {
        match self {
            Self::Sectors => db::rules::get_sector(&state.db, code).await,
            Self::ActivityTypes => db::rules::get_activity_type(&state.db, code).await,
        }
    }
}

/// A code-and-name table as a type, so that one generic handler serves both.
trait EntryTable: Send + Sync + 'static {
    const TABLE: Table;
}

/// Sectors.
struct Sectors;

impl EntryTable for Sectors {
    const TABLE: Table = Table::Sectors;
}

/// Activity types.
struct ActivityTypes;

impl EntryTable for ActivityTypes {
    const TABLE: Table = Table::ActivityTypes;
}

impl Dated for ReferenceEntry {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl<E: EntryTable> RuleTable for E {
    type Key = String;
    type Row = ReferenceEntry;
    type Page = EntryFormPage;
    const LIST: &'static str = E::TABLE.path();

    async fn get(state: &AppState, code: &String) -> AppResult<ReferenceEntry> {
        E::TABLE.get(state, code).await
    }

    async fn edit_page(
        _state: &AppState,
        ctx: PageContext,
        entry: &ReferenceEntry,
        errors: FieldErrors,
    ) -> AppResult<EntryFormPage> {
        Ok(EntryFormPage::edit(
            ctx,
            E::TABLE,
            EntryForm::of(entry),
            errors,
            entry,
        ))
    }

    fn end_box(page: &mut EntryFormPage) -> Option<&mut EndBox> {
        page.editing.as_mut()
    }

    async fn end(state: &AppState, entry: &ReferenceEntry, day: Date, by: i64) -> AppResult<()> {
        let table = E::TABLE;
        let row = match table {
            Table::Sectors => RuleRow::Sector(&entry.code),
            Table::ActivityTypes => RuleRow::ActivityType(&entry.code),
        };
        db::rules::end_rule(&state.db, row, day).await?;
        tracing::info!(code = %entry.code, by, ?table, "reference entry ended");
        Ok(())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/entries.html")]
struct EntriesPage {
    ctx: PageContext,
    table: Table,
    rows: Vec<ReferenceEntry>,
    can_manage: bool,
    today: Date,
}

impl EntriesPage {
    fn name(&self, row: &ReferenceEntry) -> String {
        row.name(self.ctx.lang).to_owned()
    }
}

async fn list_entries<E: EntryTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<EntriesPage> {
    user.require(Permission::ViewReference)?;
    Ok(EntriesPage {
        ctx,
        table: E::TABLE,
        rows: E::TABLE.list(&state).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The sector or activity-type form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct EntryForm {
    code: String,
    group_no: String,
    name_vi: String,
    name_en: String,
    #[serde(flatten)]
    basis: BasisForm,
    sort_order: String,
}

impl EntryForm {
    fn of(entry: &ReferenceEntry) -> Self {
        Self {
            code: entry.code.clone(),
            group_no: entry.group_no.map(|g| g.to_string()).unwrap_or_default(),
            name_vi: entry.name_vi.clone(),
            name_en: entry.name_en.clone(),
            basis: BasisForm::of(&entry.legal_ref, entry.valid_from, entry.valid_to),
            sort_order: entry.sort_order.to_string(),
        }
    }
}

/// A sector or activity type that passed the checks.
struct ValidEntry {
    code: String,
    group_no: i16,
    name_vi: String,
    name_en: String,
    basis: Basis,
    sort_order: i32,
}

impl ValidEntry {
    fn input(&self) -> EntryInput<'_> {
        EntryInput {
            code: &self.code,
            group_no: self.group_no,
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
            sort_order: self.sort_order,
        }
    }
}

fn validate_entry(
    form: &EntryForm,
    table: Table,
    code: Option<&str>,
) -> Result<ValidEntry, FieldErrors> {
    let mut errors = FieldErrors::default();
    let code = match code {
        Some(code) => Some(code.to_owned()),
        None => {
            let typed = form.code.trim();
            let ok = (1..=40).contains(&typed.len())
                && typed
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            errors.need(
                "code",
                "reference.code_invalid",
                ok.then(|| typed.to_owned()),
            )
        }
    };
    let group_no = if table.has_group() {
        errors.need(
            "group_no",
            "reference.group_invalid",
            form.group_no
                .trim()
                .parse::<i16>()
                .ok()
                .filter(|g| (1..=9).contains(g)),
        )
    } else {
        Some(0)
    };
    let (name_vi, name_en) = names(&form.name_vi, &form.name_en, NAME_MAX, &mut errors);
    let basis = form.basis.check(false, &mut errors);
    let sort_order = errors.need(
        "sort_order",
        "reference.sort_invalid",
        form.sort_order
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|s| (0..=100_000).contains(s)),
    );
    match (code, group_no, name_vi, name_en, basis, sort_order) {
        (
            Some(code),
            Some(group_no),
            Some(name_vi),
            Some(name_en),
            Some(basis),
            Some(sort_order),
        ) if errors.is_empty() => Ok(ValidEntry {
            code,
            group_no,
            name_vi,
            name_en,
            basis,
            sort_order,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/entry_form.html")]
struct EntryFormPage {
    ctx: PageContext,
    table: Table,
    form: EntryForm,
    errors: FieldErrors,
    /// Set when editing: the form posts there, and the end form is shown.
    editing: Option<EndBox>,
}

impl EntryFormPage {
    /// The edit page of `entry`, showing `form`.
    fn edit(
        ctx: PageContext,
        table: Table,
        form: EntryForm,
        errors: FieldErrors,
        entry: &ReferenceEntry,
    ) -> Self {
        Self {
            ctx,
            table,
            form,
            errors,
            editing: Some(EndBox::new(
                format!("{}/{}/end", table.path(), entry.code),
                entry.valid_to,
            )),
        }
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(_) => format!("{}/{}/edit", self.table.path(), self.form.code),
            None => self.table.new_path(),
        }
    }
}

async fn new_entry<E: EntryTable>(ctx: PageContext, user: CurrentUser) -> AppResult<EntryFormPage> {
    user.require(Permission::ManageReference)?;
    Ok(EntryFormPage {
        ctx,
        table: E::TABLE,
        form: EntryForm::default(),
        errors: FieldErrors::default(),
        editing: None,
    })
}

async fn create_entry<E: EntryTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<EntryForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let table = E::TABLE;
    let page = |form, errors| EntryFormPage {
        ctx,
        table,
        form,
        errors,
        editing: None,
    };
    let valid = match validate_entry(&form, table, None) {
        Ok(valid) => valid,
        Err(errors) => return Ok(unprocessable(page(form, errors))),
    };
    let result = match table {
        Table::Sectors => db::rules::insert_sector(&state.db, &valid.input()).await,
        Table::ActivityTypes => db::rules::insert_activity_type(&state.db, &valid.input()).await,
    }
    .on_constraint(table.pkey(), || AppError::Conflict("reference.code_taken"));
    match result {
        Ok(()) => {
            tracing::info!(code = %valid.code, by = user.0.user_id, ?table, "reference entry added");
            Ok(saved(table.path(), "reference.flash_saved", valid.code))
        }
        Err(AppError::Conflict(key)) => Ok(unprocessable(page(form, one_error("code", key)))),
        Err(other) => Err(other),
    }
}

async fn update_entry<E: EntryTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(mut form): Form<EntryForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let table = E::TABLE;
    let entry = table.get(&state, &code).await?;
    form.code = entry.code.clone();
    let valid = match validate_entry(&form, table, Some(&entry.code)) {
        Ok(valid) => valid,
        Err(errors) => {
            return Ok(unprocessable(EntryFormPage::edit(
                ctx, table, form, errors, &entry,
            )));
        }
    };
    match table {
        Table::Sectors => db::rules::update_sector(&state.db, &valid.input()).await?,
        Table::ActivityTypes => db::rules::update_activity_type(&state.db, &valid.input()).await?,
    }
    tracing::info!(code = %valid.code, by = user.0.user_id, ?table, "reference entry changed");
    Ok(saved(table.path(), "reference.flash_saved", valid.code))
}

// ---------------------------------------------------------------------------------------------
// Support caps

const CAPS: &str = "/admin/reference/caps";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/caps.html")]
struct CapsPage {
    ctx: PageContext,
    rows: Vec<CapRow>,
    provinces: Vec<UnitOption>,
    can_manage: bool,
    today: Date,
}

impl CapsPage {
    fn activity(&self, row: &CapRow) -> String {
        row.activity_name(self.ctx.lang).to_owned()
    }

    fn province(&self, code: &Option<String>) -> String {
        province_label(&self.ctx, &self.provinces, code.as_deref())
    }

    fn rule_text(&self, cap: &SupportCap) -> String {
        cap.explain(false).render(self.ctx.lang)
    }

    fn multiplied_text(&self, cap: &SupportCap) -> Option<String> {
        cap.rule
            .multiplier()
            .map(|_| cap.explain(true).render(self.ctx.lang))
    }

    fn level_key(&self, cap: &SupportCap) -> &'static str {
        cap.level.label_key()
    }
}

/// A province's name from `provinces`, its code if it is not among them, or "every
/// province".
fn province_label(ctx: &PageContext, provinces: &[UnitOption], code: Option<&str>) -> String {
    match code {
        None => ctx.t("reference.all_provinces").to_owned(),
        Some(code) => provinces
            .iter()
            .find(|p| p.code == code)
            .map_or_else(|| code.to_owned(), |p| p.full_name.clone()),
    }
}

async fn list_caps(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<CapsPage> {
    user.require(Permission::ViewReference)?;
    Ok(CapsPage {
        ctx,
        rows: db::rules::list_caps(&state.db).await?,
        provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The cap form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct CapForm {
    activity_type_code: String,
    level: String,
    province_code: String,
    percent: String,
    max_amount: String,
    cap_unit: String,
    multiplier: String,
    multiplier_label_vi: String,
    multiplier_label_en: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl CapForm {
    fn of(cap: &SupportCap, ctx: &PageContext) -> Self {
        let multiplier = cap.rule.multiplier();
        Self {
            activity_type_code: cap.activity_type_code.clone(),
            level: cap.level.code().to_owned(),
            province_code: cap.province_code.clone().unwrap_or_default(),
            percent: caps::format_percent(cap.rule.percent_bp(), ctx.lang),
            // Grouped as amounts are shown everywhere; `parse_amount` reads it back.
            max_amount: money::format_vnd(cap.rule.max_amount())
                .trim_end_matches(" ₫")
                .to_owned(),
            cap_unit: cap.rule.unit().code().to_owned(),
            multiplier: multiplier
                .map(|m| m.factor.display(ctx.lang))
                .unwrap_or_default(),
            multiplier_label_vi: multiplier.map(|m| m.label_vi.clone()).unwrap_or_default(),
            multiplier_label_en: multiplier.map(|m| m.label_en.clone()).unwrap_or_default(),
            basis: BasisForm::of(&cap.legal_ref, Some(cap.valid_from), cap.valid_to),
        }
    }
}

/// A cap rule that passed the checks.
struct ValidCap {
    activity_type_code: String,
    level: ProposalLevel,
    province_code: Option<String>,
    rule: CapRule,
    legal_ref: String,
    valid_from: Date,
    valid_to: Option<Date>,
}

impl ValidCap {
    fn input(&self) -> CapInput<'_> {
        CapInput {
            activity_type_code: &self.activity_type_code,
            level: self.level,
            province_code: self.province_code.as_deref(),
            rule: &self.rule,
            legal_ref: &self.legal_ref,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        }
    }
}

/// What the cap form offers.
struct CapChoices {
    activity_types: Vec<CodeOption>,
    provinces: Vec<UnitOption>,
}

impl CapChoices {
    async fn load(state: &AppState) -> AppResult<Self> {
        Ok(Self {
            activity_types: db::rules::activity_type_options(&state.db).await?,
            provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        })
    }
}

fn validate_cap(form: &CapForm, choices: &CapChoices) -> Result<ValidCap, FieldErrors> {
    let mut errors = FieldErrors::default();
    let activity = form.activity_type_code.trim();
    let activity = errors.need(
        "activity_type_code",
        "reference.activity_unknown",
        choices
            .activity_types
            .iter()
            .any(|a| a.code == activity)
            .then(|| activity.to_owned()),
    );
    let level = errors.need(
        "level",
        "reference.level_required",
        ProposalLevel::from_code(form.level.trim()),
    );
    let province = form.province_code.trim();
    let province = if province.is_empty() {
        Some(None)
    } else {
        errors
            .need(
                "province_code",
                "reference.province_unknown",
                choices
                    .provinces
                    .iter()
                    .any(|p| p.code == province)
                    .then(|| province.to_owned()),
            )
            .map(Some)
    };
    if level == Some(ProposalLevel::National) && matches!(province, Some(Some(_))) {
        errors.add("province_code", "reference.national_all_provinces");
    }
    let percent = errors.need(
        "percent",
        "reference.percent_invalid",
        caps::parse_percent(&form.percent),
    );
    let max_amount = errors.need(
        "max_amount",
        "reference.amount_invalid",
        caps::parse_amount(&form.max_amount),
    );
    let unit = errors.need(
        "cap_unit",
        "reference.unit_required",
        CapUnit::from_code(form.cap_unit.trim()),
    );
    let multiplier = cap_multiplier(form, &mut errors);
    let basis = form.basis.check(true, &mut errors);
    let rule = match (percent, max_amount, unit, multiplier) {
        (Some(percent), Some(max), Some(unit), Some(multiplier)) => {
            match CapRule::new(percent, max, unit, multiplier) {
                Ok(rule) => Some(rule),
                Err(RuleError::PercentOutOfRange) => {
                    errors.add("percent", "reference.percent_invalid");
                    None
                }
                Err(RuleError::NegativeMaximum) => {
                    errors.add("max_amount", "reference.amount_invalid");
                    None
                }
                Err(RuleError::MaximumTooLarge) => {
                    errors.add("multiplier", "reference.multiplier_too_large");
                    None
                }
            }
        }
        _ => None,
    };
    match (activity, level, province, rule, basis) {
        (
            Some(activity_type_code),
            Some(level),
            Some(province_code),
            Some(rule),
            Some(Basis {
                legal_ref,
                valid_from: Some(valid_from),
                valid_to,
            }),
        ) if errors.is_empty() => Ok(ValidCap {
            activity_type_code,
            level,
            province_code,
            rule,
            legal_ref,
            valid_from,
            valid_to,
        }),
        _ => Err(errors),
    }
}

/// The multiplier fields: all three empty (no multiplier) or all three given.
fn cap_multiplier(form: &CapForm, errors: &mut FieldErrors) -> Option<Option<CaseMultiplier>> {
    let typed = [
        &form.multiplier,
        &form.multiplier_label_vi,
        &form.multiplier_label_en,
    ];
    if typed.iter().all(|t| t.trim().is_empty()) {
        return Some(None);
    }
    let factor = errors.need(
        "multiplier",
        "reference.multiplier_invalid",
        caps::parse_multiplier(&form.multiplier),
    );
    let label_vi = errors.need(
        "multiplier_label_vi",
        "reference.multiplier_case_invalid",
        clean_text(&form.multiplier_label_vi, CASE_MAX),
    );
    let label_en = errors.need(
        "multiplier_label_en",
        "reference.multiplier_case_invalid",
        clean_text(&form.multiplier_label_en, CASE_MAX),
    );
    Some(Some(CaseMultiplier {
        factor: factor?,
        label_vi: label_vi?,
        label_en: label_en?,
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/cap_form.html")]
struct CapFormPage {
    ctx: PageContext,
    form: CapForm,
    errors: FieldErrors,
    activity_types: Vec<CodeOption>,
    provinces: Vec<UnitOption>,
    units: Vec<CapUnit>,
    /// Set when editing: the rule's id, its explanation, and the end form.
    editing: Option<(i64, String, EndBox)>,
}

impl CapFormPage {
    fn new(ctx: PageContext, form: CapForm, errors: FieldErrors, choices: CapChoices) -> Self {
        Self {
            ctx,
            form,
            errors,
            activity_types: choices.activity_types,
            provinces: choices.provinces,
            units: CapUnit::ALL.to_vec(),
            editing: None,
        }
    }

    fn editing(mut self, row: &CapRow) -> Self {
        self.editing = Some((
            row.cap.id,
            row.cap.explain(false).render(self.ctx.lang),
            EndBox::new(format!("{CAPS}/{}/end", row.cap.id), row.cap.valid_to),
        ));
        self
    }

    fn action(&self) -> String {
        match &self.editing {
            Some((id, _, _)) => format!("{CAPS}/{id}/edit"),
            None => format!("{CAPS}/new"),
        }
    }
}

async fn new_cap(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<CapFormPage> {
    user.require(Permission::ManageReference)?;
    let form = CapForm {
        level: ProposalLevel::Local.code().to_owned(),
        province_code: user.0.province_code.clone(),
        ..CapForm::default()
    };
    Ok(CapFormPage::new(
        ctx,
        form,
        FieldErrors::default(),
        CapChoices::load(&state).await?,
    ))
}

/// Support caps as a rule table.
struct Caps;

impl Dated for SupportCap {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (Some(self.valid_from), self.valid_to)
    }
}

impl Dated for CapRow {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        self.cap.dates()
    }
}

impl RuleTable for Caps {
    type Key = i64;
    type Row = CapRow;
    type Page = CapFormPage;
    const LIST: &'static str = CAPS;

    async fn get(state: &AppState, id: &i64) -> AppResult<CapRow> {
        db::rules::get_cap(&state.db, *id).await
    }

    async fn edit_page(
        state: &AppState,
        ctx: PageContext,
        row: &CapRow,
        errors: FieldErrors,
    ) -> AppResult<CapFormPage> {
        let form = CapForm::of(&row.cap, &ctx);
        let choices = CapChoices::load(state).await?;
        Ok(CapFormPage::new(ctx, form, errors, choices).editing(row))
    }

    fn end_box(page: &mut CapFormPage) -> Option<&mut EndBox> {
        page.editing.as_mut().map(|(_, _, end_box)| end_box)
    }

    async fn end(state: &AppState, row: &CapRow, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::SupportCap(row.cap.id), day).await?;
        tracing::info!(cap.id = row.cap.id, by, "support cap ended");
        Ok(())
    }
}

impl RuleForm for Caps {
    type Form = CapForm;
    type Choices = CapChoices;
    type Valid = ValidCap;

    async fn choices(state: &AppState, _form: &CapForm) -> AppResult<CapChoices> {
        CapChoices::load(state).await
    }

    fn validate(form: &CapForm, choices: &CapChoices) -> Result<ValidCap, FieldErrors> {
        validate_cap(form, choices)
    }

    fn form_page(
        ctx: PageContext,
        form: CapForm,
        errors: FieldErrors,
        choices: CapChoices,
        editing: Option<&CapRow>,
    ) -> CapFormPage {
        let page = CapFormPage::new(ctx, form, errors, choices);
        match editing {
            Some(row) => page.editing(row),
            None => page,
        }
    }

    async fn save(state: &AppState, id: Option<i64>, valid: &ValidCap, by: i64) -> AppResult<()> {
        let result = match id {
            Some(id) => db::rules::update_cap(&state.db, id, &valid.input())
                .await
                .map(|()| id),
            None => db::rules::insert_cap(&state.db, &valid.input(), by).await,
        };
        let id_saved = result
            .on_constraint("support_caps_scope_start_key", || {
                AppError::Conflict("reference.cap_duplicate")
            })
            .on_constraint("support_caps_activity_type_code_fkey", || {
                AppError::Conflict("reference.activity_unknown")
            })?;
        if id.is_some() {
            tracing::info!(cap.id = id_saved, by, "support cap changed");
        } else {
            tracing::info!(cap.id = id_saved, by, "support cap added");
        }
        Ok(())
    }

    fn conflict_field(key: &str) -> &'static str {
        match key {
            "reference.activity_unknown" => "activity_type_code",
            _ => "valid_from",
        }
    }

    fn legal_ref(valid: ValidCap) -> String {
        valid.legal_ref
    }
}

// ---------------------------------------------------------------------------------------------
// Required documents

const DOCUMENTS: &str = "/admin/reference/required-documents";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/documents.html")]
struct DocumentsPage {
    ctx: PageContext,
    rows: Vec<RequiredDocument>,
    can_manage: bool,
    today: Date,
}

impl DocumentsPage {
    fn activity(&self, row: &RequiredDocument) -> String {
        row.activity_name(self.ctx.lang).to_owned()
    }

    fn kind(&self, row: &RequiredDocument) -> String {
        row.kind_name(self.ctx.lang).to_owned()
    }
}

async fn list_documents(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<DocumentsPage> {
    user.require(Permission::ViewReference)?;
    Ok(DocumentsPage {
        ctx,
        rows: db::rules::list_required_documents(&state.db).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The required-document form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct DocumentForm {
    activity_type_code: String,
    document_kind_code: String,
    /// `required` or `recommended`.
    requirement: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl DocumentForm {
    fn of(row: &RequiredDocument) -> Self {
        Self {
            activity_type_code: row.activity_type_code.clone(),
            document_kind_code: row.document_kind_code.clone(),
            requirement: if row.required {
                "required"
            } else {
                "recommended"
            }
            .to_owned(),
            basis: BasisForm::of(&row.legal_ref, row.valid_from, row.valid_to),
        }
    }
}

/// A required-document row that passed the checks.
struct ValidDocument {
    activity_type_code: String,
    document_kind_code: String,
    required: bool,
    basis: Basis,
}

impl ValidDocument {
    fn input(&self) -> RequiredDocumentInput<'_> {
        RequiredDocumentInput {
            activity_type_code: &self.activity_type_code,
            document_kind_code: &self.document_kind_code,
            required: self.required,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

/// What the required-document form offers.
struct DocumentChoices {
    activity_types: Vec<CodeOption>,
    kinds: Vec<CodeOption>,
}

impl DocumentChoices {
    async fn load(state: &AppState) -> AppResult<Self> {
        Ok(Self {
            activity_types: db::rules::activity_type_options(&state.db).await?,
            kinds: db::rules::document_kind_options(&state.db).await?,
        })
    }
}

fn validate_document(
    form: &DocumentForm,
    choices: &DocumentChoices,
) -> Result<ValidDocument, FieldErrors> {
    let mut errors = FieldErrors::default();
    let known = |options: &[CodeOption], code: &str| {
        options
            .iter()
            .any(|o| o.code == code)
            .then(|| code.to_owned())
    };
    let activity = errors.need(
        "activity_type_code",
        "reference.activity_unknown",
        known(&choices.activity_types, form.activity_type_code.trim()),
    );
    let kind = errors.need(
        "document_kind_code",
        "reference.document_kind_unknown",
        known(&choices.kinds, form.document_kind_code.trim()),
    );
    let required = errors.need(
        "requirement",
        "reference.requirement_required",
        match form.requirement.trim() {
            "required" => Some(true),
            "recommended" => Some(false),
            _ => None,
        },
    );
    let basis = form.basis.check(false, &mut errors);
    match (activity, kind, required, basis) {
        (Some(activity_type_code), Some(document_kind_code), Some(required), Some(basis))
            if errors.is_empty() =>
        {
            Ok(ValidDocument {
                activity_type_code,
                document_kind_code,
                required,
                basis,
            })
        }
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/document_form.html")]
struct DocumentFormPage {
    ctx: PageContext,
    form: DocumentForm,
    errors: FieldErrors,
    activity_types: Vec<CodeOption>,
    kinds: Vec<CodeOption>,
    editing: Option<(i64, EndBox)>,
}

impl DocumentFormPage {
    fn new(
        ctx: PageContext,
        form: DocumentForm,
        errors: FieldErrors,
        choices: DocumentChoices,
    ) -> Self {
        Self {
            ctx,
            form,
            errors,
            activity_types: choices.activity_types,
            kinds: choices.kinds,
            editing: None,
        }
    }

    fn editing(mut self, row: &RequiredDocument) -> Self {
        self.editing = Some((
            row.id,
            EndBox::new(format!("{DOCUMENTS}/{}/end", row.id), row.valid_to),
        ));
        self
    }

    fn action(&self) -> String {
        match &self.editing {
            Some((id, _)) => format!("{DOCUMENTS}/{id}/edit"),
            None => format!("{DOCUMENTS}/new"),
        }
    }
}

async fn new_document(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<DocumentFormPage> {
    user.require(Permission::ManageReference)?;
    let form = DocumentForm {
        requirement: "required".into(),
        ..DocumentForm::default()
    };
    Ok(DocumentFormPage::new(
        ctx,
        form,
        FieldErrors::default(),
        DocumentChoices::load(&state).await?,
    ))
}

/// Required documents as a rule table.
struct Documents;

impl Dated for RequiredDocument {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Documents {
    type Key = i64;
    type Row = RequiredDocument;
    type Page = DocumentFormPage;
    const LIST: &'static str = DOCUMENTS;

    async fn get(state: &AppState, id: &i64) -> AppResult<RequiredDocument> {
        db::rules::get_required_document(&state.db, *id).await
    }

    async fn edit_page(
        state: &AppState,
        ctx: PageContext,
        row: &RequiredDocument,
        errors: FieldErrors,
    ) -> AppResult<DocumentFormPage> {
        let choices = DocumentChoices::load(state).await?;
        Ok(DocumentFormPage::new(ctx, DocumentForm::of(row), errors, choices).editing(row))
    }

    fn end_box(page: &mut DocumentFormPage) -> Option<&mut EndBox> {
        page.editing.as_mut().map(|(_, end_box)| end_box)
    }

    async fn end(state: &AppState, row: &RequiredDocument, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::RequiredDocument(row.id), day).await?;
        tracing::info!(required_document.id = row.id, by, "required document ended");
        Ok(())
    }
}

impl RuleForm for Documents {
    type Form = DocumentForm;
    type Choices = DocumentChoices;
    type Valid = ValidDocument;

    async fn choices(state: &AppState, _form: &DocumentForm) -> AppResult<DocumentChoices> {
        DocumentChoices::load(state).await
    }

    fn validate(
        form: &DocumentForm,
        choices: &DocumentChoices,
    ) -> Result<ValidDocument, FieldErrors> {
        validate_document(form, choices)
    }

    fn form_page(
        ctx: PageContext,
        form: DocumentForm,
        errors: FieldErrors,
        choices: DocumentChoices,
        editing: Option<&RequiredDocument>,
    ) -> DocumentFormPage {
        let page = DocumentFormPage::new(ctx, form, errors, choices);
        match editing {
            Some(row) => page.editing(row),
            None => page,
        }
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidDocument,
        by: i64,
    ) -> AppResult<()> {
        let result = match id {
            Some(id) => db::rules::update_required_document(&state.db, id, &valid.input()).await,
            None => db::rules::insert_required_document(&state.db, &valid.input(), by)
                .await
                .map(|_| ()),
        };
        result
            .on_constraint("required_documents_start_key", || {
                AppError::Conflict("reference.document_duplicate")
            })
            .on_constraint("required_documents_activity_type_code_fkey", || {
                AppError::Conflict("reference.activity_unknown")
            })
            .on_constraint("required_documents_document_kind_code_fkey", || {
                AppError::Conflict("reference.document_kind_unknown")
            })?;
        match id {
            Some(id) => tracing::info!(required_document.id = id, by, "required document changed"),
            None => tracing::info!(by, "required document added"),
        }
        Ok(())
    }

    fn conflict_field(key: &str) -> &'static str {
        match key {
            "reference.activity_unknown" => "activity_type_code",
            "reference.document_kind_unknown" => "document_kind_code",
            _ => "valid_from",
        }
    }

    fn legal_ref(valid: ValidDocument) -> String {
        valid.basis.legal_ref
    }
}

// ---------------------------------------------------------------------------------------------
// Priority areas

const AREAS: &str = "/admin/reference/priority-areas";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/areas.html")]
struct AreasPage {
    ctx: PageContext,
    rows: Vec<PriorityArea>,
    pager: Pager,
    can_manage: bool,
    today: Date,
}

async fn list_areas(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
) -> AppResult<AreasPage> {
    user.require(Permission::ViewReference)?;
    let (limit, offset) = page.limit_offset();
    let (rows, total) = db::rules::list_priority_areas(&state.db, limit, offset).await?;
    Ok(AreasPage {
        ctx,
        rows,
        pager: Pager::new(&page, total),
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// `?province=19`: the province whose communes the unit picker lists.
#[derive(Debug, Default, Deserialize)]
struct ProvinceQuery {
    province: Option<String>,
}

/// The priority-area form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct AreaForm {
    province: String,
    /// A commune's id, or empty for the whole province.
    unit_id: String,
    kind: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl AreaForm {
    fn of(area: &PriorityArea) -> Self {
        Self {
            province: area.province_code.clone(),
            unit_id: if area.is_province {
                String::new()
            } else {
                area.unit_id.to_string()
            },
            kind: area.kind.code().to_owned(),
            basis: BasisForm::of(&area.legal_ref, area.valid_from, area.valid_to),
        }
    }
}

/// The picker's choices: the provinces in force today, and the communes of the chosen one.
struct AreaChoices {
    provinces: Vec<UnitOption>,
    communes: Vec<UnitOption>,
}

impl AreaChoices {
    /// The choices for `province`; an unknown province lists no communes.
    async fn load(state: &AppState, province: &str) -> AppResult<Self> {
        let on = today();
        let provinces = db::rules::provinces_in_force(&state.db, on).await?;
        let communes = if provinces.iter().any(|p| p.code == province) {
            db::rules::communes_in_force(&state.db, province, on).await?
        } else {
            Vec::new()
        };
        Ok(Self {
            provinces,
            communes,
        })
    }
}

/// A priority-area row that passed the checks.
struct ValidArea {
    unit_id: i64,
    kind: PriorityAreaKind,
    basis: Basis,
}

impl ValidArea {
    fn input(&self) -> PriorityAreaInput<'_> {
        PriorityAreaInput {
            unit_id: self.unit_id,
            kind: self.kind,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

fn validate_area(form: &AreaForm, choices: &AreaChoices) -> Result<ValidArea, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province = choices
        .provinces
        .iter()
        .find(|p| p.code == form.province.trim());
    let unit_id = match (province, form.unit_id.trim()) {
        (None, _) => None,
        (Some(p), "") => Some(p.id),
        (Some(_), commune) => commune
            .parse::<i64>()
            .ok()
            .filter(|id| choices.communes.iter().any(|c| c.id == *id)),
    };
    let unit_id = errors.need("unit_id", "reference.unit_unknown", unit_id);
    let kind = errors.need(
        "kind",
        "reference.priority_kind_required",
        PriorityAreaKind::from_code(form.kind.trim()),
    );
    let basis = form.basis.check(false, &mut errors);
    match (unit_id, kind, basis) {
        (Some(unit_id), Some(kind), Some(basis)) if errors.is_empty() => Ok(ValidArea {
            unit_id,
            kind,
            basis,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/area_form.html")]
struct AreaFormPage {
    ctx: PageContext,
    form: AreaForm,
    errors: FieldErrors,
    provinces: Vec<UnitOption>,
    communes: Vec<UnitOption>,
    kinds: Vec<PriorityAreaKind>,
    editing: Option<(i64, EndBox)>,
}

impl AreaFormPage {
    fn new(ctx: PageContext, form: AreaForm, errors: FieldErrors, choices: AreaChoices) -> Self {
        Self {
            ctx,
            form,
            errors,
            provinces: choices.provinces,
            communes: choices.communes,
            kinds: PriorityAreaKind::ALL.to_vec(),
            editing: None,
        }
    }

    fn editing(mut self, row: &PriorityArea) -> Self {
        self.editing = Some((
            row.id,
            EndBox::new(format!("{AREAS}/{}/end", row.id), row.valid_to),
        ));
        self
    }

    fn action(&self) -> String {
        match &self.editing {
            Some((id, _)) => format!("{AREAS}/{id}/edit"),
            None => format!("{AREAS}/new"),
        }
    }
}

/// The province of `?province=`, else `fallback`; an unknown code is a bad request.
fn chosen_province(query: &ProvinceQuery, fallback: &str) -> AppResult<String> {
    match query.province.as_deref().map(str::trim) {
        None | Some("") => Ok(fallback.to_owned()),
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(code.to_owned())
        }
        Some(_) => Err(AppError::BadRequest("error.bad_filter")),
    }
}

async fn new_area(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<ProvinceQuery>,
) -> AppResult<AreaFormPage> {
    user.require(Permission::ManageReference)?;
    let province = chosen_province(&query, &user.0.province_code)?;
    let choices = AreaChoices::load(&state, &province).await?;
    let form = AreaForm {
        province,
        ..AreaForm::default()
    };
    Ok(AreaFormPage::new(
        ctx,
        form,
        FieldErrors::default(),
        choices,
    ))
}

async fn edit_area(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<ProvinceQuery>,
) -> AppResult<AreaFormPage> {
    user.require(Permission::ManageReference)?;
    let row = db::rules::get_priority_area(&state.db, id).await?;
    let mut form = AreaForm::of(&row);
    let province = chosen_province(&query, &row.province_code)?;
    if province != form.province {
        // Another province was picked: its communes, and no commune chosen yet.
        form.province = province;
        form.unit_id.clear();
    }
    let choices = AreaChoices::load(&state, &form.province).await?;
    Ok(AreaFormPage::new(ctx, form, FieldErrors::default(), choices).editing(&row))
}

/// Priority areas as a rule table.
struct Areas;

impl Dated for PriorityArea {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Areas {
    type Key = i64;
    type Row = PriorityArea;
    type Page = AreaFormPage;
    const LIST: &'static str = AREAS;

    async fn get(state: &AppState, id: &i64) -> AppResult<PriorityArea> {
        db::rules::get_priority_area(&state.db, *id).await
    }

    async fn edit_page(
        state: &AppState,
        ctx: PageContext,
        row: &PriorityArea,
        errors: FieldErrors,
    ) -> AppResult<AreaFormPage> {
        let form = AreaForm::of(row);
        let choices = AreaChoices::load(state, &form.province).await?;
        Ok(AreaFormPage::new(ctx, form, errors, choices).editing(row))
    }

    fn end_box(page: &mut AreaFormPage) -> Option<&mut EndBox> {
        page.editing.as_mut().map(|(_, end_box)| end_box)
    }

    async fn end(state: &AppState, row: &PriorityArea, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::PriorityArea(row.id), day).await?;
        tracing::info!(priority_area.id = row.id, by, "priority area ended");
        Ok(())
    }
}

impl RuleForm for Areas {
    type Form = AreaForm;
    type Choices = AreaChoices;
    type Valid = ValidArea;

    async fn choices(state: &AppState, form: &AreaForm) -> AppResult<AreaChoices> {
        AreaChoices::load(state, form.province.trim()).await
    }

    fn validate(form: &AreaForm, choices: &AreaChoices) -> Result<ValidArea, FieldErrors> {
        validate_area(form, choices)
    }

    fn form_page(
        ctx: PageContext,
        form: AreaForm,
        errors: FieldErrors,
        choices: AreaChoices,
        editing: Option<&PriorityArea>,
    ) -> AreaFormPage {
        let page = AreaFormPage::new(ctx, form, errors, choices);
        match editing {
            Some(row) => page.editing(row),
            None => page,
        }
    }

    async fn save(state: &AppState, id: Option<i64>, valid: &ValidArea, by: i64) -> AppResult<()> {
        let result = match id {
            Some(id) => db::rules::update_priority_area(&state.db, id, &valid.input()).await,
            None => db::rules::insert_priority_area(&state.db, &valid.input(), by)
                .await
                .map(|_| ()),
        };
        result.on_constraint("priority_areas_start_key", || {
            AppError::Conflict("reference.area_duplicate")
        })?;
        match id {
            Some(id) => tracing::info!(priority_area.id = id, by, "priority area changed"),
            None => tracing::info!(unit.id = valid.unit_id, by, "priority area added"),
        }
        Ok(())
    }

    fn conflict_field(_key: &str) -> &'static str {
        "valid_from"
    }

    fn legal_ref(valid: ValidArea) -> String {
        valid.basis.legal_ref
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn text_refuses_control_characters_and_excess() {
        assert_eq!(clean_text("  Điều 8  ", 10), Some("Điều 8".into()));
        assert_eq!(clean_text("a\0b", 10), None);
        assert_eq!(clean_text("", 10), None);
        assert_eq!(clean_text(&"x".repeat(11), 10), None);
    }

    #[test]
    fn validity_fields_need_an_end_after_the_start() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            validity("2026-01-01", "", true, &mut errors),
            Some((Some(date!(2026 - 01 - 01)), None))
        );
        assert!(validity("", "", true, &mut errors).is_none());
        assert_eq!(errors.get("valid_from"), Some("reference.date_required"));
        let mut errors = FieldErrors::default();
        assert!(validity("2026-01-01", "2025-01-01", false, &mut errors).is_none());
        assert_eq!(errors.get("valid_to"), Some("reference.ends_before_start"));
        let mut errors = FieldErrors::default();
        assert!(validity("soon", "", false, &mut errors).is_none());
        assert_eq!(errors.get("valid_from"), Some("reference.date_invalid"));
    }

    #[test]
    fn a_row_is_ended_future_or_in_force() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(
            status_key(None, Some(today), today),
            "reference.status_ended"
        );
        assert_eq!(
            status_key(Some(date!(2027 - 01 - 01)), None, today),
            "reference.status_future"
        );
        assert_eq!(status_key(None, None, today), "reference.status_in_force");
    }
}
