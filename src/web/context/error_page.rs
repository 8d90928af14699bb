//! The error page in the shell: what an error response becomes, for errors of our handlers
//! and for those raised before them (a malformed path, a body too large).

use std::sync::Arc;

use askama::Template;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{PageContext, RequestContext};
use crate::db::sessions::SessionUser;
use crate::error::ErrorPage;
use crate::i18n::Lang;

/// Replaces the body of an error response (one that carries [`ErrorPage`]) with the error
/// page in the shell.
pub(super) fn render_error(
    mut response: Response,
    lang: Lang,
    user: Option<Arc<SessionUser>>,
    path_and_query: String,
) -> Response {
    let status = response.status();
    let marked = response.extensions_mut().remove::<ErrorPage>();
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // Errors raised outside our handlers (a malformed path, a body too large, a method not
    // allowed) come as plain text: they get the page in the shell too.
    let error = match marked {
        Some(error) => error,
        None if (status.is_client_error() || status.is_server_error()) && !is_html => ErrorPage {
            message_key: generic_message(status),
        },
        None => return response,
    };
    let ctx = PageContext::from(RequestContext {
        user,
        lang,
        flash: None,
        path_and_query,
        session_digest: None,
    });
    let page = ErrorTemplate {
        ctx,
        status: status.as_u16(),
        message_key: error.message_key,
    };
    match page.render() {
        Ok(html) => {
            let mut rendered = (status, html).into_response();
            rendered.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            *rendered.extensions_mut() = std::mem::take(response.extensions_mut());
            rendered
        }
        Err(e) => {
            tracing::error!(error = %e, "error page does not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "500").into_response()
        }
    }
}

pub(super) fn generic_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::METHOD_NOT_ALLOWED => "error.method",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::REQUEST_TIMEOUT => "error.timeout",
        StatusCode::SERVICE_UNAVAILABLE => "error.unavailable",
        s if s.is_server_error() => "error.internal",
        _ => "error.bad_request",
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub(super) struct ErrorTemplate {
    ctx: PageContext,
    status: u16,
    message_key: &'static str,
}
