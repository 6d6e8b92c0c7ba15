//! Login, logout, rate limits and token tampering.

mod common;

use std::time::Duration;

use actix_web::test;
use base64::Engine as _;
use common::*;
use jsonwebtoken::{encode, EncodingKey, Header};
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::json;

fn login_body(username: &str, password: &str) -> serde_json::Value {
    json!({ "username": username, "password": password })
}

#[actix_web::test]
async fn login_me_and_logout() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    env.user("lan.admin", Role::Admin, None);
    env.user("hoa.manager", Role::Manager, Some(&province));

    let wrong = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("lan.admin", "wrong-password"),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.code(), "invalid_credentials");
    let unknown = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("nobody", PASSWORD),
    )
    .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(
        unknown.code(),
        "invalid_credentials",
        "unknown users look like wrong passwords"
    );

    let ok = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("Hoa.Manager", PASSWORD),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["token_type"], "Bearer");
    assert_eq!(ok.body["expires_in"], 3600);
    assert_eq!(ok.body["user"]["role"], "manager");
    assert!(ok.body["user"].get("password_hash").is_none());
    let token = ok.body["access_token"].as_str().unwrap().to_owned();

    let me = get(&app, "/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["user"]["username"], "hoa.manager");
    assert_eq!(me.body["office"]["code"], "000.00.00.H56");

    let out = post(&app, "/api/v1/auth/logout", Some(&token), json!({})).await;
    assert_eq!(out.status, 204);
    let after = get(&app, "/api/v1/me", Some(&token)).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.code(), "token_revoked");
    // The reads that look the token's holder up on their own connection refuse it too.
    for path in [
        "/api/v1/dossiers",
        "/api/v1/dossiers/000.00.00.H56-261205-0001",
        "/api/v1/stats/on-time",
        "/api/v1/worklists/overdue",
    ] {
        let read = get(&app, path, Some(&token)).await;
        assert_eq!(read.status, 401, "{path}");
        assert_eq!(read.code(), "token_revoked", "{path}");
    }
    assert_eq!(get(&app, "/api/v1/me", None).await.code(), "missing_token");
}

#[actix_web::test]
async fn login_is_rate_limited_per_account_and_per_ip() {
    let env = TestEnv::with_config(|c| {
        c.login_limit_per_account = 3;
        c.login_limit_per_ip = 5;
    });
    let app = test::init_service(build_app(env.state.clone())).await;
    env.user("lan.admin", Role::Admin, None);

    for _ in 0..3 {
        let r = post(
            &app,
            "/api/v1/auth/login",
            None,
            login_body("lan.admin", "wrong-password"),
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let limited = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("lan.admin", PASSWORD),
    )
    .await;
    assert_eq!(
        limited.status, 429,
        "even the right password waits: {}",
        limited.text
    );
    assert_eq!(limited.code(), "rate_limited");
    assert!(limited.headers.get("retry-after").is_some());

    // Every attempt counts for the address (4 so far, limit 5): one more, then the IP limit.
    let r = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("someone.else", "wrong-password"),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("third.user", "wrong-password"),
    )
    .await;
    assert_eq!(r.status, 429);
}

