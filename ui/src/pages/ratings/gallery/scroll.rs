//! The gallery's scrolling box: what part of the grid it shows (measured after each draw, on
//! scroll and on resize), and scrolling a tile's row into view.

use super::grid::Viewport;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// The part of the grid the box `scroller` shows, and the callback that measures it again
/// (for its `onscroll`).
#[hook]
pub fn use_viewport(scroller: &NodeRef) -> (Viewport, Callback<()>) {
    let viewport = use_state(Viewport::default);
    let measure = {
        let scroller = scroller.clone();
        let viewport = viewport.clone();
        Callback::from(move |_: ()| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                // Never more than the window shows, whatever the box claims.
                let window_height = web_sys::window()
                    .and_then(|w| w.inner_height().ok())
                    .and_then(|h| h.as_f64())
                    .unwrap_or(f64::MAX);
                let now = Viewport {
                    top: f64::from(el.scroll_top()),
                    height: f64::from(el.client_height()).min(window_height),
                    width: f64::from(el.client_width()),
                };
                if now != *viewport {
                    viewport.set(now);
                }
            }
        })
    };
    {
        let measure = measure.clone();
        use_effect(move || {
            measure.emit(());
        });
    }
    {
        let measure = measure.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || measure.emit(()));
            let window = web_sys::window().expect("a window");
            let _ = window
                .add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "resize",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }
    (*viewport, measure)
}

/// Scrolls `scroller`, which shows `viewport` of `total` tiles, so that the row of `position`
/// is in view.
pub fn scroll_into_view(scroller: &NodeRef, viewport: Viewport, position: u32, total: u32) {
    if let Some(el) = scroller.cast::<HtmlElement>() {
        let top = viewport.scrolled_to(position, total);
        if (top - viewport.top).abs() > 0.5 {
            el.set_scroll_top(top as i32);
        }
    }
}

/// Scrolls `scroller` back to the top.
pub fn scroll_to_top(scroller: &NodeRef) {
    if let Some(el) = scroller.cast::<HtmlElement>() {
        el.set_scroll_top(0);
    }
}
