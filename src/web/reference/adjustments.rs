//! Who decides each kind of adjustment, under `/admin/reference/adjustments`: the Department
//! or the top level (Thông tư 36/2013/TT-BCT Art. 11 by default), per province when its own
//! regulation differs. A request copies the rule in force on its day; a rule a request copied
//! is ended, not edited.

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
use crate::db::adjustments::{RuleInput, RuleRowData};
use crate::db::rules::{RuleRow, UnitOption};
use crate::domain::adjustment::{AdjustmentKind, AdjustmentLevel};
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const ADJUSTMENTS: &str = "/admin/reference/adjustments";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/adjustments.html")]
pub(super) struct AdjustmentRulesPage {
    pub(super) ctx: PageContext,
    rows: Vec<RuleRowData>,
    provinces: Vec<UnitOption>,
    can_manage: bool,
    pub(super) today: Date,
}

impl AdjustmentRulesPage {
    fn province(&self, row: &RuleRowData) -> String {
        province_label(&self.ctx, &self.provinces, row.province_code.as_deref())
    }
}

/// `GET /admin/reference/adjustments`.
pub(super) async fn list_adjustment_rules(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<AdjustmentRulesPage> {
    user.require(Permission::ViewReference)?;
    Ok(AdjustmentRulesPage {
        ctx,
        rows: db::adjustments::list_rules(&state.db).await?,
        provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The rule form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AdjustmentRuleForm {
    province_code: String,
    kind: String,
    level: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl AdjustmentRuleForm {
    fn of(row: &RuleRowData) -> Self {
        Self {
            province_code: row.province_code.clone().unwrap_or_default(),
            kind: row.kind.code().to_owned(),
            level: row.level.code().to_owned(),
            basis: BasisForm::of(&row.legal_basis, row.valid_from, row.valid_to),
        }
    }

    fn kind_is(&self, kind: &AdjustmentKind) -> bool {
        self.kind == kind.code()
    }

    fn level_is(&self, level: &AdjustmentLevel) -> bool {
        self.level == level.code()
    }
}

/// A rule that passed the checks.
pub(super) struct ValidAdjustmentRule {
    province_code: Option<String>,
    kind: AdjustmentKind,
    level: AdjustmentLevel,
    basis: Basis,
}

impl ValidAdjustmentRule {
    fn input(&self) -> RuleInput<'_> {
        RuleInput {
            province_code: self.province_code.as_deref(),
            kind: self.kind,
            level: self.level,
            legal_basis: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

fn validate(
    form: &AdjustmentRuleForm,
    provinces: &[UnitOption],
) -> Result<ValidAdjustmentRule, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province_code = optional_code(
        &form.province_code,
        provinces.iter().map(|p| p.code.as_str()),
        "province_code",
        "reference.province_unknown",
        &mut errors,
    );
    let kind = AdjustmentKind::from_code(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "input.required");
    }
    let level = AdjustmentLevel::from_code(form.level.trim());
    if level.is_none() {
        errors.add("level", "input.required");
    }
    let basis = form.basis.check(false, &mut errors);
    match (province_code, kind, level, basis) {
        (Some(province_code), Some(kind), Some(level), Some(basis)) if errors.is_empty() => {
            Ok(ValidAdjustmentRule {
                province_code,
                kind,
                level,
                basis,
            })
        }
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/adjustment_form.html")]
pub(super) struct AdjustmentRuleFormPage {
    ctx: PageContext,
    form: AdjustmentRuleForm,
    errors: FieldErrors,
    provinces: Vec<UnitOption>,
    pub(super) editing: Option<(i64, EndBox)>,
}

impl AdjustmentRuleFormPage {
    fn action(&self) -> String {
        form_action(ADJUSTMENTS, self.editing.as_ref().map(|(id, _)| *id))
    }
}

/// Adjustment rules as a rule table.
pub(super) struct Adjustments;

impl Dated for RuleRowData {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Adjustments {
    type Key = i64;
    type Row = RuleRowData;
    type Page = AdjustmentRuleFormPage;
    const LIST: &'static str = ADJUSTMENTS;

    async fn get(state: &AppState, id: &i64) -> AppResult<RuleRowData> {
        db::adjustments::get_rule(&state.db, *id).await
    }

    fn form_of(row: &RuleRowData, _ctx: &PageContext) -> AdjustmentRuleForm {
        AdjustmentRuleForm::of(row)
    }

    async fn end(state: &AppState, row: &RuleRowData, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::AdjustmentRule(row.id), day).await?;
        tracing::info!(adjustment_rule.id = row.id, by, "adjustment rule ended");
        Ok(())
    }
    type Form = AdjustmentRuleForm;
    type Choices = Vec<UnitOption>;
    type Valid = ValidAdjustmentRule;

    async fn choices(state: &AppState, _form: &AdjustmentRuleForm) -> AppResult<Vec<UnitOption>> {
        db::rules::provinces_in_force(&state.db, today()).await
    }

    fn validate(
        form: &AdjustmentRuleForm,
        provinces: &Vec<UnitOption>,
        _id: Option<&i64>,
    ) -> Result<ValidAdjustmentRule, FieldErrors> {
        validate(form, provinces)
    }

    fn form_page(
        ctx: PageContext,
        form: AdjustmentRuleForm,
        errors: FieldErrors,
        provinces: Vec<UnitOption>,
        editing: Option<&RuleRowData>,
    ) -> AdjustmentRuleFormPage {
        AdjustmentRuleFormPage {
            ctx,
            form,
            errors,
            provinces,
            editing: editing_row(ADJUSTMENTS, editing.map(|row| (row.id, row.valid_to))),
        }
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidAdjustmentRule,
        by: i64,
    ) -> AppResult<()> {
        if let Some(id) = id
            && db::adjustments::rule_in_use(&state.db, id).await?
        {
            return Err(AppError::Conflict("reference.adjustment_rule_in_use"));
        }
        db::adjustments::save_rule(&state.db, id, &valid.input()).await?;
        match id {
            Some(id) => tracing::info!(adjustment_rule.id = id, by, "adjustment rule changed"),
            None => tracing::info!(by, "adjustment rule added"),
        }
        Ok(())
    }

    fn conflict_field(_key: &str) -> &'static str {
        "level"
    }

    fn flash_name(valid: ValidAdjustmentRule) -> String {
        valid.basis.legal_ref
    }
}
