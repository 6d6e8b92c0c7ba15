//! The dossier lifecycle through the API: receipt, codes, deadlines on the 2026
//! calendar, every kind of step and rejection, audit, search, privacy, calendar changes.

mod common;

use actix_web::test;
use common::*;
use futures_util::future::join_all;
use motcua::build_app;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use serde_json::{json, Value};

struct Desk {
    env: TestEnv,
    commune: OfficeRow,
    other_commune: OfficeRow,
    manager: String,
    clerk: String,
    other_clerk: String,
    admin: String,
}

fn desk() -> Desk {
    let env = TestEnv::new();
    let province = env.office("000.00.00.H56", "province", None);
    let commune = env.office("H56.01", "commune", Some(&province));
    let other_commune = env.office("H56.02", "commune", Some(&province));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&province));
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let (_, other_clerk) = env.user("binh.clerk", Role::Clerk, Some(&other_commune));
    let now = chrono::Utc::now().naive_utc();
    for (code, unit, value, name) in [
        ("1.000948", "working_days", 3, "Đăng ký khai sinh"),
        ("2.000635", "working_hours", 8, "Chứng thực bản sao"),
        ("1.001612", "calendar_days", 10, "Cấp giấy phép xây dựng"),
    ] {
        motcua::db::procedures::insert(
            &mut env.conn(),
            &motcua::db::procedures::ProcedureRow {
                id: motcua::domain::ids::ProcedureId::new(),
                code: code.into(),
                name: name.into(),
                field: "Hộ tịch".into(),
                deadline_value: value,
                deadline_unit: motcua::domain::procedure::DeadlineUnit::parse(unit).unwrap(),
                online_level: motcua::domain::procedure::OnlineLevel::Full,
                fee: None,
                created_at: now,
                updated_at: now,
            },
        )
        .unwrap();
    }
    Desk {
        env,
        commune,
        other_commune,
        manager,
        clerk,
        other_clerk,
        admin,
    }
}

fn filing(received_at: Option<&str>) -> Value {
    let mut body = json!({
        "procedure_code": "1.000948",
        "channel": "in_person",
        "applicant": {"name": "Nguyễn Văn A", "id_number": "079201001234", "phone": "0912345678",
                      "email": "a@example.vn", "address": "12 Trần Phú, Nha Trang"}
    });
    if let Some(at) = received_at {
        body["received_at"] = json!(at);
    }
    body
}

/// A paper dossier of Monday 2/3/2026 09:00 local, back-entered by the manager: due Thursday 5/3.
fn monday_filing(d: &Desk) -> Value {
    let mut body = filing(Some("2026-03-02T02:00:00Z"));
    body["office_id"] = json!(d.commune.id);
    body
}

fn id(reply: &Reply) -> String {
    reply.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", reply.text))
        .to_owned()
}

#[actix_web::test]
async fn a_dossier_received_before_tet_is_due_after_it_and_says_why() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let mut body = filing(Some("2026-02-13T03:00:00Z")); // Friday 13/2/2026 10:00 local
    body["office_id"] = json!(d.commune.id);
    let r = post(&app, "/api/v1/dossiers", Some(&d.manager), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["code"], "H56.01-260213-0001");
    assert_eq!(r.body["status"], "received");
    assert_eq!(r.body["status_code"], 2);
    assert_eq!(r.body["due_date"], "2026-02-25");
    assert_eq!(
        r.body["due_at"], "2026-02-25T10:00:00Z",
        "the close of Wednesday, 17:00 local"
    );
    let dossier = id(&r);

    let explanation = get(
        &app,
        &format!("/api/v1/dossiers/{dossier}/deadline"),
        Some(&d.clerk),
    )
    .await;
    assert_eq!(explanation.status, 200, "{}", explanation.text);
    let counted = &explanation.body["explanation"]["counted_days"];
    assert_eq!(counted, &json!(["2026-02-23", "2026-02-24", "2026-02-25"]));
    let skipped = explanation.body["explanation"]["skipped_days"]
        .as_array()
        .unwrap();
    let tet: Vec<&str> = skipped
        .iter()
        .filter(|s| s["name"].as_str().is_some_and(|n| n.contains("Tết")))
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    for day in [
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
    ] {
        assert!(tet.contains(&day), "{day} named as Tết in {skipped:?}");
    }
    let events = get(
        &app,
        &format!("/api/v1/dossiers/{dossier}/events"),
        Some(&d.clerk),
    )
    .await;
    assert_eq!(events.body[0]["type"], "received");
    assert_eq!(events.body[0]["back_dated"], true, "back-entry is marked");
}

