//! The wasm entry point: chooses the transport and mounts the app into the page body.

fn main() {
    // The desktop window; a tablet's browser will get the HTTP transport here.
    image_scorer_ui::transport::install(std::rc::Rc::new(
        image_scorer_ui::transport::TauriTransport,
    ));
    yew::Renderer::<image_scorer_ui::App>::new().render();
}
