//! Votes from kiosks: the group commit that stores them and the rules that accept or
//! refuse each one ([`VoteRefusal`]).
//!
//! A writer thread takes every vote waiting in the queue and commits them together, so
//! a thousand kiosks share fsyncs instead of queueing one each. A kiosk hears back only
//! after the commit that holds its vote. SQLite has one writer; on PostgreSQL several
//! gather and commit groups side by side, so one group's round trips and commit
//! overlap the next one's. The group's kiosk tokens are checked in its transaction too:
//! one lookup per group, not one round trip per vote.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{ServiceError, ServiceResult};
use crate::auth::kiosk::{KioskDevice, KioskToken};
use crate::db::kiosks::KioskRow;
use crate::db::votes::VoteRow;
use crate::db::{self, AnyConnection, DbPool};
use crate::domain::ids::{KioskId, OfficeId, UserId, VoteId};
use crate::domain::satisfaction::{is_repeat_press, Rating, VoteRefusal};

/// What a kiosk sent for one vote, already checked for shape and time window.
#[derive(Debug, Clone)]
pub struct VoteInput {
    pub id: VoteId,
    pub rating: Rating,
    pub cast_at: chrono::DateTime<chrono::Utc>,
    pub dossier_code: Option<String>,
    pub clerk_id: Option<UserId>,
    pub reason: Option<String>,
}

