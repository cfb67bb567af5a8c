//! The Score page: one image at a time, scored 1-10 from the keyboard (or the buttons). Each
//! score is committed by the app before the next image shows; the next images are preloaded.

use crate::api;
use crate::components::EmptyState;
use crate::hooks::use_key_down;
use crate::keys::{score_action, Modifiers, ScoreAction};
use crate::state::{use_app, Action};
use image_scorer_protocol::{AppError, QueueItem, ScoreQueue, ScoreState};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// How many of the next images are loaded ahead.
const PRELOAD: usize = 3;

thread_local! {
    /// One shuffle per app session: leaving the page and coming back keeps the order.
    static SEED: u32 = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
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
    /// Whether a score is being committed (keys wait for it).
    pub busy: bool,
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
    /// The image on screen's scores.
    State(ScoreState),
    /// A score was committed: show the next image.
    Scored(ScoreState),
    /// Move to another position.
    Go(usize),
    /// A score was undone: show that image again.
    Undone(ScoreState),
    /// The image at this position could not be shown: drop it.
    Failed(usize),
    /// A committing score started (`true`) or ended.
    Busy(bool),
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
                s.state = None;
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
            SessionAction::Scored(state) => {
                s.progress = (state.rated, state.total);
                s.pos = (s.pos + 1).min(s.items.len());
                s.state = None;
                s.busy = false;
                s.note = None;
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
            SessionAction::Failed(pos) => {
                if pos < s.items.len() {
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
            SessionAction::Busy(b) => s.busy = b,
            SessionAction::Zoom(z) => s.zoom = z,
            SessionAction::Help(h) => s.help = h,
        }
        Rc::new(s)
    }
}

/// The Score page.
#[function_component]
pub fn Score() -> Html {
    let app = use_app();
    let session = use_reducer(Session::default);
    let include_rated = use_state(|| false);
    let seed = SEED.with(|s| *s);
    let fail = {
        let model = app.model.clone();
        move |e: AppError| model.dispatch(Action::Failed(e))
    };

    // A fresh queue when the page opens, the rater changes, or "include rated" flips.
    {
        let session = session.clone();
        let fail = fail.clone();
        use_effect_with(
            (*include_rated, app.model.rater_revision),
            move |(include, _)| {
                let include = *include;
                spawn_local(async move {
                    match api::score_queue(include, seed).await {
                        Ok(q) => session.dispatch(SessionAction::Queue(q)),
                        Err(e) => fail(e),
                    }
                });
            },
        );
    }
    // New and vanished images, live.
    {
        let session = session.clone();
        let fail = fail.clone();
        let include = *include_rated;
        use_effect_with(app.model.revision, move |_| {
            spawn_local(async move {
                match api::score_queue(include, seed).await {
                    Ok(q) => session.dispatch(SessionAction::Merge(q)),
                    Err(e) => fail(e),
                }
            });
        });
    }
    // The scores of the image on screen.
    let current = session.items.get(session.pos).cloned();
    {
        let session = session.clone();
        let fail = fail.clone();
        let sha1 = current.as_ref().map(|c| c.sha1.clone());
        let known = session.state.as_ref().map(|s| s.sha1.clone());
        use_effect_with(sha1, move |sha1| {
            if let Some(sha1) = sha1.clone().filter(|s| Some(s) != known.as_ref()) {
                spawn_local(async move {
                    match api::score_state(sha1).await {
                        Ok(state) => session.dispatch(SessionAction::State(state)),
                        Err(e) => fail(e),
                    }
                });
            }
        });
    }

    let act = {
        let session = session.clone();
        let fail = fail.clone();
        Callback::from(move |action: ScoreAction| {
            let s = &*session;
            match action {
                ScoreAction::Score(value) => {
                    let Some(item) = s.items.get(s.pos).cloned() else {
                        return;
                    };
                    if s.busy {
                        return;
                    }
                    session.dispatch(SessionAction::Busy(true));
                    mark("score-key");
                    let session = session.clone();
                    let fail = fail.clone();
                    spawn_local(async move {
                        match api::add_score(item.sha1, f64::from(value)).await {
                            Ok(state) => session.dispatch(SessionAction::Scored(state)),
                            Err(e) => {
                                session.dispatch(SessionAction::Busy(false));
                                fail(e);
                            }
                        }
                    });
                }
                ScoreAction::Back => session.dispatch(SessionAction::Go(s.pos.saturating_sub(1))),
                ScoreAction::Skip => session.dispatch(SessionAction::Go(s.pos + 1)),
                ScoreAction::Undo => {
                    let session = session.clone();
                    let fail = fail.clone();
                    spawn_local(async move {
                        match api::undo_score().await {
                            Ok(Some(state)) => session.dispatch(SessionAction::Undone(state)),
                            Ok(None) => {}
                            Err(e) => fail(e),
                        }
                    });
                }
                ScoreAction::Zoom => session.dispatch(SessionAction::Zoom(!s.zoom)),
                ScoreAction::Close => {
                    session.dispatch(SessionAction::Zoom(false));
                    session.dispatch(SessionAction::Help(false));
                }
                ScoreAction::Help => session.dispatch(SessionAction::Help(!s.help)),
            }
        })
    };
    {
        let act = act.clone();
        let panels_open = app.model.folders_panel || app.model.problems_panel;
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if panels_open && e.key() == "Escape" {
                return;
            }
            let m = Modifiers {
                alt: e.alt_key(),
                ctrl: e.ctrl_key(),
                shift: e.shift_key(),
                meta: e.meta_key(),
            };
            if let Some(action) = score_action(&e.key(), &e.code(), m) {
                e.prevent_default();
                act.emit(action);
            }
        }));
    }

    if app.model.library.roots.is_empty() || (session.loaded && session.progress.1 == 0) {
        return html! {
            <EmptyState slug="score" title="Score"
                purpose="Score one image at a time from 1 to 10 with the keyboard: keys 1–9, and 0 for 10; go back, skip and undo; every score is saved before the next image shows."
                then="No images to score yet: the open folders hold no readable images, or indexing is still running." />
        };
    }
    let (rated, total) = session.progress;
    let remaining = total.saturating_sub(rated);
    let toolbar = toolbar(&act, *include_rated, {
        let include_rated = include_rated.clone();
        Callback::from(move |_| include_rated.set(!*include_rated))
    });
    let body = match &current {
        None if !session.loaded => html! { <p class="note">{ "Loading…" }</p> },
        None => html! {
            <div class="done" id="score-done">
                <h2>{ "Nothing left in this round" }</h2>
                <p>{ format!("You have scored {rated} of {total} images.") }</p>
                <p class="note">{ "Back (Backspace) returns to the last image; “Include rated” goes over the scored ones again." }</p>
            </div>
        },
        Some(item) => {
            let failed = {
                let session = session.clone();
                let pos = session.pos;
                let sha1 = item.sha1.clone();
                let fail = fail.clone();
                Callback::from(move |_| {
                    session.dispatch(SessionAction::Failed(pos));
                    let sha1 = sha1.clone();
                    let fail = fail.clone();
                    spawn_local(async move {
                        if let Err(e) = api::image_failed(sha1).await {
                            fail(e);
                        }
                    });
                })
            };
            let zoom = act.reform(|_| ScoreAction::Zoom);
            html! {
                <figure class={classes!("stage", session.zoom.then_some("zoomed"))} id="score-stage">
                    <img id="score-image" key={item.sha1.clone()} src={api::image_url(&item.sha1)}
                        alt={item.name.clone()} data-sha1={item.sha1.clone()}
                        onerror={failed} onload={Callback::from(|_| mark_after_paint("score-painted"))}
                        onclick={zoom} />
                    <figcaption>{ &item.name }</figcaption>
                </figure>
            }
        }
    };
    let preload = session
        .items
        .iter()
        .skip(session.pos + 1)
        .take(PRELOAD)
        .map(|i| html! { <img key={i.sha1.clone()} src={api::image_url(&i.sha1)} alt="" /> });
    let scores = session
        .state
        .as_ref()
        .filter(|s| Some(&s.sha1) == current.as_ref().map(|c| &c.sha1));
    html! {
        <section class="page score-page" id="page-score">
            <header class="score-bar">
                <h1>{ "Score" }</h1>
                <span id="score-progress">{ format!("{rated} / {total} rated · {remaining} left") }</span>
                <span id="my-score">{ match scores.and_then(|s| s.mine) {
                    Some(v) => format!("Your score: {}", fmt_score(v)),
                    None => "Not scored by you".into(),
                } }</span>
                <span id="mean-score" class="note">{ match scores.and_then(|s| s.mean.map(|m| (m, s.raters))) {
                    Some((m, n)) => format!("Mean {} ({n} rater{})", fmt_score(m), if n == 1 { "" } else { "s" }),
                    None => String::new(),
                } }</span>
            </header>
            if let Some(note) = &session.note {
                <p class="score-note" id="score-note">{ note }</p>
            }
            { body }
            { toolbar }
            <div class="preload" aria-hidden="true">{ for preload }</div>
            if session.help { { help() } }
        </section>
    }
}

