//! The app as one of several processes on one database (a team server's `serve` processes on
//! PostgreSQL), or as the only one (SQLite, where it always leads):
//!
//! - [`follow`] hears every change of the database ([`crate::store::Change`]): one made
//!   elsewhere makes the caches read from it stale (progress counts, rankings, the library's
//!   revision); every judgement, wherever made, is told to the pages
//!   ([`AppEvent::JudgementsRecorded`]) so that counts move on every device.
//! - [`lead`] runs the library's background work (indexing, watching, hashing, embedding) in one
//!   process at a time: the one holding the database's lead ([`crate::store::Lead`]). When that
//!   process dies or loses the server, another takes the lead within seconds; a process that
//!   loses it stops that work.

use super::Inner;
use crate::store::{Change, Changed};
use image_scorer_protocol::{AppEvent, JudgementsChanged};
use std::sync::atomic::Ordering;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use tokio::sync::watch;

/// How often a process that does not lead tries to, and the leader checks it still does.
pub const LEAD_EVERY: Duration = Duration::from_secs(2);

/// Follows the database's changes until the app is gone.
pub(super) async fn follow(app: Weak<Inner>, mut changes: Receiver<Changed>) {
    loop {
        let changed = match changes.recv().await {
            Ok(changed) => changed,
            Err(RecvError::Lagged(_)) => Changed {
                change: Change::Everything,
                here: false,
            },
            Err(RecvError::Closed) => return,
        };
        let Some(app) = app.upgrade() else {
            return;
        };
        apply(&app, changed).await;
    }
}

async fn apply(app: &Inner, Changed { change, here }: Changed) {
    match change {
        Change::Judged {
            rater_id,
            images,
            image_ids,
        } => {
            if !here {
                app.progress.forget(rater_id).await;
                app.rankings.scores_changed();
                // The rater's own model here takes in what they scored there.
                let ids = if image_ids.is_empty() {
                    let mut ids = Vec::new();
                    for sha1 in &images {
                        if let Ok(Some(id)) = app.store.image_id(sha1).await {
                            ids.push(id);
                        }
                    }
                    ids
                } else {
                    image_ids
                };
                for id in ids {
                    app.personal.score_changed(rater_id, id);
                }
            }
            let rater = match known_name(app, rater_id) {
                Some(name) => Some(name),
                None => app.store.rater_name(rater_id).await.ok().flatten(),
            };
            app.sink
                .emit(AppEvent::JudgementsRecorded(JudgementsChanged {
                    rater,
                    images,
                }));
        }
        Change::Log | Change::Everything => {
            if !here {
                // A rater may have been renamed.
                app.raters.lock().unwrap_or_else(|e| e.into_inner()).clear();
                app.progress.clear();
                app.rankings.scores_changed();
                app.personal.wake().notify_one();
                if change == Change::Everything {
                    app.indexer.refresh().await;
                }
            }
            app.sink
                .emit(AppEvent::JudgementsRecorded(JudgementsChanged {
                    rater: None,
                    images: Vec::new(),
                }));
        }
        Change::Library if !here => app.indexer.refresh().await,
        Change::Folders if !here => {
            app.indexer.refresh().await;
            if app.leading.load(Ordering::Acquire) {
                let indexer = app.indexer.clone();
                tokio::spawn(async move { indexer.index_and_watch().await });
            }
        }
        Change::Library | Change::Folders => {}
    }
}

/// The name of rater `id` when this process has met it (no query per judgement).
fn known_name(app: &Inner, id: i64) -> Option<String> {
    let raters = app.raters.lock().unwrap_or_else(|e| e.into_inner());
    raters
        .iter()
        .find(|(_, &known)| known == id)
        .map(|(name, _)| name.clone())
}

/// Takes the lead whenever no other process holds it and runs the background work while it
/// does, until the app is gone.
pub(super) async fn lead(app: Weak<Inner>, library: watch::Receiver<u64>) {
    let Some(mut read) = app.upgrade().map(|inner| inner.first_reads.subscribe()) else {
        return;
    };
    let _ = read.wait_for(|done| *done).await;
    loop {
        let Some(inner) = app.upgrade() else {
            return;
        };
        let lead = inner.store.try_lead().await;
        let Ok(Some(mut lead)) = lead else {
            drop(inner);
            tokio::time::sleep(LEAD_EVERY).await;
            continue;
        };
        inner.leading.store(true, Ordering::Release);
        if inner.store.is_postgres() {
            eprintln!("image-scorer: this process now indexes, watches and embeds the library");
        }
        let work = AbortOnDrop(vec![
            tokio::spawn(super::perceptual_hashes::run(
                inner.store.clone(),
                inner.sink.clone(),
                inner.indexer.clone(),
                library.clone(),
                inner.low_priority,
            )),
            {
                let indexer = inner.indexer.clone();
                tokio::spawn(async move { indexer.index_and_watch().await })
            },
        ]);
        inner.predictor.set_embeds_here(true);
        drop(inner);
        loop {
            tokio::time::sleep(LEAD_EVERY).await;
            if app.strong_count() == 0 || !lead.holds().await {
                break;
            }
        }
        drop(work);
        let Some(inner) = app.upgrade() else {
            return;
        };
        inner.leading.store(false, Ordering::Release);
        eprintln!("image-scorer: lost the database's lead: indexing and embedding stop here");
        inner.predictor.set_embeds_here(false);
        inner.indexer.stop().await;
    }
}

/// Tasks aborted when dropped: the lead's work ends with the lead, and with the task that
/// holds it (the app closing aborts that one).
struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// The longest the library's background work waits, after the first reads, for a page to ask.
const PAGE_WAIT: Duration = Duration::from_secs(5);

/// Reads what the pages ask for first (the library's rows and counts) as the app starts, then
/// lets the library's background work begin ([`lead`] waits for it) once a page has had its
/// queue or gallery, or when no page asked within as long again as the reads took (at most
/// [`PAGE_WAIT`]: a server, the tests, a small library at once). On a large library the
/// startup rescan and hashing would otherwise share a small machine's cores with these reads
/// and the ordering after them, and the Score page's first image would wait for all of it.
/// The webview starts meanwhile.
pub(super) async fn first_reads(app: super::App) {
    let started = std::time::Instant::now();
    let model = app.0.predictor.model_id();
    let (rows, library) = tokio::join!(app.gallery_rows(model), app.0.indexer.library());
    for problem in [rows.err(), library.err()].into_iter().flatten() {
        eprintln!("image-scorer: reading the library at start: {problem}");
    }
    let wait = started.elapsed().min(PAGE_WAIT);
    let _ = tokio::time::timeout(wait, app.0.page_served.notified()).await;
    app.0.first_reads.send_replace(true);
}
