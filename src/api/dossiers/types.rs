//! What the dossier endpoints read and answer, and how a stored dossier is shown.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::utc;
use crate::db::dossiers::{DossierRow, EventRow};
use crate::domain::deadline::{Channel, Explanation, Verdict};
use crate::domain::dossier::Outcome;
use crate::domain::lifecycle::{EventType, Status};
use crate::domain::text::mask;
use crate::service::dossiers::{Opened, Receipt};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    #[schema(
        example = "Nguyễn Văn An",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: String,
    /// Citizen ID (CCCD): 12 digits.
    #[schema(example = "079201001234", pattern = r"^[0-9]{12}$")]
    pub id_number: Option<String>,
    /// Vietnamese phone number: 0 or +84 followed by 9-10 digits.
    #[schema(example = "0912345678", pattern = r"^(0|\+84)[0-9]{9,10}$")]
    pub phone: Option<String>,
    #[schema(
        example = "an.nguyen@example.vn",
        max_length = 254,
        pattern = r"^[^@\s\u0000-\u001F]+@[^@\s\u0000-\u001F]+\.[^@\s\u0000-\u001F]+$"
    )]
    pub email: Option<String>,
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub address: Option<String>,
}

/// How a dossier enters the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitialStatus {
    /// Accepted at the desk: receipt issued, the clock starts.
    Received,
    /// Filed online, waiting for the desk to accept it (online channel only).
    Submitted,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDossier {
    /// The procedure, by id or by code (one of the two).
    pub procedure_id: Option<uuid::Uuid>,
    #[schema(example = "1.000948")]
    pub procedure_code: Option<String>,
    /// The receiving office; defaults to the caller's own.
    pub office_id: Option<uuid::Uuid>,
    pub channel: Channel,
    pub applicant: ApplicantInput,
    /// Back-entry and imports (managers and admins): when the dossier was really
    /// received. Never in the future.
    pub received_at: Option<DateTime<Utc>>,
    /// Default `received`.
    pub status: Option<InitialStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantView {
    pub name: String,
    /// Masked (`********1234`) except in the single-dossier view for the office's own staff.
    pub id_number: Option<String>,
    /// Masked like `id_number`.
    pub phone: Option<String>,
    /// Only in the single-dossier view.
    pub email: Option<String>,
    /// Only in the single-dossier view.
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierView {
    pub id: uuid::Uuid,
    /// `{agency code}-{YYMMDD}-{NNNN}`.
    #[schema(example = "000.00.00.H56-260213-0001")]
    pub code: String,
    pub status: Status,
    /// The national portal's status code (1-10).
    pub status_code: i32,
    /// The receiving office.
    pub office_id: uuid::Uuid,
    /// The office deciding now (another one after a transfer).
    pub processing_office_id: uuid::Uuid,
    pub procedure_id: uuid::Uuid,
    pub channel: Channel,
    pub applicant: ApplicantView,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    /// The legal deadline (moves later while the clock is paused for a supplement).
    pub due_at: Option<DateTime<Utc>>,
    /// Local date of `due_at`: the date the verdict is judged against.
    pub due_date: Option<NaiveDate>,
    /// What the citizen was told: the new appointment after an apology letter, else the due date.
    pub appointment_date: Option<NaiveDate>,
    pub rescheduled: bool,
    /// Waiting for the citizen's supplement since then (the clock is paused).
    pub paused_since: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub ended_at: Option<DateTime<Utc>>,
    /// Frozen when processing ends.
    pub verdict: Option<Verdict>,
    pub outcome: Option<Outcome>,
    /// Increases with every event; send it back as `expected_version`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The steps the caller may record now (what the lifecycle allows from this status,
    /// less the decisions of another office after a transfer). Only in answers about
    /// one dossier, not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<EventType>>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Refused with 409 when the dossier has moved on since this version.
    #[serde(default, deserialize_with = "crate::api::lenient::opt_int")]
    pub expected_version: Option<i32>,
    /// Back-entry and imports (managers and admins): when it really happened; not in
    /// the future, not before the previous event.
    pub at: Option<DateTime<Utc>>,
    /// `transfer`: the office that will decide.
    pub to_office_id: Option<uuid::Uuid>,
    /// `resolve`.
    pub outcome: Option<Outcome>,
    /// `refuse`, `withdraw`, `stop`, `reschedule`.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub reason: Option<String>,
    /// `reschedule`: the new appointment, a working day after the due date.
    pub new_appointment_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: uuid::Uuid,
    /// The dossier's version after this event.
    pub version: i32,
    /// An event type, or `received` / `submitted` (filing) and `deadline_recomputed` (calendar change).
    #[serde(rename = "type")]
    pub event_type: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor_id: Option<uuid::Uuid>,
    /// The full name of whoever recorded it; absent for the system's own entries.
    pub actor_name: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// When it was recorded; differs from `at` for back-entry and imports.
    pub recorded_at: DateTime<Utc>,
    pub back_dated: bool,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    pub dossier_id: uuid::Uuid,
    pub status: Status,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub appointment_date: Option<NaiveDate>,
    pub paused_since: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub verdict: Option<Verdict>,
    /// Counted days, skipped days and why, pauses. Absent before receipt.
    pub explanation: Option<Explanation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDossierView {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub procedure_name: String,
    pub received_date: Option<NaiveDate>,
    /// When the result is expected.
    pub appointment_date: Option<NaiveDate>,
    /// The result is waiting at the desk.
    pub ready: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DossierQuery {
    /// Received at, or being processed by, this office.
    pub office_id: Option<uuid::Uuid>,
    /// Received at, or being processed by, any office of this office's subtree (a
    /// district and its communes); 404 when it is outside the caller's scope.
    pub within: Option<uuid::Uuid>,
    pub status: Option<Status>,
    pub procedure_id: Option<uuid::Uuid>,
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub field: Option<String>,
    pub verdict: Option<Verdict>,
    /// Only open dossiers past their due date (not those waiting for a supplement).
    pub overdue: Option<bool>,
    /// Received on or after this local date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this local date.
    pub received_to: Option<NaiveDate>,
    /// A part of the code or of the applicant's name, accents and case ignored: at
    /// least 3 characters. The dossier with exactly this code comes first.
    #[param(
        min_length = 3,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub cursor: Option<String>,
}

/// A dossier opened on its own, with the steps the caller may record.
pub fn opened_view(opened: Opened) -> DossierView {
    DossierView {
        actions: Some(opened.actions),
        ..view(opened.seen.row, opened.seen.full_identity)
    }
}

/// A dossier as the API shows it; identifiers masked unless `full_identity`.
pub fn view(row: DossierRow, full_identity: bool) -> DossierView {
    let state = row.state();
    let shown = |value: Option<String>| {
        if full_identity {
            value
        } else {
            value.as_deref().map(mask)
        }
    };
    DossierView {
        id: row.id.uuid(),
        status: state.status,
        status_code: state.status.portal_code(),
        office_id: row.office_id.uuid(),
        processing_office_id: row.processing_office_id.uuid(),
        procedure_id: row.procedure_id.uuid(),
        channel: state.channel,
        applicant: ApplicantView {
            name: row.applicant_name,
            id_number: shown(row.applicant_id_number),
            phone: shown(row.applicant_phone),
            email: row.applicant_email.filter(|_| full_identity),
            address: row.applicant_address.filter(|_| full_identity),
        },
        submitted_at: utc(row.submitted_at),
        received_at: state.received_at,
        due_at: state.due_at,
        due_date: state.due_date,
        appointment_date: state.appointment(),
        rescheduled: state.appointment_date.is_some(),
        paused_since: state.paused_since,
        supplement_requests: state.supplement_requests,
        ended_at: state.ended_at,
        verdict: state.verdict,
        outcome: state.outcome,
        version: row.version,
        code: row.code,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        actions: None,
    }
}

impl From<(EventRow, Option<String>)> for EventView {
    fn from((e, actor_name): (EventRow, Option<String>)) -> EventView {
        EventView {
            actor_name,
            id: e.id.uuid(),
            version: e.version,
            from_status: e.from_status,
            to_status: e.to_status,
            actor_id: e.actor_id.as_ref().map(|id| id.uuid()),
            at: utc(e.at),
            recorded_at: utc(e.recorded_at),
            back_dated: e.back_dated,
            note: e.note,
            data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
            event_type: e.event_type,
        }
    }
}

/// The receipt (Mẫu 01, "giấy tiếp nhận hồ sơ và hẹn trả kết quả") as a desk prints it:
/// everything on the paper, with a QR code of the citizens' public lookup.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    pub dossier_id: uuid::Uuid,
    pub code: String,
    /// The receiving office.
    pub office_name: String,
    pub office_code: String,
    /// The office above it, named in the header ("UBND quận …"), if any.
    pub parent_office_name: Option<String>,
    pub procedure_code: String,
    pub procedure_name: String,
    pub channel: Channel,
    pub applicant: ApplicantView,
    pub received_at: DateTime<Utc>,
    /// The appointment to the minute: the legal deadline. Absent after an apology
    /// letter, whose new appointment is a date only.
    pub appointment_at: Option<DateTime<Utc>>,
    pub appointment_date: Option<NaiveDate>,
    /// Who received it.
    pub clerk_name: Option<String>,
    /// Where the citizen follows the dossier: the public lookup page with its code.
    pub lookup_url: String,
    /// A QR code of `lookup_url` (an SVG document).
    pub lookup_qr_svg: String,
}

impl ReceiptView {
    pub fn new(receipt: Receipt, lookup_url: String, lookup_qr_svg: String) -> ReceiptView {
        let Receipt {
            seen,
            office,
            parent,
            procedure,
            clerk,
        } = receipt;
        let shown = view(seen.row, seen.full_identity);
        let appointment_at = shown.due_at.filter(|_| !shown.rescheduled);
        ReceiptView {
            dossier_id: shown.id,
            code: shown.code,
            office_name: office.name,
            office_code: office.code,
            parent_office_name: parent.map(|p| p.name),
            procedure_code: procedure.code,
            procedure_name: procedure.name,
            channel: shown.channel,
            applicant: shown.applicant,
            received_at: shown.received_at.unwrap_or(shown.submitted_at),
            appointment_at,
            appointment_date: shown.appointment_date,
            clerk_name: clerk,
            lookup_url,
            lookup_qr_svg,
        }
    }
}
