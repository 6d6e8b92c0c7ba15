//! Kiosk tokens, exactly-once votes through retries and offline replays, and the
//! satisfaction statistics.

mod common;

use actix_web::http::Method;
use actix_web::test;
use chrono::{Duration, Utc};
use common::*;
use futures_util::future::join_all;
use motcua::build_app;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use serde_json::{json, Value};

struct Site {
    env: TestEnv,
    province: OfficeRow,
    commune: OfficeRow,
    other: OfficeRow,
    admin: String,
    manager: String,
    clerk_id: String,
    clerk: String,
}

fn site() -> Site {
    let env = TestEnv::new();
    let province = env.office("000.00.00.H56", "province", None);
    let commune = env.office("H56.01", "commune", Some(&province));
    let other = env.office("H56.02", "commune", Some(&province));
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&province));
    let (clerk_id, clerk) = env.user("an.clerk", Role::Clerk, Some(&commune));
    Site {
        env,
        province,
        commune,
        other,
        admin,
        manager,
        clerk_id,
        clerk,
    }
}

async fn kiosk<S, B>(app: &S, token: &str, office: &OfficeRow) -> (String, String)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let r = post(
        app,
        "/api/v1/kiosks",
        Some(token),
        json!({"office_id": office.id, "name": "Quầy 1"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.body["kiosk"]["id"].as_str().unwrap().to_owned(),
        r.body["token"].as_str().unwrap().to_owned(),
    )
}

fn vote(rating: &str, seconds_ago: i64) -> Value {
    json!({"id": uuid::Uuid::new_v4(), "rating": rating, "cast_at": Utc::now() - Duration::seconds(seconds_ago)})
}

#[actix_web::test]
async fn a_vote_counts_once_however_often_it_arrives() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (_, token) = kiosk(&app, &s.manager, &s.commune).await;
    let v = vote("satisfied", 60);
    let first = post(&app, "/api/v1/votes", Some(&token), v.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(
        first.body["office_id"],
        s.commune.id.as_str(),
        "the office comes from the token"
    );
    let again = post(&app, "/api/v1/votes", Some(&token), v.clone()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body, "a replay gets the same body");
    let mut changed = v.clone();
    changed["rating"] = json!("unsatisfied");
    let conflict = post(&app, "/api/v1/votes", Some(&token), changed).await;
    assert_eq!(
        (conflict.status.as_u16(), conflict.code()),
        (409, "idempotency_conflict")
    );

    // Twenty identical requests racing: one row, every one answered 2xx.
    let racing = vote("neutral", 30);
    let replies =
        join_all((0..20).map(|_| post(&app, "/api/v1/votes", Some(&token), racing.clone()))).await;
    assert!(
        replies.iter().all(|r| r.status.is_success()),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 1);
    let stats = get(
        &app,
        &format!("/api/v1/stats/satisfaction?office_id={}", s.commune.id),
        Some(&s.manager),
    )
    .await;
    assert_eq!(stats.body["total"]["total"], 2, "{}", stats.text);
}

#[actix_web::test]
async fn tokens_are_scoped_revocable_and_never_interchangeable() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (kiosk_id, token) = kiosk(&app, &s.manager, &s.commune).await;
    assert!(token.starts_with("mck_"));
    let list = get(&app, "/api/v1/kiosks", Some(&s.manager)).await;
    assert!(!list.text.contains(&token), "the token is never listed");
    assert_eq!(list.body[0]["id"], kiosk_id.as_str());

    // A staff token on the vote endpoint, a kiosk token everywhere else.
    let r = post(&app, "/api/v1/votes", Some(&s.clerk), vote("satisfied", 10)).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "wrong_token_kind"));
    for (method, path) in [
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/dossiers"),
        (Method::GET, "/api/v1/kiosks"),
        (Method::GET, "/api/v1/stats/satisfaction"),
    ] {
        let r = send(&app, method, path, Some(&token), None).await;
        assert_eq!(r.status, 401, "{path}");
    }
    assert_eq!(
        get(&app, "/api/v1/kiosk/config", Some(&token)).await.status,
        200
    );
    assert_eq!(
        get(&app, "/api/v1/kiosk/config", Some(&s.clerk))
            .await
            .status,
        401
    );
    // Used: the list shows when.
    post(&app, "/api/v1/votes", Some(&token), vote("satisfied", 10)).await;
    let list = get(&app, "/api/v1/kiosks", Some(&s.manager)).await;
    assert!(list.body[0]["last_used_at"].is_string());

    // A clerk cannot register kiosks; a manager cannot for an office outside its subtree.
    let r = post(
        &app,
        "/api/v1/kiosks",
        Some(&s.clerk),
        json!({"office_id": s.commune.id, "name": "x"}),
    )
    .await;
    assert_eq!(r.status, 403);
    let (_, district_manager) = s.env.user("other.manager", Role::Manager, Some(&s.other));
    let r = post(
        &app,
        "/api/v1/kiosks",
        Some(&district_manager),
        json!({"office_id": s.commune.id, "name": "x"}),
    )
    .await;
    assert_eq!(r.status, 403);

    // Revoked at once.
    let r = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/kiosks/{kiosk_id}"),
        Some(&s.manager),
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    let r = post(&app, "/api/v1/votes", Some(&token), vote("satisfied", 5)).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "token_revoked"));
    let r = post(
        &app,
        "/api/v1/votes",
        Some(&format!("{token}x")),
        vote("satisfied", 5),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[actix_web::test]
async fn dossiers_clerks_time_window_and_double_taps() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (_, token) = kiosk(&app, &s.admin, &s.commune).await;
    let (_, other_token) = kiosk(&app, &s.admin, &s.other).await;
    let now = chrono::Utc::now().naive_utc();
    motcua::db::procedures::insert(
        &mut s.env.conn(),
        &motcua::db::procedures::ProcedureRow {
            id: motcua::domain::ids::ProcedureId::new(),
            code: "1.000948".into(),
            name: "Đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            deadline_value: 3,
            deadline_unit: motcua::domain::procedure::DeadlineUnit::WorkingDays,
            online_level: motcua::domain::procedure::OnlineLevel::Full,
            fee: None,
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap();
    let dossier = post(
        &app,
        "/api/v1/dossiers",
        Some(&s.clerk),
        json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": "Nguyễn Văn A"}}),
    )
    .await;
    let code = dossier.body["code"].as_str().unwrap().to_owned();

    let mut v = vote("satisfied", 100);
    v["dossier_code"] = json!(code);
    v["clerk_id"] = json!(s.clerk_id);
    assert_eq!(
        post(&app, "/api/v1/votes", Some(&token), v.clone())
            .await
            .status,
        201
    );
    let mut second = vote("unsatisfied", 90);
    second["dossier_code"] = json!(code);
    let r = post(&app, "/api/v1/votes", Some(&token), second.clone()).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (409, "dossier_already_rated")
    );
    let r = post(&app, "/api/v1/votes", Some(&other_token), second).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "dossier_not_at_this_office"),
        "another office's kiosk"
    );
    let mut wrong_clerk = vote("satisfied", 80);
    wrong_clerk["clerk_id"] = json!(s.clerk_id);
    let r = post(&app, "/api/v1/votes", Some(&other_token), wrong_clerk).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (422, "clerk_not_at_this_office")
    );

    let r = post(&app, "/api/v1/votes", Some(&token), vote("satisfied", -600)).await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["field"].as_str()),
        (422, Some("cast_at")),
        "10 minutes ahead"
    );
    let r = post(
        &app,
        "/api/v1/votes",
        Some(&token),
        vote("satisfied", 31 * 86_400),
    )
    .await;
    assert_eq!(r.status, 422, "older than 30 days");

    // Double tap: 2 s after the previous vote of this kiosk, no dossier.
    let base = Utc::now() - Duration::seconds(50);
    let tap = |offset: i64| json!({"id": uuid::Uuid::new_v4(), "rating": "neutral", "cast_at": base + Duration::seconds(offset)});
    assert_eq!(
        post(&app, "/api/v1/votes", Some(&token), tap(0))
            .await
            .status,
        201
    );
    let r = post(&app, "/api/v1/votes", Some(&token), tap(2)).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "too_soon"));
    assert_eq!(
        post(&app, "/api/v1/votes", Some(&token), tap(6))
            .await
            .status,
        201
    );

    let stats = get(
        &app,
        &format!("/api/v1/stats/satisfaction?office_id={}", s.province.id),
        Some(&s.manager),
    )
    .await;
    assert_eq!(
        stats.body["total"]["counts"],
        json!({"very_satisfied": 0, "satisfied": 1, "neutral": 2, "unsatisfied": 0})
    );
}

