//! Kiosk devices (registered by admins and by managers within their subtree), the
//! faces each office's kiosks show, and the kiosk's own view of its configuration.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{clean_text, fail_if_any, parse_id, resource, utc};
use crate::auth::kiosk::{new_token, KioskDevice};
use crate::auth::Actor;
use crate::db::kiosks::{KioskRow, KioskSyncRow};
use crate::db::{self, AnyConnection};
use crate::domain::account::Role;
use crate::domain::ids::{KioskId, OfficeId};
use crate::domain::kiosk_sync;
use crate::domain::satisfaction::{check_faces, Rating};
use crate::domain::target::ancestors_nearest_first;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

#[derive(Debug, Serialize, ToSchema)]
pub struct KioskView {
    pub id: uuid::Uuid,
    pub office_id: uuid::Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The kiosk's last heartbeat; `null` until it sends one.
    pub sync: Option<KioskSyncView>,
}

/// What a kiosk last said of its queue, and whether it needs a look.
#[derive(Debug, Serialize, ToSchema)]
pub struct KioskSyncView {
    pub synced_at: DateTime<Utc>,
    /// Votes waiting on the kiosk.
    pub queue_depth: i32,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// Votes the server refused for good, kept aside on the kiosk.
    pub rejected: i32,
    pub app_version: String,
    /// No heartbeat for over an hour.
    pub stale: bool,
    /// A vote has waited over 15 minutes.
    pub backed_up: bool,
}

impl From<KioskRow> for KioskView {
    fn from(row: KioskRow) -> KioskView {
        KioskView {
            id: row.id.uuid(),
            office_id: row.office_id.uuid(),
            name: row.name,
            created_at: utc(row.created_at),
            last_used_at: row.last_used_at.map(utc),
            revoked_at: row.revoked_at.map(utc),
            sync: None,
        }
    }
}

impl KioskSyncView {
    fn of(row: KioskSyncRow, now: chrono::NaiveDateTime) -> KioskSyncView {
        KioskSyncView {
            stale: kiosk_sync::is_stale(row.synced_at, now),
            backed_up: kiosk_sync::is_backed_up(row.queue_depth, row.oldest_pending_at, now),
            synced_at: utc(row.synced_at),
            queue_depth: row.queue_depth,
            oldest_pending_at: row.oldest_pending_at.map(utc),
            rejected: row.rejected,
            app_version: row.app_version,
        }
    }
}

/// A kiosk's report of its queue, sent after every delivery round.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// Votes waiting in the kiosk's queue.
    #[schema(maximum = 1000000)]
    pub queue_depth: u32,
    /// When the oldest of them was cast.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// Votes the server refused for good, kept aside on the kiosk.
    #[schema(maximum = 1000000)]
    pub rejected: u32,
    /// The kiosk app's version.
    #[schema(example = "1.0.0", pattern = "^[!-~]{1,40}$")]
    pub app_version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewKiosk {
    pub kiosk: KioskView,
    /// Shown this once: configure the device with it. Only its digest is stored.
    pub token: String,
    /// The kiosk app with the token in the URL fragment (`…/kiosk/#pair=<token>`),
    /// which browsers never send to a server: open it on the tablet. Absolute when
    /// `MOTCUA_PUBLIC_URL` is set, else relative to this server.
    #[schema(example = "https://motcua.example.vn/kiosk/#pair=mck_...")]
    pub pairing_link: String,
    /// A QR code of `pairing_link` (an SVG document), for the tablet's camera.
    pub pairing_qr_svg: String,
}

