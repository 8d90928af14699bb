//! The application: the router with every layer in one place, and the server loop with
//! graceful shutdown. `serve` is also what tests start, on a random port.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ErrorPage;
use crate::state::AppState;
use crate::{telemetry, web};

/// Content-Security-Policy: everything from this origin, no inline script, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; object-src 'none'";

/// Largest request body accepted by page routes (forms; uploads get their own limit).
const FORM_BODY_LIMIT: usize = 256 * 1024;
/// A request that takes longer than this is answered 503 rather than left hanging.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole application.
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");

    // Page routes. The context middleware is outside the CSRF check, so a refused
    // cross-site request still gets a proper error page.
    let pages = web::pages()
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    web::context::middleware,
                ))
                .layer(CsrfLayer::new().with_rejection_response(csrf_rejection))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    REQUEST_TIMEOUT,
                ))
                .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT)),
        );

    let static_files = Router::new()
        .nest_service("/static", ServeDir::new(static_dir()))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ));

    Router::new()
        .merge(web::health::router())
        .merge(static_files)
        .merge(pages)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    x_request_id.clone(),
                    MakeRequestUuid,
                ))
                .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span))
                .layer(PropagateRequestIdLayer::new(x_request_id))
                .layer(header_layer("content-security-policy", CSP))
                .layer(header_layer("x-content-type-options", "nosniff"))
                .layer(header_layer("x-frame-options", "DENY"))
                .layer(header_layer("referrer-policy", "same-origin"))
                .layer(header_layer("cross-origin-opener-policy", "same-origin"))
                .layer(header_layer(
                    "permissions-policy",
                    "camera=(self), geolocation=(), microphone=()",
                )),
        )
}

fn header_layer(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

fn csrf_rejection(_error: tower_http::csrf::ProtectionError) -> Response {
    tracing::warn!("cross-site request refused");
    let mut response = StatusCode::FORBIDDEN.into_response();
    response.extensions_mut().insert(ErrorPage {
        message_key: "error.cross_site",
    });
    response
}

/// `static/` beside the binary's sources in development, or `STATIC_DIR` when installed.
fn static_dir() -> std::path::PathBuf {
    std::env::var_os("STATIC_DIR")
        .map(Into::into)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static"))
}

/// Serves until `shutdown` completes, then lets open requests finish for at most the
/// configured grace period.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let grace = state.config.shutdown_grace;
    spawn_session_cleanup(&state);
    if !state.config.daily_job_disabled {
        crate::jobs::spawn(state.db.clone());
    }
    if let Some(mail) = &state.config.mail {
        let mailer = crate::mail::Mailer::new(mail, &state.config.base_url)?;
        crate::mail::spawn(mailer, state.db.clone(), mail.poll);
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let deadline = async move {
        let mut stop_rx = stop_rx;
        let _ = stop_rx.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result?,
        () = deadline => tracing::warn!("shutdown grace period over; closing remaining connections"),
    }
    Ok(())
}

/// Removes expired sessions every ten minutes.
fn spawn_session_cleanup(state: &AppState) {
    let pool = state.db.clone();
    let idle = state.config.session_idle;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match crate::db::sessions::delete_expired(&pool, idle).await {
                Ok(removed) if removed > 0 => tracing::info!(removed, "expired sessions removed"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "session clean-up failed"),
            }
        }
    });
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
