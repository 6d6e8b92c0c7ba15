//! `Idempotency-Key` on receipts and steps: a retry after a lost answer gets the first
//! answer again and does nothing twice; a key sent with another request is refused.
//! (A retry across a `kill -9` between the commit and the answer is `.ci/durability.py`.)

mod common;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use common::*;
use diesel::prelude::*;
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::{json, Value};

fn request(path: &str, token: &str, key: &str, body: &Value) -> actix_http::Request {
    TestRequest::default()
        .method(Method::POST)
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("idempotency-key", key))
        .set_json(body)
        .to_request()
}

fn receipt(name: &str) -> Value {
    json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": name}})
}

fn stored_dossiers(env: &TestEnv) -> i64 {
    motcua::db::schema::dossiers::table
        .count()
        .get_result(&mut *env.conn())
        .unwrap()
}

fn replayed(r: &Reply) -> bool {
    r.headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

struct Desk {
    env: TestEnv,
    clerk: String,
    other_clerk: String,
}

fn desk() -> Desk {
    let env = TestEnv::new();
    env.birth_registration();
    let commune = env.office("H56.01", "commune", None);
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let (_, other_clerk) = env.user("binh.clerk", Role::Clerk, Some(&commune));
    Desk {
        env,
        clerk,
        other_clerk,
    }
}

#[actix_web::test]
async fn a_retried_receipt_gets_the_first_answer_and_files_nothing_twice() {
    let Desk {
        env,
        clerk,
        other_clerk,
    } = desk();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let key = "5b0e6f0c-6f0a-4d5e-9a53-0d0b7c1f2a11";
    let body = receipt("Nguyễn Văn An");

    let first = call(&app, request("/api/v1/dossiers", &clerk, key, &body)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!replayed(&first));
    // The answer was lost; the browser sends the same request again.
    let again = call(&app, request("/api/v1/dossiers", &clerk, key, &body)).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert!(replayed(&again));
    assert_eq!(again.body, first.body, "the first answer, whole");
    assert_eq!(stored_dossiers(&env), 1);

    // The same key with another request: refused, nothing filed.
    let other = call(
        &app,
        request("/api/v1/dossiers", &clerk, key, &receipt("Lê Thị Hoa")),
    )
    .await;
    assert_eq!(
        (other.status.as_u16(), other.code()),
        (409, "idempotency_conflict")
    );
    assert_eq!(stored_dossiers(&env), 1);

    // Keys are the account's own: another clerk's same key is another request.
    let theirs = call(&app, request("/api/v1/dossiers", &other_clerk, key, &body)).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    assert!(!replayed(&theirs));
    assert_ne!(theirs.body["id"], first.body["id"]);

    // Without a key every request files a dossier, as before.
    for _ in 0..2 {
        let r = post(&app, "/api/v1/dossiers", Some(&clerk), body.clone()).await;
        assert_eq!(r.status, 201);
    }
    assert_eq!(stored_dossiers(&env), 4);
}

#[actix_web::test]
async fn a_refused_request_stores_nothing_under_its_key() {
    let Desk { env, clerk, .. } = desk();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let key = "\"c0ffee00-0000-4000-8000-000000000001\"";
    let wrong = json!({"procedure_code": "1.000948", "channel": "in_person",
                       "applicant": {"name": "Trần Bình", "id_number": "12"}});
    let r = call(&app, request("/api/v1/dossiers", &clerk, key, &wrong)).await;
    assert_eq!(r.status, 422, "{}", r.text);
    // Corrected and sent again under the same key: filed.
    let r = call(
        &app,
        request("/api/v1/dossiers", &clerk, key, &receipt("Trần Bình")),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(!replayed(&r));
    // The quoted form (a structured-field string) and the bare one are the same key.
    let bare = key.trim_matches('"');
    let r = call(
        &app,
        request("/api/v1/dossiers", &clerk, bare, &receipt("Trần Bình")),
    )
    .await;
    assert!(r.status == 201 && replayed(&r), "{}", r.text);
    assert_eq!(stored_dossiers(&env), 1);

    for bad in ["", "\"\"", &"k".repeat(256), "có dấu", "a b"] {
        let r = call(
            &app,
            request("/api/v1/dossiers", &clerk, bad, &receipt("Trần Bình")),
        )
        .await;
        assert_eq!(r.status, 422, "{bad:?}: {}", r.text);
        assert_eq!(r.body["errors"][0]["field"], "Idempotency-Key", "{bad:?}");
    }
    assert_eq!(stored_dossiers(&env), 1);
}

#[actix_web::test]
async fn a_retried_step_is_answered_again_not_refused_as_a_second_step() {
    let Desk { env, clerk, .. } = desk();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&clerk),
        receipt("Phạm Văn Cường"),
    )
    .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/dossiers/{id}/events");
    let accept = json!({"type": "resolve", "outcome": "approved", "expected_version": 1});

    let first = call(&app, request(&path, &clerk, "step-1", &accept)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let again = call(&app, request(&path, &clerk, "step-1", &accept)).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);
    // Without the key the same step is a second one, refused by the lifecycle.
    let r = post(&app, &path, Some(&clerk), accept.clone()).await;
    assert_eq!(r.status, 409, "{}", r.text);

    let timeline = get(&app, &path, Some(&clerk)).await;
    let accepts = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "resolve")
        .count();
    assert_eq!(accepts, 1, "{}", timeline.text);

    // The key of a receipt cannot be spent on a step.
    let r = call(&app, request(&path, &clerk, "receipt-key", &receipt("x"))).await;
    assert_eq!(r.status, 422, "an event body is checked first: {}", r.text);
    let r = call(
        &app,
        request("/api/v1/dossiers", &clerk, "step-1", &receipt("x")),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (409, "idempotency_conflict"),
        "{}",
        r.text
    );
}

