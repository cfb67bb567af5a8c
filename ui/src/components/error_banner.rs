//! Errors shown where the user is, each until dismissed.

use crate::state::{use_app, Action};
use yew::prelude::*;

/// The list of errors under the header; empty when there are none.
#[function_component]
pub fn ErrorBanner() -> Html {
    let app = use_app();
    if app.model.errors.is_empty() {
        return html! {};
    }
    html! {
        <div class="errors" role="alert" id="errors">
            { for app.model.errors.iter().enumerate().map(|(i, e)| {
                let model = app.model.clone();
                let dismiss = Callback::from(move |_| model.dispatch(Action::Dismiss(i)));
                html! {
                    <div class="error" data-kind={format!("{:?}", e.kind)}>
                        <span class="message">{ &e.message }</span>
                        <button class="dismiss" onclick={dismiss} title="Dismiss">{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
