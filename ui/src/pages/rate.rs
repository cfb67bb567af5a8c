//! The Rate page: the image with the model's predicted score; the value starts at your last
//! score for the image, else the prediction, else 5.5; nudge it by ±0.1 or ±1.0 and commit,
//! which records the value with the prediction that was shown and moves on.

use super::score::prediction_text;
use super::session::{
    current_state, judge, my_score, use_scoring_page, use_session_keys, ScoringPage, SessionAction,
    SessionKeys,
};
use crate::api;
use crate::components::{key_button, key_help, EmptyState, OwnModel};
use crate::keys::{adjust, RateAction, SessionMove, RATE_KEYS};
use crate::state::use_app;
use image_scorer_protocol::commands::{AddRating, GetScoreState};
use image_scorer_protocol::{PersonalModel, PredictorState, ScoreState};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
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

impl SessionKeys for RateAction {
    fn session_move(self) -> Option<SessionMove> {
        match self {
            RateAction::Move(step) => Some(step),
            _ => None,
        }
    }

    fn judges(self) -> bool {
        self == RateAction::Commit
    }
}

/// The value the rater set for an image (by its hash), read and written by the key handler
/// directly, so fast key presses never see an old value.
type Chosen = Rc<RefCell<Option<(String, f64)>>>;

/// The value on screen for the image `sha1`: the one the rater set, else where it starts.
fn value_of(chosen: &Chosen, sha1: Option<&str>, start: f64) -> f64 {
    match (&*chosen.borrow(), sha1) {
        (Some((s, v)), Some(c)) if s == c => *v,
        _ => start,
    }
}

/// The Rate page.
#[function_component]
pub fn Rate() -> Html {
    let app = use_app();
    let page = use_scoring_page(true);
    let chosen: Chosen = use_mut_ref(|| None);
    let redraw = use_force_update();
    let scores = current_state(&page.session).cloned();
    let sha1 = page
        .session
        .items
        .get(page.session.pos)
        .map(|i| i.sha1.clone());
    let start = start_value(scores.as_ref());
    let on_model = use_own_prediction(&page, scores.as_ref());
    let own = {
        let (page, chosen, scores, sha1) =
            (page.clone(), chosen.clone(), scores.clone(), sha1.clone());
        Callback::from(move |action: RateAction| {
            let value = value_of(&chosen, sha1.as_deref(), start);
            let set = |v: f64| {
                if let Some(sha1) = &sha1 {
                    *chosen.borrow_mut() = Some((sha1.clone(), v));
                    redraw.force_update();
                }
            };
            match action {
                RateAction::Adjust(tenths) => set(adjust(value, tenths)),
                RateAction::Set(n) => set(f64::from(n)),
                RateAction::Commit if commit(&page, scores.as_ref(), value) => {
                    *chosen.borrow_mut() = None;
                }
                _ => {}
            }
        })
    };
    let act = use_session_keys(&page, &RATE_KEYS, own);

    if page.nothing_to_score() {
        return html! {
            <EmptyState slug="rate" title="Rate"
                purpose="See the model's predicted score for an image, nudge it by ±0.1 or ±1.0, and commit: fast corrections of what the model already knows."
                then="No images to rate yet: the open folders hold no readable images, or indexing is still running." />
        };
    }
    let value = value_of(&chosen, sha1.as_deref(), start);
    html! {
        <section class="page score-page rate-page" id="page-rate">
            <RateBar scores={scores.clone()} progress={page.session.progress}
                predictor={app.model.predictor.clone()} {on_model} />
            { page.note() }
            { page.body("rate", act.reform(|_| RateAction::Move(SessionMove::Zoom))) }
            { toolbar(&page, &act, value, scores.is_some()) }
            if page.session.help { { key_help("rate-help", &RATE_KEYS,
                "The value starts at your last score, else the model's prediction, else 5.5. Escape or ? closes.") } }
        </section>
    }
}

