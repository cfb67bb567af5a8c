//! Renaming a rater: an imported one, say, given a name of one's own; their judgements follow.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::RenameRater;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The rename form: the rater (the current one unless another is chosen) and the new name.
#[function_component]
pub fn RenameForm() -> Html {
    let app = use_app();
    let from = use_state(String::new);
    let to = use_state(String::new);
    let current = app.model.rater.name.clone();
    let chosen = if from.is_empty() {
        current.clone()
    } else {
        (*from).clone()
    };
    let rename = {
        let (chosen, to, model) = (chosen.clone(), to.clone(), app.model.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (from, to, model) = (chosen.clone(), to.clone(), model.clone());
            spawn_local(async move {
                match api::call(RenameRater {
                    from,
                    to: (*to).clone(),
                })
                .await
                {
                    Ok(rater) => {
                        to.set(String::new());
                        model.dispatch(Action::RaterChanged(rater));
                    }
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let pick = {
        let from = from.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                from.set(s.value())
            }
        })
    };
    let type_name = {
        let to = to.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                to.set(i.value())
            }
        })
    };
    html! {
        <>
            <h2>{ "Rename a rater" }</h2>
            <form class="rename" onsubmit={rename}>
                <select id="rename-from" onchange={pick}>
                    { for app.model.rater.all.iter().map(|r| html! {
                        <option value={r.clone()} selected={*r == chosen}>{ r.clone() }</option>
                    }) }
                </select>
                <input id="rename-to" placeholder="new name" value={(*to).clone()} oninput={type_name} />
                <button type="submit" disabled={to.trim().is_empty()}>{ "Rename" }</button>
            </form>
        </>
    }
}
