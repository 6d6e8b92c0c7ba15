//! The authorization matrix: every role against every endpoint, including another
//! office's data, which must be 403 or 404.

mod common;

use actix_web::http::Method;
use actix_web::test;
use common::*;
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::{json, Value};

/// Ids the request bodies refer to.
struct Ids {
    c1: String,
    e1: String,
    d: String,
}

struct Case {
    method: Method,
    path: String,
    /// Body for a given actor index (bodies must differ where they create something).
    body: Option<fn(&Ids, usize) -> Value>,
    /// Expected status for: anonymous, admin, manager of district D, clerk of commune C1.
    expect: [u16; 4],
}

fn case(
    method: Method,
    path: impl Into<String>,
    body: Option<fn(&Ids, usize) -> Value>,
    expect: [u16; 4],
) -> Case {
    Case {
        method,
        path: path.into(),
        body,
        expect,
    }
}

#[actix_web::test]
async fn every_role_against_every_endpoint() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    let district = env.office("000.00.14.H56", "district", Some(&province));
    let commune = env.office("H56.14.01", "commune", Some(&district));
    let other_district = env.office("000.00.15.H56", "district", Some(&province));
    let other_commune = env.office("H56.15.01", "commune", Some(&other_district));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&district));
    let (clerk_id, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let (other_clerk_id, _) = env.user("binh.clerk", Role::Clerk, Some(&other_commune));
    let (other_manager_id, _) = env.user("cuc.manager", Role::Manager, Some(&other_district));

    let procedure = post(
        &app,
        "/api/v1/procedures",
        Some(&admin),
        json!({"code": "1.000948", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
               "deadline": {"value": 3, "unit": "working_days"}, "online_level": "full"}),
    )
    .await;
    assert_eq!(procedure.status, 201, "{}", procedure.text);
    let procedure_id = procedure.body["id"].as_str().unwrap().to_owned();

    let filing = |office: &str| {
        json!({"procedure_code": "1.000948", "channel": "in_person", "office_id": office,
               "applicant": {"name": "Nguyễn Văn A"}})
    };
    let mine = post(
        &app,
        "/api/v1/dossiers",
        Some(&clerk),
        filing(commune.id.as_str()),
    )
    .await;
    assert_eq!(mine.status, 201, "{}", mine.text);
    let mine_id = mine.body["id"].as_str().unwrap().to_owned();
    let mine_code = mine.body["code"].as_str().unwrap().to_owned();
    let theirs = post(
        &app,
        "/api/v1/dossiers",
        Some(&admin),
        filing(other_commune.id.as_str()),
    )
    .await;
    let theirs_id = theirs.body["id"].as_str().unwrap().to_owned();

    let ids = Ids {
        c1: commune.id.to_string(),
        e1: other_commune.id.to_string(),
        d: district.id.to_string(),
    };
    let anon_admin_manager_clerk_ok = [401, 200, 200, 200];
    let cases = vec![
        case(Method::GET, "/health", None, [200, 200, 200, 200]),
        case(Method::GET, "/ready", None, [200, 200, 200, 200]),
        case(Method::GET, "/metrics", None, [404, 404, 404, 404]),
        case(Method::GET, "/openapi.json", None, [200, 200, 200, 200]),
        case(Method::GET, "/api/v1/me", None, anon_admin_manager_clerk_ok),
        case(Method::GET, "/api/v1/users", None, [401, 200, 200, 403]),
        case(
            Method::GET,
            format!("/api/v1/users/{clerk_id}"),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/users/{other_clerk_id}"),
            None,
            [401, 200, 404, 404],
        ),
        case(
            Method::GET,
            format!("/api/v1/users/{other_manager_id}"),
            None,
            [401, 200, 404, 404],
        ),
        case(
            Method::POST,
            "/api/v1/users",
            Some(
                |ids, i| json!({"username": format!("new.clerk{i}"), "password": "Mot-cua-2026!", "full_name": "Clerk", "role": "clerk", "office_id": ids.c1}),
            ),
            [401, 201, 201, 403],
        ),
        case(
            Method::POST,
            "/api/v1/users",
            Some(
                |ids, i| json!({"username": format!("far.clerk{i}"), "password": "Mot-cua-2026!", "full_name": "Clerk", "role": "clerk", "office_id": ids.e1}),
            ),
            [401, 201, 403, 403],
        ),
        case(
            Method::POST,
            "/api/v1/users",
            Some(
                |ids, i| json!({"username": format!("new.manager{i}"), "password": "Mot-cua-2026!", "full_name": "M", "role": "manager", "office_id": ids.c1}),
            ),
            [401, 201, 403, 403],
        ),
        case(
            Method::POST,
            "/api/v1/users",
            Some(
                |_ids, i| json!({"username": format!("new.admin{i}"), "password": "Mot-cua-2026!", "full_name": "A", "role": "admin"}),
            ),
            [401, 201, 403, 403],
        ),
        case(
            Method::PATCH,
            format!("/api/v1/users/{clerk_id}"),
            Some(|_ids, _| json!({"full_name": "Trần Văn An"})),
            [401, 200, 200, 403],
        ),
        case(
            Method::PATCH,
            format!("/api/v1/users/{other_clerk_id}"),
            Some(|_ids, _| json!({"full_name": "Lê Bình"})),
            [401, 200, 404, 403],
        ),
        case(
            Method::PATCH,
            format!("/api/v1/users/{other_manager_id}"),
            Some(|_ids, _| json!({"disabled": false})),
            [401, 200, 404, 403],
        ),
        case(
            Method::GET,
            "/api/v1/offices",
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/offices/{}", other_commune.id),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::POST,
            "/api/v1/offices",
            Some(
                |ids, i| json!({"code": format!("H56.14.9{i}"), "name": "Xã mới", "level": "commune", "parent_id": ids.d}),
            ),
            [401, 201, 403, 403],
        ),
        case(
            Method::PATCH,
            format!("/api/v1/offices/{}", commune.id),
            Some(|_ids, _| json!({"name": "Phường Lộc Thọ"})),
            [401, 200, 403, 403],
        ),
        case(
            Method::GET,
            "/api/v1/procedures",
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/procedures/{procedure_id}"),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::POST,
            "/api/v1/procedures",
            Some(|_ids, i| {
                json!({"code": format!("2.00063{i}"), "name": "Chứng thực", "field": "Chứng thực",
                           "deadline": {"value": 1, "unit": "working_days"}, "online_level": "none"})
            }),
            [401, 201, 403, 403],
        ),
        case(
            Method::PATCH,
            format!("/api/v1/procedures/{procedure_id}"),
            Some(|_ids, _| json!({"fee": 8000})),
            [401, 200, 403, 403],
        ),
        case(
            Method::GET,
            "/api/v1/dossiers",
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/worklists/overdue?office_id={}", commune.id),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/worklists/due-soon?office_id={}", other_commune.id),
            None,
            [401, 200, 404, 404],
        ),
        case(
            Method::POST,
            "/api/v1/dossiers",
            Some(
                |ids, _| json!({"procedure_code": "1.000948", "channel": "postal", "office_id": ids.c1, "applicant": {"name": "Lê C"}}),
            ),
            [401, 201, 201, 201],
        ),
        case(
            Method::POST,
            "/api/v1/dossiers",
            Some(
                |ids, _| json!({"procedure_code": "1.000948", "channel": "postal", "office_id": ids.e1, "applicant": {"name": "Lê C"}}),
            ),
            [401, 201, 403, 403],
        ),
        case(
            Method::GET,
            format!("/api/v1/dossiers/{mine_id}"),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/dossiers/{mine_id}/events"),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::GET,
            format!("/api/v1/dossiers/{mine_id}/deadline"),
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::POST,
            format!("/api/v1/dossiers/{mine_id}/events"),
            Some(|ids, _| json!({"type": "transfer", "to_office_id": ids.c1})),
            [401, 200, 200, 200],
        ),
        case(
            Method::GET,
            format!("/api/v1/dossiers/{theirs_id}"),
            None,
            [401, 200, 404, 404],
        ),
        case(
            Method::GET,
            format!("/api/v1/dossiers/{theirs_id}/events"),
            None,
            [401, 200, 404, 404],
        ),
        case(
            Method::GET,
            format!("/api/v1/dossiers/{theirs_id}/deadline"),
            None,
            [401, 200, 404, 404],
        ),
        case(
            Method::POST,
            format!("/api/v1/dossiers/{theirs_id}/events"),
            Some(|_, _| json!({"type": "request_fee"})),
            [401, 200, 404, 404],
        ),
        case(
            Method::GET,
            format!("/api/v1/public/dossiers/{mine_code}"),
            None,
            [200, 200, 200, 200],
        ),
        case(
            Method::GET,
            "/api/v1/calendar/days?from=2026-02-01&to=2026-02-28",
            None,
            anon_admin_manager_clerk_ok,
        ),
        case(
            Method::PUT,
            "/api/v1/calendar/exceptions/2031-01-02",
            Some(|_, _| json!({"kind": "holiday", "name": "Nghỉ bù"})),
            [401, 200, 403, 403],
        ),
        case(
            Method::DELETE,
            "/api/v1/calendar/exceptions/2031-01-02",
            None,
            [401, 200, 403, 403],
        ),
    ];
    let actors: [Option<&str>; 4] = [None, Some(&admin), Some(&manager), Some(&clerk)];
    let mut failures = Vec::new();
    for case in &cases {
        for (i, token) in actors.iter().enumerate() {
            let body = case.body.map(|b| b(&ids, i));
            let reply = send(&app, case.method.clone(), &case.path, *token, body).await;
            if reply.status.as_u16() != case.expect[i] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {} {}",
                    case.method,
                    case.path,
                    ["anonymous", "admin", "manager", "clerk"][i],
                    case.expect[i],
                    reply.status,
                    reply.text
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}

#[actix_web::test]
async fn lists_only_show_what_is_in_scope() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    let district = env.office("000.00.14.H56", "district", Some(&province));
    let commune = env.office("H56.14.01", "commune", Some(&district));
    let other = env.office("H56.15.01", "commune", Some(&province));
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&district));
    let (clerk_id, _) = env.user("an.clerk", Role::Clerk, Some(&commune));
    env.user("binh.clerk", Role::Clerk, Some(&other));
    env.user("lan.admin", Role::Admin, None);

    let list = get(&app, "/api/v1/users", Some(&manager)).await;
    assert_eq!(list.status, 200);
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["an.clerk", "hoa.manager"]);
    let filtered = get(
        &app,
        &format!("/api/v1/users?office_id={}", other.id),
        Some(&manager),
    )
    .await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 0);

    // A manager cannot move its clerk out of its subtree, nor promote it.
    for body in [json!({"office_id": other.id}), json!({"role": "manager"})] {
        let moved = patch(
            &app,
            &format!("/api/v1/users/{clerk_id}"),
            Some(&manager),
            body,
        )
        .await;
        assert_eq!(moved.status, 403, "{}", moved.text);
    }
    let clerk = get(&app, &format!("/api/v1/users/{clerk_id}"), Some(&manager)).await;
    assert_eq!(clerk.body["office_id"], commune.id.as_str());
    assert_eq!(clerk.body["role"], "clerk");
}
