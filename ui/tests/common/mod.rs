//! What the browser tests share: a stub of `window.__TAURI__` that answers like the app, and
//! helpers to mount the App, wait for elements and press keys.
#![allow(dead_code)] // each test binary uses its own subset

use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

#[wasm_bindgen(inline_js = r#"
export function install_tauri_stub(state, chooseResult, chooseFails) {
  window.__calls = [];
  window.__TAURI__ = {
    core: {
      invoke: async (cmd, args) => {
        window.__calls.push(cmd);
        if (cmd === "get_state") return state;
        if (cmd === "set_excludes") {
          window.__lastArgs = JSON.stringify(args);
          return { roots: [{ id: args.rootId, path: "/data/My Photos", excludes: args.patterns }], counts: { ok: 1, unreadable: 0 } };
        }
        if (cmd === "remove_folder") {
          window.__lastArgs = JSON.stringify(args);
          return { roots: [], counts: { ok: 0, unreadable: 0 } };
        }
        if (cmd === "get_rater") return { name: "tester", all: ["tester"] };
        if (cmd === "set_rater") { window.__lastArgs = JSON.stringify(args); return { name: args.name, all: ["tester", args.name] }; }
        if (cmd === "score_queue") return window.__queue || { items: [], rated: 0, total: 0 };
        if (cmd === "score_state") {
          const total = window.__queue ? window.__queue.total : 0;
          const predicted = (window.__predicted || {})[args.sha1];
          return { sha1: args.sha1, mine: null, mean: null, raters: 0, predicted: predicted === undefined ? null : predicted, rated: (window.__scores || []).length, total };
        }
        if (cmd === "add_score") {
          window.__scores = (window.__scores || []).concat([args.sha1.slice(0, 1) + ":" + args.value]);
          return { sha1: args.sha1, mine: args.value, mean: args.value, raters: 1, rated: window.__scores.length, total: 3 };
        }
        if (cmd === "add_rating") {
          window.__lastArgs = JSON.stringify(args);
          window.__scores = (window.__scores || []).concat([args.sha1.slice(0, 1) + ":" + args.value + "/" + (args.predicted ?? null)]);
          return { sha1: args.sha1, mine: args.value, mean: args.value, raters: 1, predicted: args.predicted, rated: window.__scores.length, total: 3 };
        }
        if (cmd === "get_predictor") return window.__predictor || { problem: "No model pack is installed.", packs: [], active: null, predicts: false, packs_dir: "/data/packs", progress: { done: 0, total: 0, running: false, paused: false } };
        if (cmd === "set_pack") { window.__lastArgs = JSON.stringify(args); return window.__predictor; }
        if (cmd === "pause_predictions") { window.__lastArgs = JSON.stringify(args); return window.__predictor; }
        if (cmd === "image_failed") { window.__failed = (window.__failed || 0) + 1; return null; }
        if (cmd === "list_problems") return [{ folder: "/data/My Photos", name: "cut.jpg", error: "is a truncated JPG file" }];
        if (cmd === "list_images") return { images: window.__images || [], total: (window.__images || []).length };
        if (cmd === "choose_folder") {
          if (chooseFails) throw { kind: "not_found", message: "The folder “/gone” does not exist." };
          return chooseResult;
        }
        throw "unknown command " + cmd;
      },
    },
    event: {
      listen: async (event, handler) => {
        window.__handlers = window.__handlers || {};
        window.__handlers[event] = handler;
        return () => { delete window.__handlers[event]; };
      },
    },
  };
}
export function set_predictions(predicted, predictor) { window.__predicted = predicted; window.__predictor = predictor; }
export function emit(event, payload) { window.__handlers[event]({ event, id: 1, payload }); }
export function set_images(images) { window.__images = images; }
export function last_args() { return window.__lastArgs || ""; }
export function set_queue(q) {
  window.__queue = q;
  window.__scores = [];
  window.__IMAGE_SCORER_STAND_IN__ = q ? "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" : undefined;
}
export function break_images() { window.__IMAGE_SCORER_STAND_IN__ = "data:image/png;base64,AAAA"; window.__failed = 0; }
export function failed() { return window.__failed || 0; }
export function scores() { return (window.__scores || []).join(","); }
export function calls() { return window.__calls.join(","); }
"#)]
extern "C" {
    pub fn install_tauri_stub(state: JsValue, choose_result: JsValue, choose_fails: bool);
    pub fn emit(event: &str, payload: JsValue);
    pub fn set_images(images: JsValue);
    pub fn calls() -> String;
    pub fn set_queue(q: JsValue);
    pub fn scores() -> String;
    pub fn break_images();
    pub fn failed() -> u32;
    pub fn last_args() -> String;
    pub fn set_predictions(predicted: JsValue, predictor: JsValue);
}

pub fn json(s: &str) -> JsValue {
    js_sys::JSON::parse(s).unwrap()
}

pub const EMPTY: &str =
    r#"{"library":{"roots":[],"counts":{"ok":0,"unreadable":0}},"startup_errors":[]}"#;

pub const ONE_FOLDER: &str = r#"{"library":{"roots":[{"id":1,"path":"/data/My Photos","excludes":"*mask*"}],"counts":{"ok":12,"unreadable":3}},
    "startup_errors":[{"kind":"not_found","message":"The folder “/nope” does not exist."}]}"#;

/// Mounts a fresh App on the start page; returns its root element.
pub fn mount(
    state: &str,
    choose_result: &str,
    choose_fails: bool,
) -> (Element, yew::AppHandle<image_scorer_ui::App>) {
    install_tauri_stub(json(state), json(choose_result), choose_fails);
    let window = web_sys::window().unwrap();
    window.location().set_hash("#/").unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<image_scorer_ui::App>::with_root(root.clone()).render();
    (root, handle)
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
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

pub fn three_items() -> JsValue {
    let item = |c: char| {
        format!(
            r#"{{"sha1":"{}","name":"{c}.png"}}"#,
            c.to_string().repeat(40)
        )
    };
    json(&format!(
        r#"{{"items":[{},{},{}],"rated":0,"total":3}}"#,
        item('a'),
        item('b'),
        item('c')
    ))
}

pub fn attribute(root: &Element, css: &str, name: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .and_then(|e| e.get_attribute(name))
        .unwrap_or_default()
}
