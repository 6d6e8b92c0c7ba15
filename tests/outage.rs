//! When the database cannot serve (a lost connection, a full disk), requests answer
//! 503 with `Retry-After`, nothing half-done is kept, and the service heals by itself
//! once the database is back: no restart.
//!
//! Each database fails in its own ways, so each test makes the failure its database
//! can have here: PostgreSQL loses its connections (`pg_terminate_backend`), SQLite
//! runs out of room (`max_page_count`). A stopped and restarted PostgreSQL server is
//! `scripts/outage-test`, which CI runs.

mod common;

use actix_web::ResponseError;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use motcua::build_app;
use motcua::domain::account::Role;
use serde_json::json;

/// Birth registration in the catalogue and a clerk at a commune; returns the clerk's
/// token.
fn catalogue_and_clerk(env: &TestEnv) -> String {
    env.birth_registration();
    let commune = env.office("H56.01", "commune", None);
    env.user("an.clerk", Role::Clerk, Some(&commune)).1
}

#[actix_web::test]
async fn fifty_slow_reads_leave_connections_for_the_desk_and_the_kiosks() {
    use std::time::Duration;
    let env = TestEnv::with_config(|c| {
        c.pool_size = 4;
        c.report_concurrency = 50;
        c.pool_timeout = Duration::from_millis(500);
    });
    // However many are asked for, long reads leave two connections of the pool.
    assert_eq!(motcua::state::long_read_budget(&env.state.config), 2);
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let clerk = catalogue_and_clerk(&env);
    let commune = env.office("H56.02", "commune", None);
    let (_, manager) = env.user("cuong.manager", Role::Manager, Some(&commune));
    let kiosk = post(
        &app,
        "/api/v1/kiosks",
        Some(&manager),
        json!({"office_id": commune.id, "name": "Máy 1"}),
    )
    .await;
    let kiosk = kiosk.body["token"].as_str().unwrap().to_owned();

    // 50 reports, each holding its connection for 200 ms (a slow dashboard).
    let slow = || {
        env.state.long_read(|_conn| {
            std::thread::sleep(Duration::from_millis(200));
            Ok(())
        })
    };
    let reads = futures_util::future::join_all((0..50).map(|_| slow()));
    let desk = async {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        let receipt = post(&app, "/api/v1/dossiers", Some(&clerk), receipt("Đỗ Văn Em")).await;
        let vote = post(
            &app,
            "/api/v1/votes",
            Some(&kiosk),
            json!({"id": uuid::Uuid::new_v4(), "rating": "satisfied",
                   "cast_at": chrono::Utc::now().to_rfc3339()}),
        )
        .await;
        (receipt, vote)
    };
    let (reads, (receipt, vote)) = futures_util::join!(reads, desk);
    assert!(reads.iter().all(Result::is_ok));
    assert_eq!(
        receipt.status, 201,
        "the desk got a connection: {}",
        receipt.text
    );
    assert!(vote.status.is_success(), "the kiosk got one: {}", vote.text);

    // A search is a long read too: while the budget is taken it waits its turn.
    let hold = || {
        env.state.long_read(|_conn| {
            std::thread::sleep(Duration::from_millis(1500));
            Ok(())
        })
    };
    let search = async {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        let early = actix_web::rt::time::timeout(
            Duration::from_millis(500),
            get(&app, "/api/v1/dossiers?q=van%20em", Some(&clerk)),
        )
        .await;
        assert!(
            early.is_err(),
            "the search waited behind the two long reads"
        );
        get(&app, "/api/v1/dossiers?q=van%20em", Some(&clerk)).await
    };
    let (_, _, found) = futures_util::join!(hold(), hold(), search);
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
}

fn receipt(name: &str) -> serde_json::Value {
    json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": name}})
}

fn stored_dossiers(env: &TestEnv) -> i64 {
    motcua::db::schema::dossiers::table
        .count()
        .get_result(&mut *env.conn())
        .expect("count")
}

