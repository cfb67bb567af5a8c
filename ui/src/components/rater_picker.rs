//! Who is rating: shown in the header; type a name (new or known) and press Enter to switch.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::SetRater;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The rater field. Every judgement carries the rater shown here.
#[function_component]
pub fn RaterPicker() -> Html {
    let app = use_app();
    let input = use_node_ref();
    let rater = &app.model.rater;
    let commit = {
        let input = input.clone();
        let model = app.model.clone();
        let current = rater.name.clone();
        Callback::from(move |_| {
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let name = field.value().trim().to_owned();
            if name.is_empty() || name == current {
                field.set_value(&current);
                return;
            }
            let model = model.clone();
            spawn_local(async move {
                match api::call(SetRater { name }).await {
                    Ok(r) => model.dispatch(Action::RaterChanged(r)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let on_key = {
        let commit = commit.clone();
        let input = input.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                commit.emit(());
                if let Some(field) = input.cast::<HtmlInputElement>() {
                    let _ = field.blur();
                }
            } else if e.key() == "Escape" {
                if let Some(field) = input.cast::<HtmlInputElement>() {
                    let _ = field.blur();
                }
            }
        })
    };
    html! {
        <label class="rater" title="Who is rating: type a name and press Enter to switch or add a rater">
            <span class="muted">{ "Rater" }</span>
            <input id="rater" ref={input} list="raters" value={rater.name.clone()}
                onkeydown={on_key} onchange={commit.reform(|_| ())} size="10" spellcheck="false" />
            <datalist id="raters">
                { for rater.all.iter().map(|n| html! { <option value={n.clone()} /> }) }
            </datalist>
        </label>
    }
}
