//! Operational endpoints: liveness, readiness, metrics.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::resource;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::service;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HealthView {
    /// Always `ok` when the process answers.
    pub status: String,
    pub version: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReadyView {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "Up", body = HealthView)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthView {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// Ready to take traffic: the database takes a write now (a PostgreSQL standby or a
/// full disk does not), and a SQLite database's disk has `MOTCUA_READY_MIN_FREE_MB`
/// free. Each call rewrites one row.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = ReadyView),
        (status = 503, description = "The database cannot take a write now; `detail` says why",
            body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
    ))]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (backend, min_free) = (state.backend.clone(), state.config.ready_min_free_bytes);
    state
        .db(move |conn| Ok(service::readiness::check(conn, &backend, min_free)?))
        .await?;
    Ok(HttpResponse::Ok().json(ReadyView {
        status: "ready".to_owned(),
        database: state.backend.name().to_owned(),
    }))
}

/// Prometheus metrics: requests by route and status, latency histograms, pool usage.
/// On the main address only with `Authorization: Bearer <MOTCUA_METRICS_TOKEN>` (and
/// not at all without that setting); `MOTCUA_METRICS_BIND` serves them openly on a
/// private address instead.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "Missing or wrong metrics token", body = crate::error::Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No metrics token configured", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let Some(token) = &state.config.metrics_token else {
        return Err(ApiError::NotFound(
            ErrorCode::RouteNotFound,
            "metrics are served on MOTCUA_METRICS_BIND, or here with MOTCUA_METRICS_TOKEN"
                .to_owned(),
        ));
    };
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Digests of equal length: the comparison's time tells nothing of the token.
    if Sha256::digest(sent.as_bytes()) != Sha256::digest(token.as_bytes()) {
        return Err(ApiError::Unauthorized(
            ErrorCode::MetricsTokenRequired,
            "send `Authorization: Bearer <MOTCUA_METRICS_TOKEN>`".to_owned(),
        ));
    }
    Ok(open_metrics(state).await)
}

/// The metrics without a token: only ever on the `MOTCUA_METRICS_BIND` address.
pub async fn open_metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = state.metrics.render(
        &state.pool.state(),
        state.pool.max_size(),
        state.started_at.elapsed(),
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health", "GET").route(web::get().to(health)))
        .service(resource("/ready", "GET").route(web::get().to(ready)))
        .service(resource("/metrics", "GET").route(web::get().to(metrics)));
}
