//! Proposals: the list (search, filters, counts per state), the dossier form (new, edit while
//! a draft or returned), a proposal's page, and its state changes (`POST
//! /proposals/{id}/{action}`), all from the transition table in domain::transition.

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

mod act;
mod action_form;
mod dossier;
mod edit;
mod list;
mod show;

pub(crate) use list::ListQuery;

/// Routes: `/proposals`, `/proposals/new`, `/proposals/{id}`, `/proposals/{id}/edit`,
/// `/proposals/{id}/{action}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals", get(list::list))
        .route("/proposals/new", get(edit::new_form).post(edit::create))
        .route("/proposals/{id}", get(show::show))
        .route(
            "/proposals/{id}/edit",
            get(edit::edit_form).post(edit::update),
        )
        .route("/proposals/{id}/{action}", post(act::act))
}
