//! Logging: human-readable by default, JSON with `LOG_FORMAT=json`; `RUST_LOG` filters.
//! Never log passwords, password hashes, session tokens or whole forms.

use axum::extract::MatchedPath;
use axum::http::Request;
use tracing::Span;
use tracing_subscriber::EnvFilter;

const DEFAULT_FILTER: &str = "khuyencong=info,tower_http=info,sqlx=warn";

/// Installs the global subscriber. Call once, early in `main`.
pub fn init(json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    // A second call (tests start several servers in one process) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The span every request runs in: method, route (low-cardinality) and request id.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "http.request",
        http.method = %request.method(),
        http.route = route,
        request.id = request_id,
        user.id = tracing::field::Empty,
    )
}
