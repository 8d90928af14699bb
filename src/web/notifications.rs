//! `/notifications`: what happened that concerns the user (in the app; the header shows how
//! many are unread). Opening one marks it read and follows its link.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::context::{CurrentUser, Flash, PageContext};
use super::pagination::{PageQuery, Pager};
use crate::db;
use crate::db::notifications::Notification;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Routes: `/notifications`, `/notifications/{id}/open`, `/notifications/read-all`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/{id}/open", post(open))
        .route("/notifications/read-all", post(read_all))
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ctx: PageContext,
    rows: Vec<Notification>,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
) -> AppResult<NotificationsPage> {
    let (limit, offset) = page.limit_offset();
    let (rows, total) = db::notifications::list(&state.db, user.0.user_id, limit, offset).await?;
    Ok(NotificationsPage {
        ctx,
        rows,
        pager: Pager::new(&page, total),
    })
}

async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let link = db::notifications::mark_read(&state.db, user.0.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Links are ours (the table only takes local paths), never a redirect elsewhere.
    Ok(Redirect::to(&link).into_response())
}

async fn read_all(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    db::notifications::mark_all_read(&state.db, user.0.user_id).await?;
    Ok((
        Flash::success("flash.notifications_read"),
        Redirect::to("/notifications"),
    )
        .into_response())
}
