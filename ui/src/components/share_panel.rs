//! Sharing the library with a tablet or phone on the local network (the desktop window only):
//! Start listens with a new pairing and shows its QR code and address; Stop ends it and every
//! device's session. The devices paired (each with its own credential and rater) are listed,
//! each with Unpair; they and the number following are read again every two seconds.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetSharing, StartSharing, StopSharing, UnpairDevice};
use image_scorer_protocol::{PairedDevice, SharingState};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How often the open panel asks again (devices come and go).
const REFRESH_MS: u32 = 2000;

/// A panel under the header (Ctrl+Shift+S; Escape closes).
#[function_component]
pub fn SharePanel() -> Html {
    let app = use_app();
    let state = use_state(SharingState::default);
    let busy = use_state(|| false);
    {
        let state = state.clone();
        let model = app.model.clone();
        use_effect_with((), move |_| {
            let alive = std::rc::Rc::new(std::cell::Cell::new(true));
            let running = alive.clone();
            spawn_local(async move {
                while running.get() {
                    match api::call(GetSharing {}).await {
                        Ok(s) => state.set(s),
                        Err(e) => {
                            model.dispatch(Action::Failed(e));
                            break;
                        }
                    }
                    gloo_timers::future::TimeoutFuture::new(REFRESH_MS).await;
                }
            });
            move || alive.set(false)
        });
    }
    let toggle = {
        let state = state.clone();
        let busy = busy.clone();
        let model = app.model.clone();
        let running = state.running;
        Callback::from(move |_| {
            let (state, busy, model) = (state.clone(), busy.clone(), model.clone());
            busy.set(true);
            spawn_local(async move {
                let answer = if running {
                    api::call(StopSharing {}).await
                } else {
                    api::call(StartSharing {}).await
                };
                match answer {
                    Ok(s) => state.set(s),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
                busy.set(false);
            });
        })
    };
    let close = {
        let model = app.model.clone();
        Callback::from(move |_| model.dispatch(Action::ShowShare(false)))
    };
    let body = match (&state.url, &state.qr_svg) {
        (Some(url), Some(svg)) if state.running => html! {
            <div class="share-code">
                <div class="share-qr" id="share-qr">
                    // The app's own SVG (drawn by the QR crate from the address), not page input.
                    { Html::from_html_unchecked(AttrValue::from(svg.clone())) }
                </div>
                <div class="share-text">
                    <p>{ "Scan the code with the tablet's camera, or open this address in its browser:" }</p>
                    <p><code id="share-url">{ url }</code></p>
                    <p class="note" id="share-devices">{ match (state.paired.len(), state.devices) {
                        (0, 0) => "No device paired yet.".to_owned(),
                        (1, open) => format!("1 device paired, {open} open now."),
                        (paired, open) => format!("{paired} devices paired, {open} open now."),
                    } }</p>
                    <PairedList devices={state.paired.clone()} on_changed={
                        let state = state.clone();
                        Callback::from(move |s: SharingState| state.set(s))
                    } />
                    <p class="note">{ "Each device chooses its rater once and acts only as that rater; its judgements go into this library's log. Unpair a device to stop it (it may then pair again as someone else); Stop ends every device's session." }</p>
                </div>
            </div>
        },
        _ => html! {
            <p class="note">{ "Rate from a tablet or phone on this network: Start shows a code to scan. Nothing listens on the network until then." }</p>
        },
    };
    html! {
        <section class="folder-panel share-panel" id="share-panel" aria-label="Share with a tablet">
            <header>
                <h2>{ "Share with a tablet" }</h2>
                <button id="share-toggle" class={classes!(if state.running { "" } else { "primary" })}
                    disabled={*busy} onclick={toggle}>
                    { if state.running { "Stop sharing" } else { "Start sharing" } }
                </button>
                <button class="dismiss" onclick={close} title="Close (Escape)">{ "×" }</button>
            </header>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct PairedListProps {
    devices: Vec<PairedDevice>,
    /// The door's state after an unpairing.
    on_changed: Callback<SharingState>,
}

/// The paired devices, each with the rater it acts as and an Unpair button.
#[function_component]
fn PairedList(props: &PairedListProps) -> Html {
    let app = use_app();
    if props.devices.is_empty() {
        return html! {};
    }
    let rows = props.devices.iter().map(|d| {
        let unpair = {
            let (model, on_changed, device) = (app.model.clone(), props.on_changed.clone(), d.id);
            Callback::from(move |_| {
                let (model, on_changed) = (model.clone(), on_changed.clone());
                spawn_local(async move {
                    match api::call(UnpairDevice { device }).await {
                        Ok(s) => on_changed.emit(s),
                        Err(e) => model.dispatch(Action::Failed(e)),
                    }
                });
            })
        };
        let rater = match &d.rater {
            Some(r) => format!("rates as {r}"),
            None => "no rater chosen yet".to_owned(),
        };
        let ago = match d.paired_s_ago / 60 {
            0 => "paired just now".to_owned(),
            1 => "paired 1 minute ago".to_owned(),
            m => format!("paired {m} minutes ago"),
        };
        html! {
            <li key={d.id} id={format!("paired-{}", d.id)}>
                <span class="paired-label">{ &d.label }</span>
                <span class="note">{ format!(" · {rater} · {ago} ") }</span>
                <button id={format!("unpair-{}", d.id)} onclick={unpair}>{ "Unpair" }</button>
            </li>
        }
    });
    html! { <ul class="paired-devices" id="share-paired">{ for rows }</ul> }
}
