//! The whole UI in headless Chromium, with `window.__TAURI__` replaced by a stub that answers
//! like the app: what the header shows, errors, keys, events and the folder button.

use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

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
    fn install_tauri_stub(state: JsValue, choose_result: JsValue, choose_fails: bool);
    fn emit(event: &str, payload: JsValue);
    fn set_images(images: JsValue);
    fn calls() -> String;
    fn set_queue(q: JsValue);
    fn scores() -> String;
    fn break_images();
    fn failed() -> u32;
    fn last_args() -> String;
    fn set_predictions(predicted: JsValue, predictor: JsValue);
}

fn json(s: &str) -> JsValue {
    js_sys::JSON::parse(s).unwrap()
}

const EMPTY: &str =
    r#"{"library":{"roots":[],"counts":{"ok":0,"unreadable":0}},"startup_errors":[]}"#;

const ONE_FOLDER: &str = r#"{"library":{"roots":[{"id":1,"path":"/data/My Photos","excludes":"*mask*"}],"counts":{"ok":12,"unreadable":3}},
    "startup_errors":[{"kind":"not_found","message":"The folder “/nope” does not exist."}]}"#;

/// Mounts a fresh App on the start page; returns its root element.
fn mount(
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

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (up to 3 s) for an element matching `css` inside `root` whose text contains `text`.
async fn find(root: &Element, css: &str, text: &str) -> Element {
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

fn press_alt(digit: char) {
    let init = KeyboardEventInit::new();
    init.set_key(&digit.to_string());
    init.set_code(&format!("Digit{digit}"));
    init.set_alt_key(true);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().unwrap().click();
}

#[wasm_bindgen_test]
async fn header_shows_the_folders_and_startup_errors_until_dismissed() {
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    let folder = find(&root, "#folders .folder", "My Photos").await;
    assert_eq!(
        folder.get_attribute("title").as_deref(),
        Some("/data/My Photos")
    );
    find(&root, "#errors .message", "“/nope” does not exist").await;
    click(&find(&root, "#errors .dismiss", "").await);
    sleep(50).await;
    assert!(
        root.query_selector("#errors").unwrap().is_none(),
        "error dismissed"
    );
    assert!(calls().contains("get_state"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn alt_digits_switch_pages_and_mark_the_nav_link() {
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    for (digit, slug, title) in [
        ('3', "preference", "Preference"),
        ('5', "ratings", "Ratings"),
        ('2', "rate", "Rate"),
        ('1', "score", "Score"),
    ] {
        press_alt(digit);
        find(&root, &format!("#page-{slug} h1"), title).await;
        find(&root, ".nav-link.active", title).await;
    }
    // A plain digit is a score key, never navigation.
    let init = KeyboardEventInit::new();
    init.set_key("3");
    init.set_code("Digit3");
    let plain = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&plain).unwrap();
    sleep(50).await;
    assert!(root.query_selector("#page-score").unwrap().is_some());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn library_changed_events_update_the_header() {
    let (root, handle) = mount(EMPTY, "null", false);
    find(&root, "#no-folders", "No folder open").await;
    find(&root, "#page-score .next", "open a folder").await;
    sleep(50).await; // let the subscription settle
    emit(
        "library-changed",
        json(
            r#"{"roots":[{"id":4,"path":"/srv/shoot","excludes":""},{"id":5,"path":"/srv/more","excludes":""}],"counts":{"ok":7,"unreadable":0}}"#,
        ),
    );
    find(&root, "#folders", "shoot").await;
    let names: Vec<_> = (0..root.query_selector_all("#folders .name").unwrap().length())
        .map(|i| {
            root.query_selector_all("#folders .name")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["shoot", "more"]);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn open_folder_button_adds_the_chosen_folder() {
    let (root, handle) = mount(
        EMPTY,
        r#"{"roots":[{"id":9,"path":"/mnt/new","excludes":""}],"counts":{"ok":0,"unreadable":0}}"#,
        false,
    );
    click(&find(&root, "#open-folder", "Open folder").await);
    find(&root, "#folders .name", "new").await;
    assert!(calls().ends_with("choose_folder") || calls().contains(",choose_folder"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_failing_open_shows_the_apps_error_and_keeps_the_page() {
    let (root, handle) = mount(EMPTY, "null", true);
    click(&find(&root, "#open-folder", "Open folder").await);
    find(&root, "#errors .message", "“/gone” does not exist").await;
    // The button is usable again.
    let button = find(&root, "#open-folder", "Open folder").await;
    assert!(!button.has_attribute("disabled"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn header_shows_counts_and_indexing_progress_live() {
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#image-count", "12 images").await;
    find(&root, "#unreadable-count", "3 unreadable").await;
    sleep(50).await;
    emit(
        "scan-progress",
        json(r#"{"root_id":1,"found":40,"to_hash":30,"hashed":12,"done":false}"#),
    );
    find(&root, "#scan-progress", "Indexing 12 / 30").await;
    emit(
        "scan-progress",
        json(r#"{"root_id":1,"found":40,"to_hash":30,"hashed":30,"done":true}"#),
    );
    emit(
        "library-changed",
        json(
            r#"{"roots":[{"id":1,"path":"/data/My Photos","excludes":""}],"counts":{"ok":40,"unreadable":0}}"#,
        ),
    );
    find(&root, "#image-count", "40 images").await;
    sleep(50).await;
    assert!(
        root.query_selector("#scan-progress").unwrap().is_none(),
        "progress gone when done"
    );
    assert!(root.query_selector("#unreadable-count").unwrap().is_none());
    // Background failures reach the banner.
    emit(
        "app-error",
        json(r#"{"kind":"io","message":"The folder “/data/My Photos” does not exist."}"#),
    );
    find(&root, "#errors .message", "does not exist").await;
    handle.destroy();
}

#[wasm_bindgen_test]
async fn ratings_gallery_shows_thumbnails_and_follows_the_library() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    set_queue(JsValue::NULL);
    set_images(json(&format!(
        r#"[{{"sha1":"{sha}","name":"cats/chelsea.png","width":451,"height":300}}]"#
    )));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await; // the key listener is attached after the first render
    press_alt('5');
    let img = find(&root, "#gallery .tile img", "").await;
    assert_eq!(
        img.get_attribute("src").unwrap(),
        format!("image://localhost/thumb/{sha}")
    );
    find(&root, "#gallery figcaption", "cats/chelsea.png").await;
    // A new image arrives: the page reloads its list.
    set_images(json(&format!(
        r#"[{{"sha1":"{sha}","name":"a.png","width":1,"height":1}},{{"sha1":"{}","name":"b.png","width":1,"height":1}}]"#,
        "f".repeat(40)
    )));
    emit(
        "library-changed",
        json(
            r#"{"roots":[{"id":1,"path":"/data/My Photos","excludes":""}],"counts":{"ok":2,"unreadable":0}}"#,
        ),
    );
    find(&root, "#gallery-count", "2 images").await;
    assert_eq!(
        root.query_selector_all("#gallery .tile").unwrap().length(),
        2
    );
    set_images(JsValue::NULL);
    handle.destroy();
}

fn press(key: &str, ctrl: bool, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn folder_panel_edits_patterns_and_removes_a_folder_after_confirmation() {
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;
    press("O", true, true);
    let area = find(&root, "#folder-1 textarea", "").await;
    let area: web_sys::HtmlTextAreaElement = area.dyn_into().unwrap();
    assert_eq!(area.value(), "*mask*");
    area.set_value("*mask*\ndrafts");
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    let input = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&input).unwrap();
    sleep(50).await; // the Save button enables on the next render
    click(&find(&root, "#folder-1 .save", "Save").await);
    sleep(100).await;
    assert_eq!(last_args(), r#"{"rootId":1,"patterns":"*mask*\ndrafts"}"#);

    let remove = find(&root, "#folder-1 .remove", "Remove").await;
    click(&remove);
    find(&root, "#folder-1 .remove", "Click again").await;
    assert!(
        !calls().contains("remove_folder"),
        "one click does not remove"
    );
    click(&remove);
    find(&root, "#no-folders", "No folder open").await;
    assert_eq!(last_args(), r#"{"rootId":1}"#);

    // Escape closes the panel.
    press("Escape", false, false);
    sleep(50).await;
    assert!(root.query_selector("#folder-panel").unwrap().is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_unreadable_count_opens_the_list_of_problems() {
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    click(&find(&root, "#unreadable-count", "3 unreadable").await);
    find(
        &root,
        "#problems .problem-list li",
        "cut.jpg is a truncated JPG file",
    )
    .await;
    press("Escape", false, false);
    sleep(50).await;
    assert!(root.query_selector("#problems").unwrap().is_none());
    handle.destroy();
}

fn press_key(key: &str, code: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_code(code);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn score_keys_score_skip_and_go_back_in_queue_order() {
    let item = |c: char| {
        format!(
            r#"{{"sha1":"{}","name":"{c}.png"}}"#,
            c.to_string().repeat(40)
        )
    };
    set_queue(json(&format!(
        r#"{{"items":[{},{},{}],"rated":0,"total":3}}"#,
        item('a'),
        item('b'),
        item('c')
    )));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-image", "").await;
    find(&root, "#score-progress", "0 / 3 rated").await;
    sleep(50).await;
    let shown = |root: &Element| {
        root.query_selector("#score-image")
            .unwrap()
            .unwrap()
            .get_attribute("alt")
            .unwrap()
    };
    assert_eq!(shown(&root), "a.png");
    press_key("7", "Digit7");
    find(&root, "#score-stage figcaption", "b.png").await;
    press_key("0", "Numpad0"); // 10
    find(&root, "#score-stage figcaption", "c.png").await;
    press_key("b", "KeyB"); // back
    find(&root, "#score-stage figcaption", "b.png").await;
    press_key(" ", "Space"); // skip
    find(&root, "#score-stage figcaption", "c.png").await;
    press_key("?", "Slash");
    find(&root, "#score-help", "undo the last score").await;
    press_key("Escape", "Escape");
    sleep(50).await;
    assert!(root.query_selector("#score-help").unwrap().is_none());
    assert_eq!(scores(), "a:7,b:10");
    find(&root, "#score-progress", "2 / 3 rated").await;
    set_queue(JsValue::NULL);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn images_that_cannot_be_displayed_are_skipped_with_a_note_and_reported() {
    let item = |c: char| {
        format!(
            r#"{{"sha1":"{}","name":"{c}.png"}}"#,
            c.to_string().repeat(40)
        )
    };
    set_queue(json(&format!(
        r#"{{"items":[{},{}],"rated":0,"total":2}}"#,
        item('d'),
        item('e')
    )));
    break_images();
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-note", "could not be displayed").await;
    find(&root, "#score-done", "Nothing left").await;
    assert_eq!(failed(), 2, "both reported to the app");
    set_queue(JsValue::NULL);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_rater_is_switched_from_the_header() {
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    sleep(100).await;
    let input: web_sys::HtmlInputElement = find(&root, "#rater", "").await.dyn_into().unwrap();
    assert_eq!(input.value(), "tester");
    input.set_value("  Ana ");
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    input
        .dispatch_event(
            &KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    sleep(100).await;
    assert_eq!(last_args(), r#"{"name":"Ana"}"#);
    assert_eq!(input.value(), "Ana");
    handle.destroy();
}

const PREDICTOR: &str = r#"{"problem":null,"packs":[
    {"id":"packs/clip","name":"CLIP + LAION","source":"packs","has_head":true,"problem":null},
    {"id":"packs/effnet","name":"EfficientNet","source":"packs","has_head":false,"problem":null}],
    "active":"packs/clip","predicts":true,"packs_dir":"/data/packs",
    "progress":{"done":1,"total":3,"running":true,"paused":false}}"#;

fn three_items() -> JsValue {
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

fn attribute(root: &Element, css: &str, name: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .and_then(|e| e.get_attribute(name))
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn rate_starts_at_the_prediction_adjusts_with_keys_and_commits_it_with_the_value() {
    set_queue(three_items());
    set_predictions(
        json(&format!(r#"{{"{}":6.31}}"#, "a".repeat(40))),
        json(PREDICTOR),
    );
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    web_sys::window()
        .unwrap()
        .location()
        .set_hash("#/rate")
        .unwrap();
    find(&root, "#rate-prediction", "Predicted 6.3").await;
    find(&root, "#rate-value", "6.3").await;
    press_key("ArrowUp", "ArrowUp");
    find(&root, "#rate-value", "6.4").await;
    press_key("PageDown", "PageDown");
    find(&root, "#rate-value", "5.4").await;
    press_key("Enter", "Enter");
    find(&root, "#rate-stage figcaption", "b.png").await;
    assert_eq!(scores(), "a:5.4/6.31");
    // No prediction for b: it starts at 5.5 and says why.
    find(&root, "#rate-value", "5.5").await;
    find(&root, "#rate-prediction", "Not predicted yet").await;
    press_key("8", "Digit8");
    press_key("]", "BracketRight");
    find(&root, "#rate-value", "9.0").await;
    press_key("]", "BracketRight");
    press_key("]", "BracketRight");
    find(&root, "#rate-value", "10.0").await;
    press_key(" ", "Space");
    find(&root, "#rate-stage figcaption", "c.png").await;
    assert_eq!(scores(), "a:5.4/6.31,b:10/null");
    // Back shows b again.
    press_key("Backspace", "Backspace");
    find(&root, "#rate-stage figcaption", "b.png").await;
    press_key("?", "Slash");
    find(&root, "#rate-help", "value + 1.0").await;
    press_key("Escape", "Escape");
    sleep(50).await;
    assert!(root.query_selector("#rate-help").unwrap().is_none());
    // Enter on a button reached with Tab presses that button only: no commit on top.
    let undo = root
        .query_selector("#rate-toolbar button[title^='Undo']")
        .unwrap()
        .unwrap();
    undo.dyn_ref::<HtmlElement>().unwrap().focus().unwrap();
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_code("Enter");
    init.set_bubbles(true);
    let enter = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    undo.dispatch_event(&enter).unwrap();
    sleep(100).await;
    assert_eq!(
        scores(),
        "a:5.4/6.31,b:10/null",
        "Enter on a button committed"
    );
    undo.dyn_ref::<HtmlElement>().unwrap().blur().unwrap();
    set_queue(JsValue::NULL);
    set_predictions(JsValue::UNDEFINED, JsValue::UNDEFINED);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_prediction_on_score_is_hidden_until_asked_for() {
    set_queue(three_items());
    set_predictions(
        json(&format!(r#"{{"{}":7.25}}"#, "a".repeat(40))),
        json(PREDICTOR),
    );
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-image", "").await;
    sleep(100).await;
    assert!(root.query_selector("#score-prediction").unwrap().is_none());
    press_key("p", "KeyP");
    find(&root, "#score-prediction", "Predicted 7.2").await;
    press_key("p", "KeyP");
    sleep(50).await;
    assert!(root.query_selector("#score-prediction").unwrap().is_none());
    set_queue(JsValue::NULL);
    set_predictions(JsValue::UNDEFINED, JsValue::UNDEFINED);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_models_panel_lists_packs_switches_and_pauses() {
    set_predictions(JsValue::UNDEFINED, json(PREDICTOR));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#model-chip", "Predicting 33%").await;
    assert!(attribute(&root, "#model-chip", "title").contains("Predicting 1 / 3 with CLIP + LAION"));
    press("m", true, false);
    find(&root, "#models-panel", "CLIP + LAION").await;
    find(&root, "#model-progress", "1 of 3 images embedded").await;
    assert!(find(&root, "li.pack.active", "CLIP + LAION")
        .await
        .text_content()
        .unwrap()
        .contains("Active"));
    let use_effnet = root
        .query_selector("li[data-pack='packs/effnet'] button.use-pack")
        .unwrap()
        .expect("a Use button on the other pack");
    click(&use_effnet);
    sleep(50).await;
    assert_eq!(last_args(), r#"{"id":"packs/effnet"}"#);
    click(&find(&root, "#pause-predictions", "Pause").await);
    sleep(50).await;
    assert_eq!(last_args(), r#"{"paused":true}"#);
    // Progress events update the chip.
    let progressed = PREDICTOR
        .replace(r#""done":1"#, r#""done":3"#)
        .replace(r#""running":true"#, r#""running":false"#);
    emit("predictor-changed", json(&progressed));
    find(&root, "#model-chip", "CLIP + LAION").await;
    press("Escape", false, false);
    sleep(50).await;
    assert!(root.query_selector("#models-panel").unwrap().is_none());
    // Without a runtime or pack, the chip and the Rate page say so.
    set_predictions(JsValue::UNDEFINED, JsValue::UNDEFINED);
    handle.destroy();
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#model-chip", "No predictions").await;
    assert!(attribute(&root, "#model-chip", "title").contains("No model pack is installed"));
    handle.destroy();
}
