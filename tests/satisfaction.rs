//! The satisfaction report reads rolled-up counters (src/db/vote_stats.rs): whatever
//! the history (votes replayed, kiosks revoked, votes tied to dossiers and clerks, an
//! office moving, folds at any moment), every report in every grouping equals a direct
//! count of the stored votes, and `recount` finds nothing to repair.

mod common;

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::*;
use diesel::prelude::*;
use motcua::build_app;
use motcua::domain::account::Role;
use proptest::prelude::*;
use serde_json::{json, Value};

const RATINGS: [&str; 4] = ["very_satisfied", "satisfied", "neutral", "unsatisfied"];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

#[derive(Debug, Clone)]
enum Step {
    /// A citizen votes at a kiosk, `hours_ago` before now, about a dossier and a clerk
    /// of that office or not.
    Vote {
        kiosk: usize,
        rating: usize,
        hours_ago: i64,
        dossier: bool,
        clerk: bool,
    },
    /// The last vote arrives again (a kiosk's replay).
    Replay,
    /// A kiosk is revoked (its next votes are refused) and a new one paired there.
    Revoke {
        kiosk: usize,
    },
    /// The first commune moves between the district and the province.
    Move,
    Fold,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            10 => (0usize..3, 0usize..4, 0i64..24 * 25, any::<bool>(), any::<bool>()).prop_map(
                |(kiosk, rating, hours_ago, dossier, clerk)| Step::Vote { kiosk, rating, hours_ago, dossier, clerk }
            ),
            2 => Just(Step::Replay),
            1 => (0usize..3).prop_map(|kiosk| Step::Revoke { kiosk }),
            1 => Just(Step::Move),
            1 => Just(Step::Fold),
        ],
        10..50,
    )
}

/// One stored vote as the direct count sees it.
#[derive(Debug, Queryable)]
struct Stored {
    office_id: String,
    rating: String,
    cast_date: NaiveDate,
    cast_hour: i32,
    procedure_id: Option<String>,
    clerk_id: Option<String>,
}

fn stored(env: &TestEnv) -> Vec<Stored> {
    use motcua::db::schema::votes::dsl as v;
    v::votes
        .select((
            v::office_id,
            v::rating,
            v::cast_date,
            v::cast_hour,
            v::procedure_id,
            v::clerk_id,
        ))
        .load(&mut env.conn())
        .unwrap()
}

/// The counts per rating of the votes `keep` selects, as the report shows them.
fn direct(votes: &[&Stored], keep: &dyn Fn(&Stored) -> bool) -> Value {
    let mut counts = json!({"very_satisfied": 0, "satisfied": 0, "neutral": 0, "unsatisfied": 0});
    for vote in votes.iter().filter(|v| keep(v)) {
        let n = counts[vote.rating.as_str()].as_i64().unwrap();
        counts[vote.rating.as_str()] = json!(n + 1);
    }
    counts
}