#[actix_web::test]
async fn a_batch_with_good_and_bad_votes() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (_, token) = kiosk(&app, &s.admin, &s.commune).await;
    let good = vote("satisfied", 300);
    let mut in_future = vote("neutral", -3600);
    in_future["id"] = json!(uuid::Uuid::new_v4());
    let mut unknown_dossier = vote("neutral", 200);
    unknown_dossier["dossier_code"] = json!("H56.01-260101-0001");
    let good2 = vote("unsatisfied", 100);
    let body = json!({"votes": [good, in_future, unknown_dossier, good2, good]});
    let r = post(&app, "/api/v1/votes/batch", Some(&token), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let statuses: Vec<u64> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 422, 422, 201, 200], "{}", r.text);
    assert_eq!(
        (
            r.body["stored"].as_u64(),
            r.body["replayed"].as_u64(),
            r.body["refused"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );
    let too_many =
        json!({"votes": (0..501).map(|i| vote("satisfied", 1000 + i * 10)).collect::<Vec<_>>()});
    assert_eq!(
        post(&app, "/api/v1/votes/batch", Some(&token), too_many)
            .await
            .status,
        422
    );
}

/// A manager pairs a tablet by opening a link or scanning its QR code; the token rides
/// in the URL fragment, which browsers never send to a server.
#[actix_web::test]
async fn a_new_kiosk_comes_with_its_pairing_link_and_qr_code() {
    for public_url in [None, Some("https://motcua.example.vn")] {
        let env = TestEnv::with_config(|c| c.public_url = public_url.map(str::to_owned));
        let app = test::init_service(build_app(env.state.clone())).await;
        let commune = env.office("H56.01", "commune", None);
        let (_, manager) = env.user("cuong.manager", Role::Manager, Some(&commune));
        let r = post(
            &app,
            "/api/v1/kiosks",
            Some(&manager),
            json!({"office_id": commune.id, "name": "Quầy 1"}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let token = r.body["token"].as_str().unwrap();
        let link = r.body["pairing_link"].as_str().unwrap();
        assert_eq!(
            link,
            format!("{}/kiosk/#pair={token}", public_url.unwrap_or(""))
        );
        assert!(!link.contains('?'), "never in a query string");
        let svg = r.body["pairing_qr_svg"].as_str().unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        assert!(!svg.contains(token), "the picture, not the text");
    }
}

/// A kiosk reports its queue after every delivery round; managers see the kiosks that
/// stopped syncing or cannot deliver.
#[actix_web::test]
async fn managers_see_which_kiosks_are_stale_or_backed_up() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (id, token) = kiosk(&app, &s.manager, &s.commune).await;
    let sync_in = |r: Reply| {
        assert_eq!(r.status, 200, "{}", r.text);
        r.body[0]["sync"].clone()
    };
    let list = || get(&app, "/api/v1/kiosks", Some(&s.manager));
    assert_eq!(sync_in(list().await), json!(null), "never synced");

    let waiting_since = Utc::now() - Duration::minutes(20);
    let beat = json!({"queue_depth": 7, "oldest_pending_at": waiting_since, "rejected": 1, "app_version": "1.0.0"});
    let r = post(&app, "/api/v1/kiosk/heartbeat", Some(&token), beat).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let sync = sync_in(list().await);
    assert_eq!(
        (
            &sync["queue_depth"],
            &sync["rejected"],
            &sync["app_version"]
        ),
        (&json!(7), &json!(1), &json!("1.0.0"))
    );
    assert_eq!(
        (&sync["stale"], &sync["backed_up"]),
        (&json!(false), &json!(true))
    );

    // Delivered: the queue is empty again.
    let beat =
        json!({"queue_depth": 0, "oldest_pending_at": null, "rejected": 1, "app_version": "1.0.0"});
    assert_eq!(
        post(&app, "/api/v1/kiosk/heartbeat", Some(&token), beat)
            .await
            .status,
        204
    );
    assert_eq!(sync_in(list().await)["backed_up"], json!(false));
    // Then nothing for two hours.
    {
        use diesel::prelude::*;
        use motcua::db::schema::kiosk_syncs::dsl::*;
        let two_hours_ago = (Utc::now() - Duration::hours(2)).naive_utc();
        diesel::update(kiosk_syncs)
            .set(synced_at.eq(two_hours_ago))
            .execute(&mut *s.env.conn())
            .unwrap();
    }
    assert_eq!(sync_in(list().await)["stale"], json!(true));

    for bad in [
        json!({"queue_depth": 2_000_000, "rejected": 0, "app_version": "1"}),
        json!({"queue_depth": 0, "rejected": 0, "app_version": "có dấu"}),
        json!({"queue_depth": 0, "rejected": 0, "app_version": ""}),
        json!({"queue_depth": 1, "oldest_pending_at": "1850-01-01T00:00:00Z", "rejected": 0, "app_version": "1"}),
    ] {
        let r = post(&app, "/api/v1/kiosk/heartbeat", Some(&token), bad.clone()).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    let path = format!("/api/v1/kiosks/{id}");
    let r = send(
        &app,
        actix_web::http::Method::DELETE,
        &path,
        Some(&s.manager),
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    let beat = json!({"queue_depth": 0, "rejected": 0, "app_version": "1.0.0"});
    assert_eq!(
        post(&app, "/api/v1/kiosk/heartbeat", Some(&token), beat)
            .await
            .status,
        401
    );
}

/// A corrupted queue entry must not block a kiosk's queue: every item is answered on
/// its own, malformed ones included.
#[actix_web::test]
async fn a_batch_answers_malformed_items_one_by_one() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (_, token) = kiosk(&app, &s.admin, &s.commune).await;
    let good = vote("satisfied", 300);
    let mut no_uuid = vote("neutral", 290);
    no_uuid["id"] = json!("queue-entry-17");
    let mut unknown_rating = vote("neutral", 280);
    unknown_rating["rating"] = json!("great");
    let mut bad_time = vote("neutral", 270);
    bad_time["cast_at"] = json!("yesterday");
    let mut extra_field = vote("neutral", 260);
    extra_field["colour"] = json!("green");
    let items = [
        no_uuid,
        unknown_rating.clone(),
        bad_time.clone(),
        json!(42),
        json!(null),
        extra_field.clone(),
        good.clone(),
    ];
    let r = post(
        &app,
        "/api/v1/votes/batch",
        Some(&token),
        json!({ "votes": items }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let results = r.body["results"].as_array().unwrap();
    let statuses: Vec<u64> = results
        .iter()
        .map(|x| x["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [422, 422, 422, 422, 422, 422, 201], "{}", r.text);
    let ids: Vec<&serde_json::Value> = results.iter().map(|x| &x["id"]).collect();
    assert_eq!(
        ids,
        [
            &json!(null),
            &unknown_rating["id"],
            &bad_time["id"],
            &json!(null),
            &json!(null),
            &extra_field["id"],
            &good["id"]
        ]
    );
    for result in &results[..6] {
        assert_eq!(result["code"], "validation_failed", "{result}");
        assert!(
            result["detail"].as_str().unwrap().starts_with("vote: "),
            "{result}"
        );
    }
    assert!(results[1]["detail"].as_str().unwrap().contains("great"));
    assert_eq!(
        (r.body["stored"].as_u64(), r.body["refused"].as_u64()),
        (Some(1), Some(6))
    );
    let stats = get(
        &app,
        &format!(
            "/api/v1/stats/satisfaction?office_id={}&from=2026-01-01&to=2026-12-31",
            s.commune.id
        ),
        Some(&s.admin),
    )
    .await;
    assert_eq!(stats.body["total"]["total"], 1, "only the good vote counts");

    // The envelope itself is still checked.
    for body in [
        json!({"votes": "all of them"}),
        json!([good]),
        json!({"votes": [], "x": 1}),
    ] {
        let r = post(&app, "/api/v1/votes/batch", Some(&token), body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.text);
    }
}

#[actix_web::test]
async fn an_offline_queue_replayed_twice_counts_once() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (_, token) = kiosk(&app, &s.admin, &s.commune).await;
    // 10,000 votes queued over the last day, 8 seconds apart (no double taps).
    let start = Utc::now() - Duration::hours(23);
    let queue: Vec<Value> = (0..10_000)
        .map(|i| {
            let rating = ["satisfied", "satisfied", "neutral", "unsatisfied"][i % 4];
            json!({"id": uuid::Uuid::new_v4(), "rating": rating, "cast_at": start + Duration::seconds(i as i64 * 8)})
        })
        .collect();
    // The first replay is cut off after 7 batches of 500; the second starts again from the beginning.
    for chunk in queue.chunks(500).take(7) {
        let r = post(
            &app,
            "/api/v1/votes/batch",
            Some(&token),
            json!({"votes": chunk}),
        )
        .await;
        assert_eq!(r.body["stored"], 500, "{}", r.text);
    }
    let mut replayed = 0;
    for chunk in queue.chunks(500) {
        let r = post(
            &app,
            "/api/v1/votes/batch",
            Some(&token),
            json!({"votes": chunk}),
        )
        .await;
        assert_eq!(r.body["refused"], 0, "{}", r.text);
        replayed += r.body["replayed"].as_u64().unwrap();
    }
    assert_eq!(replayed, 3_500);
    let stats = get(
        &app,
        &format!(
            "/api/v1/stats/satisfaction?office_id={}&from=2020-01-01",
            s.commune.id
        ),
        Some(&s.manager),
    )
    .await;
    assert_eq!(stats.body["total"]["total"], 10_000, "{}", stats.text);
    assert_eq!(stats.body["total"]["counts"]["neutral"], 2_500);
}

#[actix_web::test]
async fn the_district_report_is_reproduced_with_targets_groups_and_csv() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (kiosk_id, _) = kiosk(&app, &s.admin, &s.commune).await;
    // 47,336 satisfied, 114 neutral, 17 unsatisfied, spread over March-May 2026 (fixture written directly).
    let mut rows = Vec::new();
    for (rating, count) in [("satisfied", 47_336), ("neutral", 114), ("unsatisfied", 17)] {
        for i in 0..count {
            let cast = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
                + chrono::Days::new((i % 90) as u64);
            let cast_at = cast.and_hms_opt(2 + (i % 8) as u32, 0, 0).unwrap();
            rows.push(motcua::db::votes::VoteRow {
                id: uuid::Uuid::new_v4().into(),
                kiosk_id: motcua::domain::ids::KioskId::parse(&kiosk_id).unwrap(),
                office_id: s.commune.id.clone(),
                rating: motcua::domain::satisfaction::Rating::parse(rating).unwrap(),
                cast_at,
                cast_date: cast,
                cast_hour: 9 + (i % 8),
                received_at: cast_at,
                dossier_id: None,
                procedure_id: None,
                clerk_id: None,
                reason: None,
                content_hash: String::new(),
            });
        }
    }
    motcua::db::write_tx(&mut s.env.conn(), |conn| {
        motcua::db::votes::insert_many(conn, &rows)
    })
    .unwrap();

    let url = format!(
        "/api/v1/stats/satisfaction?office_id={}&from=2026-01-01&to=2026-12-31",
        s.province.id
    );
    let r = get(&app, &url, Some(&s.manager)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let total = &r.body["total"];
    assert_eq!(total["total"], 47_467);
    assert_eq!(
        total["satisfaction_rate"],
        json!({"numerator": 47_336, "denominator": 47_467, "value": 0.9972})
    );
    assert_eq!(total["neutral_share"]["value"], 0.0024);
    assert_eq!(total["unsatisfied_share"]["value"], 0.0004);
    assert_eq!(
        (total["target"].as_f64(), total["meets_target"].as_bool()),
        (Some(0.95), Some(true))
    );

    // A stricter target set on the province is inherited by the commune.
    let r = send(&app, Method::PUT, "/api/v1/targets", Some(&s.manager), Some(json!({"office_id": s.province.id, "year": 2026, "metric": "satisfaction", "value": 0.998}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let commune = get(
        &app,
        &format!(
            "/api/v1/stats/satisfaction?office_id={}&from=2026-01-01&to=2026-12-31",
            s.commune.id
        ),
        Some(&s.manager),
    )
    .await;
    assert_eq!(
        (
            commune.body["total"]["target"].as_f64(),
            commune.body["total"]["meets_target"].as_bool()
        ),
        (Some(0.998), Some(false))
    );

    let by_office = get(&app, &format!("{url}&group_by=office"), Some(&s.manager)).await;
    let groups = by_office.body["groups"].as_array().unwrap();
    let commune_row = groups
        .iter()
        .find(|g| g["key"] == s.commune.id.as_str())
        .unwrap();
    assert_eq!(commune_row["total"], 47_467);
    let other_row = groups
        .iter()
        .find(|g| g["key"] == s.other.id.as_str())
        .unwrap();
    assert_eq!(
        (
            other_row["total"].as_i64(),
            other_row["meets_target"].as_bool()
        ),
        (Some(0), None)
    );
    let by_month = get(&app, &format!("{url}&group_by=month"), Some(&s.manager)).await;
    let months: Vec<&str> = by_month.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026-03", "2026-04", "2026-05"]);
    let sum: i64 = by_month.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["total"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 47_467);
    let by_hour = get(&app, &format!("{url}&group_by=hour"), Some(&s.manager)).await;
    assert_eq!(by_hour.body["groups"].as_array().unwrap().len(), 8);
    let by_weekday = get(&app, &format!("{url}&group_by=weekday"), Some(&s.manager)).await;
    assert_eq!(by_weekday.body["groups"][0]["key"], "monday");

    let csv = get(&app, &format!("{url}&format=csv"), Some(&s.manager)).await;
    assert!(csv.text.starts_with('\u{feff}'), "a BOM for Excel");
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        csv.text
            .contains(",47336,114,17,47467,47336,0.9972,0.9980,false"),
        "{}",
        csv.text
    );
    let (status, _, bytes) = get_bytes(&app, &format!("{url}&format=xlsx"), &s.manager).await;
    assert_eq!(status, 200);
    let sheet = Sheet::read(&bytes);
    let tail = [47336.0, 114.0, 17.0, 47467.0, 47336.0, 0.9972, 0.998];
    assert!(
        (3..10).any(|row| sheet.numbers(row).ends_with(&tail)),
        "{}",
        sheet.xml
    );
    assert!(sheet.strings.iter().any(|h| h == "Tỷ lệ hài lòng"));
    assert!(sheet.strings.iter().any(|h| h == "Không đạt"));
    // Clerks never see votes.
    assert_eq!(get(&app, &url, Some(&s.clerk)).await.status, 403);
}

#[actix_web::test]
async fn offices_choose_their_faces() {
    let s = site();
    let app = test::init_service(build_app(s.env.state.clone())).await;
    let (_, token) = kiosk(&app, &s.admin, &s.commune).await;
    let config = get(&app, "/api/v1/kiosk/config", Some(&token)).await;
    let faces: Vec<&str> = config.body["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rating"].as_str().unwrap())
        .collect();
    assert_eq!(faces, ["satisfied", "neutral", "unsatisfied"]);
    assert_eq!(config.body["ratings"][0]["vi"], "Hài lòng");
    assert_eq!(config.body["office_name"], s.commune.name);
    assert_eq!(
        config.body["repeat_guard_seconds"],
        s.env.state.config.vote_repeat_guard_seconds
    );
    let path = format!("/api/v1/offices/{}/kiosk-ratings", s.province.id);
    let r = send(
        &app,
        Method::PUT,
        &path,
        Some(&s.manager),
        Some(json!({"ratings": ["very_satisfied", "satisfied", "unsatisfied"]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let config = get(&app, "/api/v1/kiosk/config", Some(&token)).await;
    assert_eq!(
        config.body["ratings"][0]["vi"], "Rất hài lòng",
        "inherited from the province"
    );
    let r = send(
        &app,
        Method::PUT,
        &path,
        Some(&s.manager),
        Some(json!({"ratings": ["satisfied"]})),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = send(
        &app,
        Method::PUT,
        &path,
        Some(&s.clerk),
        Some(json!({"ratings": ["satisfied", "unsatisfied"]})),
    )
    .await;
    assert_eq!(r.status, 403);
}
