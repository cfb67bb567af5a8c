//! Near-duplicates: groups of images above a threshold (the model's cosine, or the perceptual
//! hash's bits, which need no model), counted live as the slider moves. A group is reviewed
//! side by side: keep one (the largest by default), mark the others as its duplicates (they
//! leave every queue; files are never touched); undo takes the mark back.

use super::{fmt_bytes, no_embeddings};
use crate::api;
use crate::components::key_button;
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, SimilarityAction, SIMILARITY_KEYS};
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetDuplicateGroups, MarkDuplicates, Undo};
use image_scorer_protocol::text::{count, count_is};
use image_scorer_protocol::{
    AppError, DuplicateGroups, DuplicateMethod, ErrorKind, JudgementKind, Undone, DEFAULT_DISTANCE,
    DEFAULT_THRESHOLD, MAX_DISTANCE, MIN_THRESHOLD,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// How many groups are fetched for review at a time.
const GROUPS: u32 = 200;
/// One step of the cosine slider (and of `[` / `]`).
const STEP: f64 = 0.005;

/// Properties of [`DuplicatesView`].
#[derive(Properties, PartialEq)]
pub struct DuplicatesProps {
    /// Whether its keys work.
    pub active: bool,
}

/// The near-duplicates view.
#[function_component]
pub fn DuplicatesView(props: &DuplicatesProps) -> Html {
    let app = use_app();
    let embeddings = no_embeddings(&app.model.predictor).is_none();
    let method = use_state(|| {
        if embeddings {
            DuplicateMethod::Embedding {
                threshold: DEFAULT_THRESHOLD,
            }
        } else {
            DuplicateMethod::Hash {
                distance: DEFAULT_DISTANCE,
            }
        }
    });
    let groups = use_state(|| None::<DuplicateGroups>);
    let at = use_state(|| 0usize);
    let keep = use_state(|| 0usize);
    let note = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);
    // Answers to an older slider position are dropped.
    let asked = use_mut_ref(|| 0u32);
    let rater = app.model.rater.name.clone();
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    {
        let groups = groups.clone();
        let asked = asked.clone();
        let fail = fail.clone();
        let m = *method;
        let deps = (
            format!("{m:?}"),
            *reload,
            app.model.revision,
            app.model.pack_revision,
        );
        use_effect_with(deps, move |_| {
            let ticket = {
                let mut a = asked.borrow_mut();
                *a += 1;
                *a
            };
            spawn_local(async move {
                let answer = api::call(GetDuplicateGroups {
                    method: m,
                    limit: GROUPS,
                })
                .await;
                if *asked.borrow() != ticket {
                    return;
                }
                match answer {
                    Ok(g) => groups.set(Some(g)),
                    Err(e) => fail.emit(e),
                }
            });
        });
    }
    let group_count = groups.as_ref().map_or(0, |g| g.groups.len());
    let at_now = (*at).min(group_count.saturating_sub(1));
    let group = groups.as_ref().and_then(|g| g.groups.get(at_now)).cloned();

    let set_method = {
        let method = method.clone();
        let keep = keep.clone();
        Callback::from(move |m: DuplicateMethod| {
            keep.set(0);
            method.set(m)
        })
    };
    let act = {
        let (at, keep, note, reload) = (at.clone(), keep.clone(), note.clone(), reload.clone());
        let group = group.clone();
        let method = *method;
        let set_method = set_method.clone();
        let rater = rater.clone();
        let fail = fail.clone();
        Callback::from(move |action: SimilarityAction| match action {
            SimilarityAction::Digit(n)
                if group
                    .as_ref()
                    .is_some_and(|g| usize::from(n) <= g.images.len()) =>
            {
                keep.set(usize::from(n) - 1);
            }
            SimilarityAction::Skip => {
                keep.set(0);
                at.set((at_now + 1).min(group_count.saturating_sub(1)));
            }
            SimilarityAction::Previous => {
                keep.set(0);
                at.set(at_now.saturating_sub(1));
            }
            SimilarityAction::Mark => {
                let Some(g) = &group else { return };
                let kept = (*keep).min(g.images.len() - 1);
                let request = MarkDuplicates {
                    rater: rater.clone(),
                    keep: g.images[kept].sha1.clone(),
                    duplicates: g
                        .images
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| *k != kept)
                        .map(|(_, i)| i.sha1.clone())
                        .collect(),
                };
                let others = g.images.len() - 1;
                let what = format!(
                    "Kept {}, marked {}; undo (z) takes it back.",
                    g.images[kept].name,
                    if others == 1 {
                        "1 as a duplicate".to_owned()
                    } else {
                        format!("{others} as duplicates")
                    }
                );
                let (note, reload, keep, fail) =
                    (note.clone(), reload.clone(), keep.clone(), fail.clone());
                api::in_order(async move {
                    match api::call(request).await {
                        Ok(_) => note.set(Some(what)),
                        Err(e) if e.kind == ErrorKind::NotFound => note.set(Some(e.message)),
                        Err(e) => fail.emit(e),
                    }
                    keep.set(0);
                    reload.set(*reload + 1);
                });
            }
            SimilarityAction::Undo => {
                let (note, reload, fail) = (note.clone(), reload.clone(), fail.clone());
                let rater = rater.clone();
                api::in_order(async move {
                    match api::call(Undo { rater }).await {
                        Ok(Some(Undone { judgement, .. })) => {
                            note.set(Some(if judgement.kind == JudgementKind::Duplicate {
                                format!(
                                    "Undid the duplicate mark: {} back in the queues.",
                                    count_is(judgement.images.len() - 1, "image", "images")
                                )
                            } else {
                                format!("Undid your last {}.", judgement.kind.noun())
                            }));
                            reload.set(*reload + 1);
                        }
                        Ok(None) => note.set(Some("Nothing to undo.".into())),
                        Err(e) => fail.emit(e),
                    }
                });
            }
            SimilarityAction::Method => set_method.emit(match method {
                DuplicateMethod::Embedding { .. } => DuplicateMethod::Hash {
                    distance: DEFAULT_DISTANCE,
                },
                DuplicateMethod::Hash { .. } => DuplicateMethod::Embedding {
                    threshold: DEFAULT_THRESHOLD,
                },
            }),
            SimilarityAction::Looser | SimilarityAction::Stricter => {
                let up = action == SimilarityAction::Stricter;
                set_method.emit(match method {
                    DuplicateMethod::Embedding { threshold } => DuplicateMethod::Embedding {
                        threshold: round(threshold + if up { STEP } else { -STEP })
                            .clamp(MIN_THRESHOLD, 1.0),
                    },
                    DuplicateMethod::Hash { distance } => DuplicateMethod::Hash {
                        distance: if up {
                            distance.saturating_sub(1)
                        } else {
                            (distance + 1).min(MAX_DISTANCE)
                        },
                    },
                })
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
            if let Some(
                a @ (SimilarityAction::Digit(_)
                | SimilarityAction::Skip
                | SimilarityAction::Previous
                | SimilarityAction::Mark
                | SimilarityAction::Undo
                | SimilarityAction::Method
                | SimilarityAction::Looser
                | SimilarityAction::Stricter),
            ) = SIMILARITY_KEYS.action(&e.key(), &e.code(), m)
            {
                e.prevent_default();
                act.emit(a);
            }
        }));
    }

    let button = |label: &str, action: SimilarityAction, class: &str| {
        key_button(&SIMILARITY_KEYS, label, action, class, &act)
    };
    let slider = match *method {
        DuplicateMethod::Embedding { threshold } => {
            let set = set_method.reform(|v: f64| DuplicateMethod::Embedding {
                threshold: round(v),
            });
            html! {
                <label class="threshold" title={SIMILARITY_KEYS.title("Cosine threshold", SimilarityAction::Looser)}>
                    { format!("Cosine ≥ {threshold:.3}") }
                    <input type="range" id="duplicate-threshold" min={MIN_THRESHOLD.to_string()} max="1" step={STEP.to_string()}
                        value={threshold.to_string()} oninput={slider_input(set)} />
                </label>
            }
        }
        DuplicateMethod::Hash { distance } => {
            let set = set_method.reform(|v: f64| DuplicateMethod::Hash {
                distance: v.round() as u32,
            });
            html! {
                <label class="threshold" title={SIMILARITY_KEYS.title("Most differing bits", SimilarityAction::Looser)}>
                    { format!("Hash within {distance} of 64 bits") }
                    <input type="range" id="duplicate-threshold" min="0" max={MAX_DISTANCE.to_string()} step="1"
                        value={distance.to_string()} oninput={slider_input(set)} />
                </label>
            }
        }
    };
    let by = match *method {
        DuplicateMethod::Embedding { .. } => "By the model",
        DuplicateMethod::Hash { .. } => "By perceptual hash",
    };
    let counts = groups.as_ref().map(|g| {
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
    let body = match (&group, groups.as_ref()) {
        (_, None) => html! { <p class="note">{ "Looking for near-duplicates…" }</p> },
        (None, Some(_)) => {
            html! { <p class="note" id="duplicates-none">{ "No near-duplicates at this threshold." }</p> }
        }
        (Some(g), Some(_)) => {
            let kept = (*keep).min(g.images.len() - 1);
            html! {
                <div class="duplicate-group" id="duplicate-group">
                    { for g.images.iter().enumerate().map(|(k, image)| {
                        let class = if k == kept { "stage kept" } else { "stage" };
                        let keep = keep.clone();
                        let onclick = Callback::from(move |_: MouseEvent| keep.set(k));
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
    };
    html! {
        <>
            <div class="pair-bar" id="duplicates-bar">
                { button(by, SimilarityAction::Method, "nav") }
                { slider }
                <span id="duplicate-count">{ counts.unwrap_or_default() }</span>
            </div>
            if !embeddings && matches!(*method, DuplicateMethod::Embedding { .. }) {
                <p class="similarity-note">{ no_embeddings(&app.model.predictor).unwrap_or_default() }</p>
            }
            if let Some(n) = &*note {
                <p class="score-note" id="duplicates-note">{ n }</p>
            }
            if let Some(g) = &group {
                <p class="note" id="duplicate-position">
                    { format!("Group {} of {} · closest pair {:.3}", at_now + 1, group_count, g.closest) }
                </p>
            }
            { body }
            <div class="score-toolbar">
                { button("‹ Previous", SimilarityAction::Previous, "nav") }
                { button("Keep the chosen, mark the others", SimilarityAction::Mark, "value") }
                { button("Next ›", SimilarityAction::Skip, "nav") }
                { button("Undo", SimilarityAction::Undo, "nav") }
                { button("Looser", SimilarityAction::Looser, "nav") }
                { button("Stricter", SimilarityAction::Stricter, "nav") }
            </div>
        </>
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

/// To the slider's step.
fn round(v: f64) -> f64 {
    (v / STEP).round() * STEP
}
