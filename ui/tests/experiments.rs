//! The Score and Rate pages in headless Chromium against the stubbed app: keys, the queue,
//! images that cannot be shown, predictions and the committed values.

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

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
    // The images ahead load out of sight, once the one shown has had its moment.
    count(&root, ".preload img", 2).await;
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
async fn the_next_image_shows_at_the_key_and_the_count_follows_what_the_app_saved() {
    set_queue(three_items());
    slow_scores(400);
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-progress", "0 / 3 rated").await;
    find(&root, "#score-stage figcaption", "a.png").await;
    press_key("7", "Digit7");
    sleep(30).await;
    // Long before the app answers, b is on screen; the count is still what was saved.
    assert_eq!(attribute(&root, "#score-image", "alt"), "b.png");
    assert!(text(&root, "#score-progress").contains("0 / 3 rated"));
    // Two more before the first is saved: they are saved after it, in order.
    press_key("3", "Digit3");
    find(&root, "#score-stage figcaption", "c.png").await;
    press_key("z", "KeyZ");
    find(&root, "#score-progress", "2 / 3 rated").await;
    assert_eq!(scores(), "a:7,b:3");
    let calls = calls();
    let order: Vec<&str> = calls
        .split(',')
        .filter(|c| ["add_score", "undo"].contains(c))
        .collect();
    assert_eq!(order, ["add_score", "add_score", "undo"], "{calls}");
    set_queue(JsValue::NULL);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_score_the_app_could_not_save_brings_its_image_back_with_the_reason() {
    set_queue(three_items());
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-stage figcaption", "a.png").await;
    press_key("7", "Digit7");
    find(&root, "#score-stage figcaption", "b.png").await;
    refuse_scores(true);
    slow_scores(100);
    press_key("4", "Digit4");
    find(&root, "#score-stage figcaption", "c.png").await;
    // b comes back, saying what was lost and why.
    find(&root, "#score-stage figcaption", "b.png").await;
    find(
        &root,
        "#score-note",
        "Your score 4 for “b.png” was not saved",
    )
    .await;
    find(&root, "#errors", "the disk is full").await;
    refuse_scores(false);
    press_key("5", "Digit5");
    find(&root, "#score-stage figcaption", "c.png").await;
    find(&root, "#score-progress", "2 / 3 rated").await;
    assert_eq!(scores(), "a:7,b:5");
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

/// The rater's own model as the stub's app reports it: better than the pack or not.
fn own_model(better: bool) -> JsValue {
    json(&format!(
        r#"{{"ratings":60,"quality":{{"ratings":60,"spearman":0.81,"mae":0.55,"head_spearman":0.62,"head_mae":0.93,"mean_mae":1.4}},
            "curve":[],"better_than_pack":{better},"has_head":true,"lambda":0.3,"settled":true}}"#
    ))
}

