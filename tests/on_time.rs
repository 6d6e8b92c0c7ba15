//! On-time dashboards: figures a person can check, and the summaries against a direct
//! recount after random histories.

mod common;

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use motcua::build_app;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Birth registration (3 working days) and a certified copy (8 working hours).
const PROCEDURES: [&str; 2] = ["1.000948", "2.000635"];

fn procedure(env: &TestEnv) {
    env.procedure(
        PROCEDURES[0],
        "Đăng ký khai sinh",
        "Hộ tịch",
        3,
        "working_days",
    );
}

fn second_procedure(env: &TestEnv) {
    env.procedure(
        PROCEDURES[1],
        "Chứng thực bản sao",
        "Chứng thực",
        8,
        "working_hours",
    );
}

/// Local (UTC+7) time in 2026 as an RFC 3339 instant.
fn at(month: u32, day: u32, hour: u32) -> String {
    (Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0).unwrap() - chrono::Duration::hours(7))
        .to_rfc3339()
}

async fn file<S, B>(
    app: &S,
    token: &str,
    office: &OfficeRow,
    received: String,
    channel: &str,
) -> String
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    file_procedure(app, token, office, received, channel, PROCEDURES[0]).await
}

async fn file_procedure<S, B>(
    app: &S,
    token: &str,
    office: &OfficeRow,
    received: String,
    channel: &str,
    procedure_code: &str,
) -> String
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = post(
        app,
        "/api/v1/dossiers",
        Some(token),
        json!({"procedure_code": procedure_code, "channel": channel, "office_id": office.id, "received_at": received,
               "applicant": {"name": "Nguyễn Văn A"}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn event<S, B>(app: &S, token: &str, id: &str, body: Value)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = post(
        app,
        &format!("/api/v1/dossiers/{id}/events"),
        Some(token),
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{body}: {}", r.text);
}

fn resolve(month: u32, day: u32) -> Value {
    json!({"type": "resolve", "outcome": "approved", "at": at(month, day, 10)})
}

#[actix_web::test]
async fn a_hand_built_month_in_a_province() {
    let env = TestEnv::new();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    procedure(&env);
    let province = env.office("000.00.00.H56", "province", None);
    let a = env.office("H56.01", "commune", Some(&province));
    let b = env.office("H56.02", "commune", Some(&province));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let t = admin.as_str();
    // March 2026 has no holiday; 3 working days, the day of receipt not counted.
    // c1: in 23/2 (due 26/2), resolved 25/2: ended before March, not in the report.
    let c1 = file(&app, t, &a, at(2, 23, 9), "in_person").await;
    event(&app, t, &c1, resolve(2, 25)).await;
    // c2: in 26/2 (due 3/3), resolved 2/3: carried over, ended early.
    let c2 = file(&app, t, &a, at(2, 26, 9), "in_person").await;
    event(&app, t, &c2, resolve(3, 2)).await;
    // c3: in 27/2 (due 4/3), resolved 5/3: carried over, ended late.
    let c3 = file(&app, t, &a, at(2, 27, 9), "in_person").await;
    event(&app, t, &c3, resolve(3, 5)).await;
    // c4: in 27/2 (due 4/3), still open: carried over, pending overdue.
    file(&app, t, &a, at(2, 27, 10), "in_person").await;
    // r1: in 2/3 (due 5/3), resolved 5/3: on time. r2: resolved 3/3: early.
    let r1 = file(&app, t, &a, at(3, 2, 9), "in_person").await;
    event(&app, t, &r1, resolve(3, 5)).await;
    let r2 = file(&app, t, &a, at(3, 2, 9), "in_person").await;
    event(&app, t, &r2, resolve(3, 3)).await;
    // r3: in 9/3 (due 12/3), withdrawn 10/3: early, withdrawn. r4: refused 11/3: early, refused.
    let r3 = file(&app, t, &a, at(3, 9, 9), "in_person").await;
    event(
        &app,
        t,
        &r3,
        json!({"type": "withdraw", "reason": "rút hồ sơ", "at": at(3, 10, 9)}),
    )
    .await;
    let r4 = file(&app, t, &a, at(3, 9, 9), "in_person").await;
    event(
        &app,
        t,
        &r4,
        json!({"type": "refuse", "reason": "không thuộc thẩm quyền", "at": at(3, 11, 9)}),
    )
    .await;
    // r5: in 30/3 (due 2/4), open: pending in time. r6: in 25/3 (due 30/3), open: overdue.
    file(&app, t, &a, at(3, 30, 9), "in_person").await;
    file(&app, t, &a, at(3, 25, 9), "in_person").await;
    // r7: in 16/3 (due 19/3), apology 17/3 (new appointment 24/3), resolved 23/3: late, rescheduled.
    let r7 = file(&app, t, &a, at(3, 16, 9), "in_person").await;
    event(&app, t, &r7, json!({"type": "reschedule", "reason": "chờ xác minh", "new_appointment_date": "2026-03-24", "at": at(3, 17, 9)})).await;
    event(&app, t, &r7, resolve(3, 23)).await;
    // r8 at commune B: in 2/3 (due 5/3), resolved 4/3: early.
    let r8 = file(&app, t, &b, at(3, 2, 9), "in_person").await;
    event(&app, t, &r8, resolve(3, 4)).await;
    // r9: in 31/3 (due 3/4), resolved 1/4: pending in time at the end of March.
    let r9 = file(&app, t, &a, at(3, 31, 9), "in_person").await;
    event(&app, t, &r9, resolve(4, 1)).await;
    // r10: online 2/3 (due 5/3), stopped 13/3: late, stopped.
    let r10 = file(&app, t, &a, at(3, 2, 9), "online").await;
    event(
        &app,
        t,
        &r10,
        json!({"type": "stop", "reason": "dừng xử lý", "at": at(3, 13, 9)}),
    )
    .await;
    // r11: in 2/3, waits for a supplement Tue 3/3 07:00 → Thu 5/3 07:00 (due 5/3 → 9/3), resolved 9/3: on time.
    let r11 = file(&app, t, &a, at(3, 2, 9), "in_person").await;
    event(
        &app,
        t,
        &r11,
        json!({"type": "request_supplement", "at": at(3, 3, 7)}),
    )
    .await;
    event(
        &app,
        t,
        &r11,
        json!({"type": "supplement_received", "at": at(3, 5, 7)}),
    )
    .await;
    event(&app, t, &r11, resolve(3, 9)).await;
    // r12: in 2/3, two one-hour supplement waits on 3/3 (due 5/3 17:00 → 6/3 09:00), resolved 4/3: late.
    let r12 = file(&app, t, &a, at(3, 2, 9), "in_person").await;
    for (from, to) in [(9, 10), (10, 11)] {
        event(
            &app,
            t,
            &r12,
            json!({"type": "request_supplement", "at": at(3, 3, from)}),
        )
        .await;
        event(
            &app,
            t,
            &r12,
            json!({"type": "supplement_received", "at": at(3, 3, to)}),
        )
        .await;
    }
    event(&app, t, &r12, resolve(3, 4)).await;
    // After the period: not counted.
    file(&app, t, &a, at(4, 1, 9), "in_person").await;

    let url = format!(
        "/api/v1/stats/on-time?office_id={}&from=2026-03-01&to=2026-03-31",
        province.id
    );
    let r = get(&app, &url, Some(t)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let total = &r.body["total"];
    let expect =
        |name: &str, value: i64| assert_eq!(total[name].as_i64(), Some(value), "{name}: {}", total);
    expect("carried_over", 3); // c2, c3, c4
    expect("received", 12); // r1-r12
    expect("received_in_person", 11);
    expect("received_online", 1); // r10
    expect("handled", 15);
    expect("ended_early", 5); // c2, r2, r3, r4, r8
    expect("ended_on_time", 2); // r1, r11
    expect("ended_late", 4); // c3, r7, r10, r12
    expect("pending_in_time", 2); // r5, r9
    expect("pending_overdue", 2); // c4, r6
    expect("refused", 1);
    expect("withdrawn", 1);
    expect("stopped", 1);
    expect("rescheduled", 1);
    // (5 + 2 + 2) / 15 = 0.6 against the 0.99 default target.
    assert_eq!(
        total["on_time_rate"],
        json!({"numerator": 9, "denominator": 15, "value": 0.6})
    );
    // Due in March: c2 c3 c4 r1 r2 r3 r4 r6 r7 r8 r10 r11 r12 = 13; met: c2 r1 r2 r3 r4 r8 r11 = 7.
    assert_eq!(
        total["on_time_rate_due"],
        json!({"numerator": 7, "denominator": 13, "value": 0.5385})
    );
    assert_eq!(
        (total["target"].as_f64(), total["meets_target"].as_bool()),
        (Some(0.99), Some(false))
    );

    // Drill-down: commune B has r8 only; A has the rest, (4 + 2 + 2) / 14.
    let by_office = get(&app, &format!("{url}&group_by=office"), Some(t)).await;
    let groups = by_office.body["groups"].as_array().unwrap();
    let row = |office: &OfficeRow| {
        groups
            .iter()
            .find(|g| g["key"] == office.id.as_str())
            .unwrap()
            .clone()
    };
    assert_eq!(
        row(&b)["on_time_rate"],
        json!({"numerator": 1, "denominator": 1, "value": 1.0})
    );
    assert_eq!(
        row(&a)["on_time_rate"],
        json!({"numerator": 8, "denominator": 14, "value": 0.5714})
    );
    // Field and procedure: one of each, the same as the total.
    let by_field = get(&app, &format!("{url}&group_by=field"), Some(t)).await;
    assert_eq!(by_field.body["groups"][0]["key"], "Hộ tịch");
    assert_eq!(by_field.body["groups"][0]["handled"], 15);
    // The trend: February's end is March's beginning.
    let trend = get(
        &app,
        &format!(
            "/api/v1/stats/on-time?office_id={}&from=2026-02-01&to=2026-03-31&group_by=month",
            province.id
        ),
        Some(t),
    )
    .await;
    let months = trend.body["groups"].as_array().unwrap();
    assert_eq!(months[0]["key"], "2026-02");
    assert_eq!(
        (
            months[0]["received"].as_i64(),
            months[0]["ended_early"].as_i64()
        ),
        (Some(4), Some(1))
    );
    assert_eq!(
        months[0]["pending_in_time"].as_i64().unwrap()
            + months[0]["pending_overdue"].as_i64().unwrap(),
        3
    );
    assert_eq!(months[1]["carried_over"], 3);
    assert_eq!(months[1]["handled"], 15);
    // A stricter province target for the field, and CSV with the same numbers.
    let r = send(
        &app,
        actix_web::http::Method::PUT,
        "/api/v1/targets",
        Some(t),
        Some(json!({"office_id": province.id, "year": 2026, "metric": "on_time", "value": 0.5})),
    )
    .await;
    assert_eq!(r.status, 200);
    let csv = get(&app, &format!("{url}&format=csv"), Some(t)).await;
    assert!(
        csv.text
            .starts_with("\u{feff}Mã nhóm,Đơn vị / nhóm,Số hồ sơ kỳ trước chuyển qua,"),
        "Vietnamese headings by default: {}",
        csv.text
    );
    assert!(
        csv.text.contains(
            ",3,12,11,1,0,5,2,4,2,2,1,1,1,1,0,15,9,15,0.6000,7,13,0.5385,0.0833,0.0000,0.5000,true"
        ),
        "{}",
        csv.text
    );
    // Excel: the same numbers as numbers, rates as percentages, headings in Vietnamese.
    let (status, headers, bytes) = get_bytes(&app, &format!("{url}&format=xlsx"), t).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("content-type").unwrap(),
        motcua::api::xlsx::XLSX
    );
    assert!(headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("on-time.xlsx"));
    let sheet = Sheet::read(&bytes);
    let expected = [
        3.0, 12.0, 11.0, 1.0, 0.0, 5.0, 2.0, 4.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.0, 15.0, 9.0,
        15.0, 0.6, 7.0, 13.0, 0.5385, 0.0833, 0.0, 0.5,
    ];
    assert!(
        (3..40).any(|row| sheet.numbers(row) == expected),
        "{}",
        sheet.xml
    );
    assert!(
        sheet.xml.contains("ySplit=\"2\""),
        "the heading row is frozen"
    );
    assert!(sheet.strings.iter().any(|s| s.starts_with(
        "Tình hình giải quyết hồ sơ thủ tục hành chính: Office 000.00.00.H56, từ 01/03/2026 đến 31/03/2026"
    )), "{:?}", sheet.strings);
    for heading in ["Tỷ lệ giải quyết đúng hạn (QĐ 766)", "Đạt chỉ tiêu", "Đạt"]
    {
        assert!(
            sheet.strings.iter().any(|s| s == heading),
            "{heading}: {:?}",
            sheet.strings
        );
    }
    // The counters equal a recount from the dossiers.
    let report = motcua::db::stats::recount(&mut env.conn(), false).unwrap();
    assert_eq!(report.rows_differing, 0, "{:?}", report.examples);
}

/// The report's counts recomputed from the dossiers themselves, by the definitions,
/// over the dossiers `keep` selects.
fn direct(
    env: &TestEnv,
    from: NaiveDate,
    to: NaiveDate,
    keep: &dyn Fn(&motcua::db::dossiers::DossierRow) -> bool,
) -> Value {
    use diesel::prelude::*;
    use motcua::domain::calendar::local_date;
    let rows: Vec<motcua::db::dossiers::DossierRow> = motcua::db::schema::dossiers::table
        .select(motcua::db::dossiers::DossierRow::as_select())
        .load(&mut env.conn())
        .unwrap();
    let mut c = std::collections::BTreeMap::<&str, i64>::new();
    for row in rows.iter().filter(|r| keep(r)) {
        let state = row.state();
        let Some(received) = state.received_at.map(local_date) else {
            continue;
        };
        let ended = state.ended_at.map(local_date);
        let due = state.due_date.unwrap();
        let verdict = state.verdict.map(motcua::domain::deadline::Verdict::as_str);
        let mut bump = |k: &'static str| *c.entry(k).or_default() += 1;
        if received < from && ended.is_none_or(|e| e >= from) {
            bump("carried_over");
        }
        if (from..=to).contains(&received) {
            bump("received");
        }
        if ended.is_some_and(|e| (from..=to).contains(&e)) {
            bump(match verdict.unwrap() {
                "early" => "ended_early",
                "on_time" => "ended_on_time",
                _ => "ended_late",
            });
            match row.status.as_str() {
                "refused" => bump("refused"),
                "withdrawn" => bump("withdrawn"),
                "stopped" => bump("stopped"),
                "resolved" | "returned" if ended == Some(received) => bump("resolved_same_day"),
                _ => {}
            }
        }
        if received <= to && ended.is_none_or(|e| e > to) {
            bump(if due < to {
                "pending_overdue"
            } else {
                "pending_in_time"
            });
        }
        if state
            .rescheduled_at
            .map(local_date)
            .is_some_and(|d| (from..=to).contains(&d))
        {
            bump("rescheduled");
        }
        if (from..=to).contains(&due) {
            bump("due");
            if matches!(verdict, Some("early" | "on_time")) {
                bump("due_met");
            }
        }
    }
    serde_json::to_value(c).unwrap()
}

const COLUMNS: [&str; 14] = [
    "carried_over",
    "received",
    "ended_early",
    "ended_on_time",
    "ended_late",
    "pending_in_time",
    "pending_overdue",
    "refused",
    "withdrawn",
    "stopped",
    "rescheduled",
    "due",
    "due_met",
    "resolved_same_day",
];

/// Every column of a report row equals the direct recount.
fn assert_row(row: &Value, expected: &Value, what: &str) {
    for key in COLUMNS {
        assert_eq!(
            row[key].as_i64().unwrap_or(0),
            expected[key].as_i64().unwrap_or(0),
            "{key} of {what}: {row}"
        );
    }
}

#[derive(Debug, Clone)]
enum Step {
    File {
        office: usize,
        day: u32,
        procedure: usize,
        clerk: usize,
    },
    Event {
        dossier: usize,
        kind: usize,
        day: u32,
    },
    Holiday {
        day: u32,
    },
    /// Moves commune 1 between the district and the province.
    Move,
    /// Folds the waiting deltas now (the background folder may or may not have).
    Fold,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            6 => (0usize..3, 1u32..=90, 0usize..2, 0usize..2).prop_map(|(office, day, procedure, clerk)| Step::File { office, day, procedure, clerk }),
            8 => (0usize..40, 0usize..8, 0u32..=6).prop_map(|(dossier, kind, day)| Step::Event {
                dossier,
                kind,
                day
            }),
            1 => (1u32..=120).prop_map(|day| Step::Holiday { day }),
            1 => Just(Step::Move),
            1 => Just(Step::Fold),
        ],
        10..45,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Random histories (transfers, supplements, reschedules, calendar changes, an
    /// office moving, folds at random moments): every report, in total and in every
    /// grouping, equals a recount from the dossiers, and `recount` finds nothing.
    #[test]
    fn summaries_always_equal_a_direct_recount(steps in steps(), periods in prop::collection::vec((0u32..120, 0u32..60), 3)) {
        actix_web::rt::System::new().block_on(async move {
            let env = TestEnv::new();
            let app = actix_web::test::init_service(build_app(env.state.clone())).await;
            procedure(&env);
            second_procedure(&env);
            let province = env.office("000.00.00.H56", "province", None);
            let district = env.office("H56.10", "district", Some(&province));
            let offices = [
                env.office("H56.11", "commune", Some(&district)),
                env.office("H56.02", "commune", Some(&province)),
                district.clone(),
            ];
            let clerks = [env.user("lan.admin", Role::Admin, None), env.user("hoa.admin", Role::Admin, None)];
            let admin = clerks[0].1.clone();
            let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
            let instant = |day: NaiveDate, hour: u32| (Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap()) - chrono::Duration::hours(7)).to_rfc3339();
            let mut dossiers: Vec<(String, NaiveDate)> = Vec::new();
            let mut clock = start;
            let mut under_district = true;
            for step in steps {
                match step {
                    Step::File { office, day, procedure, clerk } => {
                        clock = clock.max(start + chrono::Days::new(day as u64));
                        let channel = ["in_person", "online", "postal"][day as usize % 3];
                        let id = file_procedure(&app, &clerks[clerk].1, &offices[office], instant(clock, 8), channel, PROCEDURES[procedure]).await;
                        dossiers.push((id, clock));
                    }
                    Step::Event { dossier, kind, day } if !dossiers.is_empty() => {
                        let (id, last) = dossiers[dossier % dossiers.len()].clone();
                        let when = last.max(clock) + chrono::Days::new(day as u64);
                        let body = match kind {
                            0 => json!({"type": "transfer", "to_office_id": offices[(day % 2) as usize].id}),
                            1 => json!({"type": "request_supplement"}),
                            2 => json!({"type": "supplement_received"}),
                            3 => json!({"type": "resolve", "outcome": "approved"}),
                            4 => json!({"type": "withdraw", "reason": "x"}),
                            5 => json!({"type": "reschedule", "reason": "x", "new_appointment_date": (when + chrono::Days::new(20)).to_string()}),
                            6 => json!({"type": "return_result"}),
                            _ => json!({"type": "refuse", "reason": "x"}),
                        };
                        let mut body = body;
                        body["at"] = json!(instant(when, 9 + kind as u32));
                        let r = post(&app, &format!("/api/v1/dossiers/{id}/events"), Some(&admin), body).await;
                        // Refusals (wrong status, too late...) are part of life; they change nothing.
                        if r.status == 200 {
                            let idx = dossiers.iter().position(|(i, _)| *i == id).unwrap();
                            dossiers[idx].1 = when;
                            clock = clock.max(when);
                        }
                    }
                    Step::Holiday { day } => {
                        let date = start + chrono::Days::new(day as u64);
                        let r = send(&app, actix_web::http::Method::PUT, &format!("/api/v1/calendar/exceptions/{date}"), Some(&admin), Some(json!({"kind": "holiday", "name": "nghỉ"}))).await;
                        assert_eq!(r.status, 200, "{}", r.text);
                    }
                    Step::Move => {
                        under_district = !under_district;
                        let parent = if under_district { &district } else { &province };
                        let r = patch(&app, &format!("/api/v1/offices/{}", offices[0].id), Some(&admin), json!({"parent_id": parent.id})).await;
                        assert_eq!(r.status, 200, "{}", r.text);
                    }
                    Step::Fold => {
                        motcua::service::stats_folder::fold_once(&env.state.pool).unwrap();
                    }
                    Step::Event { .. } => {}
                }
            }
            let report = motcua::db::stats::recount(&mut env.conn(), false).unwrap();
            assert_eq!(report.rows_differing, 0, "{:?}", report.examples);
            let paths: std::collections::HashMap<String, String> = [&province, &district, &offices[0], &offices[1]]
                .iter()
                .map(|o| {
                    let now = motcua::db::offices::find(&mut env.conn(), &o.id).unwrap().unwrap();
                    (now.id.to_string(), now.path)
                })
                .collect();
            let fields: std::collections::HashMap<String, String> = motcua::db::procedures::list(&mut env.conn(), &Default::default(), 10)
                .unwrap()
                .into_iter()
                .map(|p| (p.id.to_string(), p.field))
                .collect();
            let within = |row: &motcua::db::dossiers::DossierRow, office: &str| paths[row.office_id.as_str()].contains(&format!("/{office}/"));
            for (offset, length) in periods {
                let from = start + chrono::Days::new(offset as u64);
                let to = from + chrono::Days::new(length as u64);
                let url = |group: &str| format!("/api/v1/stats/on-time?office_id={}&from={from}&to={to}{group}", province.id);
                let r = get(&app, &url(""), Some(&admin)).await;
                assert_row(&r.body["total"], &direct(&env, from, to, &|_| true), "the province");

                let r = get(&app, &url("&group_by=office"), Some(&admin)).await;
                let children = r.body["groups"].as_array().unwrap();
                assert_eq!(children.len(), if under_district { 2 } else { 3 }, "{}", r.text);
                for group in children {
                    let key = group["key"].as_str().unwrap().to_owned();
                    let expected = if province.id == key.as_str() {
                        direct(&env, from, to, &|d| d.office_id == province.id)
                    } else {
                        direct(&env, from, to, &|d| within(d, &key))
                    };
                    assert_row(group, &expected, &format!("office {key}"));
                }

                let r = get(&app, &url("&group_by=month"), Some(&admin)).await;
                for group in r.body["groups"].as_array().unwrap() {
                    let month = NaiveDate::parse_from_str(&format!("{}-01", group["key"].as_str().unwrap()), "%Y-%m-%d").unwrap();
                    let month_end = month.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
                    assert_row(group, &direct(&env, from.max(month), to.min(month_end), &|_| true), &format!("month {month}"));
                }

                for (group_by, of) in [
                    ("procedure", (|d: &motcua::db::dossiers::DossierRow| d.procedure_id.to_string()) as fn(&motcua::db::dossiers::DossierRow) -> String),
                    ("clerk", |d| d.created_by.as_ref().map(ToString::to_string).unwrap_or_default()),
                ] {
                    let r = get(&app, &url(&format!("&group_by={group_by}")), Some(&admin)).await;
                    for group in r.body["groups"].as_array().unwrap() {
                        let key = group["key"].as_str().unwrap().to_owned();
                        assert_row(group, &direct(&env, from, to, &|d| of(d) == key), &format!("{group_by} {key}"));
                        if group_by == "clerk" {
                            // A clerk's label is their full name (here their username).
                            let name = clerks.iter().zip(["lan.admin", "hoa.admin"]).find(|((id, _), _)| *id == key).map(|(_, name)| name);
                            assert_eq!(group["label"].as_str(), name, "clerk {key}");
                        }
                    }
                }
                let r = get(&app, &url("&group_by=field"), Some(&admin)).await;
                for group in r.body["groups"].as_array().unwrap() {
                    let key = group["key"].as_str().unwrap().to_owned();
                    assert_row(group, &direct(&env, from, to, &|d| fields[d.procedure_id.as_str()] == key), &format!("field {key}"));
                }
            }
        });
    }
}

#[actix_web::test]
async fn same_day_resolutions_online_share_and_the_catalogue_offered_online() {
    let env = TestEnv::new();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    procedure(&env);
    second_procedure(&env);
    let province = env.office("000.00.00.H56", "province", None);
    let commune = env.office("H56.01", "commune", Some(&province));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let t = admin.as_str();
    // Resolved at 10:00 on the day it came in at 09:00, handed back the next day: same day.
    let same = file(&app, t, &commune, at(3, 9, 9), "in_person").await;
    event(&app, t, &same, resolve(3, 9)).await;
    event(
        &app,
        t,
        &same,
        json!({"type": "return_result", "at": at(3, 10, 9)}),
    )
    .await;
    // Online, resolved the next day: not the same day.
    let next = file(&app, t, &commune, at(3, 9, 9), "online").await;
    event(&app, t, &next, resolve(3, 10)).await;
    // Refused on the day: an end, but no result.
    let refused = file(&app, t, &commune, at(3, 9, 9), "in_person").await;
    event(
        &app,
        t,
        &refused,
        json!({"type": "refuse", "reason": "thiếu giấy tờ", "at": at(3, 9, 11)}),
    )
    .await;
    let copy = get(&app, "/api/v1/procedures?q=2.000635", Some(t)).await;
    let copy_id = copy.body["items"][0]["id"].as_str().unwrap().to_owned();
    let r = patch(
        &app,
        &format!("/api/v1/procedures/{copy_id}"),
        Some(t),
        json!({"online_level": "none"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let url = format!(
        "/api/v1/stats/on-time?office_id={}&from=2026-03-01&to=2026-03-31",
        province.id
    );
    let expect = |report: &Value| {
        let total = &report["total"];
        assert_eq!(total["resolved_same_day"], 1, "{total}");
        assert_eq!(
            total["same_day_rate"],
            json!({"numerator": 1, "denominator": 3, "value": 0.3333})
        );
        assert_eq!(
            total["online_rate"],
            json!({"numerator": 1, "denominator": 3, "value": 0.3333})
        );
        assert_eq!(
            report["procedures_online"],
            json!({"procedures": 2, "full": 1, "partial": 0,
                   "full_share": {"numerator": 1, "denominator": 2, "value": 0.5},
                   "online_share": {"numerator": 1, "denominator": 2, "value": 0.5}})
        );
    };
    expect(&get(&app, &url, Some(t)).await.body);
    let csv = get(&app, &format!("{url}&format=csv&headers=keys"), Some(t))
        .await
        .text;
    let keys: Vec<&str> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .collect();
    let total: Vec<&str> = csv.lines().last().unwrap().split(',').collect();
    let cell = |key: &str| total[keys.iter().position(|k| *k == key).unwrap()];
    assert_eq!(
        (cell("resolved_same_day"), cell("same_day_rate")),
        ("1", "0.3333"),
        "{csv}"
    );

    // The counter's migration, run on a database that already holds these dossiers,
    // recounts the rollups: the past's same-day resolutions are there at once.
    let mut conn = env.conn();
    motcua::db::revert_migrations_after(&mut conn, "20261202000016").unwrap();
    motcua::db::run_migrations(&mut conn).unwrap();
    drop(conn);
    expect(&get(&app, &url, Some(t)).await.body);
}

/// The report by clerk labels each clerk with their name as it is now: renaming a clerk
/// shows in the next report (the names kept between reports are read again).
#[actix_web::test]
async fn a_renamed_clerk_is_labelled_by_the_new_name() {
    let env = TestEnv::new();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    procedure(&env);
    let province = env.office("000.00.00.H56", "province", None);
    let commune = env.office("H56.01", "commune", Some(&province));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    // A manager back-dates the filing; the one who records it is its clerk.
    let (clerk_id, clerk) = env.user("an.manager", Role::Manager, Some(&commune));
    file(&app, &clerk, &commune, at(3, 2, 9), "in_person").await;
    let url = format!(
        "/api/v1/stats/on-time?office_id={}&from=2026-03-01&to=2026-03-31&group_by=clerk",
        province.id
    );
    let labels = |report: &Reply| -> Vec<(String, String)> {
        report.body["groups"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", report.text))
            .iter()
            .map(|g| {
                (
                    g["key"].as_str().unwrap().to_owned(),
                    g["label"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let before = get(&app, &url, Some(&admin)).await;
    assert_eq!(
        labels(&before),
        [(clerk_id.clone(), "an.manager".to_owned())]
    );

    let renamed = patch(
        &app,
        &format!("/api/v1/users/{clerk_id}"),
        Some(&admin),
        json!({"full_name": "Trần Thị An"}),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let after = get(&app, &url, Some(&admin)).await;
    assert_eq!(labels(&after), [(clerk_id, "Trần Thị An".to_owned())]);
}
