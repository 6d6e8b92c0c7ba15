//! Group commit for votes: a writer thread takes every vote waiting in the queue and
//! commits them together, so a thousand kiosks share fsyncs instead of queueing one
//! each. A kiosk hears back only after the commit that holds its vote. SQLite has one
//! writer; on PostgreSQL several gather and commit groups side by side, so one
//! group's round trips and commit overlap the next one's. The group's kiosk tokens are
//! checked in its transaction too: one lookup per group, not one round trip per vote.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};

use diesel::QueryResult;

use super::kiosks::{find_by_token_hashes, KioskRow};
use super::votes::{record_group, KioskVotes, VoteInput, VoteOutcome};
use super::{write_tx, AnyConnection, DbPool};
use crate::auth::kiosk::{KioskDevice, KioskToken};
use crate::error::{ApiError, ApiResult};

/// Votes of one request, from one kiosk.
struct Job {
    token: KioskToken,
    votes: Vec<VoteInput>,
    reply: tokio::sync::oneshot::Sender<ApiResult<Vec<VoteOutcome>>>,
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
    ) -> ApiResult<Vec<VoteOutcome>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            token: token.clone(),
            votes,
            reply,
        };
        self.sender.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => {
                ApiError::Unavailable("too many votes waiting; retry shortly".to_owned())
            }
            TrySendError::Disconnected(_) => ApiError::Unavailable("shutting down".to_owned()),
        })?;
        answer.await.unwrap_or_else(|_| {
            Err(ApiError::Unavailable(
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
            write_tx(&mut conn, |conn| record_jobs(conn, &jobs, repeat_guard))
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
                    let _ = job.reply.send(Err(ApiError::Unavailable(
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
) -> QueryResult<Vec<ApiResult<Vec<VoteOutcome>>>> {
    let mut digests: Vec<&str> = jobs.iter().map(|j| j.token.digest.as_str()).collect();
    digests.sort_unstable();
    digests.dedup();
    let mut kiosks: HashMap<String, KioskRow> = HashMap::new();
    for chunk in digests.chunks(500) {
        let rows = find_by_token_hashes(conn, chunk)?;
        kiosks.extend(rows.into_iter().map(|k| (k.token_hash.clone(), k)));
    }
    let admitted: Vec<ApiResult<KioskDevice>> = jobs
        .iter()
        .map(|job| KioskDevice::admit(kiosks.get(&job.token.digest).cloned()))
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
                    .ok_or_else(|| ApiError::Internal("a vote request without outcome".into()))
            })
        })
        .collect())
}
