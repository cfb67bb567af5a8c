//! The header: the app's name, the open folders and the "Open folder" button.

use crate::components::Nav;
use crate::state::use_app;
use yew::prelude::*;

/// The bar at the top of every page.
#[function_component]
pub fn Header() -> Html {
    let app = use_app();
    let model = &*app.model;
    let roots = &model.library.roots;
    let folders = if !model.loaded {
        html! { <span class="folders muted">{ "Loading…" }</span> }
    } else if roots.is_empty() {
        html! { <span class="folders muted" id="folders">{ "No folder open" }</span> }
    } else {
        html! {
            <ul class="folders" id="folders" aria-label="Open folders">
                { for roots.iter().map(|r| html! {
                    <li class="folder" title={r.path.clone()} key={r.id}><bdi>{ &r.path }</bdi></li>
                }) }
            </ul>
        }
    };
    let open = {
        let choose = app.choose_folder.clone();
        Callback::from(move |_| choose.emit(()))
    };
    html! {
        <header class="app-header">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "★" }</span>
                <span class="name">{ "Image Scorer" }</span>
            </div>
            <Nav />
            <div class="library">
                { folders }
                <button id="open-folder" class="primary" onclick={open}
                    disabled={model.choosing_folder} title="Open a folder of images (Ctrl+O)">
                    { if model.choosing_folder { "Choosing…" } else { "Open folder" } }
                    <kbd>{ "Ctrl+O" }</kbd>
                </button>
            </div>
        </header>
    }
}
