//! The committed OpenAPI document must match the one generated from the code.

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
