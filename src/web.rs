//! HTTP: handlers, extractors, middleware and page templates. Handlers are thin: parse the
//! input, ask `domain::policy`, call `db`, render a template or redirect.

use axum::Router;

use crate::state::AppState;

pub mod adjustments;
pub mod admin;
pub mod appraisals;
pub mod auth;
pub mod chart;
pub mod context;
pub mod contracts;
pub mod documents;
pub mod evaluation;
pub mod export;
pub mod facilities;
pub mod form;
pub mod funding;
pub mod health;
pub mod home;
pub mod lookup;
pub mod notifications;
pub mod pagination;
pub mod payments;
pub mod progress;
pub mod proposals;
pub mod reference;
pub mod reports;
pub mod settlement;
pub mod stops;
pub mod upload;

/// Every page route. Static files and health checks are added by `app::router`.
pub fn pages() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(home::router())
        .merge(admin::router())
        .merge(facilities::router())
        .merge(proposals::router())
        .merge(documents::router())
        .merge(reference::router())
        .merge(appraisals::router())
        .merge(notifications::router())
        .merge(funding::router())
        .merge(progress::router())
        .merge(payments::router())
        .merge(stops::router())
        .merge(settlement::router())
        .merge(evaluation::router())
        .merge(adjustments::router())
        .merge(contracts::router())
        .merge(lookup::router())
        .merge(reports::router())
        .merge(export::router())
}

/// Today in Vietnam (the day every date rule is checked against).
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(crate::domain::format::VIETNAM)
        .date()
}
