//! The header: the app's name, the open folders and the "Open folder" button.

use crate::components::{Nav, RaterPicker};
use crate::state::use_app;
use yew::prelude::*;

/// The bar at the top of every page.
#[function_component]
pub fn Header() -> Html {
    let app = use_app();
    let menu = use_menu();
    let model = &*app.model;
    let roots = &model.library.roots;
    let manage = {
        let model = app.model.clone();
        let shown = model.folders_panel;
        Callback::from(move |_| model.dispatch(crate::state::Action::ShowFolders(!shown)))
    };
    let folders = if !model.loaded {
        html! { <span class="muted">{ "Loading…" }</span> }
    } else if roots.is_empty() {
        html! { <span class="muted" id="no-folders">{ "No folder open" }</span> }
    } else {
        html! {
            <ul class="folders" id="folders" aria-label="Open folders" onclick={manage}
                title="Manage folders (Ctrl+Shift+O)">
                { for roots.iter().map(|r| {
                    let (parent, name) = split_path(&r.path);
                    html! {
                        <li class="folder" title={r.path.clone()} key={r.id}>
                            <span class="parent">{ parent }</span>
                            <span class="name">{ name }</span>
                        </li>
                    }
                }) }
            </ul>
        }
    };
    let counts = &model.library.counts;
    let show_problems = {
        let model = app.model.clone();
        let shown = model.problems_panel;
        Callback::from(move |_| model.dispatch(crate::state::Action::ShowProblems(!shown)))
    };
    let status = if model.loaded && !roots.is_empty() {
        let scanning = model
            .scanning
            .iter()
            .fold((0, 0), |(done, all), s| (done + s.hashed, all + s.to_hash));
        html! {
            <div class="library-status">
                <span id="image-count" title="Images that can be rated">
                    { match counts.ok { 1 => "1 image".to_owned(), n => format!("{n} images") } }
                </span>
                if counts.unreadable > 0 {
                    <button id="unreadable-count" class="warn plain" onclick={show_problems}
                        title="Files that are damaged, not images, or in a format this build cannot show: click for the list">
                        { format!("{} unreadable", counts.unreadable) }
                    </button>
                }
                if !model.scanning.is_empty() {
                    <span id="scan-progress" class="scanning">
                        <progress max={scanning.1.max(1).to_string()} value={scanning.0.to_string()} />
                        { format!("Indexing {} / {}", scanning.0, scanning.1) }
                    </span>
                }
            </div>
        }
    } else {
        html! {}
    };
    let models = {
        let model = app.model.clone();
        let shown = model.models_panel;
        Callback::from(move |_| model.dispatch(crate::state::Action::ShowModels(!shown)))
    };
    let predictor = &model.predictor;
    let active_name = predictor
        .active
        .as_ref()
        .and_then(|id| predictor.packs.iter().find(|p| &p.id == id))
        .map(|p| p.name.clone());
    let progress = predictor.progress;
    let model_chip = match (&predictor.problem, active_name) {
        _ if !model.loaded => html! {},
        (Some(problem), _) => html! {
            <button id="model-chip" class="plain model-chip off" onclick={models} title={format!("{problem} (Ctrl+M)")}>
                { "No predictions" }
            </button>
        },
        (None, name) => {
            let name = name.unwrap_or_default();
            let left = progress.done < progress.total;
            let percent = u64::from(progress.done) * 100 / u64::from(progress.total.max(1));
            let (text, title) = if progress.running && left {
                (
                    format!("Predicting {percent}%"),
                    format!(
                        "Predicting {} / {} with {name} (Ctrl+M)",
                        progress.done, progress.total
                    ),
                )
            } else if progress.paused && left {
                (
                    format!("Paused {percent}%"),
                    format!(
                        "Predictions paused at {} / {} with {name}; Ctrl+M to resume",
                        progress.done, progress.total
                    ),
                )
            } else {
                (name.clone(), format!("Model pack: {name} (Ctrl+M)"))
            };
            html! {
                <button id="model-chip" class={classes!("plain", "model-chip", (progress.running && left).then_some("running"))}
                    onclick={models} {title}>{ text }</button>
            }
        }
    };
    let open = {
        let choose = app.choose_folder.clone();
        Callback::from(move |_| choose.emit(()))
    };
    // A device on the network rates; the library, its folders and sharing are the desktop's.
    // A phone's own library (app storage) is not shared: it has nothing to serve a tablet.
    let desktop = crate::transport::desktop();
    let shares = desktop && !model.app_storage;
    let share = {
        let model = app.model.clone();
        let shown = model.share_panel;
        Callback::from(move |_| model.dispatch(crate::state::Action::ShowShare(!shown)))
    };
    let toggle_menu = {
        let menu = menu.clone();
        Callback::from(move |_| menu.set(!*menu))
    };
    html! {
        <header class={classes!("app-header", menu.then_some("menu-open"))}>
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "★" }</span>
                <span class="name">{ "Image Scorer" }</span>
            </div>
            <button id="menu-button" class="plain" onclick={toggle_menu}
                aria-expanded={menu.to_string()} aria-controls="header-menu"
                title="The pages and the library (Escape closes)">
                { if *menu { "✕" } else { "☰" } }
            </button>
            <div class="header-menu" id="header-menu">
            <Nav />
            <div class="library">
                <RaterPicker />
                { model_chip }
                { folders }
                { status }
                if shares {
                    <button id="share-button" onclick={share}
                        title="Rate from a tablet or phone on this network (Ctrl+Shift+S)">
                        { "Share" }
                    </button>
                }
                if desktop {
                    <button id="open-folder" class="primary" onclick={open}
                        disabled={model.choosing_folder}
                        title={if model.app_storage { "Import images into the app's library (Ctrl+O)" } else { "Open a folder of images (Ctrl+O)" }}>
                        { match (model.choosing_folder, model.app_storage) {
                            (true, _) => "Choosing…",
                            (false, true) => "Import images",
                            (false, false) => "Open folder",
                        } }
                        <kbd>{ "Ctrl+O" }</kbd>
                    </button>
                }
            </div>
            </div>
        </header>
    }
}

/// Whether the narrow screen's menu is open: it closes when the page changes and at Escape.
#[hook]
fn use_menu() -> UseStateHandle<bool> {
    let menu = use_state(|| false);
    let route = yew_router::prelude::use_route::<crate::route::Route>();
    {
        let menu = menu.clone();
        use_effect_with(route, move |_| menu.set(false));
    }
    {
        let menu = menu.clone();
        crate::hooks::use_key_down(Callback::from(move |e: web_sys::KeyboardEvent| {
            if *menu && e.key() == "Escape" {
                menu.set(false);
            }
        }));
    }
    menu
}

/// Splits a folder path into its parent (with the trailing separator) and its name, so the name
/// stays readable when a long parent is cut short on screen.
fn split_path(path: &str) -> (&str, &str) {
    match path.trim_end_matches('/').rfind('/') {
        Some(i) if i + 1 < path.len() => path.split_at(i + 1),
        _ => ("", path),
    }
}

#[cfg(test)]
mod tests {
    use super::split_path;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn splits_parent_and_name() {
        assert_eq!(split_path("/home/me/My Photos"), ("/home/me/", "My Photos"));
        assert_eq!(split_path("/photos"), ("/", "photos"));
        assert_eq!(split_path("/"), ("", "/"));
        assert_eq!(split_path("relative"), ("", "relative"));
    }
}