fn assert_counts(group: &Value, expected: &Value, what: &str) {
    assert_eq!(&group["counts"], expected, "{what}: {group}");
    let total: i64 = RATINGS.iter().map(|r| expected[r].as_i64().unwrap()).sum();
    assert_eq!(group["total"], json!(total), "{what}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn every_report_equals_a_direct_count_of_the_votes(steps in steps(), periods in prop::collection::vec((0i64..26, 0i64..26), 2)) {
        actix_web::rt::System::new().block_on(async move {
            let env = TestEnv::with_config(|c| c.vote_repeat_guard_seconds = 0);
            let app = actix_web::test::init_service(build_app(env.state.clone())).await;
            env.birth_registration();
            let province = env.office("000.00.00.H56", "province", None);
            let district = env.office("H56.10", "district", Some(&province));
            let offices = [
                env.office("H56.11", "commune", Some(&district)),
                env.office("H56.02", "commune", Some(&province)),
                district.clone(),
            ];
            let (_, admin) = env.user("lan.admin", Role::Admin, None);
            let mut clerks = Vec::new();
            let mut dossiers = Vec::new();
            for (n, office) in offices.iter().enumerate() {
                let (clerk_id, clerk) = env.user(&format!("clerk.{n}"), Role::Clerk, Some(office));
                let r = post(&app, "/api/v1/dossiers", Some(&clerk), json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": "Nguyễn Văn A"}})).await;
                assert_eq!(r.status, 201, "{}", r.text);
                // Codes of dossiers not yet rated, to tie votes to.
                dossiers.push(vec![r.body["code"].as_str().unwrap().to_owned()]);
                for _ in 0..3 {
                    let r = post(&app, "/api/v1/dossiers", Some(&clerk), json!({"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": "Trần Thị B"}})).await;
                    dossiers[n].push(r.body["code"].as_str().unwrap().to_owned());
                }
                clerks.push(clerk_id);
            }
            let mut kiosks = Vec::new();
            for office in &offices {
                let r = post(&app, "/api/v1/kiosks", Some(&admin), json!({"office_id": office.id, "name": "Quầy"})).await;
                assert_eq!(r.status, 201, "{}", r.text);
                kiosks.push((r.body["kiosk"]["id"].as_str().unwrap().to_owned(), r.body["token"].as_str().unwrap().to_owned()));
            }
            let mut last: Option<(String, Value)> = None;
            let mut under_district = true;
            let now = Utc::now();
            for step in steps {
                match step {
                    Step::Vote { kiosk, rating, hours_ago, dossier, clerk } => {
                        let mut vote = json!({"id": uuid::Uuid::new_v4(), "rating": RATINGS[rating],
                                              "cast_at": now - Duration::hours(hours_ago) - Duration::seconds(kiosk as i64)});
                        if dossier {
                            if let Some(code) = dossiers[kiosk].pop() {
                                vote["dossier_code"] = json!(code);
                            }
                        }
                        if clerk {
                            vote["clerk_id"] = json!(clerks[kiosk]);
                        }
                        let r = post(&app, "/api/v1/votes", Some(&kiosks[kiosk].1), vote.clone()).await;
                        assert!(r.status == 201 || r.status == 401, "{}", r.text);
                        last = Some((kiosks[kiosk].1.clone(), vote));
                    }
                    Step::Replay => {
                        if let Some((token, vote)) = &last {
                            let r = post(&app, "/api/v1/votes", Some(token), vote.clone()).await;
                            assert!(r.status.is_success() || r.status == 401, "{}", r.text);
                        }
                    }
                    Step::Revoke { kiosk } => {
                        let r = send(&app, actix_web::http::Method::DELETE, &format!("/api/v1/kiosks/{}", kiosks[kiosk].0), Some(&admin), None).await;
                        assert!(r.status.is_success(), "{}", r.text);
                        // A vote the revoked kiosk still sends is refused, and not counted.
                        let refused = post(&app, "/api/v1/votes", Some(&kiosks[kiosk].1), json!({"id": uuid::Uuid::new_v4(), "rating": "satisfied", "cast_at": now})).await;
                        assert_eq!(refused.status, 401, "{}", refused.text);
                        let r = post(&app, "/api/v1/kiosks", Some(&admin), json!({"office_id": offices[kiosk].id, "name": "Quầy mới"})).await;
                        kiosks[kiosk] = (r.body["kiosk"]["id"].as_str().unwrap().to_owned(), r.body["token"].as_str().unwrap().to_owned());
                    }
                    Step::Move => {
                        under_district = !under_district;
                        let parent = if under_district { &district } else { &province };
                        let r = patch(&app, &format!("/api/v1/offices/{}", offices[0].id), Some(&admin), json!({"parent_id": parent.id})).await;
                        assert_eq!(r.status, 200, "{}", r.text);
                    }
                    Step::Fold => {
                        motcua::service::stats_folder::fold_once(&env.state.pool).unwrap();
                    }
                }
            }
            let report = motcua::db::vote_stats::recount(&mut env.conn(), false).unwrap();
            assert_eq!(report.rows_differing, 0, "{:?}", report.examples);

            let all = stored(&env);
            let paths: HashMap<String, String> = [&province, &district, &offices[0], &offices[1]]
                .iter()
                .map(|o| {
                    let now = motcua::db::offices::find(&mut env.conn(), &o.id).unwrap().unwrap();
                    (now.id.to_string(), now.path)
                })
                .collect();
            let today = (now + Duration::hours(7)).date_naive();
            for (back, length) in periods {
                let from = today - chrono::Days::new(back as u64);
                let to = from + chrono::Days::new(length as u64);
                let votes: Vec<&Stored> = all.iter().filter(|v| v.cast_date >= from && v.cast_date <= to).collect();
                let url = |office: &str, group: &str| format!("/api/v1/stats/satisfaction?office_id={office}&from={from}&to={to}{group}");
                let within = |v: &Stored, office: &str| paths[v.office_id.as_str()].contains(&format!("/{office}/"));

                for office in [&province, &district] {
                    let r = get(&app, &url(office.id.as_str(), ""), Some(&admin)).await;
                    assert_eq!(r.status, 200, "{}", r.text);
                    assert_counts(&r.body["total"], &direct(&votes, &|v| within(v, office.id.as_str())), "total");
                }
                let r = get(&app, &url(province.id.as_str(), "&group_by=office"), Some(&admin)).await;
                for group in r.body["groups"].as_array().unwrap() {
                    let key = group["key"].as_str().unwrap().to_owned();
                    let expected = if province.id == key.as_str() {
                        direct(&votes, &|v| v.office_id == province.id.as_str())
                    } else {
                        direct(&votes, &|v| within(v, &key))
                    };
                    assert_counts(group, &expected, &format!("office {key}"));
                }
                type Key = fn(&Stored) -> String;
                let groupings: [(&str, Key); 5] = [
                    ("month", |v| v.cast_date.format("%Y-%m").to_string()),
                    ("weekday", |v| WEEKDAYS[v.cast_date.weekday().num_days_from_monday() as usize].to_owned()),
                    ("hour", |v| v.cast_hour.to_string()),
                    ("clerk", |v| v.clerk_id.clone().unwrap_or_else(|| "unknown".to_owned())),
                    ("procedure", |v| v.procedure_id.clone().unwrap_or_else(|| "unknown".to_owned())),
                ];
                for (group_by, key_of) in groupings {
                    let r = get(&app, &url(province.id.as_str(), &format!("&group_by={group_by}")), Some(&admin)).await;
                    assert_eq!(r.status, 200, "{}", r.text);
                    let groups = r.body["groups"].as_array().unwrap();
                    let mut keys: Vec<String> = votes.iter().map(|v| key_of(v)).collect();
                    keys.sort();
                    keys.dedup();
                    assert_eq!(groups.len(), keys.len(), "{group_by}: {}", r.text);
                    for group in groups {
                        let key = group["key"].as_str().unwrap().to_owned();
                        assert_counts(group, &direct(&votes, &|v| key_of(v) == key), &format!("{group_by} {key}"));
                        if let Some(n) = clerks.iter().position(|id| *id == key).filter(|_| group_by == "clerk") {
                            // A clerk's label is their full name (here their username).
                            assert_eq!(group["label"], format!("clerk.{n}"), "clerk {key}");
                        }
                    }
                }
            }
        });
    }
}

