//! What changed in the database, for whoever keeps something read from it (the app's caches,
//! the pages that show counts). A change made through this store is told here once committed;
//! on PostgreSQL it is also sent to every other process on the database with NOTIFY, and
//! [`Store::follow_others`] tells here what the others changed. A connection lost to the
//! server may have missed changes: that is told as [`Change::Everything`].
//!
//! PostgreSQL serialises the commits of notifying transactions (and their flush to disk), so
//! a judgement's transaction does not notify: its change goes to an outbox that
//! [`Store::send_changes`] sends after the commit, many changes in one NOTIFY when they come
//! fast. The cost is a window: a process that dies between a commit and its send leaves the
//! others to learn of that judgement with the rater's next change. Imports and renames, rare
//! and possibly made by the command line (which sends nothing in the background), notify in
//! their transaction.

use super::backend::{Pool, Tx};
use super::Store;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tokio::sync::{broadcast, Notify};

/// The NOTIFY channel of the processes on one database.
const CHANNEL: &str = "image_scorer_changes";

/// NOTIFY's payloads must be shorter than 8,000 bytes: a batch is split below this, and a
/// single change longer than it is sent as [`Change::Log`].
const LONGEST_PAYLOAD: usize = 7_000;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// A rater's judgement about these images was recorded or undone.
    Judged {
        /// The rater.
        rater_id: i64,
        /// The images (SHA-1s).
        images: Vec<String>,
        /// Their ids, when the change knew them (else looked up by whoever needs them).
        #[serde(default)]
        image_ids: Vec<i64>,
    },
    /// Many judgements at once (an import, a renamed rater).
    Log,
    /// The library's images changed (indexing, the watcher).
    Library,
    /// The open folders or their patterns changed: the process that indexes indexes again.
    Folders,
    /// Anything may have changed (a connection to the server was lost meanwhile).
    Everything,
}

/// A change, and whether this process made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// What changed.
    pub change: Change,
    /// Made through this store (its caches were kept up to date by whoever made it).
    pub here: bool,
}

/// The channel's message.
#[derive(Serialize, Deserialize)]
struct Notice {
    /// The store that made the changes.
    from: String,
    changes: Vec<Change>,
}

/// The changes' side of a [`Store`].
#[derive(Debug)]
pub(crate) struct Changes {
    /// This store's name on the channel (random).
    instance: String,
    sender: broadcast::Sender<Changed>,
    /// Committed changes not sent to the other processes yet.
    outbox: Mutex<Vec<Change>>,
    /// Wakes [`Store::send_changes`].
    wake: Notify,
    /// Whether [`Store::send_changes`] runs (else a change is sent at once).
    sending: AtomicBool,
}

impl Changes {
    pub(crate) fn new() -> Self {
        Self {
            instance: format!("{:016x}", fastrand::u64(..)),
            sender: broadcast::channel(1024).0,
            outbox: Mutex::new(Vec::new()),
            wake: Notify::new(),
            sending: AtomicBool::new(false),
        }
    }
}

impl Store {
    /// Every change from now on, here and (on PostgreSQL, while [`Store::follow_others`]
    /// runs) elsewhere. A receiver that falls behind misses some (`Lagged`): treat that as
    /// [`Change::Everything`].
    pub fn changes(&self) -> broadcast::Receiver<Changed> {
        self.changes.sender.subscribe()
    }

    /// Tells `change`, committed, here and to the other processes.
    pub async fn announce(&self, change: Change) {
        if let Pool::Postgres(pool) = self.pool() {
            if self.changes.sending.load(Ordering::Acquire) {
                self.changes
                    .outbox
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(change.clone());
                self.changes.wake.notify_one();
            } else {
                for payload in self.payloads(std::slice::from_ref(&change)) {
                    notify(pool, &payload).await;
                }
            }
        }
        self.changed_here(change);
    }

