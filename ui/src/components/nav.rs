//! The navigation bar: one link per experiment page, each with its key.

use crate::keys::page_key_label;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// Links to every page; the current one is marked.
#[function_component]
pub fn Nav() -> Html {
    let current = use_route::<Route>();
    html! {
        <nav class="app-nav" aria-label="Experiments">
            { for Route::ALL.iter().map(|&route| {
                let active = current == Some(route);
                html! {
                    <Link<Route> to={route}
                        classes={classes!("nav-link", active.then_some("active"))}>
                        <span id={format!("nav-{}", route.slug())} title={format!("{} ({})", route.title(), page_key_label(route))}>{ route.title() }</span>
                        <kbd>{ page_key_label(route) }</kbd>
                    </Link<Route>>
                }
            }) }
        </nav>
    }
}
