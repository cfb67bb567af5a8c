//! The Score page: one image at a time, scored 1-10 from the keyboard (or the buttons). The
//! next image shows at the key press while the score is saved, in order, behind it; the count
//! of rated images is what the app has saved. A score that cannot be saved brings its image
//! back with the reason. The next images are preloaded.

use super::session::{current_state, fmt_score, judge, stage, undo, use_session, SessionAction};
use crate::components::{key_button, key_help, mark_key, EmptyState, OwnModel};
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, ScoreAction, SCORE_KEYS};
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::AddScore;
use image_scorer_protocol::AppError;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// The Score page.
#[function_component]
pub fn Score() -> Html {
    let app = use_app();
    let include_rated = use_state(|| false);
    let show_prediction = use_state(|| false);
    let teach = use_state(|| false);
    let session = use_session(*include_rated, false, *teach);
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    let current = session.items.get(session.pos).cloned();
    let armed = use_mut_ref(|| true);
    *armed.borrow_mut() = true;

    let act = {
        let session = session.clone();
        let armed = armed.clone();
        let show_prediction = show_prediction.clone();
        let teach = teach.clone();
        let fail = fail.clone();
        let rater = app.model.rater.name.clone();
        let model = app.model.clone();
        Callback::from(move |action: ScoreAction| {
            let s = &*session;
            match action {
                ScoreAction::Score(value) => {
                    let Some(item) = s.items.get(s.pos) else {
                        return;
                    };
                    let request = AddScore {
                        rater: rater.clone(),
                        sha1: item.sha1.clone(),
                        value: f64::from(value),
                    };
                    let what = format!("Your score {value}");
                    judge(&session, &armed, request, what, fail.clone());
                }
                ScoreAction::Back => session.dispatch(SessionAction::Go(s.pos.saturating_sub(1))),
                ScoreAction::Skip => session.dispatch(SessionAction::Go(s.pos + 1)),
                ScoreAction::Undo => undo(&session, rater.clone(), fail.clone()),
                ScoreAction::Zoom => session.dispatch(SessionAction::Zoom(!s.zoom)),
                ScoreAction::Close => {
                    session.dispatch(SessionAction::Zoom(false));
                    session.dispatch(SessionAction::Help(false));
                }
                ScoreAction::Help => session.dispatch(SessionAction::Help(!s.help)),
                ScoreAction::Prediction => show_prediction.set(!*show_prediction),
                ScoreAction::Teach => teach.set(!*teach),
                ScoreAction::Similar => {
                    if let Some(item) = s.items.get(s.pos) {
                        let query = SimilarQuery::Image(item.sha1.clone());
                        model.dispatch(Action::FindSimilar(query));
                    }
                }
            }
        })
    };
    {
        let act = act.clone();
        let panels_open = app.model.panel_open();
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if panels_open && e.key() == "Escape" {
                return;
            }
            let m = Modifiers::of(&e);
            if let Some(action) = SCORE_KEYS.action(&e.key(), &e.code(), m) {
                e.prevent_default();
                if matches!(action, ScoreAction::Score(_)) {
                    mark_key(e.time_stamp());
                }
                act.emit(action);
            }
        }));
    }

    if app.model.library.roots.is_empty() || (session.loaded && session.progress.1 == 0) {
        return html! {
            <EmptyState slug="score" title="Score"
                purpose="Score one image at a time from 1 to 10 with the keyboard: keys 1–9, and 0 for 10; go back, skip and undo; the next image shows at once while each score is saved in order, and a score that cannot be saved brings its image back."
                then="No images to score yet: the open folders hold no readable images, or indexing is still running." />
        };
    }
    let (rated, total) = session.progress;
    let remaining = total.saturating_sub(rated);
    let toolbar = toolbar(
        &act,
        *include_rated,
        {
            let include_rated = include_rated.clone();
            Callback::from(move |_| include_rated.set(!*include_rated))
        },
        *show_prediction,
        *teach,
    );
    let body = match &current {
        None if !session.loaded => html! { <p class="note">{ "Loading…" }</p> },
        None => html! {
            <div class="done" id="score-done">
                <h2>{ "Nothing left in this round" }</h2>
                <p>{ format!("You have scored {rated} of {total} images.") }</p>
                <p class="note">{ "Back (Backspace) returns to the last image; “Include rated” goes over the scored ones again." }</p>
            </div>
        },
        Some(item) => stage("score", &session, item, act.reform(|_| ScoreAction::Zoom)),
    };
    let scores = current_state(&session);
    let prediction = prediction_text(&app.model.predictor, scores.and_then(|s| s.predicted));
    html! {
        <section class="page score-page" id="page-score">
            <header class="score-bar">
                <h1>{ "Score" }</h1>
                <span id="score-progress">{ format!("{rated} / {total} rated · {remaining} left") }</span>
                <span id="my-score">{ match scores.and_then(|s| s.mine) {
                    Some(v) => format!("Your score: {}", fmt_score(v)),
                    None => "Not scored by you".into(),
                } }</span>
                if *show_prediction {
                    <span id="score-prediction" class="prediction" title="The active model's predicted score (p hides it)">{ prediction }</span>
                }
                if *teach {
                    <OwnModel rated={rated} />
                }
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
            if session.help { { key_help("score-help", &SCORE_KEYS, "Escape or ? closes.") } }
        </section>
    }
}

