//! The ranking view over the Preference page: rank, thumbnail, strength with its 95 % interval,
//! and how many comparisons and scores each image has; the rater's own ranking or everyone's.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::GetRanking;
use image_scorer_protocol::RankingPage;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How many images the view lists at first, and how many more each "Show more" adds.
const PAGE: u32 = 100;

/// Properties of [`RankingView`].
#[derive(Properties, PartialEq)]
pub struct RankingViewProps {
    /// Whose ranking "Yours" is.
    pub rater: AttrValue,
    /// Bumped when a comparison was saved or undone: the view reloads.
    pub saved: u32,
    /// Closes the view.
    pub on_close: Callback<()>,
}

/// The ranking; see the module.
#[function_component]
pub fn RankingView(props: &RankingViewProps) -> Html {
    let app = use_app();
    let pooled = use_state(|| false);
    let limit = use_state(|| PAGE);
    let page = use_state(|| None::<RankingPage>);
    {
        let page = page.clone();
        let model = app.model.clone();
        let deps = (
            *pooled,
            *limit,
            props.saved,
            props.rater.clone(),
            app.model.revision,
        );
        use_effect_with(deps, move |(pooled, limit, _, rater, _)| {
            let request = GetRanking {
                rater: (!*pooled).then(|| rater.to_string()),
                limit: *limit,
            };
            spawn_local(async move {
                match api::call(request).await {
                    Ok(p) => page.set(Some(p)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        });
    }
    let toggle = |to: bool| {
        let pooled = pooled.clone();
        Callback::from(move |_: MouseEvent| pooled.set(to))
    };
    let more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(*limit + PAGE))
    };
    let summary = match page.as_ref() {
        None => "Fitting…".to_owned(),
        Some(p) => format!(
            "{} images from {} comparison{} and {} score{}{}",
            p.total,
            p.comparisons,
            if p.comparisons == 1 { "" } else { "s" },
            p.scores,
            if p.scores == 1 { "" } else { "s" },
            if p.predicted_prior {
                ", with the model's predictions as the prior"
            } else {
                ""
            }
        ),
    };
    let rows = page.as_ref().map(|p| p.entries.clone()).unwrap_or_default();
    let shown = rows.len() as u32;
    let total = page.as_ref().map_or(0, |p| p.total);
    html! {
        <div class="ranking-view" id="ranking-view" role="dialog" aria-label="Ranking">
            <header>
                <h2>{ "Ranking" }</h2>
                <div class="toggle">
                    <button id="ranking-mine" class={classes!((!*pooled).then_some("active"))}
                        onclick={toggle(false)} onmousedown={crate::hooks::keep_focus}>{ format!("{}'s", props.rater) }</button>
                    <button id="ranking-pooled" class={classes!(pooled.then_some("active"))}
                        onclick={toggle(true)} onmousedown={crate::hooks::keep_focus}>{ "Everyone" }</button>
                </div>
                <span class="note" id="ranking-summary">{ summary }</span>
                <button class="close" title="Close (r, Escape)" onmousedown={crate::hooks::keep_focus}
                    onclick={props.on_close.reform(|_| ())}>{ "×" }</button>
            </header>
            <div class="ranking-table">
                <table id="ranking-table">
                    <thead><tr>
                        <th>{ "#" }</th><th></th><th>{ "Image" }</th>
                        <th title="Strength, with its 95 % interval">{ "Strength" }</th>
                        <th>{ "Comparisons" }</th><th>{ "Scores" }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|e| html! {
                            <tr key={e.sha1.clone()} data-sha1={e.sha1.clone()} class={classes!((!e.shown).then_some("gone"))}>
                                <td class="rank">{ e.rank }</td>
                                <td>if e.shown { <img class="thumb" loading="lazy" src={api::thumbnail_url(&e.sha1)} alt="" /> }</td>
                                <td class="name">{ if e.shown { e.name.clone() } else { "(left the library)".into() } }</td>
                                <td class="strength">{ format!("{:+.2} ± {:.2}", e.strength, 1.96 * e.se) }</td>
                                <td>{ e.comparisons }</td>
                                <td>{ e.scores }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if shown < total {
                    <button id="ranking-more" onclick={more} onmousedown={crate::hooks::keep_focus}>
                        { format!("Show more ({shown} of {total})") }
                    </button>
                }
            </div>
        </div>
    }
}
