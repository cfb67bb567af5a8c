//! The model pack's chip in the header: the active pack, the background job's progress while
//! it predicts, or why there are no predictions; a click opens the Model packs panel.

use crate::state::{use_app, Action};
use yew::prelude::*;

/// The chip.
#[function_component]
pub fn ModelChip() -> Html {
    let app = use_app();
    let model = &*app.model;
    if !model.loaded {
        return html! {};
    }
    let open = {
        let model = app.model.clone();
        let shown = model.models_panel;
        Callback::from(move |_| model.dispatch(Action::ShowModels(!shown)))
    };
    let predictor = &model.predictor;
    if let Some(problem) = &predictor.problem {
        return html! {
            <button id="model-chip" class="plain model-chip off" onclick={open} title={format!("{problem} (Ctrl+M)")}>
                { "No predictions" }
            </button>
        };
    }
    let name = predictor
        .active
        .as_ref()
        .and_then(|id| predictor.packs.iter().find(|p| &p.id == id))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let progress = predictor.progress;
    let left = progress.done < progress.total;
    let percent = u64::from(progress.done) * 100 / u64::from(progress.total.max(1));
    let (text, title) = if progress.running && left {
        (
            format!("Predicting {percent}%"),
            format!(
                "Predicting {} / {} with {name} (Ctrl+M)",
                progress.done, progress.total
            ),
        )
    } else if progress.paused && left {
        (
            format!("Paused {percent}%"),
            format!(
                "Predictions paused at {} / {} with {name}; Ctrl+M to resume",
                progress.done, progress.total
            ),
        )
    } else {
        (name.clone(), format!("Model pack: {name} (Ctrl+M)"))
    };
    html! {
        <button id="model-chip" class={classes!("plain", "model-chip", (progress.running && left).then_some("running"))}
            onclick={open} {title}>{ text }</button>
    }
}