    /// Sends `change` to the other processes when `tx` commits (on PostgreSQL): for the rare
    /// changes that must be heard even when this process ends at once (the command line's);
    /// call [`Store::changed_here`] after the commit.
    pub(crate) async fn announce_in(&self, tx: &mut Tx, change: &Change) -> crate::Result<()> {
        if let Tx::Postgres(conn) = tx {
            for payload in self.payloads(std::slice::from_ref(change)) {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&mut **conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Tells `change`, committed, here.
    pub(crate) fn changed_here(&self, change: Change) {
        let _ = self.changes.sender.send(Changed { change, here: true });
    }

    /// Sends the outbox's changes to the other processes as they come, batched, until the task
    /// is dropped; returns at once on SQLite.
    pub async fn send_changes(&self) {
        let Pool::Postgres(pool) = self.pool() else {
            return;
        };
        /// Clears [`Changes::sending`] when the task ends.
        struct Sending<'a>(&'a AtomicBool);
        impl Drop for Sending<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        self.changes.sending.store(true, Ordering::Release);
        let _sending = Sending(&self.changes.sending);
        loop {
            let batch = std::mem::take(
                &mut *self
                    .changes
                    .outbox
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()),
            );
            if batch.is_empty() {
                self.changes.wake.notified().await;
                // What comes within a moment goes in the same notice.
                tokio::time::sleep(GATHER).await;
                continue;
            }
            for payload in self.payloads(&batch) {
                notify(pool, &payload).await;
            }
        }
    }

    /// `changes` as NOTIFY payloads, each under [`LONGEST_PAYLOAD`].
    fn payloads(&self, changes: &[Change]) -> Vec<String> {
        let encode = |changes: Vec<Change>| {
            serde_json::to_string(&Notice {
                from: self.changes.instance.clone(),
                changes,
            })
            .unwrap_or_default()
        };
        // Room for the envelope (the instance's name, the brackets).
        let room = LONGEST_PAYLOAD - 100;
        let mut payloads = Vec::new();
        let mut batch: Vec<Change> = Vec::new();
        let mut size = 0;
        for change in changes {
            let mut change = change.clone();
            let mut len = serde_json::to_string(&change).map_or(0, |s| s.len()) + 1;
            if len > room {
                change = Change::Log;
                len = 8;
            }
            if size + len > room && !batch.is_empty() {
                payloads.push(encode(std::mem::take(&mut batch)));
                size = 0;
            }
            size += len;
            batch.push(change);
        }
        if !batch.is_empty() {
            payloads.push(encode(batch));
        }
        payloads
    }

    /// Listens to the other processes' changes and tells them here, until the task is
    /// dropped; returns at once on SQLite (one process per file). A lost connection is
    /// made again; what it may have missed is told as [`Change::Everything`].
    pub async fn follow_others(&self) {
        let Pool::Postgres(pool) = self.pool() else {
            return;
        };
        let mut warned = false;
        let mut first = true;
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(pool).await {
                Ok(l) => l,
                Err(e) => {
                    if !warned {
                        eprintln!("image-scorer: cannot listen to the other processes: {e}");
                        warned = true;
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                eprintln!("image-scorer: cannot listen to the other processes: {e}");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
            if !first {
                // Back after a gap: whatever happened meanwhile was not heard.
                self.changed_elsewhere(Change::Everything);
            }
            first = false;
            warned = false;
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        let Ok(notice) = serde_json::from_str::<Notice>(notification.payload())
                        else {
                            continue;
                        };
                        if notice.from != self.changes.instance {
                            for change in notice.changes {
                                self.changed_elsewhere(change);
                            }
                        }
                    }
                    // The connection was lost; the listener connects again on the next call.
                    Ok(None) => self.changed_elsewhere(Change::Everything),
                    Err(e) => {
                        eprintln!("image-scorer: lost the other processes' changes: {e}");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }

    fn changed_elsewhere(&self, change: Change) {
        let _ = self.changes.sender.send(Changed {
            change,
            here: false,
        });
    }
}

/// How long the sender waits after a change for more to send with it.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

/// Sends one payload on the channel, in a transaction of its own that does not wait for the
/// disk (a notice lost in a crash costs nothing: it is about changes already committed); a
/// failure is reported, not fatal (the others then learn of the change with the next one).
async fn notify(pool: &sqlx::PgPool, payload: &str) {
    // One statement, its own transaction; the setting is local to it.
    let sent =
        sqlx::query("SELECT set_config('synchronous_commit', 'off', TRUE), pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(pool);
    if let Err(e) = sent.await {
        eprintln!("image-scorer: cannot tell the other processes of a change: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_is_split_under_notifys_limit_and_a_huge_change_is_sent_as_the_log() {
        let store = Store::open(&tempfile::tempdir().unwrap().path().join("x.db"))
            .await
            .unwrap();
        let judged = |i: usize| Change::Judged {
            rater_id: i as i64,
            images: vec!["a".repeat(40); 4],
            image_ids: vec![7; 4],
        };
        let many: Vec<Change> = (0..200).map(judged).collect();
        let payloads = store.payloads(&many);
        assert!(payloads.len() > 1, "200 changes do not fit one payload");
        let mut back = Vec::new();
        for p in &payloads {
            assert!(p.len() < LONGEST_PAYLOAD, "{}", p.len());
            back.extend(serde_json::from_str::<Notice>(p).unwrap().changes);
        }
        assert_eq!(back, many, "every change, in order");
        let huge = Change::Judged {
            rater_id: 1,
            images: vec!["b".repeat(40); 400],
            image_ids: Vec::new(),
        };
        let sent = store.payloads(&[huge]);
        assert_eq!(
            serde_json::from_str::<Notice>(&sent[0]).unwrap().changes,
            [Change::Log]
        );
    }
}
