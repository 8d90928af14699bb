//! Uploaded files, for every form that carries one: reading a multipart body with the size
//! limits enforced while reading (each file hashed as it arrives), checking each file by
//! content and extension (`domain::document`), storing them, and serving a stored document
//! back as an attachment. A refused upload stores nothing.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{FromRequest as _, Multipart, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest as _, Sha256};

use crate::db::documents::{NewDocument, StoredDocument};
use crate::domain::document::{self, FileType, Refusal};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::storage::StorageKey;
use crate::web::form::FieldErrors;
use crate::workflow::{StepError, StepResult};

/// Most files one upload may carry.
pub const MAX_FILES: usize = 20;
/// Most text fields a multipart form may carry (a plan lists every appraised proposal).
const MAX_TEXT_FIELDS: usize = 5_000;
const MB: u64 = 1024 * 1024;

/// A file as received: its name as sent, its content, and its SHA-256.
pub struct Received {
    raw_name: String,
    content: Bytes,
    sha256: Vec<u8>,
}

/// A multipart form as received: its text fields and the files of its file field.
#[derive(Default)]
pub struct MultipartForm {
    /// Text fields by name (the last value of a repeated name).
    pub texts: HashMap<String, String>,
    /// The files.
    pub files: Vec<Received>,
}

impl MultipartForm {
    /// A text field's value, or "".
    pub fn text(&self, name: &str) -> &str {
        self.texts.get(name).map_or("", String::as_str)
    }
}

