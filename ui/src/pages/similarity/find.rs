//! Find similar: the library images most like the query (an image asked for from any page, or
//! an outside file chosen in the dialog or dropped on the window), with their cosine. Clicking
//! one makes it the query.

use super::{no_embeddings, FIND_K};
use crate::api;
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::FindSimilar;
use image_scorer_protocol::SimilarImages;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The find view.
#[function_component]
pub fn FindView() -> Html {
    let app = use_app();
    let found = use_state(|| None::<SimilarImages>);
    let problem = use_state(|| None::<String>);
    {
        let found = found.clone();
        let problem = problem.clone();
        let query = app.model.similar.clone();
        use_effect_with(
            (app.model.similar_revision, app.model.pack_revision),
            move |_| match query {
                Some(SimilarQuery::File(results)) => {
                    problem.set(None);
                    found.set(Some(results));
                }
                Some(SimilarQuery::Image(sha1)) => spawn_local(async move {
                    match api::call(FindSimilar { sha1, k: FIND_K }).await {
                        Ok(results) => {
                            problem.set(None);
                            found.set(Some(results));
                        }
                        Err(e) => {
                            found.set(None);
                            problem.set(Some(e.message));
                        }
                    }
                }),
                None => {}
            },
        );
    }
    let pick = {
        let model = app.model.clone();
        Callback::from(move |sha1: String| {
            model.dispatch(Action::FindSimilar(SimilarQuery::Image(sha1)))
        })
    };
    let unavailable = no_embeddings(&app.model.predictor);
    let Some(results) = &*found else {
        let text = problem
            .as_ref()
            .cloned()
            .or(unavailable)
            .unwrap_or_else(|| {
                "Press Shift+F on an image on any page (or click its ≈ button) to see the library \
             images most like it here; or choose a file from outside the library (o), or drop \
             one on the window."
                    .into()
            });
        return html! { <p class="similarity-note" id="find-note">{ text }</p> };
    };
    let query = match (&results.query, &results.file_name) {
        (Some(q), _) => html! {
            <figure class="find-query" id="find-query" data-sha1={q.sha1.clone()}>
                <img src={api::image_url(&q.sha1)} alt={q.name.clone()} />
                <figcaption>{ &q.name }</figcaption>
            </figure>
        },
        (None, name) => html! {
            <div class="find-query" id="find-query">
                <p>{ format!("Outside file “{}”", name.clone().unwrap_or_default()) }</p>
                <p class="note">{ "Embedded for this search only; not added to the library." }</p>
            </div>
        },
    };
    html! {
        <div class="find-view" id="find-view">
            { query }
            <div class="find-results">
                <p class="note" id="find-summary">
                    { format!("The {} most similar of {} images, by {}", results.results.len(), results.searched, results.model) }
                </p>
                if let Some(p) = &*problem {
                    <p class="score-note">{ p }</p>
                }
                <div class="gallery" id="find-results">
                    { for results.results.iter().map(|r| {
                        let sha1 = r.sha1.clone();
                        let onclick = pick.reform(move |_: MouseEvent| sha1.clone());
                        html! {
                            <figure class="tile" key={r.sha1.clone()} data-sha1={r.sha1.clone()}
                                data-cosine={r.cosine.to_string()} {onclick}
                                title={format!("{} — click to find the images most like it", r.name)}>
                                <img src={api::thumbnail_url(&r.sha1)} alt={r.name.clone()}
                                    loading="lazy" width="160" height="160" />
                                <figcaption>{ format!("{:.3} · {}", r.cosine, r.name) }</figcaption>
                            </figure>
                        }
                    }) }
                </div>
            </div>
        </div>
    }
}
