//! The browser tests' DOM helpers: wait for elements, read them, click, press keys.

use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

pub async fn sleep(ms: i32) {
    gloo_timers::future::TimeoutFuture::new(ms.max(0) as u32).await;
}

/// Waits (up to 3 s) for an element matching `css` inside `root` whose text contains `text`.
pub async fn find(root: &Element, css: &str, text: &str) -> Element {
    let deadline = js_sys::Date::now() + Duration::from_secs(3).as_millis() as f64;
    loop {
        if let Some(el) = root.query_selector(css).unwrap() {
            if el.text_content().unwrap_or_default().contains(text) {
                return el;
            }
        }
        assert!(
            js_sys::Date::now() < deadline,
            "no {css} containing {text:?}; page: {}",
            root.inner_html()
        );
        sleep(20).await;
    }
}

/// Waits (up to 3 s) for exactly `n` elements matching `css` inside `root`.
pub async fn count(root: &Element, css: &str, n: u32) {
    let deadline = js_sys::Date::now() + Duration::from_secs(3).as_millis() as f64;
    loop {
        let found = root.query_selector_all(css).unwrap().length();
        if found == n {
            return;
        }
        assert!(
            js_sys::Date::now() < deadline,
            "{found} of {css}, not {n}; page: {}",
            root.inner_html()
        );
        sleep(20).await;
    }
}

pub fn press_alt(digit: char) {
    let init = KeyboardEventInit::new();
    init.set_key(&digit.to_string());
    init.set_code(&format!("Digit{digit}"));
    init.set_alt_key(true);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

pub fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().unwrap().click();
}

pub fn press(key: &str, ctrl: bool, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

pub fn press_key(key: &str, code: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_code(code);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

pub const PREDICTOR: &str = r#"{"problem":null,"packs":[
    {"id":"packs/clip","name":"CLIP + LAION","source":"packs","has_head":true,"problem":null},
    {"id":"packs/effnet","name":"EfficientNet","source":"packs","has_head":false,"problem":null}],
    "active":"packs/clip","predicts":true,"packs_dir":"/data/packs",
    "progress":{"done":1,"total":3,"running":true,"paused":false}}"#;

/// The text of the element matching `css` inside `root` ("" when there is none).
pub fn text(root: &Element, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .and_then(|el| el.text_content())
        .unwrap_or_default()
}

pub fn attribute(root: &Element, css: &str, name: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .and_then(|e| e.get_attribute(name))
        .unwrap_or_default()
}

/// Goes to the page at `hash` (as `#/rate`), as a link would.
pub fn go_to(hash: &str) {
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(hash)
        .unwrap();
}

/// A pointer event of `kind` ("touch", "mouse") for pointer `id` at (x, y), bubbling as the
/// browser's own do.
pub fn pointer(el: &Element, event: &str, kind: &str, id: i32, x: f64, y: f64) {
    let init = web_sys::PointerEventInit::new();
    init.set_pointer_id(id);
    init.set_pointer_type(kind);
    init.set_is_primary(id == 1);
    init.set_client_x(x as i32);
    init.set_client_y(y as i32);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::PointerEvent::new_with_event_init_dict(event, &init).unwrap();
    el.dispatch_event(&event).unwrap();
}

/// The middle of an element on screen.
pub fn middle(el: &Element) -> (f64, f64) {
    let r = el.get_bounding_client_rect();
    (r.x() + r.width() / 2.0, r.y() + r.height() / 2.0)
}

/// A stroke of pointer 1 of `kind` across `el`, `dx` CSS pixels sideways from its middle, in
/// four moves.
pub fn stroke(el: &Element, kind: &str, dx: f64) {
    let (x, y) = middle(el);
    pointer(el, "pointerdown", kind, 1, x, y);
    for k in 1..=4 {
        pointer(el, "pointermove", kind, 1, x + dx * f64::from(k) / 4.0, y);
    }
    pointer(el, "pointerup", kind, 1, x + dx, y);
}

/// A finger's tap on the middle of `el`.
pub fn tap(el: &Element) {
    stroke(el, "touch", 0.0);
}

/// Two fingers on `el`, 40 px apart, moved to `to` px apart.
pub fn pinch(el: &Element, to: f64) {
    let (x, y) = middle(el);
    pointer(el, "pointerdown", "touch", 1, x - 20.0, y);
    pointer(el, "pointerdown", "touch", 2, x + 20.0, y);
    pointer(el, "pointermove", "touch", 2, x - 20.0 + to, y);
    pointer(el, "pointerup", "touch", 2, x - 20.0 + to, y);
    pointer(el, "pointerup", "touch", 1, x - 20.0, y);
}
