//! Funding sources, under `/admin/reference/funding-sources`: national and local funds by
//! default; a province adds its others (a district's budget, a programme) as rows. Each has
//! envelopes per year on the funding page and funds proposals of one level. Once an envelope
//! was opened from a source its code and level stay; its names, basis and order can change.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Need as _, legal_ref, names, saved, unprocessable};
use crate::db;
use crate::db::funding::{SourceInput, SourceRow};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// The list's path.
pub(super) const SOURCES: &str = "/admin/reference/funding-sources";
const NAME_MAX: usize = 200;

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/sources.html")]
pub(super) struct SourcesPage {
    ctx: PageContext,
    rows: Vec<SourceRow>,
    can_manage: bool,
}

/// `GET /admin/reference/funding-sources`.
pub(super) async fn list_sources(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<SourcesPage> {
    user.require(Permission::ViewReference)?;
    Ok(SourcesPage {
        ctx,
        rows: db::funding::source_rows(&state.db).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
    })
}

/// The source form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SourceForm {
    code: String,
    name_vi: String,
    name_en: String,
    level: String,
    legal_ref: String,
    sort_order: String,
}

impl SourceForm {
    fn of(row: &SourceRow) -> Self {
        Self {
            code: row.source.code.clone(),
            name_vi: row.source.name_vi.clone(),
            name_en: row.source.name_en.clone(),
            level: row.source.level.code().to_owned(),
            legal_ref: row.legal_ref.clone(),
            sort_order: row.sort_order.to_string(),
        }
    }
}

/// A source that passed the checks.
struct ValidSource {
    code: String,
    name_vi: String,
    name_en: String,
    level: ProposalLevel,
    legal_ref: String,
    sort_order: i16,
}

impl ValidSource {
    fn input(&self) -> SourceInput<'_> {
        SourceInput {
            code: &self.code,
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            level: self.level,
            legal_ref: &self.legal_ref,
            sort_order: self.sort_order,
        }
    }
}

/// A code as the database accepts it: a lowercase letter, then letters, digits or `_`.
fn source_code(value: &str) -> Option<String> {
    let code = value.trim();
    let mut chars = code.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && code.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then(|| code.to_owned())
}

fn validate(form: &SourceForm) -> Result<ValidSource, FieldErrors> {
    let mut errors = FieldErrors::default();
    let code = errors.need("code", "reference.code_invalid", source_code(&form.code));
    let (name_vi, name_en) = names(&form.name_vi, &form.name_en, NAME_MAX, &mut errors);
    let level = errors.need(
        "level",
        "reference.level_invalid",
        ProposalLevel::from_code(form.level.trim()),
    );
    let legal_ref = legal_ref(&form.legal_ref, &mut errors);
    let sort_order = errors
        .check(
            "sort_order",
            crate::domain::input::whole(&form.sort_order, 0, 999),
        )
        .and_then(|n| i16::try_from(n).ok());
    match (code, name_vi, name_en, level, legal_ref, sort_order) {
        (
            Some(code),
            Some(name_vi),
            Some(name_en),
            Some(level),
            Some(legal_ref),
            Some(sort_order),
        ) if errors.is_empty() => Ok(ValidSource {
            code,
            name_vi,
            name_en,
            level,
            legal_ref,
            sort_order,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/source_form.html")]
pub(super) struct SourceFormPage {
    ctx: PageContext,
    form: SourceForm,
    errors: FieldErrors,
    /// Set when editing: the source as saved.
    editing: Option<SourceRow>,
}

impl SourceFormPage {
    fn action(&self) -> String {
        match &self.editing {
            Some(row) => format!("{SOURCES}/{}/edit", row.source.code),
            None => format!("{SOURCES}/new"),
        }
    }

    fn levels(&self) -> [ProposalLevel; 2] {
        [ProposalLevel::Local, ProposalLevel::National]
    }
}

/// `GET /admin/reference/funding-sources/new`.
pub(super) async fn new_source(ctx: PageContext, user: CurrentUser) -> AppResult<SourceFormPage> {
    user.require(Permission::ManageReference)?;
    Ok(SourceFormPage {
        ctx,
        form: SourceForm {
            level: ProposalLevel::Local.code().to_owned(),
            sort_order: "30".to_owned(),
            ..SourceForm::default()
        },
        errors: FieldErrors::default(),
        editing: None,
    })
}

/// `GET /admin/reference/funding-sources/{code}/edit`.
pub(super) async fn edit_source(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<SourceFormPage> {
    user.require(Permission::ManageReference)?;
    let row = db::funding::get_source(&state.db, &code).await?;
    Ok(SourceFormPage {
        ctx,
        form: SourceForm::of(&row),
        errors: FieldErrors::default(),
        editing: Some(row),
    })
}

/// `POST /admin/reference/funding-sources/new`.
pub(super) async fn create_source(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<SourceForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    save(&state, ctx, &user, None, form).await
}

/// `POST /admin/reference/funding-sources/{code}/edit`: the code is the path's.
pub(super) async fn update_source(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<SourceForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let row = db::funding::get_source(&state.db, &code).await?;
    let form = SourceForm { code, ..form };
    save(&state, ctx, &user, Some(row), form).await
}

async fn save(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    editing: Option<SourceRow>,
    form: SourceForm,
) -> AppResult<Response> {
    let back = |ctx, form, errors, editing| {
        unprocessable(SourceFormPage {
            ctx,
            form,
            errors,
            editing,
        })
    };
    let valid = match validate(&form) {
        Ok(valid) => valid,
        Err(errors) => return Ok(back(ctx, form, errors, editing)),
    };
    let saved_ok = match &editing {
        Some(_) => db::funding::update_source(&state.db, &valid.input()).await?,
        None => match db::funding::insert_source(&state.db, &valid.input())
            .await
            .on_constraint("funding_sources_pkey", || {
                AppError::Conflict("reference.code_taken")
            }) {
            Ok(()) => true,
            Err(AppError::Conflict(_)) => false,
            Err(other) => return Err(other),
        },
    };
    if !saved_ok {
        let (field, key) = match editing {
            Some(_) => ("level", "reference.source_level_fixed"),
            None => ("code", "reference.code_taken"),
        };
        return Ok(back(ctx, form, FieldErrors::one(field, key), editing));
    }
    tracing::info!(
        source = valid.code,
        by = user.0.user_id,
        "funding source saved"
    );
    Ok(saved(SOURCES, "reference.flash_saved", valid.name_vi).into_response())
}
