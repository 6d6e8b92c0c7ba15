//! Searching dossiers with `q` (src/db/search.rs): a substring of the applicant's name,
//! accents, case, tone placement and Unicode form ignored, or of the code; the exact
//! code first, then newest; pages that neither repeat nor skip; scope as everywhere.
//! Every test runs on SQLite and, in CI, on PostgreSQL: the same answers on both.

mod common;

use actix_web::test;
use common::*;
use motcua::build_app;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use serde_json::{json, Value};

struct Desk {
    env: TestEnv,
    commune: OfficeRow,
    /// Its code holds the first commune's code: `99.H56.01`.
    lookalike: OfficeRow,
    clerk: String,
    lookalike_clerk: String,
    manager: String,
}

fn desk() -> Desk {
    let env = TestEnv::new();
    let province = env.office("000.00.00.H56", "province", None);
    let commune = env.office("H56.01", "commune", Some(&province));
    let lookalike = env.office("99.H56.01", "commune", Some(&province));
    env.birth_registration();
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let (_, lookalike_clerk) = env.user("binh.clerk", Role::Clerk, Some(&lookalike));
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&province));
    Desk {
        env,
        commune,
        lookalike,
        clerk,
        lookalike_clerk,
        manager,
    }
}

/// Receives a dossier for `name` at the clerk's office; its code.
async fn receive<S, B>(app: &S, clerk: &str, name: &str) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let body = json!({"procedure_code": "1.000948", "channel": "in_person",
                      "applicant": {"name": name, "phone": "0912345678"}});
    let r = post(app, "/api/v1/dossiers", Some(clerk), body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["code"].as_str().unwrap().to_owned()
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|i| i["applicant"]["name"].as_str().unwrap().to_owned())
        .collect()
}

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

fn query(q: &str) -> String {
    let mut url = String::from("/api/v1/dossiers?q=");
    url.extend(form_urlencoded(q));
    url
}

fn form_urlencoded(q: &str) -> impl Iterator<Item = String> + '_ {
    q.bytes().map(|b| match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
        _ => format!("%{b:02X}"),
    })
}

#[actix_web::test]
async fn names_match_without_accents_case_tone_placement_or_unicode_form() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let c = d.clerk.as_str();
    // "Hòa" with the tone on the o and "Hoà" with it on the a, the latter typed
    // decomposed (NFD), as some keyboards send it.
    for name in [
        "Nguyễn Văn A",
        "Lê Thị Hòa",
        "Trần Văn Ho\u{0061}\u{0300}",
        "Phạm Minh Tuấn",
    ] {
        receive(&app, c, name).await;
    }
    let found = |q: &'static str| {
        let app = &app;
        async move {
            let r = get(app, &query(q), Some(c)).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            let mut names = names(&r.body);
            names.sort();
            names
        }
    };
    assert_eq!(found("nguyen van a").await, ["Nguyễn Văn A"]);
    assert_eq!(found("NGUYỄN VĂN").await, ["Nguyễn Văn A"]);
    let both = ["Lê Thị Hòa", "Trần Văn Hoà"];
    assert_eq!(found("HOA").await, both);
    assert_eq!(found("hòa").await, both, "tone on the o");
    assert_eq!(found("hoà").await, both, "tone on the a");
    assert_eq!(found("ho\u{0300}a").await, both, "decomposed");
    assert_eq!(found("Văn").await, ["Nguyễn Văn A", "Trần Văn Hoà"]);
    // A substring anywhere, across the space between words.
    assert_eq!(found("en va").await, ["Nguyễn Văn A"]);
    assert_eq!(found("uan").await, ["Phạm Minh Tuấn"]);
    assert!(found("xuan").await.is_empty());
    // Stored composed, shown as typed but composed.
    let r = get(&app, &query("tran van"), Some(c)).await;
    assert_eq!(names(&r.body), ["Trần Văn Hoà"]);
}

#[actix_web::test]
async fn one_or_two_characters_are_refused_with_a_reason() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    receive(&app, &d.clerk, "Lý A").await;
    for q in ["a", "ly", " ly ", "Lý", "l\u{0301}y"] {
        let r = get(&app, &query(q), Some(&d.clerk)).await;
        assert_eq!(r.status, 422, "{q:?}: {}", r.text);
        assert_eq!(r.body["errors"][0]["field"], "q", "{}", r.text);
        assert!(r.text.contains("at least 3 characters"), "{}", r.text);
    }
    let r = get(&app, &query("ly a"), Some(&d.clerk)).await;
    assert_eq!(names(&r.body), ["Lý A"]);
}

