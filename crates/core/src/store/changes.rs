//! What changed in the database, for whoever keeps something read from it (the app's caches,
//! the pages that show counts). A change made through this store is told here once committed;
//! on PostgreSQL it is also sent to every other process on the database with NOTIFY (in the
//! transaction that makes it, when there is one, so it is heard if and only if it was
//! committed), and [`Store::follow_others`] tells here what the others changed. A connection
//! lost to the server may have missed changes: that is told as [`Change::Everything`].

use super::backend::{Pool, Tx};
use super::Store;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The NOTIFY channel of the processes on one database.
const CHANNEL: &str = "image_scorer_changes";

/// NOTIFY's payloads must be shorter than 8,000 bytes: a longer change is sent as
/// [`Change::Log`].
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
    /// The store that made the change.
    from: String,
    change: Change,
}

/// The changes' side of a [`Store`].
#[derive(Debug)]
pub(crate) struct Changes {
    /// This store's name on the channel (random).
    instance: String,
    sender: broadcast::Sender<Changed>,
}

impl Changes {
    pub(crate) fn new() -> Self {
        Self {
            instance: format!("{:016x}", fastrand::u64(..)),
            sender: broadcast::channel(1024).0,
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

    /// Tells `change`, made now outside a transaction, here and to the other processes.
    pub async fn announce(&self, change: Change) {
        if let Pool::Postgres(pool) = self.pool() {
            if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(self.notice(&change))
                .execute(pool)
                .await
            {
                eprintln!("image-scorer: cannot tell the other processes of a change: {e}");
            }
        }
        self.changed_here(change);
    }

    /// Sends `change` to the other processes when `tx` commits (on PostgreSQL); call
    /// [`Store::changed_here`] after the commit.
    pub(crate) async fn announce_in(&self, tx: &mut Tx, change: &Change) -> crate::Result<()> {
        if let Tx::Postgres(conn) = tx {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(self.notice(change))
                .execute(&mut **conn)
                .await?;
        }
        Ok(())
    }

    /// Tells `change`, committed, here.
    pub(crate) fn changed_here(&self, change: Change) {
        let _ = self.changes.sender.send(Changed { change, here: true });
    }

    fn notice(&self, change: &Change) -> String {
        let notice = |change: &Change| {
            serde_json::to_string(&Notice {
                from: self.changes.instance.clone(),
                change: change.clone(),
            })
            .unwrap_or_default()
        };
        let text = notice(change);
        if text.len() > LONGEST_PAYLOAD {
            notice(&Change::Log)
        } else {
            text
        }
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
                            self.changed_elsewhere(notice.change);
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
