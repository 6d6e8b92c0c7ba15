//! `motcua seed-demo`: fills an empty database with a believable province (offices,
//! procedures, staff, kiosks) and a history of dossiers and votes, fast enough for
//! tens of millions of dossiers.
//!
//! Every dossier lives through the real rules ([`life`]); one thread draws the lives
//! while this one writes them in large transactions (`COPY` on PostgreSQL, multi-row
//! inserts on SQLite). The dashboards' rollups are then built by the same recount
//! that `motcua recount` runs, so it finds nothing to repair. Ids and times come from
//! a seeded generator: the same `--seed` and `--until` give the same data.

pub mod catalogue;
pub mod life;

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::dossiers::{DossierRow, EventRow};
use crate::db::stats::FineCounts;
use crate::db::votes::VoteRow;
use crate::db::{self, AnyConnection};
use crate::domain::account::Role;
use crate::domain::calendar::{local_date, vn_offset, Calendar};
use crate::domain::codes::dossier_code;
use crate::domain::deadline::Channel;
use crate::domain::dossier::Event;
use crate::domain::ids::{DossierId, KioskId, OfficeId, UserId};
use crate::domain::kpi::{contributions, DayCounters};
use crate::domain::office::{child_path, OfficeLevel};
use crate::service::votes::VoteInput;
use catalogue::{Level, DISTRICTS, PROCEDURES, PROVINCE};
use life::{live, office_instant, Filing};

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub dossiers: u64,
    pub months: u32,
    pub seed: u64,
    /// The end of the history (local date); dossiers later than this are still open.
    pub until: NaiveDate,
    /// Password of every demo account.
    pub password: String,
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub offices: usize,
    pub procedures: usize,
    pub accounts: Vec<String>,
    pub dossiers: u64,
    pub events: u64,
    pub votes: u64,
    pub rollup_rows: usize,
    pub seconds: f64,
}

/// An office of the demo tree, with the staff and kiosk the history uses.
struct DemoOffice {
    id: OfficeId,
    code: String,
    level: Level,
    parent: Option<usize>,
    clerks: Vec<UserId>,
    kiosk_id: KioskId,
    /// Share of the province's dossiers received here.
    weight: f64,
}

/// What the writer stores in one transaction.
#[derive(Default)]
struct Batch {
    dossiers: Vec<DossierRow>,
    events: Vec<EventRow>,
    votes: Vec<VoteRow>,
}

const BATCH_DOSSIERS: usize = 20_000;
const LOADED_TABLES: [&str; 3] = ["dossiers", "dossier_events", "votes"];

/// What the generator hands back besides the batches.
#[derive(Default)]
struct Drawn {
    /// The last sequence number of each office and day.
    sequences: Vec<(OfficeId, NaiveDate, i32)>,
    /// The finest dashboard counters of each office, for the rollups.
    fine: HashMap<String, FineCounts>,
}

