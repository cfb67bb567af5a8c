//! The header: the app's name, the pages, the rater, the model pack's chip ([`ModelChip`]), the
//! open folders and the library's counts ([`Folders`], [`LibraryStatus`]), Share and "Open
//! folder". Under 700 px wide all but the name fold into a menu.

mod library;
mod model_chip;

use crate::components::{Nav, RaterPicker};
use crate::state::{use_app, Action};
use library::{Folders, LibraryStatus};
use model_chip::ModelChip;
use yew::prelude::*;

/// The bar at the top of every page.
#[function_component]
pub fn Header() -> Html {
    let app = use_app();
    let menu = use_menu();
    let model = &*app.model;
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
        Callback::from(move |_| model.dispatch(Action::ShowShare(!shown)))
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
                <ModelChip />
                <Folders />
                <LibraryStatus />
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
