//! Touch sizes for a touch screen: the page is marked `touch` (on the root element) from the
//! first touch or pen on it, and the style sheet then makes every control a finger's size, as it
//! does for a browser whose main pointer is coarse. A laptop's touch screen used once keeps
//! them: sizes that change back and forth under the hand would be worse.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::PointerEvent;
use yew::prelude::*;

/// The class on the root element that turns on touch sizes.
pub const TOUCH_CLASS: &str = "touch";

/// Marks the page `touch` at the first touch or pen while the component is mounted.
#[hook]
pub fn use_touch_mode() {
    use_effect_with((), |_| {
        let listener = Closure::<dyn Fn(PointerEvent)>::new(|event: PointerEvent| {
            if crate::gestures::Pointer::of(&event.pointer_type())
                == crate::gestures::Pointer::Touch
            {
                mark_touch();
            }
        });
        let window = web_sys::window().expect("a window");
        let _ = window.add_event_listener_with_callback_and_bool(
            "pointerdown",
            listener.as_ref().unchecked_ref(),
            true,
        );
        move || {
            let _ = window.remove_event_listener_with_callback_and_bool(
                "pointerdown",
                listener.as_ref().unchecked_ref(),
                true,
            );
        }
    });
}

/// Turns on touch sizes.
pub fn mark_touch() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.class_list().add_1(TOUCH_CLASS);
    }
}
