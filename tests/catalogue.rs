//! Offices and procedures through the API: the scenario from the issue, validation,
//! moves within the tree, pagination and filters.

mod common;

use actix_web::test;
use common::*;
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::json;

#[actix_web::test]
async fn admin_builds_a_province_and_clerks_stay_in_their_commune() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let admin = Some(admin.as_str());

    let province = post(
        &app,
        "/api/v1/offices",
        admin,
        json!({"code": "000.00.00.H56", "name": "Tỉnh Khánh Hòa", "level": "province"}),
    )
    .await;
    assert_eq!(province.status, 201, "{}", province.text);
    let province_id = province.body["id"].as_str().unwrap().to_owned();
    let mut communes = Vec::new();
    for code in ["H56.01", "H56.02"] {
        let commune = post(
            &app,
            "/api/v1/offices",
            admin,
            json!({"code": code, "name": format!("Xã {code}"), "level": "commune", "parent_id": province_id}),
        )
        .await;
        assert_eq!(commune.status, 201, "{}", commune.text);
        assert_eq!(commune.body["parent_id"], province_id.as_str());
        communes.push(commune.body["id"].as_str().unwrap().to_owned());
    }
    for (username, role) in [("an.clerk", "clerk"), ("hoa.manager", "manager")] {
        let user = post(
            &app,
            "/api/v1/users",
            admin,
            json!({"username": username, "password": PASSWORD, "full_name": "Nguyễn Văn An", "role": role, "office_id": communes[0]}),
        )
        .await;
        assert_eq!(user.status, 201, "{}", user.text);
    }
    let other_clerk = post(
        &app,
        "/api/v1/users",
        admin,
        json!({"username": "binh.clerk", "password": PASSWORD, "full_name": "Lê Bình", "role": "clerk", "office_id": communes[1]}),
    )
    .await;
    let procedure = post(
        &app,
        "/api/v1/procedures",
        admin,
        json!({"code": "1.000948", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
               "deadline": {"value": 3, "unit": "working_days"}, "online_level": "full", "fee": 0}),
    )
    .await;
    assert_eq!(procedure.status, 201, "{}", procedure.text);
    assert_eq!(
        procedure.body["deadline"],
        json!({"value": 3, "unit": "working_days"})
    );

    let login = post(
        &app,
        "/api/v1/auth/login",
        None,
        json!({"username": "an.clerk", "password": PASSWORD}),
    )
    .await;
    let clerk = login.body["access_token"].as_str().unwrap().to_owned();
    let clerk = Some(clerk.as_str());
    let other_id = other_clerk.body["id"].as_str().unwrap();
    assert_eq!(
        get(&app, &format!("/api/v1/users/{other_id}"), clerk)
            .await
            .status,
        404
    );
    let r = patch(
        &app,
        &format!("/api/v1/users/{other_id}"),
        clerk,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", communes[1]),
        clerk,
        json!({"name": "x"}),
    )
    .await;
    assert_eq!(r.status, 403);
    let other = get(&app, &format!("/api/v1/users/{other_id}"), admin).await;
    assert_eq!(other.body["disabled"], false, "nothing changed");
}

