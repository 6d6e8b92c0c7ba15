//! Values read back from the database: a word the code does not know is an error that
//! names the row, never a default that passes for another status or role.

mod common;

use common::*;
use diesel::RunQueryDsl;
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::json;

#[actix_web::test]
async fn a_corrupt_row_is_an_error_naming_it_never_another_value() {
    let env = TestEnv::new();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let commune = env.office("H56.01", "commune", None);
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
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
    let id = r.body["id"].as_str().unwrap().to_owned();

    let plant = |sql: String| {
        diesel::sql_query(sql)
            .execute(&mut *env.conn())
            .expect("plant a value");
    };
    plant(format!(
        "UPDATE dossiers SET status = 'archived' WHERE id = '{id}'"
    ));
    for path in [
        format!("/api/v1/dossiers/{id}"),
        "/api/v1/dossiers".to_owned(),
    ] {
        let r = get(&app, &path, Some(&clerk)).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (500, "internal_error"),
            "{path}"
        );
        assert!(!r.text.contains("archived"), "no internals in the answer");
    }
    let dossier = motcua::domain::ids::DossierId::parse(&id).unwrap();
    let err = motcua::db::dossiers::find(&mut env.conn(), &dossier)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&id) && err.contains("archived"), "{err}");

    // The timeline's statuses are read the same way.
    plant(format!(
        "UPDATE dossiers SET status = 'received' WHERE id = '{id}'"
    ));
    assert_eq!(
        get(&app, &format!("/api/v1/dossiers/{id}"), Some(&clerk))
            .await
            .status,
        200
    );
    plant(format!(
        "UPDATE dossier_events SET to_status = 'archived' WHERE dossier_id = '{id}'"
    ));
    let r = get(&app, &format!("/api/v1/dossiers/{id}/events"), Some(&clerk)).await;
    assert_eq!((r.status.as_u16(), r.code()), (500, "internal_error"));
}
