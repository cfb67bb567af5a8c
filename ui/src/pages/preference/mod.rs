//! The Preference page: pick the best of 2 or of 4 images (or call them equally good, or none
//! of them good), chosen by the app to teach the ranking most. The next set is asked for while
//! the person judges the one on screen (it excludes that set's images) and loaded ahead, so a
//! choice shows it at the key press; the choice is saved, in order, behind it, and the set
//! after is asked for once the app has taken the choice into the ranking. Undo brings the set
//! back. An image that cannot be shown, or that left the library, drops its set with a note.

//!
//! The state is a reducer ([`state`]); the sets come from [`sets`], the keys act through
//! [`choices`], and the view is made in [`view`] and [`ranking`].

mod choices;
mod ranking;
mod sets;
mod state;
mod view;

use crate::components::{key_help, EmptyState};
use crate::hooks::use_table_keys;
use crate::keys::{PreferenceAction, PREFERENCE_KEYS};
use crate::state::{use_app, Action};
use choices::Choices;
use image_scorer_protocol::AppError;
use ranking::RankingView;
use state::Pref;
use yew::prelude::*;

/// The Preference page.
#[function_component]
pub fn Preference() -> Html {
    let app = use_app();
    let state = use_reducer(Pref::default);
    let rater = app.model.rater.name.clone();
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    let armed = use_mut_ref(|| true);
    *armed.borrow_mut() = true;
    sets::use_sets(&state, &rater, app.model.revision, &fail);
    let choices = Choices {
        state: state.clone(),
        rater: rater.clone(),
        armed,
        fail,
        model: app.model.clone(),
    };
    let act = Callback::from(move |action: PreferenceAction| choices.act(action));
    let panels_open = app.model.panel_open();
    let ranking_open = state.ranking;
    use_table_keys(
        &PREFERENCE_KEYS,
        // Escape is left to an open panel; over the ranking, only what closes it (and the
        // help) works.
        move |e, action| {
            !(panels_open && e.key() == "Escape")
                && (!ranking_open
                    || matches!(
                        action,
                        PreferenceAction::Close
                            | PreferenceAction::Ranking
                            | PreferenceAction::Help
                    ))
        },
        judges,
        act.clone(),
    );

    if app.model.library.roots.is_empty() {
        return html! {
            <EmptyState slug="preference" title="Preference"
                purpose="Pick the best of two or of four images (or call them equally good, or none of them good); every choice feeds one ranking of the library, which chooses the sets that teach it most."
                then="No images yet." />
        };
    }
    let settings = state.settings.unwrap_or_default();
    let size = state
        .current
        .as_ref()
        .map_or(settings.size as usize, Vec::len);
    html! {
        <section class="page score-page preference-page" id="page-preference">
            { view::header(&state, settings) }
            if let Some(note) = &state.note {
                <p class="score-note" id="preference-note">{ note }</p>
            }
            { view::body(&state, settings, &act) }
            { view::toolbar(&act, size, settings) }
            if let Some(z) = state.zoom {
                { view::zoom_bar(&act, z) }
            }
            if state.help { { key_help("preference-help", &PREFERENCE_KEYS, "Escape or ? closes.") } }
            if state.ranking {
                <RankingView {rater} saved={state.saved}
                    on_close={act.reform(|_| PreferenceAction::Ranking)} />
            }
        </section>
    }
}

/// Whether a key records a choice (or moves on), timed by the benchmark.
fn judges(action: PreferenceAction) -> bool {
    matches!(
        action,
        PreferenceAction::Pick(_)
            | PreferenceAction::Left
            | PreferenceAction::Right
            | PreferenceAction::Tie
            | PreferenceAction::Neither
            | PreferenceAction::Skip
    )
}