#[actix_web::test]
async fn the_exact_code_comes_first_then_the_newest() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let m = Some(d.manager.as_str());
    let first = receive(&app, &d.clerk, "Nguyễn Văn A").await;
    // Newer, and its code holds the first one's: `99.H56.01-…-0001`.
    let lookalike = receive(&app, &d.lookalike_clerk, "Trần Thị B").await;
    assert!(lookalike.contains(&first), "{lookalike} holds {first}");

    let exact = get(&app, &query(&first), m).await;
    assert_eq!(codes(&exact.body), [first.clone(), lookalike.clone()]);
    let lower = get(&app, &query(&first.to_lowercase()), m).await;
    assert_eq!(codes(&lower.body), [first.clone(), lookalike.clone()]);
    // A fragment is no code: newest first.
    let fragment = &first[..first.len() - 2];
    let r = get(&app, &query(fragment), m).await;
    assert_eq!(codes(&r.body), [lookalike.clone(), first.clone()]);
    // Page by page, the exact code is not repeated.
    let page = get(&app, &format!("{}&limit=1", query(&first)), m).await;
    assert_eq!(codes(&page.body), [first.as_str()]);
    let next = page.body["next_cursor"].as_str().unwrap();
    let page = get(&app, &format!("{}&limit=1&cursor={next}", query(&first)), m).await;
    assert_eq!(codes(&page.body), [lookalike.as_str()]);
    assert!(page.body["next_cursor"].is_null(), "{}", page.text);
    // The exact code outside the caller's scope is not shown, first or at all.
    let r = get(&app, &query(&first), Some(&d.lookalike_clerk)).await;
    assert_eq!(codes(&r.body), [lookalike]);
    // The other filters apply to it as to the rest.
    let r = get(&app, &format!("{}&status=processing", query(&first)), m).await;
    assert!(codes(&r.body).is_empty(), "{}", r.text);
}

#[actix_web::test]
async fn pages_of_a_search_neither_repeat_nor_skip() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let mut received = Vec::new();
    for n in 0..7 {
        received.push(receive(&app, &d.clerk, &format!("Lê Thị Hoa {}", n + 1)).await);
        receive(&app, &d.clerk, "Phạm Minh Tuấn").await;
    }
    received.reverse();
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}&limit=3", query("thi hoa"));
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let r = get(&app, &url, Some(&d.clerk)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(codes(&r.body).len() <= 3);
        listed.extend(codes(&r.body));
        match r.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(listed, received, "newest first, each once");
}

#[actix_web::test]
async fn a_search_stays_within_the_callers_scope() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    receive(&app, &d.clerk, "Nguyễn Văn A").await;
    receive(&app, &d.lookalike_clerk, "Nguyễn Văn B").await;
    let r = get(&app, &query("nguyen van"), Some(&d.clerk)).await;
    assert_eq!(names(&r.body), ["Nguyễn Văn A"]);
    let r = get(&app, &query("nguyen van"), Some(&d.manager)).await;
    assert_eq!(names(&r.body), ["Nguyễn Văn B", "Nguyễn Văn A"]);
    let within = format!("{}&within={}", query("nguyen van"), d.lookalike.id);
    let r = get(&app, &within, Some(&d.manager)).await;
    assert_eq!(names(&r.body), ["Nguyễn Văn B"]);
    let r = get(
        &app,
        &format!("{}&office_id={}", query("van"), d.commune.id),
        Some(&d.manager),
    )
    .await;
    assert_eq!(names(&r.body), ["Nguyễn Văn A"]);
}

#[actix_web::test]
async fn dossiers_from_before_the_index_are_found_once_it_is_built() {
    let d = desk();
    let app = test::init_service(build_app(d.env.state.clone())).await;
    let code = receive(&app, &d.clerk, "Đặng Thị Ỷ").await;
    let mut conn = d.env.conn();
    motcua::db::revert_migrations_after(&mut conn, "20261202000017").unwrap();
    motcua::db::run_migrations(&mut conn).unwrap();
    drop(conn);
    let r = get(&app, &query("dang thi y"), Some(&d.clerk)).await;
    assert_eq!(codes(&r.body), [code.as_str()]);
    // And the index follows new dossiers as before.
    let newer = receive(&app, &d.clerk, "Đặng Thị Yến").await;
    let r = get(&app, &query("dang thi y"), Some(&d.clerk)).await;
    assert_eq!(codes(&r.body), [newer, code]);
}
