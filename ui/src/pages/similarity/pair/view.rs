//! The pair view's parts: its bar (the cosine, the kind of pair, the moves), the pair, the
//! likeness buttons, and the plot of everyone's judgements against the cosine.

use super::state::Pairs;
use super::{LIKENESS, PLOT_FROM};
use crate::api;
use crate::components::key_button;
use crate::keys::{SimilarityAction, SIMILARITY_KEYS};
use image_scorer_protocol::{LikenessSummary, PairKind};
use yew::prelude::*;

/// The cosine of the pair on screen, the kind of pair, another, undo, similar.
pub fn bar(state: &Pairs, act: &Callback<SimilarityAction>) -> Html {
    let button = |label: &str, action: SimilarityAction, class: &str| {
        key_button(&SIMILARITY_KEYS, label, action, class, act)
    };
    let cosine = state.pair.as_ref().map(|p| {
        let kind = match p.kind {
            PairKind::Random => "random pair",
            PairKind::Near => "near pair",
        };
        html! {
            <span id="pair-cosine" data-cosine={p.cosine.to_string()}
                title={format!("Cosine similarity of the two embeddings under {}", p.model)}>
                { format!("cosine {:.3} · {kind}", p.cosine) }
            </span>
        }
    });
    let active = |kind: PairKind| {
        if state.kind == kind {
            "nav active"
        } else {
            "nav"
        }
    };
    html! {
        <div class="pair-bar">
            { cosine.unwrap_or_default() }
            { button("Random pair", SimilarityAction::Random, active(PairKind::Random)) }
            { button("Near pair", SimilarityAction::Near, active(PairKind::Near)) }
            { button("Another ›", SimilarityAction::Skip, "nav") }
            { button("Undo", SimilarityAction::Undo, "nav") }
            { button("≈ Similar to left", SimilarityAction::FindView, "nav") }
        </div>
    }
}

/// The pair side by side, or why there is none.
pub fn pair(state: &Pairs) -> Html {
    match &state.pair {
        None if !state.loaded => html! { <p class="note">{ "Loading…" }</p> },
        None => {
            html! { <p class="note" id="pair-none">{ "Fewer than two images have an embedding yet: the model is still working through the library." }</p> }
        }
        Some(p) => html! {
            <div class="trial trial-2" id="similarity-pair">
                { for p.images.iter().enumerate().map(|(k, image)| html! {
                    <figure class="stage" data-sha1={image.sha1.clone()} data-position={k.to_string()}>
                        <img src={api::image_url(&image.sha1)} alt={image.name.clone()} />
                        <figcaption>{ &image.name }</figcaption>
                    </figure>
                }) }
            </div>
        },
    }
}

/// The buttons 1-5, each with what it means.
pub fn likeness_buttons(act: &Callback<SimilarityAction>) -> Html {
    html! {
        <div class="score-toolbar" id="likeness-toolbar">
            { for (1..=5u8).map(|v| key_button(&SIMILARITY_KEYS, &format!("{v} {}", LIKENESS[usize::from(v) - 1]), SimilarityAction::Digit(v), "value", act)) }
        </div>
    }
}

/// Everyone's judgements against the cosine shown: one dot each (the rater's filled), once
/// there are [`PLOT_FROM`].
pub fn plot(summary: &LikenessSummary) -> Html {
    let points = &summary.points;
    if points.len() < PLOT_FROM {
        return html! {
            <p class="note" id="likeness-plot-note">
                { format!("{} with this model so far; the plot of judgements against the cosine appears at {PLOT_FROM}.", image_scorer_protocol::text::count(points.len(), "likeness judgement", "likeness judgements")) }
            </p>
        };
    }
    let (w, h, pad) = (360.0, 150.0, 28.0);
    let lo = points
        .iter()
        .map(|p| p.cosine)
        .fold(1.0f64, f64::min)
        .min(0.0);
    let x = |c: f64| pad + (c - lo) / (1.0 - lo).max(1e-9) * (w - 2.0 * pad);
    let y = |v: u32| h - pad - (f64::from(v) - 1.0) / 4.0 * (h - 2.0 * pad);
    let correlation = summary
        .correlation
        .map_or_else(String::new, |r| format!(" · Spearman ρ = {r:.2}"));
    html! {
        <figure class="likeness-plot" id="likeness-plot">
            <svg viewBox={format!("0 0 {w} {h}")} width={w.to_string()} height={h.to_string()} role="img"
                aria-label="Likeness judgements against the cosine">
                <line x1={pad.to_string()} y1={(h - pad).to_string()} x2={(w - pad).to_string()} y2={(h - pad).to_string()} class="axis" />
                <line x1={pad.to_string()} y1={pad.to_string()} x2={pad.to_string()} y2={(h - pad).to_string()} class="axis" />
                { for (1..=5u32).map(|v| html! {
                    <text x="8" y={(y(v) + 4.0).to_string()} class="tick">{ v }</text>
                }) }
                <text x={pad.to_string()} y={(h - 8.0).to_string()} class="tick">{ format!("{lo:.1}") }</text>
                <text x={(w - pad - 10.0).to_string()} y={(h - 8.0).to_string()} class="tick">{ "1.0" }</text>
                { for points.iter().enumerate().map(|(i, p)| {
                    // A little vertical jitter, so equal judgements do not hide each other.
                    let jitter = ((i * 7919) % 9) as f64 - 4.0;
                    html! {
                        <circle cx={x(p.cosine).to_string()} cy={(y(p.value) + jitter).to_string()} r="3"
                            class={if p.mine { "dot mine" } else { "dot" }} />
                    }
                }) }
            </svg>
            <figcaption>{ format!("{} judgements: how alike (1–5) against the cosine; yours filled{correlation}", points.len()) }</figcaption>
        </figure>
    }
}
