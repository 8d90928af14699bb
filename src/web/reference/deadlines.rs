//! The national registration deadline, under `/admin/reference/national-deadlines`: the day
//! the Department's national proposals for a plan year must reach the Ministry (20 June of
//! the year before by default, Thông tư 17/2018/TT-BCT), per province when it differs. The
//! national plan page shows and warns about the deadline of the rule in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use time::Date;

use super::{
    Basis, BasisForm, Dated, EndBox, Need as _, RuleList as _, RuleTable, editing_row, form_action,
    optional_code, province_label, today,
};
use crate::db;
use crate::db::national::{DeadlineInput, DeadlineRow};
use crate::db::rules::{RuleRow, UnitOption};
use crate::domain::funding::DeadlineRule;
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const DEADLINES: &str = "/admin/reference/national-deadlines";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/deadlines.html")]
pub(super) struct DeadlinesPage {
    pub(super) ctx: PageContext,
    rows: Vec<DeadlineRow>,
    provinces: Vec<UnitOption>,
    can_manage: bool,
    pub(super) today: Date,
}

impl DeadlinesPage {
    fn province(&self, row: &DeadlineRow) -> String {
        province_label(&self.ctx, &self.provinces, row.province_code.as_deref())
    }

    /// "20/6 của năm trước năm kế hoạch".
    fn deadline(&self, row: &DeadlineRow) -> String {
        let year_key = if row.year_offset < 0 {
            "reference.deadline_year_before"
        } else {
            "reference.deadline_plan_year"
        };
        format!("{}/{} {}", row.day, row.month, self.ctx.t(year_key))
    }
}

/// `GET /admin/reference/national-deadlines`.
pub(super) async fn list_deadlines(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<DeadlinesPage> {
    user.require(Permission::ViewReference)?;
    Ok(DeadlinesPage {
        ctx,
        rows: db::national::list_deadlines(&state.db).await?,
        provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The deadline form as typed.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub(super) struct DeadlineForm {
    province_code: String,
    day: String,
    month: String,
    /// "-1" (the year before the plan year) or "0".
    year_offset: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl Default for DeadlineForm {
    fn default() -> Self {
        Self {
            province_code: String::new(),
            day: String::new(),
            month: String::new(),
            year_offset: "-1".to_owned(),
            basis: BasisForm::default(),
        }
    }
}

impl DeadlineForm {
    fn of(row: &DeadlineRow) -> Self {
        Self {
            province_code: row.province_code.clone().unwrap_or_default(),
            day: row.day.to_string(),
            month: row.month.to_string(),
            year_offset: row.year_offset.to_string(),
            basis: BasisForm::of(&row.legal_ref, row.valid_from, row.valid_to),
        }
    }
}

/// A deadline rule that passed the checks.
pub(super) struct ValidDeadline {
    province_code: Option<String>,
    rule: DeadlineRule,
    basis: Basis,
}

impl ValidDeadline {
    fn input(&self) -> DeadlineInput<'_> {
        DeadlineInput {
            province_code: self.province_code.as_deref(),
            rule: self.rule,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

fn validate(form: &DeadlineForm, provinces: &[UnitOption]) -> Result<ValidDeadline, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province_code = optional_code(
        &form.province_code,
        provinces.iter().map(|p| p.code.as_str()),
        "province_code",
        "reference.province_unknown",
        &mut errors,
    );
    let number = |value: &str| value.trim().parse::<u8>().ok();
    let offset = match form.year_offset.trim() {
        "-1" => Some(-1),
        "0" => Some(0),
        _ => None,
    };
    let offset = errors.need("year_offset", "reference.deadline_year_invalid", offset);
    let rule = match (number(&form.month), number(&form.day), offset) {
        (Some(month), Some(day), Some(offset)) => DeadlineRule::new(month, day, offset),
        _ => None,
    };
    let rule = errors.need("day", "reference.deadline_day_invalid", rule);
    let basis = form.basis.check(false, &mut errors);
    match (province_code, rule, basis) {
        (Some(province_code), Some(rule), Some(basis)) if errors.is_empty() => Ok(ValidDeadline {
            province_code,
            rule,
            basis,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/deadline_form.html")]
pub(super) struct DeadlineFormPage {
    ctx: PageContext,
    form: DeadlineForm,
    errors: FieldErrors,
    provinces: Vec<UnitOption>,
    pub(super) editing: Option<(i64, EndBox)>,
}

impl DeadlineFormPage {
    fn new(
        ctx: PageContext,
        form: DeadlineForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&DeadlineRow>,
    ) -> Self {
        Self {
            ctx,
            form,
            errors,
            provinces,
            editing: editing_row(DEADLINES, editing.map(|row| (row.id, row.valid_to))),
        }
    }

    fn action(&self) -> String {
        form_action(DEADLINES, self.editing.as_ref().map(|(id, _)| *id))
    }
}

/// Deadline rules as a rule table.
pub(super) struct Deadlines;

impl Dated for DeadlineRow {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Deadlines {
    type Key = i64;
    type Row = DeadlineRow;
    type Page = DeadlineFormPage;
    const LIST: &'static str = DEADLINES;

    async fn get(state: &AppState, id: &i64) -> AppResult<DeadlineRow> {
        db::national::get_deadline(&state.db, *id).await
    }

    fn form_of(row: &DeadlineRow, _ctx: &PageContext) -> DeadlineForm {
        DeadlineForm::of(row)
    }

    async fn end(state: &AppState, row: &DeadlineRow, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::NationalDeadline(row.id), day).await?;
        tracing::info!(deadline.id = row.id, by, "national deadline rule ended");
        Ok(())
    }
    type Form = DeadlineForm;
    type Choices = Vec<UnitOption>;
    type Valid = ValidDeadline;

    async fn choices(state: &AppState, _form: &DeadlineForm) -> AppResult<Vec<UnitOption>> {
        db::rules::provinces_in_force(&state.db, today()).await
    }

    fn validate(
        form: &DeadlineForm,
        provinces: &Vec<UnitOption>,
        _id: Option<&i64>,
    ) -> Result<ValidDeadline, FieldErrors> {
        validate(form, provinces)
    }

    fn form_page(
        ctx: PageContext,
        form: DeadlineForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&DeadlineRow>,
    ) -> DeadlineFormPage {
        DeadlineFormPage::new(ctx, form, errors, provinces, editing)
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidDeadline,
        by: i64,
    ) -> AppResult<()> {
        let result = match id {
            Some(id) => db::national::update_deadline(&state.db, id, &valid.input()).await,
            None => db::national::insert_deadline(&state.db, &valid.input()).await,
        };
        result.on_constraint("national_deadlines_start_key", || {
            AppError::Conflict("reference.deadline_duplicate")
        })?;
        match id {
            Some(id) => tracing::info!(deadline.id = id, by, "national deadline rule changed"),
            None => tracing::info!(by, "national deadline rule added"),
        }
        Ok(())
    }

    fn flash_name(valid: ValidDeadline) -> String {
        valid.basis.legal_ref
    }
}
