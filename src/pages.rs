//! The web pages the binary serves: every file of `web/` is embedded at compile time,
//! so `cargo run` serves them with no network and no build step.
//!
//! A page is a client of `/api/v1` like any other; this module only hands out files:
//! the kiosk app (`/kiosk/`) and the desk and dashboard app (`/app/`).
//! `@VERSION@` in a script is replaced by [`app_version`], which changes whenever any
//! file changes: the kiosk's Service Worker sees a new version and updates its cache.

use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// Pages run only their own files: no inline script or style, no other origin.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! assets {
    ($($path:literal => $type:expr),* $(,)?) => {
        &[$(Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $path)),
        }),*]
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: &[Asset] = assets![
    "kiosk/index.html" => "text/html; charset=utf-8",
    "kiosk/kiosk.css" => "text/css; charset=utf-8",
    "kiosk/app.js" => JS,
    "kiosk/store.js" => JS,
    "kiosk/sender.js" => JS,
    "kiosk/faces.js" => JS,
    "kiosk/i18n.js" => JS,
    "kiosk/version.js" => JS,
    "kiosk/sw.js" => JS,
    "kiosk/manifest.webmanifest" => "application/manifest+json",
    "kiosk/icon.svg" => "image/svg+xml",
    "app/index.html" => "text/html; charset=utf-8",
    "app/app.css" => "text/css; charset=utf-8",
    "app/main.js" => JS,
    "app/api.js" => JS,
    "app/session.js" => JS,
    "app/dom.js" => JS,
    "app/i18n.js" => JS,
    "app/desk.js" => JS,
    "app/receipt.js" => JS,
    "app/dashboard.js" => JS,
    "app/chart.js" => JS,
    "app/lookup.js" => JS,
    "app/admin.js" => JS,
    "app/icon.svg" => "image/svg+xml",
];

/// `0.1.0+` and the first 8 hex digits of a digest of every embedded file.
pub fn app_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut digest = Sha256::new();
        for asset in ASSETS {
            digest.update(asset.path.as_bytes());
            digest.update(asset.bytes);
        }
        let hex = format!("{:x}", digest.finalize());
        format!("{}+{}", env!("CARGO_PKG_VERSION"), &hex[..8])
    });
    &VERSION
}

/// A file as served: scripts with their version filled in, and an ETag of the result.
struct Served {
    /// Shared, so answering clones a reference count, not the file.
    body: web::Bytes,
    etag: String,
}

fn served(index: usize) -> &'static Served {
    static SERVED: LazyLock<Vec<Served>> = LazyLock::new(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let body = match std::str::from_utf8(asset.bytes) {
                    Ok(text) if asset.content_type == JS && text.contains("@VERSION@") => {
                        web::Bytes::from(text.replace("@VERSION@", app_version()))
                    }
                    _ => web::Bytes::from_static(asset.bytes),
                };
                let digest = format!("{:x}", Sha256::digest(&body));
                let etag = format!("\"{}\"", &digest[..16]);
                Served { body, etag }
            })
            .collect()
    });
    &SERVED[index]
}

/// The file a path names. The desk app's own paths (`/app/dossiers/<id>`,
/// `/app/dashboard`: anything without a dot) are its page, which reads the path itself.
fn asset_index(app: &str, path: &str) -> Option<usize> {
    let find = |wanted: &str| ASSETS.iter().position(|a| a.path == wanted);
    match path {
        "" => find(&format!("{app}/index.html")),
        name => find(&format!("{app}/{name}"))
            .or_else(|| (app == "app" && !name.contains('.')).then(|| find("app/index.html"))?),
    }
}

async fn file(req: HttpRequest) -> HttpResponse {
    let app = req.match_info().get("app").unwrap_or_default();
    let path = req.match_info().get("path").unwrap_or_default();
    let Some(index) = asset_index(app, path) else {
        return crate::api::not_found().await;
    };
    let asset = &ASSETS[index];
    let served = served(index);
    let mut response = if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == served.etag.as_bytes())
    {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok()
            .content_type(asset.content_type)
            .body(served.body.clone())
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    // Always revalidated (cheap with the ETag); offline, the Service Worker answers.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(etag) = HeaderValue::from_str(&served.etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// Serves `/kiosk/` and `/app/` (the bare names redirect there, so relative links
/// resolve).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::redirect("/kiosk", "/kiosk/").permanent())
        .service(web::redirect("/app", "/app/").permanent())
        .route("/{app:kiosk|app}/{path:.*}", web::get().to(file));
}
