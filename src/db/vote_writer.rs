//! Group commit for votes: one writer thread takes every vote waiting in its queue and
//! commits them together, so a thousand kiosks share fsyncs instead of queueing one
//! each. A kiosk hears back only after the commit that holds its vote.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use chrono::{Duration, Utc};

use super::votes::{record, VoteInput, VoteOutcome};
use super::{write_tx, DbPool};
use crate::error::{ApiError, ApiResult};

/// Votes of one request, from one kiosk.
struct Job {
    kiosk_id: String,
    office_id: String,
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
    pub fn start(pool: DbPool, repeat_guard: Duration) -> VoteWriter {
        let (sender, receiver) = mpsc::sync_channel(QUEUE_LENGTH);
        std::thread::Builder::new()
            .name("vote-writer".to_owned())
            .spawn(move || run(pool, receiver, repeat_guard))
            .expect("spawn the vote writer");
        VoteWriter { sender }
    }

    /// Records the votes; returns once they are committed (or refused).
    pub async fn submit(
        &self,
        kiosk_id: &str,
        office_id: &str,
        votes: Vec<VoteInput>,
    ) -> ApiResult<Vec<VoteOutcome>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            kiosk_id: kiosk_id.to_owned(),
            office_id: office_id.to_owned(),
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

fn run(pool: DbPool, receiver: Receiver<Job>, repeat_guard: Duration) {
    while let Ok(first) = receiver.recv() {
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
        let result = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            write_tx(&mut conn, |conn| {
                let now = Utc::now();
                let mut all = Vec::with_capacity(jobs.len());
                for job in &jobs {
                    let mut outcomes = Vec::with_capacity(job.votes.len());
                    for vote in &job.votes {
                        outcomes.push(record(
                            conn,
                            &job.kiosk_id,
                            &job.office_id,
                            vote,
                            now,
                            repeat_guard,
                        )?);
                    }
                    super::kiosks::touch(conn, &job.kiosk_id, now.naive_utc())?;
                    all.push(outcomes);
                }
                Ok::<_, diesel::result::Error>(all)
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
