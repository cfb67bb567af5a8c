//! Exports in the formats trainers read, imports (the old tool's `ratings.db`, another
//! machine's JSONL export), and renaming a rater. The files are chosen in the system dialog
//! the app shows.

use super::raters::RaterChoice;
use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{Export, ExportOwnModel, ImportRatings, RenameRater};
use image_scorer_protocol::text::{count, count_is};
use image_scorer_protocol::{
    ExportFormat, ExportOptions, ExportSummary, ImportReport, OwnModelExported, PathStyle,
    ScoreMode, Skipped,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the last export or import said.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Exported(ExportSummary),
    Imported(ImportReport),
    ModelExported(OwnModelExported),
    Working(&'static str),
}

fn skipped(list: &[Skipped], verb: &str) -> Html {
    html! {
        <ul class="skipped">
            { for list.iter().map(|s| html! { <li>{ format!("{verb} {}: {}", s.count, s.reason) }</li> }) }
        </ul>
    }
}

/// The export and import view.
#[function_component]
pub fn Exchange() -> Html {
    let app = use_app();
    let options = use_state(ExportOptions::default);
    let outcome = use_state(|| None::<Outcome>);
    let rename_from = use_state(String::new);
    let rename_to = use_state(String::new);
    let set = |edit: fn(&mut ExportOptions)| {
        let options = options.clone();
        Callback::from(move |_: Event| {
            let mut next = (*options).clone();
            edit(&mut next);
            options.set(next);
        })
    };
    let export_model = {
        let (outcome, model) = (outcome.clone(), app.model.clone());
        Callback::from(move |_: MouseEvent| {
            let (outcome, model) = (outcome.clone(), model.clone());
            let rater = model.rater.name.clone();
            outcome.set(Some(Outcome::Working("Exporting your model…")));
            spawn_local(async move {
                match api::call(ExportOwnModel { rater }).await {
                    Ok(Some(exported)) => outcome.set(Some(Outcome::ModelExported(exported))),
                    Ok(None) => outcome.set(None),
                    Err(e) => {
                        outcome.set(None);
                        model.dispatch(Action::Failed(e));
                    }
                }
            });
        })
    };
    let export = {
        let (options, outcome, model) = (options.clone(), outcome.clone(), app.model.clone());
        Callback::from(move |_: MouseEvent| {
            let (options, outcome, model) = ((*options).clone(), outcome.clone(), model.clone());
            outcome.set(Some(Outcome::Working("Exporting…")));
            spawn_local(async move {
                match api::call(Export { options }).await {
                    Ok(Some(summary)) => outcome.set(Some(Outcome::Exported(summary))),
                    Ok(None) => outcome.set(None),
                    Err(e) => {
                        outcome.set(None);
                        model.dispatch(Action::Failed(e));
                    }
                }
            });
        })
    };
    let import = {
        let (outcome, model) = (outcome.clone(), app.model.clone());
        Callback::from(move |_: MouseEvent| {
            let (outcome, model) = (outcome.clone(), model.clone());
            outcome.set(Some(Outcome::Working("Importing…")));
            spawn_local(async move {
                match api::call(ImportRatings {}).await {
                    Ok(Some(report)) => {
                        outcome.set(Some(Outcome::Imported(report)));
                        // New raters may have come with it.
                        if let Ok(rater) =
                            api::call(image_scorer_protocol::commands::GetRater {}).await
                        {
                            model.dispatch(Action::RaterChanged(rater));
                        }
                    }
                    Ok(None) => outcome.set(None),
                    Err(e) => {
                        outcome.set(None);
                        model.dispatch(Action::Failed(e));
                    }
                }
            });
        })
    };
    let rename = {
        let (from, to, model) = (rename_from.clone(), rename_to.clone(), app.model.clone());
        let current = app.model.rater.name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let from_name = if from.is_empty() {
                current.clone()
            } else {
                (*from).clone()
            };
            let (to, model) = (to.clone(), model.clone());
            spawn_local(async move {
                match api::call(RenameRater {
                    from: from_name,
                    to: (*to).clone(),
                })
                .await
                {
                    Ok(rater) => {
                        to.set(String::new());
                        model.dispatch(Action::RaterChanged(rater));
                    }
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let o = &*options;
    let format_choice = {
        let options = options.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Some(format) = ExportFormat::parse(&select.value()) {
                    options.set(ExportOptions {
                        format,
                        ..(*options).clone()
                    });
                }
            }
        })
    };
    let on_raters = {
        let options = options.clone();
        Callback::from(move |raters: Vec<String>| {
            options.set(ExportOptions {
                raters,
                ..(*options).clone()
            })
        })
    };
    let tables = !matches!(o.format, ExportFormat::Comparisons);
    html! {
        <div class="exchange-view" id="exchange-view">
            <section class="export">
                <h2>{ "Export" }</h2>
                <label>{ "Format " }
                    <select id="export-format" onchange={format_choice}>
                        { for ExportFormat::ALL.iter().map(|f| html! {
                            <option value={f.as_str()} selected={*f == o.format}>{ f.label() }</option>
                        }) }
                    </select>
                </label>
                <RaterChoice chosen={o.raters.clone()} on_change={on_raters} />
                if tables {
                    <fieldset>
                        <legend>{ "Score" }</legend>
                        <label><input type="radio" name="mode" id="export-mean" checked={o.mode == ScoreMode::Mean}
                            onchange={set(|o| o.mode = ScoreMode::Mean)} />{ "the mean over the raters" }</label>
                        <label><input type="radio" name="mode" id="export-per-rater" checked={o.mode == ScoreMode::PerRater}
                            onchange={set(|o| o.mode = ScoreMode::PerRater)} />{ "each rater's own (a row per rater)" }</label>
                    </fieldset>
                }
                <fieldset>
                    <legend>{ "Paths" }</legend>
                    <label><input type="radio" name="paths" id="export-absolute" checked={o.paths == PathStyle::Absolute}
                        onchange={set(|o| o.paths = PathStyle::Absolute)} />{ "full" }</label>
                    <label><input type="radio" name="paths" id="export-relative" checked={o.paths == PathStyle::Relative}
                        onchange={set(|o| o.paths = PathStyle::Relative)} />{ "below the folder" }</label>
                </fieldset>
                if tables {
                    <label><input type="checkbox" id="export-duplicates" checked={o.include_duplicates}
                        onchange={set(|o| o.include_duplicates = !o.include_duplicates)} />{ "include images marked as duplicates" }</label>
                }
                <p><button class="primary" id="export-button" onclick={export}>{ "Export…" }</button></p>
                <h2>{ "Your own model" }</h2>
                <p class="note">{ "The model of your scores the app learns as you rate, as an ONNX head (embedding in, score out) that a model pack can use and other tools can run, with its weights as .npy (a PyTorch nn.Linear's weight and bias)." }</p>
                <p><button id="export-own-model" onclick={export_model}>{ "Export my model…" }</button></p>
            </section>
            <section class="import">
                <h2>{ "Import" }</h2>
                <p class="note">{ "The old tool's ratings.db, or an Image Scorer JSONL export (scores or comparisons) from another machine. Importing a file again adds nothing." }</p>
                <p><button id="import-button" onclick={import}>{ "Import ratings…" }</button></p>
                <h2>{ "Rename a rater" }</h2>
                <form class="rename" onsubmit={rename}>
                    <select id="rename-from" onchange={{
                        let from = rename_from.clone();
                        Callback::from(move |e: Event| if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() { from.set(s.value()) })
                    }}>
                        { for app.model.rater.all.iter().map(|r| html! {
                            <option value={r.clone()} selected={*r == if rename_from.is_empty() { app.model.rater.name.clone() } else { (*rename_from).clone() }}>{ r.clone() }</option>
                        }) }
                    </select>
                    <input id="rename-to" placeholder="new name" value={(*rename_to).clone()} oninput={{
                        let to = rename_to.clone();
                        Callback::from(move |e: InputEvent| if let Some(i) = e.target_dyn_into::<HtmlInputElement>() { to.set(i.value()) })
                    }} />
                    <button type="submit" disabled={rename_to.trim().is_empty()}>{ "Rename" }</button>
                </form>
            </section>
            <section class="outcome" id="exchange-outcome" aria-live="polite">
                { match &*outcome {
                    None => html! {},
                    Some(Outcome::Working(what)) => html! { <p class="note">{ *what }</p> },
                    Some(Outcome::Exported(s)) => html! {
                        <>
                            <p id="export-summary">{ format!("{} written to {}", count(s.rows, "row", "rows"), s.files.join(", ")) }</p>
                            { skipped(&s.skipped, "left out") }
                        </>
                    },
                    Some(Outcome::ModelExported(m)) => html! {
                        <p id="own-model-summary">{ format!("Your model from {} written to {} (input “{}”, output “{}”{}).",
                            count(m.ratings, "score", "scores"), m.files.join(", "), m.input, m.output,
                            if m.over_head { ", the pack's head plus your difference from it" } else { "" }) }</p>
                    },
                    Some(Outcome::Imported(r)) => html! {
                        <>
                            <p id="import-summary">{ format!("{}: {} and {} added{}{}", r.source, count(r.scores, "score", "scores"), count(r.comparisons, "comparison", "comparisons"),
                                if r.raters.is_empty() { String::new() } else { format!(" by {}", r.raters.join(", ")) },
                                if r.already > 0 { format!("; {} already here", r.already) } else { String::new() }) }</p>
                            if r.absent_images > 0 {
                                <p class="note">{ format!("{} not in the library yet: their judgements attach when a file with their content appears.", count_is(r.absent_images, "image", "images")) }</p>
                            }
                            { skipped(&r.skipped, "skipped") }
                        </>
                    },
                } }
            </section>
        </div>
    }
}
