//! The `motcua` command: serves the API (default) and runs maintenance tasks.

use std::process::ExitCode;

use actix_web::{web, HttpServer};
use motcua::config::Config;
use motcua::domain::account::Role;
use motcua::{bootstrap_admin, db, metrics_app, openapi_json, serve_api, telemetry, AppState};

const USAGE: &str = "usage: motcua [serve | migrate | openapi | recount | backup FILE
              | create-user USERNAME ROLE [OFFICE_CODE]
              | seed-demo [--dossiers N] [--months M] [--seed S] [--until YYYY-MM-DD]]

  serve        run the HTTP API (default)
  migrate      apply pending database migrations and exit
  openapi      print the OpenAPI document (regenerate api-docs/openapi.json with it)
  recount      recompute the dashboards' daily counters from the dossiers, report
               any difference and repair it; exits 3 when there was one, 0 when all
               agreed
  backup       write a consistent copy of the SQLite database to FILE (new or empty,
               mode 0600) while the service runs, check it (integrity_check, rows)
               and say how long it took; on PostgreSQL use pg_dump (README)
  tls-selfsigned
               make a private certificate authority and an HTTPS certificate for
               the HOSTs (names or IP addresses the tablets use) in DIR:
               motcua-ca.pem (install on each tablet), motcua-cert.pem and
               motcua-key.pem (MOTCUA_TLS_CERT, MOTCUA_TLS_KEY)
  create-user  create an account; the password is read from MOTCUA_NEW_PASSWORD
               ROLE is admin, manager or clerk; managers and clerks need an office code
  seed-demo    fill an empty database with a demo province and its history:
               N dossiers (default 100000) over the M months (default 12) up to
               --until (default today), drawn from seed S (default 1); every demo
               account's password is MOTCUA_DEMO_PASSWORD (default Motcua-Demo-2026)

Configuration comes from environment variables: see README.md.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if command == "openapi" {
        print!("{}", openapi_json());
        return ExitCode::SUCCESS;
    }
    if command == "tls-selfsigned" {
        return match tls_selfsigned(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&e.to_string()),
    };
    telemetry::init_logging(config.log_json);
    let result = match command {
        "serve" => serve(config),
        "migrate" => db::connect(&db::Backend::from_url(&config.database_url))
            .and_then(|mut conn| db::run_migrations(&mut conn))
            .map_err(|e| e.to_string()),
        "create-user" => create_user(config, &args[1..]),
        "recount" => match recount(config) {
            // Differences were found (and repaired): cron and monitoring must notice.
            Ok(true) => return ExitCode::from(RECOUNT_DIFFERED),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        },
        "backup" => backup(config, &args[1..]),
        "seed-demo" => seed_demo(config, &args[1..]),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("motcua: {message}");
    ExitCode::FAILURE
}

fn create_user(config: Config, args: &[String]) -> Result<(), String> {
    let (username, role) = match args {
        [username, role, ..] => (
            username,
            Role::parse(role).ok_or("ROLE is admin, manager or clerk")?,
        ),
        _ => return Err(USAGE.to_owned()),
    };
    let password = std::env::var("MOTCUA_NEW_PASSWORD").map_err(|_| "set MOTCUA_NEW_PASSWORD")?;
    let mut conn = command_connection(&config)?;
    let office_id = match args.get(2) {
        Some(code) => Some(
            db::offices::find_by_code(&mut conn, code)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no office with code {code}"))?
                .id,
        ),
        None => None,
    };
    let user = motcua::create_user(
        &mut conn,
        username,
        &password,
        username,
        role,
        office_id.as_ref(),
    )?;
    println!("created {} ({})", user.username, user.id);
    Ok(())
}

/// One migrated connection for a one-off command. No pool and no background threads
/// (the vote writer and the stats folder belong to `serve`): a thread still talking to
/// PostgreSQL while the process exits could bring it down after its work was done.
fn command_connection(config: &Config) -> Result<db::AnyConnection, String> {
    let mut conn =
        db::connect(&db::Backend::from_url(&config.database_url)).map_err(|e| e.to_string())?;
    db::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    db::write_tx(&mut conn, |conn| {
        db::calendar::seed_defaults(conn, chrono::Utc::now().naive_utc())
    })
    .map_err(|e| format!("loading the holiday calendar: {e}"))?;
    Ok(conn)
}

/// The exit code of `motcua recount` when the counters differed from the dossiers.
const RECOUNT_DIFFERED: u8 = 3;

/// Recounts and repairs the dashboards' counters; `true` when any differed.
fn recount(config: Config) -> Result<bool, String> {
    let mut conn = command_connection(&config)?;
    let dossiers = db::stats::recount(&mut conn, true).map_err(|e| e.to_string())?;
    println!(
        "recounted {} dossiers into {} rollup rows: {} differed",
        dossiers.dossiers, dossiers.rows_expected, dossiers.rows_differing
    );
    let votes = db::vote_stats::recount(&mut conn, true).map_err(|e| e.to_string())?;
    println!(
        "recounted {} votes into {} rollup rows: {} differed",
        votes.votes, votes.rows_expected, votes.rows_differing
    );
    for example in dossiers.examples.iter().chain(&votes.examples) {
        println!("  {example}");
    }
    let differed = dossiers.rows_differing + votes.rows_differing > 0;
    if differed {
        println!("repaired");
    }
    Ok(differed)
}