#[actix_web::test]
async fn votes_stored_before_the_rollups_are_counted_once_they_are_built() {
    let env = TestEnv::with_config(|c| c.vote_repeat_guard_seconds = 0);
    let app = actix_web::test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let r = post(
        &app,
        "/api/v1/kiosks",
        Some(&admin),
        json!({"office_id": province.id, "name": "Quầy"}),
    )
    .await;
    let token = r.body["token"].as_str().unwrap().to_owned();
    for rating in ["satisfied", "satisfied", "neutral"] {
        let r = post(
            &app,
            "/api/v1/votes",
            Some(&token),
            json!({"id": uuid::Uuid::new_v4(), "rating": rating, "cast_at": Utc::now()}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let url = format!(
        "/api/v1/stats/satisfaction?office_id={}&group_by=hour",
        province.id
    );
    let before = get(&app, &url, Some(&admin)).await;
    assert_eq!(before.body["total"]["total"], 3, "{}", before.text);
    // The migration, run again on a database that holds these votes, counts them.
    let mut conn = env.conn();
    motcua::db::revert_migrations_after(&mut conn, "20261203000018").unwrap();
    motcua::db::run_migrations(&mut conn).unwrap();
    drop(conn);
    let after = get(&app, &url, Some(&admin)).await;
    assert_eq!(after.body, before.body);
    assert_eq!(after.body["total"]["counts"]["satisfied"], 2);
}
