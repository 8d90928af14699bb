//! One error type for every request path.
//!
//! Handlers return `AppResult<T>`. An `AppError` becomes a response that carries an
//! [`ErrorPage`] marker; the page middleware (web::context) renders it inside the page shell
//! in the user's language. 5xx causes are logged here and never shown to the user.
//! Form validation failures never travel through `AppError`: the handler re-renders its form.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The result type of handlers and of the `db` layer.
pub type AppResult<T, E = AppError> = Result<T, E>;

/// Everything that can end a request early.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such record, or the user's scope does not include it (the two look the same).
    #[error("not found")]
    NotFound,
    /// Signed in, but the role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Not signed in: send to the login page, then back to `next`.
    #[error("sign-in required")]
    Unauthenticated {
        /// The path to return to after signing in.
        next: String,
    },
    /// A request the user's browser should not have sent (a malformed query, say).
    /// The message is a catalogue key.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The record changed under the user (a stale form) or the action no longer applies.
    /// The message is a catalogue key.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database is busy (no connection within the acquire timeout) or unreachable.
    #[error("service unavailable")]
    Unavailable,
    /// A database failure.
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    /// Anything else that went wrong inside.
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable
            }
            other => Self::Database(other),
        }
    }
}

/// The one place a refused transition becomes an answer: a role that may not take the step
/// is forbidden it; a step that does not apply in the proposal's state says why.
impl From<crate::domain::transition::TransitionError> for AppError {
    fn from(error: crate::domain::transition::TransitionError) -> Self {
        use crate::domain::transition::TransitionError;
        match error {
            TransitionError::NotAllowed => Self::Forbidden,
            TransitionError::NotFromThisState(action) => Self::Conflict(action.not_now_key()),
        }
    }
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unauthenticated { .. } => StatusCode::SEE_OTHER,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The catalogue key of the message shown to the user.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::NotFound => "error.not_found",
            Self::Forbidden => "error.forbidden",
            Self::Unauthenticated { .. } => "error.unauthenticated",
            Self::BadRequest(key) | Self::Conflict(key) => key,
            Self::Unavailable => "error.unavailable",
            Self::Database(_) | Self::Internal(_) => "error.internal",
        }
    }
}

/// Marks a response whose body the page middleware replaces with the error page.
#[derive(Clone, Copy, Debug)]
pub struct ErrorPage {
    /// Catalogue key of the message.
    pub message_key: &'static str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::Unauthenticated { next } => {
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return Redirect::to(&target).into_response();
            }
            Self::Database(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "request failed")
            }
            Self::Unavailable => tracing::warn!("database unavailable"),
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorPage {
            message_key: self.message_key(),
        });
        response
    }
}

/// Turns database constraint violations into errors the user can act on, at the call site.
pub trait ResultExt<T> {
    /// Maps a violation of `constraint` to `f()`; other errors pass through.
    fn on_constraint(self, constraint: &str, f: impl FnOnce() -> AppError) -> AppResult<T>;
}

impl<T, E: Into<AppError>> ResultExt<T> for Result<T, E> {
    fn on_constraint(self, constraint: &str, f: impl FnOnce() -> AppError) -> AppResult<T> {
        self.map_err(|e| match e.into() {
            AppError::Database(sqlx::Error::Database(db))
                if db.constraint() == Some(constraint) =>
            {
                f()
            }
            other => other,
        })
    }
}
