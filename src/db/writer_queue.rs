//! SQLite's writers of this process, served first come, first served.
//!
//! A plain mutex is not fair: a thread that is already running takes the lock again
//! before a woken waiter gets scheduled, so under steady load a few writers wait many
//! turns (the clerks' p99 was 3–4 × their median). Tickets keep the order of arrival.

use std::sync::{Condvar, Mutex, PoisonError};

/// A first-come, first-served lock (a ticket lock).
pub struct WriterQueue {
    /// (next ticket to hand out, ticket now served)
    tickets: Mutex<(u64, u64)>,
    turn: Condvar,
}

/// The turn of one writer; the next one is served when it is dropped.
pub struct WriterTurn<'a> {
    queue: &'a WriterQueue,
}

impl WriterQueue {
    pub const fn new() -> WriterQueue {
        WriterQueue {
            tickets: Mutex::new((0, 0)),
            turn: Condvar::new(),
        }
    }

    /// Waits for this caller's turn.
    pub fn wait_turn(&self) -> WriterTurn<'_> {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        let ticket = tickets.0;
        tickets.0 += 1;
        while tickets.1 != ticket {
            tickets = self
                .turn
                .wait(tickets)
                .unwrap_or_else(PoisonError::into_inner);
        }
        WriterTurn { queue: self }
    }
}

impl Drop for WriterTurn<'_> {
    fn drop(&mut self) {
        let mut tickets = self
            .queue
            .tickets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        tickets.1 += 1;
        self.queue.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn writers_are_served_alone_and_in_order_of_arrival() {
        let queue = Arc::new(WriterQueue::new());
        let served = Arc::new(Mutex::new(Vec::new()));
        let first = queue.wait_turn();
        let mut waiting = Vec::new();
        for writer in 0..8 {
            let (mine, served) = (Arc::clone(&queue), Arc::clone(&served));
            waiting.push(std::thread::spawn(move || {
                let _turn = mine.wait_turn();
                served.lock().unwrap().push(writer);
                // Still this writer's turn: nobody else got in meanwhile.
                std::thread::sleep(std::time::Duration::from_millis(2));
                assert_eq!(served.lock().unwrap().last(), Some(&writer));
            }));
            // Let this writer take its ticket before the next one arrives.
            while queue.tickets.lock().unwrap().0 < writer + 2 {
                std::thread::yield_now();
            }
        }
        assert!(
            served.lock().unwrap().is_empty(),
            "nobody before the first turn ends"
        );
        drop(first);
        for writer in waiting {
            writer.join().unwrap();
        }
        assert_eq!(*served.lock().unwrap(), (0..8).collect::<Vec<_>>());
    }
}
