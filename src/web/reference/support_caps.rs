//! Support caps, under `/admin/reference/caps`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use time::Date;

use super::*;
use crate::db;
use crate::db::rules::{CapInput, CapRow, CodeOption, RuleRow, UnitOption};
use crate::domain::caps::{CapRule, CapUnit, CaseMultiplier, RuleError, SupportCap};
use crate::domain::money;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::domain::{format, input};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

// ---------------------------------------------------------------------------------------------
// Support caps

pub(super) const CAPS: &str = "/admin/reference/caps";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/caps.html")]
pub(super) struct CapsPage {
    pub(super) ctx: PageContext,
    rows: Vec<CapRow>,
    provinces: Vec<UnitOption>,
    can_manage: bool,
    pub(super) today: Date,
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
pub(super) fn province_label(
    ctx: &PageContext,
    provinces: &[UnitOption],
    code: Option<&str>,
) -> String {
    match code {
        None => ctx.t("reference.all_provinces").to_owned(),
        Some(code) => provinces
            .iter()
            .find(|p| p.code == code)
            .map_or_else(|| code.to_owned(), |p| p.full_name.clone()),
    }
}

pub(super) async fn list_caps(
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
pub(super) struct CapForm {
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
            percent: format::format_percent(cap.rule.percent_bp(), ctx.lang),
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
pub(super) struct ValidCap {
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
pub(super) struct CapChoices {
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

pub(super) fn validate_cap(form: &CapForm, choices: &CapChoices) -> Result<ValidCap, FieldErrors> {
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
    let province = cap_province(form, choices, level, &mut errors);
    let rule = cap_rule(form, &mut errors);
    let basis = form.basis.check(true, &mut errors);
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

/// The province a cap is for: `Some(None)` for every province (a national cap must be), the
/// province's code for one of the list, `None` when unknown.
fn cap_province(
    form: &CapForm,
    choices: &CapChoices,
    level: Option<ProposalLevel>,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    let province = form.province_code.trim();
    if province.is_empty() {
        return Some(None);
    }
    if level == Some(ProposalLevel::National) {
        errors.add("province_code", "reference.national_all_provinces");
    }
    let known = choices.provinces.iter().any(|p| p.code == province);
    let province = known.then(|| province.to_owned());
    errors
        .need("province_code", "reference.province_unknown", province)
        .map(Some)
}

/// The cap's rule (share, maximum, unit and multiplier), each refusal on its own field.
fn cap_rule(form: &CapForm, errors: &mut FieldErrors) -> Option<CapRule> {
    let percent = errors.need(
        "percent",
        "reference.percent_invalid",
        input::parse_percent(&form.percent),
    );
    let max_amount = errors.need(
        "max_amount",
        "reference.amount_invalid",
        input::parse_amount(&form.max_amount),
    );
    let unit = errors.need(
        "cap_unit",
        "reference.unit_required",
        CapUnit::from_code(form.cap_unit.trim()),
    );
    let multiplier = cap_multiplier(form, errors);
    let (Some(percent), Some(max), Some(unit), Some(multiplier)) =
        (percent, max_amount, unit, multiplier)
    else {
        return None;
    };
    let refused = match CapRule::new(percent, max, unit, multiplier) {
        Ok(rule) => return Some(rule),
        Err(RuleError::PercentOutOfRange) => ("percent", "reference.percent_invalid"),
        Err(RuleError::NegativeMaximum) => ("max_amount", "reference.amount_invalid"),
        Err(RuleError::MaximumTooLarge) => ("multiplier", "reference.multiplier_too_large"),
    };
    errors.add(refused.0, refused.1);
    None
}

/// The multiplier fields: all three empty (no multiplier) or all three given.
pub(super) fn cap_multiplier(
    form: &CapForm,
    errors: &mut FieldErrors,
) -> Option<Option<CaseMultiplier>> {
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
        input::parse_multiplier(&form.multiplier),
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
pub(super) struct CapFormPage {
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

/// Support caps as a rule table.
pub(super) struct Caps;

impl RulePage for CapFormPage {
    fn end_box(&mut self) -> Option<&mut EndBox> {
        self.editing.as_mut().map(|(_, _, end_box)| end_box)
    }
}

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

    fn form_of(row: &CapRow, ctx: &PageContext) -> CapForm {
        CapForm::of(&row.cap, ctx)
    }

    /// A new cap is a local one of the administrator's province, as most are.
    fn blank_form(user: &CurrentUser) -> CapForm {
        CapForm {
            level: ProposalLevel::Local.code().to_owned(),
            province_code: user.0.province_code.clone(),
            ..CapForm::default()
        }
    }

    async fn end(state: &AppState, row: &CapRow, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::SupportCap(row.cap.id), day).await?;
        tracing::info!(cap.id = row.cap.id, by, "support cap ended");
        Ok(())
    }
    type Form = CapForm;
    type Choices = CapChoices;
    type Valid = ValidCap;

    async fn choices(state: &AppState, _form: &CapForm) -> AppResult<CapChoices> {
        CapChoices::load(state).await
    }

    fn validate(
        form: &CapForm,
        choices: &CapChoices,
        _id: Option<&i64>,
    ) -> Result<ValidCap, FieldErrors> {
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

    fn flash_name(valid: ValidCap) -> String {
        valid.legal_ref
    }
}
