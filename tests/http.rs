//! Protocol-level behaviour: problem+json for every error, limits, operations endpoints.

mod common;

use actix_web::http::header;
use actix_web::test;
use common::*;
use motcua::build_app;
use motcua::domain::account::Role;

#[actix_web::test]
async fn malformed_requests_get_problem_responses() {
    let env = TestEnv::with_config(|c| c.max_body_bytes = 1024);
    let app = test::init_service(build_app(env.state.clone())).await;
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let auth = (header::AUTHORIZATION, format!("Bearer {admin}"));

    let raw = |body: &str, content_type: &str| {
        test::TestRequest::post()
            .uri("/api/v1/offices")
            .insert_header(auth.clone())
            .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
            .set_payload(body.to_owned())
            .to_request()
    };
    let r = call(&app, raw("{\"code\": ", "application/json")).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "malformed_json"));
    let r = call(
        &app,
        raw(
            "{\"code\": 1, \"name\": \"x\", \"level\": \"province\"}",
            "application/json",
        ),
    )
    .await;
    assert_eq!((r.status.as_u16(), r.code()), (422, "validation_failed"));
    let r = call(&app, raw("code=1", "application/x-www-form-urlencoded")).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (415, "unsupported_media_type")
    );
    let big = format!("{{\"code\": \"{}\"}}", "x".repeat(2000));
    let r = call(&app, raw(&big, "application/json")).await;
    assert_eq!((r.status.as_u16(), r.code()), (413, "payload_too_large"));

    let r = get(&app, "/api/v1/nothing-here", Some(&admin)).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "route_not_found"));
    let r = call(
        &app,
        test::TestRequest::delete()
            .uri("/api/v1/offices")
            .to_request(),
    )
    .await;
    assert_eq!((r.status.as_u16(), r.code()), (405, "method_not_allowed"));
    assert_eq!(r.headers.get(header::ALLOW).unwrap(), "GET, POST");
    let r = get(&app, "/api/v1/offices?limit=1000", Some(&admin)).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["field"], "limit");
    let r = get(&app, "/api/v1/offices?q=a%00b", Some(&admin)).await;
    assert_eq!(r.status, 422, "control characters never reach the database");
}

#[actix_web::test]
async fn operations_endpoints() {
    const METRICS_TOKEN: &str = "metrics-token-metrics-token-metrics!";
    let env = TestEnv::with_config(|c| c.metrics_token = Some(METRICS_TOKEN.to_owned()));
    let app = test::init_service(build_app(env.state.clone())).await;
    let health = get(&app, "/health", None).await;
    assert_eq!(health.body["status"], "ok");
    assert!(health.headers.get("x-request-id").is_some());
    let ready = get(&app, "/ready", None).await;
    assert_eq!(ready.body["status"], "ready");
    let expected = if env.db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready.body["database"], expected);
    get(&app, "/api/v1/me", None).await;
    // Login counts are not for anyone to read: a token, and not a staff member's.
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    for token in [None, Some(admin.as_str())] {
        let r = get(&app, "/metrics", token).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (401, "metrics_token_required")
        );
    }
    let metrics = get(&app, "/metrics", Some(METRICS_TOKEN)).await;
    assert!(
        metrics.text.contains(
            "motcua_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1"
        ),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("motcua_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",le=\"+Inf\"} 1"));
    assert!(metrics.text.contains("motcua_db_pool_max_connections 4"));
    let openapi = get(&app, "/openapi.json", None).await;
    assert_eq!(openapi.body["info"]["title"], "motcua");
    let docs = call(&app, test::TestRequest::get().uri("/docs/").to_request()).await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.text.contains("swagger"),
        "the interactive page is served"
    );
}

#[actix_web::test]
async fn a_given_request_id_is_echoed() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let req = test::TestRequest::get()
        .uri("/health")
        .insert_header(("x-request-id", "desk-42-abc"))
        .to_request();
    let r = call(&app, req).await;
    assert_eq!(r.headers.get("x-request-id").unwrap(), "desk-42-abc");
}

/// With one report admitted at a time, concurrent dashboards queue and all answer,
/// and a report that fails gives its turn back.
#[actix_web::test]
async fn reports_wait_their_turn_and_all_answer() {
    let env = TestEnv::with_config(|c| c.report_concurrency = 1);
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let missing = uuid::Uuid::now_v7();
    let mut paths = vec![format!(
        "/api/v1/stats/on-time?office_id={missing}&from=2026-01-01&to=2026-03-31"
    )];
    for _ in 0..3 {
        paths.extend([
            format!(
                "/api/v1/stats/on-time?office_id={}&from=2026-01-01&to=2026-03-31&group_by=field",
                province.id
            ),
            format!(
                "/api/v1/stats/satisfaction?office_id={}&from=2026-01-01&to=2026-03-31",
                province.id
            ),
            format!("/api/v1/worklists/overdue?office_id={}", province.id),
        ]);
    }
    let replies = futures_util::future::join_all(paths.iter().map(|p| get(&app, p, Some(&admin))));
    let replies = actix_web::rt::time::timeout(std::time::Duration::from_secs(30), replies)
        .await
        .expect("every queued report is answered");
    assert_eq!(replies[0].status, 404, "{:?}", replies[0].body);
    for (path, reply) in paths.iter().zip(&replies).skip(1) {
        assert_eq!(reply.status, 200, "{path}: {:?}", reply.body);
    }
    let after = get(&app, &paths[1], Some(&admin)).await;
    assert_eq!(after.status, 200, "the gate is free again");
}