#[actix_web::test]
async fn two_requests_with_one_key_at_once_file_one_dossier() {
    let Desk { env, clerk, .. } = desk();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let body = receipt("Võ Thị Dung");
    for round in 0..5 {
        let key = format!("double-click-{round}");
        let (a, b) = futures_util::join!(
            call(&app, request("/api/v1/dossiers", &clerk, &key, &body)),
            call(&app, request("/api/v1/dossiers", &clerk, &key, &body)),
        );
        for r in [&a, &b] {
            assert!(
                r.status == 201 || (r.status == 409 && r.code() == "idempotency_key_in_use"),
                "{}",
                r.text
            );
        }
        assert!(a.status == 201 || b.status == 201);
        if a.status == 201 && b.status == 201 {
            assert_eq!(a.body["id"], b.body["id"]);
        }
        assert_eq!(stored_dossiers(&env), round + 1);
    }
}

#[test]
fn answers_are_kept_48_hours() {
    use motcua::db::idempotency::{self, StoredAnswer, KEPT};
    let env = TestEnv::new();
    let (user, _) = env.user("an.clerk", Role::Admin, None);
    let user = motcua::domain::ids::UserId::parse(&user).unwrap();
    let now = chrono::Utc::now().naive_utc();
    for (key, age) in [("old", 49), ("recent", 47)] {
        let answer = StoredAnswer {
            user_id: user.clone(),
            idempotency_key: key.to_owned(),
            fingerprint: "f".to_owned(),
            status: 201,
            body: "{}".to_owned(),
            created_at: now - chrono::Duration::hours(age),
        };
        idempotency::insert(&mut env.conn(), &answer).unwrap();
    }
    assert_eq!(
        idempotency::forget_before(&mut env.conn(), now - KEPT).unwrap(),
        1
    );
    assert!(idempotency::find(&mut env.conn(), &user, "old")
        .unwrap()
        .is_none());
    assert!(idempotency::find(&mut env.conn(), &user, "recent")
        .unwrap()
        .is_some());
}
