//! The Ratings page in headless Chromium against the stubbed app: a gallery of 10,000 images
//! keeps only the rows in view in the DOM (scrolled to the end too), the keys move, score, zoom
//! and open the detail, a sort is asked of the app, tiles show the own model's prediction
//! beside the pack's and sort by it, the plots are the app's SVG and can be saved, and export
//! and import go through the app with the options chosen.

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Sets the `<select>` `css` to `value` and tells the page.
fn choose(root: &Element, css: &str, value: &str) {
    let select: HtmlSelectElement = root
        .query_selector(css)
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let change = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&change).unwrap();
}

fn elements_in_document() -> u32 {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .get_elements_by_tag_name("*")
        .length()
}

/// The app's stylesheet in the test's document, so the gallery is laid out as in the window.
fn styles() {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("app-styles").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("app-styles");
        style.set_text_content(Some(include_str!("../styles.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
}

async fn until(what: &str, ok: impl Fn() -> bool) {
    for _ in 0..150 {
        if ok() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out: {what}");
}

#[wasm_bindgen_test]
async fn a_gallery_of_ten_thousand_keeps_only_what_is_in_view() {
    set_queue(wasm_bindgen::JsValue::NULL);
    set_gallery(10_000);
    styles();
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;
    press_alt('5');
    find(&root, "#gallery-count", "10000 images").await;
    find(&root, "#gallery .tile figcaption", "img-00000.png").await;
    let drawn = root.query_selector_all("#gallery .tile").unwrap().length();
    assert!(drawn > 0 && drawn < 120, "{drawn} tiles drawn");
    assert!(calls().contains("get_gallery"));

    // Scrolled to the end: the last image is drawn, and still only a screenful is.
    let scroller: HtmlElement = root
        .query_selector("#gallery")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    // (As a user drags to the end: the space's height settles once the scroll bar shows.)
    for _ in 0..150 {
        scroller.set_scroll_top(scroller.scroll_height());
        if text(&root, "#gallery .tile[data-position='9999'] figcaption").contains("img-09999.png")
        {
            break;
        }
        sleep(20).await;
    }
    let positions: Vec<String> = {
        let list = root.query_selector_all("#gallery .tile").unwrap();
        (0..list.length())
            .filter_map(|k| {
                list.item(k)?
                    .dyn_into::<Element>()
                    .ok()?
                    .get_attribute("data-position")
            })
            .collect()
    };
    assert!(
        text(&root, "#gallery .tile[data-position='9999'] figcaption").contains("img-09999.png"),
        "the last tile is not drawn: scrolled {} of {} (box {}), drawn {:?}",
        scroller.scroll_top(),
        scroller.scroll_height(),
        scroller.client_height(),
        positions
            .iter()
            .take(3)
            .chain(positions.iter().rev().take(3))
            .collect::<Vec<_>>()
    );
    let drawn = root.query_selector_all("#gallery .tile").unwrap().length();
    assert!(drawn < 120, "{drawn} tiles drawn at the end");
    let nodes = elements_in_document();
    assert!(nodes < 500, "{nodes} elements in the document");
    // Only the pages in view were asked for (50 pages of 200 hold the library).
    let asked = calls().matches("get_gallery").count();
    assert!(asked <= 6, "{asked} pages asked for");

    // Home goes back to the first; the keys move the selection.
    press_key("Home", "Home");
    find(
        &root,
        "#gallery .tile.selected[data-position='0']",
        "img-00000",
    )
    .await;
    press_key("ArrowRight", "ArrowRight");
    find(
        &root,
        "#gallery .tile.selected[data-position='1']",
        "img-00001",
    )
    .await;
    press_key("ArrowDown", "ArrowDown");
    sleep(50).await;
    let columns = root
        .query_selector("#gallery .tile.selected")
        .unwrap()
        .unwrap()
        .get_attribute("data-position")
        .unwrap()
        .parse::<u32>()
        .unwrap()
        - 1;
    assert!(columns >= 1, "a row down is a row of tiles");
    press_key("ArrowUp", "ArrowUp");
    find(&root, "#gallery .tile.selected[data-position='1']", "").await;

    // 7 scores the selected image (the Score page's judgement) and moves on.
    press_key("7", "Digit7");
    find(
        &root,
        "#gallery .tile[data-position='1'] .tile-numbers",
        "★ 7.0",
    )
    .await;
    find(&root, "#gallery .tile.selected[data-position='2']", "").await;
    until("the score saved", || scores().contains("0:7")).await;
    assert!(args_of("add_score").contains(&synthetic_sha1(1)));

    // Enter zooms the selected image, Escape closes; i opens its detail.
    press_key("Enter", "Enter");
    let zoomed = find(&root, "#gallery-zoom img", "").await;
    assert!(zoomed
        .get_attribute("src")
        .unwrap()
        .contains(&synthetic_sha1(2)));
    press_key("Escape", "Escape");
    until("the zoom closed", || {
        root.query_selector("#gallery-zoom").unwrap().is_none()
    })
    .await;
    press_key("i", "KeyI");
    find(
        &root,
        "#image-detail #detail-files",
        "/data/old/img-00002.png",
    )
    .await;
    find(&root, "#image-detail #detail-files .gone", "").await;
    find(&root, "#image-detail #detail-predictions", "Stand-in 6.25").await;
    press_key("Escape", "Escape");
    until("the detail closed", || {
        root.query_selector("#image-detail").unwrap().is_none()
    })
    .await;

    // My score, highest first: the image scored 7 comes first, asked of the app anew.
    choose(&root, "#gallery-sort", "mine");
    find(
        &root,
        "#gallery .tile[data-position='0'] figcaption",
        "img-00001.png",
    )
    .await;
    assert!(args_of("get_gallery").contains("\"sort\":\"mine\""));
    assert!(args_of("get_gallery").contains("\"descending\":true"));
    // r reverses it.
    press_key("r", "KeyR");
    until("reversed", || {
        args_of("get_gallery").contains("\"descending\":false")
    })
    .await;
    handle.destroy();
}

#[wasm_bindgen_test]
async fn tiles_show_the_own_models_prediction_beside_the_packs_and_sort_by_it() {
    set_queue(wasm_bindgen::JsValue::NULL);
    set_gallery(40);
    set_own_prediction(3, 8.24);
    set_own_prediction(5, 6.1);
    styles();
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;
    press_alt('5');
    find(&root, "#gallery-count", "40 images").await;
    choose(&root, "#gallery-sort", "own");
    find(
        &root,
        "#gallery .tile[data-position='0'] figcaption",
        "img-00003.png",
    )
    .await;
    assert!(args_of("get_gallery").contains("\"sort\":\"own\""));
    let first = "#gallery .tile[data-position='0']";
    assert_eq!(
        text(&root, &format!("{first} .tile-predictions")),
        "p – · my model 8.2"
    );
    let title = root
        .query_selector(first)
        .unwrap()
        .unwrap()
        .get_attribute("title")
        .unwrap();
    assert!(title.contains("my model's prediction 8.2"), "{title}");
    find(
        &root,
        "#gallery .tile[data-position='1'] .tile-predictions",
        "my model 6.1",
    )
    .await;
    // An image the model has not predicted shows the pack's line alone, and the caption's
    // three lines fit the tile.
    let third = "#gallery .tile[data-position='2']";
    assert_eq!(text(&root, &format!("{third} .tile-predictions")), "p –");
    let element = |css: &str| -> HtmlElement {
        root.query_selector(css)
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap()
    };
    let (tile, line) = (
        element(third),
        element(&format!("{third} .tile-predictions")),
    );
    // (The tile is the line's offset parent: it is positioned.)
    let bottom = line.offset_top() + line.offset_height();
    assert!(
        bottom <= tile.client_height(),
        "{bottom} > {}",
        tile.client_height()
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn plots_exports_and_imports_go_through_the_app() {
    set_queue(wasm_bindgen::JsValue::NULL);
    set_gallery(3);
    styles();
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;
    press_alt('5');
    find(&root, "#gallery-count", "3 images").await;

    // v: the numbers and the five plots, each the app's SVG, savable.
    press_key("v", "KeyV");
    find(&root, "#rating-stats", "Images").await;
    for kind in [
        "histogram",
        "predicted",
        "strengths",
        "agreement",
        "own-model",
    ] {
        find(&root, &format!("#plot-{kind} .plot-svg svg text"), kind).await;
    }
    click(&find(&root, "#plot-strengths button", "Save SVG").await);
    find(&root, "#plots-view", "Saved /home/tester/strengths.svg").await;
    assert!(args_of("save_plot").contains("\"kind\":\"strengths\""));

    // e: export JSONL, per rater, with the rater ticked.
    press_key("e", "KeyE");
    find(&root, "#export-format", "").await;
    choose(&root, "#export-format", "jsonl");
    sleep(30).await;
    click(&find(&root, "#exchange-view #export-per-rater", "").await);
    click(&find(&root, "#rater-choice input[value='tester']", "").await);
    sleep(30).await;
    click(&find(&root, "#export-button", "Export").await);
    find(
        &root,
        "#export-summary",
        "3 rows written to /home/tester/ratings.jsonl",
    )
    .await;
    find(
        &root,
        "#exchange-outcome",
        "left out 1: rated images marked as duplicates",
    )
    .await;
    assert_eq!(exports(), "jsonl:tester:PerRater");

    // Import: the report says what came in and what was skipped.
    click(&find(&root, "#import-button", "Import").await);
    find(
        &root,
        "#import-summary",
        "5 scores and 2 comparisons added by old-a1b2c3d4",
    )
    .await;
    find(
        &root,
        "#exchange-outcome",
        "1 image is not in the library yet",
    )
    .await;
    find(&root, "#exchange-outcome", "skipped 1: scores outside 1-10").await;

    // The rater's own model, through the app's save dialog.
    click(&find(&root, "#export-own-model", "Export my model").await);
    find(
        &root,
        "#own-model-summary",
        "written to /data/tester.onnx (input “embedding”, output “own_score”",
    )
    .await;
    assert!(args_of("export_own_model").contains(r#""rater":"tester""#));

    // g: back to the gallery, as it was.
    press_key("g", "KeyG");
    find(&root, "#gallery .tile figcaption", "img-00000.png").await;
    handle.destroy();
}
