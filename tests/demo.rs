//! `motcua seed-demo`: a believable province whose dashboards add up, the same data
//! for the same seed.

mod common;

use chrono::NaiveDate;
use common::*;
use diesel::prelude::*;
use motcua::build_app;
use motcua::demo::{seed, SeedOptions};

fn options(seed: u64) -> SeedOptions {
    SeedOptions {
        dossiers: 3_000,
        months: 2,
        seed,
        until: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        password: "Motcua-Demo-2026".to_owned(),
    }
}

/// (code, status, due date, verdict) of every dossier, in code order.
fn fingerprint(env: &TestEnv) -> Vec<(String, String, Option<NaiveDate>, Option<String>)> {
    use motcua::db::schema::dossiers::dsl as d;
    d::dossiers
        .select((d::code, d::status, d::due_date, d::verdict))
        .order(d::code)
        .load(&mut env.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_seeded_province_shows_on_the_dashboards_and_recounts_clean() {
    let env = TestEnv::new();
    let report = seed(&env.state.pool, &options(7)).unwrap();
    assert_eq!(report.dossiers, 3_000);
    assert_eq!(report.offices, 101);
    assert!(report.votes > 500, "{report:?}");
    assert_eq!(
        motcua::db::stats::recount(&mut env.conn(), false)
            .unwrap()
            .rows_differing,
        0
    );
    // Seeding again is refused: it only fills an empty database.
    assert!(seed(&env.state.pool, &options(7)).is_err());

    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let login = post(
        &app,
        "/api/v1/auth/login",
        None,
        serde_json::json!({"username": "quanly.000.00.00.h56", "password": "Motcua-Demo-2026"}),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    let province = motcua::db::offices::find_by_code(&mut env.conn(), "000.00.00.H56")
        .unwrap()
        .unwrap();
    let r = get(
        &app,
        &format!(
            "/api/v1/stats/on-time?office_id={}&from=2026-09-20&to=2026-11-20&group_by=office",
            province.id
        ),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let total = &r.body["total"];
    assert_eq!(total["received"], 3_000);
    let districts = r.body["groups"].as_array().unwrap();
    assert!(districts.len() >= 8, "{}", r.text);
    assert!(districts[..8]
        .iter()
        .all(|d| d["received"].as_i64() > Some(0)));
    // Among the dossiers due in the period, 97-99.5 % were met.
    let due = total["on_time_rate_due"]["value"].as_f64().unwrap();
    assert!((0.96..=0.996).contains(&due), "{}", r.text);
    assert!(total["withdrawn"].as_i64() > Some(0) && total["rescheduled"].as_i64() > Some(0));
    assert!(total["pending_in_time"].as_i64() > Some(0), "{}", r.text);

    // The search index was built after the load: the newest dossier is found by its
    // code, and by its applicant's name (folded) among the dossiers that share it.
    let (id, code, name): (String, String, String) = {
        use motcua::db::schema::dossiers::dsl as d;
        d::dossiers
            .select((d::id, d::code, d::applicant_name_folded))
            .order(d::id.desc())
            .first(&mut env.conn())
            .unwrap()
    };
    let r = get(&app, &format!("/api/v1/dossiers?q={code}"), Some(&token)).await;
    assert_eq!(r.body["items"][0]["id"], id.as_str(), "{}", r.text);
    let q = name.replace(' ', "%20");
    let r = get(&app, &format!("/api/v1/dossiers?q={q}"), Some(&token)).await;
    assert_eq!(r.body["items"][0]["id"], id.as_str(), "{}", r.text);

    let r = get(
        &app,
        &format!(
            "/api/v1/stats/satisfaction?office_id={}&from=2026-09-20&to=2026-11-20",
            province.id
        ),
        Some(&token),
    )
    .await;
    assert!(
        r.body["total"]["satisfaction_rate"]["value"].as_f64() > Some(0.99),
        "{}",
        r.text
    );
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let (a, b, c) = (TestEnv::new(), TestEnv::new(), TestEnv::new());
    seed(&a.state.pool, &options(3)).unwrap();
    seed(&b.state.pool, &options(3)).unwrap();
    seed(&c.state.pool, &options(4)).unwrap();
    let first = fingerprint(&a);
    assert_eq!(first.len(), 3_000);
    assert_eq!(first, fingerprint(&b));
    assert_ne!(first, fingerprint(&c));
}
