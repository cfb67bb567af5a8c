//! The Ratings page: every image of the library at a glance (the gallery: sort, filter, zoom,
//! score, the detail of one), the numbers and plots, and the exports and imports. The gallery
//! stays mounted while another view shows, so its order, scroll and selection are kept.

mod detail;
mod exchange;
mod gallery;
mod plots;
mod raters;
mod team;
mod toolbar;

use crate::components::{key_button, key_help};
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, RatingsAction, RATINGS_KEYS};
use crate::state::use_app;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// The page's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Gallery,
    Plots,
    Exchange,
}

/// The Ratings page.
#[function_component]
pub fn Ratings() -> Html {
    let app = use_app();
    let view = use_state(|| View::Gallery);
    let help = use_state(|| false);
    let detail = use_state(|| None::<String>);
    let act = {
        let (view, help, detail) = (view.clone(), help.clone(), detail.clone());
        Callback::from(move |action: RatingsAction| match action {
            RatingsAction::GalleryView => view.set(View::Gallery),
            RatingsAction::PlotsView => view.set(View::Plots),
            RatingsAction::ExportView => view.set(View::Exchange),
            RatingsAction::Help => help.set(!*help),
            RatingsAction::Close => {
                help.set(false);
                detail.set(None);
            }
            _ => {}
        })
    };
    // Outside the gallery (or over it, with the help or a detail open), only the page's own
    // keys act.
    let gallery_keys =
        *view == View::Gallery && !*help && detail.is_none() && !app.model.panel_open();
    {
        let act = act.clone();
        let panels = app.model.panel_open();
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if panels || gallery_keys {
                return;
            }
            if let Some(action) = RATINGS_KEYS.action(&e.key(), &e.code(), Modifiers::of(&e)) {
                if matches!(
                    action,
                    RatingsAction::GalleryView
                        | RatingsAction::PlotsView
                        | RatingsAction::ExportView
                        | RatingsAction::Help
                        | RatingsAction::Close
                ) {
                    e.prevent_default();
                    act.emit(action);
                }
            }
        }));
    }
    let tab = |label: &str, action: RatingsAction, this: View| {
        let class = if *view == this { "tab active" } else { "tab" };
        key_button(&RATINGS_KEYS, label, action, class, &act)
    };
    let on_detail = {
        let detail = detail.clone();
        Callback::from(move |sha1: String| detail.set(Some(sha1)))
    };
    let close_detail = {
        let detail = detail.clone();
        Callback::from(move |()| detail.set(None))
    };
    html! {
        <section class="page ratings-page" id="page-ratings">
            <header class="score-bar">
                <h1>{ "Ratings" }</h1>
                <nav class="tabs" id="ratings-tabs">
                    { tab("Gallery", RatingsAction::GalleryView, View::Gallery) }
                    { tab("Numbers and plots", RatingsAction::PlotsView, View::Plots) }
                    { tab("Export and import", RatingsAction::ExportView, View::Exchange) }
                </nav>
                { key_button(&RATINGS_KEYS, "?", RatingsAction::Help, "nav", &act) }
            </header>
            <div class={classes!("ratings-body", (*view != View::Gallery).then_some("hidden"))}>
                <gallery::Gallery active={gallery_keys} on_detail={on_detail.clone()} on_page={act.clone()} />
            </div>
            if *view == View::Plots { <plots::Plots /> }
            if *view == View::Exchange { <exchange::Exchange /> }
            if let Some(sha1) = &*detail {
                <detail::Detail sha1={sha1.clone()} on_open={on_detail} on_close={close_detail} />
            }
            if *help { { key_help("ratings-help", &RATINGS_KEYS, "Escape or ? closes. Scores given here are the same judgements as the Score page's.") } }
        </section>
    }
}