#[actix_web::test]
async fn fifty_dossiers_received_at_once_get_fifty_consecutive_codes() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let replies =
        join_all((0..50).map(|_| post(&app, "/api/v1/dossiers", Some(&d.clerk), filing(None))))
            .await;
    let mut sequences: Vec<u32> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.text);
            r.body["code"]
                .as_str()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=50).collect::<Vec<u32>>());
    let prefix = replies[0].body["code"]
        .as_str()
        .unwrap()
        .rsplit_once('-')
        .unwrap()
        .0
        .to_owned();
    assert!(prefix.starts_with("H56.01-"), "{prefix}");
    assert!(replies
        .iter()
        .all(|r| r.body["code"].as_str().unwrap().starts_with(&prefix)));
}

#[actix_web::test]
async fn a_full_life_with_supplement_fee_reschedule_and_return() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    // Monday 2/3/2026 09:00 local, 3 working days: due Thursday 5/3.
    let r = post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await;
    assert_eq!(r.body["due_date"], "2026-03-05", "{}", r.text);
    let dossier = id(&r);
    let path = format!("/api/v1/dossiers/{dossier}/events");
    let event = |body: Value| post(&app, &path, m, body);

    let r = event(
        json!({"type": "transfer", "to_office_id": d.commune.id, "at": "2026-03-02T03:00:00Z"}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.body["status"].as_str()),
        (200, Some("processing")),
        "{}",
        r.text
    );
    // Supplement requested Tuesday 3/3 07:00 local, received Thursday 5/3 07:00: two working days paused.
    let r = event(json!({"type": "request_supplement", "at": "2026-03-03T00:00:00Z", "note": "thiếu bản sao CCCD"})).await;
    assert_eq!(r.body["status_code"], 5);
    assert!(r.body["paused_since"].is_string());
    let r = event(json!({"type": "resolve", "outcome": "approved", "at": "2026-03-03T01:00:00Z"}))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "invalid_transition"));
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("supplement_received"),
        "{}",
        r.text
    );
    let r = event(json!({"type": "supplement_received", "at": "2026-03-05T00:00:00Z"})).await;
    assert_eq!(r.body["status"], "processing");
    assert_eq!(
        r.body["due_date"], "2026-03-09",
        "two working days later: Thu 5 → Mon 9: {}",
        r.text
    );
    let r = event(json!({"type": "request_fee", "at": "2026-03-05T01:00:00Z"})).await;
    assert_eq!(r.body["status"], "fee_requested");
    let r = event(json!({"type": "fee_paid", "at": "2026-03-05T02:00:00Z"})).await;
    assert_eq!(r.body["status"], "processing");
    // Apology letter: a new appointment after the due date, once.
    let r = event(json!({"type": "reschedule", "reason": "chờ xác minh", "new_appointment_date": "2026-03-12", "at": "2026-03-05T03:00:00Z"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["appointment_date"], "2026-03-12");
    assert_eq!(
        r.body["due_date"], "2026-03-09",
        "the legal due date does not move"
    );
    let r = event(json!({"type": "reschedule", "reason": "lần nữa", "new_appointment_date": "2026-03-13", "at": "2026-03-05T04:00:00Z"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "already_rescheduled"));
    // Resolved Tuesday 10/3: after the legal due date, so late despite the new appointment.
    let r = event(json!({"type": "resolve", "outcome": "approved", "at": "2026-03-10T02:00:00Z"}))
        .await;
    assert_eq!(r.body["verdict"], "late", "{}", r.text);
    assert_eq!(r.body["outcome"], "approved");
    let r = event(json!({"type": "return_result", "at": "2026-03-10T03:00:00Z"})).await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["status_code"].as_i64()),
        (Some("returned"), Some(10))
    );
    assert_eq!(r.body["verdict"], "late", "frozen");
    let r = event(json!({"type": "withdraw", "reason": "x"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "invalid_transition"));

    let events = get(&app, &path, m).await;
    let types: Vec<&str> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "received",
            "transfer",
            "request_supplement",
            "supplement_received",
            "request_fee",
            "fee_paid",
            "reschedule",
            "resolve",
            "return_result"
        ]
    );
    let versions: Vec<i64> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, (1..=9).collect::<Vec<i64>>());
    assert_eq!(events.body[2]["note"], "thiếu bản sao CCCD");
    assert_eq!(events.body[2]["from_status"], "processing");
}