/// Why an upload is refused.
pub enum UploadError {
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
    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Malformed => StatusCode::BAD_REQUEST,
            Self::RequestTooLarge | Self::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::File(Refusal::TypeNotAllowed | Refusal::ContentMismatch, _) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::TooManyFiles | Self::NoFile | Self::File(..) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// What the user is told, in `lang`.
    pub fn message(&self, lang: Lang, config: &crate::config::Config) -> String {
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

/// The hint under a file field: the size limits in force, in `lang`.
pub fn file_hint(lang: Lang, config: &crate::config::Config) -> String {
    i18n::t_with(
        lang,
        "document.file_hint",
        &[
            ("file", &(config.upload_max_file / MB).to_string()),
            ("request", &(config.upload_max_request / MB).to_string()),
        ],
    )
}

/// The limits of one multipart form.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_file: u64,
    /// Largest body, in bytes.
    pub max_request: u64,
    /// Longest text field, in bytes.
    pub max_text: usize,
}

impl Limits {
    /// The configured file and request limits, with text fields of at most `max_text` bytes.
    pub fn configured(config: &crate::config::Config, max_text: usize) -> Self {
        Self {
            max_file: config.upload_max_file,
            max_request: config.upload_max_request,
            max_text,
        }
    }
}

/// Reads a multipart body: its text fields, and the files of field `file_field`, each file
/// capped at `max_file` bytes while it is read, the whole body at `max_request`. After the
/// first refusal the rest of the body is read and dropped, so the browser finishes sending
/// and reads the answer. The form comes back with the refusal too, so the page can keep what
/// was typed.
pub async fn read_multipart(
    request: Request,
    limits: Limits,
    file_field: &str,
) -> (MultipartForm, Option<UploadError>) {
    let mut form = MultipartForm::default();
    let refusal = read_into(request, limits, file_field, &mut form)
        .await
        .err();
    (form, refusal)
}

async fn read_into(
    request: Request,
    limits: Limits,
    file_field: &str,
    form: &mut MultipartForm,
) -> Result<(), UploadError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_request) {
        return Err(UploadError::RequestTooLarge);
    }
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(limits.max_request).unwrap_or(usize::MAX);
    let body = Body::new(http_body_util::Limited::new(body, limit));
    let mut multipart = Multipart::from_request(Request::from_parts(parts, body), &())
        .await
        .map_err(|_| UploadError::Malformed)?;
    let max_file = usize::try_from(limits.max_file).unwrap_or(usize::MAX);

    let mut refusal: Option<UploadError> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(stream_error(&error)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let is_file = name == file_field;
        let cap = match (is_file, refusal.is_some()) {
            (_, true) => 0,
            (true, false) => max_file,
            (false, false) if form.texts.len() < MAX_TEXT_FIELDS => limits.max_text,
            (false, false) => 0,
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
            if is_file {
                hasher.update(&chunk);
            }
            content.extend_from_slice(&chunk);
        }
        if refusal.is_some() {
            continue;
        }
        if !is_file {
            // An over-long text field is dropped: the form's own checks then say it is missing.
            if !over {
                form.texts
                    .insert(name, String::from_utf8_lossy(&content).into_owned());
            }
            continue;
        }
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
pub struct Checked {
    /// The cleaned name.
    pub name: String,
    /// The type its content shows.
    pub file_type: FileType,
    received: Received,
}

impl Checked {
    /// The document row for it, stored under `key`, of `kind`.
    pub fn document(&self, key: &StorageKey, kind: &str, record_id: Option<i64>) -> NewDocument {
        NewDocument {
            kind_code: kind.to_owned(),
            file_name: self.name.clone(),
            content_type: self.file_type.mime(),
            size_bytes: i64::try_from(self.received.content.len()).unwrap_or(i64::MAX),
            sha256: self.received.sha256.clone(),
            storage_key: key.as_str().to_owned(),
            appraisal_record_id: record_id,
        }
    }
}

/// Checks every file (name, content against extension); the first refusal refuses all.
pub fn check_files(files: Vec<Received>) -> Result<Vec<Checked>, UploadError> {
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

/// The files of a form whose file field may stay empty: none, or files that passed the
/// checks; the message in `lang` otherwise.
pub fn optional_files(
    files: Vec<Received>,
    refusal: Option<UploadError>,
    lang: crate::i18n::Lang,
    config: &crate::config::Config,
) -> Result<Vec<Checked>, String> {
    match refusal.map_or_else(|| check_files(files), Err) {
        Ok(checked) => Ok(checked),
        Err(UploadError::NoFile) => Ok(Vec::new()),
        Err(error) => Err(error.message(lang, config)),
    }
}

/// Refuses any file that is not a photo (JPEG or PNG), naming it.
pub fn only_photos(checked: &[Checked], lang: Lang) -> Result<(), String> {
    match checked
        .iter()
        .find(|c| !matches!(c.file_type, FileType::Jpeg | FileType::Png))
    {
        Some(other) => Err(i18n::t_with(
            lang,
            "document.not_a_photo",
            &[("name", &other.name)],
        )),
        None => Ok(()),
    }
}

/// Stores every file under a new key; on a failure, removes those already stored.
pub async fn store_all(state: &AppState, files: &[Checked]) -> AppResult<Vec<StorageKey>> {
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

/// Stores every file under a new key, with its document row of `kind`; the keys are for
/// [`commit_step`] to delete when the step that records the rows fails.
pub async fn store_documents(
    state: &AppState,
    files: &[Checked],
    kind: &str,
    record_id: Option<i64>,
) -> AppResult<(Vec<StorageKey>, Vec<NewDocument>)> {
    let stored = store_all(state, files).await?;
    let documents = files
        .iter()
        .zip(&stored)
        .map(|(file, key)| file.document(key, kind, record_id))
        .collect();
    Ok((stored, documents))
}

/// Ends the transaction of a step that recorded the files stored under `stored`, like
/// [`commit_or_discard`]: a field the step refused comes back as the form's mistake (the
/// files deleted), so the page can show its form again.
pub async fn commit_step<T>(
    state: &AppState,
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    stored: &[StorageKey],
    written: StepResult<T>,
) -> AppResult<Result<T, FieldErrors>> {
    match written {
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            delete_all(state, stored).await;
            Ok(Err(FieldErrors::one(field, key)))
        }
        written => {
            let written = written.map_err(AppError::from);
            commit_or_discard(state, tx, stored, written).await.map(Ok)
        }
    }
}

/// Ends a transaction that recorded the files stored under `stored`: committed when
/// `written` succeeded, and the files deleted when it or the commit failed, so a refused
/// write leaves no file behind.
pub async fn commit_or_discard<T>(
    state: &AppState,
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    stored: &[StorageKey],
    written: AppResult<T>,
) -> AppResult<T> {
    let done = match written {
        Ok(value) => tx.commit().await.map(|()| value).map_err(AppError::from),
        Err(error) => Err(error),
    };
    if done.is_err() {
        delete_all(state, stored).await;
    }
    done
}

/// Deletes stored contents no row refers to; a failure leaves an orphan file, logged.
pub async fn delete_all(state: &AppState, keys: &[StorageKey]) {
    for key in keys {
        if let Err(error) = state.store.delete(key).await {
            tracing::warn!(%error, storage.key = %key, "an unrecorded document could not be deleted");
        }
    }
}

/// A stored document as a download: an attachment, never shown inline, with the type its
/// content was found to be and `nosniff`.
pub async fn download(state: &AppState, document: &StoredDocument) -> AppResult<Response> {
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