pub fn seed(pool: &db::DbPool, options: &SeedOptions) -> Result<SeedReport, String> {
    let started = Instant::now();
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let conn: &mut AnyConnection = &mut conn;
    let exists = db::schema::offices::table
        .select(db::schema::offices::id)
        .first::<String>(conn)
        .optional()
        .map_err(|e| e.to_string())?;
    if exists.is_some() {
        return Err("seed-demo fills an empty database, and this one has offices already; point DATABASE_URL at a new one".to_owned());
    }
    crate::domain::account::check_password(&options.password, "canbo")
        .map_err(|m| format!("demo password {m}"))?;
    let calendar = db::calendar::load(conn, Default::default()).map_err(|e| e.to_string())?;
    #[cfg(feature = "sqlite")]
    #[allow(irrefutable_let_patterns)] // without the postgres feature
    if let AnyConnection::Sqlite(c) = conn {
        // A large page cache keeps the indexes' hot pages in memory while loading;
        // a second thread sorts while the indexes are built again after it. The WAL
        // is copied back at each commit past 64 MiB (the server's connections leave
        // that to its folder, which a seed does not run): every page read looks
        // through the WAL's index, and at 10 M it had grown to 10 GB.
        use diesel::connection::SimpleConnection;
        c.batch_execute(
            "PRAGMA cache_size = -1048576; PRAGMA threads = 2; PRAGMA wal_autocheckpoint = 16384",
        )
        .map_err(|e| e.to_string())?;
    }
    let until = local_date_end(options.until);
    let start = options
        .until
        .checked_sub_months(chrono::Months::new(options.months))
        .ok_or("--months is too large")?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut report = SeedReport::default();
    let created = local_date_end(start) - Duration::days(30);
    let (offices, procedures) = db::write_tx(conn, |conn| {
        let offices = create_offices(conn, &mut rng, created, options, &mut report)?;
        let procedures = create_procedures(conn, &mut rng, created)?;
        Ok::<_, diesel::result::Error>((offices, procedures))
    })
    .map_err(|e| e.to_string())?;
    report.offices = offices.len();
    report.procedures = procedures.len();

    let (sender, receiver) = mpsc::sync_channel::<Batch>(2);
    let history = History {
        offices: &offices,
        procedures: &procedures,
        calendar: &calendar,
        start,
        until,
        seed: options.seed,
        total: options.dossiers,
    };
    let indexes = db::bulk::relax_for_load(conn, &LOADED_TABLES).map_err(|e| e.to_string())?;
    // PostgreSQL writes a batch's events and votes on a second connection while the
    // next batch's dossiers go in (after their dossiers committed: foreign keys).
    // SQLite has one writer: everything goes in one transaction per batch.
    let pipelined = is_postgres(conn);
    let mut drawn = Drawn::default();
    let loaded = std::thread::scope(|scope| -> Result<(), String> {
        let drawer = scope.spawn(|| history.draw(sender));
        let (to_second, second_receiver) = mpsc::sync_channel::<Batch>(1);
        let second = scope.spawn(move || -> Result<(), String> {
            let mut conn = if pipelined {
                Some(pool.get().map_err(|e| e.to_string())?)
            } else {
                None
            };
            for batch in second_receiver {
                if let Some(conn) = conn.as_mut() {
                    db::write_tx(conn, |conn| write_dependents(conn, &batch))
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        });
        for mut batch in receiver {
            // Stored in id order, as the desks store them: the search index returns
            // matches in the order rows were stored (src/db/search.rs).
            batch.dossiers.sort_unstable_by(|a, b| a.id.cmp(&b.id));
            report.dossiers += batch.dossiers.len() as u64;
            report.events += batch.events.len() as u64;
            report.votes += batch.votes.len() as u64;
            db::write_tx(conn, |conn| {
                write_dossiers(conn, &batch.dossiers)?;
                if !pipelined {
                    write_dependents(conn, &batch)?;
                }
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(|e| e.to_string())?;
            tracing::info!(dossiers = report.dossiers, "seeding");
            if pipelined {
                batch.dossiers.clear();
                if to_second.send(batch).is_err() {
                    break;
                }
            }
        }
        drop(to_second);
        second.join().map_err(|_| "the second writer failed")??;
        drawn = drawer.join().map_err(|_| "the history generator failed")?;
        Ok(())
    });
    tracing::info!(
        seconds = started.elapsed().as_secs(),
        "dossiers written; restoring indexes and keys"
    );
    // Rebuilt even when the load failed half-way, so the database stays usable.
    let indexed = db::bulk::restore_after_load(conn, &indexes).map_err(|e| e.to_string());
    loaded?;
    indexed?;
    let sequences = drawn.sequences;
    db::write_tx(conn, |conn| {
        use db::schema::dossier_sequences as s;
        let rows: Vec<_> = sequences
            .iter()
            .map(|(office, day, last)| {
                (
                    s::office_id.eq(office),
                    s::day.eq(day),
                    s::last_value.eq(last),
                )
            })
            .collect();
        db::insert_all!(&mut *conn, s::table, &rows)?;
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(|e| e.to_string())?;
    tracing::info!(
        seconds = started.elapsed().as_secs(),
        "building the rollups"
    );
    let mut fine = drawn.fine;
    let recount = db::stats::rebuild_from(conn, &mut |office_id| {
        fine.remove(office_id).unwrap_or_default()
    })
    .map_err(|e| e.to_string())?;
    tracing::info!(
        seconds = started.elapsed().as_secs(),
        "rollups built; analyzing"
    );
    // Votes were copied in without their deltas: their counters come from them at once.
    let votes = db::vote_stats::recount(conn, true).map_err(|e| e.to_string())?;
    report.rollup_rows = recount.rows_expected + votes.rows_expected;
    db::analyze(conn).map_err(|e| e.to_string())?;
    if report.dossiers > 0 {
        db::mark_all_visible(conn).map_err(|e| e.to_string())?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The last instant of a local day.
fn local_date_end(day: NaiveDate) -> DateTime<Utc> {
    crate::domain::calendar::local_instant(day, chrono::NaiveTime::MIN) + Duration::days(1)
        - Duration::seconds(1)
}

/// A UUID v7 for an instant, its random part drawn from the seeded generator.
/// An id of any kind, time-ordered at `at`, drawn from the seeded generator.
fn id_at<T: From<uuid::Uuid>>(at: DateTime<Utc>, rng: &mut impl Rng) -> T {
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis() as u64, &rng.random())
        .into_uuid()
        .into()
}

fn create_offices(
    conn: &mut AnyConnection,
    rng: &mut StdRng,
    created: DateTime<Utc>,
    options: &SeedOptions,
    report: &mut SeedReport,
) -> QueryResult<Vec<DemoOffice>> {
    let mut tree = Tree {
        conn,
        rng,
        now: created.naive_utc(),
        created,
        password_hash: crate::auth::password::hash_password_blocking(&options.password),
        offices: Vec::new(),
        paths: Vec::new(),
        accounts: &mut report.accounts,
    };
    // Volumes like the district report: communes receive most dossiers.
    let communes: usize = DISTRICTS.iter().map(|(_, c)| c.len()).sum();
    let province = tree.add(PROVINCE.0, PROVINCE.1, Level::Province, None, 8, 0.03)?;
    for (d, (district, communes_here)) in DISTRICTS.iter().enumerate() {
        let code = format!("H56.{:02}", d + 1);
        let share = 0.12 / DISTRICTS.len() as f64;
        let parent = tree.add(&code, district, Level::District, Some(province), 5, share)?;
        for (c, commune) in communes_here.iter().enumerate() {
            let share = 0.85 / communes as f64;
            let code = format!("{code}.{:02}", c + 1);
            tree.add(&code, commune, Level::Commune, Some(parent), 3, share)?;
        }
    }
    Ok(tree.offices)
}

/// Builds the demo office tree with its staff and kiosks.
struct Tree<'a> {
    conn: &'a mut AnyConnection,
    rng: &'a mut StdRng,
    created: DateTime<Utc>,
    now: chrono::NaiveDateTime,
    password_hash: String,
    offices: Vec<DemoOffice>,
    paths: Vec<String>,
    accounts: &'a mut Vec<String>,
}

impl Tree<'_> {
    /// Adds an office with its manager (above communes), clerks and kiosk.
    fn add(
        &mut self,
        code: &str,
        name: &str,
        level: Level,
        parent: Option<usize>,
        clerks: usize,
        weight: f64,
    ) -> QueryResult<usize> {
        let id: OfficeId = id_at(self.created, self.rng);
        let path = child_path(parent.map(|p| self.paths[p].as_str()), &id);
        db::offices::insert(
            self.conn,
            &db::offices::OfficeRow {
                id: id.clone(),
                code: code.to_owned(),
                name: name.to_owned(),
                level: match level {
                    Level::Province => OfficeLevel::Province,
                    Level::District => OfficeLevel::District,
                    Level::Commune => OfficeLevel::Commune,
                },
                parent_id: parent.map(|p| self.offices[p].id.clone()),
                path: path.clone(),
                created_at: self.now,
                updated_at: self.now,
                opened_on: None,
            },
        )?;
        let slug = code.to_lowercase();
        if level != Level::Commune {
            self.user(
                &id,
                format!("quanly.{slug}"),
                Role::Manager,
                format!("Lãnh đạo {name}"),
            )?;
        }
        let mut clerk_ids = Vec::new();
        for n in 1..=clerks {
            let full_name = applicant_name(self.rng);
            clerk_ids.push(self.user(&id, format!("canbo.{slug}.{n}"), Role::Clerk, full_name)?);
        }
        let kiosk_id: KioskId = id_at(self.created, self.rng);
        let (_, token_hash) = crate::auth::kiosk::new_token();
        db::kiosks::insert(
            self.conn,
            &db::kiosks::KioskRow {
                id: kiosk_id.clone(),
                office_id: id.clone(),
                name: format!("Máy đánh giá - {name}"),
                token_hash,
                created_by: None,
                created_at: self.now,
                last_used_at: None,
                revoked_at: None,
            },
        )?;
        self.paths.push(path);
        self.offices.push(DemoOffice {
            id,
            code: code.to_owned(),
            level,
            parent,
            clerks: clerk_ids,
            kiosk_id,
            weight,
        });
        Ok(self.offices.len() - 1)
    }

    fn user(
        &mut self,
        office_id: &OfficeId,
        username: String,
        role: Role,
        full_name: String,
    ) -> QueryResult<UserId> {
        let id: UserId = id_at(self.created, self.rng);
        db::users::insert(
            self.conn,
            &db::users::UserRow {
                id: id.clone(),
                username: username.clone(),
                password_hash: self.password_hash.clone(),
                full_name,
                role,
                office_id: Some(office_id.clone()),
                disabled: false,
                created_at: self.now,
                updated_at: self.now,
                token_generation: 0,
            },
        )?;
        self.accounts.push(username);
        Ok(id)
    }
}

/// The catalogue, in [`PROCEDURES`] order.
fn create_procedures(
    conn: &mut AnyConnection,
    rng: &mut StdRng,
    created: DateTime<Utc>,
) -> QueryResult<Vec<db::procedures::ProcedureRow>> {
    let now = created.naive_utc();
    let mut rows = Vec::new();
    for p in &PROCEDURES {
        let row = db::procedures::ProcedureRow {
            id: id_at(created, rng),
            code: p.code.to_owned(),
            name: p.name.to_owned(),
            field: p.field.to_owned(),
            deadline_value: p.deadline.0,
            deadline_unit: p.deadline.1,
            online_level: p.online_level,
            fee: None,
            created_at: now,
            updated_at: now,
        };
        db::procedures::insert(conn, &row)?;
        rows.push(row);
    }
    Ok(rows)
}

fn applicant_name(rng: &mut impl Rng) -> String {
    use catalogue::{FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES};
    format!(
        "{} {} {}",
        FAMILY_NAMES[rng.random_range(0..FAMILY_NAMES.len())],
        MIDDLE_NAMES[rng.random_range(0..MIDDLE_NAMES.len())],
        GIVEN_NAMES[rng.random_range(0..GIVEN_NAMES.len())]
    )
}

/// One office while drawing: its generator, dossiers per day, procedures and counters.
struct Desk {
    rng: StdRng,
    per_day: Vec<u32>,
    choices: Vec<(usize, u32)>,
    /// (procedure, clerk of this office, day): compact while drawing.
    fine: HashMap<(usize, usize, NaiveDate), DayCounters>,
}

/// Draws the dossiers of every office, in batches, on its own thread.
struct History<'a> {
    offices: &'a [DemoOffice],
    procedures: &'a [db::procedures::ProcedureRow],
    calendar: &'a Calendar,
    start: NaiveDate,
    until: DateTime<Utc>,
    seed: u64,
    total: u64,
}

impl History<'_> {
    /// Sends every batch; returns the sequences and counters of every office.
    fn draw(&self, sender: mpsc::SyncSender<Batch>) -> Drawn {
        let days: Vec<NaiveDate> = self
            .start
            .iter_days()
            .take_while(|d| *d <= local_date(self.until))
            .filter(|d| self.calendar.is_working_day(*d))
            .collect();
        let weight: f64 = self.offices.iter().map(|o| o.weight).sum();
        let mut left = self.total;
        let mut desks: Vec<Desk> = Vec::new();
        for (index, office) in self.offices.iter().enumerate() {
            // Each office has its own generator: its history does not depend on batching.
            let mut rng = StdRng::seed_from_u64(self.seed ^ ((index as u64 + 1) << 32));
            let count = if index + 1 == self.offices.len() {
                left
            } else {
                ((self.total as f64 * office.weight / weight).round() as u64).min(left)
            };
            left -= count;
            let mut per_day = vec![0u32; days.len()];
            for _ in 0..count {
                per_day[rng.random_range(0..days.len())] += 1;
            }
            desks.push(Desk {
                rng,
                per_day,
                choices: self.procedure_choices(office.level),
                fine: HashMap::new(),
            });
        }
        let mut drawn = Drawn::default();
        let mut batch = Batch::default();
        // Day by day across offices, so ids (time-ordered) are appended, not scattered.
        for (d, day) in days.iter().enumerate() {
            for (office, desk) in self.offices.iter().zip(desks.iter_mut()) {
                let n = desk.per_day[d];
                if n == 0 {
                    continue;
                }
                let mut times: Vec<DateTime<Utc>> = (0..n)
                    .map(|_| office_instant(self.calendar, *day, &mut desk.rng))
                    .collect();
                times.sort();
                for (sequence, filed_at) in times.into_iter().enumerate() {
                    let (procedure, clerk, state) = self.dossier(
                        &mut batch,
                        office,
                        &desk.choices,
                        *day,
                        sequence as i32 + 1,
                        filed_at,
                        &mut desk.rng,
                    );
                    for (day, c) in contributions(&state) {
                        desk.fine
                            .entry((procedure, clerk, day))
                            .or_default()
                            .merge(&c);
                    }
                }
                drawn.sequences.push((office.id.clone(), *day, n as i32));
            }
            if batch.dossiers.len() >= BATCH_DOSSIERS
                && sender.send(std::mem::take(&mut batch)).is_err()
            {
                return drawn;
            }
        }
        if !batch.dossiers.is_empty() {
            let _ = sender.send(batch);
        }
        for (office, desk) in self.offices.iter().zip(desks) {
            let fine = desk
                .fine
                .into_iter()
                .map(|((procedure, clerk, day), c)| {
                    let key = (
                        self.procedures[procedure].id.to_string(),
                        office.clerks[clerk].to_string(),
                        day,
                    );
                    (key, c)
                })
                .collect();
            drawn.fine.insert(office.id.to_string(), fine);
        }
        drawn
    }

    /// The procedures of a level with their cumulative weights.
    fn procedure_choices(&self, level: Level) -> Vec<(usize, u32)> {
        let mut total = 0;
        PROCEDURES
            .iter()
            .enumerate()
            .filter(|(_, p)| p.level == level)
            .map(|(i, p)| {
                total += p.weight;
                (i, total)
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn dossier(
        &self,
        batch: &mut Batch,
        office: &DemoOffice,
        choices: &[(usize, u32)],
        day: NaiveDate,
        sequence: i32,
        filed_at: DateTime<Utc>,
        rng: &mut StdRng,
    ) -> (usize, usize, crate::domain::dossier::DossierState) {
        let total = choices.last().map(|c| c.1).unwrap_or(1);
        let pick = rng.random_range(0..total);
        let procedure_index = choices
            .iter()
            .find(|c| pick < c.1)
            .map(|c| c.0)
            .unwrap_or(0);
        let procedure = &PROCEDURES[procedure_index];
        let online_share = match procedure.online_level {
            crate::domain::procedure::OnlineLevel::Full => 0.45,
            crate::domain::procedure::OnlineLevel::Partial => 0.25,
            crate::domain::procedure::OnlineLevel::None => 0.0,
        };
        let roll: f64 = rng.random();
        let channel = if roll < online_share {
            Channel::Online
        } else if roll < online_share + 0.03 {
            Channel::Postal
        } else {
            Channel::InPerson
        };
        let deciding = office.parent.map(|p| &self.offices[p]);
        let filing = Filing {
            channel,
            deadline: procedure.deadline,
            office_id: &office.id,
            deciding_office_id: deciding.map(|o| &o.id),
            filed_at,
        };
        let life = live(&filing, self.calendar, self.until, rng);
        let clerk_index = rng.random_range(0..office.clerks.len());
        let clerk = office.clerks[clerk_index].clone();
        let decider = deciding
            .map(|o| o.clerks[rng.random_range(0..o.clerks.len())].clone())
            .unwrap_or_else(|| clerk.clone());
        let name = applicant_name(rng);
        let state = life.state();
        let id: DossierId = id_at(filed_at, rng);
        let code = dossier_code(&office.code, day, sequence);
        let at = |t: DateTime<Utc>| t.naive_utc();
        let mut row = DossierRow::filed(
            db::dossiers::Filing {
                id: id.clone(),
                office_id: &office.id,
                procedure: &self.procedures[procedure_index],
                channel,
                applicant: db::dossiers::Applicant {
                    name,
                    id_number: Some(format!("0{:011}", rng.random_range(0..100_000_000_000u64))),
                    phone: Some(format!("09{:08}", rng.random_range(0..100_000_000u32))),
                    email: None,
                    address: None,
                },
                clerk_id: &clerk,
                at: filed_at,
                recorded_at: at(filed_at),
            },
            &life.filed,
        );
        row.code = code.clone();
        batch
            .events
            .push(row.filing_event(id_at(filed_at, rng), procedure.code, false));
        row.set_state(state);
        row.version = 1 + life.steps.len() as i32;
        row.last_event_at = at(life.last_event_at(filed_at));
        row.updated_at = row.last_event_at;
        for (n, step) in life.steps.iter().enumerate() {
            let actor = match step.event {
                Event::Accept | Event::Refuse | Event::Withdraw | Event::ReturnResult => &clerk,
                _ => &decider,
            };
            let mut data = serde_json::Map::new();
            match &step.event {
                Event::Transfer { to_office_id } => {
                    data.insert("to_office_id".into(), to_office_id.as_str().into());
                }
                Event::Resolve { outcome } => {
                    data.insert("outcome".into(), outcome.as_str().into());
                }
                Event::Reschedule {
                    new_appointment_date,
                } => {
                    data.insert(
                        "new_appointment_date".into(),
                        new_appointment_date.to_string().into(),
                    );
                    data.insert("reason".into(), "Hồ sơ cần xác minh thêm".into());
                }
                Event::Refuse | Event::Withdraw | Event::Stop => {
                    data.insert("reason".into(), "Theo đề nghị của công dân".into());
                }
                _ => {}
            }
            if let Some(due) = step.after.due_date {
                data.insert("due_date".into(), due.to_string().into());
            }
            if let Some(verdict) = step.after.verdict {
                data.insert("verdict".into(), verdict.as_str().into());
            }
            batch.events.push(EventRow {
                id: id_at(step.at, rng),
                dossier_id: id.clone(),
                version: n as i32 + 2,
                event_type: step.event.event_type().as_str().to_owned(),
                from_status: Some(step.from),
                to_status: step.after.status,
                actor_id: Some(actor.clone()),
                at: at(step.at),
                recorded_at: at(step.at),
                back_dated: false,
                note: None,
                data: serde_json::Value::Object(data).to_string(),
            });
        }
        if let Some((cast_at, rating)) = life.vote {
            let input = VoteInput {
                id: id_at(cast_at, rng),
                rating,
                cast_at,
                dossier_code: Some(code),
                clerk_id: Some(clerk.clone()),
                reason: None,
            };
            batch.votes.push(VoteRow {
                content_hash: input.content_hash(&office.kiosk_id),
                id: input.id,
                kiosk_id: office.kiosk_id.clone(),
                office_id: office.id.clone(),
                rating,
                cast_at: at(cast_at),
                cast_date: local_date(cast_at),
                cast_hour: cast_at.with_timezone(&vn_offset()).hour() as i32,
                received_at: at(cast_at + Duration::seconds(1)),
                dossier_id: Some(id),
                procedure_id: Some(row.procedure_id.clone()),
                clerk_id: Some(clerk),
                reason: None,
            });
        }
        batch.dossiers.push(row);
        (procedure_index, clerk_index, life.state().clone())
    }
}

fn is_postgres(conn: &AnyConnection) -> bool {
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => true,
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// Stores a batch's dossiers inside the caller's transaction: `COPY` on PostgreSQL,
/// one prepared insert reused row after row on SQLite.
fn write_dossiers(conn: &mut AnyConnection, rows: &[DossierRow]) -> QueryResult<()> {
    use db::schema::dossiers;
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => {
            diesel::copy_from(dossiers::table)
                .from_insertable(rows)
                .execute(c)?;
        }
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(dossiers::table)
                    .values(row)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Stores a batch's events and votes, once its dossiers are in.
fn write_dependents(conn: &mut AnyConnection, batch: &Batch) -> QueryResult<()> {
    use db::schema::{dossier_events, votes};
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => {
            diesel::copy_from(dossier_events::table)
                .from_insertable(&batch.events)
                .execute(c)?;
            diesel::copy_from(votes::table)
                .from_insertable(&batch.votes)
                .execute(c)?;
        }
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => {
            for row in &batch.events {
                diesel::insert_into(dossier_events::table)
                    .values(row)
                    .execute(c)?;
            }
            for row in &batch.votes {
                diesel::insert_into(votes::table).values(row).execute(c)?;
            }
        }
    }
    Ok(())
}
