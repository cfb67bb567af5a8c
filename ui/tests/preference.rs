//! The Preference page in headless Chromium against the stubbed app: picks in both modes by
//! key and by button, a tie, "none", skip, undo (its set comes back), zoom with flipping, the
//! settings remembered through the app, the ranking view, and a set whose image left the
//! library.

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn items(letters: &str) -> JsValue {
    let items: Vec<String> = letters
        .chars()
        .map(|c| {
            format!(
                r#"{{"sha1":"{}","name":"{c}.png"}}"#,
                c.to_string().repeat(40)
            )
        })
        .collect();
    json(&format!(
        r#"{{"items":[{}],"rated":0,"total":{}}}"#,
        items.join(","),
        letters.len()
    ))
}

/// The letters of the images on screen, in screen order.
fn on_screen(root: &Element) -> String {
    let list = root.query_selector_all("#preference-stage img").unwrap();
    (0..list.length())
        .map(|k| {
            let img: Element = list.item(k).unwrap().dyn_into().unwrap();
            img.get_attribute("alt").unwrap().chars().next().unwrap()
        })
        .collect()
}

async fn until_on_screen(root: &Element, want: &str) {
    for _ in 0..150 {
        if on_screen(root) == want {
            return;
        }
        sleep(20).await;
    }
    panic!(
        "on screen: {:?}, not {want:?}; page: {}",
        on_screen(root),
        root.inner_html()
    );
}

async fn until_comparisons(want: &str) {
    for _ in 0..150 {
        if comparisons() == want {
            return;
        }
        sleep(20).await;
    }
    assert_eq!(comparisons(), want);
}

#[wasm_bindgen_test]
async fn preference_picks_ties_skips_and_undoes_in_both_modes() {
    reset_preference();
    set_queue(items("abcdefgh"));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await; // the key listener is attached after the first render
    press_alt('3');
    find(&root, "#preference-mode", "Best of 2 · most telling sets").await;
    // The set on screen, and the next one (without its images) loaded ahead.
    until_on_screen(&root, "ab").await;
    count(&root, ".preload img", 2).await;
    assert!(
        args_of("next_set").contains(r#""exclude":["aaaa"#),
        "{}",
        args_of("next_set")
    );

    press_key("ArrowLeft", "ArrowLeft");
    until_on_screen(&root, "cd").await;
    press_key("2", "Digit2");
    until_on_screen(&root, "ef").await;
    press_key("=", "Equal");
    until_on_screen(&root, "gh").await;
    press_key("x", "KeyX");
    until_comparisons("ab:1,cd:2,ef:tie,gh:none").await;
    find(&root, "#preference-count", "4 comparisons").await;
    // Skip records nothing; undo brings the last judged set back, in its screen order.
    let before_skip = on_screen(&root);
    press_key(" ", "Space");
    for _ in 0..100 {
        if on_screen(&root) != before_skip && !on_screen(&root).is_empty() {
            break;
        }
        sleep(20).await;
    }
    assert_ne!(on_screen(&root), before_skip);
    press_key("z", "KeyZ");
    until_on_screen(&root, "gh").await;
    until_comparisons("ab:1,cd:2,ef:tie").await;
    find(&root, "#preference-note", "Undid your last choice").await;
    // The buttons do what the keys do.
    let right = find(
        &root,
        "#preference-toolbar button[title^='Right is better']",
        "",
    )
    .await;
    click(&right);
    until_comparisons("ab:1,cd:2,ef:tie,gh:2").await;

    // Zoom: Enter zooms the first image; Right flips to the second; Escape closes.
    find(&root, "#preference-figure-1", "").await;
    press_key("Enter", "Enter");
    find(&root, "#preference-figure-1.zoomed", "").await;
    press_key("ArrowRight", "ArrowRight");
    find(&root, "#preference-figure-2.zoomed", "").await;
    assert_eq!(
        comparisons(),
        "ab:1,cd:2,ef:tie,gh:2",
        "flipping picks nothing"
    );
    press_key("Escape", "Escape");
    sleep(50).await;
    assert!(root.query_selector(".stage.zoomed").unwrap().is_none());

    // Best of 4: `m` switches, the app remembers it, 1-4 pick.
    press_key("m", "KeyM");
    find(&root, "#preference-mode", "Best of 4").await;
    find(&root, "#preference-stage.trial-4", "").await;
    assert!(
        args_of("set_preference").contains(r#""size":4"#),
        "{}",
        args_of("set_preference")
    );
    let four = on_screen(&root);
    assert_eq!(four.len(), 4);
    press_key("3", "Numpad3");
    until_comparisons(&format!("ab:1,cd:2,ef:tie,gh:2,{four}:3")).await;
    // Left and Right pick nothing in best of 4.
    let shown = on_screen(&root);
    press_key("ArrowLeft", "ArrowLeft");
    sleep(100).await;
    assert_eq!(on_screen(&root), shown);

    // The ranking view: `r` opens it, by wins here; Escape closes it.
    press_key("r", "KeyR");
    find(&root, "#ranking-summary", "8 images from 5 comparisons").await;
    let first = root
        .query_selector("#ranking-table tbody tr")
        .unwrap()
        .unwrap();
    assert!(first.text_content().unwrap().contains(".png"));
    assert!(args_of("get_ranking").contains(r#""rater":"tester""#));
    click(&find(&root, "#ranking-pooled", "Everyone").await);
    for _ in 0..100 {
        if args_of("get_ranking").contains(r#""rater":null"#) {
            break;
        }
        sleep(20).await;
    }
    assert!(
        args_of("get_ranking").contains(r#""rater":null"#),
        "{}",
        args_of("get_ranking")
    );
    // Over the ranking, picking keys do nothing.
    press_key("1", "Digit1");
    sleep(100).await;
    assert_eq!(comparisons().split(',').count(), 5);
    press_key("Escape", "Escape");
    sleep(50).await;
    assert!(root.query_selector("#ranking-view").unwrap().is_none());
    press_key("?", "Slash");
    find(&root, "#preference-help", "none of these is good").await;
    press_key("Escape", "Escape");

    // An image that left the library while its set was shown: the page moves on with a note,
    // and nothing is recorded.
    let shown = on_screen(&root);
    let gone = shown.chars().next().unwrap().to_string().repeat(40);
    remove_from_library(&gone);
    press_key("1", "Digit1");
    find(&root, "#preference-note", "left the library").await;
    assert_eq!(comparisons().split(',').count(), 5);
    assert_ne!(on_screen(&root), shown);
    handle.destroy();
    set_queue(JsValue::NULL);
    reset_preference();
}

#[wasm_bindgen_test]
async fn a_library_too_small_for_a_set_says_so_until_images_arrive() {
    reset_preference();
    set_queue(items("a"));
    let (root, handle) = mount(ONE_FOLDER, "null", false);
    find(&root, "#page-score h1", "Score").await;
    sleep(50).await;
    press_alt('3');
    find(&root, "#preference-done", "Best of 2 needs 2 images").await;
    // Two more images arrive: the page asks again and shows a set.
    set_queue(items("abc"));
    emit(
        "library-changed",
        json(
            r#"{"roots":[{"id":1,"path":"/data/My Photos","excludes":""}],"counts":{"ok":3,"unreadable":0}}"#,
        ),
    );
    until_on_screen(&root, "ab").await;
    assert!(root.query_selector("#preference-done").unwrap().is_none());
    handle.destroy();
    set_queue(JsValue::NULL);
    reset_preference();
}
