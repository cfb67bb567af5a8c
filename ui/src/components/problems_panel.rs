//! The files that cannot be shown, each with what is wrong with it.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::ListProblems;
use image_scorer_protocol::Problem;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How many problems are listed at most.
const LIMIT: u32 = 500;

/// A panel under the header listing unreadable files (opened from the header's count; Escape
/// closes). It reloads when the library changes.
#[function_component]
pub fn ProblemsPanel() -> Html {
    let app = use_app();
    let problems = use_state(|| None::<Vec<Problem>>);
    {
        let problems = problems.setter();
        let model = app.model.clone();
        use_effect_with(app.model.revision, move |_| {
            spawn_local(async move {
                match api::call(ListProblems { limit: LIMIT }).await {
                    Ok(list) => problems.set(Some(list)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        });
    }
    let close = {
        let model = app.model.clone();
        Callback::from(move |_| model.dispatch(Action::ShowProblems(false)))
    };
    let body = match &*problems {
        None => html! { <p class="note">{ "Loading…" }</p> },
        Some(list) if list.is_empty() => {
            html! { <p class="note">{ "Every file can be shown." }</p> }
        }
        Some(list) => html! {
            <ul class="problem-list">
                { for list.iter().map(|p| html! {
                    <li title={format!("{}/{}", p.folder, p.name)}>
                        <span class="name">{ &p.name }</span>{ " " }<span class="error">{ &p.error }</span>
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="folder-panel" id="problems" aria-label="Unreadable files">
            <header>
                <h2>{ "Unreadable files" }</h2>
                <span class="note">{ "These files stay out of every experiment. Fix or replace them; the library follows." }</span>
                <button class="dismiss" onclick={close} title="Close (Escape)">{ "×" }</button>
            </header>
            { body }
        </section>
    }
}