/// The pairing link of a token and its QR code.
fn pairing(public_url: Option<&str>, token: &str) -> ApiResult<(String, String)> {
    let link = format!("{}/kiosk/#pair={token}", public_url.unwrap_or(""));
    let svg = super::qr_svg(&link)?;
    Ok((link, svg))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKiosk {
    pub office_id: uuid::Uuid,
    #[schema(
        example = "Quầy 1 - máy tính bảng",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KioskQuery {
    pub office_id: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Face {
    pub rating: Rating,
    /// Vietnamese label, e.g. "Hài lòng".
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KioskConfig {
    pub office_id: uuid::Uuid,
    /// Shown above the faces.
    #[schema(example = "UBND phường Bến Thành")]
    pub office_name: String,
    /// A second tap this soon after a vote is not counted: the kiosk shows its
    /// thank-you screen at least this long.
    pub repeat_guard_seconds: i64,
    /// The faces to show, in order.
    pub ratings: Vec<Face>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetFaces {
    /// 2-4 distinct ratings including a satisfied one and `unsatisfied`.
    #[schema(min_items = 2, max_items = 4)]
    pub ratings: Vec<Rating>,
}

fn faces(state: &AppState, office: &db::offices::OfficeRow, ratings: &[Rating]) -> KioskConfig {
    KioskConfig {
        office_id: office.id.uuid(),
        office_name: office.name.clone(),
        repeat_guard_seconds: state.config.vote_repeat_guard_seconds,
        ratings: ratings
            .iter()
            .map(|r| Face {
                rating: *r,
                vi: r.label_vi().to_owned(),
                en: r.label_en().to_owned(),
            })
            .collect(),
    }
}

/// An office and the faces in force for it: its own, else its nearest ancestor's,
/// else the default.
pub fn effective_faces(
    conn: &mut AnyConnection,
    office_id: &OfficeId,
) -> ApiResult<(db::offices::OfficeRow, Vec<Rating>)> {
    let office =
        db::offices::find(conn, office_id)?.ok_or_else(|| ApiError::not_found("office"))?;
    for id in ancestors_nearest_first(&office.path) {
        if let Some(stored) = db::kiosks::ratings_of(conn, &id)? {
            if let Ok(ratings) = serde_json::from_str::<Vec<Rating>>(&stored) {
                return Ok((office, ratings));
            }
        }
    }
    Ok((office, Rating::DEFAULT_FACES.to_vec()))
}

/// Loads an office the actor manages (admin, or manager of its subtree).
fn managed_office(
    conn: &mut AnyConnection,
    actor: &Actor,
    office_id: &OfficeId,
) -> ApiResult<db::offices::OfficeRow> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let office = db::offices::find(conn, office_id)?.ok_or_else(|| {
        ApiError::NotFound(
            ErrorCode::OfficeNotFound,
            "the office does not exist".to_owned(),
        )
    })?;
    if !actor.covers(&office.id, &office.path) {
        return Err(ApiError::forbidden());
    }
    Ok(office)
}

/// Registers a kiosk for an office and returns its token, once.
#[utoipa::path(post, path = "/api/v1/kiosks", tag = "kiosks", request_body = CreateKiosk, security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered; the token is in this answer only", body = NewKiosk),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not a manager of this office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn create_kiosk(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<CreateKiosk>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    let name = clean_text(&mut errors, "name", &body.name, 100);
    fail_if_any(errors)?;
    let office_id = OfficeId::from(body.office_id);
    let (token, digest) = new_token();
    let row = state
        .write(move |conn| {
            managed_office(conn, &actor, &office_id)?;
            let row = KioskRow {
                id: KioskId::new(),
                office_id,
                name,
                token_hash: digest,
                created_by: Some(actor.user_id.clone()),
                created_at: Utc::now().naive_utc(),
                last_used_at: None,
                revoked_at: None,
            };
            db::kiosks::insert(conn, &row)?;
            Ok(row)
        })
        .await?;
    let (pairing_link, pairing_qr_svg) = pairing(state.config.public_url.as_deref(), &token)?;
    Ok(HttpResponse::Created().json(NewKiosk {
        kiosk: KioskView::from(row),
        token,
        pairing_link,
        pairing_qr_svg,
    }))
}

/// Kiosks in the caller's scope, with their last use (never their token).
#[utoipa::path(get, path = "/api/v1/kiosks", tag = "kiosks", params(KioskQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The kiosks", body = Vec<KioskView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Clerks do not manage kiosks", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_kiosks(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<KioskQuery>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let office_id = query.office_id.map(OfficeId::from);
    let (rows, syncs) = state
        .db(move |conn| {
            let offices =
                actor.visible_offices(|path| db::dossiers::subtree_office_ids(conn, path))?;
            let rows = db::kiosks::list(conn, offices, office_id)?;
            let ids: Vec<KioskId> = rows.iter().map(|r| r.id.clone()).collect();
            Ok((rows, db::kiosks::syncs_of(conn, &ids)?))
        })
        .await?;
    let now = Utc::now().naive_utc();
    let mut syncs: std::collections::HashMap<KioskId, KioskSyncRow> =
        syncs.into_iter().map(|s| (s.kiosk_id.clone(), s)).collect();
    let views: Vec<KioskView> = rows
        .into_iter()
        .map(|row| {
            let sync = syncs.remove(&row.id).map(|s| KioskSyncView::of(s, now));
            KioskView {
                sync,
                ..KioskView::from(row)
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// A kiosk's heartbeat: its queue depth, oldest waiting vote, refused votes and app
/// version, after every delivery round, so managers see kiosks that stopped
/// syncing or cannot deliver (`GET /api/v1/kiosks`, `sync`).
#[utoipa::path(post, path = "/api/v1/kiosk/heartbeat", tag = "kiosks", request_body = Heartbeat, security(("kiosk" = [])),
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "No valid kiosk token", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn heartbeat(
    state: web::Data<AppState>,
    kiosk: KioskDevice,
    body: web::Json<Heartbeat>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    for (field, count) in [
        ("queue_depth", body.queue_depth),
        ("rejected", body.rejected),
    ] {
        if count > kiosk_sync::MAX_REPORTED {
            errors.push(crate::error::FieldError::new(
                field,
                format!("at most {}", kiosk_sync::MAX_REPORTED),
            ));
        }
    }
    let version = body.app_version;
    if !(1..=40).contains(&version.len()) || !version.chars().all(|c| c.is_ascii_graphic()) {
        errors.push(crate::error::FieldError::new(
            "app_version",
            "1 to 40 visible ASCII characters",
        ));
    }
    fail_if_any(errors)?;
    let oldest = body
        .oldest_pending_at
        .map(|at| super::instant_in_range("oldest_pending_at", at))
        .transpose()?;
    let row = KioskSyncRow {
        kiosk_id: kiosk.id,
        synced_at: Utc::now().naive_utc(),
        queue_depth: body.queue_depth as i32,
        oldest_pending_at: oldest.map(|at| at.naive_utc()),
        rejected: body.rejected as i32,
        app_version: version,
    };
    state
        .write(move |conn| Ok(db::kiosks::record_sync(conn, &row)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes a kiosk at once: its token stops working.
#[utoipa::path(delete, path = "/api/v1/kiosks/{id}", tag = "kiosks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Kiosk id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not a manager of its office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such kiosk", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn revoke_kiosk(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let id: KioskId = parse_id(&id, "kiosk")?;
    state
        .write(move |conn| {
            // Kiosks outside the caller's subtree are not listed to it: not found,
            // so that their ids tell nothing.
            let kiosk = db::kiosks::find(conn, &id)?;
            let office = match &kiosk {
                Some(kiosk) => db::offices::find(conn, &kiosk.office_id)?,
                None => None,
            };
            if !office.is_some_and(|o| actor.covers(&o.id, &o.path)) {
                return Err(ApiError::NotFound(
                    ErrorCode::KioskNotFound,
                    "kiosk not found".to_owned(),
                ));
            }
            db::kiosks::revoke(conn, &id, Utc::now().naive_utc())?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// For the kiosk: the faces to show, with Vietnamese and English labels.
#[utoipa::path(get, path = "/api/v1/kiosk/config", tag = "kiosks", security(("kiosk" = [])),
    responses(
        (status = 200, description = "The configuration", body = KioskConfig),
        (status = 401, description = "No valid kiosk token", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn kiosk_config(
    state: web::Data<AppState>,
    kiosk: KioskDevice,
) -> ApiResult<HttpResponse> {
    let office_id = kiosk.office_id.clone();
    let (office, ratings) = state
        .db(move |conn| effective_faces(conn, &office_id))
        .await?;
    Ok(HttpResponse::Ok().json(faces(&state, &office, &ratings)))
}

/// The faces an office's kiosks show (its own or inherited).
#[utoipa::path(get, path = "/api/v1/offices/{id}/kiosk-ratings", tag = "kiosks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Office id")),
    responses(
        (status = 200, description = "The faces in force", body = KioskConfig),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_faces(
    state: web::Data<AppState>,
    _actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id: OfficeId = parse_id(&id, "office")?;
    let office_id = id.clone();
    let (office, ratings) = state
        .db(move |conn| effective_faces(conn, &office_id))
        .await?;
    Ok(HttpResponse::Ok().json(faces(&state, &office, &ratings)))
}

/// Sets the faces of an office's kiosks (admin, or manager of its subtree); offices
/// below it without their own setting follow.
#[utoipa::path(put, path = "/api/v1/offices/{id}/kiosk-ratings", tag = "kiosks", request_body = SetFaces, security(("bearer" = [])),
    params(("id" = String, Path, description = "Office id")),
    responses(
        (status = 200, description = "Stored", body = KioskConfig),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not a manager of this office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Not a usable set of faces", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn set_faces(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<SetFaces>,
) -> ApiResult<HttpResponse> {
    let id: OfficeId = parse_id(&id, "office")?;
    let ratings = body.into_inner().ratings;
    check_faces(&ratings).map_err(|m| ApiError::field("ratings", m))?;
    let stored = serde_json::to_string(&ratings).map_err(|e| ApiError::Internal(e.to_string()))?;
    let office = state
        .write(move |conn| {
            let office = managed_office(conn, &actor, &id)?;
            db::kiosks::set_ratings(conn, &id, &stored, Utc::now().naive_utc())?;
            Ok(office)
        })
        .await?;
    Ok(HttpResponse::Ok().json(faces(&state, &office, &ratings)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/kiosks", "GET, POST")
            .route(web::get().to(list_kiosks))
            .route(web::post().to(create_kiosk)),
    )
    .service(resource("/kiosks/{id}", "DELETE").route(web::delete().to(revoke_kiosk)))
    .service(resource("/kiosk/config", "GET").route(web::get().to(kiosk_config)))
    .service(resource("/kiosk/heartbeat", "POST").route(web::post().to(heartbeat)))
    .service(
        resource("/offices/{id}/kiosk-ratings", "GET, PUT")
            .route(web::get().to(get_faces))
            .route(web::put().to(set_faces)),
    );
}
