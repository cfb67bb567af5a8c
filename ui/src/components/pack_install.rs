//! Installing a model pack from the Model packs panel: from a folder or a .zip (the desktop's
//! file picker) or from a .zip at a URL with its SHA-256 (downloaded with resume: installing
//! again after an interruption goes on where it stopped). Progress comes with the predictor's
//! state; the outcome is said under the buttons.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::InstallPack;
use image_scorer_protocol::PackFrom;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Where a pack such as CLIP ViT-L/14 with the LAION aesthetic head can be had (docs).
const WHERE: &str = "A pack for CLIP ViT-L/14 with the LAION aesthetic head, how to make one and where one can be had: models/README.md.";

/// The "Install a pack" part of the Model packs panel.
#[function_component]
pub fn PackInstall() -> Html {
    let app = use_app();
    let outcome = use_state(|| None::<Result<String, String>>);
    let busy = use_state(|| false);
    let url = use_node_ref();
    let sha256 = use_node_ref();
    let install = {
        let (model, outcome, busy) = (app.model.clone(), outcome.clone(), busy.clone());
        let (url, sha256) = (url.clone(), sha256.clone());
        Callback::from(move |from: Option<PackFrom>| {
            let from = match from {
                Some(from) => from,
                None => {
                    let value = |r: &NodeRef| {
                        r.cast::<HtmlInputElement>()
                            .map(|i| i.value().trim().to_owned())
                            .unwrap_or_default()
                    };
                    let (address, sum) = (value(&url), value(&sha256));
                    if address.is_empty() {
                        outcome.set(Some(Err(
                            "Type the address of the pack's .zip first.".into()
                        )));
                        return;
                    }
                    PackFrom::Url {
                        url: address,
                        sha256: (!sum.is_empty()).then_some(sum),
                    }
                }
            };
            let (model, outcome, busy) = (model.clone(), outcome.clone(), busy.clone());
            busy.set(true);
            outcome.set(None);
            spawn_local(async move {
                match api::call(InstallPack { from }).await {
                    Ok(Some(pack)) => outcome.set(Some(Ok(format!(
                        "Installed “{}” ({}); choose it with Use.",
                        pack.name, pack.id
                    )))),
                    Ok(None) => {}
                    Err(e) => outcome.set(Some(Err(e.message))),
                }
                busy.set(false);
                if let Ok(p) = api::call(image_scorer_protocol::commands::GetPredictor {}).await {
                    model.dispatch(Action::Predictor(p));
                }
            });
        })
    };
    let installing = app.model.predictor.installing;
    let disabled = *busy || installing.is_some();
    html! {
        <section class="pack-install" id="pack-install" aria-label="Install a pack">
            <h3>{ "Install a pack" }</h3>
            <div class="pack-install-row">
                <button id="install-folder" {disabled} onclick={install.reform(|_| Some(PackFrom::Folder))}
                    title="A folder with pack.toml and its models">{ "From a folder…" }</button>
                <button id="install-zip" {disabled} onclick={install.reform(|_| Some(PackFrom::Zip))}
                    title="A .zip of such a folder">{ "From a .zip…" }</button>
            </div>
            <div class="pack-install-row">
                <input id="install-url" ref={url} type="text" placeholder="https://…/pack.zip" aria-label="The pack's address" />
                <input id="install-sha256" ref={sha256} type="text" placeholder="SHA-256 (optional)" aria-label="Its SHA-256" />
                <button id="install-url-button" {disabled} onclick={install.reform(|_| None)}>{ "Download and install" }</button>
            </div>
            if let Some(p) = installing {
                <p class="note" id="install-progress">
                    <progress max={p.total_kib.unwrap_or(0).max(1).to_string()} value={p.done_kib.to_string()} />
                    { match p.total_kib {
                        Some(t) => format!("Installing: {:.1} of {:.1} MB", f64::from(p.done_kib) / 1024.0, f64::from(t) / 1024.0),
                        None => format!("Installing: {:.1} MB", f64::from(p.done_kib) / 1024.0),
                    } }
                </p>
            }
            { match &*outcome {
                Some(Ok(m)) => html! { <p class="note" id="install-outcome">{ m }</p> },
                Some(Err(m)) => html! { <p class="warn" id="install-outcome">{ m }</p> },
                None => html! {},
            } }
            <p class="note">{ WHERE }</p>
        </section>
    }
}
