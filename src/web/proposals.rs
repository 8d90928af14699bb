//! Proposals: the list and a proposal's page, narrowed to the user's scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;

use super::context::{CurrentUser, PageContext};
use super::pagination::{PageQuery, Pager};
use crate::app::AppState;
use crate::db;
use crate::db::proposals::{Beneficiary, Event, ProposalDetail, ProposalSummary};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};

/// Routes: `/proposals`, `/proposals/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals", get(list))
        .route("/proposals/{id}", get(show))
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/list.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<ProposalSummary>,
    pager: Pager,
    plain: bool,
    filter_state: Option<ProposalState>,
}

/// List filters (more come with the intake work).
#[derive(Debug, Default, Deserialize)]
struct Filters {
    state: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
    Query(filters): Query<Filters>,
) -> AppResult<ListPage> {
    user.require(Permission::ViewProposals)?;
    let filter_state = match filters.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => {
            Some(ProposalState::from_code(code).ok_or(AppError::BadRequest("error.bad_filter"))?)
        }
    };
    let (limit, offset) = page.limit_offset();
    let (rows, total) =
        db::proposals::list(&state.db, &user.scope(), filter_state, limit, offset).await?;
    let plain = user.0.role == Role::FacilityOwner;
    Ok(ListPage {
        ctx,
        rows,
        pager: Pager::new(&page, total)
            .keeping(&[("state", filter_state.map_or("", ProposalState::code))]),
        plain,
        filter_state,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/show.html")]
struct ShowPage {
    ctx: PageContext,
    proposal: ProposalDetail,
    beneficiaries: Vec<Beneficiary>,
    events: Vec<Event>,
    plain: bool,
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ShowPage> {
    user.require(Permission::ViewProposals)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let beneficiaries = db::proposals::beneficiaries(&state.db, proposal.id).await?;
    let events = db::proposals::events(&state.db, proposal.id).await?;
    let plain = user.0.role == Role::FacilityOwner;
    Ok(ShowPage {
        ctx,
        proposal,
        beneficiaries,
        events,
        plain,
    })
}
