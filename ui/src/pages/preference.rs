//! The Preference page.

use crate::components::EmptyState;
use yew::prelude::*;

/// Picks the best of 2 or 4 images.
#[function_component]
pub fn Preference() -> Html {
    html! {
        <EmptyState slug="preference" title="Preference"
            purpose="Pick the best of two or of four images (ties and “none” allowed); every choice feeds a global ranking of the library."
            then="Preference comparisons come in a coming release." />
    }
}
