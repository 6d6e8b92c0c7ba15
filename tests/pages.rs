//! The web pages the binary serves: every file the kiosk's Service Worker caches is
//! there, under a policy that lets only the page's own files run.

mod common;

use actix_web::http::header;
use actix_web::test;
use common::*;
use motcua::build_app;

/// The files `sw.js` lists in its app shell, relative to `/kiosk/`.
fn shell(sw: &str) -> Vec<String> {
    let list = sw
        .split("const SHELL = [")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("sw.js lists its shell");
    list.split(',')
        .map(|item| item.trim().trim_matches('"').to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

#[actix_web::test]
async fn the_kiosk_app_and_its_whole_shell_are_served() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;

    let page = get(&app, "/kiosk/", None).await;
    assert_eq!(page.status, 200);
    assert!(page
        .headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let policy = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'self';") && policy.contains("style-src 'self';"));
    assert!(!policy.contains("unsafe"), "{policy}");
    assert!(
        !page.text.contains("<script>") && !page.text.contains(" style="),
        "no inline script or style"
    );
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");

    let sw = get(&app, "/kiosk/sw.js", None).await;
    assert_eq!(sw.status, 200);
    let version = motcua::pages::app_version();
    assert!(sw.text.contains(&format!("\"{version}\"")), "{}", sw.text);
    let files = shell(&sw.text);
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let r = get(
            &app,
            &format!("/kiosk/{}", file.trim_start_matches("./")),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{file}");
        assert!(
            !r.text.contains("@VERSION@"),
            "{file} has its version filled in"
        );
    }
}

#[actix_web::test]
async fn a_file_is_revalidated_by_its_etag_and_unknown_files_are_not_found() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let first = get(&app, "/kiosk/app.js", None).await;
    let etag = first.headers.get(header::ETAG).unwrap().clone();
    let again = call(
        &app,
        test::TestRequest::get()
            .uri("/kiosk/app.js")
            .insert_header((header::IF_NONE_MATCH, etag))
            .to_request(),
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());

    for path in [
        "/kiosk/nothing.js",
        "/kiosk/../Cargo.toml",
        "/kiosk/%2e%2e/Cargo.toml",
    ] {
        assert_eq!(get(&app, path, None).await.status, 404, "{path}");
    }
    let bare = get(&app, "/kiosk", None).await;
    assert_eq!(bare.status, 308);
    assert_eq!(bare.headers.get(header::LOCATION).unwrap(), "/kiosk/");
}

#[actix_web::test]
async fn the_desk_app_answers_its_own_paths_with_its_page_and_serves_every_file() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let index = get(&app, "/app/", None).await;
    assert_eq!(index.status, 200);
    assert!(
        index.text.contains(r#"src="/app/main.js""#),
        "{}",
        index.text
    );
    for path in [
        "/app/receive",
        "/app/dashboard?office=x&period=quarter",
        "/app/dossiers/019a4582-ea98-72f6-9bc7-a0d8d817ef90",
        "/app/receipt/019a4582-ea98-72f6-9bc7-a0d8d817ef90",
        "/app/lookup",
    ] {
        let page = get(&app, path, None).await;
        assert_eq!(
            (page.status.as_u16(), &page.text),
            (200, &index.text),
            "{path}"
        );
        let policy = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap();
        assert!(!policy.to_str().unwrap().contains("unsafe"), "{path}");
    }
    assert!(
        !index.text.contains("<script>") && !index.text.contains(" style="),
        "no inline script or style"
    );
    // Every file of web/ is embedded: one left out of the list would be a 404 in use.
    for app_dir in ["app", "kiosk"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("web")
            .join(app_dir);
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let r = get(&app, &format!("/{app_dir}/{name}"), None).await;
            assert_eq!(r.status, 200, "{app_dir}/{name}");
        }
    }
    assert_eq!(get(&app, "/app/nothing.js", None).await.status, 404);
    let bare = get(&app, "/app", None).await;
    assert_eq!(bare.status, 308);
    assert_eq!(bare.headers.get(header::LOCATION).unwrap(), "/app/");
}
