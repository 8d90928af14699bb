//! Khuyến công: a province's industrial-promotion programme, from proposal to evaluation.
//!
//! A request goes `web` (parse, authorise through `domain::policy`) → `domain` (pure rules)
//! → `db` (all SQL) → `web` (a page or a redirect). See docs/architecture.md.

/// The application state, the router and its layers, and the server loop.
pub mod app;
/// Passwords and session tokens.
pub mod auth;
/// Command-line interface: `serve`, `migrate`, `seed-demo`, `generate-data`, `create-user`.
pub mod cli;
/// Configuration from environment variables, checked at start-up.
pub mod config;
/// Every SQL statement of the application.
pub mod db;
/// The fixed demo data set (PRODUCT.md §6).
pub mod demo;
/// Pure domain rules: roles, the policy, proposal states, money. No sqlx, no axum.
pub mod domain;
/// One error type for every request path.
pub mod error;
/// The generated performance data set (`generate-data`; docs/benchmarks.md).
pub mod generate;
/// Message catalogue (Vietnamese first, English second).
pub mod i18n;
/// The daily job (reminders of what is due or overdue), run once a day across processes.
pub mod jobs;
/// Notifications by e-mail, when SMTP is configured.
pub mod mail;
/// What every handler can reach.
pub mod state;
/// Where documents' contents are kept (a local directory; an S3-compatible store later).
pub mod storage;
/// Logging and request spans.
pub mod telemetry;
/// HTTP handlers, extractors, middleware and page templates.
pub mod web;
/// The steps of a proposal's life, shared by the pages, the demo and every other writer.
pub mod workflow;