/// Writes a LAN's certificate authority and the server's certificate and key.
fn tls_selfsigned(args: &[String]) -> Result<(), String> {
    let [dir, hosts @ ..] = args else {
        return Err(USAGE.to_owned());
    };
    if hosts.is_empty() {
        return Err(format!(
            "name at least one HOST the tablets will use\n\n{USAGE}"
        ));
    }
    let dir = std::path::Path::new(dir);
    let files = ["motcua-ca.pem", "motcua-cert.pem", "motcua-key.pem"].map(|f| dir.join(f));
    if let Some(taken) = files.iter().find(|f| f.exists()) {
        return Err(format!(
            "{} exists: choose another directory",
            taken.display()
        ));
    }
    let made = motcua::tls::lan_certificates(hosts)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |path: &std::path::Path, text: &str| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(&files[0], &made.authority)?;
    write(&files[1], &made.chain)?;
    // The key is a secret: created private, then written.
    motcua::private_files::create_file(&files[2]).map_err(|e| e.to_string())?;
    write(&files[2], &made.key)?;
    println!(
        "wrote {}, {} and {} for {}\n\
         serve with MOTCUA_TLS_CERT={} MOTCUA_TLS_KEY={}\n\
         install {} on each tablet as a CA certificate (README: Kiosks and votes)",
        files[0].display(),
        files[1].display(),
        files[2].display(),
        hosts.join(", "),
        files[1].display(),
        files[2].display(),
        files[0].display(),
    );
    Ok(())
}

/// Copies the database while the service runs, then checks the copy.
fn backup(config: Config, args: &[String]) -> Result<(), String> {
    let [target] = args else {
        return Err(USAGE.to_owned());
    };
    let target = std::path::Path::new(target);
    if std::fs::metadata(target).is_ok_and(|m| m.len() > 0) {
        return Err(format!(
            "{} exists: back up to a new file",
            target.display()
        ));
    }
    let backend = db::Backend::from_url(&config.database_url);
    if let db::Backend::Postgres(_) = backend {
        return Err(
            "on PostgreSQL, back up with pg_dump or a base backup (README: PostgreSQL)".into(),
        );
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        motcua::private_files::create_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // Personal data: the copy is as private as the database.
    motcua::private_files::create_file(target).map_err(|e| format!("{}: {e}", target.display()))?;
    let started = std::time::Instant::now();
    let mut conn = db::connect(&backend).map_err(|e| e.to_string())?;
    db::backup::vacuum_into(&mut conn, target).map_err(|e| e.to_string())?;
    let copied = started.elapsed();
    let rows = db::backup::verify(target).map_err(|e| {
        let _ = std::fs::remove_file(target);
        format!("{e}; the copy was removed")
    })?;
    let size = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    let counts: Vec<String> = rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!(
        "backup: {} ({:.1} MB) copied in {:.2} s, checked in {:.2} s: integrity ok; {}",
        target.display(),
        size as f64 / 1e6,
        copied.as_secs_f64(),
        (started.elapsed() - copied).as_secs_f64(),
        counts.join(", ")
    );
    Ok(())
}

fn seed_demo(config: Config, args: &[String]) -> Result<(), String> {
    let mut options = motcua::demo::SeedOptions {
        dossiers: 100_000,
        months: 12,
        seed: 1,
        until: motcua::domain::calendar::local_date(chrono::Utc::now()),
        password: std::env::var("MOTCUA_DEMO_PASSWORD")
            .unwrap_or_else(|_| "Motcua-Demo-2026".to_owned()),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or(format!("{flag} needs a value\n\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--dossiers" => options.dossiers = value.parse().map_err(|e| bad(&e))?,
            "--months" => options.months = value.parse().map_err(|e| bad(&e))?,
            "--seed" => options.seed = value.parse().map_err(|e| bad(&e))?,
            "--until" => options.until = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
        }
    }
    if !(1..=120).contains(&options.months) {
        return Err("--months is between 1 and 120".to_owned());
    }
    let state = AppState::new(config)?;
    // The administrator first, as a first start would create it.
    bootstrap_admin(&state)?;
    let report = motcua::demo::seed(&state.pool, &options)?;
    println!(
        "seeded {} offices, {} procedures, {} accounts, {} dossiers ({} events, {} votes) and {} rollup rows in {:.1} s",
        report.offices,
        report.procedures,
        report.accounts.len(),
        report.dossiers,
        report.events,
        report.votes,
        report.rollup_rows,
        report.seconds
    );
    println!(
        "log in as quanly.000.00.00.h56 (province manager), quanly.h56.01 (a district) or canbo.h56.01.01.1 (a commune clerk) with the demo password"
    );
    Ok(())
}

fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind.clone();
    let state = AppState::new(config)?;
    bootstrap_admin(&state)?;
    let state = web::Data::new(state);
    tracing::info!(bind = %bind, database = state.backend.name(), "motcua listening");
    let metrics_bind = state.config.metrics_bind.clone();
    actix_web::rt::System::new().block_on(async move {
        let metrics_state = state.clone();
        let (api, _) =
            serve_api(state, &bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let Some(metrics_bind) = metrics_bind else {
            return api.await.map_err(|e| e.to_string());
        };
        tracing::info!(bind = %metrics_bind, "metrics listening");
        let metrics = HttpServer::new(move || metrics_app(metrics_state.clone()))
            .workers(1)
            .bind(&metrics_bind)
            .map_err(|e| format!("cannot listen on {metrics_bind}: {e}"))?
            .run();
        let (api, metrics) = futures_util::future::join(api, metrics).await;
        api.and(metrics).map_err(|e| e.to_string())
    })
}
