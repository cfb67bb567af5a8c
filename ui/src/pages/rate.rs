//! The Rate page: the image with the model's predicted score; the value starts at your last
//! score for the image, else the prediction, else 5.5; nudge it by ±0.1 or ±1.0 and commit,
//! which records the value with the prediction that was shown and moves on.

use super::score::{prediction_text, TEACH_TITLE};
use super::session::{current_state, fmt_score, judge, stage, undo, use_session, SessionAction};
use crate::api;
use crate::components::{key_button, key_help, mark_key, EmptyState, OwnModel};
use crate::hooks::use_key_down;
use crate::keys::{adjust, Modifiers, RateAction, RATE_KEYS};
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::{AddRating, GetScoreState};
use image_scorer_protocol::{AppError, PersonalModel, ScoreState};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// The value shown when there is neither a score nor a prediction.
pub const NEUTRAL: f64 = 5.5;

/// The prediction the page shows for an image, and whether it is the rater's own model's: the
/// own model's once it predicts better than the pack (by cross-validation), else the pack's.
pub fn shown_prediction(state: Option<&ScoreState>) -> Option<(f64, bool)> {
    let s = state?;
    match s.own_predicted {
        Some(own) if s.own_better => Some((own, true)),
        _ => s.predicted.map(|p| (p, false)),
    }
}

/// Where the value starts for an image: the rater's last score, else the prediction shown,
/// else 5.5, at one decimal within 1-10.
pub fn start_value(state: Option<&ScoreState>) -> f64 {
    let start = state
        .and_then(|s| s.mine)
        .or_else(|| shown_prediction(state).map(|(p, _)| p))
        .unwrap_or(NEUTRAL);
    adjust(start, 0)
}

