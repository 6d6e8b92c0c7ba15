//! Hostile or careless input: what once crashed or jammed the service answers a clear
//! problem and changes nothing.

mod common;

use common::*;
use motcua::build_app;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use serde_json::{json, Value};

/// A province with one commune, its procedure, and an admin, a manager and a clerk.
struct Province {
    env: TestEnv,
    province: OfficeRow,
    commune: OfficeRow,
    admin: String,
    manager: String,
    clerk: String,
}

fn province() -> Province {
    province_with(|_| {})
}

fn province_with(adjust: impl FnOnce(&mut motcua::config::Config)) -> Province {
    let env = TestEnv::with_config(adjust);
    let province = env.office("000.00.00.H56", "province", None);
    let commune = env.office("H56.01.06", "commune", Some(&province));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&province));
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let now = chrono::Utc::now().naive_utc();
    motcua::db::procedures::insert(
        &mut env.conn(),
        &motcua::db::procedures::ProcedureRow {
            id: motcua::domain::ids::ProcedureId::new(),
            code: "1.000948".into(),
            name: "Đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            deadline_value: 3,
            deadline_unit: motcua::domain::procedure::DeadlineUnit::WorkingDays,
            online_level: motcua::domain::procedure::OnlineLevel::Full,
            fee: None,
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap();
    Province {
        env,
        province,
        commune,
        admin,
        manager,
        clerk,
    }
}

fn filing(name: &str) -> Value {
    json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": name}})
}

/// The one field a 422 names.
fn field(reply: &Reply) -> &str {
    assert_eq!(reply.status, 422, "{}", reply.text);
    reply.body["errors"][0]["field"].as_str().unwrap_or("")
}

#[actix_web::test]
async fn dates_outside_1900_2100_and_endless_periods_are_refused_by_field() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let on_time =
        |query: &str| format!("/api/v1/stats/on-time?office_id={}&{query}", p.province.id);
    // A typo for 2026 once built one nested OR per month and overflowed the stack.
    for (query, named) in [
        ("from=0226-01-01&to=2026-12-01&group_by=month", "from"),
        ("from=1500-01-01&to=2026-12-01&group_by=month", "from"),
        ("from=1899-12-31&to=1900-01-31", "from"),
        ("from=2026-01-01&to=%2B262142-12-31&group_by=month", "to"),
        ("from=2026-01-01&to=2101-01-01", "to"),
        ("from=2000-01-01&to=2026-12-01&group_by=month", "to"),
        ("from=2026-12-02&to=2026-12-01", "from"),
    ] {
        let r = get(&app, &on_time(query), Some(&p.manager)).await;
        assert_eq!(field(&r), named, "{query}");
        let satisfaction = format!(
            "/api/v1/stats/satisfaction?office_id={}&{query}",
            p.province.id
        );
        let r = get(&app, &satisfaction, Some(&p.manager)).await;
        assert_eq!(field(&r), named, "{query}");
    }
    // The longest period there is: ten years of monthly trend, 120 rows.
    let r = get(
        &app,
        &on_time("from=2016-12-01&to=2026-11-30&group_by=month"),
        Some(&p.manager),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["groups"].as_array().unwrap().len(), 120);

    for (path, named) in [
        (
            "/api/v1/dossiers?received_from=-262143-01-01",
            "received_from",
        ),
        (
            "/api/v1/dossiers?received_to=%2B262142-12-31",
            "received_to",
        ),
        (
            "/api/v1/calendar/days?from=-262143-01-01&to=2026-01-01",
            "from",
        ),
        (
            "/api/v1/worklists/overdue?after=0001-01-01_00000000-0000-0000-0000-000000000000",
            "after",
        ),
    ] {
        let r = get(&app, path, Some(&p.admin)).await;
        assert_eq!(field(&r), named, "{path}");
    }
    let r = send(
        &app,
        actix_web::http::Method::PUT,
        "/api/v1/calendar/exceptions/1850-01-01",
        Some(&p.admin),
        Some(json!({"kind": "holiday", "name": "Tết"})),
    )
    .await;
    assert_eq!(field(&r), "date");

    // Instants in a body: a receipt and an event of year −262143 or 1850.
    let mut body = filing("Nguyễn Văn A");
    body["office_id"] = json!(p.commune.id);
    for at in ["-262143-01-01T00:00:00Z", "1850-06-01T02:00:00Z"] {
        body["received_at"] = json!(at);
        let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
        assert_eq!(field(&r), "received_at", "{at}");
    }
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&p.clerk),
        filing("Nguyễn Văn A"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let events = format!("/api/v1/dossiers/{}/events", r.body["id"].as_str().unwrap());
    let r = post(
        &app,
        &events,
        Some(&p.manager),
        json!({"type": "request_supplement", "at": "1850-06-01T02:00:00Z"}),
    )
    .await;
    assert_eq!(field(&r), "at");
    let r = post(
        &app,
        &events,
        Some(&p.clerk),
        json!({"type": "reschedule", "reason": "chờ xác minh", "new_appointment_date": "9999-12-31"}),
    )
    .await;
    assert_eq!(field(&r), "new_appointment_date");
    // Nothing was stored by any of it: one dossier, one event.
    let r = get(&app, &events, Some(&p.clerk)).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.text);
}

