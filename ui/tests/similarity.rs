//! The Similarity page in headless Chromium against the stubbed app: without a pack it says
//! what is missing; with one, a pair judged by key and by button and undone (the pair comes
//! back), a near pair asked for, Shift+F on the Score page opens the look-alikes and a click
//! makes one the query, a near-duplicate search's progress shown until it is done, and a
//! near-duplicate group kept, marked and unmarked.

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The first letters of the images `css` matches, in page order.
fn letters(root: &Element, css: &str) -> String {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .filter_map(|k| {
            let el: Element = list.item(k).unwrap().dyn_into().unwrap();
            el.get_attribute("data-sha1")?.chars().next()
        })
        .collect()
}

async fn until(what: &str, ok: impl Fn() -> bool) {
    for _ in 0..150 {
        if ok() {
            return;
        }
        sleep(20).await;
    }
    panic!("never: {what}");
}

#[wasm_bindgen_test]
async fn without_a_pack_the_page_says_what_is_missing() {
    reset_similarity();
    set_queue(three_items());
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;
    press_alt('4');
    find(&root, "#similarity-unavailable", "needs a model pack").await;
    press_key("4", "Digit4");
    sleep(50).await;
    assert_eq!(likeness(), "", "nothing judged without a pair");
    // Near-duplicates still work (by the hash, the default without a pack).
    press_key("d", "KeyD");
    find(&root, "#duplicates-bar", "By perceptual hash").await;
    find(&root, "#duplicate-count", "1 group,").await;
    handle.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn pairs_find_similar_and_duplicates_by_key_and_button() {
    reset_similarity();
    set_similarity_pack();
    set_queue(three_items());
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;

    // Find similar from the Score page: Shift+F; a click on a result makes it the query.
    find(&root, "#score-image", "").await;
    let shown = attribute(&root, "#score-image", "data-sha1");
    assert!(!shown.is_empty());
    press("F", false, true);
    find(&root, "#find-summary", "The 2 most similar of 3 images").await;
    let query = letters(&root, "#find-query");
    assert_eq!(query, shown[..1]);
    let results = letters(&root, "#find-results .tile");
    assert_eq!(results.len(), 2);
    assert!(!results.contains(&query));
    let first: HtmlElement = root
        .query_selector("#find-results .tile")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    first.click();
    let want = results[..1].to_owned();
    until("the clicked result is the query", || {
        letters(&root, "#find-query") == want
    })
    .await;

    // Pairs: 4 records the pair shown with its cosine; a button records too; z undoes the
    // last one and brings its pair back.
    press_key("p", "KeyP");
    find(&root, "#pair-cosine", "random pair").await;
    let pair = |root: &Element| {
        let cosine: f64 = attribute(root, "#pair-cosine", "data-cosine")
            .parse()
            .unwrap();
        (letters(root, "#similarity-pair figure"), cosine)
    };
    let (first, c1) = pair(&root);
    assert_eq!(first.len(), 2);
    press_key("4", "Digit4");
    until("the pair after", || pair(&root).0 != first).await;
    let (second, c2) = pair(&root);
    let captions = |root: &Element| {
        let list = root
            .query_selector_all("#similarity-pair figcaption")
            .unwrap();
        (0..list.length())
            .map(|k| list.item(k).unwrap().text_content().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let names = captions(&root);
    assert!(names.iter().all(|n| !n.is_empty()), "{names:?}");
    let five = find(&root, "#likeness-toolbar button[title^='5 The same']", "").await;
    click(&five);
    let both = format!("4@{c1:.1}:{first},5@{c2:.1}:{second}");
    until("two judgements", || likeness() == both).await;
    press_key("z", "KeyZ");
    find(&root, "#pair-note", "Undid your “The same picture”").await;
    until("undone", || likeness() == format!("{both}~")).await;
    until("its pair back", || pair(&root) == (second.clone(), c2)).await;
    assert_eq!(captions(&root), names, "the pair comes back with its names");
    press_key("n", "KeyN");
    until("a near pair asked for", || {
        args_of("get_similar_pair").contains(r#""kind":"near""#)
    })
    .await;
    find(&root, "#pair-cosine", "near pair").await;

    // Near-duplicates: keep the second image (key 2), Enter marks the first; undo takes it back.
    press_key("d", "KeyD");
    find(&root, "#duplicates-bar", "By the model").await;
    find(&root, "#duplicate-count", "1 group,").await;
    // While the app compares new images, the view says how far it is, until it is done.
    emit(
        "duplicates-progress",
        json(r#"{"images":5000,"done":0.437}"#),
    );
    find(
        &root,
        "#duplicates-searching",
        "Comparing 5000 new images with the library: 43 %",
    )
    .await;
    emit("duplicates-progress", json(r#"{"images":5000,"done":1.0}"#));
    until("the search done", || {
        root.query_selector("#duplicates-searching")
            .unwrap()
            .is_none()
    })
    .await;
    // The stub's group holds every image not marked and lists the largest two.
    find(&root, "#duplicate-position", "the 2 largest of its").await;
    press_key("2", "Digit2");
    find(&root, "#duplicate-group .stage.kept", "b.png").await;
    press_key("Enter", "Enter");
    until("marked", || marks() == "b>a").await;
    find(&root, "#duplicates-note", "Kept b.png, marked 1").await;
    // The stub's next group is b and c (a is marked).
    until("the group after", || {
        letters(&root, "#duplicate-group figure") == "bc"
    })
    .await;
    press_key("z", "KeyZ");
    find(&root, "#duplicates-note", "back in the queues").await;
    until("unmarked", || marks() == "b>a~").await;
    until("the group back", || {
        letters(&root, "#duplicate-group figure") == "ab"
    })
    .await;
    handle.destroy();
    root.remove();
}
