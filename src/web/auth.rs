//! Sign-in and sign-out.

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use secrecy::SecretString;
use serde::Deserialize;

use super::context::{Flash, PageContext, RequestContext, SessionChange};
use crate::auth::token;
use crate::db;
use crate::domain::username::Username;
use crate::error::AppResult;
use crate::state::AppState;

/// Failures within the window before an account is paused.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failures within the window before an address is paused (a shared office NAT has many users).
const MAX_FAILURES_PER_ADDRESS: i64 = 30;
/// The throttling window, in minutes.
const WINDOW_MINUTES: i32 = 15;

/// Routes: `/login`, `/logout`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageContext,
    username: String,
    next: String,
    error_key: Option<&'static str>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site may follow sign-in (no open redirect to another host).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

async fn login_form(ctx: PageContext, Query(query): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to("/").into_response();
    }
    LoginPage {
        ctx,
        username: String::new(),
        next: safe_next(query.next.as_deref()),
        error_key: None,
    }
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(request): Extension<RequestContext>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let address = client_address(&state, &headers, peer);
    let next = safe_next(Some(&form.next));
    let typed_name: String = form.username.trim().chars().take(100).collect();
    let refuse = |status: StatusCode, key: &'static str| {
        let page = LoginPage {
            ctx: PageContext::from(request.clone()),
            username: typed_name.clone(),
            next: next.clone(),
            error_key: Some(key),
        };
        (status, page).into_response()
    };

    let Some(username) = Username::parse(&form.username) else {
        return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, "login.invalid"));
    };
    if form.password.is_empty() {
        return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, "login.invalid"));
    }

    let password = SecretString::from(form.password);
    let user_id = match authenticate(&state, &username, address, password).await? {
        Ok(user_id) => user_id,
        Err((status, key)) => return Ok(refuse(status, key)),
    };
    // A new token at every sign-in (session fixation): the old session, if any, ends.
    if let Some(old) = &request.session_digest {
        db::sessions::delete(&state.db, old).await?;
    }
    let new_token = token::generate();
    let user_agent = headers.get("user-agent").and_then(|v| v.to_str().ok());
    let digest = token::digest(&new_token);
    let lifetime = state.config.session_absolute;
    db::sessions::insert(&state.db, &digest, user_id, lifetime, user_agent).await?;
    tracing::info!(user.id = user_id, "signed in");
    Ok((SessionChange::Start(new_token), Redirect::to(&next)).into_response())
}

/// The id of the active account `username` whose password `password` is, with the attempt
/// recorded; or the status and message of the refusal (too many recent failures for the
/// account or the address, or a wrong name or password, told apart for nobody).
async fn authenticate(
    state: &AppState,
    username: &Username,
    address: IpAddr,
    password: SecretString,
) -> AppResult<Result<i64, (StatusCode, &'static str)>> {
    let name = username.as_str();
    let failures =
        db::login_attempts::recent_failures(&state.db, name, address, WINDOW_MINUTES).await?;
    if failures.for_username >= MAX_FAILURES_PER_ACCOUNT
        || failures.for_address >= MAX_FAILURES_PER_ADDRESS
    {
        tracing::warn!(%address, "sign-in throttled");
        return Ok(Err((StatusCode::TOO_MANY_REQUESTS, "login.throttled")));
    }
    let credentials = db::users::find_credentials(&state.db, name).await?;
    let active = credentials.as_ref().is_some_and(|c| c.active);
    let user_id = credentials.as_ref().map(|c| c.id);
    let hash = credentials.map(|c| c.password_hash);
    let matches = state.passwords.verify(password, hash).await?;
    let signed_in = user_id.filter(|_| matches && active);
    db::login_attempts::record(&state.db, name, address, signed_in.is_some()).await?;
    Ok(signed_in.ok_or((StatusCode::UNPROCESSABLE_ENTITY, "login.invalid")))
}

async fn logout(
    State(state): State<AppState>,
    Extension(request): Extension<RequestContext>,
) -> AppResult<Response> {
    if let Some(digest) = &request.session_digest {
        db::sessions::delete(&state.db, digest).await?;
    }
    Ok((
        SessionChange::End,
        Flash::info("flash.signed_out"),
        Redirect::to("/login"),
    )
        .into_response())
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop when configured to
/// trust a proxy in front.
pub(super) fn client_address(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    if state.config.trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(address) = forwarded {
            return address;
        }
    }
    peer.ip()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_follow_sign_in() {
        assert_eq!(safe_next(Some("/proposals?page=2")), "/proposals?page=2");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
