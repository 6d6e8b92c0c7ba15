//! Test harness: every test gets its own database (a temporary SQLite file, or a fresh
//! PostgreSQL database when `MOTCUA_TEST_POSTGRES_URL` is set) and drives the real
//! application through `build_app`.
#![allow(dead_code)]

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::{test, web};
use motcua::config::Config;
use motcua::db::offices::OfficeRow;
use motcua::domain::account::Role;
use motcua::AppState;
use serde_json::Value;

pub const PASSWORD: &str = "Mot-cua-2026!";

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub fn new() -> TestDb {
        match std::env::var("MOTCUA_TEST_POSTGRES_URL") {
            Ok(server) if !server.is_empty() => Self::postgres(&server),
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("motcua.db").to_string_lossy().into_owned();
                TestDb {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
        }
    }

    #[cfg(feature = "postgres")]
    fn postgres(server: &str) -> TestDb {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let name = format!("motcua_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            diesel::PgConnection::establish(server).expect("connect to MOTCUA_TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let base = server
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(server);
        TestDb {
            url: format!("{base}/{name}"),
            _dir: None,
            postgres: Some((server.to_owned(), name)),
        }
    }

    #[cfg(not(feature = "postgres"))]
    fn postgres(_server: &str) -> TestDb {
        panic!("MOTCUA_TEST_POSTGRES_URL is set: run the tests with `--features postgres`");
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Some((server, name)) = &self.postgres {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            if let Ok(mut admin) = diesel::PgConnection::establish(server) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The application state over a fresh database, plus helpers to make fixtures.
pub struct TestEnv {
    pub state: web::Data<AppState>,
    pub db: TestDb,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        Self::with_config(|_| {})
    }

    pub fn with_config(adjust: impl FnOnce(&mut Config)) -> TestEnv {
        let db = TestDb::new();
        let mut config = Config::for_tests(&db.url);
        adjust(&mut config);
        let state = AppState::new(config).expect("state");
        TestEnv {
            state: web::Data::new(state),
            db,
        }
    }

    pub fn conn(&self) -> motcua::db::DbConn {
        self.state.pool.get().expect("connection")
    }

    /// Creates an office directly in the database.
    pub fn office(&self, code: &str, level: &str, parent: Option<&OfficeRow>) -> OfficeRow {
        let id = motcua::domain::ids::OfficeId::new();
        let now = chrono::Utc::now().naive_utc();
        let row = OfficeRow {
            path: motcua::domain::office::child_path(parent.map(|p| p.path.as_str()), &id),
            id,
            code: code.to_owned(),
            name: format!("Office {code}"),
            level: motcua::domain::office::OfficeLevel::parse(level).expect("an office level"),
            parent_id: parent.map(|p| p.id.clone()),
            created_at: now,
            updated_at: now,
            opened_on: None,
        };
        motcua::db::offices::insert(&mut self.conn(), &row).expect("insert office");
        row
    }

    /// Adds a procedure to the catalogue directly in the database.
    pub fn procedure(&self, code: &str, name: &str, field: &str, value: i32, unit: &str) {
        let now = chrono::Utc::now().naive_utc();
        motcua::db::procedures::insert(
            &mut self.conn(),
            &motcua::db::procedures::ProcedureRow {
                id: motcua::domain::ids::ProcedureId::new(),
                code: code.into(),
                name: name.into(),
                field: field.into(),
                deadline_value: value,
                deadline_unit: motcua::domain::procedure::DeadlineUnit::parse(unit).unwrap(),
                online_level: motcua::domain::procedure::OnlineLevel::Full,
                fee: None,
                created_at: now,
                updated_at: now,
            },
        )
        .expect("insert procedure");
    }

    /// Birth registration (1.000948, 3 working days), the procedure most tests file.
    pub fn birth_registration(&self) {
        self.procedure(
            "1.000948",
            "Đăng ký khai sinh",
            "Hộ tịch",
            3,
            "working_days",
        );
    }

    /// Creates an account and returns it with a valid access token.
    pub fn user(&self, username: &str, role: Role, office: Option<&OfficeRow>) -> (String, String) {
        let row = motcua::create_user(
            &mut self.conn(),
            username,
            PASSWORD,
            username,
            role,
            office.map(|o| &o.id),
        )
        .expect("create user");
        let (token, _) = self.state.jwt.issue(&row.id, row.token_generation, 3600);
        (row.id.to_string(), token)
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The `code` of a problem response.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

pub async fn send<S, B>(
    app: &S,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut req = test::TestRequest::default().method(method).uri(path);
    if let Some(token) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
    }
    if let Some(body) = body {
        req = req.set_json(body);
    }
    call(app, req.to_request()).await
}

pub async fn call<S, B>(app: &S, req: Request) -> Reply
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, req).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_client_error() || status.is_server_error() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(
            content_type, "application/problem+json",
            "errors are problem+json: {status} {text}"
        );
        assert_eq!(
            body["status"].as_u64(),
            Some(status.as_u16() as u64),
            "{text}"
        );
    }
    Reply {
        status,
        headers,
        body,
        text,
    }
}

pub async fn get<S, B>(app: &S, path: &str, token: Option<&str>) -> Reply
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(app, Method::GET, path, token, None).await
}

pub async fn post<S, B>(app: &S, path: &str, token: Option<&str>, body: Value) -> Reply
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(app, Method::POST, path, token, Some(body)).await
}

pub async fn patch<S, B>(app: &S, path: &str, token: Option<&str>, body: Value) -> Reply
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(app, Method::PATCH, path, token, Some(body)).await
}

/// A GET answered with its raw body (a spreadsheet is not text).
pub async fn get_bytes<S, B>(
    app: &S,
    path: &str,
    token: &str,
) -> (StatusCode, header::HeaderMap, Vec<u8>)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .to_request();
    let response = test::call_service(app, req).await;
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, test::read_body(response).await.to_vec())
}

/// The first sheet of an .xlsx file, read just enough to check what a test needs.
pub struct Sheet {
    /// The sheet's XML.
    pub xml: String,
    /// Every shared string (the text cells), in order.
    pub strings: Vec<String>,
}

impl Sheet {
    pub fn read(bytes: &[u8]) -> Sheet {
        use std::io::Read;
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an .xlsx is a zip");
        let mut part = |name: &str| {
            let mut text = String::new();
            archive
                .by_name(name)
                .expect(name)
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let xml = part("xl/worksheets/sheet1.xml");
        let shared = part("xl/sharedStrings.xml");
        let strings = shared
            .split("<t>")
            .skip(1)
            .chain(shared.split("<t xml:space=\"preserve\">").skip(1))
            .map(|s| s.split("</t>").next().unwrap().replace("&amp;", "&"))
            .collect();
        Sheet { xml, strings }
    }

    /// The numbers of spreadsheet row `row` (1-based), text cells left out.
    pub fn numbers(&self, row: u32) -> Vec<f64> {
        let start = format!("<row r=\"{row}\"");
        let Some(at) = self.xml.find(&start) else {
            return Vec::new();
        };
        let row_xml = self.xml[at..].split("</row>").next().unwrap();
        row_xml
            .split("<c ")
            .skip(1)
            .filter(|cell| !cell.contains("t=\"s\"") && !cell.contains("t=\"str\""))
            .filter_map(|cell| cell.split("<v>").nth(1)?.split("</v>").next()?.parse().ok())
            .collect()
    }
}