/// Records `value` for the image on screen with the prediction that was shown (`shown`, its
/// scores); the page moves on while it is saved. Whether it was taken.
fn commit(page: &ScoringPage, shown: Option<&ScoreState>, value: f64) -> bool {
    let s = &*page.session;
    let (Some(item), Some(shown)) = (s.items.get(s.pos), shown) else {
        return false;
    };
    let prediction = shown_prediction(Some(shown));
    let request = AddRating {
        rater: page.rater.clone(),
        sha1: item.sha1.clone(),
        value,
        predicted: prediction.map(|(p, _)| p),
        own: prediction.is_some_and(|(_, own)| own),
    };
    let what = format!("Your rating {value:.1}");
    judge(&page.session, &page.armed, request, what, page.fail.clone())
}

/// The own model loads in the background after a start: once it turns out better than the
/// pack, an image whose scores came without its prediction is asked for again. Returns what
/// the own model's line calls with its news.
#[hook]
fn use_own_prediction(page: &ScoringPage, scores: Option<&ScoreState>) -> Callback<PersonalModel> {
    let own_better = use_state(|| false);
    let session = page.session.clone();
    let rater = page.rater.clone();
    let missing = scores
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
    Callback::from(move |m: PersonalModel| own_better.set(m.better_than_pack))
}

/// The properties of [`RateBar`].
#[derive(Properties, PartialEq)]
struct RateBarProps {
    scores: Option<ScoreState>,
    progress: (u32, u32),
    predictor: PredictorState,
    on_model: Callback<PersonalModel>,
}

/// The page's header: progress, the prediction shown (the pack's or the rater's own model's),
/// the own model's line and the rater's score.
#[function_component]
fn RateBar(props: &RateBarProps) -> Html {
    let (rated, total) = props.progress;
    let shown = shown_prediction(props.scores.as_ref());
    let label = match shown {
        Some((p, true)) => format!("Your model: {p:.1}"),
        _ => prediction_text(&props.predictor, shown.map(|(p, _)| p)),
    };
    let title = match shown {
        Some((_, true)) => "Your own model's prediction, learned from your scores: it predicts your scores better than the pack does",
        Some((_, false)) => "The model pack's prediction",
        None => "",
    };
    html! {
        <header class="score-bar">
            <h1>{ "Rate" }</h1>
            <span id="rate-progress">{ format!("{rated} / {total} rated · {} left", total.saturating_sub(rated)) }</span>
            <span id="rate-prediction" class={classes!("prediction", shown.is_some_and(|(_, own)| own).then_some("own"))}
                {title} data-predicted={shown.map(|(p, _)| format!("{p:.4}"))}
                data-source={shown.map(|(_, own)| if own { "own" } else { "pack" })}>
                { label }
            </span>
            <OwnModel rated={rated} on_model={props.on_model.clone()} />
            { my_score(props.scores.as_ref()) }
        </header>
    }
}

/// The value, its buttons and the moves.
fn toolbar(page: &ScoringPage, act: &Callback<RateAction>, value: f64, loaded: bool) -> Html {
    let button = |label: &str, action: RateAction, class: &str| {
        key_button(&RATE_KEYS, label, action, class, act)
    };
    html! {
        <div class="score-toolbar rate-value" id="rate-toolbar">
            { button("‹ Back", RateAction::Move(SessionMove::Back), "nav") }
            { button("−−", RateAction::Adjust(-10), "adjust") }
            { button("−", RateAction::Adjust(-1), "adjust") }
            <output id="rate-value" data-value={format!("{value:.1}")} aria-live="polite"
                title="The value to commit (digits set it)">{ format!("{value:.1}") }</output>
            { button("+", RateAction::Adjust(1), "adjust") }
            { button("++", RateAction::Adjust(10), "adjust") }
            <button class="primary commit" id="rate-commit" disabled={!loaded}
                title={RATE_KEYS.title("Record this value with the prediction shown, and go on", RateAction::Commit)}
                onclick={act.reform(|_| RateAction::Commit)} onmousedown={crate::hooks::keep_focus}>{ "Commit" }<kbd>{ "Enter" }</kbd></button>
            { button("Skip ›", RateAction::Move(SessionMove::Skip), "nav") }
            { button("Undo", RateAction::Move(SessionMove::Undo), "nav") }
            { button("≈ Similar", RateAction::Move(SessionMove::Similar), "nav") }
            { button("?", RateAction::Move(SessionMove::Help), "nav") }
            { page.order_toggles(&RATE_KEYS, ("rate-include-rated", "rate-teach"), RateAction::Move(SessionMove::Teach), act) }
        </div>
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
