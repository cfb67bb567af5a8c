//! The Score page.

use crate::components::EmptyState;
use yew::prelude::*;

/// Scores images 1-10 from the keyboard (the start page).
#[function_component]
pub fn Score() -> Html {
    html! {
        <EmptyState slug="score" title="Score"
            purpose="Score one image at a time from 1 to 10 with the keyboard: keys 1–9, and 0 for 10; go back, skip and undo; every score is saved before the next image shows."
            then="Scoring comes with the next release of this page; the folders you open now will be ready for it." />
    }
}
