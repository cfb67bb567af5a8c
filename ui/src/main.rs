//! The wasm entry point: chooses the transport (the desktop window's, or HTTP in a browser on
//! the local network) and mounts the app into the page body.

use image_scorer_ui::transport::{self, HttpTransport, TauriTransport};
use std::rc::Rc;

fn main() {
    if transport::in_tauri() {
        transport::install(Rc::new(TauriTransport));
        yew::Renderer::<image_scorer_ui::App>::new().render();
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        match HttpTransport::pair().await {
            Ok(http) => {
                transport::install(Rc::new(http));
                yew::Renderer::<image_scorer_ui::App>::new().render();
            }
            Err(e) => image_scorer_ui::unpaired(&e.message),
        }
    });
}
