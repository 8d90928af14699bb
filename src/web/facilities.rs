//! Facilities: the registry (list, register, edit) and a facility's page with its eligibility
//! check and every proposal and amount of support it ever had.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::pagination::{PageQuery, Pager};
use crate::db;
use crate::db::facilities::{
    FacilityDetail, FacilityFilters, FacilityInput, FacilitySummary, RepeatedItem, UnitOption,
};
use crate::db::proposals::ProposalSummary;
use crate::domain::facility::{self, EligibilityFacts, Finding, LegalForm};
use crate::domain::policy::Permission;
use crate::domain::role::Role;
use crate::domain::{input, money};
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;

/// Routes: `/facilities`, `/facilities/new`, `/facilities/{id}`, `/facilities/{id}/edit`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/facilities", get(list))
        .route("/facilities/new", get(new_form).post(create))
        .route("/facilities/{id}", get(show))
        .route("/facilities/{id}/edit", get(edit_form).post(update))
}

/// The list's query: search, filters, sort (its export, `web::export`, reads the same).
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    sort: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "facilities/list.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<FacilitySummary>,
    pager: Pager,
    query: ListQuery,
    sectors: Vec<(String, String, String)>,
    units: Vec<UnitOption>,
    may_register: bool,
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
    Query(query): Query<ListQuery>,
) -> AppResult<ListPage> {
    user.require(Permission::ViewFacilities)?;
    let sectors = db::facilities::sector_options(&state.db).await?;
    let filters = query.filters(&state, &sectors).await?;
    let (limit, offset) = page.limit_offset();
    let (rows, total) =
        db::facilities::list(&state.db, &user.scope(), &filters, limit, offset).await?;
    let pager = Pager::new(&page, total).keeping(&[
        ("q", &query.q),
        ("sector", &query.sector),
        ("unit", &query.unit),
        ("sort", &query.sort),
    ]);
    let units = area_units(&state, &user).await?;
    let may_register = user.require(Permission::RegisterFacility).is_ok();
    Ok(ListPage {
        ctx,
        rows,
        pager,
        query,
        sectors,
        units,
        may_register,
    })
}

impl ListQuery {
    /// The filters, or a 400 for a value no form of ours sends (`sectors`: those offered).
    pub(super) async fn filters(
        &self,
        state: &AppState,
        sectors: &[(String, String, String)],
    ) -> AppResult<FacilityFilters> {
        let sector_code = non_empty(&self.sector);
        if sector_code
            .as_ref()
            .is_some_and(|c| !sectors.iter().any(|(code, _, _)| code == c))
        {
            return Err(AppError::BadRequest("error.bad_filter"));
        }
        let unit_id = match non_empty(&self.unit) {
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| AppError::BadRequest("error.bad_filter"))?,
            ),
            None => None,
        };
        Ok(FacilityFilters {
            query: db::search::tsquery(&state.db, &self.q).await?,
            sector_code,
            unit_id,
            sort: if self.sort == "newest" {
                "newest".into()
            } else {
                "name".into()
            },
        })
    }
}

fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The communes this user may register facilities in (and filter by).
async fn area_units(state: &AppState, user: &CurrentUser) -> AppResult<Vec<UnitOption>> {
    db::facilities::commune_options(&state.db, &user.0.province_code, user.0.area_unit_id).await
}

/// The facility form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
struct FacilityForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_form: String,
    #[serde(default)]
    tax_code: String,
    #[serde(default)]
    business_registration: String,
    #[serde(default)]
    owner_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address_detail: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    sector_code: String,
    #[serde(default)]
    main_products: String,
    #[serde(default)]
    workers: String,
    #[serde(default)]
    annual_revenue: String,
    #[serde(default)]
    capital: String,
    women_owned: Option<String>,
    ethnic_minority_owned: Option<String>,
    typical_product: Option<String>,
    exports: Option<String>,
    local_raw_materials: Option<String>,
    fired_brick_kiln: Option<String>,
    #[serde(default)]
    version: String,
}

impl FacilityForm {
    fn from_detail(f: &FacilityDetail) -> Self {
        let flag = |on: bool| on.then(|| "on".to_owned());
        Self {
            name: f.name.clone(),
            legal_form: f.legal_form.code().into(),
            tax_code: f.tax_code.clone(),
            business_registration: f.business_registration.clone(),
            owner_name: f.owner_name.clone(),
            phone: f.phone.clone().unwrap_or_default(),
            email: f.email.clone().unwrap_or_default(),
            address_detail: f.address_detail.clone(),
            unit_id: f.unit_id.to_string(),
            sector_code: f.sector_code.clone(),
            main_products: f.main_products.clone(),
            workers: f.workers.to_string(),
            annual_revenue: money::format_plain(f.annual_revenue),
            capital: money::format_plain(f.capital),
            women_owned: flag(f.women_owned),
            ethnic_minority_owned: flag(f.ethnic_minority_owned),
            typical_product: flag(f.typical_product),
            exports: flag(f.exports),
            local_raw_materials: flag(f.local_raw_materials),
            fired_brick_kiln: flag(f.fired_brick_kiln),
            version: f.version.to_string(),
        }
    }

