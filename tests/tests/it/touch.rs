//! Touch in the real WebKitGTK webview: at 768 x 1024 every control on every page measures at
//! least 44 px each way once a finger has touched the page (asserted from the elements' sizes);
//! a swipe pages through Score, a tap picks in Preference; on a phone's 390 px the header folds
//! into its menu. With `IMAGE_SCORER_SHOTS=DIR` it saves a screenshot of each page at each size.

use fantoccini::Locator;
use image_scorer_e2e::{App, Home};

/// The controls a finger aims at, on screen and smaller than 44 px either way, as
/// `tag#id "text" WxH` lines.
const SMALL_TARGETS: &str = r#"
    const small = [];
    for (const el of document.querySelectorAll(
        'button, select, a.nav-link, input[type=text], input:not([type]), label:has(input[type=checkbox])')) {
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
        if (el.closest('[hidden], .preload')) continue;
        if (r.width < 43.5 || r.height < 43.5) {
            small.push(`${el.tagName.toLowerCase()}#${el.id} "${el.textContent.trim().slice(0, 20)}" ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
        }
    }
    return small.join('\n');
"#;

const PAGES: [&str; 5] = ["score", "rate", "preference", "similarity", "ratings"];

#[tokio::test]
async fn touch_targets_measure_44_px_swipes_page_and_the_header_folds_on_a_phone() {
    let home = Home::new();
    let photos = home.photos(&[
        "astronaut.png",
        "chelsea.png",
        "coffee.png",
        "rocket.jpg",
        "franz-kafka.jpg",
    ]);
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "5 images").await;
    app.resize(768, 1024).await;

    // A finger across the image: the next image, and the page takes touch sizes.
    let first = app.wait_for_attr("#score-image", "alt", |_| true).await;
    app.swipe("#score-image", -200.0).await;
    let second = app
        .wait_for_attr("#score-image", "alt", |a| a != first)
        .await;
    app.swipe("#score-image", 200.0).await;
    app.wait_for_attr("#score-image", "alt", |a| a == first)
        .await;
    assert_ne!(first, second);
    // WebKitGTK's WebDriver sends a touch action as a mouse (Xvfb has no touch screen; the
    // swipe above is a mouse dragged across the image, which swipes too): the first touch is
    // sent as a touch screen sends it, a pointer event of the kind "touch".
    let touch: bool = app
        .client
        .execute(
            "document.body.dispatchEvent(new PointerEvent('pointerdown', {pointerType: 'touch', bubbles: true}));
             return document.documentElement.classList.contains('touch');",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(touch, "a touch turns on touch sizes");

    for (width, height) in [(768, 1024), (1024, 768), (1280, 800)] {
        app.resize(width, height).await;
        let size = format!("{width}x{height}");
        for page in PAGES {
            app.tap(&format!("#nav-{page}")).await;
            app.wait_for(Locator::Id(&format!("page-{page}")))
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let small = app.client.execute(SMALL_TARGETS, vec![]).await.unwrap();
            assert_eq!(
                small.as_str().unwrap(),
                "",
                "controls under 44 px on {page} at {size}"
            );
            app.shot(&size, page).await;
        }
    }

    // Preference: a finger's tap on an image picks it (sent as a touch screen sends it; a
    // mouse's click there zooms, as on the desktop).
    app.tap("#nav-preference").await;
    app.wait_for_count("#preference-stage img", 2).await;
    app.client
        .execute(
            "const img = document.querySelector('#preference-image-2');
             const r = img.getBoundingClientRect();
             const at = {pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true,
                         clientX: r.x + r.width / 2, clientY: r.y + r.height / 2};
             img.dispatchEvent(new PointerEvent('pointerdown', at));
             img.dispatchEvent(new PointerEvent('pointerup', at));",
            vec![],
        )
        .await
        .unwrap();
    app.wait_for_text("#preference-count", "1 comparison").await;

    // A phone: the navigation folds into the menu; a page chosen there closes it.
    app.resize(390, 844).await;
    let nav_shown = |app: &App| {
        let client = app.client.clone();
        async move {
            client
                .execute(
                    "const r = document.querySelector('.app-nav').getBoundingClientRect(); return r.width > 0;",
                    vec![],
                )
                .await
                .unwrap()
                .as_bool()
                .unwrap()
        }
    };
    assert!(!nav_shown(&app).await, "the navigation is folded away");
    app.shot("390x844", "preference").await;
    app.tap("#menu-button").await;
    assert!(nav_shown(&app).await, "the menu shows the navigation");
    let small = app.client.execute(SMALL_TARGETS, vec![]).await.unwrap();
    assert_eq!(
        small.as_str().unwrap(),
        "",
        "controls under 44 px in the menu"
    );
    app.shot("390x844", "menu").await;
    app.tap("#nav-score").await;
    app.wait_for(Locator::Id("page-score")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!nav_shown(&app).await, "choosing a page closes the menu");
    let small = app.client.execute(SMALL_TARGETS, vec![]).await.unwrap();
    assert_eq!(
        small.as_str().unwrap(),
        "",
        "controls under 44 px on score at 390x844"
    );
    app.shot("390x844", "score").await;
    app.stop().await;
}