fn fmt_score(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A performance mark (the latency benchmark reads them).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// A performance mark at the next frame, once what is on screen now has been painted.
fn mark_after_paint(name: &'static str) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(move || mark(name));
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

fn toolbar(act: &Callback<ScoreAction>, include_rated: bool, toggle: Callback<MouseEvent>) -> Html {
    let button = |label: String, key: &str, action: ScoreAction, class: &str| {
        html! {
            <button class={classes!("score-button", class.to_owned())} title={format!("{label} ({key})")}
                onclick={act.reform(move |_| action)}>{ label }</button>
        }
    };
    html! {
        <div class="score-toolbar" id="score-toolbar">
            { button("‹ Back".into(), "Backspace, ←, -, b, d, f", ScoreAction::Back, "nav") }
            { for (1..=10u8).map(|v| button(v.to_string(), if v == 10 { "0" } else { "" }, ScoreAction::Score(v), "value")) }
            { button("Skip ›".into(), "Space, →, s, u, j", ScoreAction::Skip, "nav") }
            { button("Undo".into(), "Ctrl+Z, z", ScoreAction::Undo, "nav") }
            { button("Zoom".into(), "Enter, click", ScoreAction::Zoom, "nav") }
            { button("?".into(), "?", ScoreAction::Help, "nav") }
            <label class="include-rated" title="Also go over images you already scored">
                <input type="checkbox" id="include-rated" checked={include_rated} onclick={toggle} />
                { "Include rated" }
            </label>
        </div>
    }
}

fn help() -> Html {
    let rows = [
        ("1 – 9, 0", "score 1 – 9, 0 scores 10 (top row or numpad)"),
        (
            "Backspace ← - b d f",
            "back to the previous image, to score it again",
        ),
        ("Space → s u j", "skip"),
        ("Ctrl+Z, z", "undo the last score"),
        ("Enter, click", "zoom; Escape closes"),
        ("Alt+1 … Alt+5", "switch pages"),
        ("?", "this help"),
    ];
    html! {
        <div class="help" id="score-help" role="dialog" aria-label="Keys">
            <h2>{ "Keys" }</h2>
            <table>{ for rows.iter().map(|(k, what)| html! { <tr><td><kbd>{ *k }</kbd></td><td>{ *what }</td></tr> }) }</table>
            <p class="note">{ "Escape or ? closes." }</p>
        </div>
    }
}
