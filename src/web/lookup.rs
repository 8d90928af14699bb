//! (being written)

use axum::Router;

use crate::app::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
}
