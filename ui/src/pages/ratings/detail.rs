//! One image's whole record: its files, every judgement in the log, each pack's prediction, its
//! place in the ranking, and its nearest neighbours (a click opens theirs).

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::GetImageDetail;
use image_scorer_protocol::{ImageDetail, Judgement, JudgementKind};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The detail view's properties.
#[derive(Properties, PartialEq)]
pub struct DetailProps {
    /// The image.
    pub sha1: String,
    /// Show another image's detail.
    pub on_open: Callback<String>,
    /// Close the view.
    pub on_close: Callback<()>,
}

/// What a judgement said, in words.
fn verdict(j: &Judgement, sha1: &str) -> String {
    let role = j
        .images
        .iter()
        .find(|i| i.sha1 == sha1)
        .map(|i| i.role.as_str())
        .unwrap_or("");
    match j.kind {
        k if k.is_score() => j.value.map_or(String::new(), |v| format!("{v}")),
        JudgementKind::Comparison => format!(
            "{} of {} ({})",
            j.outcome.map_or("", |o| o.as_str()),
            j.images.len(),
            role
        ),
        JudgementKind::Similarity => format!(
            "{} of 5 (cosine {})",
            j.value.unwrap_or_default(),
            j.shown_cosine.map_or("–".to_owned(), |c| format!("{c:.3}"))
        ),
        _ => role.to_owned(),
    }
}

/// The detail view.
#[function_component]
pub fn Detail(props: &DetailProps) -> Html {
    let app = use_app();
    let detail = use_state(|| None::<ImageDetail>);
    {
        let detail = detail.clone();
        let model = app.model.clone();
        use_effect_with(
            (props.sha1.clone(), app.model.revision),
            move |(sha1, _)| {
                let sha1 = sha1.clone();
                spawn_local(async move {
                    match api::call(GetImageDetail { sha1 }).await {
                        Ok(d) => detail.set(Some(d)),
                        Err(e) => model.dispatch(Action::Failed(e)),
                    }
                });
            },
        );
    }
    let close = props.on_close.reform(|_: MouseEvent| ());
    let Some(d) = (*detail).clone().filter(|d| d.sha1 == props.sha1) else {
        return html! { <aside class="detail" id="image-detail"><p class="note">{ "Loading…" }</p></aside> };
    };
    let sha1 = d.sha1.clone();
    html! {
        <aside class="detail" id="image-detail" role="dialog" aria-label="Image detail">
            <header>
                <h2>{ d.files.first().map(|f| f.path.rsplit('/').next().unwrap_or(&f.path).to_owned()).unwrap_or_else(|| sha1.clone()) }</h2>
                <button class="close" title="Close (Escape)" onclick={close}>{ "×" }</button>
            </header>
            <img class="detail-image" src={api::image_url(&sha1)} alt="" />
            <dl class="detail-facts">
                <dt>{ "SHA-1" }</dt><dd><code>{ sha1.clone() }</code></dd>
                <dt>{ "Size" }</dt><dd>{ format!("{} × {}{}", d.width, d.height, d.format.as_ref().map(|f| format!(", {f}")).unwrap_or_default()) }</dd>
                <dt>{ "Rank" }</dt><dd id="detail-rank">{
                    match (d.rank, d.strength, d.se) {
                        (Some(r), Some(s), Some(se)) => format!("{r} (strength {s:.2} ± {:.2})", 1.96 * se),
                        _ => "–".to_owned(),
                    }
                }</dd>
                <dt>{ "Predictions" }</dt><dd id="detail-predictions">{
                    if d.predictions.is_empty() { "none yet".to_owned() } else {
                        d.predictions.iter().map(|p| format!("{} {:.2}", p.pack, p.score)).collect::<Vec<_>>().join("; ")
                    }
                }</dd>
            </dl>
            <h3>{ format!("Files ({})", d.files.len()) }</h3>
            <ul class="detail-files" id="detail-files">
                { for d.files.iter().map(|f| html! {
                    <li class={classes!((!f.present).then_some("gone"))}><code>{ f.path.clone() }</code>
                        if !f.present { <span class="note">{ " (gone)" }</span> }</li>
                }) }
            </ul>
            <h3>{ format!("Judgements ({})", d.judgements.len()) }</h3>
            <table class="detail-judgements" id="detail-judgements">
                <tr><th>{ "When" }</th><th>{ "Rater" }</th><th>{ "Kind" }</th><th>{ "Value" }</th><th></th></tr>
                { for d.judgements.iter().map(|j| html! {
                    <tr class={classes!(j.undone.then_some("undone"))}>
                        <td>{ j.created.replace('T', " ").trim_end_matches('Z').to_owned() }</td>
                        <td>{ j.rater.clone() }</td>
                        <td>{ j.kind.as_str() }</td>
                        <td>{ verdict(j, &sha1) }</td>
                        <td>{ if j.undone { "undone" } else { "" } }</td>
                    </tr>
                }) }
            </table>
            if !d.neighbours.is_empty() {
                <h3>{ "Nearest neighbours" }</h3>
                <div class="detail-neighbours">
                    { for d.neighbours.iter().map(|n| {
                        let open = props.on_open.reform({ let s = n.sha1.clone(); move |_: MouseEvent| s.clone() });
                        html! {
                            <figure class="neighbour" title={format!("{} (cosine {:.3})", n.name, n.cosine)} onclick={open}>
                                <img src={api::thumbnail_url(&n.sha1)} alt="" width="96" height="96" loading="lazy" />
                                <figcaption>{ format!("{:.3}", n.cosine) }</figcaption>
                            </figure>
                        }
                    }) }
                </div>
            }
        </aside>
    }
}
