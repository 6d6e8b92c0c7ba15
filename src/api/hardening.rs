//! Headers every answer carries: nothing personal is cached, nothing is sniffed or
//! framed, no referrer leaves, and a Content-Security-Policy fits what is served.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// The API serves data, never a page: nothing may run or load from it.
const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Swagger UI at `/docs`: its scripts and styles are files of its own (no inline
/// script), it renders some inline styles, and it fetches `/openapi.json`.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the headers a handler did not set itself.
pub fn harden(path: &str, headers: &mut HeaderMap) {
    let mut set = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    let docs = path == "/docs" || path.starts_with("/docs/");
    set(
        header::CONTENT_SECURITY_POLICY,
        if docs { DOCS_POLICY } else { API_POLICY },
    );
    // Login answers, dossiers with full identity numbers, CSV exports, metrics: no
    // browser or proxy keeps a copy.
    if !docs {
        set(header::CACHE_CONTROL, "no-store");
    }
}
