//! Judging pairs: two images side by side with their cosine; 1-5 says how alike they look (a
//! judgement in the log, with the cosine shown), undo brings the pair back. Once there are
//! enough judgements, a plot of everyone's against the cosine.

use super::no_embeddings;
use crate::api;
use crate::components::key_button;
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, SimilarityAction, SIMILARITY_KEYS};
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::{GetLikeness, GetSimilarPair, RecordLikeness, Undo};
use image_scorer_protocol::{
    AppError, ErrorKind, JudgementKind, LikenessSummary, PairKind, QueueItem, SimilarityPair,
    Undone,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// What 1-5 mean.
pub const LIKENESS: [&str; 5] = [
    "Nothing alike",
    "A little alike",
    "Somewhat alike",
    "Very alike",
    "The same picture",
];

/// How many judgements the plot waits for.
pub const PLOT_FROM: usize = 5;

/// Properties of [`PairView`].
#[derive(Properties, PartialEq)]
pub struct PairProps {
    /// Whether its keys work (not while a panel or the help is open).
    pub active: bool,
}

/// The pair view.
/// Judged pairs remembered for undo.
const JUDGED_KEPT: usize = 50;

#[function_component]
pub fn PairView(props: &PairProps) -> Html {
    let app = use_app();
    let pair = use_state(|| None::<SimilarityPair>);
    let kind = use_state(PairKind::default);
    let loaded = use_state(|| false);
    let note = use_state(|| None::<String>);
    let summary = use_state(LikenessSummary::default);
    // Bumped to ask for another pair of the current kind.
    let ask = use_state(|| 0u32);
    // The pairs judged on this visit, newest last: an undo brings its pair back with names.
    let judged = use_mut_ref(Vec::<SimilarityPair>::new);
    let unavailable = no_embeddings(&app.model.predictor);
    let rater = app.model.rater.name.clone();
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };

    // A pair whenever asked, the kind changed, or the pack became usable.
    {
        let pair = pair.clone();
        let loaded = loaded.clone();
        let fail = fail.clone();
        let usable = unavailable.is_none();
        let deps = (*ask, *kind, usable, app.model.pack_revision);
        use_effect_with(deps, move |(_, kind, usable, _)| {
            let kind = *kind;
            if *usable {
                let exclude = pair
                    .as_ref()
                    .map(|p| p.images.iter().map(|i| i.sha1.clone()).collect())
                    .unwrap_or_default();
                spawn_local(async move {
                    match api::call(GetSimilarPair { kind, exclude }).await {
                        Ok(p) => pair.set(p),
                        Err(e) => fail.emit(e),
                    }
                    loaded.set(true);
                });
            }
        });
    }
    // Everyone's judgements for the plot, again after each of the rater's.
    let refresh_summary = {
        let summary = summary.clone();
        let rater = rater.clone();
        Callback::from(move |()| {
            let summary = summary.clone();
            let rater = rater.clone();
            api::in_order(async move {
                if let Ok(s) = api::call(GetLikeness { rater }).await {
                    summary.set(s);
                }
            });
        })
    };
    {
        let refresh = refresh_summary.clone();
        use_effect_with(
            (app.model.rater_revision, app.model.pack_revision),
            move |_| refresh.emit(()),
        );
    }

    let act = {
        let pair = pair.clone();
        let kind = kind.clone();
        let ask = ask.clone();
        let note = note.clone();
        let rater = rater.clone();
        let fail = fail.clone();
        let model = app.model.clone();
        let refresh = refresh_summary.clone();
        let judged = judged.clone();
        Callback::from(move |action: SimilarityAction| match action {
            SimilarityAction::Digit(value @ 1..=5) => {
                let Some(shown) = (*pair).clone() else {
                    return;
                };
                let request = RecordLikeness {
                    rater: rater.clone(),
                    images: shown.images.iter().map(|i| i.sha1.clone()).collect(),
                    value: u32::from(value),
                    cosine: shown.cosine,
                };
                note.set(None);
                ask.set(*ask + 1);
                let mut judged = judged.borrow_mut();
                judged.push(shown);
                let excess = judged.len().saturating_sub(JUDGED_KEPT);
                judged.drain(..excess);
                let (note, fail, refresh) = (note.clone(), fail.clone(), refresh.clone());
                api::in_order(async move {
                    match api::call(request).await {
                        Ok(_) => refresh.emit(()),
                        Err(e)
                            if matches!(e.kind, ErrorKind::NotFound | ErrorKind::InvalidInput) =>
                        {
                            note.set(Some(format!(
                                "Your “{}” was not recorded: {}",
                                LIKENESS[usize::from(value) - 1],
                                e.message
                            )))
                        }
                        Err(e) => fail.emit(e),
                    }
                });
            }
            SimilarityAction::Random => {
                kind.set(PairKind::Random);
                ask.set(*ask + 1);
            }
            SimilarityAction::Near => {
                kind.set(PairKind::Near);
                ask.set(*ask + 1);
            }
            SimilarityAction::Skip => ask.set(*ask + 1),
            SimilarityAction::FindView => {
                if let Some(p) = &*pair {
                    let query = SimilarQuery::Image(p.images[0].sha1.clone());
                    model.dispatch(Action::FindSimilar(query));
                }
            }
            SimilarityAction::Undo => {
                let (pair, note, fail, refresh) =
                    (pair.clone(), note.clone(), fail.clone(), refresh.clone());
                let rater = rater.clone();
                let kind = *kind;
                let model = model.clone();
                let judged = judged.clone();
                api::in_order(async move {
                    match api::call(Undo { rater }).await {
                        Ok(Some(Undone { judgement, .. }))
                            if judgement.kind == JudgementKind::Similarity =>
                        {
                            let mut images = judgement.images;
                            images.sort_by_key(|i| i.position);
                            let value = judgement.value.unwrap_or(0.0) as usize;
                            let sha1s: Vec<&str> = images.iter().map(|i| i.sha1.as_str()).collect();
                            // The pair as it was shown (names and all) when judged on this
                            // visit, else rebuilt from the judgement (without names).
                            let mut judged = judged.borrow_mut();
                            let shown = judged.iter().rposition(|p| {
                                p.images
                                    .iter()
                                    .map(|i| i.sha1.as_str())
                                    .eq(sha1s.iter().copied())
                            });
                            let back = match shown {
                                Some(at) => judged.remove(at),
                                None => SimilarityPair {
                                    images: images
                                        .iter()
                                        .map(|i| QueueItem {
                                            name: String::new(),
                                            sha1: i.sha1.clone(),
                                        })
                                        .collect(),
                                    cosine: judgement.shown_cosine.unwrap_or(f64::NAN),
                                    kind,
                                    model: model.predictor.active.clone().unwrap_or_default(),
                                },
                            };
                            pair.set(Some(back));
                            let what = LIKENESS.get(value.wrapping_sub(1)).copied().unwrap_or("");
                            note.set(Some(format!("Undid your “{what}”: judge the pair again.")));
                            refresh.emit(());
                        }
                        Ok(Some(Undone { judgement, .. })) => note.set(Some(format!(
                            "Undid your last {} (made elsewhere).",
                            judgement.kind.noun()
                        ))),
                        Ok(None) => note.set(Some("Nothing to undo.".into())),
                        Err(e) => fail.emit(e),
                    }
                });
            }
            _ => {}
        })
    };
    {
        let act = act.clone();
        let active = props.active;
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if !active {
                return;
            }
            let m = Modifiers::of(&e);
            match SIMILARITY_KEYS.action(&e.key(), &e.code(), m) {
                Some(a @ SimilarityAction::Digit(1..=5))
                | Some(
                    a @ (SimilarityAction::Random
                    | SimilarityAction::Near
                    | SimilarityAction::Skip
                    | SimilarityAction::Undo
                    | SimilarityAction::FindView),
                ) => {
                    e.prevent_default();
                    act.emit(a);
                }
                _ => {}
            }
        }));
    }

    if let Some(why) = unavailable {
        return html! { <p class="similarity-note" id="similarity-unavailable">{ why }</p> };
    }
    let button = |label: &str, action: SimilarityAction, class: &str| {
        key_button(&SIMILARITY_KEYS, label, action, class, &act)
    };
    let body = match &*pair {
        None if !*loaded => html! { <p class="note">{ "Loading…" }</p> },
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
    };
    let cosine = pair.as_ref().map(|p| {
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
    html! {
        <>
            <div class="pair-bar">
                { cosine.unwrap_or_default() }
                { button("Random pair", SimilarityAction::Random, if *kind == PairKind::Random { "nav active" } else { "nav" }) }
                { button("Near pair", SimilarityAction::Near, if *kind == PairKind::Near { "nav active" } else { "nav" }) }
                { button("Another ›", SimilarityAction::Skip, "nav") }
                { button("Undo", SimilarityAction::Undo, "nav") }
                { button("≈ Similar to left", SimilarityAction::FindView, "nav") }
            </div>
            if let Some(n) = &*note {
                <p class="score-note" id="pair-note">{ n }</p>
            }
            { body }
            <div class="score-toolbar" id="likeness-toolbar">
                { for (1..=5u8).map(|v| button(&format!("{v} {}", LIKENESS[usize::from(v) - 1]), SimilarityAction::Digit(v), "value")) }
            </div>
            { plot(&summary) }
        </>
    }
}

/// Everyone's judgements against the cosine shown: one dot each (the rater's filled), once
/// there are [`PLOT_FROM`].
fn plot(summary: &LikenessSummary) -> Html {
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
