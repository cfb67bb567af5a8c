//! Touch in headless Chromium against the stubbed app: swipes page through Score and Rate
//! (a finger, and a mouse dragged across the image), a double tap and a pinch zoom, a tap on
//! Score does nothing, a tap in Preference picks that image, a hold zooms it and a swipe flips
//! the zoom; the first touch turns on touch sizes. Pointer events as a touch screen sends them.

mod common;

use common::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn shown(root: &Element, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .map(|img| img.get_attribute("alt").unwrap_or_default())
        .unwrap_or_default()
}

async fn until_shown(root: &Element, css: &str, want: &str) -> Element {
    for _ in 0..150 {
        if shown(root, css) == want {
            return root.query_selector(css).unwrap().unwrap();
        }
        sleep(20).await;
    }
    panic!("{css} shows {:?}, not {want:?}", shown(root, css));
}

fn zoomed(root: &Element) -> bool {
    root.query_selector(".stage.zoomed").unwrap().is_some()
}

async fn until_zoomed(root: &Element, want: bool) {
    for _ in 0..100 {
        if zoomed(root) == want {
            return;
        }
        sleep(20).await;
    }
    assert_eq!(zoomed(root), want, "zoomed; page: {}", root.inner_html());
}

#[wasm_bindgen_test]
async fn score_and_rate_page_by_swipes_and_zoom_by_double_taps_and_pinches() {
    set_queue(three_items());
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    let html = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap();
    html.class_list().remove_1("touch").unwrap();
    let image = until_shown(&root, "#score-image", "a.png").await;

    // A finger across the image leftwards: the next image; rightwards: back.
    stroke(&image, "touch", -160.0);
    let image = until_shown(&root, "#score-image", "b.png").await;
    assert!(
        html.class_list().contains("touch"),
        "touch sizes from the first touch"
    );
    stroke(&image, "touch", 160.0);
    let image = until_shown(&root, "#score-image", "a.png").await;
    // A short or steep stroke is no swipe.
    stroke(&image, "touch", -30.0);
    sleep(100).await;
    assert_eq!(shown(&root, "#score-image"), "a.png");
    // A mouse dragged across the image swipes too.
    stroke(&image, "mouse", -200.0);
    let image = until_shown(&root, "#score-image", "b.png").await;

    // A tap does nothing (nor the click the browser makes of it); a double tap zooms.
    tap(&image);
    click(&image);
    sleep(400).await;
    assert!(!zoomed(&root), "a tap (and its click) does not zoom");
    tap(&image);
    sleep(60).await;
    tap(&image);
    until_zoomed(&root, true).await;
    sleep(400).await;
    let image = root.query_selector("#score-image").unwrap().unwrap();
    tap(&image);
    sleep(60).await;
    tap(&image);
    until_zoomed(&root, false).await;
    // Two fingers apart zoom in, together zoom out.
    sleep(400).await;
    pinch(&image, 120.0);
    until_zoomed(&root, true).await;
    pinch(&image, 10.0);
    until_zoomed(&root, false).await;
    assert_eq!(shown(&root, "#score-image"), "b.png");
    assert_eq!(scores(), "", "gestures score nothing");

    // Rate pages the same way.
    go_to("#/rate");
    let image = until_shown(&root, "#rate-image", "a.png").await;
    stroke(&image, "touch", -160.0);
    let image = until_shown(&root, "#rate-image", "b.png").await;
    stroke(&image, "touch", 160.0);
    until_shown(&root, "#rate-image", "a.png").await;
    assert_eq!(scores(), "");
    handle.destroy();
    set_queue(wasm_bindgen::JsValue::NULL);
}

#[wasm_bindgen_test]
async fn a_tap_picks_in_preference_a_hold_zooms_and_a_swipe_flips_the_zoom() {
    reset_preference();
    set_queue(json(&format!(
        r#"{{"items":[{}],"rated":0,"total":8}}"#,
        "abcdefgh"
            .chars()
            .map(|c| format!(
                r#"{{"sha1":"{}","name":"{c}.png"}}"#,
                c.to_string().repeat(40)
            ))
            .collect::<Vec<_>>()
            .join(",")
    )));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    go_to("#/preference");
    let second = until_shown(&root, "#preference-image-2", "b.png").await;
    tap(&second);
    until_shown(&root, "#preference-image-1", "c.png").await;
    for _ in 0..100 {
        if comparisons() == "ab:2" {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(comparisons(), "ab:2", "the tapped image won");

    // Holding the first image zooms it; a swipe flips to the second; nothing is picked.
    let first = root.query_selector("#preference-image-1").unwrap().unwrap();
    let (x, y) = middle(&first);
    pointer(&first, "pointerdown", "touch", 1, x, y);
    sleep(800).await;
    pointer(&first, "pointerup", "touch", 1, x, y);
    find(&root, "#preference-figure-1.zoomed", "").await;
    stroke(&first, "touch", -160.0);
    find(&root, "#preference-figure-2.zoomed", "").await;
    // A tap on the zoomed image picks nothing; a double tap closes the zoom.
    let zoomed_image = root.query_selector("#preference-image-2").unwrap().unwrap();
    sleep(400).await;
    tap(&zoomed_image);
    sleep(60).await;
    tap(&zoomed_image);
    until_zoomed(&root, false).await;
    assert_eq!(comparisons(), "ab:2", "zooming and flipping pick nothing");
    handle.destroy();
    set_queue(wasm_bindgen::JsValue::NULL);
}
