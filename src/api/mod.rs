//! HTTP resources, one module (or folder) each. A handler parses the request, asks
//! `auth::policy`, calls one service function (or one query for a plain read) and
//! maps the answer.

pub mod auth;
pub mod body_deadline;
pub mod calendar;
pub mod csv;
pub mod dossiers;
pub mod extract;
pub mod hardening;
pub mod idempotency;
pub mod kiosks;
pub mod offices;
pub mod ops;
pub mod procedures;
pub mod stats;
pub mod targets;
pub mod users;
pub mod votes;
pub mod worklists;
pub mod xlsx;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, Resource};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::domain::ids::Id;
use crate::domain::{dates, text};
use crate::error::{problem_response, ApiError, ErrorCode, FieldError};

/// A page of a list, with the cursor for the next page (`null` on the last page).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 200;

/// Validated page size: 1..=200, default 50.
pub fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// Keyset cursor: the sort key of the last item of the page (a code or username), so
/// any string is a valid position and pages stay stable while rows are added.
pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    match cursor {
        Some(c) if c.chars().count() > 200 || c.chars().any(char::is_control) => Err(
            ApiError::field("cursor", "not a cursor returned by this list"),
        ),
        other => Ok(other.map(str::to_owned)),
    }
}

/// Cuts one extra row fetched to know whether another page exists.
pub fn into_page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> String,
    view: impl Fn(R) -> T,
) -> Page<T> {
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(&key)
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    }
}

/// Trims a free-text field, composes it (NFC) and checks it: not empty, bounded, no
/// control characters, nothing invisible or direction-changing.
pub fn clean_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max_chars: usize,
) -> String {
    let cleaned = text::nfc(value.trim());
    if let Some(message) = text_problem(&cleaned, max_chars) {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
    }
    cleaned
}

/// Like [`clean_text`] for a person's name, which also holds at least one letter.
pub fn clean_name(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    let before = errors.len();
    let name = clean_text(errors, field, value, 200);
    if errors.len() == before && !name.chars().any(char::is_alphabetic) {
        errors.push(FieldError {
            field: field.to_owned(),
            message: "a name holds at least one letter".to_owned(),
        });
    }
    name
}

fn text_problem(text: &str, max_chars: usize) -> Option<String> {
    if text.is_empty() {
        Some("must not be empty".to_owned())
    } else if text.chars().count() > max_chars {
        Some(format!("must be at most {max_chars} characters"))
    } else if text.chars().any(char::is_control) {
        Some("must not contain control characters".to_owned())
    } else {
        text.chars().find(|c| text::is_invisible(*c)).map(|c| {
            format!(
                "must not contain invisible or direction-changing characters (U+{:04X})",
                c as u32
            )
        })
    }
}

/// A search term from a query string: trimmed, bounded, no control characters.
pub fn search_term(q: Option<&str>) -> Result<Option<String>, ApiError> {
    match q {
        Some(raw) if raw.chars().count() > 100 || raw.chars().any(char::is_control) => Err(
            ApiError::field("q", "at most 100 characters, no control characters"),
        ),
        // Composed like stored text, and without what a copy-paste can carry unseen.
        other => Ok(other
            .map(|q| text::nfc(q).replace(text::is_invisible, ""))
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty())),
    }
}

pub fn fail_if_any(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A date from a request, within the range the service accepts.
pub fn date_in_range(field: &str, date: NaiveDate) -> Result<NaiveDate, ApiError> {
    dates::check_date(date).map_err(|e| ApiError::field(field, e.to_string()))
}

/// An instant from a request, within the range the service accepts.
pub fn instant_in_range(field: &str, at: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    dates::check_instant(at).map_err(|e| ApiError::field(field, e.to_string()))
}

/// Ids are UUIDs; anything else cannot name a row, so it is simply not found.
pub fn parse_id<T: Id>(raw: &str, what: &'static str) -> Result<T, ApiError> {
    T::parse(raw).map_err(|_| ApiError::not_found(what))
}

/// A QR code of `text` as an SVG document, big enough to scan from paper or a screen.
pub fn qr_svg(text: &str) -> Result<String, ApiError> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .build())
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// A resource whose unsupported methods answer 405 with an `Allow` header.
pub fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        let mut response = problem_response(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "Method not allowed",
            format!("allowed methods: {allow}"),
            Vec::new(),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static(allow));
        response
    }))
}

