//! Required documents, under `/admin/reference/required-documents`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use time::Date;

use super::*;
use crate::db;
use crate::db::rules::{CodeOption, RequiredDocument, RequiredDocumentInput, RuleRow};
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

// ---------------------------------------------------------------------------------------------
// Required documents

pub(super) const DOCUMENTS: &str = "/admin/reference/required-documents";

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/documents.html")]
pub(super) struct DocumentsPage {
    pub(super) ctx: PageContext,
    rows: Vec<RequiredDocument>,
    can_manage: bool,
    pub(super) today: Date,
}

impl DocumentsPage {
    fn activity(&self, row: &RequiredDocument) -> String {
        row.activity_name(self.ctx.lang).to_owned()
    }

    fn kind(&self, row: &RequiredDocument) -> String {
        row.kind_name(self.ctx.lang).to_owned()
    }
}

pub(super) async fn list_documents(
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
pub(super) struct DocumentForm {
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
pub(super) struct ValidDocument {
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
pub(super) struct DocumentChoices {
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

pub(super) fn validate_document(
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
pub(super) struct DocumentFormPage {
    ctx: PageContext,
    form: DocumentForm,
    errors: FieldErrors,
    activity_types: Vec<CodeOption>,
    kinds: Vec<CodeOption>,
    pub(super) editing: Option<(i64, EndBox)>,
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

/// Required documents as a rule table.
pub(super) struct Documents;

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

    fn form_of(row: &RequiredDocument, _ctx: &PageContext) -> DocumentForm {
        DocumentForm::of(row)
    }

    /// A new document is required unless the administrator says otherwise.
    fn blank_form(_user: &CurrentUser) -> DocumentForm {
        DocumentForm {
            requirement: "required".into(),
            ..DocumentForm::default()
        }
    }

    async fn end(state: &AppState, row: &RequiredDocument, day: Date, by: i64) -> AppResult<()> {
        db::rules::end_rule(&state.db, RuleRow::RequiredDocument(row.id), day).await?;
        tracing::info!(required_document.id = row.id, by, "required document ended");
        Ok(())
    }
    type Form = DocumentForm;
    type Choices = DocumentChoices;
    type Valid = ValidDocument;

    async fn choices(state: &AppState, _form: &DocumentForm) -> AppResult<DocumentChoices> {
        DocumentChoices::load(state).await
    }

    fn validate(
        form: &DocumentForm,
        choices: &DocumentChoices,
        _id: Option<&i64>,
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

    fn flash_name(valid: ValidDocument) -> String {
        valid.basis.legal_ref
    }
}
