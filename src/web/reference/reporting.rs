//! The progress reporting rule, under `/admin/reference/reporting`: the day of the month a
//! month's progress report is late from (the 25th by default, Thông tư 36/2013/TT-BCT,
//! Điều 23.3.a), per province when it differs. The progress pages, the monitoring list and
//! the daily reminders use the rule in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use time::Date;

use super::{
    Basis, BasisForm, Dated, EndBox, RuleList as _, RuleTable, editing_row, form_action,
    optional_code, province_label, today,
};
use crate::db;
use crate::db::progress::{RuleInput, RuleRowData};
use crate::db::rules::{RuleRow, UnitOption};
use crate::domain::policy::Permission;
use crate::domain::progress::ReportingRule;
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const REPORTING: &str = "/admin/reference/reporting";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/reporting.html")]
pub(super) struct ReportingPage {
    pub(super) ctx: PageContext,
    rows: Vec<RuleRowData>,
    provinces: Vec<UnitOption>,
    can_manage: bool,
    pub(super) today: Date,
}

impl ReportingPage {
    fn province(&self, row: &RuleRowData) -> String {
        province_label(&self.ctx, &self.provinces, row.province_code.as_deref())
    }
}

/// `GET /admin/reference/reporting`.
pub(super) async fn list_reporting(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<ReportingPage> {
    user.require(Permission::ViewReference)?;
    Ok(ReportingPage {
        ctx,
        rows: db::progress::list_rules(&state.db).await?,
        provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The reporting rule form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReportingForm {
    province_code: String,
    due_day: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl ReportingForm {
    fn of(row: &RuleRowData) -> Self {
        Self {
            province_code: row.province_code.clone().unwrap_or_default(),
            due_day: row.due_day.to_string(),
            basis: BasisForm::of(&row.legal_ref, row.valid_from, row.valid_to),
        }
    }
}

/// A reporting rule that passed the checks.
pub(super) struct ValidReporting {
    province_code: Option<String>,
    rule: ReportingRule,
    basis: Basis,
}

impl ValidReporting {
    fn input(&self) -> RuleInput<'_> {
        RuleInput {
            province_code: self.province_code.as_deref(),
            rule: self.rule,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

fn validate(form: &ReportingForm, provinces: &[UnitOption]) -> Result<ValidReporting, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province_code = optional_code(
        &form.province_code,
        provinces.iter().map(|p| p.code.as_str()),
        "province_code",
        "reference.province_unknown",
        &mut errors,
    );
    let rule = errors
        .check("due_day", crate::domain::input::whole(&form.due_day, 1, 28))
        .and_then(|d| u8::try_from(d).ok())
        .map(|due_day| ReportingRule { due_day });
    if form.due_day.trim().is_empty() {
        errors.add("due_day", "input.required");
    }
    let basis = form.basis.check(false, &mut errors);
    match (province_code, rule, basis) {
        (Some(province_code), Some(rule), Some(basis)) if errors.is_empty() => Ok(ValidReporting {
            province_code,
            rule,
            basis,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/reporting_form.html")]
pub(super) struct ReportingFormPage {
    ctx: PageContext,
    form: ReportingForm,
    errors: FieldErrors,
    provinces: Vec<UnitOption>,
    pub(super) editing: Option<(i64, EndBox)>,
}

impl ReportingFormPage {
    fn new(
        ctx: PageContext,
        form: ReportingForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&RuleRowData>,
    ) -> Self {
        Self {
            ctx,
            form,
            errors,
            provinces,
            editing: editing_row(REPORTING, editing.map(|row| (row.id, row.valid_to))),
        }
    }

    fn action(&self) -> String {
        form_action(REPORTING, self.editing.as_ref().map(|(id, _)| *id))
    }
}

/// Reporting rules as a rule table.
pub(super) struct Reporting;

impl Dated for RuleRowData {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Reporting {
    type Key = i64;
    type Row = RuleRowData;
    type Page = ReportingFormPage;
    const LIST: &'static str = REPORTING;

    async fn get(state: &AppState, id: &i64) -> AppResult<RuleRowData> {
        db::progress::get_rule(&state.db, *id).await
    }

    fn form_of(row: &RuleRowData, _ctx: &PageContext) -> ReportingForm {
        ReportingForm::of(row)
    }

    async fn end(state: &AppState, row: &RuleRowData, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::ProgressRule(row.id), day).await?;
        tracing::info!(progress_rule.id = row.id, by, "reporting rule ended");
        Ok(())
    }
    type Form = ReportingForm;
    type Choices = Vec<UnitOption>;
    type Valid = ValidReporting;

    async fn choices(state: &AppState, _form: &ReportingForm) -> AppResult<Vec<UnitOption>> {
        db::rules::provinces_in_force(&state.db, today()).await
    }

    fn validate(
        form: &ReportingForm,
        provinces: &Vec<UnitOption>,
        _id: Option<&i64>,
    ) -> Result<ValidReporting, FieldErrors> {
        validate(form, provinces)
    }

    fn form_page(
        ctx: PageContext,
        form: ReportingForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&RuleRowData>,
    ) -> ReportingFormPage {
        ReportingFormPage::new(ctx, form, errors, provinces, editing)
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidReporting,
        by: i64,
    ) -> AppResult<()> {
        db::progress::save_rule(&state.db, id, &valid.input())
            .await
            .on_constraint("progress_rules_start_key", || {
                AppError::Conflict("reference.reporting_duplicate")
            })?;
        match id {
            Some(id) => tracing::info!(progress_rule.id = id, by, "reporting rule changed"),
            None => tracing::info!(by, "reporting rule added"),
        }
        Ok(())
    }

    fn flash_name(valid: ValidReporting) -> String {
        valid.basis.legal_ref
    }
}