    /// Checks every field; the validated facility, or the mistakes.
    fn parse(
        &self,
        units: &[UnitOption],
        sectors: &[(String, String, String)],
    ) -> Result<FacilityInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.required("name", &self.name, 300);
        let legal_form = LegalForm::from_code(self.legal_form.trim());
        if legal_form.is_none() {
            errors.add("legal_form", "input.required");
        }
        let tax_code = facility::parse_tax_code(&self.tax_code);
        if tax_code.is_none() {
            errors.add("tax_code", "facility.tax_code_invalid");
        }
        let business_registration =
            errors.text("business_registration", &self.business_registration, 100);
        let owner_name = errors.required("owner_name", &self.owner_name, 200);
        let phone = errors.text("phone", &self.phone, 20);
        if !phone.is_empty()
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +.-".contains(c))
        {
            errors.add("phone", "facility.phone_invalid");
        }
        let email = errors.text("email", &self.email, 254);
        if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
            errors.add("email", "facility.email_invalid");
        }
        let address_detail = errors.text("address_detail", &self.address_detail, 300);
        let unit_id = self
            .unit_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| units.iter().any(|u| u.id == *id));
        if unit_id.is_none() {
            errors.add("unit_id", "facility.unit_required");
        }
        let sector_code = self.sector_code.trim().to_owned();
        if !sectors.iter().any(|(code, _, _)| *code == sector_code) {
            errors.add("sector_code", "input.required");
        }
        let main_products = errors.text("main_products", &self.main_products, 1000);
        let workers = errors.whole("workers", &self.workers, 0, 1_000_000);
        let annual_revenue = errors.money("annual_revenue", &self.annual_revenue);
        let capital = errors.money("capital", &self.capital);
        let (Some(legal_form), Some(tax_code), Some(unit_id), true) =
            (legal_form, tax_code, unit_id, errors.is_empty())
        else {
            return Err(errors);
        };
        let unit_name = units
            .iter()
            .find(|u| u.id == unit_id)
            .map_or("", |u| u.full_name.as_str());
        let search_text =
            db::search::facility_text(&name, &tax_code, &owner_name, &main_products, unit_name);
        Ok(FacilityInput {
            name,
            legal_form,
            tax_code,
            business_registration,
            owner_name,
            phone: (!phone.is_empty()).then_some(phone),
            email: (!email.is_empty()).then_some(email),
            address_detail,
            unit_id,
            sector_code,
            main_products,
            workers: i32::try_from(workers).unwrap_or(i32::MAX),
            annual_revenue,
            capital,
            women_owned: input::checked(self.women_owned.as_deref()),
            ethnic_minority_owned: input::checked(self.ethnic_minority_owned.as_deref()),
            typical_product: input::checked(self.typical_product.as_deref()),
            exports: input::checked(self.exports.as_deref()),
            local_raw_materials: input::checked(self.local_raw_materials.as_deref()),
            fired_brick_kiln: input::checked(self.fired_brick_kiln.as_deref()),
            search_text,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "facilities/form.html")]
struct FormPage {
    ctx: PageContext,
    /// `None` when registering, the facility's id when editing.
    id: Option<i64>,
    form: FacilityForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    sectors: Vec<(String, String, String)>,
    legal_forms: Vec<LegalForm>,
    /// A facility with the same tax code, found when registering.
    duplicate: Option<(i64, String)>,
    /// The form was based on an older version of the record.
    stale: bool,
}

impl FormPage {
    async fn new(
        state: &AppState,
        ctx: PageContext,
        user: &CurrentUser,
        id: Option<i64>,
        form: FacilityForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        Ok(Self {
            ctx,
            id,
            form,
            errors,
            units: area_units(state, user).await?,
            sectors: db::facilities::sector_options(&state.db).await?,
            legal_forms: LegalForm::ALL.to_vec(),
            duplicate: None,
            stale: false,
        })
    }

    fn checked(&self, value: &Option<String>) -> bool {
        input::checked(value.as_deref())
    }
}