#[actix_web::test]
async fn verdicts_early_on_time_late_and_two_supplements() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    // Received Monday 2/3/2026 09:00 local: due Thursday 5/3.
    let cases = [
        ("2026-03-04T02:00:00Z", "early"),
        ("2026-03-05T16:00:00Z", "on_time"), // 23:00 local, still the 5th
        ("2026-03-05T17:30:00Z", "late"),    // 00:30 local on the 6th
    ];
    for (resolved_at, verdict) in cases {
        let r = post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await;
        let path = format!("/api/v1/dossiers/{}/events", id(&r));
        let r = post(
            &app,
            &path,
            m,
            json!({"type": "resolve", "outcome": "denied", "at": resolved_at}),
        )
        .await;
        assert_eq!(r.body["verdict"], verdict, "{resolved_at}: {}", r.text);
    }
    // Two supplement requests make it late even when resolved early.
    let r = post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await;
    let path = format!("/api/v1/dossiers/{}/events", id(&r));
    for (t, at) in [
        ("request_supplement", "2026-03-02T03:00:00Z"),
        ("supplement_received", "2026-03-02T04:00:00Z"),
        ("request_supplement", "2026-03-02T05:00:00Z"),
        ("supplement_received", "2026-03-02T06:00:00Z"),
        ("resolve", "2026-03-02T07:00:00Z"),
    ] {
        let r = post(
            &app,
            &path,
            m,
            json!({"type": t, "at": at, "outcome": "approved"}),
        )
        .await;
        assert_eq!(r.status, 200, "{t}: {}", r.text);
    }
    let r = get(
        &app,
        &format!("/api/v1/dossiers/{}", path.split('/').nth(4).unwrap()),
        m,
    )
    .await;
    assert_eq!(r.body["verdict"], "late");
    assert_eq!(r.body["supplement_requests"], 2);
    // A citizen who never brings the supplement: withdrawn later, processing ended at the request.
    let r = post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await;
    let path = format!("/api/v1/dossiers/{}/events", id(&r));
    post(
        &app,
        &path,
        m,
        json!({"type": "request_supplement", "at": "2026-03-03T02:00:00Z"}),
    )
    .await;
    let r = post(
        &app,
        &path,
        m,
        json!({"type": "withdraw", "reason": "không bổ sung", "at": "2026-03-20T02:00:00Z"}),
    )
    .await;
    assert_eq!(r.body["ended_at"], "2026-03-03T02:00:00Z", "{}", r.text);
    assert_eq!(r.body["verdict"], "early");
}

