//! The Similarity page, in three views: judge how alike a pair looks against its cosine
//! (`pair`), the library images most like one image or an outside file (`find`), and groups of
//! near-duplicates to weed out (`duplicates`). Each view handles its own keys; the page
//! switches views, opens the file picker and shows the help.

mod duplicates;
mod find;
mod pair;

use crate::api;
use crate::components::{key_button, key_help, EmptyState};
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, SimilarityAction, SIMILARITY_KEYS};
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::FindSimilarToFile;
use image_scorer_protocol::PredictorState;
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// How many look-alikes a find shows.
pub const FIND_K: u32 = 24;

/// The page's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Judge pairs.
    Pair,
    /// Find similar.
    Find,
    /// Near-duplicates.
    Duplicates,
}

/// Why similarity by embeddings is not available now, for the user; `None` when it is.
pub fn no_embeddings(predictor: &PredictorState) -> Option<String> {
    if predictor.active.is_some() && predictor.problem.is_none() {
        return None;
    }
    Some(match &predictor.problem {
        Some(problem) => format!(
            "Similarity by the model needs a model pack's embeddings. {problem} (Ctrl+M shows \
             the packs.) Near-duplicates by the perceptual hash work without one."
        ),
        None => "The model pack is opening…".into(),
    })
}

/// The Similarity page.
#[function_component]
pub fn Similarity() -> Html {
    let app = use_app();
    let view = use_state(|| View::Pair);
    let help = use_state(|| false);
    // A find asked for from any page (or a dropped file) opens the find view.
    {
        let view = view.clone();
        use_effect_with(app.model.similar_revision, move |revision| {
            if *revision > 0 {
                view.set(View::Find);
            }
        });
    }
    let open_file = {
        let model = app.model.clone();
        Callback::from(move |()| {
            let model = model.clone();
            spawn_local(async move {
                match api::call(FindSimilarToFile { k: FIND_K }).await {
                    Ok(Some(found)) => {
                        model.dispatch(Action::FindSimilar(SimilarQuery::File(found)))
                    }
                    Ok(None) => {}
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let act = {
        let view = view.clone();
        let help = help.clone();
        let open_file = open_file.clone();
        Callback::from(move |action: SimilarityAction| match action {
            SimilarityAction::PairView => view.set(View::Pair),
            SimilarityAction::FindView => view.set(View::Find),
            SimilarityAction::DuplicatesView => view.set(View::Duplicates),
            SimilarityAction::OpenFile => open_file.emit(()),
            SimilarityAction::Help => help.set(!*help),
            SimilarityAction::Close => help.set(false),
            _ => {}
        })
    };
    {
        let act = act.clone();
        let panels_open = app.model.panel_open();
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if panels_open {
                return;
            }
            let m = Modifiers::of(&e);
            if let Some(action) = SIMILARITY_KEYS.action(&e.key(), &e.code(), m) {
                if matches!(
                    action,
                    SimilarityAction::PairView
                        | SimilarityAction::FindView
                        | SimilarityAction::DuplicatesView
                        | SimilarityAction::OpenFile
                        | SimilarityAction::Help
                        | SimilarityAction::Close
                ) {
                    e.prevent_default();
                    act.emit(action);
                }
            }
        }));
    }

    if app.model.library.roots.is_empty() {
        return html! {
            <EmptyState slug="similarity" title="Similarity"
                purpose="Judge how alike two images look against the model's cosine similarity, find the library images most like one (or like a file from outside), and weed out near-duplicates."
                then="" />
        };
    }
    let tab = |label: &str, action: SimilarityAction, this: View| {
        let class = if *view == this { "tab active" } else { "tab" };
        key_button(&SIMILARITY_KEYS, label, action, class, &act)
    };
    let keys_active = !app.model.panel_open() && !*help;
    html! {
        <section class="page similarity-page" id="page-similarity">
            <header class="score-bar">
                <h1>{ "Similarity" }</h1>
                <nav class="tabs" id="similarity-tabs">
                    { tab("Pairs", SimilarityAction::PairView, View::Pair) }
                    { tab("Find similar", SimilarityAction::FindView, View::Find) }
                    { tab("Near-duplicates", SimilarityAction::DuplicatesView, View::Duplicates) }
                </nav>
                { key_button(&SIMILARITY_KEYS, "Find by file…", SimilarityAction::OpenFile, "nav", &act) }
                { key_button(&SIMILARITY_KEYS, "?", SimilarityAction::Help, "nav", &act) }
            </header>
            { match *view {
                View::Pair => html! { <pair::PairView active={keys_active} /> },
                View::Find => html! { <find::FindView /> },
                View::Duplicates => html! { <duplicates::DuplicatesView active={keys_active} /> },
            } }
            if *help { { key_help("similarity-help", &SIMILARITY_KEYS, "Escape or ? closes. Shift+F on any page's image finds its look-alikes.") } }
        </section>
    }
}

/// A file size for people.
pub fn fmt_bytes(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).max(1.0))
    }
}

/// The keys of one of the page's views: those `owns` names, while the view is `active`.
#[hook]
pub fn use_view_keys(
    active: bool,
    owns: fn(SimilarityAction) -> bool,
    act: Callback<SimilarityAction>,
) {
    crate::hooks::use_table_keys(
        &SIMILARITY_KEYS,
        move |_, action| active && owns(action),
        crate::hooks::untimed,
        act,
    );
}
