//! `motcua recount` tells cron and monitoring whether the counters were right: exit
//! status 0 when all agreed, 3 when it found (and repaired) differences.

mod common;

use common::*;
use diesel::RunQueryDsl;
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::json;

fn recount(db: &TestDb) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("recount")
        .env("DATABASE_URL", &db.url)
        .env("MOTCUA_JWT_SECRET", "test-secret-test-secret-test-secret!")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run motcua recount");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[actix_web::test]
async fn recount_exits_3_after_repairing_and_0_when_all_agree() {
    let env = TestEnv::new();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let commune = env.office("H56.01", "commune", None);
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let r = post(
        &app,
        "/api/v1/procedures",
        Some(&admin),
        json!({"code": "1.000948", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
               "deadline": {"value": 3, "unit": "working_days"}, "online_level": "full"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&clerk),
        json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": "Nguyễn Văn A"}}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    motcua::service::stats_folder::fold_once(&env.state.pool).unwrap();
    let (code, out) = recount(&env.db);
    assert_eq!(code, Some(0), "{out}");
    // Counters gone wrong (a bad restore, a manual edit): found, repaired, and said so.
    diesel::sql_query("UPDATE stats_rollups SET received_in_person = received_in_person + 5")
        .execute(&mut *env.conn())
        .unwrap();
    let (code, out) = recount(&env.db);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("repaired"), "{out}");
    let (code, out) = recount(&env.db);
    assert_eq!(code, Some(0), "{out}");
}
