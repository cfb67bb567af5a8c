//! The Image Scorer user interface: a Yew app compiled to wasm32 and shown in the Tauri webview.
//!
//! [`App`] is exported so the browser tests can mount it over a stub [`transport`].

pub mod api;
pub mod app;
pub mod components;
pub mod hooks;
pub mod keys;
pub mod pages;
pub mod route;
pub mod state;
pub mod transport;

pub use app::App;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
