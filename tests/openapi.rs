//! The committed OpenAPI document must match the one generated from the code, and the
//! routes the one it describes.

mod common;

#[test]
fn committed_openapi_document_is_current() {
    let generated = motcua::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api-docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "api-docs/openapi.json is stale; regenerate it with:\n    cargo run -- openapi > api-docs/openapi.json"
    );
}

#[test]
fn every_operation_documents_its_errors_as_problem_json() {
    let doc: serde_json::Value = serde_json::from_str(&motcua::openapi_json()).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{method} {path} {status} is not documented as problem+json"
                    );
                }
            }
            let secured = operation.get("security").is_some();
            if path.starts_with("/api/v1/")
                && !path.ends_with("/auth/login")
                && !path.starts_with("/api/v1/public/")
            {
                assert!(secured, "{method} {path} should declare bearer security");
                assert!(
                    operation["responses"].get("401").is_some(),
                    "{method} {path} lacks 401"
                );
            }
        }
    }
    assert!(operations >= 18, "only {operations} operations documented");
}

/// The routes the API registers: each `resource(path, "GET, POST")` in `src/api`
/// (under `/api/v1` but for the operational endpoints), with its methods.
fn registered_routes() -> std::collections::BTreeSet<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api"),
        &mut files,
    );
    let mut routes = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let prefix = if file.ends_with("ops.rs") {
            ""
        } else {
            "/api/v1"
        };
        for call in text.split("resource(\"").skip(1) {
            let mut quoted = call.split('"');
            let (path, methods) = (quoted.next().unwrap(), quoted.nth(1).unwrap());
            for method in methods.split(',') {
                routes.insert((format!("{prefix}{path}"), method.trim().to_lowercase()));
            }
        }
    }
    routes
}

#[test]
fn every_route_is_documented_and_every_operation_routed() {
    let doc: serde_json::Value = serde_json::from_str(&motcua::openapi_json()).unwrap();
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    let routed = registered_routes();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented operations without a route: {unrouted:?}"
    );
}

/// What the source says is also what the server does: each documented operation
/// reaches a handler (whatever it answers), not "no such endpoint" nor 405.
#[actix_web::test]
async fn every_documented_operation_reaches_a_handler() {
    // Without a token `/metrics` is deliberately not served on the API's address.
    let env = common::TestEnv::with_config(|c| {
        c.metrics_token = Some("metrics-token-metrics-token-metrics!".to_owned())
    });
    let state = env.state.clone();
    let app = actix_web::test::init_service(motcua::build_app(state)).await;
    let doc: serde_json::Value = serde_json::from_str(&motcua::openapi_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{date}", "2026-03-02")
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let method =
                actix_web::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let req = actix_web::test::TestRequest::default()
                .method(method.clone())
                .uri(&concrete)
                .set_json(serde_json::json!({}))
                .to_request();
            let response = actix_web::test::call_service(&app, req).await;
            let status = response.status().as_u16();
            let body = actix_web::test::read_body(response).await;
            let code = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default()
                ["code"]
                .clone();
            assert!(
                status != 405 && code != "route_not_found",
                "{method} {concrete}: {status} {code}"
            );
        }
    }
}
