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
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest as _, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use sha2::{Digest as _, Sha256};

use super::context::{CurrentUser, Flash, PageContext};
use crate::app::AppState;
use crate::db;
use crate::db::documents::{DocumentSummary, Kind, NewDocument, Owner};
use crate::domain::document::{self, FileType, Refusal};
use crate::domain::policy::{self, Permission};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::storage::StorageKey;

/// Most files one upload may carry.
const MAX_FILES: usize = 20;
/// Longest value of a text field of the upload form (the kind code).
const MAX_TEXT_FIELD: usize = 100;
const MB: u64 = 1024 * 1024;

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
    let file_hint = i18n::t_with(
        ctx.lang,
        "document.file_hint",
        &[
            ("file", &(state.config.upload_max_file / MB).to_string()),
            (
                "request",
                &(state.config.upload_max_request / MB).to_string(),
            ),
        ],
    );
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

/// A file as received: its name as sent, its content, and its SHA-256.
struct Received {
    raw_name: String,
    content: Bytes,
    sha256: Vec<u8>,
}

/// The upload form as received.
#[derive(Default)]
struct UploadForm {
    kind: String,
    files: Vec<Received>,
}

/// Why an upload is refused.
enum UploadError {
    /// Not a readable multipart body.
    Malformed,
    /// More than `UPLOAD_MAX_REQUEST_MB` in all.
    RequestTooLarge,
    /// One file over `UPLOAD_MAX_FILE_MB` (its name as sent).
    FileTooLarge(String),
    /// More than [`MAX_FILES`] files.
    TooManyFiles,
    /// No file chosen.
    NoFile,
    /// A file the domain refuses (its name as sent).
    File(Refusal, String),
}

impl UploadError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Malformed => StatusCode::BAD_REQUEST,
            Self::RequestTooLarge | Self::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::File(Refusal::TypeNotAllowed | Refusal::ContentMismatch, _) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::TooManyFiles | Self::NoFile | Self::File(..) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    fn message(&self, lang: Lang, config: &crate::config::Config) -> String {
        let file_mb = (config.upload_max_file / MB).to_string();
        let request_mb = (config.upload_max_request / MB).to_string();
        let shown = |raw: &str| document::sanitize_file_name(raw).unwrap_or_default();
        match self {
            Self::Malformed => i18n::t(lang, "document.malformed").to_owned(),
            Self::RequestTooLarge => i18n::t_with(
                lang,
                "document.request_too_large",
                &[("limit", &request_mb)],
            ),
            Self::FileTooLarge(raw) => i18n::t_with(
                lang,
                "document.file_too_large",
                &[("name", &shown(raw)), ("limit", &file_mb)],
            ),
            Self::TooManyFiles => i18n::t_with(
                lang,
                "document.too_many_files",
                &[("limit", &MAX_FILES.to_string())],
            ),
            Self::NoFile => i18n::t(lang, "document.file_required").to_owned(),
            Self::File(refusal, raw) => {
                i18n::t_with(lang, refusal.message_key(), &[("name", &shown(raw))])
            }
        }
    }
}

/// Reads the multipart body: the kind and the files, each file capped at `max_file` bytes
/// while it is read, the whole body at `max_request`. After the first refusal the rest of the
/// body is read and dropped, so the browser finishes sending and reads the answer. The form
/// comes back with the refusal too, so the page can keep the chosen kind.
async fn read_upload(
    request: Request,
    max_file: u64,
    max_request: u64,
) -> (UploadForm, Option<UploadError>) {
    let mut form = UploadForm::default();
    let refusal = read_into(request, max_file, max_request, &mut form)
        .await
        .err();
    (form, refusal)
}

