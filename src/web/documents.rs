//! A proposal's documents: the list with the upload form, the upload itself (multipart),
//! the download, and removal.
//!
//! Who may do what comes from the policy only: seeing the page and downloading need
//! `ViewProposals` and a proposal in the user's scope (otherwise "not found"); uploading and
//! removing also need `policy::may_attach` for the proposal's state. An upload is all or
//! nothing: every file is read with the size limits enforced while reading, hashed, checked
//! by content and extension (`domain::document`), stored, and only then recorded in one
//! transaction; a refused upload stores nothing and gets the page back with the reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::context::{CurrentUser, Flash, PageContext};
use super::upload::{self, Checked, Limits, UploadError};
use crate::db;
use crate::db::documents::{DocumentSummary, Kind, Owner};
use crate::domain::document;
use crate::domain::policy::{self, Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::storage::StorageKey;
use crate::workflow::{self, Act};

/// Longest value of a text field of the upload form (the kind code).
const MAX_KIND_FIELD: usize = 100;

/// Routes under `/proposals/{id}/documents`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/proposals/{id}/documents",
            // The page router's 256 KiB body limit is lifted here: `upload` applies the
            // configured upload limit itself (it is known only at run time).
            get(show).post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/proposals/{id}/documents/{doc}", get(download))
        .route("/proposals/{id}/documents/{doc}/remove", post(remove))
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/list.html")]
struct DocumentsPage {
    ctx: PageContext,
    proposal: Owner,
    documents: Vec<DocumentSummary>,
    kinds: Vec<Kind>,
    can_attach: bool,
    selected_kind: String,
    kind_error: Option<&'static str>,
    file_error: Option<String>,
    file_hint: String,
    accept: &'static str,
}

impl DocumentsPage {
    /// A kind's name in the page's language.
    fn kind_name<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.ctx.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A size in the page's language.
    fn size(&self, bytes: &i64) -> String {
        document::format_size(*bytes, self.ctx.lang == Lang::Vi)
    }
}

/// What a refused upload is told, besides the kind.
struct Refused {
    status: StatusCode,
    kind_error: Option<&'static str>,
    file_error: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    proposal: Owner,
    selected_kind: String,
    refused: Option<Refused>,
) -> AppResult<Response> {
    let documents = db::documents::list_for_proposal(&state.db, proposal.id).await?;
    let kinds = db::documents::kinds(&state.db).await?;
    let file_hint = upload::file_hint(ctx.lang, &state.config);
    let (status, kind_error, file_error) = match refused {
        Some(r) => (r.status, r.kind_error, r.file_error),
        None => (StatusCode::OK, None, None),
    };
    let page = DocumentsPage {
        can_attach: policy::may_attach(user.0.role, proposal.state),
        ctx,
        proposal,
        documents,
        kinds,
        selected_kind,
        kind_error,
        file_error,
        file_hint,
        accept: document::ACCEPT,
    };
    Ok((status, page).into_response())
}

/// The proposal, if the user may see it.
async fn owner(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Owner> {
    user.require(Permission::ViewProposals)?;
    db::documents::find_owner(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The proposal, if the user may also attach documents to it now.
async fn owner_to_change(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Owner> {
    let proposal = owner(state, user, id).await?;
    if policy::may_attach(user.0.role, proposal.state) {
        Ok(proposal)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let proposal = owner(&state, &user, id).await?;
    render(&state, ctx, &user, proposal, String::new(), None).await
}

async fn upload(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    request: Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    let proposal = owner_to_change(&state, &user, id).await?;
    let config = &state.config;
    let (mut form, refusal) =
        upload::read_multipart(request, Limits::configured(config, MAX_KIND_FIELD), "file").await;
    let kind = form.text("kind").trim().to_owned();
    let kinds = db::documents::kinds(&state.db).await?;
    let kind_ok = kinds.iter().any(|k| k.code == kind);
    if let Some(error) = refusal {
        let refused = refused_by(error, ctx.lang, config, None);
        let kind = if kind_ok { kind } else { String::new() };
        return render(&state, ctx, &user, proposal, kind, Some(refused)).await;
    }
    let kind_error = (!kind_ok).then_some("document.kind_required");
    let checked = match upload::check_files(std::mem::take(&mut form.files)) {
        Ok(checked) if kind_ok => checked,
        result => {
            let refused = match result.err() {
                Some(error) => refused_by(error, ctx.lang, config, kind_error),
                None => Refused {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    kind_error,
                    file_error: None,
                },
            };
            let kind = if kind_ok { kind } else { String::new() };
            return render(&state, ctx, &user, proposal, kind, Some(refused)).await;
        }
    };

    let added =
        match store_and_record(&state, &proposal, &user.actor(), &kind, None, &checked).await? {
            Ok(added) => added,
            Err(key) => {
                let refused = Refused {
                    status: StatusCode::CONFLICT,
                    kind_error: None,
                    file_error: Some(i18n::t(ctx.lang, key).to_owned()),
                };
                let proposal = owner(&state, &user, id).await?;
                return render(&state, ctx, &user, proposal, kind, Some(refused)).await;
            }
        };
    let flash = if added == 0 {
        Flash::info("document.already_attached")
    } else {
        Flash::success("document.uploaded").with(added.to_string())
    };
    Ok((flash, Redirect::to(&documents_path(proposal.id))).into_response())
}

/// Stores checked files and records them as documents of `proposal` (of `kind`, taken for
/// appraisal record `record_id` if any) in one transaction. A file already attached under
/// the same kind is not recorded again and its copy is dropped. Returns how many were added,
/// or the catalogue key of a conflict (the proposal moved meanwhile); nothing stays stored
/// then.
async fn store_and_record(
    state: &AppState,
    proposal: &Owner,
    by: &Actor,
    kind: &str,
    record_id: Option<i64>,
    checked: &[Checked],
) -> AppResult<Result<usize, &'static str>> {
    let (stored, documents) = upload::store_documents(state, checked, kind, record_id).await?;
    let act = Act::now(by);
    let mut tx = state.db.begin().await?;
    let taken = match record_id {
        None => workflow::documents::attach(&mut tx, &act, proposal, &documents).await,
        Some(_) => workflow::documents::attach_photos(&mut tx, &act, proposal, &documents).await,
    };
    let written = taken.map_err(AppError::from);
    let ids = match upload::commit_or_discard(state, tx, &stored, written).await {
        Ok(ids) => ids,
        Err(AppError::Conflict(key)) => return Ok(Err(key)),
        Err(other) => return Err(other),
    };
    let duplicates: Vec<StorageKey> = stored
        .iter()
        .zip(&ids)
        .filter(|(_, id)| id.is_none())
        .map(|(key, _)| key.clone())
        .collect();
    upload::delete_all(state, &duplicates).await;
    let added = ids.iter().flatten().count();
    tracing::info!(
        proposal.id = proposal.id,
        documents = added,
        duplicates = duplicates.len(),
        "documents attached"
    );
    Ok(Ok(added))
}

/// Photos taken at an appraisal visit: the `file` parts of `request` (JPEG or PNG, as the
/// content says), stored and recorded as `appraisal_photo` documents of `proposal` for
/// record `record_id`. Returns how many were added, or why the upload was refused (status
/// and message in `lang`); a refused upload stores nothing.
pub(crate) async fn attach_photos(
    state: &AppState,
    proposal: &Owner,
    by: &Actor,
    record_id: i64,
    request: Request,
    lang: Lang,
) -> AppResult<Result<usize, (StatusCode, String)>> {
    let config = &state.config;
    let (form, refusal) =
        upload::read_multipart(request, Limits::configured(config, MAX_KIND_FIELD), "file").await;
    let checked = match refusal.map_or_else(|| upload::check_files(form.files), Err) {
        Ok(checked) => checked,
        Err(error) => return Ok(Err((error.status(), error.message(lang, config)))),
    };
    if let Err(message) = upload::only_photos(&checked, lang) {
        return Ok(Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, message)));
    }
    let added = store_and_record(
        state,
        proposal,
        by,
        "appraisal_photo",
        Some(record_id),
        &checked,
    )
    .await?;
    Ok(added.map_err(|key| (StatusCode::CONFLICT, i18n::t(lang, key).to_owned())))
}

fn refused_by(
    error: UploadError,
    lang: Lang,
    config: &crate::config::Config,
    kind_error: Option<&'static str>,
) -> Refused {
    Refused {
        status: error.status(),
        kind_error,
        file_error: Some(error.message(lang, config)),
    }
}

fn documents_path(id: i64) -> String {
    format!("/proposals/{id}/documents")
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, doc)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ViewProposals)?;
    let document = db::documents::find(&state.db, &user.scope(), id, doc)
        .await?
        .ok_or(AppError::NotFound)?;
    upload::download(&state, &document).await
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, doc)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let proposal = owner_to_change(&state, &user, id).await?;
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let name = workflow::documents::remove(&mut tx, &Act::now(&actor), &proposal, doc).await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = proposal.id,
        document.id = doc,
        "document removed"
    );
    let flash = Flash::success("document.removed").with(name);
    Ok((flash, Redirect::to(&documents_path(proposal.id))).into_response())
}
