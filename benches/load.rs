//! motcua's load benchmark: votes, dossier events and dashboards against the release
//! server, next to the database's own durable-insert limit, on SQLite and PostgreSQL.
//! Run it with `scripts/bench` (README, "Benchmarks"); `--smoke` runs a few seconds on
//! tiny data so CI keeps it working.
//!
//! Everything goes over loopback HTTP/1.1 with keep-alive, from plain threads (one
//! per simulated device or person, each waiting for its answer before sending again),
//! so the load generator shares the machine's cores with the server, as it would on
//! a small box. Latencies are measured per request, from the first byte written to
//! the last byte read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Datelike;
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "Bench-quan-tri-2026";
const DEMO_PASSWORD: &str = "Motcua-Demo-2026";

struct Options {
    smoke: bool,
    seconds: u64,
    sizes: Vec<u64>,
    backends: Vec<String>,
    out: Option<String>,
    /// Where the read phases' seeded databases are kept and found again (`--data DIR`).
    data: Option<std::path::PathBuf>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let smoke = args.iter().any(|a| a == "--smoke");
    let postgres = std::env::var("MOTCUA_BENCH_POSTGRES_URL").is_ok();
    Options {
        smoke,
        seconds: value("--seconds")
            .and_then(|s| s.parse().ok())
            .unwrap_or(if smoke { 2 } else { 30 }),
        sizes: value("--sizes")
            .map(|s| s.split(',').filter_map(|n| n.parse().ok()).collect())
            .unwrap_or(if smoke {
                vec![2_000, 4_000]
            } else {
                vec![1_000_000, 10_000_000]
            }),
        backends: value("--backends")
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_else(|| {
                let mut b = vec!["sqlite".to_owned()];
                if postgres {
                    b.push("postgres".to_owned());
                }
                b
            }),
        out: value("--out").or(if smoke {
            None
        } else {
            Some("BENCHMARKS.md".to_owned())
        }),
        data: value("--data").map(Into::into),
    }
}

fn main() {
    let options = options();
    // `cargo bench` adds `--bench`: not part of the command a reader would type.
    let command: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut report = Report::default();
    for backend in &options.backends {
        run_backend(backend, &options, &mut report);
    }
    let table = report.render(&options, &command.join(" "));
    println!("\n{table}");
    if let Some(out) = &options.out {
        std::fs::write(out, &table).expect("write the report");
        println!("written to {out}");
    }
}

/// Latencies of one phase.
#[derive(Default, Clone)]
struct Stats {
    ok: u64,
    errors: u64,
    seconds: f64,
    micros: Vec<u64>,
}

impl Stats {
    fn merge(&mut self, other: Stats) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.micros.extend(other.micros);
    }

    fn per_second(&self) -> f64 {
        self.ok as f64 / self.seconds.max(1e-9)
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.micros.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return 0.0;
        }
        let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[index] as f64 / 1000.0
    }
}

#[derive(Default)]
struct Report {
    /// (backend, what, figure, unit, target)
    rows: Vec<(String, String, String, String)>,
    ratios: Vec<(String, String, String)>,
}

impl Report {
    fn add(&mut self, backend: &str, what: &str, figure: String, target: &str) {
        self.rows.push((
            backend.to_owned(),
            what.to_owned(),
            figure,
            target.to_owned(),
        ));
    }

    fn render(&self, options: &Options, command: &str) -> String {
        let mut out = String::new();
        out.push_str("# motcua benchmarks\n\n");
        out.push_str(&format!(
            "Produced by `scripts/bench {command}` on {}; {}.\n\n",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            machine()
        ));
        out.push_str(&format!(
            "Each load phase runs {} s. Dashboards: {} dossiers seeded by `motcua seed-demo` over 12 months.\n\n",
            options.seconds,
            options
                .sizes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        ));
        out.push_str("| database | measurement | result | target |\n|---|---|---|---|\n");
        for (backend, what, figure, target) in &self.rows {
            out.push_str(&format!("| {backend} | {what} | {figure} | {target} |\n"));
        }
        out.push_str("\n| database | ratio | value |\n|---|---|---|\n");
        for (backend, what, value) in &self.ratios {
            out.push_str(&format!("| {backend} | {what} | {value} |\n"));
        }
        out
    }
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU")
        .to_owned();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.0} GiB RAM", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cores} cores ({model}), {memory}")
}