#[actix_web::test]
async fn rejections_change_nothing() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let c = Some(d.clerk.as_str());
    let r = post(&app, "/api/v1/dossiers", c, filing(None)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let dossier = id(&r);
    let path = format!("/api/v1/dossiers/{dossier}/events");

    // Clerks cannot back-date, neither receipts nor events.
    let r = post(
        &app,
        "/api/v1/dossiers",
        c,
        filing(Some("2026-03-02T02:00:00Z")),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = post(
        &app,
        &path,
        c,
        json!({"type": "transfer", "to_office_id": d.commune.id, "at": "2026-03-02T02:00:00Z"}),
    )
    .await;
    assert_eq!(r.status, 403);
    // Future, and before the previous event (manager back-entry).
    let m = Some(d.manager.as_str());
    let r = post(
        &app,
        &path,
        m,
        json!({"type": "stop", "reason": "x", "at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["field"].as_str()),
        (422, Some("at"))
    );
    let r = post(
        &app,
        &path,
        m,
        json!({"type": "stop", "reason": "x", "at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["field"].as_str()),
        (422, Some("at"))
    );
    // Missing data per type.
    for body in [
        json!({"type": "transfer"}),
        json!({"type": "resolve"}),
        json!({"type": "refuse"}),
        json!({"type": "reschedule", "reason": "x"}),
        json!({"type": "fly"}),
    ] {
        let r = post(&app, &path, c, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
    }
    let r = post(
        &app,
        &path,
        c,
        json!({"type": "transfer", "to_office_id": "01a20b43-0000-7000-8000-000000000000"}),
    )
    .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "office_not_found"));
    let r = post(&app, &path, c, json!({"type": "accept"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "invalid_transition"));
    assert!(r.body["detail"].as_str().unwrap().contains("transfer"));
    // A stale version.
    let r = post(
        &app,
        &path,
        c,
        json!({"type": "request_fee", "expected_version": 7}),
    )
    .await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "version_conflict"));
    // Bad applicants.
    for (field, value) in [
        ("id_number", "12345"),
        ("phone", "12345"),
        ("email", "not-mail"),
        ("name", "  "),
    ] {
        let mut body = filing(None);
        body["applicant"][field] = json!(value);
        let r = post(&app, "/api/v1/dossiers", c, body).await;
        assert_eq!(r.status, 422, "{field}");
        assert_eq!(r.body["errors"][0]["field"], format!("applicant.{field}"));
    }
    let mut body = filing(None);
    body["status"] = json!("submitted");
    assert_eq!(
        post(&app, "/api/v1/dossiers", c, body).await.status,
        422,
        "in person cannot be submitted"
    );

    let after = get(&app, &format!("/api/v1/dossiers/{dossier}"), c).await;
    assert_eq!(after.body["version"], 1);
    assert_eq!(after.body["status"], "received");
    let events = get(&app, &path, c).await;
    assert_eq!(events.body.as_array().unwrap().len(), 1);
    let list = get(&app, "/api/v1/dossiers", c).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "no dossier was created by the refused calls"
    );
}

#[actix_web::test]
async fn reschedule_needs_a_working_day_of_notice() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    // Due Thursday 5/3/2026.
    let r = post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await;
    let path = format!("/api/v1/dossiers/{}/events", id(&r));
    let r = post(&app, &path, m, json!({"type": "reschedule", "reason": "x", "new_appointment_date": "2026-03-10", "at": "2026-03-05T02:00:00Z"})).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (409, "too_late_to_reschedule"),
        "{}",
        r.text
    );
    let r = post(&app, &path, m, json!({"type": "reschedule", "reason": "x", "new_appointment_date": "2026-03-05", "at": "2026-03-04T02:00:00Z"})).await;
    assert_eq!(r.status, 422, "not after the due date");
    let r = post(&app, &path, m, json!({"type": "reschedule", "reason": "x", "new_appointment_date": "2026-03-07", "at": "2026-03-04T02:00:00Z"})).await;
    assert_eq!(r.status, 422, "a Saturday");
    let r = post(&app, &path, m, json!({"type": "reschedule", "reason": "x", "new_appointment_date": "2026-03-09", "at": "2026-03-04T02:00:00Z"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[actix_web::test]
async fn online_submission_then_acceptance() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let mut body = filing(None);
    body["channel"] = json!("online");
    body["status"] = json!("submitted");
    let r = post(&app, "/api/v1/dossiers", Some(&d.clerk), body).await;
    assert_eq!(
        (r.status.as_u16(), r.body["status_code"].as_i64()),
        (201, Some(1)),
        "{}",
        r.text
    );
    assert!(
        r.body["due_date"].is_null(),
        "the clock starts at acceptance"
    );
    let path = format!("/api/v1/dossiers/{}/events", id(&r));
    let r = post(&app, &path, Some(&d.clerk), json!({"type": "accept"})).await;
    assert_eq!(r.body["status"], "received");
    assert!(r.body["due_date"].is_string());
}

#[actix_web::test]
async fn transfers_let_the_other_office_act_and_scope_hides_the_rest() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let r = post(&app, "/api/v1/dossiers", Some(&d.clerk), filing(None)).await;
    let dossier = id(&r);
    let path = format!("/api/v1/dossiers/{dossier}");
    let other = Some(d.other_clerk.as_str());
    assert_eq!(get(&app, &path, other).await.status, 404);
    let r = post(
        &app,
        &format!("{path}/events"),
        other,
        json!({"type": "resolve", "outcome": "approved"}),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = post(
        &app,
        &format!("{path}/events"),
        Some(&d.clerk),
        json!({"type": "transfer", "to_office_id": d.other_commune.id}),
    )
    .await;
    assert_eq!(r.body["processing_office_id"], d.other_commune.id.as_str());
    let r = post(
        &app,
        &format!("{path}/events"),
        other,
        json!({"type": "resolve", "outcome": "approved"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(get(&app, &path, other).await.status, 200);
}

#[actix_web::test]
async fn one_dossier_names_the_steps_its_reader_may_take_and_who_took_each() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let r = post(&app, "/api/v1/dossiers", Some(&d.clerk), filing(None)).await;
    let every_step_of_a_received_dossier = json!([
        "refuse",
        "transfer",
        "request_supplement",
        "request_fee",
        "resolve",
        "withdraw",
        "stop",
        "reschedule"
    ]);
    assert_eq!(
        r.body["actions"], every_step_of_a_received_dossier,
        "{}",
        r.text
    );
    let path = format!("/api/v1/dossiers/{}", id(&r));
    let r = post(
        &app,
        &format!("{path}/events"),
        Some(&d.clerk),
        json!({"type": "transfer", "to_office_id": d.other_commune.id}),
    )
    .await;
    assert_eq!(
        r.body["actions"],
        json!(["withdraw"]),
        "only desk steps stay here"
    );
    let r = get(&app, &path, Some(&d.other_clerk)).await;
    assert_eq!(r.body["actions"], every_step_of_a_received_dossier);
    let list = get(&app, "/api/v1/dossiers", Some(&d.clerk)).await;
    assert!(
        list.body["items"][0].get("actions").is_none(),
        "{}",
        list.text
    );

    let timeline = get(&app, &format!("{path}/events"), Some(&d.clerk)).await;
    let who: Vec<_> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_name"].clone())
        .collect();
    assert_eq!(
        who,
        vec![json!("an.clerk"), json!("an.clerk")],
        "{}",
        timeline.text
    );
}

#[actix_web::test]
async fn a_receipt_prints_what_the_dossier_says_with_a_qr_of_the_public_lookup() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let dossier = post(&app, "/api/v1/dossiers", Some(&d.clerk), filing(None)).await;
    let path = format!("/api/v1/dossiers/{}/receipt", id(&dossier));
    let r = get(&app, &path, Some(&d.clerk)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let code = dossier.body["code"].as_str().unwrap();
    for field in ["code", "appointment_date", "received_at"] {
        assert_eq!(r.body[field], dossier.body[field], "{field}");
    }
    assert_eq!(r.body["appointment_at"], dossier.body["due_at"]);
    assert_eq!(r.body["office_name"], d.commune.name.as_str());
    assert_eq!(r.body["parent_office_name"], "Office 000.00.00.H56");
    assert_eq!(r.body["procedure_name"], "Đăng ký khai sinh");
    assert_eq!(r.body["applicant"]["id_number"], "079201001234");
    assert_eq!(r.body["clerk_name"], "an.clerk");
    let lookup = r.body["lookup_url"].as_str().unwrap();
    assert!(lookup.ends_with(&format!("/app/lookup#{code}")), "{lookup}");
    assert!(r.body["lookup_qr_svg"].as_str().unwrap().contains("<svg"));

    assert_eq!(get(&app, &path, Some(&d.other_clerk)).await.status, 404);
    let mut online = filing(None);
    online["channel"] = json!("online");
    online["status"] = json!("submitted");
    let submitted = post(&app, "/api/v1/dossiers", Some(&d.clerk), online).await;
    let r = get(
        &app,
        &format!("/api/v1/dossiers/{}/receipt", id(&submitted)),
        Some(&d.clerk),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (409, "invalid_transition"),
        "{}",
        r.text
    );
}

#[actix_web::test]
async fn within_lists_one_office_subtree_inside_the_callers_scope() {
    let d = desk();
    let env = &d.env;
    let province =
        motcua::db::offices::find(&mut env.conn(), d.commune.parent_id.as_ref().unwrap())
            .unwrap()
            .unwrap();
    let district = env.office("H56.10", "district", Some(&province));
    let ward = env.office("H56.10.01", "commune", Some(&district));
    let other_province = env.office("000.00.00.H57", "province", None);
    let (_, ward_clerk) = env.user("cuong.clerk", Role::Clerk, Some(&ward));
    let app = test::init_service(build_app(env.state.clone())).await;
    let mut codes = std::collections::BTreeMap::new();
    for (office, token) in [(&d.commune, &d.clerk), (&ward, &ward_clerk)] {
        let r = post(&app, "/api/v1/dossiers", Some(token), filing(None)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        codes.insert(
            office.code.clone(),
            r.body["code"].as_str().unwrap().to_owned(),
        );
    }
    let listed = |items: &Value| -> Vec<String> {
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let m = Some(d.manager.as_str());
    // The province's manager: the district's subtree holds only the ward's dossier.
    let r = get(&app, &format!("/api/v1/dossiers?within={}", district.id), m).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(listed(&r.body), [codes["H56.10.01"].clone()]);
    let r = get(&app, &format!("/api/v1/dossiers?within={}", province.id), m).await;
    assert_eq!(listed(&r.body).len(), 2);
    // With the other filters, and a commune's own subtree is itself.
    let r = get(
        &app,
        &format!(
            "/api/v1/dossiers?within={}&status=received&q=nguyen",
            d.commune.id
        ),
        m,
    )
    .await;
    assert_eq!(listed(&r.body), [codes["H56.01"].clone()]);
    // A clerk's scope stays its own office, whatever subtree is named.
    let r = get(
        &app,
        &format!("/api/v1/dossiers?within={}", d.commune.id),
        Some(&d.clerk),
    )
    .await;
    assert_eq!(listed(&r.body), [codes["H56.01"].clone()]);
    // Outside the caller's scope, or no such office: 404, as everywhere.
    for (within, token) in [
        (other_province.id.to_string(), m),
        (province.id.to_string(), Some(d.clerk.as_str())),
        (district.id.to_string(), Some(d.clerk.as_str())),
        (uuid::Uuid::new_v4().to_string(), m),
    ] {
        let r = get(&app, &format!("/api/v1/dossiers?within={within}"), token).await;
        assert_eq!(r.status, 404, "{within}: {}", r.text);
        assert_eq!(r.code(), "office_not_found");
    }
    let r = get(&app, "/api/v1/dossiers?within=not-a-uuid", m).await;
    assert_eq!(r.status, 422, "{}", r.text);
}

#[actix_web::test]
async fn search_ignores_diacritics_and_lists_mask_identifiers() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let c = Some(d.clerk.as_str());
    let r = post(&app, "/api/v1/dossiers", c, filing(None)).await;
    let code = r.body["code"].as_str().unwrap().to_owned();
    let mut other = filing(None);
    other["applicant"]["name"] = json!("Trần Thị Bích");
    post(&app, "/api/v1/dossiers", c, other).await;

    let found = get(&app, "/api/v1/dossiers?q=nguyen%20van%20a", c).await;
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", found.text);
    assert_eq!(items[0]["applicant"]["name"], "Nguyễn Văn A");
    assert_eq!(items[0]["applicant"]["id_number"], "********1234");
    assert_eq!(items[0]["applicant"]["phone"], "******5678");
    assert!(items[0]["applicant"]["email"].is_null());
    let by_code = get(
        &app,
        &format!("/api/v1/dossiers?q={}", code.to_lowercase()),
        c,
    )
    .await;
    assert_eq!(by_code.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(&app, "/api/v1/dossiers?q=TRAN%20THI", c).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The office's own clerk sees the identifiers in full; the province's manager does not.
    let single = get(&app, &format!("/api/v1/dossiers/{code}"), c).await;
    assert_eq!(single.body["applicant"]["id_number"], "079201001234");
    let managed = get(&app, &format!("/api/v1/dossiers/{code}"), Some(&d.manager)).await;
    assert_eq!(managed.body["applicant"]["id_number"], "********1234");
    // Another commune's clerk sees nothing.
    let list = get(&app, "/api/v1/dossiers", Some(&d.other_clerk)).await;
    assert!(list.body["items"].as_array().unwrap().is_empty());

    // Keyset pagination, newest first.
    let page = get(&app, "/api/v1/dossiers?limit=1", c).await;
    assert_eq!(page.body["items"][0]["applicant"]["name"], "Trần Thị Bích");
    let next = page.body["next_cursor"].as_str().unwrap();
    let page2 = get(&app, &format!("/api/v1/dossiers?limit=1&cursor={next}"), c).await;
    assert_eq!(page2.body["items"][0]["applicant"]["name"], "Nguyễn Văn A");
    assert!(page2.body["next_cursor"].is_null());

    // Citizens: status without personal data.
    let public = get(&app, &format!("/api/v1/public/dossiers/{code}"), None).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["procedure_name"], "Đăng ký khai sinh");
    assert_eq!(public.body["ready"], false);
    for secret in ["Nguyễn", "079201001234", "0912345678", "Trần Phú"] {
        assert!(
            !public.text.contains(secret),
            "{secret} leaked: {}",
            public.text
        );
    }
    assert_eq!(
        get(&app, "/api/v1/public/dossiers/H56.01-000000-0001", None)
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn overdue_filter_and_calendar_changes() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    let a = Some(d.admin.as_str());
    // Open since Monday 2/3/2026 (due 5/3): overdue today. A resolved twin keeps its verdict.
    let create = || post(&app, "/api/v1/dossiers", m, monday_filing(&d));
    let open = id(&create().await);
    let closed = id(&create().await);
    let r = post(
        &app,
        &format!("/api/v1/dossiers/{closed}/events"),
        m,
        json!({"type": "resolve", "outcome": "approved", "at": "2026-03-05T09:00:00Z"}),
    )
    .await;
    assert_eq!(r.body["verdict"], "on_time");
    let overdue = get(&app, "/api/v1/dossiers?overdue=true", m).await;
    let ids: Vec<&str> = overdue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [open.as_str()]);

    // Wednesday 4/3/2026 becomes a holiday: the open dossier is due a day later, the closed one keeps everything.
    let r = send(
        &app,
        actix_web::http::Method::PUT,
        "/api/v1/calendar/exceptions/2026-03-04",
        a,
        Some(json!({"kind": "holiday", "name": "Ngày nghỉ đột xuất"})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["recomputed_dossiers"], 1);
    let o = get(&app, &format!("/api/v1/dossiers/{open}"), m).await;
    assert_eq!(o.body["due_date"], "2026-03-06");
    let c = get(&app, &format!("/api/v1/dossiers/{closed}"), m).await;
    assert_eq!(
        (c.body["due_date"].as_str(), c.body["verdict"].as_str()),
        (Some("2026-03-05"), Some("on_time"))
    );
    let events = get(&app, &format!("/api/v1/dossiers/{open}/events"), m).await;
    let last = events.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "deadline_recomputed");
    assert!(last["note"].as_str().unwrap().contains("2026-03-04"));
    let day = get(
        &app,
        "/api/v1/calendar/days?from=2026-03-04&to=2026-03-04",
        m,
    )
    .await;
    assert_eq!(day.body[0]["working"], false);
    assert_eq!(day.body[0]["name"], "Ngày nghỉ đột xuất");

    // Removing it puts the due date back.
    let r = send(
        &app,
        actix_web::http::Method::DELETE,
        "/api/v1/calendar/exceptions/2026-03-04",
        a,
        None,
    )
    .await;
    assert_eq!(r.body["recomputed_dossiers"], 1);
    assert_eq!(
        get(&app, &format!("/api/v1/dossiers/{open}"), m).await.body["due_date"],
        "2026-03-05"
    );
    let r = send(
        &app,
        actix_web::http::Method::DELETE,
        "/api/v1/calendar/exceptions/2026-03-04",
        a,
        None,
    )
    .await;
    assert_eq!(r.status, 404);
    let r = send(
        &app,
        actix_web::http::Method::PUT,
        "/api/v1/calendar/exceptions/2026-03-04",
        m,
        Some(json!({"kind": "holiday", "name": "x"})),
    )
    .await;
    assert_eq!(r.status, 403, "managers do not change the calendar");
}

#[actix_web::test]
async fn the_calendar_tells_why() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let c = Some(d.clerk.as_str());
    let r = get(
        &app,
        "/api/v1/calendar/days?from=2026-02-13&to=2026-02-23",
        c,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let days = r.body.as_array().unwrap();
    assert_eq!(days.len(), 11);
    assert_eq!(days[0]["working"], true);
    assert!(days[1..10].iter().all(|d| d["working"] == false));
    assert!(
        days[3]["name"].as_str().unwrap().contains("Tết"),
        "{}",
        days[3]
    );
    assert_eq!(days[10]["working"], true);
    let saturday = get(
        &app,
        "/api/v1/calendar/days?from=2026-08-22&to=2026-08-22",
        c,
    )
    .await;
    assert_eq!(saturday.body[0]["working"], true);
    assert_eq!(saturday.body[0]["reason"], "working_day");
    // Another server on the same database adds, then removes, a holiday: this one's
    // cached calendar follows at once.
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 8, 24).unwrap();
    let day_of = |r: Reply| (r.body[0]["working"].clone(), r.body[0]["reason"].clone());
    let path = "/api/v1/calendar/days?from=2026-08-24&to=2026-08-24";
    assert_eq!(
        day_of(get(&app, path, c).await),
        (json!(true), json!("weekday"))
    );
    let holiday = motcua::db::calendar::ExceptionRow {
        day: monday,
        kind: motcua::domain::calendar::ExceptionKind::Holiday,
        name: "Nghỉ bù".to_owned(),
        provisional: false,
        updated_at: chrono::Utc::now().naive_utc(),
    };
    motcua::db::calendar::put(&mut d.env.conn(), &holiday).unwrap();
    assert_eq!(
        day_of(get(&app, path, c).await),
        (json!(false), json!("holiday"))
    );
    motcua::db::calendar::delete(&mut d.env.conn(), monday).unwrap();
    assert_eq!(
        day_of(get(&app, path, c).await),
        (json!(true), json!("weekday"))
    );
    assert_eq!(
        get(
            &app,
            "/api/v1/calendar/days?from=2026-01-01&to=2027-06-01",
            c
        )
        .await
        .status,
        422
    );
    assert_eq!(
        get(
            &app,
            "/api/v1/calendar/days?from=2026-02-10&to=2026-02-01",
            c
        )
        .await
        .status,
        422
    );
}

#[actix_web::test]
async fn worklists_of_overdue_and_due_soon_dossiers() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    // Due 5/3/2026: overdue. A twin waiting for a supplement: its clock is stopped.
    let late = id(&post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await);
    let waiting = id(&post(&app, "/api/v1/dossiers", m, monday_filing(&d)).await);
    post(
        &app,
        &format!("/api/v1/dossiers/{waiting}/events"),
        m,
        json!({"type": "request_supplement", "at": "2026-03-03T02:00:00Z"}),
    )
    .await;
    // Received now, 3 working days: due in exactly 3 working days.
    let fresh = id(&post(&app, "/api/v1/dossiers", Some(&d.clerk), filing(None)).await);
    // Another commune's overdue dossier stays off the commune clerk's list.
    let mut elsewhere = monday_filing(&d);
    elsewhere["office_id"] = json!(d.other_commune.id);
    post(&app, "/api/v1/dossiers", m, elsewhere).await;

    let overdue = get(&app, "/api/v1/worklists/overdue", Some(&d.clerk)).await;
    assert_eq!(overdue.status, 200, "{}", overdue.text);
    let items = overdue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", overdue.text);
    assert_eq!(items[0]["id"], late.as_str());
    assert!(items[0]["working_days_left"].as_i64().unwrap() < 0);
    let province_wide = get(
        &app,
        &format!("/api/v1/worklists/overdue?office_id={}", d.commune.id),
        m,
    )
    .await;
    assert_eq!(province_wide.body["items"].as_array().unwrap().len(), 1);
    let everything = get(&app, "/api/v1/worklists/overdue", m).await;
    assert_eq!(
        everything.body["items"].as_array().unwrap().len(),
        2,
        "the manager's whole province"
    );
    assert_eq!(everything.body["next_cursor"], Value::Null, "one page");
    // Page by page: the same rows in the same order, then no cursor.
    let first = get(&app, "/api/v1/worklists/overdue?limit=1", m).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = get(
        &app,
        &format!("/api/v1/worklists/overdue?limit=1&after={cursor}"),
        m,
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(
        [
            &first.body["items"][0]["id"],
            &second.body["items"][0]["id"]
        ],
        [
            &everything.body["items"][0]["id"],
            &everything.body["items"][1]["id"]
        ]
    );
    assert_eq!(second.body["next_cursor"], Value::Null);
    let bad = get(&app, "/api/v1/worklists/overdue?after=yesterday", m).await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["errors"][0]["field"].as_str()),
        (422, Some("after")),
        "{}",
        bad.text
    );

    let soon = get(
        &app,
        "/api/v1/worklists/due-soon?within_days=3",
        Some(&d.clerk),
    )
    .await;
    let items = soon.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", soon.text);
    assert_eq!(
        (
            items[0]["id"].as_str(),
            items[0]["working_days_left"].as_i64()
        ),
        (Some(fresh.as_str()), Some(3))
    );
    let not_yet = get(
        &app,
        "/api/v1/worklists/due-soon?within_days=2",
        Some(&d.clerk),
    )
    .await;
    assert!(not_yet.body["items"].as_array().unwrap().is_empty());

    let csv = get(&app, "/api/v1/worklists/overdue?format=csv", Some(&d.clerk)).await;
    assert!(
        csv.text
            .starts_with("\u{feff}Mã hồ sơ,Trạng thái,Mã thủ tục"),
        "{}",
        csv.text
    );
    let keys = get(
        &app,
        "/api/v1/worklists/overdue?format=csv&headers=keys",
        Some(&d.clerk),
    )
    .await;
    assert!(
        keys.text.starts_with("\u{feff}code,status,procedure_code"),
        "{}",
        keys.text
    );
    assert_eq!(
        keys.text.lines().skip(1).collect::<Vec<_>>(),
        csv.text.lines().skip(1).collect::<Vec<_>>(),
        "the same rows under either heading"
    );
    assert!(csv.text.contains("Nguyễn Văn A"));
    let (status, _, bytes) =
        get_bytes(&app, "/api/v1/worklists/overdue?format=xlsx", &d.clerk).await;
    assert_eq!(status, 200);
    let sheet = Sheet::read(&bytes);
    for text in ["Mã hồ sơ", "Số ngày làm việc còn lại", "Nguyễn Văn A"] {
        assert!(
            sheet.strings.iter().any(|s| s == text),
            "{text}: {:?}",
            sheet.strings
        );
    }
    assert!(
        sheet.strings[0].starts_with("Danh sách hồ sơ ngày "),
        "{:?}",
        sheet.strings
    );
    let other = get(
        &app,
        &format!("/api/v1/worklists/overdue?office_id={}", d.other_commune.id),
        Some(&d.clerk),
    )
    .await;
    assert_eq!(other.status, 404);
    assert_eq!(
        get(
            &app,
            "/api/v1/worklists/due-soon?within_days=31",
            Some(&d.clerk)
        )
        .await
        .status,
        422
    );
}

/// A worklist over several offices is one list, earliest due first (then by id),
/// whichever office each dossier is at, and its pages walk it without gap or repeat.
#[actix_web::test]
async fn an_overdue_worklist_of_several_offices_is_earliest_due_first() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    // Receipts interleaved between the two communes, two on one day: due 5/3 to 12/3.
    let mut expected = Vec::new();
    for (day, office) in [
        ("2026-03-04", &d.commune),
        ("2026-03-02", &d.other_commune),
        ("2026-03-09", &d.commune),
        ("2026-03-02", &d.commune),
        ("2026-03-05", &d.other_commune),
        ("2026-03-03", &d.commune),
        ("2026-03-09", &d.other_commune),
    ] {
        let mut body = filing(Some(&format!("{day}T02:00:00Z")));
        body["office_id"] = json!(office.id);
        let r = post(&app, "/api/v1/dossiers", m, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        expected.push((r.body["due_date"].as_str().unwrap().to_owned(), id(&r)));
    }
    expected.sort();

    let listed = |items: &Value| -> Vec<(String, String)> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let field = |k: &str| i[k].as_str().unwrap().to_owned();
                (field("due_date"), field("id"))
            })
            .collect()
    };
    let whole = get(&app, "/api/v1/worklists/overdue", m).await;
    assert_eq!(whole.status, 200, "{}", whole.text);
    assert_eq!(listed(&whole.body["items"]), expected);

    let mut paged = Vec::new();
    let mut url = "/api/v1/worklists/overdue?limit=2".to_owned();
    loop {
        let page = get(&app, &url, m).await;
        assert_eq!(page.status, 200, "{}", page.text);
        paged.extend(listed(&page.body["items"]));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/v1/worklists/overdue?limit=2&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, expected);
}
