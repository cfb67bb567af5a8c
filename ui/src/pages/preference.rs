//! The Preference page: pick the best of 2 or of 4 images (or call them equally good, or none
//! of them good), chosen by the app to teach the ranking most. The next set is asked for while
//! the person judges the one on screen (it excludes that set's images) and loaded ahead, so a
//! choice shows it at the key press; the choice is saved, in order, behind it, and the set
//! after is asked for once the app has taken the choice into the ranking. Undo brings the set
//! back. An image that cannot be shown, or that left the library, drops its set with a note.

mod ranking;
mod state;

use crate::api;
use crate::components::{key_button, key_help, mark, mark_key, EmptyState, Trial};
use crate::gestures::Choosing;
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, PreferenceAction, PREFERENCE_KEYS};
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::{
    GetPreference, NextSet, RecordComparison, SetPreference, Undo,
};
use image_scorer_protocol::{
    AppError, ComparisonOutcome, ErrorKind, JudgementKind, PreferenceSettings, SetChoice, Undone,
};
use ranking::RankingView;
use state::{sha1s, Pref, PrefAction};
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// What a choice is called in a note ("Your pick of image 2", "Your tie").
fn what(outcome: ComparisonOutcome, winner: Option<usize>) -> String {
    match (outcome, winner) {
        (ComparisonOutcome::Pick, Some(w)) => format!("Your pick of image {}", w + 1),
        (ComparisonOutcome::Tie, _) => "Your “equally good”".into(),
        _ => "Your “none of these”".into(),
    }
}

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
    // A second key press handled before the page showed the next set would judge the same set
    // twice; it is dropped instead.
    let armed = use_mut_ref(|| true);
    *armed.borrow_mut() = true;

    // The settings, once.
    {
        let state = state.clone();
        let fail = fail.clone();
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
        use_effect_with(app.model.revision, move |_| {
            state.dispatch(PrefAction::LibraryChanged)
        });
    }
    // The set on screen, then the one after it, each once per state it is asked for in. The
    // request waits for the judgements before it, so the set after a choice is chosen from the
    // ranking with that choice in it.
    {
        let current = state.current.as_deref().map(sha1s);
        let deps = (
            state.generation,
            current,
            state.next.is_some(),
            state.too_few,
            state.settings,
            rater.clone(),
        );
        let asked = use_mut_ref(|| None::<(u32, Option<Vec<String>>, String)>);
        let state = state.clone();
        let fail = fail.clone();
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

    let settings = state.settings.unwrap_or_default();
    let act = {
        let state = state.clone();
        let fail = fail.clone();
        let rater = rater.clone();
        let armed = armed.clone();
        let model = app.model.clone();
        Callback::from(move |action: PreferenceAction| {
            let s = &*state;
            let size = s.current.as_ref().map_or(0, Vec::len);
            let choose = |outcome: ComparisonOutcome, winner: Option<usize>| {
                let Some(set) = s.current.clone() else {
                    return;
                };
                if winner.is_some_and(|w| w >= set.len())
                    || !std::mem::replace(&mut *armed.borrow_mut(), false)
                {
                    return;
                }
                let images = sha1s(&set);
                let request = RecordComparison {
                    rater: rater.clone(),
                    images: images.clone(),
                    outcome,
                    winner: winner.map(|w| w as u32),
                };
                state.dispatch(PrefAction::Judged(images.clone()));
                let state = state.clone();
                let fail = fail.clone();
                api::in_order(async move {
                    mark("trial-invoke");
                    let answer = api::call(request).await;
                    mark("trial-reply");
                    match answer {
                        Ok(saved) => state.dispatch(PrefAction::Saved(saved.comparisons)),
                        // An image left the library while its set was on screen: nothing was
                        // recorded, and the page has moved on.
                        Err(e) if e.kind == ErrorKind::NotFound => {
                            state.dispatch(PrefAction::Note(format!(
                                "{} was not recorded: {}",
                                what(outcome, winner),
                                e.message
                            )))
                        }
                        Err(e) => {
                            state.dispatch(PrefAction::NotSaved {
                                set,
                                what: what(outcome, winner),
                            });
                            fail.emit(e);
                        }
                    }
                });
            };
            let flip = |by: usize| {
                if let Some(z) = s.zoom.filter(|_| size > 0) {
                    state.dispatch(PrefAction::Zoom(Some((z + by) % size)));
                }
            };
            match action {
                PreferenceAction::Pick(n) => choose(ComparisonOutcome::Pick, Some(n as usize - 1)),
                PreferenceAction::Left if s.zoom.is_some() => flip(size.saturating_sub(1)),
                PreferenceAction::Right if s.zoom.is_some() => flip(1),
                PreferenceAction::Left if size == 2 => choose(ComparisonOutcome::Pick, Some(0)),
                PreferenceAction::Right if size == 2 => choose(ComparisonOutcome::Pick, Some(1)),
                PreferenceAction::Left | PreferenceAction::Right => {}
                PreferenceAction::Tie => choose(ComparisonOutcome::Tie, None),
                PreferenceAction::Neither => choose(ComparisonOutcome::None, None),
                PreferenceAction::Skip => {
                    if let Some(set) = &s.current {
                        state.dispatch(PrefAction::Skipped(sha1s(set)));
                    }
                }
                PreferenceAction::Undo => {
                    let state = state.clone();
                    let fail = fail.clone();
                    let rater = rater.clone();
                    api::in_order(async move {
                        match api::call(Undo { rater }).await {
                            Ok(Some(Undone { judgement, .. }))
                                if judgement.kind == JudgementKind::Comparison =>
                            {
                                let mut images = judgement.images;
                                images.sort_by_key(|i| i.position);
                                state.dispatch(PrefAction::Undone(
                                    images.into_iter().map(|i| i.sha1).collect(),
                                ));
                            }
                            Ok(Some(Undone { judgement, .. })) => {
                                state.dispatch(PrefAction::Note(format!(
                                    "Undid your last {} (made on another page).",
                                    judgement.kind.noun()
                                )))
                            }
                            Ok(None) => state.dispatch(PrefAction::Note("Nothing to undo.".into())),
                            Err(e) => fail.emit(e),
                        }
                    });
                }
                PreferenceAction::Zoom => state.dispatch(PrefAction::Zoom(match s.zoom {
                    Some(_) => None,
                    None => (size > 0).then_some(0),
                })),
                PreferenceAction::Close => {
                    if s.zoom.is_some() {
                        state.dispatch(PrefAction::Zoom(None));
                    } else if s.help {
                        state.dispatch(PrefAction::Help(false));
                    } else {
                        state.dispatch(PrefAction::Ranking(false));
                    }
                }
                PreferenceAction::Mode | PreferenceAction::Order => {
                    let mut next = s.settings.unwrap_or_default();
                    if action == PreferenceAction::Mode {
                        next.size = if next.size == 2 { 4 } else { 2 };
                    } else {
                        next.choice = match next.choice {
                            SetChoice::Active => SetChoice::Random,
                            SetChoice::Random => SetChoice::Active,
                        };
                    }
                    state.dispatch(PrefAction::Settings(next));
                    let fail = fail.clone();
                    spawn_local(async move {
                        if let Err(e) = api::call(SetPreference { settings: next }).await {
                            fail.emit(e);
                        }
                    });
                }
                PreferenceAction::Ranking => state.dispatch(PrefAction::Ranking(!s.ranking)),
                PreferenceAction::Help => state.dispatch(PrefAction::Help(!s.help)),
                PreferenceAction::Similar => {
                    let zoomed = s
                        .zoom
                        .zip(s.current.as_ref())
                        .and_then(|(z, set)| set.get(z));
                    if let Some(item) = zoomed {
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
        let ranking_open = state.ranking;
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if panels_open && e.key() == "Escape" {
                return;
            }
            let Some(action) = PREFERENCE_KEYS.action(&e.key(), &e.code(), Modifiers::of(&e))
            else {
                return;
            };
            // Over the ranking, only what closes it (and the help) works.
            let allowed = !ranking_open
                || matches!(
                    action,
                    PreferenceAction::Close | PreferenceAction::Ranking | PreferenceAction::Help
                );
            if !allowed {
                return;
            }
            e.prevent_default();
            if matches!(
                action,
                PreferenceAction::Pick(_)
                    | PreferenceAction::Left
                    | PreferenceAction::Right
                    | PreferenceAction::Tie
                    | PreferenceAction::Neither
                    | PreferenceAction::Skip
            ) {
                mark_key(e.time_stamp());
            }
            act.emit(action);
        }));
    }

    if app.model.library.roots.is_empty() {
        return html! {
            <EmptyState slug="preference" title="Preference"
                purpose="Pick the best of two or of four images (or call them equally good, or none of them good); every choice feeds one ranking of the library, which chooses the sets that teach it most."
                then="No images yet." />
        };
    }
    let body = match &state.current {
        _ if state.too_few => html! {
            <div class="done" id="preference-done">
                <h2>{ format!("Best of {} needs {} images", settings.size, settings.size) }</h2>
                <p>{ "The open folders do not hold enough readable images yet." }</p>
                if settings.size == 4 {
                    <p class="note">{ "Best of 2 (m) needs two." }</p>
                }
            </div>
        },
        None => html! { <p class="note" id="preference-loading">{ "Choosing a set…" }</p> },
        Some(set) => {
            let failed = {
                let state = state.clone();
                let set = set.clone();
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
    };
    let mode = format!(
        "Best of {} · {}",
        settings.size,
        match settings.choice {
            SetChoice::Active => "most telling sets",
            SetChoice::Random => "random sets",
        }
    );
    html! {
        <section class="page score-page preference-page" id="page-preference">
            <header class="score-bar">
                <h1>{ "Preference" }</h1>
                <span id="preference-mode">{ mode }</span>
                <span id="preference-count" class="note">{ match state.comparisons {
                    Some(1) => "1 comparison".to_owned(),
                    Some(n) => format!("{n} comparisons"),
                    None => String::new(),
                } }</span>
            </header>
            if let Some(note) = &state.note {
                <p class="score-note" id="preference-note">{ note }</p>
            }
            { body }
            { toolbar(&act, state.current.as_ref().map_or(settings.size as usize, Vec::len), settings) }
            if let Some(z) = state.zoom {
                { zoom_bar(&act, z) }
            }
            if state.help { { key_help("preference-help", &PREFERENCE_KEYS, "Escape or ? closes.") } }
            if state.ranking {
                <RankingView rater={rater.clone()} saved={state.saved}
                    on_close={act.reform(|_| PreferenceAction::Ranking)} />
            }
        </section>
    }
}

/// Over a zoomed image, by touch too: the previous and next image of the set, pick this one,
/// close.
fn zoom_bar(act: &Callback<PreferenceAction>, zoomed: usize) -> Html {
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

fn toolbar(act: &Callback<PreferenceAction>, size: usize, settings: PreferenceSettings) -> Html {
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