#[actix_web::test]
async fn back_dating_stays_within_its_window_and_after_the_office_opened() {
    let p = province_with(|c| c.back_dating_days = 366);
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let now = chrono::Utc::now();
    let back = |days: i64| (now - chrono::Duration::days(days)).to_rfc3339();
    let mut body = filing("Nguyễn Văn A");
    body["office_id"] = json!(p.commune.id);
    // A century back shares today's YYMMDD; a paper record of last month is fine.
    for received_at in ["1926-12-02T02:00:00Z".to_owned(), back(400)] {
        body["received_at"] = json!(received_at);
        let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
        assert_eq!(field(&r), "received_at", "{received_at}");
    }
    body["received_at"] = json!(back(30));
    let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let events = format!("/api/v1/dossiers/{}/events", r.body["id"].as_str().unwrap());
    let r = post(
        &app,
        &events,
        Some(&p.manager),
        json!({"type": "request_supplement", "at": back(400)}),
    )
    .await;
    assert_eq!(field(&r), "at");

    // The commune opened ten days ago: nothing was received there before.
    let opened = (now - chrono::Duration::days(10)).date_naive();
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", p.commune.id),
        Some(&p.admin),
        json!({"opened_on": opened}),
    )
    .await;
    assert_eq!(r.body["opened_on"], json!(opened), "{}", r.text);
    body["received_at"] = json!(back(30));
    let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
    assert_eq!(field(&r), "received_at");
    body["received_at"] = json!(back(5));
    let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[actix_web::test]