fn toolbar(
    act: &Callback<ScoreAction>,
    include_rated: bool,
    toggle: Callback<MouseEvent>,
    show_prediction: bool,
    teach: bool,
) -> Html {
    let button = |label: &str, action: ScoreAction, class: &str| {
        key_button(&SCORE_KEYS, label, action, class, act)
    };
    html! {
        <div class="score-toolbar" id="score-toolbar">
            { button("‹ Back", ScoreAction::Back, "nav") }
            { for (1..=10u8).map(|v| button(&v.to_string(), ScoreAction::Score(v), "value")) }
            { button("Skip ›", ScoreAction::Skip, "nav") }
            { button("Undo", ScoreAction::Undo, "nav") }
            { button("Zoom", ScoreAction::Zoom, "nav") }
            { button("≈ Similar", ScoreAction::Similar, "nav") }
            { button("?", ScoreAction::Help, "nav") }
            <label class="include-rated" title={SCORE_KEYS.title("Show the model's predicted score; hidden by default so it does not sway you", ScoreAction::Prediction)}>
                <input type="checkbox" id="show-prediction" checked={show_prediction}
                    onclick={act.reform(|_| ScoreAction::Prediction)} />
                { "Prediction" }
            </label>
            <label class="include-rated" title="Also go over images you already scored">
                <input type="checkbox" id="include-rated" checked={include_rated} onclick={toggle} />
                { "Include rated" }
            </label>
            <label class="include-rated" title={SCORE_KEYS.title(TEACH_TITLE, ScoreAction::Teach)}>
                <input type="checkbox" id="score-teach" checked={teach}
                    onclick={act.reform(|_| ScoreAction::Teach)} />
                { "Teach my model" }
            </label>
        </div>
    }
}

/// What the "Teach my model" order does, for its tick box.
pub const TEACH_TITLE: &str = "Teach my model: the images your own model is least sure about, each unlike the ones before, come first (instead of the shuffle), so each score teaches it most";

/// What the Score page says of the prediction: the value, or why there is none.
pub fn prediction_text(
    predictor: &image_scorer_protocol::PredictorState,
    predicted: Option<f64>,
) -> String {
    match predicted {
        Some(p) => format!("Predicted {p:.1}"),
        None if predictor.problem.is_some() || predictor.active.is_none() => {
            "No predictions (see Ctrl+M)".into()
        }
        None if !predictor.predicts => "This model pack has no score head".into(),
        None => "Not predicted yet".into(),
    }
}