impl VoteInput {
    /// Digest of the content, to tell an exact replay from a different vote.
    pub fn content_hash(&self, kiosk_id: &KioskId) -> String {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::json!([
            kiosk_id,
            self.rating.as_str(),
            self.cast_at.timestamp_micros(),
            self.dossier_code,
            self.clerk_id,
            self.reason,
        ]);
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// How one vote was taken.
#[derive(Debug, Clone)]
pub enum VoteOutcome {
    /// Stored now.
    Created(VoteRow),
    /// The same vote was stored before.
    Replayed(VoteRow),
    /// Not counted.
    Refused(VoteRefusal),
}

/// Same id: a replay when the content matches, a conflict otherwise.
fn compare_existing(existing: VoteRow, hash: &str) -> VoteOutcome {
    if existing.content_hash == hash {
        VoteOutcome::Replayed(existing)
    } else {
        VoteOutcome::Refused(VoteRefusal::IdempotencyConflict)
    }
}

/// The votes of one request, from one kiosk.
pub struct KioskVotes<'a> {
    pub kiosk_id: &'a KioskId,
    pub office_id: &'a OfficeId,
    /// When the kiosk was last marked as used, as its token lookup read it.
    pub last_used_at: Option<NaiveDateTime>,
    pub votes: &'a [VoteInput],
}

/// How stale a kiosk's "last used" may get before a vote refreshes it: the
/// administrators' list shows minutes, and a write per vote would cost a statement.
const LAST_USED_PRECISION_SECONDS: i64 = 60;

/// Records the votes of several requests inside the caller's transaction (group
/// commit). Optimistic: existing ids are read in one query, new votes inserted
/// together, no savepoint per vote. When an insert collides with a concurrent writer
/// (another instance took the same id, or rated the same dossier), the group is
/// redone vote by vote under savepoints, which gives each vote its exact answer.
pub fn record_group(
    conn: &mut AnyConnection,
    requests: &[KioskVotes<'_>],
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<Vec<Vec<VoteOutcome>>> {
    let together = conn.transaction(|conn| record_together(conn, requests, now, repeat_guard));
    let outcomes = match together {
        Ok(outcomes) => outcomes,
        Err(e) if db::is_unique_violation(&e) => requests
            .iter()
            .map(|r| {
                r.votes
                    .iter()
                    .map(|vote| record(conn, r.kiosk_id, r.office_id, vote, now, repeat_guard))
                    .collect::<QueryResult<Vec<_>>>()
            })
            .collect::<QueryResult<Vec<_>>>()?,
        Err(e) => return Err(e),
    };
    let stale = now.naive_utc() - chrono::Duration::seconds(LAST_USED_PRECISION_SECONDS);
    let mut kiosks: Vec<&KioskId> = requests
        .iter()
        .filter(|r| r.last_used_at.is_none_or(|at| at < stale))
        .map(|r| r.kiosk_id)
        .collect();
    kiosks.sort_unstable();
    kiosks.dedup();
    for kiosk in kiosks {
        db::kiosks::touch(conn, kiosk, now.naive_utc())?;
    }
    Ok(outcomes)
}

fn record_together(
    conn: &mut AnyConnection,
    requests: &[KioskVotes<'_>],
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<Vec<Vec<VoteOutcome>>> {
    let ids: Vec<&VoteId> = requests
        .iter()
        .flat_map(|r| r.votes.iter().map(|v| &v.id))
        .collect();
    let mut known: HashMap<VoteId, VoteRow> = db::votes::find_many(conn, &ids)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut fresh: Vec<VoteRow> = Vec::new();
    let mut outcomes = Vec::with_capacity(requests.len());
    for request in requests {
        let mut answers = Vec::with_capacity(request.votes.len());
        for vote in request.votes {
            let hash = vote.content_hash(request.kiosk_id);
            // A replay, of a stored vote or of one earlier in this group.
            if let Some(existing) = known.get(&vote.id) {
                answers.push(compare_existing(existing.clone(), &hash));
                continue;
            }
            let answer = match new_vote(
                conn,
                request.kiosk_id,
                request.office_id,
                vote,
                now,
                repeat_guard,
                &fresh,
            )? {
                Ok(row) => {
                    known.insert(row.id.clone(), row.clone());
                    fresh.push(row.clone());
                    VoteOutcome::Created(row)
                }
                Err(refusal) => refusal,
            };
            answers.push(answer);
        }
        outcomes.push(answers);
    }
    db::votes::insert_many(conn, &fresh)?;
    Ok(outcomes)
}

/// Records one vote inside the caller's transaction, under a savepoint so that a
/// vote that collides with a concurrent writer never spoils the others of the batch
/// (a refused vote writes nothing).
fn record(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    office_id: &OfficeId,
    input: &VoteInput,
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<VoteOutcome> {
    let result = conn
        .transaction(|conn| record_unguarded(conn, kiosk_id, office_id, input, now, repeat_guard));
    match result {
        Err(e) if db::is_unique_violation(&e) => {
            // Another instance stored the same id (or a vote for the same dossier) first.
            Ok(match db::votes::find(conn, &input.id)? {
                Some(existing) => compare_existing(existing, &input.content_hash(kiosk_id)),
                None => VoteOutcome::Refused(VoteRefusal::DossierAlreadyRated),
            })
        }
        other => other,
    }
}

fn record_unguarded(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    office_id: &OfficeId,
    input: &VoteInput,
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<VoteOutcome> {
    if let Some(existing) = db::votes::find(conn, &input.id)? {
        return Ok(compare_existing(existing, &input.content_hash(kiosk_id)));
    }
    match new_vote(conn, kiosk_id, office_id, input, now, repeat_guard, &[])? {
        Ok(row) => {
            db::votes::insert(conn, &row)?;
            Ok(VoteOutcome::Created(row))
        }
        Err(refusal) => Ok(refusal),
    }
}

/// Checks a vote not stored yet against the dossier, the clerk and the repeat-press
/// guard (counting `pending`, the votes accepted earlier in the same group), and
/// returns the row to store, or the refusal.
fn new_vote(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    office_id: &OfficeId,
    input: &VoteInput,
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
    pending: &[VoteRow],
) -> QueryResult<Result<VoteRow, VoteOutcome>> {
    use crate::domain::calendar::local_date;
    use chrono::Timelike;
    let mut dossier_id = None;
    let mut procedure_id = None;
    if let Some(code) = &input.dossier_code {
        let dossier = match db::dossiers::find_by_code(conn, code)? {
            Some(d) if d.office_id == *office_id || d.processing_office_id == *office_id => d,
            // Another office's dossier is reported like an unknown one: no existence leak.
            _ => {
                return Ok(Err(VoteOutcome::Refused(
                    VoteRefusal::DossierNotAtThisOffice,
                )))
            }
        };
        let rated_now = pending
            .iter()
            .any(|p| p.dossier_id.as_ref() == Some(&dossier.id));
        if rated_now || db::votes::dossier_rated(conn, &dossier.id)? {
            return Ok(Err(VoteOutcome::Refused(VoteRefusal::DossierAlreadyRated)));
        }
        dossier_id = Some(dossier.id);
        procedure_id = Some(dossier.procedure_id);
    }
    if let Some(clerk_id) = &input.clerk_id {
        let works_here = db::users::find(conn, clerk_id)?
            .is_some_and(|u| u.office_id.as_ref() == Some(office_id));
        if !works_here {
            return Ok(Err(VoteOutcome::Refused(VoteRefusal::ClerkNotAtThisOffice)));
        }
    }
    if dossier_id.is_none() && repeat_guard > chrono::Duration::zero() {
        let cast_at = input.cast_at.naive_utc();
        let stored = db::votes::previous_cast_at(conn, kiosk_id, &input.id, cast_at)?;
        let in_group = pending
            .iter()
            .filter(|p| p.kiosk_id == *kiosk_id && p.cast_at <= cast_at)
            .map(|p| p.cast_at)
            .max();
        let previous = stored.max(in_group);
        if is_repeat_press(previous.map(|p| p.and_utc()), input.cast_at, repeat_guard) {
            return Ok(Err(VoteOutcome::Refused(VoteRefusal::TooSoon)));
        }
    }
    // PostgreSQL keeps microseconds: answer with what a replay will read back.
    use chrono::SubsecRound;
    let (cast_at, now) = (input.cast_at.trunc_subsecs(6), now.trunc_subsecs(6));
    let local = cast_at.with_timezone(&crate::domain::calendar::vn_offset());
    Ok(Ok(VoteRow {
        id: input.id.clone(),
        kiosk_id: kiosk_id.to_owned(),
        office_id: office_id.to_owned(),
        rating: input.rating,
        cast_at: cast_at.naive_utc(),
        cast_date: local_date(cast_at),
        cast_hour: local.hour() as i32,
        received_at: now.naive_utc(),
        dossier_id,
        procedure_id,
        clerk_id: input.clerk_id.clone(),
        reason: input.reason.clone(),
        content_hash: input.content_hash(kiosk_id),
    }))
}

/// Votes of one request, from one kiosk.
struct Job {
    token: KioskToken,
    votes: Vec<VoteInput>,
    reply: tokio::sync::oneshot::Sender<ServiceResult<Vec<VoteOutcome>>>,
}

/// Requests waiting for the writer before new ones are turned away (503).
const QUEUE_LENGTH: usize = 10_000;
/// Most votes committed in one transaction.
const MAX_VOTES_PER_COMMIT: usize = 2_000;

#[derive(Clone)]
pub struct VoteWriter {
    sender: SyncSender<Job>,
}

impl VoteWriter {
    pub fn start(pool: DbPool, repeat_guard: Duration, writers: usize) -> VoteWriter {
        let (sender, receiver) = mpsc::sync_channel(QUEUE_LENGTH);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..writers.max(1) {
            let (pool, receiver) = (pool.clone(), receiver.clone());
            std::thread::Builder::new()
                .name(format!("vote-writer-{n}"))
                .spawn(move || run(pool, receiver, repeat_guard))
                .expect("spawn a vote writer");
        }
        VoteWriter { sender }
    }

    /// Records the votes once their kiosk is admitted; returns once they are committed
    /// (or refused).
    pub async fn submit(
        &self,
        token: &KioskToken,
        votes: Vec<VoteInput>,
    ) -> ServiceResult<Vec<VoteOutcome>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            token: token.clone(),
            votes,
            reply,
        };
        self.sender.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => {
                ServiceError::Unavailable("too many votes waiting; retry shortly".to_owned())
            }
            TrySendError::Disconnected(_) => ServiceError::Unavailable("shutting down".to_owned()),
        })?;
        answer.await.unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(
                "the vote writer stopped; retry".to_owned(),
            ))
        })
    }
}

