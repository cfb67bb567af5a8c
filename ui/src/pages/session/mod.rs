//! What the Score and Rate pages share: the queue of images (one shuffle per session, live
//! with the library), the position in it, the image on screen with its scores and prediction,
//! back, skip, undo and zoom ([`state`]), and the page around it ([`page`]: its keys, its
//! toolbar's common half, the stage). The image itself is shown by the [`Trial`] component.

mod page;
mod state;

pub use page::{my_score, use_scoring_page, use_session_keys, ScoringPage, SessionKeys};
pub use state::{Session, SessionAction};

use crate::api;
use crate::components::{mark, Trial};
use crate::gestures::Paging;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{
    ClaimImages, GetScoreQueue, GetScoreState, QueueWindow, ReleaseImages, Undo,
};
use image_scorer_protocol::{AppError, QueueItem, ScoreState, Undone};
use std::cell::RefCell;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How many of the next images are loaded ahead.
pub const PRELOAD: usize = 3;

/// How many images of the queue the page reads at a time: it tops up to this many ahead when
/// fewer than half are left (a large library's whole queue would take seconds to cross).
const WINDOW: usize = 500;

/// How many of the wanted images ahead a claim reserves: the one on screen and the next, so
/// that moving on finds the next one already the rater's.
const HOLD: u32 = 2;

/// How many wanted images ahead one claim looks at (those covered meanwhile leave together).
const CLAIM_AHEAD: usize = 16;

/// How often, at most, the Rate page asks for the queue's order again while predictions are
/// being computed.
const REORDER_EVERY_MS: f64 = 5000.0;

thread_local! {
    /// One shuffle per app session: leaving the page and coming back keeps the order.
    pub static SEED: u32 = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
}

/// The session of a page that goes through the queue: loads it when the page opens, the rater
/// changes or `include_rated` flips; merges library changes; fetches the scores of the image on
/// screen (again when predictions progress and it has none yet). With `predicted_first`,
/// unrated images that have a prediction come first. Nothing is asked before the rater is
/// known.
#[hook]
pub fn use_session(
    include_rated: bool,
    predicted_first: bool,
    teach: bool,
) -> UseReducerHandle<Session> {
    let app = use_app();
    let session = use_reducer(Session::default);
    let seed = SEED.with(|s| *s);
    let rater = app.model.rater.name.clone();
    let asks = QueueAsks {
        rater: rater.clone(),
        seed,
        teach,
    };
    let fail = {
        let model = app.model.clone();
        move |e: AppError| model.dispatch(Action::Failed(e))
    };
    {
        let session = session.clone();
        let fail = fail.clone();
        // Another pack predicts other images: the Rate page starts over with them first.
        let pack = predicted_first.then_some(app.model.pack_revision);
        use_effect_with((include_rated, app.model.rater_revision, pack, teach), {
            let asks = asks.clone();
            move |(include, _, _, _)| {
                let request = asks.window(*include, predicted_first, WINDOW, Vec::new());
                spawn_local(async move {
                    if request.rater.is_empty() {
                        return;
                    }
                    match api::call(request).await {
                        Ok(q) => session.dispatch(SessionAction::Queue(q)),
                        Err(e) => fail(e),
                    }
                });
            }
        });
    }
    use_top_up(&session, &asks, (include_rated, predicted_first), &fail);
    {
        let sha1 = session.items.get(session.pos).map(|c| c.sha1.clone());
        let known = session.state.clone();
        let session = session.clone();
        let fail = fail.clone();
        // Another rater judged the image on screen: its mean and count moved.
        let judged = match &sha1 {
            Some(s)
                if app.model.judged_images.is_empty() || app.model.judged_images.contains(s) =>
            {
                app.model.judged_revision
            }
            _ => 0,
        };
        let seen = use_mut_ref(|| (app.model.pack_revision, app.model.rater_revision, judged));
        let now = (app.model.pack_revision, app.model.rater_revision, judged);
        // While the job runs, a prediction still missing may have arrived; only a pack with a
        // score head makes any.
        let predictions = app
            .model
            .predictor
            .predicts
            .then_some(app.model.prediction_revision);
        let deps = (sha1, predictions, now);
        use_effect_with(deps, move |(sha1, predictions, now)| {
            // Another pack or another rater: what is on hand is someone else's view.
            let changed = std::mem::replace(&mut *seen.borrow_mut(), *now) != *now;
            let missing = |k: &ScoreState| k.predicted.is_none() && predictions.is_some();
            let stale = |s: &String| match &known {
                Some(k) => &k.sha1 != s || missing(k) || changed,
                None => true,
            };
            if let Some(sha1) = sha1.clone().filter(stale).filter(|_| !rater.is_empty()) {
                spawn_local(async move {
                    match api::call(GetScoreState { rater, sha1 }).await {
                        Ok(state) => session.dispatch(SessionAction::State(state)),
                        Err(e) => fail(e),
                    }
                });
            }
        });
    }
    // On Rate, while predictions are being computed, the images ahead are put in the app's
    // order again as the person moves on (at most every REORDER_EVERY_MS: the core orders the
    // whole library each time), so those predicted meanwhile come first.
    {
        let session = session.clone();
        let rater = app.model.rater.name.clone();
        let running = app.model.predictor.progress.running;
        let fail = fail.clone();
        let last = use_mut_ref(|| 0.0f64);
        use_effect_with(session.pos, move |pos| {
            let now = js_sys::Date::now();
            let due = now - *last.borrow() >= REORDER_EVERY_MS;
            if predicted_first && running && due && *pos > 0 && !rater.is_empty() {
                *last.borrow_mut() = now;
                let seen = (pos + 1).min(session.items.len());
                let known = session.items[..seen]
                    .iter()
                    .map(|i| i.sha1.clone())
                    .collect();
                let request = asks.window(include_rated, true, WINDOW, known);
                spawn_local(async move {
                    match api::call(request).await {
                        Ok(q) => session.dispatch(SessionAction::Reorder(q)),
                        Err(e) => fail(e),
                    }
                });
            }
        });
    }
    use_reservations(&session, &app.model.rater.name, &fail);
    session
}

