//! Choosing whose judgements count (every rater when none is ticked), shared by the plots and
//! the exports.

use crate::state::use_app;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The chooser's properties.
#[derive(Properties, PartialEq)]
pub struct RaterChoiceProps {
    /// The raters ticked (none: every rater).
    pub chosen: Vec<String>,
    /// The raters ticked now.
    pub on_change: Callback<Vec<String>>,
}

/// A tick box per rater.
#[function_component]
pub fn RaterChoice(props: &RaterChoiceProps) -> Html {
    let app = use_app();
    let all = &app.model.rater.all;
    html! {
        <fieldset class="rater-choice" id="rater-choice">
            <legend>{ if props.chosen.is_empty() { "Raters: everyone" } else { "Raters" } }</legend>
            { for all.iter().map(|name| {
                let ticked = props.chosen.contains(name);
                let toggle = {
                    let (chosen, on_change, name) = (props.chosen.clone(), props.on_change.clone(), name.clone());
                    Callback::from(move |e: Event| {
                        let on = e.target_dyn_into::<HtmlInputElement>().is_some_and(|i| i.checked());
                        let mut next: Vec<String> = chosen.iter().filter(|n| **n != name).cloned().collect();
                        if on {
                            next.push(name.clone());
                        }
                        on_change.emit(next);
                    })
                };
                html! {
                    <label class="rater-tick"><input type="checkbox" checked={ticked} onchange={toggle} value={name.clone()} />{ name.clone() }</label>
                }
            }) }
        </fieldset>
    }
}
