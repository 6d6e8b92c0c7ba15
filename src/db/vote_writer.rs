//! Group commit for votes: a writer thread takes every vote waiting in the queue and
//! commits them together, so a thousand kiosks share fsyncs instead of queueing one
//! each. A kiosk hears back only after the commit that holds its vote. SQLite has one
//! writer; on PostgreSQL several gather and commit groups side by side, so one
//! group's round trips and commit overlap the next one's.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};

use super::votes::{record_group, KioskVotes, VoteInput, VoteOutcome};
use super::{write_tx, DbPool};
use crate::auth::kiosk::KioskDevice;
use crate::error::{ApiError, ApiResult};

/// Votes of one request, from one kiosk.
struct Job {
    kiosk: KioskDevice,
    votes: Vec<VoteInput>,
    reply: tokio::sync::oneshot::Sender<Result<Vec<VoteOutcome>, String>>,
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

    /// Records the votes; returns once they are committed (or refused).
    pub async fn submit(
        &self,
        kiosk: &KioskDevice,
        votes: Vec<VoteInput>,
    ) -> ApiResult<Vec<VoteOutcome>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            kiosk: kiosk.clone(),
            votes,
            reply,
        };
        self.sender.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => {
                ApiError::Unavailable("too many votes waiting; retry shortly".to_owned())
            }
            TrySendError::Disconnected(_) => ApiError::Unavailable("shutting down".to_owned()),
        })?;
        match answer.await {
            Ok(Ok(outcomes)) => Ok(outcomes),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "vote commit failed");
                Err(ApiError::Unavailable(
                    "the votes could not be saved; retry".to_owned(),
                ))
            }
            Err(_) => Err(ApiError::Unavailable(
                "the vote writer stopped; retry".to_owned(),
            )),
        }
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
            let requests: Vec<KioskVotes<'_>> = jobs
                .iter()
                .map(|job| KioskVotes {
                    kiosk_id: &job.kiosk.id,
                    office_id: &job.kiosk.office_id,
                    last_used_at: job.kiosk.last_used_at,
                    votes: &job.votes,
                })
                .collect();
            write_tx(&mut conn, |conn| {
                record_group(conn, &requests, Utc::now(), repeat_guard)
            })
            .map_err(|e| e.to_string())
        });
        match result {
            Ok(all) => {
                for (job, outcomes) in jobs.into_iter().zip(all) {
                    let _ = job.reply.send(Ok(outcomes));
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}
