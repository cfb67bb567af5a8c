//! Where the Preference page's sets come from: its settings (once), the set on screen and the
//! one after it (each asked once per state, after the judgements before it, so the set after a
//! choice is chosen from the ranking with that choice in it), and a library that grew.

use super::state::{sha1s, Pref, PrefAction};
use crate::api;
use image_scorer_protocol::commands::{GetPreference, NextSet};
use image_scorer_protocol::AppError;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Keeps `state` supplied with settings and sets for `rater`, refilled when the library
/// (`revision`) changes; errors go to `fail`.
#[hook]
pub fn use_sets(
    state: &UseReducerHandle<Pref>,
    rater: &str,
    revision: u32,
    fail: &Callback<AppError>,
) {
    // The settings, once.
    {
        let (state, fail) = (state.clone(), fail.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                match api::call(GetPreference {}).await {
                    Ok(settings) => state.dispatch(PrefAction::Settings(settings)),
                    Err(e) => fail.emit(e),
                }
            });
        });
    }
    // Images arrived: a library that had too few for a set may have enough now.
    {
        let state = state.clone();
        use_effect_with(revision, move |_| {
            state.dispatch(PrefAction::LibraryChanged)
        });
    }
    let current = state.current.as_deref().map(sha1s);
    let deps = (
        state.generation,
        current,
        state.next.is_some(),
        state.too_few,
        state.settings,
        rater.to_owned(),
    );
    let asked = use_mut_ref(|| None::<(u32, Option<Vec<String>>, String)>);
    let (state, fail) = (state.clone(), fail.clone());
    use_effect_with(
        deps,
        move |(generation, current, has_next, too_few, settings, rater)| {
            let Some(settings) = *settings else {
                return;
            };
            if rater.is_empty() || *too_few || (current.is_some() && *has_next) {
                return;
            }
            let key = (*generation, current.clone(), rater.clone());
            if asked.borrow().as_ref() == Some(&key) {
                return;
            }
            *asked.borrow_mut() = Some(key);
            let request = NextSet {
                rater: rater.clone(),
                size: settings.size,
                choice: settings.choice,
                exclude: current.clone().unwrap_or_default(),
            };
            let generation = *generation;
            api::in_order(async move {
                match api::call(request).await {
                    Ok(set) => state.dispatch(PrefAction::Arrived {
                        generation,
                        set: set.map(|s| s.images),
                    }),
                    Err(e) => fail.emit(e),
                }
            });
        },
    );
}