#[wasm_bindgen_test]
async fn rate_starts_from_the_own_model_once_it_is_better_and_says_so() {
    set_queue(three_items());
    set_predictions(
        json(&format!(
            r#"{{"{}":6.31,"{}":7.0}}"#,
            "a".repeat(40),
            "b".repeat(40)
        )),
        json(PREDICTOR),
    );
    set_own_model(
        json(&format!(r#"{{"{}":4.46}}"#, "a".repeat(40))),
        own_model(true),
    );
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    go_to("#/rate");
    find(&root, "#rate-prediction", "Your model: 4.5").await;
    find(&root, "#rate-value", "4.5").await;
    let line = find(&root, "#own-model", "ρ 0.81").await;
    assert!(line.text_content().unwrap().contains("±0.55 · 60 scores"));
    assert!(line.get_attribute("class").unwrap().contains("better"));
    assert!(line
        .get_attribute("title")
        .unwrap()
        .contains("the pack's head: Spearman 0.62"));
    press_key("Enter", "Enter");
    find(&root, "#rate-stage figcaption", "b.png").await;
    // Recorded with the own model's prediction, marked as the own model's.
    assert_eq!(scores(), "a:4.5/4.46(own)");
    // b has no own prediction: the pack's, said as the pack's.
    find(&root, "#rate-prediction", "Predicted 7.0").await;
    press_key("Enter", "Enter");
    find(&root, "#rate-stage figcaption", "c.png").await;
    assert_eq!(scores(), "a:4.5/4.46(own),b:7/7");
    handle.destroy();

    // Not better than the pack yet: the pack's prediction is shown, and the line says why.
    set_own_model(
        json(&format!(r#"{{"{}":4.46}}"#, "a".repeat(40))),
        own_model(false),
    );
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    go_to("#/rate");
    find(&root, "#rate-prediction", "Predicted 6.3").await;
    let line = find(&root, "#own-model", "ρ 0.81").await;
    assert!(!line.get_attribute("class").unwrap().contains("better"));
    assert!(line
        .get_attribute("title")
        .unwrap()
        .contains("until it is better"));
    // "Teach my model" by key: the queue is asked for in the teaching order, and its first image
    // comes next; the tick box follows, and the key switches back.
    find(&root, "#rate-stage figcaption", "a.png").await;
    press_key("t", "KeyT");
    find(&root, "#rate-stage figcaption", "c.png").await;
    assert!(args_of("get_score_queue").contains(r#""teach":true"#));
    let tick = find(&root, "#rate-teach", "").await;
    assert!(tick
        .dyn_ref::<web_sys::HtmlInputElement>()
        .unwrap()
        .checked());
    press_key("t", "KeyT");
    find(&root, "#rate-stage figcaption", "a.png").await;
    assert!(args_of("get_score_queue").contains(r#""teach":false"#));
    set_queue(JsValue::NULL);
    set_predictions(JsValue::UNDEFINED, JsValue::UNDEFINED);
    set_own_model(JsValue::UNDEFINED, JsValue::UNDEFINED);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn rate_asks_again_once_the_own_model_has_loaded_and_is_better() {
    set_queue(three_items());
    set_predictions(
        json(&format!(r#"{{"{}":6.31}}"#, "a".repeat(40))),
        json(PREDICTOR),
    );
    // Right after a start: the model is still loading.
    set_own_model(
        JsValue::UNDEFINED,
        json(
            r#"{"ratings":0,"quality":null,"curve":[],"better_than_pack":false,"has_head":true,"lambda":null,"settled":false}"#,
        ),
    );
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    go_to("#/rate");
    find(&root, "#rate-prediction", "Predicted 6.3").await;
    // Loaded, and better than the pack: the line asks again within a second, and the image's
    // state is asked again with the model's prediction.
    set_own_model(
        json(&format!(r#"{{"{}":4.46}}"#, "a".repeat(40))),
        own_model(true),
    );
    find(&root, "#own-model", "ρ 0.81").await;
    find(&root, "#rate-prediction", "Your model: 4.5").await;
    find(&root, "#rate-value", "4.5").await;
    set_queue(JsValue::NULL);
    set_predictions(JsValue::UNDEFINED, JsValue::UNDEFINED);
    set_own_model(JsValue::UNDEFINED, JsValue::UNDEFINED);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn score_asks_for_the_teaching_order_by_its_tick_box_and_shows_the_own_model() {
    set_queue(three_items());
    set_own_model(JsValue::UNDEFINED, own_model(true));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-stage figcaption", "a.png").await;
    assert!(root.query_selector("#own-model").unwrap().is_none());
    let tick = find(&root, "#score-teach", "").await;
    tick.dyn_ref::<HtmlElement>().unwrap().click();
    find(&root, "#score-stage figcaption", "c.png").await;
    find(&root, "#own-model", "ρ 0.81").await;
    press_key("3", "Digit3");
    find(&root, "#score-stage figcaption", "b.png").await;
    assert_eq!(scores(), "c:3");
    set_queue(JsValue::NULL);
    set_own_model(JsValue::UNDEFINED, JsValue::UNDEFINED);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn rate_starts_at_the_prediction_adjusts_with_keys_and_commits_it_with_the_value() {
    set_queue(three_items());
    set_predictions(
        json(&format!(r#"{{"{}":6.31}}"#, "a".repeat(40))),
        json(PREDICTOR),
    );
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    go_to("#/rate");
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
async fn a_trial_shows_four_images_by_position_zooms_one_and_reports_the_one_that_fails() {
    use image_scorer_protocol::QueueItem;
    use image_scorer_ui::components::{Trial, TrialProps};
    use std::cell::RefCell;
    use std::rc::Rc;
    use yew::Callback;
    install_stub();
    set_queue(three_items()); // every image is a small stand-in…
    let bad = "c".repeat(40);
    break_image(&bad); // …but this one does not decode
    let images: Vec<QueueItem> = "abcd"
        .chars()
        .map(|c| QueueItem {
            sha1: c.to_string().repeat(40),
            name: format!("{c}.png"),
        })
        .collect();
    let clicked = Rc::new(RefCell::new(Vec::new()));
    let failures = Rc::new(RefCell::new(Vec::new()));
    let props = |zoomed: Option<usize>| TrialProps {
        id: "pick".into(),
        images: images.clone(),
        zoomed,
        preload: vec!["e".repeat(40)],
        on_click: {
            let clicked = clicked.clone();
            Callback::from(move |p| clicked.borrow_mut().push(p))
        },
        on_failed: {
            let failures = failures.clone();
            Callback::from(move |p| failures.borrow_mut().push(p))
        },
        on_gesture: Callback::noop(),
    };
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let mut handle =
        yew::Renderer::<Trial>::with_root_and_props(root.clone(), props(None)).render();
    let grid = find(&root, "#pick-stage.trial-4", "").await;
    let positions: Vec<String> = (1..=4)
        .map(|n| {
            let figure = grid
                .query_selector(&format!("#pick-figure-{n}"))
                .unwrap()
                .unwrap();
            figure
                .query_selector(".position")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(positions, ["1", "2", "3", "4"]);
    assert_eq!(attribute(&root, "#pick-image-3", "alt"), "c.png");
    // The next image loads ahead.
    count(&root, ".preload img", 1).await;
    for _ in 0..100 {
        if !failures.borrow().is_empty() && failed() > 0 {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(
        *failures.borrow(),
        [2],
        "the third image failed, by its position"
    );
    assert_eq!(failed(), 1, "and the app was told");
    click(&root.query_selector("#pick-image-2").unwrap().unwrap());
    assert_eq!(*clicked.borrow(), [1]);

    handle.update(props(Some(1)));
    sleep(50).await;
    let zoomed = root.query_selector("#pick-figure-2").unwrap().unwrap();
    assert!(zoomed
        .class_name()
        .split_whitespace()
        .any(|c| c == "zoomed"));
    assert!(!zoomed.has_attribute("hidden"));
    for n in [1, 3, 4] {
        let other = root
            .query_selector(&format!("#pick-figure-{n}"))
            .unwrap()
            .unwrap();
        assert!(
            other.has_attribute("hidden"),
            "figure {n} hides while 2 is zoomed"
        );
    }
    handle.destroy();
    set_queue(JsValue::NULL);
}

/// A large queue crosses a window at a time: the page asks for the first 500 images, tops up
/// with what it does not hold when fewer than half are left ahead, and goes on past the first
/// window.
#[wasm_bindgen_test]
async fn a_large_queue_is_read_a_window_at_a_time() {
    let items: Vec<String> = (0..1200)
        .map(|k| format!(r#"{{"sha1":"{k:040}","name":"img-{k:04}.png"}}"#))
        .collect();
    set_queue(json(&format!(
        r#"{{"items":[{}],"rated":0,"total":1200}}"#,
        items.join(",")
    )));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#score-stage figcaption", "img-0000.png").await;
    let first = args_of("get_score_queue");
    assert!(
        first.contains(r#""limit":500"#) && first.contains(r#""known":[]"#),
        "{first}"
    );
    for k in 1..=251 {
        press_key(" ", "Space");
        find(&root, "#score-stage figcaption", &format!("img-{k:04}.png")).await;
    }
    // 249 ahead: topped up to 500, leaving out the 500 held.
    sleep(100).await;
    let topped = args_of("get_score_queue");
    assert!(topped.contains(r#""limit":251"#), "{topped}");
    assert!(topped.contains(&format!("{:040}", 499)) && !topped.contains(&format!("{:040}", 500)));
    for k in 252..=501 {
        press_key(" ", "Space");
        find(&root, "#score-stage figcaption", &format!("img-{k:04}.png")).await;
    }
    set_queue(JsValue::NULL);
    handle.destroy();
}