/// Takes the next group: waits for one request, then whatever else is waiting.
fn next_group(receiver: &Mutex<Receiver<Job>>) -> Option<Vec<Job>> {
    let receiver = receiver.lock().unwrap_or_else(|e| e.into_inner());
    let first = receiver.recv().ok()?;
    let mut count = first.votes.len();
    let mut jobs = vec![first];
    while count < MAX_VOTES_PER_COMMIT {
        match receiver.try_recv() {
            Ok(job) => {
                count += job.votes.len();
                jobs.push(job);
            }
            Err(_) => break,
        }
    }
    Some(jobs)
}

fn run(pool: DbPool, receiver: Arc<Mutex<Receiver<Job>>>, repeat_guard: Duration) {
    while let Some(jobs) = next_group(&receiver) {
        let result = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            db::write_tx(&mut conn, |conn| record_jobs(conn, &jobs, repeat_guard))
                .map_err(|e| e.to_string())
        });
        match result {
            Ok(answers) => {
                for (job, answer) in jobs.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "vote commit failed");
                for job in jobs {
                    let _ = job.reply.send(Err(ServiceError::Unavailable(
                        "the votes could not be saved; retry".to_owned(),
                    )));
                }
            }
        }
    }
}

/// Admits each job's kiosk, then records the admitted jobs' votes together.
fn record_jobs(
    conn: &mut AnyConnection,
    jobs: &[Job],
    repeat_guard: Duration,
) -> QueryResult<Vec<ServiceResult<Vec<VoteOutcome>>>> {
    let mut digests: Vec<&str> = jobs.iter().map(|j| j.token.digest.as_str()).collect();
    digests.sort_unstable();
    digests.dedup();
    let mut kiosks: HashMap<String, KioskRow> = HashMap::new();
    for chunk in digests.chunks(500) {
        let rows = db::kiosks::find_by_token_hashes(conn, chunk)?;
        kiosks.extend(rows.into_iter().map(|k| (k.token_hash.clone(), k)));
    }
    let admitted: Vec<ServiceResult<KioskDevice>> = jobs
        .iter()
        .map(|job| Ok(KioskDevice::admit(kiosks.get(&job.token.digest).cloned())?))
        .collect();
    let requests: Vec<KioskVotes<'_>> = jobs
        .iter()
        .zip(&admitted)
        .filter_map(|(job, kiosk)| {
            let kiosk = kiosk.as_ref().ok()?;
            Some(KioskVotes {
                kiosk_id: &kiosk.id,
                office_id: &kiosk.office_id,
                last_used_at: kiosk.last_used_at,
                votes: &job.votes,
            })
        })
        .collect();
    let mut recorded = record_group(conn, &requests, Utc::now(), repeat_guard)?.into_iter();
    Ok(admitted
        .into_iter()
        .map(|kiosk| {
            kiosk.and_then(|_| {
                recorded
                    .next()
                    .ok_or_else(|| ServiceError::Internal("a vote request without outcome".into()))
            })
        })
        .collect())
}