async fn a_taken_code_moves_the_sequence_on() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    let yymmdd = |t: chrono::DateTime<chrono::Utc>| {
        motcua::domain::calendar::local_date(t)
            .format("%y%m%d")
            .to_string()
    };
    let mut body = filing("Nguyễn Văn A");
    body["office_id"] = json!(p.commune.id);
    body["received_at"] = json!(yesterday.to_rfc3339());
    let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let taken = format!("H56.01.06-{}-0001", yymmdd(yesterday));
    assert_eq!(r.body["code"], taken.as_str());
    // The commune gets another agency code, and a new commune is given its old one.
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", p.commune.id),
        Some(&p.admin),
        json!({"code": "H56.01.07"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post(
        &app,
        "/api/v1/offices",
        Some(&p.admin),
        json!({"code": "H56.01.06", "name": "Xã Mới", "level": "commune", "parent_id": p.province.id}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let heir = r.body["id"].as_str().unwrap().to_owned();
    // Back-dated to the day whose first code is taken: the next number, not a 500.
    body["office_id"] = json!(heir);
    let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["code"],
        format!("H56.01.06-{}-0002", yymmdd(yesterday))
    );
    // And today's desk is not blocked.
    body.as_object_mut().unwrap().remove("received_at");
    let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["code"],
        format!("H56.01.06-{}-0001", yymmdd(chrono::Utc::now()))
    );
}

#[actix_web::test]
async fn csv_exports_never_carry_a_live_formula() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    // Overdue dossiers (received three weeks ago, 3 working days) of two hostile applicants.
    let mut body = filing("");
    body["office_id"] = json!(p.commune.id);
    body["received_at"] = json!((chrono::Utc::now() - chrono::Duration::days(21)).to_rfc3339());
    for name in [
        "=HYPERLINK(\"http://evil.example/\",\"x\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
    ] {
        body["applicant"]["name"] = json!(name);
        let r = post(&app, "/api/v1/dossiers", Some(&p.clerk), body.clone()).await;
        assert_eq!(r.status, 403, "clerks do not back-date");
        let r = post(&app, "/api/v1/dossiers", Some(&p.manager), body.clone()).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let csv = get(
        &app,
        &format!(
            "/api/v1/worklists/overdue?office_id={}&format=csv",
            p.province.id
        ),
        Some(&p.manager),
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(
        csv.text
            .contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\""),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("'+cmd|' /C calc'!A0"), "{}", csv.text);
    assert!(csv.text.contains("'@SUM(1+1)"), "{}", csv.text);
    // No cell of any line starts a formula.
    let starts_formula = |cell: &str| cell.trim_start_matches('"').starts_with(['=', '+', '@']);
    assert!(
        csv.text
            .lines()
            .all(|line| !line.split(',').any(starts_formula)),
        "{}",
        csv.text
    );

    // A manager renames a clerk; the province's by-clerk export shows it as text.
    let clerk_id = p
        .env
        .state
        .pool
        .get()
        .map(|mut c| {
            motcua::db::users::find_by_username(&mut c, "an.clerk")
                .unwrap()
                .unwrap()
                .id
        })
        .unwrap();
    let r = patch(
        &app,
        &format!("/api/v1/users/{clerk_id}"),
        Some(&p.manager),
        json!({"full_name": "-1+1 @SUM(A1)"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&p.clerk),
        filing("Trần Thị B"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let csv = get(
        &app,
        &format!(
            "/api/v1/stats/on-time?office_id={}&group_by=clerk&format=csv",
            p.province.id
        ),
        Some(&p.manager),
    )
    .await;
    assert!(csv.text.contains(",'-1+1 @SUM(A1),"), "{}", csv.text);
}

#[actix_web::test]
async fn a_token_of_the_same_second_does_not_survive_a_password_change_or_a_disabling() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let login = |password: &'static str| {
        post(
            &app,
            "/api/v1/auth/login",
            None,
            json!({"username": "an.clerk", "password": password}),
        )
    };
    let clerk_id = p.env.state.jwt.verify(&p.clerk).unwrap().sub;
    let user = format!("/api/v1/users/{clerk_id}");
    for _ in 0..3 {
        // Issued and revoked within milliseconds, most often in the same second.
        let token = login(PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = patch(
            &app,
            &user,
            Some(&p.manager),
            json!({"password": "Mật-khẩu-tạm-2027"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            get(&app, "/api/v1/me", Some(&token)).await.code(),
            "token_revoked"
        );
        let r = patch(&app, &user, Some(&p.manager), json!({"password": PASSWORD})).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Disabled then enabled again: the tokens from before stay dead.
    let token = login(PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for disabled in [true, false] {
        let r = patch(&app, &user, Some(&p.manager), json!({"disabled": disabled})).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        get(&app, "/api/v1/me", Some(&token)).await.code(),
        "token_revoked"
    );
    let fresh = login(PASSWORD).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let fresh = fresh.body["access_token"].as_str().unwrap();
    assert_eq!(get(&app, "/api/v1/me", Some(fresh)).await.status, 200);
}

#[actix_web::test]
async fn answers_are_never_cached_sniffed_or_framed() {
    use actix_web::http::header;
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let login = post(
        &app,
        "/api/v1/auth/login",
        None,
        json!({"username": "an.clerk", "password": PASSWORD}),
    )
    .await;
    let dossier = post(
        &app,
        "/api/v1/dossiers",
        Some(&p.clerk),
        filing("Nguyễn Văn A"),
    )
    .await;
    let one = get(
        &app,
        &format!("/api/v1/dossiers/{}", dossier.body["id"].as_str().unwrap()),
        Some(&p.clerk),
    )
    .await;
    let csv = get(
        &app,
        &format!(
            "/api/v1/worklists/due-soon?office_id={}&format=csv",
            p.commune.id
        ),
        Some(&p.manager),
    )
    .await;
    let refused = get(&app, "/api/v1/me", None).await;
    for (what, r) in [
        ("login", &login),
        ("dossier", &dossier),
        ("dossier view", &one),
        ("csv", &csv),
        ("401", &refused),
    ] {
        let h = |name| r.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(h(header::CACHE_CONTROL), Some("no-store"), "{what}");
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{what}");
        assert_eq!(h(header::REFERRER_POLICY), Some("no-referrer"), "{what}");
        let csp = h(header::CONTENT_SECURITY_POLICY).unwrap_or("");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{what}: {csp}"
        );
    }
    // The documentation page may run its own script files, and nothing inline.
    let docs = call(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/docs/")
            .to_request(),
    )
    .await;
    assert_eq!(docs.status, 200);
    let csp = docs
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !docs.text.contains("<script>"),
        "no inline script for the policy to allow"
    );
}

#[actix_web::test]
async fn failed_logins_from_elsewhere_never_lock_the_owner_out() {
    let p = province_with(|c| c.login_limit_per_account = 10);
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let login = |address: &str, username: &str, password: &str| {
        let req = actix_web::test::TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr(format!("{address}:40000").parse().unwrap())
            .set_json(json!({"username": username, "password": password}))
            .to_request();
        call(&app, req)
    };
    // Thirteen wrong passwords from thirteen addresses, in every spelling of the username.
    for n in 0..13 {
        let spelling = ["an.clerk", "AN.CLERK", " An.Clerk\t"][n % 3];
        let r = login(&format!("203.0.113.{n}"), spelling, "doan-mo-mat-khau").await;
        assert_eq!(r.status, 401, "{}", r.text);
    }
    // The clerk at the desk, whose address never failed, logs in at once.
    let r = login("198.51.100.7", "an.clerk", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Those who failed wait, right password or not, whatever the spelling.
    for spelling in ["an.clerk", "AN.CLERK "] {
        let r = login("203.0.113.3", spelling, PASSWORD).await;
        assert_eq!(r.status, 429, "{}", r.text);
        assert!(r.headers.get("retry-after").is_some());
    }
    // A new account is stored in its normal form and logs in under any spelling.
    let r = post(
        &app,
        "/api/v1/users",
        Some(&p.manager),
        json!({"username": "  Binh.Clerk ", "password": PASSWORD, "full_name": "Lê Văn Bình",
               "role": "clerk", "office_id": p.commune.id}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["username"], "binh.clerk");
    let r = login("198.51.100.8", "BINH.clerk", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[actix_web::test]
async fn transfers_stay_in_the_province_and_the_deciding_office_decides() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let department = p.env.office("000.00.17.H56", "district", Some(&p.province));
    let (_, decider) = p.env.user("so.tu.phap", Role::Clerk, Some(&department));
    let elsewhere = p.env.office("000.00.00.H26", "province", None);
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&p.clerk),
        filing("Nguyễn Văn A"),
    )
    .await;
    let events = format!("/api/v1/dossiers/{}/events", r.body["id"].as_str().unwrap());
    // Another province: refused, and the dossier stays at the desk.
    let r = post(
        &app,
        &events,
        Some(&p.clerk),
        json!({"type": "transfer", "to_office_id": elsewhere.id}),
    )
    .await;
    assert_eq!(field(&r), "to_office_id");
    let r = post(
        &app,
        &events,
        Some(&p.clerk),
        json!({"type": "transfer", "to_office_id": department.id}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The desk no longer decides, nor asks for papers; the department does.
    for body in [
        json!({"type": "resolve", "outcome": "approved"}),
        json!({"type": "request_supplement"}),
        json!({"type": "transfer", "to_office_id": p.commune.id}),
    ] {
        let r = post(&app, &events, Some(&p.clerk), body.clone()).await;
        assert_eq!(r.status, 403, "{body}: {}", r.text);
    }
    let r = post(
        &app,
        &events,
        Some(&decider),
        json!({"type": "request_supplement"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The citizen brings the paper to the desk: a desk step.
    let r = post(
        &app,
        &events,
        Some(&p.clerk),
        json!({"type": "supplement_received"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post(
        &app,
        &events,
        Some(&decider),
        json!({"type": "resolve", "outcome": "approved"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post(
        &app,
        &events,
        Some(&p.clerk),
        json!({"type": "return_result"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "returned");
}

#[actix_web::test]
async fn another_districts_kiosk_is_not_found_rather_than_forbidden() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let other = p.env.office("H56.02", "district", Some(&p.province));
    let (_, other_manager) = p.env.user("binh.manager", Role::Manager, Some(&other));
    let r = post(
        &app,
        "/api/v1/kiosks",
        Some(&p.manager),
        json!({"office_id": p.commune.id, "name": "Quầy 1"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let kiosk = format!("/api/v1/kiosks/{}", r.body["kiosk"]["id"].as_str().unwrap());
    let r = send(
        &app,
        actix_web::http::Method::DELETE,
        &kiosk,
        Some(&other_manager),
        None,
    )
    .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "kiosk_not_found"));
    let r = send(
        &app,
        actix_web::http::Method::DELETE,
        &kiosk,
        Some(&p.manager),
        None,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
}

#[actix_web::test]
async fn names_are_composed_and_never_invisible() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    // Typed on a keyboard that sends letters and marks apart (NFD).
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&p.clerk),
        filing("Nguye\u{302}\u{303}n Thi\u{323} Hoa\u{300}"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["applicant"]["name"], "Nguyễn Thị Hoà");
    // Found by the composed spelling, and by the decomposed one.
    for q in ["Nguy%E1%BB%85n", "Nguye%CC%82%CC%83n", "nguyen%E2%80%8B"] {
        let r = get(&app, &format!("/api/v1/dossiers?q={q}"), Some(&p.clerk)).await;
        assert_eq!(
            r.body["items"].as_array().map(Vec::len),
            Some(1),
            "{q}: {}",
            r.text
        );
    }
    for (name, why) in [
        ("\u{200B}\u{200B}", "invisible"),
        ("Nguyễn \u{202E}nA", "U+202E"),
        ("Trần\u{2066}Thị\u{2069}", "U+2066"),
        ("12345", "letter"),
    ] {
        let r = post(&app, "/api/v1/dossiers", Some(&p.clerk), filing(name)).await;
        assert_eq!(field(&r), "applicant.name", "{name:?}");
        assert!(r.text.contains(why), "{name:?}: {}", r.text);
    }
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", p.commune.id),
        Some(&p.admin),
        json!({"name": "Xã \u{200F}Tân Phú"}),
    )
    .await;
    assert_eq!(field(&r), "name");
    // One dossier, the first: nothing else was stored.
    let r = get(&app, "/api/v1/dossiers", Some(&p.clerk)).await;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
}

#[cfg(unix)]
#[actix_web::test]
async fn the_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let postgres = TestDb::new();
    let database_url = if postgres.is_postgres() {
        postgres.url.clone()
    } else {
        data.join("motcua.db").to_string_lossy().into_owned()
    };
    let mut config = motcua::config::Config::for_tests(&database_url);
    config.jwt_secret =
        motcua::config::JwtSecretSource::File(data.join("jwt.key").to_string_lossy().into_owned());
    let state = actix_web::web::Data::new(motcua::AppState::new(config).unwrap());
    // A write, so that SQLite has its WAL and shared-memory files.
    motcua::bootstrap_admin(&state).unwrap();
    let mode = |name: &str| {
        std::fs::metadata(data.join(name))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert_eq!(mode(""), 0o700, "the data directory");
    assert_eq!(mode("jwt.key"), 0o600);
    if !postgres.is_postgres() {
        for file in ["motcua.db", "motcua.db-wal", "motcua.db-shm"] {
            assert_eq!(mode(file), 0o600, "{file}");
        }
    }
}

#[actix_web::test]
async fn an_apology_letter_cannot_promise_a_date_decades_away() {
    let p = province();
    let app = actix_web::test::init_service(build_app(p.env.state.clone())).await;
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&p.clerk),
        filing("Nguyễn Văn A"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let due: chrono::NaiveDate = r.body["due_date"].as_str().unwrap().parse().unwrap();
    let events = format!("/api/v1/dossiers/{}/events", r.body["id"].as_str().unwrap());
    let reschedule = |date: chrono::NaiveDate| json!({"type": "reschedule", "reason": "chờ xác minh", "new_appointment_date": date});
    let r = post(
        &app,
        &events,
        Some(&p.clerk),
        reschedule(chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap()),
    )
    .await;
    assert_eq!(field(&r), "new_appointment_date");
    assert!(r.text.contains("a year after the due date"), "{}", r.text);
    // Within the year: the first working day a month after the due date.
    let calendar = p
        .env
        .state
        .calendar
        .load(&mut p.env.conn(), Default::default())
        .unwrap();
    let month_later = calendar.next_working_day(due + chrono::Days::new(30));
    let r = post(&app, &events, Some(&p.clerk), reschedule(month_later)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["appointment_date"], json!(month_later));
}

/// What a raw HTTP/1.1 exchange on `addr` got back within `wait`: the client writes
/// `head`, then trickles one byte of body every 200 ms.
fn trickle(addr: std::net::SocketAddr, head: &str, wait: std::time::Duration) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < wait {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {
                if answer.is_empty() && stream.write_all(b" ").is_err() {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[actix_web::test]
async fn a_trickled_body_is_cut_off_and_the_service_keeps_answering() {
    let p = province_with(|c| c.body_timeout = std::time::Duration::from_secs(1));
    let (server, addrs) = motcua::serve_api(p.env.state.clone(), "127.0.0.1:0").unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let addr = addrs[0];
    let login =
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: motcua\r\nContent-Type: application/json\r\n\
                 Content-Length: 500\r\n\r\n{\"username\": \"an.clerk\", ";
    let answers = actix_web::rt::task::spawn_blocking(move || {
        let tricklers: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || trickle(addr, login, std::time::Duration::from_secs(20)))
            })
            .collect();
        // Meanwhile others are served.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let health = trickle(
            addr,
            "GET /health HTTP/1.1\r\nHost: motcua\r\nConnection: close\r\n\r\n",
            std::time::Duration::from_secs(5),
        );
        let cut: Vec<String> = tricklers.into_iter().map(|t| t.join().unwrap()).collect();
        (health, cut)
    })
    .await
    .unwrap();
    handle.stop(false).await;
    assert!(answers.0.starts_with("HTTP/1.1 200"), "{}", answers.0);
    for answer in answers.1 {
        // Cut off long before the 500 bytes could have arrived at 5 bytes a second.
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request_timeout"), "{answer}");
        assert!(
            answer.to_lowercase().contains("connection: close"),
            "{answer}"
        );
    }
}
