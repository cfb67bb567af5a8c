//! The Preference page's view: its header, the set on screen (or why there is none), and its
//! toolbars.

use super::state::{sha1s, Pref, PrefAction};
use crate::components::{key_button, Trial};
use crate::gestures::Choosing;
use crate::keys::{PreferenceAction, PREFERENCE_KEYS};
use image_scorer_protocol::{PreferenceSettings, SetChoice};
use yew::prelude::*;

/// The page's header: best of 2 or 4, how sets are chosen, and the rater's comparisons.
pub fn header(state: &Pref, settings: PreferenceSettings) -> Html {
    let mode = format!(
        "Best of {} · {}",
        settings.size,
        match settings.choice {
            SetChoice::Active => "most telling sets",
            SetChoice::Random => "random sets",
        }
    );
    html! {
        <header class="score-bar">
            <h1>{ "Preference" }</h1>
            <span id="preference-mode">{ mode }</span>
            <span id="preference-count" class="note">{ match state.comparisons {
                Some(1) => "1 comparison".to_owned(),
                Some(n) => format!("{n} comparisons"),
                None => String::new(),
            } }</span>
        </header>
    }
}

/// The set on screen as a [`Trial`] (a click zooms, a gesture picks or flips, an image that
/// cannot be shown drops its set), or why there is none.
pub fn body(
    state: &UseReducerHandle<Pref>,
    settings: PreferenceSettings,
    act: &Callback<PreferenceAction>,
) -> Html {
    let set = match &state.current {
        _ if state.too_few => {
            return html! {
                <div class="done" id="preference-done">
                    <h2>{ format!("Best of {} needs {} images", settings.size, settings.size) }</h2>
                    <p>{ "The open folders do not hold enough readable images yet." }</p>
                    if settings.size == 4 {
                        <p class="note">{ "Best of 2 (m) needs two." }</p>
                    }
                </div>
            }
        }
        None => return html! { <p class="note" id="preference-loading">{ "Choosing a set…" }</p> },
        Some(set) => set,
    };
    let failed = {
        let (state, set) = (state.clone(), set.clone());
        Callback::from(move |position: usize| {
            let name = set
                .get(position)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            state.dispatch(PrefAction::Dropped {
                sha1s: sha1s(&set),
                note: format!(
                    "“{name}” could not be displayed: its set was skipped, and it is listed with the unreadable files."
                ),
            });
        })
    };
    let click = {
        let state = state.clone();
        let zoom = state.zoom;
        Callback::from(move |position: usize| {
            state.dispatch(PrefAction::Zoom(if zoom == Some(position) {
                None
            } else {
                Some(position)
            }))
        })
    };
    let gesture = {
        let (state, act) = (state.clone(), act.clone());
        Callback::from(move |g| match crate::gestures::choosing(g, state.zoom) {
            Some(Choosing::Pick(p)) => act.emit(PreferenceAction::Pick(p as u8 + 1)),
            Some(Choosing::Zoom(z)) => state.dispatch(PrefAction::Zoom(z)),
            Some(Choosing::Flip(true)) => act.emit(PreferenceAction::Right),
            Some(Choosing::Flip(false)) => act.emit(PreferenceAction::Left),
            None => {}
        })
    };
    let preload = state.next.as_deref().map(sha1s).unwrap_or_default();
    html! {
        <Trial id="preference" images={set.clone()} zoomed={state.zoom}
            {preload} on_click={click} on_failed={failed} on_gesture={gesture} />
    }
}

/// Over a zoomed image, by touch too: the previous and next image of the set, pick this one,
/// close.
pub fn zoom_bar(act: &Callback<PreferenceAction>, zoomed: usize) -> Html {
    let button = |label: &str, action: PreferenceAction, class: &str| {
        key_button(&PREFERENCE_KEYS, label, action, class, act)
    };
    html! {
        <div class="zoom-bar" id="preference-zoom-bar">
            { button("‹ Previous", PreferenceAction::Left, "nav") }
            { button(&format!("{} is best", zoomed + 1), PreferenceAction::Pick(zoomed as u8 + 1), "value") }
            { button("Close", PreferenceAction::Zoom, "nav") }
            { button("≈ Similar", PreferenceAction::Similar, "nav") }
            { button("Next ›", PreferenceAction::Right, "nav") }
        </div>
    }
}

pub fn toolbar(
    act: &Callback<PreferenceAction>,
    size: usize,
    settings: PreferenceSettings,
) -> Html {
    let button = |label: &str, action: PreferenceAction, class: &str| {
        key_button(&PREFERENCE_KEYS, label, action, class, act)
    };
    let picks = (1..=size as u8).map(|n| {
        let label = match (size, n) {
            (2, 1) => "‹ Left is better".to_owned(),
            (2, _) => "Right is better ›".to_owned(),
            _ => format!("{n} is best"),
        };
        button(&label, PreferenceAction::Pick(n), "value")
    });
    html! {
        <div class="score-toolbar" id="preference-toolbar">
            { for picks }
            { button("Equally good", PreferenceAction::Tie, "value") }
            { button("None is good", PreferenceAction::Neither, "value") }
            { button("Skip ›", PreferenceAction::Skip, "nav") }
            { button("Undo", PreferenceAction::Undo, "nav") }
            { button("Zoom", PreferenceAction::Zoom, "nav") }
            { button(if settings.size == 2 { "Best of 4" } else { "Best of 2" }, PreferenceAction::Mode, "nav") }
            { button(match settings.choice { SetChoice::Active => "Random sets", SetChoice::Random => "Telling sets" }, PreferenceAction::Order, "nav") }
            { button("Ranking", PreferenceAction::Ranking, "nav") }
            { button("?", PreferenceAction::Help, "nav") }
        </div>
    }
}
