//! The Ratings page.

use crate::components::EmptyState;
use yew::prelude::*;

/// The gallery of every image with its score, prediction and rank.
#[function_component]
pub fn Ratings() -> Html {
    html! {
        <EmptyState slug="ratings" title="Ratings"
            purpose="Every image with its score, prediction and rank: sort, filter, zoom, plot, and export what your trainer reads (CSV, JSONL, .npy)."
            then="The gallery comes in a coming release, with export of the scores you give." />
    }
}