/// What a page asks of the queue: its rater, the session's shuffle and the teaching order.
#[derive(Clone, PartialEq)]
struct QueueAsks {
    rater: String,
    seed: u32,
    teach: bool,
}

impl QueueAsks {
    /// A window of at most `limit` images, leaving out those `known`.
    fn window(
        &self,
        include_rated: bool,
        predicted_first: bool,
        limit: usize,
        known: Vec<String>,
    ) -> GetScoreQueue {
        GetScoreQueue {
            rater: self.rater.clone(),
            include_rated,
            seed: self.seed,
            predicted_first,
            teach: self.teach,
            window: Some(QueueWindow {
                limit: limit as u32,
                known,
            }),
        }
    }
}

/// The library changed, or the images ahead run low: a window of what the page does not hold
/// yet (new images, and the next of the queue), and which of those it holds left.
#[hook]
fn use_top_up(
    session: &UseReducerHandle<Session>,
    asks: &QueueAsks,
    order: (bool, bool),
    fail: &(impl Fn(AppError) + Clone + 'static),
) {
    let (include_rated, predicted_first) = order;
    let app = use_app();
    let session = session.clone();
    let asks = asks.clone();
    let fail = fail.clone();
    let ahead = session.items.len().saturating_sub(session.pos);
    let low = session.loaded && session.rest > 0 && ahead < WINDOW / 2;
    let revision = app.model.revision;
    let last = use_mut_ref(|| revision);
    use_effect_with((revision, low), move |(revision, low)| {
        let revised = std::mem::replace(&mut *last.borrow_mut(), *revision) != *revision;
        // Not loaded: the first window is on its way. Topped up: nothing to do.
        if !session.loaded || !(revised || *low) || asks.rater.is_empty() {
            return;
        }
        let ahead = session.items.len().saturating_sub(session.pos);
        let known = session.items.iter().map(|i| i.sha1.clone()).collect();
        let limit = WINDOW.saturating_sub(ahead);
        let request = asks.window(include_rated, predicted_first, limit, known);
        spawn_local(async move {
            match api::call(request).await {
                Ok(q) => session.dispatch(SessionAction::Merge(q)),
                Err(e) => fail(e),
            }
        });
    });
}

/// The team queue's side of a session: reserves the wanted images as the page comes to them
/// (the one on screen and the next), gives back those skipped, and those still held when the
/// page closes (else their reservations run out on their own).
#[hook]
fn use_reservations(
    session: &UseReducerHandle<Session>,
    rater: &str,
    fail: &(impl Fn(AppError) + Clone + 'static),
) {
    let ahead: Vec<String> = session
        .items
        .iter()
        .skip(session.pos)
        .filter(|i| session.wanted.contains(&i.sha1))
        .take(CLAIM_AHEAD)
        .map(|i| i.sha1.clone())
        .collect();
    // Due when the image on screen or the next wanted one is not the rater's yet.
    let due = session
        .items
        .get(session.pos)
        .is_some_and(|i| session.wanted.contains(&i.sha1))
        && ahead
            .iter()
            .take(HOLD as usize)
            .any(|s| !session.held.contains(s));
    let asked = use_mut_ref(Vec::<String>::new);
    {
        let session = session.clone();
        let rater = rater.to_owned();
        let fail = fail.clone();
        use_effect_with((due, ahead), move |(due, ahead)| {
            // One claim per set of candidates: its answer changes them.
            if *due && !rater.is_empty() && *asked.borrow() != *ahead {
                *asked.borrow_mut() = ahead.clone();
                let request = ClaimImages {
                    rater,
                    images: ahead.clone(),
                    hold: HOLD,
                };
                spawn_local(async move {
                    match api::call(request).await {
                        Ok(claimed) => session.dispatch(SessionAction::Claimed(claimed)),
                        Err(e) => fail(e),
                    }
                });
            }
        });
    }
    {
        let session = session.clone();
        let rater = rater.to_owned();
        let fail = fail.clone();
        use_effect_with(session.releases.clone(), move |releases| {
            if !releases.is_empty() {
                let request = ReleaseImages {
                    rater,
                    images: releases.clone(),
                };
                session.dispatch(SessionAction::Released);
                spawn_local(async move {
                    if let Err(e) = api::call(request).await {
                        fail(e);
                    }
                });
            }
        });
    }
    {
        // The page closes: what it still holds goes back.
        let held = use_mut_ref(|| (String::new(), Vec::<String>::new()));
        *held.borrow_mut() = (rater.to_owned(), session.held.iter().cloned().collect());
        use_effect_with((), move |_| {
            move || {
                let (rater, images) = std::mem::take(&mut *held.borrow_mut());
                if !images.is_empty() && !rater.is_empty() {
                    spawn_local(async move {
                        let _ = api::call(ReleaseImages { rater, images }).await;
                    });
                }
            }
        });
    }
}

/// Undoes `rater`'s newest judgement, after the judgements still being saved: a score's image
/// is shown again; anything else is named.
pub fn undo(session: &UseReducerHandle<Session>, rater: String, fail: Callback<AppError>) {
    let session = session.clone();
    api::in_order(async move {
        match api::call(Undo { rater }).await {
            Ok(Some(Undone {
                score: Some(state), ..
            })) => session.dispatch(SessionAction::Undone(state)),
            Ok(Some(Undone { judgement, .. })) => session.dispatch(SessionAction::Note(format!(
                "Undid your last {} (made on another page).",
                judgement.kind.noun()
            ))),
            Ok(None) => session.dispatch(SessionAction::Note("Nothing to undo.".into())),
            Err(e) => fail.emit(e),
        }
    });
}

/// Judges the image on screen: the page moves on at once, and `save` (a command whose answer
/// is the image's scores) goes to the app after the judgements before it. If it fails, the
/// image comes back with a note saying `what` was lost, and the error is shown.
///
/// `armed` is the page's `use_mut_ref(|| true)`, set again at every render: a second press
/// handled before the page showed the next image would judge the same image twice, and is
/// dropped instead.
pub fn judge<C>(
    session: &UseReducerHandle<Session>,
    armed: &RefCell<bool>,
    save: C,
    what: String,
    fail: Callback<AppError>,
) -> bool
where
    C: image_scorer_protocol::Command<Response = ScoreState> + 'static,
{
    let Some(item) = session.items.get(session.pos).cloned() else {
        return false;
    };
    if !std::mem::replace(&mut *armed.borrow_mut(), false) {
        return false;
    }
    session.dispatch(SessionAction::Judged(item.sha1.clone()));
    let session = session.clone();
    api::in_order(async move {
        mark("trial-invoke");
        let answer = api::call(save).await;
        mark("trial-reply");
        match answer {
            Ok(state) => session.dispatch(SessionAction::Saved(state)),
            Err(e) => {
                session.dispatch(SessionAction::NotSaved {
                    sha1: item.sha1,
                    what,
                });
                fail.emit(e);
            }
        }
    });
    true
}

/// The scores of the image on screen, once they arrived.
pub fn current_state(session: &Session) -> Option<&ScoreState> {
    let current = session.items.get(session.pos)?;
    session.state.as_ref().filter(|s| s.sha1 == current.sha1)
}

/// The image on screen as a one-image [`Trial`] (`id_prefix`-stage / -image), with the next
/// ones loaded ahead; a click zooms; an image the webview cannot display is dropped from the
/// session.
pub fn stage(
    id_prefix: &str,
    session: &UseReducerHandle<Session>,
    item: &QueueItem,
    zoom: Callback<()>,
) -> Html {
    let failed = {
        let session = session.clone();
        let sha1 = item.sha1.clone();
        Callback::from(move |_| session.dispatch(SessionAction::Failed(sha1.clone())))
    };
    let preload: Vec<String> = session
        .items
        .iter()
        .skip(session.pos + 1)
        .take(PRELOAD)
        .map(|i| i.sha1.clone())
        .collect();
    let gesture = {
        let session = session.clone();
        Callback::from(move |g| match crate::gestures::paging(g, session.zoom) {
            Some(Paging::Next) => session.dispatch(SessionAction::Go(session.pos + 1)),
            Some(Paging::Back) => {
                session.dispatch(SessionAction::Go(session.pos.saturating_sub(1)))
            }
            Some(Paging::Zoom(on)) => session.dispatch(SessionAction::Zoom(on)),
            None => {}
        })
    };
    html! {
        <Trial id={id_prefix.to_owned()} images={vec![item.clone()]}
            zoomed={session.zoom.then_some(0)} {preload}
            on_click={zoom.reform(|_| ())} on_failed={failed} on_gesture={gesture} />
    }
}

/// A score as people write it: `7`, `6.4`.
pub fn fmt_score(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
