//! motcua: the REST service behind Vietnamese one-stop administrative desks.
//!
//! [`build_app`] assembles the actix-web application; `main.rs` serves it and every
//! test drives it directly.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod error_code;
pub mod pages;
pub mod private_files;
pub mod service;
pub mod state;
pub mod telemetry;
pub mod tls;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, App, HttpResponse, HttpServer};
use chrono::Utc;
use futures_util::FutureExt;
use rand::Rng;
use tracing::Instrument;
use utoipa::OpenApi;

use crate::auth::password::hash_password_blocking;
use crate::domain::account::{check_password, Role};
use crate::domain::ids::{OfficeId, UserId};
pub use crate::state::AppState;

/// The OpenAPI document as served at `/openapi.json` and committed in `api-docs/`.
pub fn openapi_json() -> String {
    api::ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
        + "\n"
}

/// The application: routes, limits, error mapping, request ids, logs and metrics.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.config.max_body_bytes;
    let body_timeout = state.config.body_timeout;
    App::new()
        .app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(max_body)
                .error_handler(api::json_error),
        )
        .app_data(web::PayloadConfig::default().limit(max_body))
        .app_data(web::QueryConfig::default().error_handler(api::query_error))
        .app_data(web::PathConfig::default().error_handler(api::path_error))
        .configure(api::configure)
        .service(
            api::resource("/openapi.json", "GET").route(web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(openapi_json())
            })),
        )
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api::ApiDoc::openapi()),
        )
        .service(web::redirect("/docs", "/docs/"))
        .configure(pages::configure)
        .default_service(web::to(api::not_found))
        .wrap_fn(move |mut req, srv| {
            api::body_deadline::apply(&mut req, body_timeout);
            srv.call(req)
        })
        .wrap_fn(|req, srv| {
            let started = Instant::now();
            let request_id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                .map(str::to_owned)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            // The route pattern, never the raw path or query: those may carry personal data.
            let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
            let method = req.method().to_string();
            let path = req.path().to_owned();
            let state = req.app_data::<web::Data<AppState>>().cloned();
            let span = tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
            srv.call(req).instrument(span.clone()).map(move |result| {
                let mut response = result?;
                api::hardening::harden(&path, response.headers_mut());
                let status = response.status().as_u16();
                let elapsed = started.elapsed();
                if let Some(state) = state {
                    state.metrics.observe(&method, &route, status, elapsed);
                }
                span.in_scope(|| tracing::info!(status, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "served"));
                if let Ok(value) = HeaderValue::from_str(&request_id) {
                    response.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
                }
                Ok(response)
            })
        })
}

/// Serves the API on `bind` (returned with the addresses it listens on) with the limits
/// that protect it from slow or too many clients: headers within 5 s, bodies within
/// `body_timeout` (see [`api::body_deadline`]), at most `max_connections` open at once
/// (further clients wait in the listen backlog), idle keep-alive connections closed
/// after 5 s.
pub fn serve_api(
    state: web::Data<AppState>,
    bind: &str,
) -> std::io::Result<(actix_web::dev::Server, Vec<std::net::SocketAddr>)> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let config = &state.config;
    let max_connections = (config.max_connections / workers).max(1);
    // Database work runs on blocking threads; more than the pool has connections
    // would only wait for one (and each idle thread keeps memory).
    let blocking_threads = config.pool_size as usize;
    let tls = match &config.tls {
        Some((cert, key)) => Some(tls::server_config(cert, key).map_err(std::io::Error::other)?),
        None => None,
    };
    let server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .max_connections(max_connections)
        .client_request_timeout(std::time::Duration::from_secs(5))
        .keep_alive(std::time::Duration::from_secs(5))
        // Finish in-flight requests on SIGTERM / Ctrl-C before exiting.
        .shutdown_timeout(30)
        .worker_max_blocking_threads(blocking_threads);
    let server = match tls {
        Some(tls) => server.bind_rustls_0_23(bind, tls)?,
        None => server.bind(bind)?,
    };
    let addresses = server.addrs();
    Ok((server.run(), addresses))
}

/// The application of `MOTCUA_METRICS_BIND`: `/metrics` without a token, nothing else.
pub fn metrics_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .route("/metrics", web::get().to(api::ops::open_metrics))
        .default_service(web::to(api::not_found))
}

/// Creates user `admin` when no account exists yet, with `MOTCUA_ADMIN_PASSWORD` or a
/// generated password that is logged once. Returns the generated password, if any.
pub fn bootstrap_admin(state: &AppState) -> Result<Option<String>, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    if db::users::count(&mut conn).map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    let (password, generated) = match &state.config.admin_password {
        Some(password) => {
            check_password(password, "admin").map_err(|m| format!("MOTCUA_ADMIN_PASSWORD {m}"))?;
            (password.clone(), false)
        }
        None => (generate_password(), true),
    };
    create_user(
        &mut conn,
        "admin",
        &password,
        "Administrator",
        Role::Admin,
        None,
    )?;
    if generated {
        tracing::warn!(
            "created user `admin` with generated password {password} (shown once; change it, or set MOTCUA_ADMIN_PASSWORD before the first start)"
        );
        Ok(Some(password))
    } else {
        tracing::info!("created user `admin` with the password from MOTCUA_ADMIN_PASSWORD");
        Ok(None)
    }
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Creates an account directly (bootstrap, CLI, tests), applying the same policies as the API.
pub fn create_user(
    conn: &mut db::AnyConnection,
    username: &str,
    password: &str,
    full_name: &str,
    role: Role,
    office_id: Option<&OfficeId>,
) -> Result<db::users::UserRow, String> {
    let username = &domain::account::normalize_username(username);
    domain::account::check_username(username).map_err(|m| format!("username {m}"))?;
    check_password(password, username).map_err(|m| format!("password {m}"))?;
    if role != Role::Admin && office_id.is_none() {
        return Err("managers and clerks belong to an office".to_owned());
    }
    let now = Utc::now().naive_utc();
    let row = db::users::UserRow {
        id: UserId::new(),
        username: username.to_owned(),
        password_hash: hash_password_blocking(password),
        full_name: full_name.to_owned(),
        role,
        office_id: office_id.cloned(),
        disabled: false,
        created_at: now,
        updated_at: now,
        token_generation: 0,
    };
    db::users::insert(conn, &row).map_err(|e| e.to_string())?;
    Ok(row)
}