async fn new_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<FormPage> {
    user.require(Permission::RegisterFacility)?;
    FormPage::new(
        &state,
        ctx,
        &user,
        None,
        FacilityForm::default(),
        FieldErrors::default(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<FacilityForm>,
) -> AppResult<Response> {
    user.require(Permission::RegisterFacility)?;
    let mut page = FormPage::new(&state, ctx, &user, None, form, FieldErrors::default()).await?;
    let input = match page.form.parse(&page.units, &page.sectors) {
        Ok(input) => input,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if let Some(existing) = db::facilities::find_by_tax_code(&state.db, &input.tax_code).await? {
        page.errors.add("tax_code", "facility.tax_code_taken");
        page.duplicate = Some(existing);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.db.begin().await?;
    let inserted = db::facilities::insert(&mut tx, &user.0.province_code, &input, user.0.user_id)
        .await
        .on_constraint("facilities_tax_code_key", || {
            AppError::Conflict("facility.tax_code_taken")
        });
    let id = match inserted {
        Ok(id) => id,
        // Registered by someone else a moment ago.
        Err(AppError::Conflict(key)) => {
            page.errors.add("tax_code", key);
            page.duplicate = db::facilities::find_by_tax_code(&state.db, &input.tax_code).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other),
    };
    tx.commit().await?;
    tracing::info!(
        facility.id = id,
        user.id = user.0.user_id,
        "facility registered"
    );
    Ok((
        Flash::success("flash.facility_registered").with(input.name),
        Redirect::to(&format!("/facilities/{id}")),
    )
        .into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<FormPage> {
    user.require(Permission::RegisterFacility)?;
    let facility = db::facilities::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    FormPage::new(
        &state,
        ctx,
        &user,
        Some(id),
        FacilityForm::from_detail(&facility),
        FieldErrors::default(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<FacilityForm>,
) -> AppResult<Response> {
    user.require(Permission::RegisterFacility)?;
    let current = db::facilities::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut page =
        FormPage::new(&state, ctx, &user, Some(id), form, FieldErrors::default()).await?;
    let input = match page.form.parse(&page.units, &page.sectors) {
        Ok(input) => input,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if let Some(existing) = db::facilities::find_by_tax_code(&state.db, &input.tax_code).await?
        && existing.0 != id
    {
        page.errors.add("tax_code", "facility.tax_code_taken");
        page.duplicate = Some(existing);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.db.begin().await?;
    let saved = db::facilities::update(&mut tx, id, version, &input)
        .await
        .on_constraint("facilities_tax_code_key", || {
            AppError::Conflict("facility.tax_code_taken")
        })?;
    if !saved {
        // Someone saved since this form was opened: show the current record, keep nothing.
        drop(tx);
        page.stale = true;
        page.form.version = current.version.to_string();
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    db::facilities::touch_proposals_search(&mut tx, id).await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.facility_saved"),
        Redirect::to(&format!("/facilities/{id}")),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "facilities/show.html")]
struct ShowPage {
    ctx: PageContext,
    facility: FacilityDetail,
    sector_name: String,
    findings: Vec<Finding>,
    eligible: bool,
    /// The proposals the facility benefits from.
    rows: Vec<ProposalSummary>,
    support_total: i64,
    repeated: Vec<RepeatedItem>,
    plain: bool,
    may_edit: bool,
    may_propose: bool,
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ShowPage> {
    user.require(Permission::ViewFacilities)?;
    let facility = db::facilities::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = db::proposals::for_facility(&state.db, facility.id).await?;
    let support = db::facilities::support_received(&state.db, facility.id).await?;
    let support_total =
        money::checked_sum(support.iter().map(|s| s.approved_support)).unwrap_or(i64::MAX);
    let repeated = db::facilities::repeated_items(&state.db, facility.id).await?;
    let sectors = db::facilities::sector_options(&state.db).await?;
    let sector_name = sectors
        .into_iter()
        .find(|(code, _, _)| *code == facility.sector_code)
        .map(|(_, vi, en)| {
            if ctx.lang == crate::i18n::Lang::En {
                en
            } else {
                vi
            }
        })
        .unwrap_or_default();
    let findings = facility::eligibility(&EligibilityFacts {
        legal_form: facility.legal_form,
        sector_code: &facility.sector_code,
        workers: facility.workers,
        annual_revenue: facility.annual_revenue,
        capital: facility.capital,
        fired_brick_kiln: facility.fired_brick_kiln,
        unit_kind: &facility.unit_kind,
        in_central_city: facility.in_central_city,
    });
    let eligible = facility::is_eligible(&findings);
    let plain = user.0.role == Role::FacilityOwner;
    let may_edit = user.require(Permission::RegisterFacility).is_ok();
    let may_propose = user.require(Permission::CreateProposal).is_ok() && eligible;
    Ok(ShowPage {
        ctx,
        facility,
        sector_name,
        findings,
        eligible,
        rows,
        support_total,
        repeated,
        plain,
        may_edit,
        may_propose,
    })
}
