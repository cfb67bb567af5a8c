//! The wasm entry point: mounts the app into the page body.

fn main() {
    yew::Renderer::<image_scorer_ui::App>::new().render();
}
