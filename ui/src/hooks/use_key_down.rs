//! Listening to key presses on the whole window.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{KeyboardEvent, MouseEvent};
use yew::prelude::*;

/// Calls `on_key` for every `keydown` on the window while the component is mounted.
/// Key presses in text fields are left to the field.
#[hook]
pub fn use_key_down(on_key: Callback<KeyboardEvent>) {
    use_effect_with(on_key, |on_key| {
        let on_key = on_key.clone();
        let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            if !typing_in_a_field(&event) {
                on_key.emit(event);
            }
        });
        let window = web_sys::window().expect("a window");
        let _ =
            window.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        move || {
            let _ = window
                .remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
    });
}

/// Whether the key belongs to the focused control: typing in a field, or Enter / Space on a
/// button reached with Tab (which presses that button, and must not also act on the page).
fn typing_in_a_field(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
                || (el.tag_name() == "BUTTON" && matches!(event.key().as_str(), "Enter" | " "))
        })
}

/// For `onmousedown` of toolbar buttons: a click does not move the keyboard focus to the
/// button, so the page's keys keep working after a click (Space after clicking Skip skips once,
/// not twice).
pub fn keep_focus(event: MouseEvent) {
    event.prevent_default();
}