async fn read_into(
    request: Request,
    max_file: u64,
    max_request: u64,
    form: &mut UploadForm,
) -> Result<(), UploadError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_request) {
        return Err(UploadError::RequestTooLarge);
    }
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(max_request).unwrap_or(usize::MAX);
    let body = Body::new(http_body_util::Limited::new(body, limit));
    let mut multipart = Multipart::from_request(Request::from_parts(parts, body), &())
        .await
        .map_err(|_| UploadError::Malformed)?;
    let max_file = usize::try_from(max_file).unwrap_or(usize::MAX);

    let mut refusal: Option<UploadError> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(stream_error(&error)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let cap = match (name.as_str(), refusal.is_some()) {
            (_, true) => 0,
            ("kind", false) => MAX_TEXT_FIELD,
            ("file", false) => max_file,
            _ => 0,
        };
        let mut content: Vec<u8> = Vec::new();
        let mut hasher = Sha256::new();
        let mut over = false;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(error) => return Err(stream_error(&error)),
            };
            if over || content.len() + chunk.len() > cap {
                over = true;
                content = Vec::new();
                continue;
            }
            if name == "file" {
                hasher.update(&chunk);
            }
            content.extend_from_slice(&chunk);
        }
        if refusal.is_some() {
            continue;
        }
        match name.as_str() {
            "kind" => form.kind = String::from_utf8_lossy(&content).trim().to_owned(),
            "file" => {
                let raw_name = file_name.unwrap_or_default();
                if over {
                    refusal = Some(UploadError::FileTooLarge(raw_name));
                } else if raw_name.is_empty() && content.is_empty() {
                    // The browser sends an empty part when no file was chosen.
                } else if form.files.len() == MAX_FILES {
                    refusal = Some(UploadError::TooManyFiles);
                } else {
                    form.files.push(Received {
                        raw_name,
                        content: Bytes::from(content),
                        sha256: hasher.finalize().to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    refusal.map_or(Ok(()), Err)
}

fn stream_error(error: &axum::extract::multipart::MultipartError) -> UploadError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::RequestTooLarge
    } else {
        UploadError::Malformed
    }
}

/// A received file, checked and ready to store.
struct Checked {
    name: String,
    file_type: FileType,
    received: Received,
}

/// Checks every file (name, content against extension); the first refusal refuses all.
fn check_files(files: Vec<Received>) -> Result<Vec<Checked>, UploadError> {
    if files.is_empty() {
        return Err(UploadError::NoFile);
    }
    files
        .into_iter()
        .map(|received| {
            let name = document::sanitize_file_name(&received.raw_name)
                .map_err(|r| UploadError::File(r, String::new()))?;
            let file_type = document::check(&name, &received.content)
                .map_err(|r| UploadError::File(r, received.raw_name.clone()))?;
            Ok(Checked {
                name,
                file_type,
                received,
            })
        })
        .collect()
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
    let (form, refusal) =
        read_upload(request, config.upload_max_file, config.upload_max_request).await;
    let kinds = db::documents::kinds(&state.db).await?;
    let kind_ok = kinds.iter().any(|k| k.code == form.kind);
    if let Some(error) = refusal {
        let refused = refused_by(error, ctx.lang, config, None);
        let kind = if kind_ok { form.kind } else { String::new() };
        return render(&state, ctx, &user, proposal, kind, Some(refused)).await;
    }
    let kind_error = (!kind_ok).then_some("document.kind_required");
    let checked = match check_files(form.files) {
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
            let kind = if kind_ok { form.kind } else { String::new() };
            return render(&state, ctx, &user, proposal, kind, Some(refused)).await;
        }
    };

    let added = match store_and_record(
        &state,
        &proposal,
        user.0.user_id,
        &form.kind,
        None,
        &checked,
    )
    .await?
    {
        Ok(added) => added,
        Err(key) => {
            let refused = Refused {
                status: StatusCode::CONFLICT,
                kind_error: None,
                file_error: Some(i18n::t(ctx.lang, key).to_owned()),
            };
            let proposal = owner(&state, &user, id).await?;
            return render(&state, ctx, &user, proposal, form.kind, Some(refused)).await;
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
    user_id: i64,
    kind: &str,
    record_id: Option<i64>,
    checked: &[Checked],
) -> AppResult<Result<usize, &'static str>> {
    let stored = store_all(state, checked).await?;
    let documents: Vec<NewDocument> = checked
        .iter()
        .zip(&stored)
        .map(|(c, key)| NewDocument {
            kind_code: kind.to_owned(),
            file_name: c.name.clone(),
            content_type: c.file_type.mime(),
            size_bytes: i64::try_from(c.received.content.len()).unwrap_or(i64::MAX),
            sha256: c.received.sha256.clone(),
            storage_key: key.as_str().to_owned(),
            appraisal_record_id: record_id,
        })
        .collect();
    let recorded = db::documents::insert_for_proposal(
        &state.db,
        proposal.id,
        proposal.state,
        user_id,
        &documents,
    )
    .await;
    let ids = match recorded {
        Ok(ids) => ids,
        Err(error) => {
            delete_all(state, &stored).await;
            return match error {
                AppError::Conflict(key) => Ok(Err(key)),
                other => Err(other),
            };
        }
    };
    let duplicates: Vec<StorageKey> = stored
        .iter()
        .zip(&ids)
        .filter(|(_, id)| id.is_none())
        .map(|(key, _)| key.clone())
        .collect();
    delete_all(state, &duplicates).await;
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
    user_id: i64,
    record_id: i64,
    request: Request,
    lang: Lang,
) -> AppResult<Result<usize, (StatusCode, String)>> {
    let config = &state.config;
    let (form, refusal) =
        read_upload(request, config.upload_max_file, config.upload_max_request).await;
    let checked = match refusal.map_or_else(|| check_files(form.files), Err) {
        Ok(checked) => checked,
        Err(error) => return Ok(Err((error.status(), error.message(lang, config)))),
    };
    if let Some(other) = checked
        .iter()
        .find(|c| !matches!(c.file_type, FileType::Jpeg | FileType::Png))
    {
        let message = i18n::t_with(lang, "document.not_a_photo", &[("name", &other.name)]);
        return Ok(Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, message)));
    }
    let added = store_and_record(
        state,
        proposal,
        user_id,
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

/// Stores every file under a new key; on a failure, removes those already stored.
async fn store_all(state: &AppState, files: &[Checked]) -> AppResult<Vec<StorageKey>> {
    let mut stored = Vec::with_capacity(files.len());
    for file in files {
        let key = StorageKey::generate();
        if let Err(error) = state.store.put(&key, file.received.content.clone()).await {
            delete_all(state, &stored).await;
            return Err(AppError::Internal(
                anyhow::Error::new(error).context("storing an uploaded document"),
            ));
        }
        stored.push(key);
    }
    Ok(stored)
}

/// Deletes stored contents no row refers to; a failure leaves an orphan file, logged.
async fn delete_all(state: &AppState, keys: &[StorageKey]) {
    for key in keys {
        if let Err(error) = state.store.delete(key).await {
            tracing::warn!(%error, storage.key = %key, "an unrecorded document could not be deleted");
        }
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
    let key = StorageKey::parse(&document.storage_key).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "document {} has a malformed storage key",
            document.id
        ))
    })?;
    let content = state.store.get(&key).await.map_err(|error| {
        AppError::Internal(
            anyhow::Error::new(error).context(format!("reading document {}", document.id)),
        )
    })?;
    if i64::try_from(content.len()).ok() != Some(document.size_bytes) {
        return Err(AppError::Internal(anyhow::anyhow!(
            "document {} does not have its recorded size",
            document.id
        )));
    }
    let content_type = HeaderValue::from_str(&document.content_type)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("content type")))?;
    let disposition = HeaderValue::from_str(&document::content_disposition(&document.file_name))
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("content disposition")))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        Body::from(content),
    )
        .into_response())
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, doc)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let proposal = owner_to_change(&state, &user, id).await?;
    let name =
        db::documents::remove(&state.db, proposal.id, proposal.state, doc, user.0.user_id).await?;
    tracing::info!(
        proposal.id = proposal.id,
        document.id = doc,
        "document removed"
    );
    let flash = Flash::success("document.removed").with(name);
    Ok((flash, Redirect::to(&documents_path(proposal.id))).into_response())
}
