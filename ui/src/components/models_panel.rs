//! The model packs: which are installed, which is active, and the background embedding job.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetPredictor, PausePredictions, SetPack};
use image_scorer_protocol::PackInfo;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// A panel under the header (Ctrl+M; Escape closes) listing every pack found, with a button to
/// make one active, and the embedding progress with Pause / Resume.
#[function_component]
pub fn ModelsPanel() -> Html {
    let app = use_app();
    let predictor = &app.model.predictor;
    // The list is read afresh when the panel opens (packs may have been added by hand).
    {
        let model = app.model.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                match api::call(GetPredictor {}).await {
                    Ok(p) => model.dispatch(Action::Predictor(p)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        });
    }
    let close = {
        let model = app.model.clone();
        Callback::from(move |_| model.dispatch(Action::ShowModels(false)))
    };
    let choose = {
        let model = app.model.clone();
        Callback::from(move |id: String| {
            let model = model.clone();
            spawn_local(async move {
                match api::call(SetPack { id }).await {
                    Ok(p) => model.dispatch(Action::Predictor(p)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let progress = predictor.progress;
    let pause = {
        let model = app.model.clone();
        Callback::from(move |_| {
            let model = model.clone();
            spawn_local(async move {
                match api::call(PausePredictions {
                    paused: !progress.paused,
                })
                .await
                {
                    Ok(p) => model.dispatch(Action::Predictor(p)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let status = if let Some(problem) = &predictor.problem {
        html! { <p class="model-problem" id="model-problem">{ problem }</p> }
    } else {
        html! {
            <p class="model-progress" id="model-progress">
                <progress max={progress.total.max(1).to_string()} value={progress.done.to_string()} />
                { format!("{} of {} images embedded{}", progress.done, progress.total,
                    if progress.paused { " (paused)" } else if progress.running { "…" } else { "" }) }
                if progress.running || progress.paused || progress.done < progress.total {
                <button id="pause-predictions" onclick={pause}
                    title="Pause or resume the background work; what is done stays done">
                    { if progress.paused { "Resume" } else { "Pause" } }
                </button>
                }
            </p>
        }
    };
    html! {
        <section class="folder-panel models-panel" id="models-panel" aria-label="Model packs">
            <header>
                <h2>{ "Model packs" }</h2>
                <span class="note">
                    { "A pack is a folder with pack.toml, an image encoder and an optional score head (see models/README.md). Put packs in " }
                    <code id="packs-dir">{ &predictor.packs_dir }</code>{ "." }
                </span>
                <button class="dismiss" onclick={close} title="Close (Escape)">{ "×" }</button>
            </header>
            { status }
            if predictor.packs.is_empty() {
                <p class="note">{ "No pack found." }</p>
            }
            <ul class="pack-list">
                { for predictor.packs.iter().map(|p| pack_row(p, predictor.active.as_deref() == Some(p.id.as_str()), &choose)) }
            </ul>
            if crate::transport::desktop() {
                <super::PackInstall />
            }
        </section>
    }
}

fn pack_row(pack: &PackInfo, active: bool, choose: &Callback<String>) -> Html {
    let id = pack.id.clone();
    let what = if pack.has_head {
        "embeddings and predicted scores"
    } else {
        "embeddings only (no score head)"
    };
    html! {
        <li class={classes!("pack", active.then_some("active"))} data-pack={pack.id.clone()}>
            <span class="pack-name">{ &pack.name }</span>
            <span class="note">{ format!("{} · {what}", pack.id) }</span>
            if let Some(problem) = &pack.problem {
                <span class="warn">{ problem }</span>
            }
            if active {
                <span class="active-mark">{ "Active" }</span>
            } else {
                <button class="use-pack" disabled={pack.problem.is_some()}
                    onclick={choose.reform(move |_| id.clone())}>{ "Use" }</button>
            }
        </li>
    }
}