/// A database for one phase: a fresh SQLite file or a fresh PostgreSQL database.
struct Database {
    url: String,
    dir: std::path::PathBuf,
    postgres: Option<(String, String)>,
    /// Kept for later runs (`--data`): not dropped.
    kept: bool,
}

impl Database {
    fn fresh(backend: &str, name: &str) -> Database {
        let dir = std::env::temp_dir().join(format!("motcua-bench-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench dir");
        if backend == "postgres" {
            let server = std::env::var("MOTCUA_BENCH_POSTGRES_URL")
                .expect("MOTCUA_BENCH_POSTGRES_URL for the PostgreSQL run");
            let db = format!("motcua_bench_{}_{name}", std::process::id());
            psql(&server, &format!("DROP DATABASE IF EXISTS {db}"));
            psql(&server, &format!("CREATE DATABASE {db}"));
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            Database {
                url: format!("{base}/{db}"),
                dir,
                postgres: Some((server.clone(), db)),
                kept: false,
            }
        } else {
            Database {
                url: dir.join("motcua.db").to_string_lossy().into_owned(),
                dir,
                postgres: None,
                kept: false,
            }
        }
    }

    /// The database of `size` dossiers kept under `data` by an earlier run, with how long
    /// its seeding took; else a fresh one to seed, kept there.
    fn kept(backend: &str, size: u64, data: &std::path::Path) -> (Database, Option<f64>) {
        let dir = data.join(format!("{backend}-{size}"));
        let seeded = std::fs::read_to_string(dir.join("seeded"))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        std::fs::create_dir_all(&dir).expect("data dir");
        let url = if backend == "postgres" {
            let server = std::env::var("MOTCUA_BENCH_POSTGRES_URL")
                .expect("MOTCUA_BENCH_POSTGRES_URL for the PostgreSQL run");
            let db = format!("motcua_bench_{size}");
            if seeded.is_none() {
                psql(
                    &server,
                    &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                );
                psql(&server, &format!("CREATE DATABASE {db}"));
            }
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{db}")
        } else {
            if seeded.is_none() {
                for file in ["motcua.db", "motcua.db-wal", "motcua.db-shm"] {
                    let _ = std::fs::remove_file(dir.join(file));
                }
            }
            dir.join("motcua.db").to_string_lossy().into_owned()
        };
        let database = Database {
            url,
            dir,
            postgres: None,
            kept: true,
        };
        (database, seeded)
    }

    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DATABASE_URL".into(), self.url.clone()),
            (
                "MOTCUA_JWT_SECRET_FILE".into(),
                self.dir.join("jwt.key").to_string_lossy().into_owned(),
            ),
            ("MOTCUA_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("MOTCUA_DEMO_PASSWORD".into(), DEMO_PASSWORD.into()),
            ("MOTCUA_LOGIN_LIMIT_PER_IP".into(), "1000000".into()),
            ("MOTCUA_LOGIN_LIMIT_PER_ACCOUNT".into(), "1000000".into()),
            // Kiosks here vote back to back, not one citizen at a time.
            ("MOTCUA_VOTE_REPEAT_GUARD_SECONDS".into(), "0".into()),
            // 20 citizens' browsers behind one address, looking up back to back.
            (
                "MOTCUA_PUBLIC_LOOKUPS_PER_MINUTE".into(),
                "100000000".into(),
            ),
        ]
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((server, db)) = &self.postgres {
            psql(
                server,
                &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            );
        }
        if !self.kept && std::env::var_os("MOTCUA_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn psql(server: &str, sql: &str) {
    let status = Command::new("psql")
        .args([server, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .stdout(Stdio::null())
        .status()
        .expect("psql");
    assert!(status.success(), "psql: {sql}");
}

/// Runs a one-off command; how long it took, in seconds.
fn motcua(database: &Database, args: &[&str]) -> f64 {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .envs(database.env())
        .env("RUST_LOG", "warn")
        .status()
        .expect("run motcua");
    assert!(status.success(), "motcua {args:?}");
    let seconds = started.elapsed().as_secs_f64();
    println!("  motcua {} took {seconds:.1} s", args.join(" "));
    seconds
}

/// The release server on a free loopback port.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(database: &Database) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let log = std::fs::File::create(database.dir.join("server.log")).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .arg("serve")
            .envs(database.env())
            .env("MOTCUA_BIND", format!("127.0.0.1:{port}"))
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start the server");
        let mut server = Server { child, port };
        // Migrations of a kept database may build indexes over millions of rows.
        for _ in 0..36_000 {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "the server stopped ({status}); see {}",
                    database.dir.display()
                );
            }
            if let Ok(mut c) = Client::connect(port) {
                if c.call("GET", "/health", None, None)
                    .is_ok_and(|r| r.0 == 200)
                {
                    return server;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not start; see {}", database.dir.display());
    }

    /// Peak resident memory so far (VmHWM), in MiB.
    fn peak_rss_mib(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    }

    fn client(&self) -> Client {
        Client::connect(self.port).expect("connect")
    }

    fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .client()
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .expect("login");
        assert_eq!(status, 200, "login {username}: {body}");
        body["access_token"].as_str().expect("token").to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive HTTP/1.1 connection, just enough for JSON over loopback.
struct Client {
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Client {
    fn connect(port: u16) -> std::io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Client {
            reader: BufReader::new(stream),
            port,
        })
    }

    /// A call whose JSON answer is parsed (after the latency is taken, in [`timed`]).
    fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> std::io::Result<(u16, Value)> {
        let (status, bytes) = self.fetch(method, path, token, body)?;
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    /// A call whose answer is read to its last byte but not parsed: the read phases
    /// measure the server, not the load generator decoding 200 KB of JSON on the
    /// cores the server needs.
    fn fetch(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let result = self.exchange(method, path, token, body.as_ref());
        if result.is_err() {
            // The server closed an idle connection: reconnect for the next call.
            *self = Client::connect(self.port)?;
        }
        result
    }

    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        if !body.is_empty() {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        let mut chunked = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let lower = header.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut bytes = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                bytes.extend_from_slice(&chunk[..size]);
            }
        } else {
            bytes.resize(length, 0);
            self.reader.read_exact(&mut bytes)?;
        }
        Ok((status, bytes))
    }
}

/// Runs `workers` threads for `seconds`, each calling `step` in a loop; a step returns
/// the latencies and success of the requests it made.
fn drive<S: Send + 'static>(
    workers: Vec<S>,
    seconds: u64,
    step: impl Fn(&mut S) -> Vec<(Duration, bool)> + Send + Sync + 'static,
) -> Stats {
    let stop = Arc::new(AtomicBool::new(false));
    let step = Arc::new(step);
    let started = Instant::now();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            let (stop, step) = (stop.clone(), step.clone());
            std::thread::spawn(move || {
                let mut stats = Stats::default();
                while !stop.load(Ordering::Relaxed) {
                    for (latency, ok) in step(&mut worker) {
                        stats.micros.push(latency.as_micros() as u64);
                        if ok {
                            stats.ok += 1;
                        } else {
                            stats.errors += 1;
                        }
                    }
                }
                stats
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut total = Stats::default();
    for handle in handles {
        total.merge(handle.join().expect("worker"));
    }
    total.seconds = started.elapsed().as_secs_f64();
    total
}

fn timed(
    client: &mut Client,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
    expect: u16,
) -> ((Duration, bool), Value) {
    let started = Instant::now();
    let answer = client.fetch(method, path, Some(token), body);
    let latency = started.elapsed();
    match answer {
        Ok((status, body)) => (
            (latency, status == expect),
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        ),
        Err(_) => ((latency, false), Value::Null),
    }
}

/// One read the benchmark measures: a manager's, a clerk's or a citizen's.
struct UserRead {
    name: String,
    path: String,
    /// `None` for the public lookup.
    token: Option<String>,
}

/// Every read a user makes all day, on the seeded province (issue 16's list): the
/// four dashboards, the searches and lists, the satisfaction and on-time groupings,
/// one dossier with its timeline and deadline, and the citizens' lookup.
fn reads(database: &Database, server: &Server) -> Vec<UserRead> {
    let manager = server.login("quanly.000.00.00.h56", DEMO_PASSWORD);
    let clerk = server.login("canbo.h56.01.01.1", DEMO_PASSWORD);
    let province = office_id(database, "000.00.00.H56");
    let district = office_id(database, "H56.01");
    let commune = office_id(database, "H56.01.01");
    let today = chrono::Utc::now().date_naive();
    let year = today.year();
    let year_ago = today - chrono::Days::new(365);
    // A month and a quarter well inside the seeded year.
    let month = today - chrono::Months::new(9);
    let month_start = month.with_day(1).expect("day 1");
    let month_end = month_start + chrono::Months::new(1) - chrono::Days::new(1);
    let quarter = today - chrono::Months::new(6);
    let quarter_start = quarter
        .with_day(1)
        .and_then(|d| d.with_month0(d.month0() / 3 * 3))
        .expect("quarter start");
    let quarter_end = quarter_start + chrono::Months::new(3) - chrono::Days::new(1);
    let (from, to) = (
        today - chrono::Days::new(260),
        today - chrono::Days::new(30),
    );
    // The newest dossier of the commune, for the single-dossier reads.
    let (status, page) = server
        .client()
        .call("GET", "/api/v1/dossiers?limit=1", Some(&clerk), None)
        .expect("a dossier");
    assert_eq!(status, 200, "{page}");
    let dossier = page["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let code = page["items"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let v1 = "/api/v1";
    let read = |name: &str, path: String, token: &str| UserRead {
        name: name.to_owned(),
        path,
        token: Some(token.to_owned()),
    };
    let m = manager.as_str();
    vec![
        read("dashboard: province by district, this year", format!("{v1}/stats/on-time?office_id={province}&from={year}-01-01&to={year}-12-31&group_by=office"), m),
        read("dashboard: district by field, a quarter", format!("{v1}/stats/on-time?office_id={district}&from={quarter_start}&to={quarter_end}&group_by=field"), m),
        read("dashboard: commune by month, 12 months", format!("{v1}/stats/on-time?office_id={commune}&from={year_ago}&to={today}&group_by=month"), m),
        read("overdue worklist of a district, first page", format!("{v1}/worklists/overdue?office_id={district}"), m),
        read("search: q=nguyen van, the province", format!("{v1}/dossiers?q=nguyen%20van"), m),
        read("search: q=000.00.00.H56-26 (code fragment)", format!("{v1}/dossiers?q=000.00.00.H56-26"), m),
        read("search: q=nguyen van, a commune clerk", format!("{v1}/dossiers?q=nguyen%20van"), &clerk),
        read("list: a district, received in a month", format!("{v1}/dossiers?office_id={district}&received_from={month_start}&received_to={month_end}"), m),
        read("list: the province, late, field Hộ tịch", format!("{v1}/dossiers?office_id={province}&verdict=late&field=H%E1%BB%99%20t%E1%BB%8Bch"), m),
        read("list: the province, processing", format!("{v1}/dossiers?office_id={province}&status=processing"), m),
        read("list: within a district, late", format!("{v1}/dossiers?within={district}&verdict=late"), m),
        read("list: the province, overdue", format!("{v1}/dossiers?overdue=true"), m),
        read("satisfaction: province by hour, 12 months", format!("{v1}/stats/satisfaction?office_id={province}&from={year_ago}&to={today}&group_by=hour"), m),
        read("satisfaction: district by clerk, a quarter", format!("{v1}/stats/satisfaction?office_id={district}&from={quarter_start}&to={quarter_end}&group_by=clerk"), m),
        read("satisfaction: commune by month, 12 months", format!("{v1}/stats/satisfaction?office_id={commune}&from={year_ago}&to={today}&group_by=month"), m),
        read("on-time: province by clerk, a quarter", format!("{v1}/stats/on-time?office_id={province}&from={quarter_start}&to={quarter_end}&group_by=clerk"), m),
        read("on-time: province by procedure, 8 months", format!("{v1}/stats/on-time?office_id={province}&from={from}&to={to}&group_by=procedure"), m),
        read("one dossier", format!("{v1}/dossiers/{dossier}"), &clerk),
        read("its timeline", format!("{v1}/dossiers/{dossier}/events"), &clerk),
        read("its deadline explained", format!("{v1}/dossiers/{dossier}/deadline"), &clerk),
        UserRead {
            name: "public lookup by code".to_owned(),
            path: format!("{v1}/public/dossiers/{code}"),
            token: None,
        },
    ]
}

/// Durable single-row inserts into `votes`, one transaction each, one connection,
/// with the service's own connection settings: what one fsync per vote allows.
fn baseline_inserts_per_second(database: &Database, seconds: u64) -> f64 {
    use diesel::prelude::*;
    use motcua::db::schema::{kiosks, offices, votes};
    let backend = motcua::db::Backend::from_url(&database.url);
    let mut conn = motcua::db::connect(&backend).expect("connect");
    motcua::db::run_migrations(&mut conn).expect("migrate");
    let now = chrono::Utc::now().naive_utc();
    let office = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(offices::table)
        .values((
            offices::id.eq(&office),
            offices::code.eq("BENCH.01"),
            offices::name.eq("Baseline"),
            offices::level.eq("commune"),
            offices::path.eq(format!("/{office}/")),
            offices::created_at.eq(now),
            offices::updated_at.eq(now),
        ))
        .execute(&mut conn)
        .expect("office");
    let kiosk = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(kiosks::table)
        .values((
            kiosks::id.eq(&kiosk),
            kiosks::office_id.eq(&office),
            kiosks::name.eq("baseline"),
            kiosks::token_hash.eq("baseline"),
            kiosks::created_at.eq(now),
        ))
        .execute(&mut conn)
        .expect("kiosk");
    let started = Instant::now();
    let mut inserted = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        let at = chrono::Utc::now().naive_utc();
        diesel::insert_into(votes::table)
            .values((
                votes::id.eq(uuid::Uuid::now_v7().to_string()),
                votes::kiosk_id.eq(&kiosk),
                votes::office_id.eq(&office),
                votes::rating.eq("satisfied"),
                votes::cast_at.eq(at),
                votes::cast_date.eq(at.date()),
                votes::cast_hour.eq(9),
                votes::received_at.eq(at),
                votes::content_hash.eq("baseline"),
            ))
            .execute(&mut conn)
            .expect("insert");
        inserted += 1;
    }
    let rate = inserted as f64 / started.elapsed().as_secs_f64();
    diesel::delete(votes::table)
        .execute(&mut conn)
        .expect("clean");
    diesel::delete(kiosks::table)
        .execute(&mut conn)
        .expect("clean");
    diesel::delete(offices::table)
        .execute(&mut conn)
        .expect("clean");
    rate
}

fn office_id(database: &Database, code: &str) -> String {
    let backend = motcua::db::Backend::from_url(&database.url);
    let mut conn = motcua::db::connect(&backend).expect("connect");
    motcua::db::offices::find_by_code(&mut conn, code)
        .expect("query")
        .unwrap_or_else(|| panic!("no office {code}"))
        .id
        .to_string()
}

fn ms(stats: &Stats) -> String {
    format!(
        "p50 {:.1} ms, p99 {:.1} ms",
        stats.percentile(0.50),
        stats.percentile(0.99)
    )
}

/// Watches the size of a SQLite database's WAL file while it lives; [`WalWatch::peak`]
/// is the largest seen (sampled every 20 ms).
struct WalWatch {
    peak: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl WalWatch {
    fn start(database: &Database) -> WalWatch {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let peak = std::sync::Arc::new(AtomicU64::new(0));
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let wal = format!("{}-wal", database.url);
        let (seen, stopped) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                seen.fetch_max(size, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        WalWatch { peak, stop }
    }

    fn peak_mib(&self) -> f64 {
        self.peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / (1 << 20) as f64
    }
}

impl Drop for WalWatch {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn run_backend(backend: &str, options: &Options, report: &mut Report) {
    println!("== {backend}: writes");
    let database = Database::fresh(backend, "writes");
    let baseline = baseline_inserts_per_second(&database, options.seconds.min(10));
    report.add(
        backend,
        "baseline: durable single-row inserts into `votes`, no HTTP",
        format!("{baseline:.0}/s"),
        "",
    );
    motcua(
        &database,
        &["seed-demo", "--dossiers", "0", "--months", "1"],
    );
    let server = Server::start(&database);
    let wal = (backend == "sqlite").then(|| WalWatch::start(&database));
    let admin = server.login("admin", ADMIN_PASSWORD);
    // Kiosks across the province's communes, each with its own token.
    let kiosk_count = if options.smoke { 70 } else { 1_000 };
    let communes: Vec<String> = (1..=8)
        .flat_map(|d| (1..=8).map(move |c| format!("H56.{d:02}.{c:02}")))
        .collect();
    let commune_ids: Vec<String> = communes.iter().map(|c| office_id(&database, c)).collect();
    let mut client = server.client();
    let tokens: Vec<String> = (0..kiosk_count)
        .map(|i| {
            let (status, body) = client
                .call(
                    "POST",
                    "/api/v1/kiosks",
                    Some(&admin),
                    Some(json!({"office_id": commune_ids[i % commune_ids.len()], "name": format!("Máy {i}")})),
                )
                .expect("create kiosk");
            assert_eq!(status, 201, "{body}");
            body["token"].as_str().expect("token").to_owned()
        })
        .collect();
    for (label, distinct) in [("64 kiosks", 64usize), ("1,000 kiosk tokens", kiosk_count)] {
        let workers: Vec<(Client, Vec<String>, usize)> = (0..64)
            .map(|w| {
                let mine: Vec<String> = tokens[..distinct.max(64)]
                    .iter()
                    .skip(w)
                    .step_by(64)
                    .cloned()
                    .collect();
                (server.client(), mine, 0)
            })
            .collect();
        let stats = drive(workers, options.seconds, |(client, tokens, next)| {
            *next = (*next + 1) % tokens.len();
            let vote = json!({
                "id": uuid::Uuid::new_v4(),
                "rating": "satisfied",
                "cast_at": chrono::Utc::now().to_rfc3339(),
            });
            vec![
                timed(
                    client,
                    "POST",
                    "/api/v1/votes",
                    &tokens[*next],
                    Some(vote),
                    201,
                )
                .0,
            ]
        });
        println!(
            "  votes, {label}: {:.0}/s, {}",
            stats.per_second(),
            ms(&stats)
        );
        report.add(
            backend,
            &format!("votes/s, 64 concurrent, {label}"),
            format!("{:.0}/s ({} errors)", stats.per_second(), stats.errors),
            "≥ 1,000/s and ≥ 1.0 × baseline",
        );
        report.add(
            backend,
            &format!("vote latency, {label}"),
            ms(&stats),
            "p99 ≤ 50 ms",
        );
        if distinct == 64 {
            report.ratios.push((
                backend.to_owned(),
                "votes/s ÷ baseline inserts/s (64 kiosks)".to_owned(),
                format!("{:.2}", stats.per_second() / baseline),
            ));
        }
    }
    // 16 clerks at 16 communes: receive a dossier, then 4 steps.
    let district = office_id(&database, "H56.01");
    let clerks: Vec<(Client, String, String)> = communes
        .iter()
        .take(16)
        .map(|c| {
            let token = server.login(&format!("canbo.{}.1", c.to_lowercase()), DEMO_PASSWORD);
            (server.client(), token, district.clone())
        })
        .collect();
    let stats = drive(clerks, options.seconds, |(client, token, _)| {
        let body = json!({"procedure_code": "1.001193", "channel": "in_person",
                          "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"}});
        let (first, dossier) = timed(client, "POST", "/api/v1/dossiers", token, Some(body), 201);
        let mut out = vec![first];
        let Some(id) = dossier["id"].as_str().map(str::to_owned) else {
            return out;
        };
        let path = format!("/api/v1/dossiers/{id}/events");
        for event in [
            json!({"type": "request_supplement", "note": "thiếu bản sao CCCD"}),
            json!({"type": "supplement_received"}),
            json!({"type": "resolve", "outcome": "approved"}),
            json!({"type": "return_result"}),
        ] {
            out.push(timed(client, "POST", &path, token, Some(event), 200).0);
        }
        out
    });
    println!(
        "  clerks: {:.0} events/s, {}",
        stats.per_second(),
        ms(&stats)
    );
    report.add(
        backend,
        "dossier events/s, 16 clerks (receive + 4 steps)",
        format!("{:.0}/s ({} errors)", stats.per_second(), stats.errors),
        "≥ 300/s",
    );
    report.add(backend, "dossier event latency", ms(&stats), "p99 ≤ 100 ms");
    if let Some(wal) = wal {
        println!("  WAL peak: {:.1} MiB", wal.peak_mib());
        report.add(
            backend,
            "WAL file peak size, votes and clerks' load",
            format!("{:.1} MiB", wal.peak_mib()),
            "bounded: ≤ 128 MiB (64 MiB journal_size_limit + a round)",
        );
    }
    let mut peak = server.peak_rss_mib();
    drop(server);
    drop(database);

    let mut p99s: Vec<(u64, Vec<(String, f64)>)> = Vec::new();
    for &size in &options.sizes {
        println!("== {backend}: dashboards on {size} dossiers");
        let (database, seeded) = match &options.data {
            Some(data) => Database::kept(backend, size, data),
            None => (Database::fresh(backend, &format!("d{size}")), None),
        };
        let seconds = match seeded {
            Some(seconds) => {
                println!("  kept from an earlier run: {}", database.dir.display());
                seconds
            }
            None => {
                let size = size.to_string();
                let args = ["seed-demo", "--dossiers", &size, "--months", "12"];
                let seconds = motcua(&database, &args);
                if database.kept {
                    std::fs::write(database.dir.join("seeded"), format!("{seconds:.0}"))
                        .expect("mark the kept database seeded");
                }
                seconds
            }
        };
        report.add(
            backend,
            &format!("`seed-demo --dossiers {size} --months 12`"),
            format!("{:.1} min", seconds / 60.0),
            "< 30 min at 10 M",
        );
        let server = Server::start(&database);
        let queries = reads(&database, &server);
        let mut p99 = Vec::new();
        for read in &queries {
            let workers: Vec<(Client, Option<String>, String)> = (0..20)
                .map(|_| (server.client(), read.token.clone(), read.path.clone()))
                .collect();
            let stats = drive(workers, options.seconds.min(15), |(client, token, path)| {
                let started = Instant::now();
                let answer = client.fetch("GET", path, token.as_deref(), None);
                vec![(
                    started.elapsed(),
                    answer.is_ok_and(|(status, _)| status == 200),
                )]
            });
            println!(
                "  {}: {:.0}/s, {}",
                read.name,
                stats.per_second(),
                ms(&stats)
            );
            report.add(
                backend,
                &format!("{} at {size} dossiers (20 concurrent)", read.name),
                format!(
                    "{}; {:.0}/s ({} errors)",
                    ms(&stats),
                    stats.per_second(),
                    stats.errors
                ),
                "p99 ≤ 50 ms",
            );
            p99.push((read.name.clone(), stats.percentile(0.99)));
        }
        p99s.push((size, p99));
        peak = peak.max(server.peak_rss_mib());
    }
    if let [(small, first), .., (large, last)] = p99s.as_slice() {
        for ((name, before), (_, after)) in first.iter().zip(last) {
            report.ratios.push((
                backend.to_owned(),
                format!("p99 at {large} ÷ p99 at {small}: {name}"),
                format!("{:.2}", after / before.max(0.001)),
            ));
        }
    }
    report.add(
        backend,
        "server peak resident memory (VmHWM), all phases",
        format!("{peak:.0} MiB"),
        "≤ 256 MiB",
    );
}