/// The Rate page.
#[function_component]
pub fn Rate() -> Html {
    let app = use_app();
    let include_rated = use_state(|| false);
    let teach = use_state(|| false);
    let session = use_session(*include_rated, true, *teach);
    // The value the user set for an image (by its hash); read and written by the key handler
    // directly, so fast key presses never see an old value.
    let chosen: Rc<RefCell<Option<(String, f64)>>> = use_mut_ref(|| None);
    let redraw = use_force_update();
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    let current = session.items.get(session.pos).cloned();
    let scores = current_state(&session).cloned();
    let armed = use_mut_ref(|| true);
    *armed.borrow_mut() = true;
    let value_now = {
        let chosen = chosen.clone();
        let sha1 = current.as_ref().map(|c| c.sha1.clone());
        let start = start_value(scores.as_ref());
        move || match (&*chosen.borrow(), &sha1) {
            (Some((s, v)), Some(c)) if s == c => *v,
            _ => start,
        }
    };
    let value = value_now();
    // The own model loads in the background after a start: once it turns out better than the
    // pack, an image whose state came without its prediction is asked for again.
    let own_better = use_state(|| false);
    {
        let session = session.clone();
        let rater = app.model.rater.name.clone();
        let missing = scores
            .as_ref()
            .filter(|s| s.own_predicted.is_none())
            .map(|s| s.sha1.clone());
        use_effect_with((*own_better, missing), move |(better, missing)| {
            if let (true, Some(sha1)) = (*better, missing.clone()) {
                spawn_local(async move {
                    if let Ok(state) = api::call(GetScoreState { rater, sha1 }).await {
                        if state.own_predicted.is_some() {
                            session.dispatch(SessionAction::State(state));
                        }
                    }
                });
            }
        });
    }
    let on_model = {
        let own_better = own_better.clone();
        Callback::from(move |m: PersonalModel| own_better.set(m.better_than_pack))
    };

    let act = {
        let session = session.clone();
        let armed = armed.clone();
        let fail = fail.clone();
        let chosen = chosen.clone();
        let current = current.clone();
        let scores = scores.clone();
        let rater = app.model.rater.name.clone();
        let model = app.model.clone();
        let teach = teach.clone();
        Callback::from(move |action: RateAction| {
            let s = &*session;
            let set = |v: f64| {
                if let Some(item) = &current {
                    *chosen.borrow_mut() = Some((item.sha1.clone(), v));
                    redraw.force_update();
                }
            };
            match action {
                RateAction::Adjust(tenths) => set(adjust(value_now(), tenths)),
                RateAction::Set(n) => set(f64::from(n)),
                RateAction::Commit => {
                    let (Some(item), Some(shown)) = (current.clone(), scores.clone()) else {
                        return;
                    };
                    let value = value_now();
                    let prediction = shown_prediction(Some(&shown));
                    let request = AddRating {
                        rater: rater.clone(),
                        sha1: item.sha1,
                        value,
                        predicted: prediction.map(|(p, _)| p),
                        own: prediction.is_some_and(|(_, own)| own),
                    };
                    let what = format!("Your rating {value:.1}");
                    if judge(&session, &armed, request, what, fail.clone()) {
                        *chosen.borrow_mut() = None;
                    }
                }
                RateAction::Back => session.dispatch(SessionAction::Go(s.pos.saturating_sub(1))),
                RateAction::Skip => session.dispatch(SessionAction::Go(s.pos + 1)),
                RateAction::Undo => undo(&session, rater.clone(), fail.clone()),
                RateAction::Zoom => session.dispatch(SessionAction::Zoom(!s.zoom)),
                RateAction::Close => {
                    session.dispatch(SessionAction::Zoom(false));
                    session.dispatch(SessionAction::Help(false));
                }
                RateAction::Help => session.dispatch(SessionAction::Help(!s.help)),
                RateAction::Teach => teach.set(!*teach),
                RateAction::Similar => {
                    if let Some(item) = &current {
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
            if let Some(action) = RATE_KEYS.action(&e.key(), &e.code(), m) {
                e.prevent_default();
                if action == RateAction::Commit {
                    mark_key(e.time_stamp());
                }
                act.emit(action);
            }
        }));
    }

    let predictor = &app.model.predictor;
    if app.model.library.roots.is_empty() || (session.loaded && session.progress.1 == 0) {
        return html! {
            <EmptyState slug="rate" title="Rate"
                purpose="See the model's predicted score for an image, nudge it by ±0.1 or ±1.0, and commit: fast corrections of what the model already knows."
                then="No images to rate yet: the open folders hold no readable images, or indexing is still running." />
        };
    }
    let (rated, total) = session.progress;
    let body = match &current {
        None if !session.loaded => html! { <p class="note">{ "Loading…" }</p> },
        None => html! {
            <div class="done" id="rate-done">
                <h2>{ "Nothing left in this round" }</h2>
                <p>{ format!("You have scored {rated} of {total} images.") }</p>
                <p class="note">{ "Back (Backspace) returns to the last image; “Include rated” goes over the scored ones again." }</p>
            </div>
        },
        Some(item) => stage("rate", &session, item, act.reform(|_| RateAction::Zoom)),
    };
    let shown = shown_prediction(scores.as_ref());
    let prediction_label = match shown {
        Some((p, true)) => format!("Your model: {p:.1}"),
        _ => prediction_text(predictor, shown.map(|(p, _)| p)),
    };
    let prediction_title = match shown {
        Some((_, true)) => "Your own model's prediction, learned from your scores: it predicts your scores better than the pack does",
        Some((_, false)) => "The model pack's prediction",
        None => "",
    };
    let button = |label: &str, action: RateAction, class: &str| {
        key_button(&RATE_KEYS, label, action, class, &act)
    };
    let toggle_rated = {
        let include_rated = include_rated.clone();
        Callback::from(move |_| include_rated.set(!*include_rated))
    };
    html! {
        <section class="page score-page rate-page" id="page-rate">
            <header class="score-bar">
                <h1>{ "Rate" }</h1>
                <span id="rate-progress">{ format!("{rated} / {total} rated · {} left", total.saturating_sub(rated)) }</span>
                <span id="rate-prediction" class={classes!("prediction", shown.is_some_and(|(_, own)| own).then_some("own"))}
                    title={prediction_title} data-predicted={shown.map(|(p, _)| format!("{p:.4}"))}
                    data-source={shown.map(|(_, own)| if own { "own" } else { "pack" })}>
                    { prediction_label }
                </span>
                <OwnModel rated={rated} {on_model} />
                <span id="my-score">{ match scores.as_ref().and_then(|s| s.mine) {
                    Some(v) => format!("Your score: {}", fmt_score(v)),
                    None => "Not scored by you".into(),
                } }</span>
            </header>
            if let Some(note) = &session.note {
                <p class="score-note" id="score-note">{ note }</p>
            }
            { body }
            <div class="score-toolbar rate-value" id="rate-toolbar">
                { button("‹ Back", RateAction::Back, "nav") }
                { button("−−", RateAction::Adjust(-10), "adjust") }
                { button("−", RateAction::Adjust(-1), "adjust") }
                <output id="rate-value" data-value={format!("{value:.1}")} aria-live="polite"
                    title="The value to commit (digits set it)">{ format!("{value:.1}") }</output>
                { button("+", RateAction::Adjust(1), "adjust") }
                { button("++", RateAction::Adjust(10), "adjust") }
                <button class="primary commit" id="rate-commit" disabled={scores.is_none()}
                    title={RATE_KEYS.title("Record this value with the prediction shown, and go on", RateAction::Commit)}
                    onclick={act.reform(|_| RateAction::Commit)} onmousedown={crate::hooks::keep_focus}>{ "Commit" }<kbd>{ "Enter" }</kbd></button>
                { button("Skip ›", RateAction::Skip, "nav") }
                { button("Undo", RateAction::Undo, "nav") }
                { button("≈ Similar", RateAction::Similar, "nav") }
                { button("?", RateAction::Help, "nav") }
                <label class="include-rated" title="Also go over images you already scored">
                    <input type="checkbox" id="rate-include-rated" checked={*include_rated} onclick={toggle_rated} />
                    { "Include rated" }
                </label>
                <label class="include-rated" title={RATE_KEYS.title(TEACH_TITLE, RateAction::Teach)}>
                    <input type="checkbox" id="rate-teach" checked={*teach}
                        onclick={act.reform(|_| RateAction::Teach)} />
                    { "Teach my model" }
                </label>
            </div>
            if session.help { { key_help("rate-help", &RATE_KEYS,
                "The value starts at your last score, else the model's prediction, else 5.5. Escape or ? closes.") } }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn state(mine: Option<f64>, predicted: Option<f64>) -> ScoreState {
        ScoreState {
            mine,
            predicted,
            ..ScoreState::default()
        }
    }

    #[test]
    fn the_value_starts_at_my_score_else_the_prediction_else_neutral() {
        assert_eq!(start_value(Some(&state(Some(8.0), Some(6.31)))), 8.0);
        assert_eq!(start_value(Some(&state(None, Some(6.31)))), 6.3);
        assert_eq!(start_value(Some(&state(None, None))), 5.5);
        assert_eq!(start_value(None), 5.5);
        // A head can predict outside 1-10; the value stays inside.
        assert_eq!(start_value(Some(&state(None, Some(11.7)))), 10.0);
    }

    #[test]
    fn the_own_model_is_shown_only_once_it_is_better_than_the_pack() {
        let mut s = state(None, Some(6.31));
        s.own_predicted = Some(4.46);
        assert_eq!(shown_prediction(Some(&s)), Some((6.31, false)));
        assert_eq!(start_value(Some(&s)), 6.3);
        s.own_better = true;
        assert_eq!(shown_prediction(Some(&s)), Some((4.46, true)));
        assert_eq!(start_value(Some(&s)), 4.5);
        // Without a pack head, the own model alone.
        s.predicted = None;
        assert_eq!(shown_prediction(Some(&s)), Some((4.46, true)));
        // My own score still comes first.
        s.mine = Some(9.0);
        assert_eq!(start_value(Some(&s)), 9.0);
    }
}
