//! The Similarity page.

use crate::components::EmptyState;
use yew::prelude::*;

/// Judges similarity and finds near-duplicates.
#[function_component]
pub fn Similarity() -> Html {
    html! {
        <EmptyState slug="similarity" title="Similarity"
            purpose="Judge how similar two images are, find the images most like one, and weed out near-duplicates using the model's embeddings."
            then="Similarity needs a model pack to embed images; it comes in a coming release." />
    }
}