#[actix_web::test]
async fn bad_office_input_is_refused_and_changes_nothing() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let admin = Some(admin.as_str());
    let province = env.office("000.00.00.H56", "province", None);
    let district = env.office("000.00.14.H56", "district", Some(&province));
    let commune = env.office("H56.14.01", "commune", Some(&district));

    let cases = [
        (
            json!({"code": "h56-1", "name": "x", "level": "commune", "parent_id": province.id}),
            422,
            "validation_failed",
        ),
        (
            json!({"code": "H56.9", "name": "   ", "level": "commune", "parent_id": province.id}),
            422,
            "validation_failed",
        ),
        (
            json!({"code": "H56.9", "name": "a\u{0}b", "level": "commune", "parent_id": province.id}),
            422,
            "validation_failed",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "hamlet", "parent_id": province.id}),
            422,
            "validation_failed",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "commune"}),
            409,
            "invalid_placement",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "province", "parent_id": province.id}),
            409,
            "invalid_placement",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "district", "parent_id": district.id}),
            409,
            "invalid_placement",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "commune", "parent_id": commune.id}),
            409,
            "invalid_placement",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "commune", "parent_id": "01a20b43-0000-7000-8000-000000000000"}),
            404,
            "office_not_found",
        ),
        (
            json!({"code": "000.00.14.H56", "name": "x", "level": "commune", "parent_id": province.id}),
            409,
            "office_code_taken",
        ),
        (
            json!({"code": "H56.9", "name": "x", "level": "commune", "parent_id": province.id, "extra": 1}),
            422,
            "validation_failed",
        ),
        (
            json!({"code": 56, "name": "x", "level": "commune", "parent_id": province.id}),
            422,
            "validation_failed",
        ),
    ];
    for (body, status, code) in cases {
        let r = post(&app, "/api/v1/offices", admin, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, code),
            "{body}: {}",
            r.text
        );
    }
    // Cycles and level inversions on update.
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", district.id),
        admin,
        json!({"parent_id": commune.id}),
    )
    .await;
    assert_eq!(r.code(), "invalid_placement");
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", district.id),
        admin,
        json!({"level": "commune"}),
    )
    .await;
    assert_eq!(r.code(), "invalid_placement", "its child is a commune");
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", province.id),
        admin,
        json!({"parent_id": province.id}),
    )
    .await;
    assert_eq!(r.code(), "invalid_placement");
    let list = get(&app, "/api/v1/offices", admin).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        3,
        "nothing was created"
    );
    let d = get(&app, &format!("/api/v1/offices/{}", district.id), admin).await;
    assert_eq!(d.body["level"], "district");
    assert_eq!(d.body["parent_id"], province.id.as_str());
}

#[actix_web::test]
async fn moving_an_office_moves_its_subtree() {
    // Decree 118/2025: districts are gone, communes move directly under the province.
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let admin = Some(admin.as_str());
    let province = env.office("000.00.00.H56", "province", None);
    let district = env.office("000.00.14.H56", "district", Some(&province));
    let other_district = env.office("000.00.15.H56", "district", Some(&province));
    let commune = env.office("H56.14.01", "commune", Some(&district));
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&other_district));
    env.user("an.clerk", Role::Clerk, Some(&commune));

    let within = |id: &str| format!("/api/v1/offices?within={id}");
    assert_eq!(
        get(&app, &within(district.id.as_str()), admin).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", commune.id),
        admin,
        json!({"parent_id": other_district.id}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        get(&app, &within(district.id.as_str()), admin).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let moved = get(&app, &within(other_district.id.as_str()), admin).await;
    let codes: Vec<&str> = moved.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["000.00.15.H56", "H56.14.01"]);
    // The other district's manager now manages the commune's clerk.
    let users = get(&app, "/api/v1/users", Some(&manager)).await;
    assert!(users.text.contains("an.clerk"), "{}", users.text);
    // And a commune can sit directly under the province.
    let r = patch(
        &app,
        &format!("/api/v1/offices/{}", commune.id),
        admin,
        json!({"parent_id": province.id}),
    )
    .await;
    assert_eq!(r.status, 200);
    let users = get(&app, "/api/v1/users", Some(&manager)).await;
    assert!(!users.text.contains("an.clerk"));
}