pub async fn not_found() -> HttpResponse {
    problem_response(
        StatusCode::NOT_FOUND,
        ErrorCode::RouteNotFound,
        "Not found",
        "no such endpoint; see /docs".to_owned(),
        Vec::new(),
    )
}

/// Maps body errors (too large, not JSON, wrong types) to problem responses.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => {
            ApiError::PayloadTooLarge("the request body is too large".to_owned())
        }
        E::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".to_owned())
        }
        E::Payload(e) if body_deadline::expired(e) => ApiError::RequestTimeout,
        E::Deserialize(e) if e.is_data() => ApiError::field("body", e.to_string()),
        E::Deserialize(e) => ApiError::BadRequest {
            code: ErrorCode::MalformedJson,
            detail: format!("the body is not valid JSON: {e}"),
        },
        _ => ApiError::BadRequest {
            code: ErrorCode::MalformedBody,
            detail: "the request body could not be read".to_owned(),
        },
    };
    api.into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    ApiError::field("query", err.to_string()).into()
}

pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound(ErrorCode::NotFound, "no such resource".to_owned()).into()
}

/// Registers every route of API v1 and the operational endpoints.
pub fn configure(cfg: &mut web::ServiceConfig) {
    ops::configure(cfg);
    cfg.service(
        web::scope("/api/v1")
            .configure(auth::configure)
            .configure(users::configure)
            .configure(offices::configure)
            .configure(procedures::configure)
            .configure(calendar::configure)
            .configure(dossiers::configure)
            .configure(kiosks::configure)
            .configure(votes::configure)
            .configure(targets::configure)
            .configure(stats::configure)
            .configure(worklists::configure),
    );
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "kiosk",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("mck_ kiosk token")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, generated from the handlers and types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua",
        description = "REST service behind Vietnamese one-stop administrative desks (bộ phận một cửa).",
        license(name = "MIT")
    ),
    paths(
        ops::health, ops::ready, ops::metrics,
        auth::login, auth::logout, auth::me,
        users::list_users, users::create_user, users::get_user, users::update_user,
        offices::list_offices, offices::create_office, offices::get_office, offices::update_office,
        procedures::list_procedures, procedures::create_procedure, procedures::get_procedure,
        procedures::update_procedure,
        calendar::days, calendar::put_exception, calendar::delete_exception,
        dossiers::create_dossier, dossiers::list_dossiers, dossiers::get_dossier,
        dossiers::post_event, dossiers::list_events, dossiers::get_deadline, dossiers::get_receipt,
        dossiers::public_lookup,
        kiosks::create_kiosk, kiosks::list_kiosks, kiosks::revoke_kiosk, kiosks::kiosk_config,
        kiosks::heartbeat,
        kiosks::get_faces, kiosks::set_faces,
        votes::post_vote, votes::post_batch,
        targets::list_targets, targets::put_target,
        stats::satisfaction, stats::on_time,
        worklists::overdue, worklists::due_soon,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Login, logout and the current account"),
        (name = "users", description = "Staff accounts"),
        (name = "offices", description = "The office tree"),
        (name = "procedures", description = "The procedure catalogue"),
        (name = "calendar", description = "The working-day calendar"),
        (name = "dossiers", description = "Dossiers and their lifecycle"),
        (name = "public", description = "For citizens, without login"),
        (name = "kiosks", description = "Kiosk devices and the faces they show"),
        (name = "votes", description = "Satisfaction votes from kiosks"),
        (name = "targets", description = "Yearly targets"),
        (name = "stats", description = "Managers' statistics"),
        (name = "worklists", description = "Overdue and due-soon dossiers"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Integer body fields that also accept integral JSON floats (`2050.0`): JSON Schema
/// calls those integers, and some clients send them.
pub mod lenient {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer};

    fn integral(number: serde_json::Number) -> Option<i64> {
        number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
    }

    pub fn int<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
        let n = integral(serde_json::Number::deserialize(d)?)
            .ok_or_else(|| D::Error::custom("expected an integer"))?;
        T::try_from(n).map_err(|_| D::Error::custom("integer out of range"))
    }

    pub fn opt_int<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<serde_json::Number>::deserialize(d)? {
            None => Ok(None),
            Some(number) => {
                let n = integral(number).ok_or_else(|| D::Error::custom("expected an integer"))?;
                T::try_from(n)
                    .map(Some)
                    .map_err(|_| D::Error::custom("integer out of range"))
            }
        }
    }

    /// For PATCH: absent (`None`), `null` (`Some(None)`) or an integer.
    pub fn double_opt_int<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        opt_int(d).map(Some)
    }
}
