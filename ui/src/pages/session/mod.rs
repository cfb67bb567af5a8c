//! What the Score and Rate pages share: the queue of images (one shuffle per session, live
//! with the library), the position in it, the image on screen with its scores and prediction,
//! back, skip, undo and zoom. The image itself is shown by the [`Trial`] component.

use crate::api;
use crate::components::{mark, Trial};
use crate::gestures::Paging;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetScoreQueue, GetScoreState, Undo};
use image_scorer_protocol::{AppError, QueueItem, ScoreQueue, ScoreState, Undone};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How many of the next images are loaded ahead.
pub const PRELOAD: usize = 3;

/// How often, at most, the Rate page asks for the queue's order again while predictions are
/// being computed.
const REORDER_EVERY_MS: f64 = 5000.0;

thread_local! {
    /// One shuffle per app session: leaving the page and coming back keeps the order.
    pub static SEED: u32 = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
}

/// The scoring session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    /// The images, in order.
    pub items: Vec<QueueItem>,
    /// The index of the image on screen (`items.len()` when done).
    pub pos: usize,
    /// Scores of the image on screen, and the rater's progress.
    pub state: Option<ScoreState>,
    /// `(rated, total)` for the rater.
    pub progress: (u32, u32),
    /// A passing message (an image that could not load, an undo).
    pub note: Option<String>,
    /// Whether the first queue arrived.
    pub loaded: bool,
    /// Whether the image is zoomed.
    pub zoom: bool,
    /// Whether the key help is shown.
    pub help: bool,
}

