//! The root component: state, router, header and global keys.

use crate::api;
use crate::components::{ErrorBanner, FolderPanel, Header, ModelsPanel, ProblemsPanel, SharePanel};
use crate::hooks::{use_key_down, use_touch_mode};
use crate::keys::{global_action, GlobalAction, Modifiers};
use crate::route::{switch, Route};
use crate::state::{Action, AppContext, Model};
use image_scorer_protocol::commands::{
    AppResumed, ChooseFolder, GetPredictor, GetRater, GetState, ImportImages,
};
use image_scorer_protocol::events::{
    BackgroundError, JudgementsRecorded, LibraryChanged, PredictorChanged, ScanProgress,
    SimilarToFile,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;
use yew_router::prelude::*;

/// The whole app. Routes live in the URL hash, so a reload stays on its page.
#[function_component]
pub fn App() -> Html {
    let model = use_reducer(Model::default);
    let choose_folder = use_choose_folder(model.clone());
    use_load_and_follow(model.clone());
    let context = AppContext {
        model,
        choose_folder,
    };
    html! {
        <ContextProvider<AppContext> context={context}>
            <HashRouter>
                <Shell />
            </HashRouter>
        </ContextProvider<AppContext>>
    }
}

/// The frame inside the router (global keys need the navigator).
#[function_component]
fn Shell() -> Html {
    let navigator = use_navigator();
    let app = crate::state::use_app();
    let on_key = {
        let navigator = navigator.clone();
        let choose_folder = app.choose_folder.clone();
        let model = app.model.clone();
        Callback::from(move |event: KeyboardEvent| {
            let modifiers = Modifiers::of(&event);
            match global_action(&event.key(), &event.code(), modifiers) {
                Some(GlobalAction::GoTo(route)) => {
                    event.prevent_default();
                    if let Some(nav) = &navigator {
                        nav.push(&route);
                    }
                }
                Some(GlobalAction::OpenFolder) => {
                    event.prevent_default();
                    choose_folder.emit(());
                }
                Some(GlobalAction::ManageFolders) => {
                    event.prevent_default();
                    let shown = model.folders_panel;
                    model.dispatch(Action::ShowFolders(!shown));
                }
                Some(GlobalAction::ManageModels) => {
                    event.prevent_default();
                    let shown = model.models_panel;
                    model.dispatch(Action::ShowModels(!shown));
                }
                Some(GlobalAction::Share) if crate::transport::desktop() && !model.app_storage => {
                    event.prevent_default();
                    let shown = model.share_panel;
                    model.dispatch(Action::ShowShare(!shown));
                }
                Some(GlobalAction::Share) => {}
                None if event.key() == "Escape" && model.panel_open() => {
                    model.dispatch(Action::ClosePanels);
                }
                None => {}
            }
        })
    };
    use_key_down(on_key);
    use_touch_mode();
    use_resumed();
    // A file dropped on the window was searched: show its look-alikes.
    {
        let similar = app.model.similar_revision;
        use_effect_with(similar, move |revision| {
            if *revision > 0 {
                if let Some(nav) = &navigator {
                    nav.push(&Route::Similarity);
                }
            }
        });
    }
    html! {
        <div class="app">
            <Header />
            <ErrorBanner />
            if app.model.folders_panel {
                <FolderPanel />
            }
            if app.model.problems_panel {
                <ProblemsPanel />
            }
            if app.model.models_panel {
                <ModelsPanel />
            }
            if app.model.share_panel {
                <SharePanel />
            }
            <main>
                <Switch<Route> render={switch} />
            </main>
        </div>
    }
}

/// Fetches the app's state once, then follows the app's events until unmounted.
#[hook]
fn use_load_and_follow(model: UseReducerHandle<Model>) {
    use_effect_with((), move |_| {
        let subscriptions = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        {
            let subscriptions = subscriptions.clone();
            spawn_local(async move {
                let follow = |model: &UseReducerHandle<Model>| {
                    let m = model.clone();
                    let library = move |l| m.dispatch(Action::LibraryChanged(l));
                    let m = model.clone();
                    let scan = move |s| m.dispatch(Action::Scan(s));
                    let m = model.clone();
                    let error = move |e| m.dispatch(Action::Failed(e));
                    let m = model.clone();
                    let predictor = move |p| m.dispatch(Action::Predictor(p));
                    let m = model.clone();
                    let dropped = move |found| {
                        m.dispatch(Action::FindSimilar(crate::state::SimilarQuery::File(found)))
                    };
                    let m = model.clone();
                    let judged = move |j| m.dispatch(Action::Judged(j));
                    (library, scan, error, predictor, dropped, judged)
                };
                let (library, scan, error, predictor, dropped, judged) = follow(&model);
                // Subscribe first, so nothing emitted while the state loads is missed.
                for subscription in [
                    api::listen::<LibraryChanged>(library).await,
                    api::listen::<ScanProgress>(scan).await,
                    api::listen::<BackgroundError>(error).await,
                    api::listen::<PredictorChanged>(predictor).await,
                    api::listen::<SimilarToFile>(dropped).await,
                    api::listen::<JudgementsRecorded>(judged).await,
                ] {
                    match subscription {
                        Ok(s) => subscriptions.borrow_mut().push(s),
                        Err(e) => model.dispatch(Action::Failed(e)),
                    }
                }
                match api::call(GetState {}).await {
                    Ok(state) => model.dispatch(Action::Loaded(state)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
                match api::call(GetRater {}).await {
                    Ok(rater) => model.dispatch(Action::RaterChanged(rater)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
                match api::call(GetPredictor {}).await {
                    Ok(p) => model.dispatch(Action::Predictor(p)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        }
        move || subscriptions.borrow_mut().clear()
    });
}

/// A callback that runs the folder picker and records the outcome.
#[hook]
fn use_choose_folder(model: UseReducerHandle<Model>) -> Callback<()> {
    use_callback(model, |(), model| {
        if model.choosing_folder {
            return;
        }
        let model = model.clone();
        model.dispatch(Action::ChoosingFolder(true));
        spawn_local(async move {
            if model.app_storage {
                // A device's library is its own folder: images are imported into it.
                match api::call(ImportImages {}).await {
                    Ok(Some(report)) if !report.problems.is_empty() => {
                        model.dispatch(Action::Failed(import_problems(&report)))
                    }
                    Ok(_) => {}
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            } else {
                match api::call(ChooseFolder {}).await {
                    Ok(Some(library)) => model.dispatch(Action::RootsChanged(library.roots)),
                    Ok(None) => {}
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            }
            model.dispatch(Action::ChoosingFolder(false));
        });
    })
}

/// What an import could not take, as an error to show (the rest was imported).
fn import_problems(
    report: &image_scorer_protocol::ImportedImages,
) -> image_scorer_protocol::AppError {
    image_scorer_protocol::AppError::new(
        image_scorer_protocol::ErrorKind::InvalidInput,
        format!(
            "Imported {}, {} already in the library; not imported: {}",
            image_scorer_protocol::text::count(report.copied, "image", "images"),
            report.already,
            report.problems.join("; ")
        ),
    )
}

/// Tells the app when the page comes back to the front (another app was in front, or the
/// screen was locked): a library in app storage is scanned again.
#[hook]
fn use_resumed() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use_effect_with((), |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = Closure::<dyn Fn()>::new(|| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                spawn_local(async {
                    let _ = api::call(AppResumed {}).await;
                });
            }
        });
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback(
                "visibilitychange",
                listener.as_ref().unchecked_ref(),
            );
        }
        move || {
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback(
                    "visibilitychange",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
