//! Priority areas, under `/admin/reference/priority-areas`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use time::Date;

use super::*;
use crate::db;
use crate::db::rules::{PriorityArea, PriorityAreaInput, RuleRow, UnitOption};
use crate::domain::caps::PriorityAreaKind;
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;
use crate::web::pagination::{PageQuery, Pager};

// ---------------------------------------------------------------------------------------------
// Priority areas

pub(super) const AREAS: &str = "/admin/reference/priority-areas";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/areas.html")]
pub(super) struct AreasPage {
    pub(super) ctx: PageContext,
    rows: Vec<PriorityArea>,
    pager: Pager,
    can_manage: bool,
    pub(super) today: Date,
}

pub(super) async fn list_areas(
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
pub(super) struct ProvinceQuery {
    province: Option<String>,
}

/// The priority-area form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AreaForm {
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
pub(super) struct AreaChoices {
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
pub(super) struct ValidArea {
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

pub(super) fn validate_area(
    form: &AreaForm,
    choices: &AreaChoices,
) -> Result<ValidArea, FieldErrors> {
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
pub(super) struct AreaFormPage {
    ctx: PageContext,
    form: AreaForm,
    errors: FieldErrors,
    provinces: Vec<UnitOption>,
    communes: Vec<UnitOption>,
    kinds: Vec<PriorityAreaKind>,
    pub(super) editing: Option<(i64, EndBox)>,
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
pub(super) fn chosen_province(query: &ProvinceQuery, fallback: &str) -> AppResult<String> {
    match query.province.as_deref().map(str::trim) {
        None | Some("") => Ok(fallback.to_owned()),
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(code.to_owned())
        }
        Some(_) => Err(AppError::BadRequest("error.bad_filter")),
    }
}

pub(super) async fn new_area(
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

pub(super) async fn edit_area(
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
pub(super) struct Areas;

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

    fn form_of(row: &PriorityArea, _ctx: &PageContext) -> AreaForm {
        AreaForm::of(row)
    }

    async fn end(state: &AppState, row: &PriorityArea, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::PriorityArea(row.id), day).await?;
        tracing::info!(priority_area.id = row.id, by, "priority area ended");
        Ok(())
    }
    type Form = AreaForm;
    type Choices = AreaChoices;
    type Valid = ValidArea;

    async fn choices(state: &AppState, form: &AreaForm) -> AppResult<AreaChoices> {
        AreaChoices::load(state, form.province.trim()).await
    }

    fn validate(
        form: &AreaForm,
        choices: &AreaChoices,
        _id: Option<&i64>,
    ) -> Result<ValidArea, FieldErrors> {
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

    fn flash_name(valid: ValidArea) -> String {
        valid.basis.legal_ref
    }
}