#[actix_web::test]
async fn procedures_validate_filter_and_paginate() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let admin = Some(admin.as_str());
    let body = |code: &str, field: &str| {
        json!({"code": code, "name": format!("Thủ tục {code}"), "field": field,
               "deadline": {"value": 5, "unit": "working_days"}, "online_level": "partial"})
    };
    for (code, field) in [
        ("1.000948", "Hộ tịch"),
        ("1.000948.H38", "Hộ tịch"),
        ("2.000635", "Chứng thực"),
        ("1.001612", "Đất đai"),
        ("1.000001", "Hộ tịch"),
    ] {
        let r = post(&app, "/api/v1/procedures", admin, body(code, field)).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let bad = [
        json!({"code": "1.948", "name": "x", "field": "x", "deadline": {"value": 5, "unit": "working_days"}, "online_level": "none"}),
        json!({"code": "1.000949", "name": "x", "field": "x", "deadline": {"value": 0, "unit": "working_days"}, "online_level": "none"}),
        json!({"code": "1.000949", "name": "x", "field": "x", "deadline": {"value": 400, "unit": "calendar_days"}, "online_level": "none"}),
        json!({"code": "1.000949", "name": "x", "field": "x", "deadline": {"value": 5, "unit": "weeks"}, "online_level": "none"}),
        json!({"code": "1.000949", "name": "x", "field": "x", "deadline": {"value": 5, "unit": "working_days"}, "online_level": "4"}),
        json!({"code": "1.000949", "name": "x", "field": "x", "deadline": {"value": 5, "unit": "working_days"}, "online_level": "none", "fee": -1}),
        json!({"code": "1.000949", "name": "", "field": "x", "deadline": {"value": 5, "unit": "working_days"}, "online_level": "none"}),
    ];
    for b in bad {
        let r = post(&app, "/api/v1/procedures", admin, b.clone()).await;
        assert_eq!(r.status, 422, "{b}: {}", r.text);
        assert!(!r.body["errors"].as_array().unwrap().is_empty());
    }
    let dup = post(&app, "/api/v1/procedures", admin, body("2.000635", "x")).await;
    assert_eq!(
        (dup.status.as_u16(), dup.code()),
        (409, "procedure_code_taken")
    );

    let page1 = get(&app, "/api/v1/procedures?limit=2", admin).await;
    let codes = |r: &Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes(&page1), ["1.000001", "1.000948"]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = get(
        &app,
        &format!("/api/v1/procedures?limit=2&cursor={cursor}"),
        admin,
    )
    .await;
    assert_eq!(codes(&page2), ["1.000948.H38", "1.001612"]);
    let cursor = page2.body["next_cursor"].as_str().unwrap();
    let page3 = get(
        &app,
        &format!("/api/v1/procedures?limit=2&cursor={cursor}"),
        admin,
    )
    .await;
    assert_eq!(codes(&page3), ["2.000635"]);
    assert!(page3.body["next_cursor"].is_null());
    let hotich = get(
        &app,
        "/api/v1/procedures?field=H%E1%BB%99%20t%E1%BB%8Bch",
        admin,
    )
    .await;
    assert_eq!(codes(&hotich), ["1.000001", "1.000948", "1.000948.H38"]);
    let q = get(&app, "/api/v1/procedures?q=H38", admin).await;
    assert_eq!(codes(&q), ["1.000948.H38"]);
    assert_eq!(
        get(&app, "/api/v1/procedures?limit=0", admin).await.status,
        422
    );
    assert_eq!(
        get(&app, "/api/v1/procedures?limit=abc", admin)
            .await
            .status,
        422
    );

    // PATCH: a fee is set and removed again; absent fields stay.
    let id = page3.body["items"][0]["id"].as_str().unwrap().to_owned();
    let r = patch(
        &app,
        &format!("/api/v1/procedures/{id}"),
        admin,
        json!({"fee": 10000}),
    )
    .await;
    assert_eq!(r.body["fee"], 10000);
    let r = patch(
        &app,
        &format!("/api/v1/procedures/{id}"),
        admin,
        json!({"fee": null, "deadline": {"value": 8, "unit": "working_hours"}}),
    )
    .await;
    assert!(r.body["fee"].is_null());
    assert_eq!(
        r.body["deadline"],
        json!({"value": 8, "unit": "working_hours"})
    );
    assert_eq!(r.body["field"], "Chứng thực");
    let r = patch(
        &app,
        &format!("/api/v1/procedures/{id}"),
        admin,
        json!({"code": "1.000948"}),
    )
    .await;
    assert_eq!(r.code(), "procedure_code_taken");
    assert_eq!(
        get(&app, "/api/v1/procedures/not-a-uuid", admin)
            .await
            .code(),
        "procedure_not_found"
    );
}
