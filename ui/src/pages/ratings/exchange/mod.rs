//! Exports in the formats trainers read ([`export`]), imports (the old tool's `ratings.db`,
//! another machine's JSONL export), the rater's own model, and renaming a rater ([`rename`]).
//! The files are chosen in the system dialog the app shows; what each did is shown below
//! ([`outcome`]).

mod export;
mod outcome;
mod rename;

use super::raters;
use crate::api;
use crate::state::{use_app, Action, Model};
use export::ExportForm;
use image_scorer_protocol::commands::{Export, ExportOwnModel, GetRater, ImportRatings};
use image_scorer_protocol::Command;
use outcome::Outcome;
use rename::RenameForm;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The export and import view.
#[function_component]
pub fn Exchange() -> Html {
    let app = use_app();
    let outcome = use_state(|| None::<Outcome>);
    let export = {
        let (outcome, model) = (outcome.clone(), app.model.clone());
        Callback::from(move |options| {
            let request = Export { options };
            run(request, "Exporting…", &outcome, &model, Outcome::Exported);
        })
    };
    let export_model = {
        let (outcome, model) = (outcome.clone(), app.model.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ExportOwnModel {
                rater: model.rater.name.clone(),
            };
            let working = "Exporting your model…";
            run(request, working, &outcome, &model, Outcome::ModelExported);
        })
    };
    let import = {
        let (outcome, model) = (outcome.clone(), app.model.clone());
        Callback::from(move |_: MouseEvent| {
            run(
                ImportRatings {},
                "Importing…",
                &outcome,
                &model,
                Outcome::Imported,
            );
        })
    };
    html! {
        <div class="exchange-view" id="exchange-view">
            <section class="export">
                <ExportForm on_export={export} />
                <h2>{ "Your own model" }</h2>
                <p class="note">{ "The model of your scores the app learns as you rate, as an ONNX head (embedding in, score out) that a model pack can use and other tools can run, with its weights as .npy (a PyTorch nn.Linear's weight and bias)." }</p>
                <p><button id="export-own-model" onclick={export_model}>{ "Export my model…" }</button></p>
            </section>
            <section class="import">
                <h2>{ "Import" }</h2>
                <p class="note">{ "The old tool's ratings.db, or an Image Scorer JSONL export (scores or comparisons) from another machine. Importing a file again adds nothing." }</p>
                <p><button id="import-button" onclick={import}>{ "Import ratings…" }</button></p>
                <RenameForm />
            </section>
            <section class="outcome" id="exchange-outcome" aria-live="polite">
                { outcome::view(outcome.as_ref()) }
            </section>
        </div>
    }
}

/// Sends a command that shows a file dialog, saying `working` meanwhile, then what it did
/// (`shown`); nothing when the person cancelled the dialog. After an import the raters are
/// asked for again: new ones may have come with it.
fn run<C, T>(
    request: C,
    working: &'static str,
    outcome: &UseStateHandle<Option<Outcome>>,
    model: &UseReducerHandle<Model>,
    shown: fn(T) -> Outcome,
) where
    C: Command<Response = Option<T>>,
    T: 'static,
{
    let (outcome, model) = (outcome.clone(), model.clone());
    outcome.set(Some(Outcome::Working(working)));
    spawn_local(async move {
        match api::call(request).await {
            Ok(Some(done)) => {
                let done = shown(done);
                let imported = matches!(done, Outcome::Imported(_));
                outcome.set(Some(done));
                if imported {
                    if let Ok(rater) = api::call(GetRater {}).await {
                        model.dispatch(Action::RaterChanged(rater));
                    }
                }
            }
            Ok(None) => outcome.set(None),
            Err(e) => {
                outcome.set(None);
                model.dispatch(Action::Failed(e));
            }
        }
    });
}