/// A change to the [`Session`].
#[derive(Debug, Clone, PartialEq)]
pub enum SessionAction {
    /// A fresh queue (start over at its first image).
    Queue(ScoreQueue),
    /// The queue again, after the library changed: new images join at the end.
    Merge(ScoreQueue),
    /// The queue again, in the app's current order: the images not reached yet take that order
    /// (on Rate, images predicted since the queue was loaded move ahead). Images already seen
    /// stay where they are.
    Reorder(ScoreQueue),
    /// The image on screen's scores.
    State(ScoreState),
    /// The image with this SHA-1 was judged: show the next one (the judgement is saved in the
    /// background, [`in_order`](crate::api::in_order)). Nothing moves if the image on screen
    /// is another one by now.
    Judged(String),
    /// A judgement was saved: the rater's progress, and the image's scores.
    Saved(ScoreState),
    /// A judgement of the image with this SHA-1 could not be saved (`what` it was): the image
    /// comes back on screen, saying so.
    NotSaved { sha1: String, what: String },
    /// Move to another position.
    Go(usize),
    /// A score was undone: show that image again.
    Undone(ScoreState),
    /// Say something in passing (e.g. what an undo took back).
    Note(String),
    /// The image with this SHA-1 could not be shown: drop it (once, wherever it is).
    Failed(String),
    /// Toggle the zoom.
    Zoom(bool),
    /// Toggle the key help.
    Help(bool),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            SessionAction::Queue(q) => {
                s.items = q.items;
                s.pos = 0;
                s.progress = (q.rated, q.total);
                s.loaded = true;
                // The scores on hand stay: they are only shown for their own image, and the
                // image on screen may be the same one (a merge can arrive before the queue).
            }
            SessionAction::Reorder(q) => {
                let seen = (s.pos + 1).min(s.items.len());
                let kept: std::collections::HashSet<String> =
                    s.items[..seen].iter().map(|i| i.sha1.clone()).collect();
                let queued: std::collections::HashSet<&str> =
                    q.items.iter().map(|i| i.sha1.as_str()).collect();
                let ahead = s.items.split_off(seen);
                // Images ahead that the queue no longer lists (scored ones after going back)
                // stay next, so going forward again finds them.
                s.items.extend(
                    ahead
                        .into_iter()
                        .filter(|i| !queued.contains(i.sha1.as_str())),
                );
                s.items
                    .extend(q.items.into_iter().filter(|i| !kept.contains(&i.sha1)));
                s.progress = (q.rated, q.total);
                s.loaded = true;
            }
            SessionAction::Merge(q) => {
                let known: std::collections::HashSet<String> =
                    s.items.iter().map(|i| i.sha1.clone()).collect();
                let present: std::collections::HashSet<&str> =
                    q.items.iter().map(|i| i.sha1.as_str()).collect();
                // Images that left the library go (unless on screen); new ones join at the end.
                let current = s.items.get(s.pos).map(|i| i.sha1.clone());
                let before = s.items[..s.pos.min(s.items.len())]
                    .iter()
                    .filter(|i| !present.contains(i.sha1.as_str()))
                    .count();
                s.items.retain(|i| {
                    present.contains(i.sha1.as_str()) || Some(&i.sha1) == current.as_ref()
                });
                s.pos -= before.min(s.pos);
                s.items
                    .extend(q.items.into_iter().filter(|i| !known.contains(&i.sha1)));
                s.progress = (q.rated, q.total);
                s.loaded = true;
            }
            SessionAction::State(state) => {
                s.progress = (state.rated, state.total);
                s.state = Some(state);
            }
            SessionAction::Judged(sha1) => {
                if s.items.get(s.pos).is_some_and(|i| i.sha1 == sha1) {
                    s.pos += 1;
                    s.state = None;
                    s.note = None;
                }
            }
            SessionAction::Saved(state) => {
                s.progress = (state.rated, state.total);
                if s.items.get(s.pos).is_some_and(|i| i.sha1 == state.sha1) {
                    s.state = Some(state);
                }
            }
            SessionAction::NotSaved { sha1, what } => {
                if let Some(p) = s.items.iter().position(|i| i.sha1 == sha1) {
                    if p != s.pos {
                        s.pos = p;
                        s.state = None;
                    }
                    s.note = Some(format!(
                        "{what} for “{}” was not saved (see the message above): it is back on screen to try again.",
                        s.items[p].name
                    ));
                }
            }
            SessionAction::Go(pos) => {
                if pos != s.pos {
                    s.pos = pos.min(s.items.len());
                    s.state = None;
                    s.note = None;
                }
            }
            SessionAction::Undone(state) => {
                s.progress = (state.rated, state.total);
                match s.items.iter().position(|i| i.sha1 == state.sha1) {
                    Some(p) => s.pos = p,
                    None => {
                        let item = QueueItem {
                            sha1: state.sha1.clone(),
                            name: String::new(),
                        };
                        s.items.insert(s.pos.min(s.items.len()), item);
                    }
                }
                let name = s.items[s.pos].name.clone();
                s.note = Some(format!(
                    "Undid the last score ({name}); score it again or move on."
                ));
                s.state = Some(state);
            }
            SessionAction::Note(note) => s.note = Some(note),
            SessionAction::Failed(sha1) => {
                if let Some(pos) = s.items.iter().position(|i| i.sha1 == sha1) {
                    let item = s.items.remove(pos);
                    s.note = Some(format!(
                        "“{}” could not be displayed: skipped, and listed with the unreadable files.",
                        item.name
                    ));
                    if pos < s.pos {
                        s.pos -= 1;
                    }
                    s.state = None;
                }
            }
            SessionAction::Zoom(z) => s.zoom = z,
            SessionAction::Help(h) => s.help = h,
        }
        Rc::new(s)
    }
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
    let queue = {
        let rater = rater.clone();
        move |include_rated: bool, predicted_first: bool| GetScoreQueue {
            rater: rater.clone(),
            include_rated,
            seed,
            predicted_first,
            teach,
        }
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
            let queue = queue.clone();
            move |(include, _, _, _)| {
                let request = queue(*include, predicted_first);
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
    {
        let session = session.clone();
        let fail = fail.clone();
        let request = queue(include_rated, predicted_first);
        use_effect_with(app.model.revision, move |_| {
            spawn_local(async move {
                if request.rater.is_empty() {
                    return;
                }
                match api::call(request).await {
                    Ok(q) => session.dispatch(SessionAction::Merge(q)),
                    Err(e) => fail(e),
                }
            });
        });
    }
    {
        let sha1 = session.items.get(session.pos).map(|c| c.sha1.clone());
        let known = session.state.clone();
        let session = session.clone();
        let fail = fail.clone();
        let seen = use_mut_ref(|| (app.model.pack_revision, app.model.rater_revision));
        let now = (app.model.pack_revision, app.model.rater_revision);
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
    // order again as the person moves on (at most every REORDER_EVERY_MS: with a large library
    // the whole queue crosses each time), so those predicted meanwhile come first.
    {
        let session = session.clone();
        let running = app.model.predictor.progress.running;
        let fail = fail.clone();
        let request = queue(include_rated, true);
        let last = use_mut_ref(|| 0.0f64);
        use_effect_with(session.pos, move |pos| {
            let now = js_sys::Date::now();
            let due = now - *last.borrow() >= REORDER_EVERY_MS;
            if predicted_first && running && due && *pos > 0 && !request.rater.is_empty() {
                *last.borrow_mut() = now;
                spawn_local(async move {
                    match api::call(request).await {
                        Ok(q) => session.dispatch(SessionAction::Reorder(q)),
                        Err(e) => fail(e),
                    }
                });
            }
        });
    }
    session
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn item(c: char) -> QueueItem {
        QueueItem {
            sha1: c.to_string().repeat(40),
            name: format!("{c}.png"),
        }
    }

    fn queue(names: &str) -> ScoreQueue {
        ScoreQueue {
            items: names.chars().map(item).collect(),
            rated: 0,
            total: names.len() as u32,
        }
    }

    fn names(s: &Session) -> String {
        s.items
            .iter()
            .map(|i| i.name.chars().next().unwrap())
            .collect()
    }

    fn reduce(s: Session, action: SessionAction) -> Session {
        (*Rc::new(s).reduce(action)).clone()
    }

    fn state(c: char, rated: u32) -> ScoreState {
        ScoreState {
            sha1: c.to_string().repeat(40),
            mine: Some(7.0),
            mean: Some(7.0),
            raters: 1,
            rated,
            total: 3,
            ..ScoreState::default()
        }
    }

    #[test]
    fn a_judgement_moves_on_at_once_and_its_saving_only_updates_the_counts() {
        let mut s = reduce(Session::default(), SessionAction::Queue(queue("abc")));
        s = reduce(s, SessionAction::Judged(item('a').sha1));
        assert_eq!(s.pos, 1);
        // A second press handled before the page showed b judges a again: nothing moves.
        s = reduce(s, SessionAction::Judged(item('a').sha1));
        assert_eq!(s.pos, 1);
        s = reduce(s, SessionAction::Saved(state('a', 1)));
        assert_eq!((s.pos, s.progress), (1, (1, 3)));
        assert!(s.state.is_none(), "a's scores are not b's");
        // Back on a, its saved scores show.
        s = reduce(s, SessionAction::Go(0));
        s = reduce(s, SessionAction::Saved(state('a', 1)));
        assert_eq!(
            s.state.as_ref().map(|st| st.sha1.clone()),
            Some(item('a').sha1)
        );
    }

    #[test]
    fn a_judgement_not_saved_brings_its_image_back_with_a_note() {
        let mut s = reduce(Session::default(), SessionAction::Queue(queue("abc")));
        s = reduce(s, SessionAction::Judged(item('a').sha1));
        s = reduce(s, SessionAction::Judged(item('b').sha1));
        assert_eq!(s.pos, 2);
        s = reduce(
            s,
            SessionAction::NotSaved {
                sha1: item('a').sha1,
                what: "Score 7".into(),
            },
        );
        assert_eq!(s.pos, 0);
        let note = s.note.clone().unwrap();
        assert!(note.contains("Score 7") && note.contains("a.png"), "{note}");
    }

    #[test]
    fn reordering_moves_only_the_images_ahead() {
        let mut s = reduce(Session::default(), SessionAction::Queue(queue("abcde")));
        s = reduce(s, SessionAction::Go(1));
        // a was scored; the app now lists d and e (predicted meanwhile) first.
        s = reduce(s, SessionAction::Reorder(queue("debc")));
        assert_eq!(names(&s), "abdec");
        assert_eq!(s.pos, 1, "b stays on screen");
        // After going back to a scored image, what was ahead stays reachable.
        s = reduce(s, SessionAction::Go(0));
        s = reduce(s, SessionAction::Reorder(queue("ecd")));
        assert_eq!(names(&s), "abecd");
    }
}
