//! Appraisal criteria as rules, under `/admin/reference/criteria`: Decree 45's five criteria
//! (Thông tư 36/2013/TT-BCT Art. 9) with their weights by default, replaced per province and
//! period by a set of the province's own. A criterion a final record was scored on is ended
//! and replaced, not edited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use time::Date;

use super::{
    Basis, BasisForm, Dated, EndBox, Need as _, RuleList as _, RuleTable, editing_row, form_action,
    names, optional_code, province_label, today,
};
use crate::db;
use crate::db::appraisals::{CriterionInput, CriterionRow};
use crate::db::rules::{RuleRow, UnitOption};
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const CRITERIA: &str = "/admin/reference/criteria";
const NAME_MAX: usize = 300;
const GUIDANCE_MAX: usize = 2000;

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/criteria.html")]
pub(super) struct CriteriaPage {
    pub(super) ctx: PageContext,
    rows: Vec<CriterionRow>,
    provinces: Vec<UnitOption>,
    can_manage: bool,
    pub(super) today: Date,
}

impl CriteriaPage {
    fn province(&self, row: &CriterionRow) -> String {
        province_label(&self.ctx, &self.provinces, row.province_code.as_deref())
    }

    fn name<'a>(&self, row: &'a CriterionRow) -> &'a str {
        if self.ctx.lang == crate::i18n::Lang::En {
            &row.name_en
        } else {
            &row.name_vi
        }
    }
}