#[actix_web::test]
async fn lost_connections_answer_503_and_are_replaced_without_a_restart() {
    let env = TestEnv::new();
    if !env.db.is_postgres() {
        eprintln!("PostgreSQL only: a SQLite connection cannot be lost");
        return;
    }
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let clerk = catalogue_and_clerk(&env);
    // Fill the pool (4 connections), and keep one of them checked out.
    let held: Vec<_> = (0..4).map(|_| env.conn()).collect();
    let mut in_use = held.into_iter().next().unwrap();

    // What a restart of PostgreSQL does to every connection of ours.
    let mut admin = motcua::db::connect(&motcua::db::Backend::from_url(&env.db.url)).unwrap();
    admin
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut others = || {
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .get_result::<Count>(&mut admin)
        .unwrap()
        .n
    };
    let mut wait = 0;
    while others() > 0 {
        wait += 1;
        assert!(wait < 100, "the backends were not terminated");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    // A request whose connection died under it: 503, retry in a moment.
    let err = in_use.batch_execute("SELECT 1").unwrap_err();
    assert!(motcua::db::outage(&err).is_some(), "{err:?}");
    let answer = motcua::error::ApiError::from(err).error_response();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.headers().get("retry-after").unwrap(), "2");
    drop(in_use);

    // Every dead connection in the pool is found at checkout and replaced: no request
    // after the restart fails.
    for i in 0..8 {
        let r = post(
            &app,
            "/api/v1/dossiers",
            Some(&clerk),
            receipt("Trần Thị Bình"),
        )
        .await;
        assert_eq!(r.status, 201, "receipt {i}: {}", r.text);
        let r = get(&app, "/api/v1/offices", Some(&clerk)).await;
        assert_eq!(r.status, 200, "list {i}: {}", r.text);
    }
    assert_eq!(get(&app, "/ready", None).await.status, 200);
    assert_eq!(stored_dossiers(&env), 8);
}

#[actix_web::test]
async fn a_full_disk_answers_503_keeps_nothing_half_done_and_heals() {
    // One connection, so the limit set on it is the server's.
    let env = TestEnv::with_config(|c| c.pool_size = 1);
    if env.db.is_postgres() {
        eprintln!("SQLite only: PostgreSQL's disk is the server's");
        return;
    }
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let clerk = catalogue_and_clerk(&env);
    let room = |pages: &str| {
        env.conn()
            .batch_execute(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap()
    };
    // The file may not grow past its current size: the disk is full.
    #[derive(QueryableByName)]
    struct Pages {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        page_count: i64,
    }
    let pages = diesel::sql_query("PRAGMA page_count")
        .get_result::<Pages>(&mut *env.conn())
        .unwrap()
        .page_count;
    room(&pages.to_string());

    let mut received = 0;
    let refused = loop {
        let r = post(
            &app,
            "/api/v1/dossiers",
            Some(&clerk),
            receipt("Lê Văn Cường"),
        )
        .await;
        if r.status != 201 {
            break r;
        }
        received += 1;
        assert!(received < 5000, "the database never filled up");
    };
    assert_eq!(
        (refused.status.as_u16(), refused.code()),
        (503, "unavailable"),
        "{}",
        refused.text
    );
    assert_eq!(refused.headers.get("retry-after").unwrap(), "2");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("disk is full"),
        "{}",
        refused.text
    );
    // Only the acknowledged receipts are stored, and their codes run without a gap.
    assert_eq!(stored_dossiers(&env), received);

    // Room again (an operator freed the disk): the same server serves.
    room("1073741823");
    let r = post(
        &app,
        "/api/v1/dossiers",
        Some(&clerk),
        receipt("Lê Văn Cường"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.body["code"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{:04}", received + 1)));
    assert_eq!(get(&app, "/ready", None).await.status, 200);
}

#[actix_web::test]
async fn ready_means_the_database_takes_a_write_and_has_room() {
    let env = TestEnv::new();
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let written = |env: &TestEnv| -> chrono::NaiveDateTime {
        use motcua::db::schema::readiness_probe::dsl::*;
        readiness_probe
            .select(written_at)
            .first(&mut *env.conn())
            .unwrap()
    };
    let before = written(&env);
    let r = get(&app, "/ready", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(written(&env) > before, "/ready wrote its row");

    // A disk with less room than asked for: not ready, and why.
    let full = TestEnv::with_config(|c| c.ready_min_free_bytes = u64::MAX);
    let app = actix_web::test::init_service(build_app(full.state.clone())).await;
    let r = get(&app, "/ready", None).await;
    if full.db.is_postgres() {
        assert_eq!(
            r.status, 200,
            "PostgreSQL's disk is the server's: {}",
            r.text
        );
    } else {
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (503, "unavailable"),
            "{}",
            r.text
        );
        assert_eq!(r.headers.get("retry-after").unwrap(), "2");
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains("MOTCUA_READY_MIN_FREE_MB"), "{detail}");
    }
}
