//! The Score page: one image at a time, scored 1-10 from the keyboard (or the buttons). The
//! next image shows at the key press while the score is saved, in order, behind it; the count
//! of rated images is what the app has saved. A score that cannot be saved brings its image
//! back with the reason. The next images are preloaded. The session, its moves and the parts
//! of the page it shares with Rate are in [`super::session`].

use super::session::{
    current_state, fmt_score, judge, my_score, use_scoring_page, use_session_keys, ScoringPage,
    SessionKeys,
};
use crate::components::{key_button, key_help, EmptyState, OwnModel};
use crate::keys::{ScoreAction, SessionMove, SCORE_KEYS};
use crate::state::use_app;
use image_scorer_protocol::commands::AddScore;
use image_scorer_protocol::{PredictorState, ScoreState};
use yew::prelude::*;

impl SessionKeys for ScoreAction {
    fn session_move(self) -> Option<SessionMove> {
        match self {
            ScoreAction::Move(step) => Some(step),
            _ => None,
        }
    }

    fn judges(self) -> bool {
        matches!(self, ScoreAction::Score(_))
    }
}

/// The Score page.
#[function_component]
pub fn Score() -> Html {
    let app = use_app();
    let page = use_scoring_page(false);
    let show_prediction = use_state(|| false);
    let own = {
        let page = page.clone();
        let show_prediction = show_prediction.clone();
        Callback::from(move |action: ScoreAction| match action {
            ScoreAction::Score(value) => score(&page, value),
            ScoreAction::Prediction => show_prediction.set(!*show_prediction),
            _ => {}
        })
    };
    let act = use_session_keys(&page, &SCORE_KEYS, own);

    if page.nothing_to_score() {
        return html! {
            <EmptyState slug="score" title="Score"
                purpose="Score one image at a time from 1 to 10 with the keyboard: keys 1–9, and 0 for 10; go back, skip and undo; the next image shows at once while each score is saved in order, and a score that cannot be saved brings its image back."
                then="No images to score yet: the open folders hold no readable images, or indexing is still running." />
        };
    }
    let session = &page.session;
    let scores = current_state(session);
    html! {
        <section class="page score-page" id="page-score">
            <ScoreBar scores={scores.cloned()} progress={session.progress}
                show_prediction={*show_prediction} teach={*page.teach}
                predictor={app.model.predictor.clone()} />
            { page.note() }
            { page.body("score", act.reform(|_| ScoreAction::Move(SessionMove::Zoom))) }
            { toolbar(&page, &act, *show_prediction) }
            if session.help { { key_help("score-help", &SCORE_KEYS, "Escape or ? closes.") } }
        </section>
    }
}

/// Scores the image on screen `value`; the page moves on while the score is saved.
fn score(page: &ScoringPage, value: u8) {
    let s = &*page.session;
    let Some(item) = s.items.get(s.pos) else {
        return;
    };
    let request = AddScore {
        rater: page.rater.clone(),
        sha1: item.sha1.clone(),
        value: f64::from(value),
    };
    let what = format!("Your score {value}");
    judge(&page.session, &page.armed, request, what, page.fail.clone());
}

/// The properties of [`ScoreBar`].
#[derive(Properties, PartialEq)]
struct ScoreBarProps {
    scores: Option<ScoreState>,
    progress: (u32, u32),
    show_prediction: bool,
    teach: bool,
    predictor: PredictorState,
}

/// The page's header: progress, the rater's score, the prediction (when asked for), the own
/// model (when teaching it) and the mean of all raters.
#[function_component]
fn ScoreBar(props: &ScoreBarProps) -> Html {
    let (rated, total) = props.progress;
    let remaining = total.saturating_sub(rated);
    let scores = props.scores.as_ref();
    let prediction = prediction_text(&props.predictor, scores.and_then(|s| s.predicted));
    html! {
        <header class="score-bar">
            <h1>{ "Score" }</h1>
            <span id="score-progress">{ format!("{rated} / {total} rated · {remaining} left") }</span>
            { my_score(scores) }
            if props.show_prediction {
                <span id="score-prediction" class="prediction" title="The active model's predicted score (p hides it)">{ prediction }</span>
            }
            if props.teach {
                <OwnModel rated={rated} />
            }
            <span id="mean-score" class="note">{ match scores.and_then(|s| s.mean.map(|m| (m, s.raters))) {
                Some((m, n)) => format!("Mean {} ({n} rater{})", fmt_score(m), if n == 1 { "" } else { "s" }),
                None => String::new(),
            } }</span>
        </header>
    }
}

fn toolbar(page: &ScoringPage, act: &Callback<ScoreAction>, show_prediction: bool) -> Html {
    let button = |label: &str, action: ScoreAction, class: &str| {
        key_button(&SCORE_KEYS, label, action, class, act)
    };
    html! {
        <div class="score-toolbar" id="score-toolbar">
            { button("‹ Back", ScoreAction::Move(SessionMove::Back), "nav") }
            { for (1..=10u8).map(|v| button(&v.to_string(), ScoreAction::Score(v), "value")) }
            { button("Skip ›", ScoreAction::Move(SessionMove::Skip), "nav") }
            { button("Undo", ScoreAction::Move(SessionMove::Undo), "nav") }
            { button("Zoom", ScoreAction::Move(SessionMove::Zoom), "nav") }
            { button("≈ Similar", ScoreAction::Move(SessionMove::Similar), "nav") }
            { button("?", ScoreAction::Move(SessionMove::Help), "nav") }
            <label class="include-rated" title={SCORE_KEYS.title("Show the model's predicted score; hidden by default so it does not sway you", ScoreAction::Prediction)}>
                <input type="checkbox" id="show-prediction" checked={show_prediction}
                    onclick={act.reform(|_| ScoreAction::Prediction)} />
                { "Prediction" }
            </label>
            { page.order_toggles(&SCORE_KEYS, ("include-rated", "score-teach"), ScoreAction::Move(SessionMove::Teach), act) }
        </div>
    }
}

/// What the Score page says of the prediction: the value, or why there is none.
pub fn prediction_text(predictor: &PredictorState, predicted: Option<f64>) -> String {
    match predicted {
        Some(p) => format!("Predicted {p:.1}"),
        None if predictor.problem.is_some() || predictor.active.is_none() => {
            "No predictions (see Ctrl+M)".into()
        }
        None if !predictor.predicts => "This model pack has no score head".into(),
        None => "Not predicted yet".into(),
    }
}
