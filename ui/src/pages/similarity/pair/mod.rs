//! Judging pairs: two images side by side with their cosine; 1-5 says how alike they look (a
//! judgement in the log, with the cosine shown), undo brings the pair back. Once there are
//! enough judgements, a plot of everyone's against the cosine. The view's state is a reducer
//! ([`state`]); its keys act through [`actions`]; its parts are drawn in [`view`].

mod actions;
mod state;
mod view;

use super::no_embeddings;
use crate::api;
use crate::keys::SimilarityAction;
use crate::state::{use_app, Action};
use actions::Likeness;
use image_scorer_protocol::commands::{GetLikeness, GetSimilarPair};
use image_scorer_protocol::{AppError, PairKind};
use state::{Pairs, PairsAction};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// What 1-5 mean.
pub const LIKENESS: [&str; 5] = [
    "Nothing alike",
    "A little alike",
    "Somewhat alike",
    "Very alike",
    "The same picture",
];

/// How many judgements the plot waits for.
pub const PLOT_FROM: usize = 5;

/// Properties of [`PairView`].
#[derive(Properties, PartialEq)]
pub struct PairProps {
    /// Whether its keys work (not while a panel or the help is open).
    pub active: bool,
}

/// The pair view.
#[function_component]
pub fn PairView(props: &PairProps) -> Html {
    let app = use_app();
    let state = use_reducer(Pairs::default);
    let unavailable = no_embeddings(&app.model.predictor);
    let rater = app.model.rater.name.clone();
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    // A pair whenever asked, the kind changed, or the pack became usable.
    {
        let (state, fail) = (state.clone(), fail.clone());
        let deps = (
            state.ask,
            state.kind,
            unavailable.is_none(),
            app.model.pack_revision,
        );
        use_effect_with(deps, move |(_, kind, usable, _)| {
            let kind = *kind;
            if *usable {
                let exclude = state
                    .pair
                    .as_ref()
                    .map(|p| p.images.iter().map(|i| i.sha1.clone()).collect())
                    .unwrap_or_default();
                spawn_local(async move {
                    match api::call(GetSimilarPair { kind, exclude }).await {
                        Ok(p) => state.dispatch(PairsAction::Arrived(p)),
                        Err(e) => {
                            fail.emit(e);
                            state.dispatch(PairsAction::NotArrived);
                        }
                    }
                });
            }
        });
    }
    // Everyone's judgements for the plot, again after each of the rater's.
    let refresh = {
        let (state, rater) = (state.clone(), rater.clone());
        Callback::from(move |()| {
            let (state, rater) = (state.clone(), rater.clone());
            api::in_order(async move {
                if let Ok(s) = api::call(GetLikeness { rater }).await {
                    state.dispatch(PairsAction::Summary(s));
                }
            });
        })
    };
    {
        let refresh = refresh.clone();
        use_effect_with(
            (app.model.rater_revision, app.model.pack_revision),
            move |_| refresh.emit(()),
        );
    }
    let likeness = Likeness {
        state: state.clone(),
        judged: use_mut_ref(Vec::new),
        refresh,
        rater,
        fail,
        model: app.model.clone(),
    };
    let act = Callback::from(move |action: SimilarityAction| match action {
        SimilarityAction::Digit(value @ 1..=5) => likeness.judge(value),
        SimilarityAction::Random => likeness.kind(PairKind::Random),
        SimilarityAction::Near => likeness.kind(PairKind::Near),
        SimilarityAction::Skip => likeness.state.dispatch(PairsAction::Another),
        SimilarityAction::FindView => likeness.find_similar(),
        SimilarityAction::Undo => likeness.undo(),
        _ => {}
    });
    super::use_view_keys(props.active, owned, act.clone());

    if let Some(why) = unavailable {
        return html! { <p class="similarity-note" id="similarity-unavailable">{ why }</p> };
    }
    html! {
        <>
            { view::bar(&state, &act) }
            if let Some(n) = &state.note {
                <p class="score-note" id="pair-note">{ n }</p>
            }
            { view::pair(&state) }
            { view::likeness_buttons(&act) }
            { view::plot(&state.summary) }
        </>
    }
}

/// The keys this view answers to.
fn owned(action: SimilarityAction) -> bool {
    matches!(
        action,
        SimilarityAction::Digit(1..=5)
            | SimilarityAction::Random
            | SimilarityAction::Near
            | SimilarityAction::Skip
            | SimilarityAction::Undo
            | SimilarityAction::FindView
    )
}