#[actix_web::test]
async fn disabling_an_account_and_changing_a_password_revoke_tokens() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (clerk_id, clerk) = env.user("an.clerk", Role::Clerk, Some(&province));
    let (manager_id, manager) = env.user("hoa.manager", Role::Manager, Some(&province));

    assert_eq!(get(&app, "/api/v1/me", Some(&clerk)).await.status, 200);
    let r = patch(
        &app,
        &format!("/api/v1/users/{clerk_id}"),
        Some(&admin),
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        get(&app, "/api/v1/me", Some(&clerk)).await.code(),
        "account_disabled"
    );
    let relogin = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("an.clerk", PASSWORD),
    )
    .await;
    assert_eq!(relogin.status, 401);
    assert_eq!(relogin.code(), "account_disabled");

    // Token iat has whole seconds: change the password in a later second.
    std::thread::sleep(Duration::from_millis(1100));
    let r = patch(
        &app,
        &format!("/api/v1/users/{manager_id}"),
        Some(&admin),
        json!({"password": "Một-cửa-mới-2027"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        get(&app, "/api/v1/me", Some(&manager)).await.code(),
        "token_revoked"
    );
    let relogin = post(
        &app,
        "/api/v1/auth/login",
        None,
        login_body("hoa.manager", "Một-cửa-mới-2027"),
    )
    .await;
    assert_eq!(relogin.status, 200);
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    exp: i64,
    iat: i64,
    jti: &'a str,
    typ: &'a str,
}

#[actix_web::test]
async fn tampered_tokens_are_refused() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let (admin_id, good) = env.user("lan.admin", Role::Admin, None);
    assert_eq!(get(&app, "/api/v1/me", Some(&good)).await.status, 200);

    let now = chrono::Utc::now().timestamp();
    let secret = match &env.state.config.jwt_secret {
        motcua::config::JwtSecretSource::Value(v) => v.clone(),
        _ => unreachable!("tests use a fixed key"),
    };
    let valid = Claims {
        iss: "motcua",
        aud: "motcua-api",
        sub: &admin_id,
        exp: now + 600,
        iat: now,
        jti: "7b1e5f0c-0000-4000-8000-000000000001",
        typ: "access",
    };
    let sign = |claims: &Claims, key: &str| {
        encode(
            &Header::default(),
            claims,
            &EncodingKey::from_secret(key.as_bytes()),
        )
        .unwrap()
    };
    // Sanity: our own forgery with the right key and claims is accepted.
    assert_eq!(
        get(&app, "/api/v1/me", Some(&sign(&valid, &secret)))
            .await
            .status,
        200
    );

    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let alg_none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(serde_json::to_value(&valid).unwrap())
    );
    let good_parts: Vec<&str> = good.split('.').collect();
    let mut payload: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(good_parts[1])
            .unwrap(),
    )
    .unwrap();
    payload["sub"] = json!("01a20b43-0000-7000-8000-000000000000");
    let edited_payload = format!("{}.{}.{}", good_parts[0], b64(payload), good_parts[2]);

    let cases: Vec<(&str, String)> = vec![
        ("alg none", alg_none),
        (
            "wrong key",
            sign(&valid, "another-secret-another-secret-another"),
        ),
        (
            "expired",
            sign(
                &Claims {
                    exp: now - 3600,
                    iat: now - 7200,
                    ..valid
                },
                &secret,
            ),
        ),
        (
            "wrong audience",
            sign(
                &Claims {
                    aud: "someone-else",
                    ..valid
                },
                &secret,
            ),
        ),
        (
            "wrong issuer",
            sign(
                &Claims {
                    iss: "evil",
                    ..valid
                },
                &secret,
            ),
        ),
        (
            "wrong typ",
            sign(
                &Claims {
                    typ: "refresh",
                    ..valid
                },
                &secret,
            ),
        ),
        (
            "issued in the future",
            sign(
                &Claims {
                    iat: now + 3600,
                    exp: now + 7200,
                    ..valid
                },
                &secret,
            ),
        ),
        ("edited payload", edited_payload),
        ("garbage", "not.a.token".to_owned()),
        (
            "kiosk token",
            "mck_0123456789abcdef0123456789abcdef".to_owned(),
        ),
    ];
    for (name, token) in cases {
        let r = get(&app, "/api/v1/me", Some(&token)).await;
        assert_eq!(r.status, 401, "{name}: {}", r.text);
    }
    let expired = get(
        &app,
        "/api/v1/me",
        Some(&sign(
            &Claims {
                exp: now - 3600,
                iat: now - 7200,
                ..valid
            },
            &secret,
        )),
    )
    .await;
    assert_eq!(expired.code(), "token_expired");

    // A revoked jti stays revoked.
    let revoked = sign(
        &Claims {
            jti: "7b1e5f0c-0000-4000-8000-000000000002",
            ..valid
        },
        &secret,
    );
    assert_eq!(
        post(&app, "/api/v1/auth/logout", Some(&revoked), json!({}))
            .await
            .status,
        204
    );
    assert_eq!(
        get(&app, "/api/v1/me", Some(&revoked)).await.code(),
        "token_revoked"
    );
    assert_eq!(
        get(&app, "/api/v1/me", Some(&good)).await.status,
        200,
        "other tokens still work"
    );
}
