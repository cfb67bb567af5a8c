//! The Image Scorer user interface: a Yew app compiled to wasm32 and shown in the Tauri webview.
//!
//! [`App`] is exported so the browser tests can mount it over a stub [`transport`].

pub mod api;
pub mod app;
pub mod components;
pub mod gestures;
pub mod hooks;
pub mod keys;
pub mod pages;
pub mod route;
pub mod state;
pub mod transport;

pub use app::App;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Shows `message` instead of the app: a browser that is not paired with the desktop (or no
/// longer) can do nothing else.
pub fn unpaired(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    body.set_inner_html("");
    if let Ok(notice) = document.create_element("main") {
        notice.set_id("unpaired");
        notice.set_class_name("unpaired");
        notice.set_text_content(Some(message));
        let _ = body.append_child(&notice);
    }
}