/// `GET /admin/reference/criteria`.
pub(super) async fn list_criteria(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<CriteriaPage> {
    user.require(Permission::ViewReference)?;
    Ok(CriteriaPage {
        ctx,
        rows: db::appraisals::list_criteria(&state.db).await?,
        provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The criterion form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CriterionForm {
    province_code: String,
    position: String,
    code: String,
    name_vi: String,
    name_en: String,
    guidance_vi: String,
    guidance_en: String,
    max_points: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl CriterionForm {
    fn of(row: &CriterionRow) -> Self {
        Self {
            province_code: row.province_code.clone().unwrap_or_default(),
            position: row.position.to_string(),
            code: row.code.clone(),
            name_vi: row.name_vi.clone(),
            name_en: row.name_en.clone(),
            guidance_vi: row.guidance_vi.clone(),
            guidance_en: row.guidance_en.clone(),
            max_points: row.max_points.to_string(),
            basis: BasisForm::of(&row.legal_ref, row.valid_from, row.valid_to),
        }
    }
}

/// A criterion that passed the checks.
pub(super) struct ValidCriterion {
    province_code: Option<String>,
    position: i16,
    code: String,
    name_vi: String,
    name_en: String,
    guidance_vi: String,
    guidance_en: String,
    max_points: i16,
    basis: Basis,
}

impl ValidCriterion {
    fn input(&self) -> CriterionInput<'_> {
        CriterionInput {
            province_code: self.province_code.as_deref(),
            position: self.position,
            code: &self.code,
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            guidance_vi: &self.guidance_vi,
            guidance_en: &self.guidance_en,
            max_points: self.max_points,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

fn validate(form: &CriterionForm, provinces: &[UnitOption]) -> Result<ValidCriterion, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province_code = optional_code(
        &form.province_code,
        provinces.iter().map(|p| p.code.as_str()),
        "province_code",
        "reference.province_unknown",
        &mut errors,
    );
    let position = errors
        .check(
            "position",
            crate::domain::input::whole(&form.position, 1, 50),
        )
        .and_then(|p| i16::try_from(p).ok());
    let code = form.code.trim();
    let code = errors.need(
        "code",
        "reference.code_invalid",
        (!code.is_empty()
            && code.len() <= 40
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .then(|| code.to_owned()),
    );
    let (name_vi, name_en) = names(&form.name_vi, &form.name_en, NAME_MAX, &mut errors);
    let guidance_vi = errors.text("guidance_vi", &form.guidance_vi, GUIDANCE_MAX);
    let guidance_en = errors.text("guidance_en", &form.guidance_en, GUIDANCE_MAX);
    let max_points = errors
        .check(
            "max_points",
            crate::domain::input::whole(&form.max_points, 1, 100),
        )
        .and_then(|p| i16::try_from(p).ok());
    if form.max_points.trim().is_empty() {
        errors.add("max_points", "input.required");
    }
    let basis = form.basis.check(false, &mut errors);
    match (
        province_code,
        position,
        code,
        name_vi,
        name_en,
        max_points,
        basis,
    ) {
        (
            Some(province_code),
            Some(position),
            Some(code),
            Some(name_vi),
            Some(name_en),
            Some(max_points),
            Some(basis),
        ) if errors.is_empty() => Ok(ValidCriterion {
            province_code,
            position,
            code,
            name_vi,
            name_en,
            guidance_vi,
            guidance_en,
            max_points,
            basis,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/criterion_form.html")]
pub(super) struct CriterionFormPage {
    ctx: PageContext,
    form: CriterionForm,
    errors: FieldErrors,
    provinces: Vec<UnitOption>,
    pub(super) editing: Option<(i64, EndBox)>,
}

impl CriterionFormPage {
    fn new(
        ctx: PageContext,
        form: CriterionForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&CriterionRow>,
    ) -> Self {
        Self {
            ctx,
            form,
            errors,
            provinces,
            editing: editing_row(CRITERIA, editing.map(|row| (row.id, row.valid_to))),
        }
    }

    fn action(&self) -> String {
        form_action(CRITERIA, self.editing.as_ref().map(|(id, _)| *id))
    }
}

/// Appraisal criteria as a rule table.
pub(super) struct Criteria;

impl Dated for CriterionRow {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Criteria {
    type Key = i64;
    type Row = CriterionRow;
    type Page = CriterionFormPage;
    const LIST: &'static str = CRITERIA;

    async fn get(state: &AppState, id: &i64) -> AppResult<CriterionRow> {
        db::appraisals::get_criterion(&state.db, *id).await
    }

    fn form_of(row: &CriterionRow, _ctx: &PageContext) -> CriterionForm {
        CriterionForm::of(row)
    }

    async fn end(state: &AppState, row: &CriterionRow, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::AppraisalCriterion(row.id), day).await?;
        tracing::info!(criterion.id = row.id, by, "appraisal criterion ended");
        Ok(())
    }
    type Form = CriterionForm;
    type Choices = Vec<UnitOption>;
    type Valid = ValidCriterion;

    async fn choices(state: &AppState, _form: &CriterionForm) -> AppResult<Vec<UnitOption>> {
        db::rules::provinces_in_force(&state.db, today()).await
    }

    fn validate(
        form: &CriterionForm,
        provinces: &Vec<UnitOption>,
        _id: Option<&i64>,
    ) -> Result<ValidCriterion, FieldErrors> {
        validate(form, provinces)
    }

    fn form_page(
        ctx: PageContext,
        form: CriterionForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&CriterionRow>,
    ) -> CriterionFormPage {
        CriterionFormPage::new(ctx, form, errors, provinces, editing)
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidCriterion,
        by: i64,
    ) -> AppResult<()> {
        let result = match id {
            Some(id) if db::appraisals::criterion_in_use(&state.db, id).await? => {
                Err(AppError::Conflict("reference.criterion_in_use"))
            }
            Some(id) => db::appraisals::update_criterion(&state.db, id, &valid.input()).await,
            None => db::appraisals::insert_criterion(&state.db, &valid.input())
                .await
                .map(|_| ()),
        };
        result.on_constraint("appraisal_criteria_start_key", || {
            AppError::Conflict("reference.criterion_duplicate")
        })?;
        match id {
            Some(id) => tracing::info!(criterion.id = id, by, "appraisal criterion changed"),
            None => tracing::info!(by, "appraisal criterion added"),
        }
        Ok(())
    }

    fn conflict_field(key: &str) -> &'static str {
        match key {
            "reference.criterion_in_use" => "max_points",
            _ => "code",
        }
    }

    fn flash_name(valid: ValidCriterion) -> String {
        valid.basis.legal_ref
    }
}
