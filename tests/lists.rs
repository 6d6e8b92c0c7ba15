//! `GET /dossiers` with every filter, alone and combined, for a province manager (a scope
//! too wide to read office by office), a district manager (read office by office) and a
//! clerk, page by page: exactly the dossiers a direct filter of the table gives, newest
//! first (with a received range, latest received first, ties by id), each once. Runs on
//! SQLite and, in CI, on PostgreSQL.

mod common;

use std::collections::{HashMap, HashSet};

use actix_web::test;
use chrono::Datelike;
use common::*;
use diesel::prelude::*;
use motcua::build_app;
use motcua::db::dossiers::DossierRow;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use serde_json::{json, Value};

#[actix_web::test]
async fn every_filter_lists_what_a_direct_filter_finds() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    let district = env.office("H56.01", "district", Some(&province));
    let communes: Vec<_> = (1..=3)
        .map(|n| env.office(&format!("H56.01.{n:02}"), "commune", Some(&district)))
        .collect();
    more_districts_than_office_by_office(&env, &province);
    env.procedure(
        "2.000635",
        "Chứng thực bản sao",
        "Chứng thực",
        8,
        "working_hours",
    );
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, province_manager) = env.user("hoa.manager", Role::Manager, Some(&province));
    let (_, district_manager) = env.user("binh.manager", Role::Manager, Some(&district));
    let (_, clerk) = env.user("an.clerk", Role::Clerk, Some(&communes[0]));
    // Decides what communes transfer to the district.
    let (_, district_clerk) = env.user("chi.clerk", Role::Clerk, Some(&district));

    // Received at each office, some in March (back-dated), some today; some transferred
    // to the district, resolved (early or late), refused.
    let offices = [
        &communes[0],
        &communes[1],
        &communes[2],
        &district,
        &province,
    ];
    for n in 0..30usize {
        let office = offices[n % offices.len()];
        let procedure = ["1.000948", "2.000635"][n % 2];
        let mut body = json!({"procedure_code": procedure, "channel": "in_person",
                              "office_id": office.id, "applicant": {"name": format!("Nguyễn Văn {n}")}});
        if n % 3 == 0 {
            // Four days, so that receipt times tie and pages break the ties by id.
            body["received_at"] = json!(format!("2026-03-{:02}T02:00:00Z", 2 + (n / 3) % 4));
        }
        let r = post(&app, "/api/v1/dossiers", Some(&admin), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/dossiers/{id}/events");
        if n % 4 == 1 && office.id != district.id && office.id != province.id {
            let r = post(
                &app,
                &path,
                Some(&admin),
                json!({"type": "transfer", "to_office_id": district.id}),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        if n % 5 == 2 {
            let r = post(
                &app,
                &path,
                Some(&admin),
                json!({"type": "resolve", "outcome": "approved"}),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        if n % 7 == 3 && n % 5 != 2 {
            let r = post(
                &app,
                &path,
                Some(&admin),
                json!({"type": "refuse", "reason": "thiếu giấy tờ"}),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }

    let all: Vec<DossierRow> = motcua::db::schema::dossiers::table
        .select(DossierRow::as_select())
        .load(&mut env.conn())
        .unwrap();
    let procedures: HashMap<String, (String, String)> =
        motcua::db::procedures::list(&mut env.conn(), &Default::default(), 10)
            .unwrap()
            .into_iter()
            .map(|p| (p.id.to_string(), (p.code, p.field)))
            .collect();
    let birth = procedures
        .iter()
        .find(|p| p.1 .0 == "1.000948")
        .unwrap()
        .0
        .clone();
    let subtree: HashSet<String> = std::iter::once(&district)
        .chain(&communes)
        .map(|o| o.id.to_string())
        .collect();
    let today = chrono::Utc::now().date_naive();
    let at =
        |r: &DossierRow, office: &str| r.office_id == office || r.processing_office_id == office;
    type Keep = Box<dyn Fn(&DossierRow) -> bool>;
    let subtree_of = subtree.clone();
    let within = move |r: &DossierRow| {
        subtree_of.contains(r.office_id.as_str())
            || subtree_of.contains(r.processing_office_id.as_str())
    };
    let district_id = district.id.to_string();
    let province_id = province.id.to_string();
    let verdicts: Vec<&str> = all
        .iter()
        .filter_map(|r| r.verdict.map(|v| v.as_str()))
        .collect();
    assert!(
        verdicts.contains(&"early") || verdicts.contains(&"on_time"),
        "{verdicts:?}"
    );
    assert!(verdicts.contains(&"late"), "{verdicts:?}");
    let march = |r: &DossierRow| {
        r.received_at.is_some_and(|t| {
            (t + chrono::Duration::hours(7)).date()
                >= chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
                && (t + chrono::Duration::hours(7)).date()
                    <= chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
        })
    };
    let field_of = {
        let procedures = procedures.clone();
        move |r: &DossierRow| procedures[r.procedure_id.as_str()].1.clone()
    };
    let filters: Vec<(String, Keep)> = vec![
        (String::new(), Box::new(|_| true)),
        (
            "status=processing".into(),
            Box::new(|r| r.status.as_str() == "processing"),
        ),
        (
            "status=received".into(),
            Box::new(|r| r.status.as_str() == "received"),
        ),
        (
            "verdict=late".into(),
            Box::new(|r| r.verdict.map(|v| v.as_str()) == Some("late")),
        ),
        (
            "verdict=early".into(),
            Box::new(|r| r.verdict.map(|v| v.as_str()) == Some("early")),
        ),
        (format!("procedure_id={birth}"), {
            let b = birth.clone();
            Box::new(move |r| r.procedure_id == b.as_str())
        }),
        ("field=H%E1%BB%99%20t%E1%BB%8Bch".into(), {
            let f = field_of.clone();
            Box::new(move |r| f(r) == "Hộ tịch")
        }),
        ("verdict=late&field=H%E1%BB%99%20t%E1%BB%8Bch".into(), {
            let f = field_of.clone();
            Box::new(move |r| r.verdict.map(|v| v.as_str()) == Some("late") && f(r) == "Hộ tịch")
        }),
        (format!("office_id={district_id}"), {
            let d = district_id.clone();
            Box::new(move |r| at(r, &d))
        }),
        (format!("office_id={province_id}&status=received"), {
            let p = province_id.clone();
            Box::new(move |r| at(r, &p) && r.status.as_str() == "received")
        }),
        (format!("within={district_id}"), Box::new(within.clone())),
        (format!("within={district_id}&verdict=late"), {
            let w = within.clone();
            Box::new(move |r| w(r) && r.verdict.map(|v| v.as_str()) == Some("late"))
        }),
        (
            "received_from=2026-03-01&received_to=2026-03-31".into(),
            Box::new(march),
        ),
        (
            format!("office_id={district_id}&received_from=2026-03-01&received_to=2026-03-31"),
            {
                let d = district_id.clone();
                Box::new(move |r| at(r, &d) && march(r))
            },
        ),
        (
            format!("within={district_id}&received_from=2026-03-01&received_to=2026-03-31"),
            {
                let w = within.clone();
                Box::new(move |r| w(r) && march(r))
            },
        ),
        (
            format!("within={district_id}&field=H%E1%BB%99%20t%E1%BB%8Bch"),
            {
                let (w, f) = (within.clone(), field_of.clone());
                Box::new(move |r| w(r) && f(r) == "Hộ tịch")
            },
        ),
        (format!("within={district_id}&status=received"), {
            let w = within.clone();
            Box::new(move |r| w(r) && r.status.as_str() == "received")
        }),
        (
            format!("within={district_id}&procedure_id={birth}&verdict=early"),
            {
                let (w, b) = (within.clone(), birth.clone());
                Box::new(move |r| {
                    w(r) && r.procedure_id == b.as_str()
                        && r.verdict.map(|v| v.as_str()) == Some("early")
                })
            },
        ),
        ("status=received&field=H%E1%BB%99%20t%E1%BB%8Bch".into(), {
            let f = field_of.clone();
            Box::new(move |r| r.status.as_str() == "received" && f(r) == "Hộ tịch")
        }),
        // A search, alone and with other filters. On SQLite a term common among the
        // newest (11 of 30 dossiers) is checked along a narrow scope's offices, a
        // rare one (1 of 30) is matched with the scope in the search index, a
        // dossier transferred to the district under the district's token.
        (
            "q=nguyen%20van%201".into(),
            Box::new(|r| r.applicant_name_folded.contains("nguyen van 1")),
        ),
        (format!("within={district_id}&q=van%202"), {
            let w = within.clone();
            Box::new(move |r| w(r) && r.applicant_name_folded.contains("van 2"))
        }),
        (
            "q=van%2021".into(),
            Box::new(|r| r.applicant_name_folded.ends_with("van 21")),
        ),
        (format!("within={district_id}&q=van%2021"), {
            let w = within.clone();
            Box::new(move |r| w(r) && r.applicant_name_folded.ends_with("van 21"))
        }),
        (
            "q=van%2013".into(),
            Box::new(|r| r.applicant_name_folded.ends_with("van 13")),
        ),
        (
            "q=van%201&status=received".into(),
            Box::new(|r| {
                r.applicant_name_folded.contains("van 1") && r.status.as_str() == "received"
            }),
        ),
        (
            "overdue=true".into(),
            Box::new(move |r| {
                matches!(
                    r.status.as_str(),
                    "received" | "processing" | "fee_requested"
                ) && r.due_date.is_some_and(|d| d < today)
            }),
        ),
    ];
    let actors: [(&str, &str, Keep); 4] = [
        ("province manager", &province_manager, Box::new(|_| true)),
        (
            "district manager",
            &district_manager,
            Box::new(within.clone()),
        ),
        ("clerk", &clerk, {
            let c = communes[0].id.to_string();
            Box::new(move |r| at(r, &c))
        }),
        ("district clerk", &district_clerk, {
            let d = district_id.clone();
            Box::new(move |r| at(r, &d))
        }),
    ];
    for (who, token, sees) in &actors {
        for (query, keep) in &filters {
            let mut expected: Vec<&DossierRow> =
                all.iter().filter(|r| sees(r) && keep(r)).collect();
            if query.contains("received_from") {
                expected.sort_by(|a, b| (b.received_at, &b.id).cmp(&(a.received_at, &a.id)));
            } else {
                expected.sort_by(|a, b| b.id.cmp(&a.id));
            }
            let expected: Vec<String> = expected.iter().map(|r| r.id.to_string()).collect();
            let listed = pages(&app, token, query).await;
            let Some(listed) = listed else {
                // A `within` outside the clerk's scope.
                assert!(who.ends_with("clerk"), "{who}: {query}");
                continue;
            };
            assert_eq!(listed, expected, "{who}, ?{query}");
        }
    }
}

/// Every page of `/dossiers?{query}&limit=3`, the ids in order; `None` on a 404.
async fn pages<S, B>(app: &S, token: &str, query: &str) -> Option<Vec<String>>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("/api/v1/dossiers?{query}&limit=3");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let r = get(app, &url, Some(token)).await;
        if r.status == 404 {
            return None;
        }
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        ids.extend(
            items
                .iter()
                .map(|i: &Value| i["id"].as_str().unwrap().to_owned()),
        );
        match r.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Some(ids),
        }
    }
}

/// A province's overdue list is merged from a stream per due date, and past 31 dates
/// the older ones come as one stream: page by page, and in one page, it is every
/// overdue dossier newest recorded first, whatever date each fell due on.
#[actix_web::test]
async fn the_overdue_list_is_newest_first_across_many_due_dates() {
    let env = TestEnv::new();
    let app = test::init_service(build_app(env.state.clone())).await;
    let province = env.office("000.00.00.H56", "province", None);
    more_districts_than_office_by_office(&env, &province);
    let (_, admin) = env.user("lan.admin", Role::Admin, None);
    let (_, manager) = env.user("hoa.manager", Role::Manager, Some(&province));

    // Received on the 61 working days from 7 September to 30 November 2026, recorded
    // out of order so that the newest recorded are not the latest due; two on some
    // days; some resolved, some waiting for the citizen (their clock stopped).
    let first = chrono::NaiveDate::from_ymd_opt(2026, 9, 7).unwrap();
    let days: Vec<chrono::NaiveDate> = (0..85)
        .map(|d| first + chrono::Days::new(d))
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .collect();
    for i in 0..days.len() {
        let day = days[(i * 17) % days.len()];
        for _ in 0..=usize::from(i % 5 == 0) {
            let body = json!({"procedure_code": "1.000948", "channel": "in_person",
                              "office_id": province.id, "received_at": format!("{day}T02:00:00Z"),
                              "applicant": {"name": format!("Trần Thị {i}")}});
            let r = post(&app, "/api/v1/dossiers", Some(&admin), body).await;
            assert_eq!(r.status, 201, "{}", r.text);
            let path = format!("/api/v1/dossiers/{}/events", r.body["id"].as_str().unwrap());
            let step = match i % 7 {
                3 => json!({"type": "resolve", "outcome": "approved"}),
                5 => json!({"type": "request_supplement", "note": "thiếu bản sao CCCD"}),
                _ => continue,
            };
            let r = post(&app, &path, Some(&admin), step).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }

    let today = chrono::Utc::now().date_naive();
    let mut overdue: Vec<DossierRow> = motcua::db::schema::dossiers::table
        .select(DossierRow::as_select())
        .load(&mut env.conn())
        .unwrap()
        .into_iter()
        .filter(|r| {
            matches!(
                r.status.as_str(),
                "received" | "processing" | "fee_requested"
            ) && r.due_date.is_some_and(|d| d < today)
        })
        .collect();
    let due_dates: HashSet<_> = overdue.iter().map(|r| r.due_date).collect();
    assert!(due_dates.len() > 32, "{} due dates", due_dates.len());
    overdue.sort_by(|a, b| b.id.cmp(&a.id));
    let expected: Vec<String> = overdue.iter().map(|r| r.id.to_string()).collect();

    let paged = pages(&app, &manager, "overdue=true").await;
    assert_eq!(paged, Some(expected.clone()));
    let whole = get(
        &app,
        "/api/v1/dossiers?overdue=true&limit=100",
        Some(&manager),
    )
    .await;
    assert_eq!(whole.status, 200, "{}", whole.text);
    let listed: Vec<&str> = whole.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, expected);
}

/// Districts H56.02 to H56.45 under `province`, enough offices that the province is not
/// read office by office, and the birth registration procedure (3 working days).
fn more_districts_than_office_by_office(env: &TestEnv, province: &OfficeRow) {
    for n in 2..=45 {
        env.office(&format!("H56.{n:02}"), "district", Some(province));
    }
    env.procedure(
        "1.000948",
        "Đăng ký khai sinh",
        "Hộ tịch",
        3,
        "working_days",
    );
}
