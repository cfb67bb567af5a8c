//! The Rate page.

use crate::components::EmptyState;
use yew::prelude::*;

/// Adjusts the model's predicted score and commits it.
#[function_component]
pub fn Rate() -> Html {
    html! {
        <EmptyState slug="rate" title="Rate"
            purpose="See the model's predicted score for an image, nudge it by ±0.1 or ±1.0, and commit: fast corrections of what the model already knows."
            then="Rating needs a model pack (an image encoder and a score head) to predict scores; model packs come in a coming release." />
    }
}
