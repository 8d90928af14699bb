//! Facilities: the list and a facility's page, narrowed to the user's scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;

use super::context::{CurrentUser, PageContext};
use super::pagination::{PageQuery, Pager};
use crate::app::AppState;
use crate::db;
use crate::db::facilities::{FacilityDetail, FacilitySummary};
use crate::db::proposals::ProposalSummary;
use crate::domain::policy::Permission;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};

/// Routes: `/facilities`, `/facilities/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/facilities", get(list))
        .route("/facilities/{id}", get(show))
}

#[derive(Template, WebTemplate)]
#[template(path = "facilities/list.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<FacilitySummary>,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
) -> AppResult<ListPage> {
    user.require(Permission::ViewFacilities)?;
    let (limit, offset) = page.limit_offset();
    let (rows, total) = db::facilities::list(&state.db, &user.scope(), limit, offset).await?;
    Ok(ListPage {
        ctx,
        rows,
        pager: Pager::new(&page, total),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "facilities/show.html")]
struct ShowPage {
    ctx: PageContext,
    facility: FacilityDetail,
    /// The proposals the facility benefits from.
    rows: Vec<ProposalSummary>,
    plain: bool,
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ShowPage> {
    user.require(Permission::ViewFacilities)?;
    let facility = db::facilities::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = db::proposals::for_facility(&state.db, facility.id).await?;
    let plain = user.0.role == Role::FacilityOwner;
    Ok(ShowPage {
        ctx,
        facility,
        rows,
        plain,
    })
}
