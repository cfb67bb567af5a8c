//! The Ratings page: for now, the gallery of every image in the library. Scores, predictions,
//! sorting, filtering and export arrive with the features that produce them.

use crate::api;
use crate::components::EmptyState;
use crate::keys::FIND_SIMILAR_KEY;
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::ListImages;
use image_scorer_protocol::ImagePage;
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// How many images the gallery shows at most (the rest: sorting and paging come later).
pub const GALLERY_LIMIT: u32 = 1000;

/// The gallery of every image with its score, prediction and rank.
#[function_component]
pub fn Ratings() -> Html {
    let app = use_app();
    let page = use_state(|| None::<ImagePage>);
    {
        let page = page.setter();
        let model = app.model.clone();
        // Reload whenever the library's images change.
        use_effect_with(app.model.revision, move |_| {
            spawn_local(async move {
                match api::call(ListImages {
                    limit: GALLERY_LIMIT,
                })
                .await
                {
                    Ok(p) => page.set(Some(p)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        });
    }
    let Some(page) = &*page else {
        return html! { <section class="page" id="page-ratings"><p class="note">{ "Loading…" }</p></section> };
    };
    if page.images.is_empty() {
        return html! {
            <EmptyState slug="ratings" title="Ratings"
                purpose="Every image with its score, prediction and rank: sort, filter, zoom, plot, and export what your trainer reads (CSV, JSONL, .npy)."
                then="No images yet: the open folders hold no readable images, or indexing is still running." />
        };
    }
    let shown = page.images.len() as u32;
    let find = {
        let model = app.model.clone();
        Callback::from(move |sha1: String| {
            model.dispatch(Action::FindSimilar(SimilarQuery::Image(sha1)))
        })
    };
    html! {
        <section class="page gallery-page" id="page-ratings">
            <header>
                <h1>{ "Ratings" }</h1>
                <span class="note" id="gallery-count">
                    { if shown < page.total { format!("{shown} of {} images", page.total) } else { format!("{} images", page.total) } }
                </span>
                <span class="note">{ "Scores, predictions and export arrive with scoring." }</span>
            </header>
            <div class="gallery" id="gallery">
                { for page.images.iter().map(|image| {
                    let sha1 = image.sha1.clone();
                    let on_click = find.reform(move |_: MouseEvent| sha1.clone());
                    let sha1 = image.sha1.clone();
                    let find = find.clone();
                    // Shift+F on a focused tile (Tab moves between them).
                    let on_key = Callback::from(move |e: KeyboardEvent| {
                        if e.key() == FIND_SIMILAR_KEY {
                            e.prevent_default();
                            find.emit(sha1.clone());
                        }
                    });
                    html! {
                        <figure class="tile" key={image.sha1.clone()} data-sha1={image.sha1.clone()}
                            tabindex="0" onkeydown={on_key}>
                            <img src={api::thumbnail_url(&image.sha1)} alt={image.name.clone()}
                                loading="lazy" width="160" height="160" />
                            <figcaption title={format!("{} ({} × {})", image.name, image.width, image.height)}>
                                { &image.name }
                            </figcaption>
                            <button class="tile-similar" title="Find the images most like this one (Shift+F on a focused tile)"
                                onclick={on_click}>{ "≈" }</button>
                        </figure>
                    }
                }) }
            </div>
        </section>
    }
}
