//! Advance rules, under `/admin/reference/advances`: how much of the approved support a
//! contract may advance and from what progress (70% and 70% by default, Thông tư 36/2013 and
//! Thông tư liên tịch 26/2014), per province and activity type when a province decides
//! otherwise. A contract copies the terms of the rule in force on its signing day; a rule a
//! contract copied is ended and replaced, not edited.

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
use crate::db::contracts::{AdvanceRuleInput, AdvanceRuleRow};
use crate::db::rules::{CodeOption, RuleRow, UnitOption};
use crate::domain::policy::Permission;
use crate::domain::{format, input};
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const ADVANCES: &str = "/admin/reference/advances";

/// What the rule forms offer: provinces and activity types.
pub(super) struct Choices {
    provinces: Vec<UnitOption>,
    activity_types: Vec<CodeOption>,
}

impl Choices {
    async fn load(state: &AppState) -> AppResult<Self> {
        Ok(Self {
            provinces: db::rules::provinces_in_force(&state.db, today()).await?,
            activity_types: db::rules::activity_type_options(&state.db).await?,
        })
    }

    /// An activity type's name, or "every type".
    fn activity_type(&self, ctx: &PageContext, code: Option<&str>) -> String {
        match code {
            None => ctx.t("reference.all_activity_types").to_owned(),
            Some(code) => self
                .activity_types
                .iter()
                .find(|t| t.code == code)
                .map_or_else(|| code.to_owned(), |t| t.name(ctx.lang).to_owned()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/advances.html")]
pub(super) struct AdvancesPage {
    pub(super) ctx: PageContext,
    rows: Vec<AdvanceRuleRow>,
    choices: Choices,
    can_manage: bool,
    pub(super) today: Date,
}

impl AdvancesPage {
    fn province(&self, row: &AdvanceRuleRow) -> String {
        province_label(
            &self.ctx,
            &self.choices.provinces,
            row.province_code.as_deref(),
        )
    }

    fn activity_type(&self, row: &AdvanceRuleRow) -> String {
        self.choices
            .activity_type(&self.ctx, row.activity_type_code.as_deref())
    }

    fn percent(&self, bp: &i32) -> String {
        self.ctx.percent(&u32::try_from(*bp).unwrap_or(0))
    }
}

/// `GET /admin/reference/advances`.
pub(super) async fn list_advances(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<AdvancesPage> {
    user.require(Permission::ViewReference)?;
    Ok(AdvancesPage {
        ctx,
        rows: db::contracts::list_advance_rules(&state.db).await?,
        choices: Choices::load(&state).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The advance rule form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AdvanceForm {
    province_code: String,
    activity_type_code: String,
    share: String,
    threshold: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl AdvanceForm {
    fn of(row: &AdvanceRuleRow, lang: crate::i18n::Lang) -> Self {
        let percent = |bp: i32| format::format_percent(u32::try_from(bp).unwrap_or(0), lang);
        Self {
            province_code: row.province_code.clone().unwrap_or_default(),
            activity_type_code: row.activity_type_code.clone().unwrap_or_default(),
            share: percent(row.share_bp),
            threshold: percent(row.threshold_bp),
            basis: BasisForm::of(&row.legal_ref, row.valid_from, row.valid_to),
        }
    }
}

/// An advance rule that passed the checks.
pub(super) struct ValidAdvance {
    province_code: Option<String>,
    activity_type_code: Option<String>,
    share_bp: i32,
    threshold_bp: i32,
    basis: Basis,
}

impl ValidAdvance {
    fn input(&self) -> AdvanceRuleInput<'_> {
        AdvanceRuleInput {
            province_code: self.province_code.as_deref(),
            activity_type_code: self.activity_type_code.as_deref(),
            share_bp: self.share_bp,
            threshold_bp: self.threshold_bp,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

fn validate(form: &AdvanceForm, choices: &Choices) -> Result<ValidAdvance, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province_code = optional_code(
        &form.province_code,
        choices.provinces.iter().map(|p| p.code.as_str()),
        "province_code",
        "reference.province_unknown",
        &mut errors,
    );
    let activity_type_code = optional_code(
        &form.activity_type_code,
        choices.activity_types.iter().map(|t| t.code.as_str()),
        "activity_type_code",
        "reference.activity_unknown",
        &mut errors,
    );
    let mut percent = |field, value: &str| {
        errors
            .need(
                field,
                "reference.percent_invalid",
                input::parse_percent(value),
            )
            .and_then(|bp| i32::try_from(bp).ok())
    };
    let share_bp = percent("share", &form.share);
    let threshold_bp = percent("threshold", &form.threshold);
    let basis = form.basis.check(false, &mut errors);
    match (
        province_code,
        activity_type_code,
        share_bp,
        threshold_bp,
        basis,
    ) {
        (
            Some(province_code),
            Some(activity_type_code),
            Some(share_bp),
            Some(threshold_bp),
            Some(basis),
        ) if errors.is_empty() => Ok(ValidAdvance {
            province_code,
            activity_type_code,
            share_bp,
            threshold_bp,
            basis,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/advance_form.html")]
pub(super) struct AdvanceFormPage {
    ctx: PageContext,
    form: AdvanceForm,
    errors: FieldErrors,
    choices: Choices,
    pub(super) editing: Option<(i64, EndBox)>,
}

impl AdvanceFormPage {
    fn new(
        ctx: PageContext,
        form: AdvanceForm,
        errors: FieldErrors,
        choices: Choices,
        editing: Option<&AdvanceRuleRow>,
    ) -> Self {
        Self {
            ctx,
            form,
            errors,
            choices,
            editing: editing_row(ADVANCES, editing.map(|row| (row.id, row.valid_to))),
        }
    }

    fn action(&self) -> String {
        form_action(ADVANCES, self.editing.as_ref().map(|(id, _)| *id))
    }
}

/// Advance rules as a rule table.
pub(super) struct Advances;

impl Dated for AdvanceRuleRow {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Advances {
    type Key = i64;
    type Row = AdvanceRuleRow;
    type Page = AdvanceFormPage;
    const LIST: &'static str = ADVANCES;

    async fn get(state: &AppState, id: &i64) -> AppResult<AdvanceRuleRow> {
        db::contracts::get_advance_rule(&state.db, *id).await
    }

    fn form_of(row: &AdvanceRuleRow, ctx: &PageContext) -> AdvanceForm {
        AdvanceForm::of(row, ctx.lang)
    }

    async fn end(state: &AppState, row: &AdvanceRuleRow, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::AdvanceRule(row.id), day).await?;
        tracing::info!(advance_rule.id = row.id, by, "advance rule ended");
        Ok(())
    }
    type Form = AdvanceForm;
    type Choices = Choices;
    type Valid = ValidAdvance;

    async fn choices(state: &AppState, _form: &AdvanceForm) -> AppResult<Choices> {
        Choices::load(state).await
    }

    fn validate(
        form: &AdvanceForm,
        choices: &Choices,
        _id: Option<&i64>,
    ) -> Result<ValidAdvance, FieldErrors> {
        validate(form, choices)
    }

    fn form_page(
        ctx: PageContext,
        form: AdvanceForm,
        errors: FieldErrors,
        choices: Choices,
        editing: Option<&AdvanceRuleRow>,
    ) -> AdvanceFormPage {
        AdvanceFormPage::new(ctx, form, errors, choices, editing)
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidAdvance,
        by: i64,
    ) -> AppResult<()> {
        let result = match id {
            Some(id) if db::contracts::advance_rule_in_use(&state.db, id).await? => {
                Err(AppError::Conflict("reference.advance_rule_in_use"))
            }
            Some(id) => db::contracts::update_advance_rule(&state.db, id, &valid.input()).await,
            None => db::contracts::insert_advance_rule(&state.db, &valid.input())
                .await
                .map(|_| ()),
        };
        result.on_constraint("advance_rules_start_key", || {
            AppError::Conflict("reference.advance_rule_duplicate")
        })?;
        match id {
            Some(id) => tracing::info!(advance_rule.id = id, by, "advance rule changed"),
            None => tracing::info!(by, "advance rule added"),
        }
        Ok(())
    }

    fn conflict_field(key: &str) -> &'static str {
        match key {
            "reference.advance_rule_in_use" => "share",
            _ => "valid_from",
        }
    }

    fn flash_name(valid: ValidAdvance) -> String {
        valid.basis.legal_ref
    }
}
