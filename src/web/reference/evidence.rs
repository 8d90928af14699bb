//! The evidence an acceptance checks, per activity type, under `/admin/reference/evidence`
//! (Thông tư 36/2013/TT-BCT Art. 14 by default), per province when its list differs. The
//! acceptance record's checklist is the list in force on the visit's day; an item a record
//! answered is ended, not edited.

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
use crate::db::acceptance::{EvidenceInput, EvidenceRule};
use crate::db::rules::{CodeOption, RuleRow, UnitOption};
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const EVIDENCE: &str = "/admin/reference/evidence";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/evidence.html")]
pub(super) struct EvidencePage {
    pub(super) ctx: PageContext,
    rows: Vec<EvidenceRule>,
    provinces: Vec<UnitOption>,
    types: Vec<CodeOption>,
    can_manage: bool,
    pub(super) today: Date,
}

impl EvidencePage {
    fn province(&self, row: &EvidenceRule) -> String {
        province_label(&self.ctx, &self.provinces, row.province_code.as_deref())
    }

    fn activity(&self, row: &EvidenceRule) -> String {
        self.types
            .iter()
            .find(|t| t.code == row.activity_type_code)
            .map_or_else(
                || row.activity_type_code.clone(),
                |t| t.name(self.ctx.lang).to_owned(),
            )
    }
}

/// `GET /admin/reference/evidence`.
pub(super) async fn list_evidence(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<EvidencePage> {
    user.require(Permission::ViewReference)?;
    Ok(EvidencePage {
        ctx,
        rows: db::acceptance::list_evidence_rules(&state.db).await?,
        provinces: db::rules::provinces_in_force(&state.db, today()).await?,
        types: db::rules::activity_type_options(&state.db).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The evidence form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EvidenceForm {
    province_code: String,
    activity_type_code: String,
    position: String,
    name_vi: String,
    name_en: String,
    #[serde(flatten)]
    basis: BasisForm,
}

impl EvidenceForm {
    fn of(row: &EvidenceRule) -> Self {
        Self {
            province_code: row.province_code.clone().unwrap_or_default(),
            activity_type_code: row.activity_type_code.clone(),
            position: row.position.to_string(),
            name_vi: row.name_vi.clone(),
            name_en: row.name_en.clone(),
            basis: BasisForm::of(&row.legal_basis, row.valid_from, row.valid_to),
        }
    }
}

/// An evidence item that passed the checks.
pub(super) struct ValidEvidence {
    province_code: Option<String>,
    activity_type_code: String,
    position: i16,
    name_vi: String,
    name_en: String,
    basis: Basis,
}

impl ValidEvidence {
    fn input(&self) -> EvidenceInput<'_> {
        EvidenceInput {
            province_code: self.province_code.as_deref(),
            activity_type_code: &self.activity_type_code,
            position: self.position,
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            legal_basis: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
        }
    }
}

/// What the evidence form offers.
pub(super) struct EvidenceChoices {
    provinces: Vec<UnitOption>,
    types: Vec<CodeOption>,
}

fn validate(form: &EvidenceForm, choices: &EvidenceChoices) -> Result<ValidEvidence, FieldErrors> {
    let mut errors = FieldErrors::default();
    let province_code = optional_code(
        &form.province_code,
        choices.provinces.iter().map(|p| p.code.as_str()),
        "province_code",
        "reference.province_unknown",
        &mut errors,
    );
    let activity = form.activity_type_code.trim();
    if !choices.types.iter().any(|t| t.code == activity) {
        errors.add("activity_type_code", "input.required");
    }
    let position = i16::try_from(errors.whole("position", &form.position, 1, 100)).unwrap_or(1);
    let name_vi = errors.required("name_vi", &form.name_vi, 300);
    let name_en = errors.required("name_en", &form.name_en, 300);
    let basis = form.basis.check(false, &mut errors);
    match (province_code, basis) {
        (Some(province_code), Some(basis)) if errors.is_empty() => Ok(ValidEvidence {
            province_code,
            activity_type_code: activity.to_owned(),
            position,
            name_vi,
            name_en,
            basis,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/evidence_form.html")]
pub(super) struct EvidenceFormPage {
    ctx: PageContext,
    form: EvidenceForm,
    errors: FieldErrors,
    choices: EvidenceChoices,
    pub(super) editing: Option<(i64, EndBox)>,
}

impl EvidenceFormPage {
    fn action(&self) -> String {
        form_action(EVIDENCE, self.editing.as_ref().map(|(id, _)| *id))
    }
}

/// Evidence items as a rule table.
pub(super) struct Evidence;

impl Dated for EvidenceRule {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl RuleTable for Evidence {
    type Key = i64;
    type Row = EvidenceRule;
    type Page = EvidenceFormPage;
    const LIST: &'static str = EVIDENCE;

    async fn get(state: &AppState, id: &i64) -> AppResult<EvidenceRule> {
        db::acceptance::get_evidence_rule(&state.db, *id).await
    }

    fn form_of(row: &EvidenceRule, _ctx: &PageContext) -> EvidenceForm {
        EvidenceForm::of(row)
    }

    async fn end(state: &AppState, row: &EvidenceRule, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::AcceptanceEvidence(row.id), day).await?;
        tracing::info!(evidence.id = row.id, by, "acceptance evidence ended");
        Ok(())
    }
    type Form = EvidenceForm;
    type Choices = EvidenceChoices;
    type Valid = ValidEvidence;

    async fn choices(state: &AppState, _form: &EvidenceForm) -> AppResult<EvidenceChoices> {
        Ok(EvidenceChoices {
            provinces: db::rules::provinces_in_force(&state.db, today()).await?,
            types: db::rules::activity_type_options(&state.db).await?,
        })
    }

    fn validate(
        form: &EvidenceForm,
        choices: &EvidenceChoices,
        _id: Option<&i64>,
    ) -> Result<ValidEvidence, FieldErrors> {
        validate(form, choices)
    }

    fn form_page(
        ctx: PageContext,
        form: EvidenceForm,
        errors: FieldErrors,
        choices: EvidenceChoices,
        editing: Option<&EvidenceRule>,
    ) -> EvidenceFormPage {
        EvidenceFormPage {
            ctx,
            form,
            errors,
            choices,
            editing: editing_row(EVIDENCE, editing.map(|row| (row.id, row.valid_to))),
        }
    }

    async fn save(
        state: &AppState,
        id: Option<i64>,
        valid: &ValidEvidence,
        by: i64,
    ) -> AppResult<()> {
        if let Some(id) = id
            && db::acceptance::evidence_rule_in_use(&state.db, id).await?
        {
            return Err(AppError::Conflict("reference.evidence_in_use"));
        }
        db::acceptance::save_evidence_rule(&state.db, id, &valid.input()).await?;
        match id {
            Some(id) => tracing::info!(evidence.id = id, by, "acceptance evidence changed"),
            None => tracing::info!(by, "acceptance evidence added"),
        }
        Ok(())
    }

    fn conflict_field(_key: &str) -> &'static str {
        "name_vi"
    }

    fn flash_name(valid: ValidEvidence) -> String {
        valid.basis.legal_ref
    }
}
