//! The near-duplicates view's parts: the method and its slider with the counts, the group under
//! review side by side, and the toolbar.

use super::state::{round, Review, ReviewAction, STEP};
use crate::api;
use crate::components::key_button;
use crate::keys::{SimilarityAction, SIMILARITY_KEYS};
use crate::pages::similarity::fmt_bytes;
use image_scorer_protocol::text::count;
use image_scorer_protocol::{DuplicateMethod, MAX_DISTANCE, MIN_THRESHOLD};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The method's button, its slider and what was found.
pub fn bar(review: &UseReducerHandle<Review>, act: &Callback<SimilarityAction>) -> Html {
    let set = {
        let review = review.clone();
        Callback::from(move |m: DuplicateMethod| review.dispatch(ReviewAction::Method(m)))
    };
    let (by, slider) = match review.method {
        DuplicateMethod::Embedding { threshold } => {
            let set = set.reform(|v: f64| DuplicateMethod::Embedding {
                threshold: round(v),
            });
            (
                "By the model",
                html! {
                    <label class="threshold" title={SIMILARITY_KEYS.title("Cosine threshold", SimilarityAction::Looser)}>
                        { format!("Cosine ≥ {threshold:.3}") }
                        <input type="range" id="duplicate-threshold" min={MIN_THRESHOLD.to_string()} max="1" step={STEP.to_string()}
                            value={threshold.to_string()} oninput={slider_input(set)} />
                    </label>
                },
            )
        }
        DuplicateMethod::Hash { distance } => {
            let set = set.reform(|v: f64| DuplicateMethod::Hash {
                distance: v.round() as u32,
            });
            (
                "By perceptual hash",
                html! {
                    <label class="threshold" title={SIMILARITY_KEYS.title("Most differing bits", SimilarityAction::Looser)}>
                        { format!("Hash within {distance} of 64 bits") }
                        <input type="range" id="duplicate-threshold" min="0" max={MAX_DISTANCE.to_string()} step="1"
                            value={distance.to_string()} oninput={slider_input(set)} />
                    </label>
                },
            )
        }
    };
    let counts = review.groups.as_ref().map(|g| {
        let waiting = g.library.saturating_sub(g.searched);
        let waiting = if waiting > 0 {
            format!(" ({waiting} not embedded or hashed yet)")
        } else {
            String::new()
        };
        format!(
            "{}, {} in groups, of {} searched{waiting}",
            count(g.total, "group", "groups"),
            count(g.images, "image", "images"),
            g.searched
        )
    });
    html! {
        <div class="pair-bar" id="duplicates-bar">
            { key_button(&SIMILARITY_KEYS, by, SimilarityAction::Method, "nav", act) }
            { slider }
            <span id="duplicate-count">{ counts.unwrap_or_default() }</span>
        </div>
    }
}

/// How far the app is in comparing new images, while it is: a bar and the share.
pub fn searching(review: &Review) -> Html {
    let Some(p) = review.searching else {
        return html! {};
    };
    let percent = (f64::from(p.done) * 100.0).floor();
    html! {
        <p class="note" id="duplicates-searching">
            { format!("Comparing {} new images with the library: {percent:.0} % ", p.images) }
            <progress max="1" value={p.done.to_string()}></progress>
        </p>
    }
}

/// The group under review, side by side, the kept image marked (a click keeps another); or
/// why there is none.
pub fn group(review: &UseReducerHandle<Review>) -> Html {
    let Some(g) = review.group() else {
        return match review.groups {
            None => html! { <p class="note">{ "Looking for near-duplicates…" }</p> },
            Some(_) => {
                html! { <p class="note" id="duplicates-none">{ "No near-duplicates at this threshold." }</p> }
            }
        };
    };
    let kept = review.kept();
    html! {
        <div class="duplicate-group" id="duplicate-group">
            { for g.images.iter().enumerate().map(|(k, image)| {
                let class = if k == kept { "stage kept" } else { "stage" };
                let review = review.clone();
                let onclick = Callback::from(move |_: MouseEvent| review.dispatch(ReviewAction::Keep(k)));
                let size = match (image.width, image.height) {
                    (Some(w), Some(h)) => format!("{w} × {h}"),
                    _ => "size unknown".into(),
                };
                html! {
                    <figure {class} data-sha1={image.sha1.clone()} {onclick}>
                        <img src={api::image_url(&image.sha1)} alt={image.name.clone()} />
                        <figcaption>
                            <span class="position">{ k + 1 }</span>
                            { format!("{} · {size} · {}", image.name, fmt_bytes(image.bytes)) }
                            { if k == kept { " · kept" } else { " · duplicate" } }
                        </figcaption>
                    </figure>
                }
            }) }
        </div>
    }
}

/// Previous, keep and mark, next, undo, looser, stricter.
pub fn toolbar(act: &Callback<SimilarityAction>) -> Html {
    let button = |label: &str, action: SimilarityAction, class: &str| {
        key_button(&SIMILARITY_KEYS, label, action, class, act)
    };
    html! {
        <div class="score-toolbar">
            { button("‹ Previous", SimilarityAction::Previous, "nav") }
            { button("Keep the chosen, mark the others", SimilarityAction::Mark, "value") }
            { button("Next ›", SimilarityAction::Skip, "nav") }
            { button("Undo", SimilarityAction::Undo, "nav") }
            { button("Looser", SimilarityAction::Looser, "nav") }
            { button("Stricter", SimilarityAction::Stricter, "nav") }
        </div>
    }
}

/// The slider's value as it moves.
fn slider_input(set: Callback<f64>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| {
        if let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            if let Ok(v) = input.value().parse::<f64>() {
                set.emit(v);
            }
        }
    })
}
