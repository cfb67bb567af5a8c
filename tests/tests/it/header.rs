//! The header fits the window at 1280 x 800 on every page, in its widest states: a long folder
//! name, files that cannot be shown, the model chip while it predicts, indexing under way, the
//! Share button; with a mouse and with a touch screen's finger sizes. The states that come and
//! go (predicting, indexing) are given their widest text in the page itself, so the check does
//! not race the background work. With `IMAGE_SCORER_SHOTS=DIR` it saves a screenshot of each.

use fantoccini::Locator;
use image_scorer_e2e::{App, Home};

/// Gives the transient parts of the header their widest text: the model chip predicting (or
/// paused), indexing under way.
const WIDEST: &str = r#"
    const [chip, running] = arguments;
    const model = document.querySelector('#model-chip');
    model.textContent = chip;
    model.classList.toggle('running', running);
    if (!document.querySelector('#scan-progress')) {
        const status = document.querySelector('.library-status');
        const scan = document.createElement('span');
        scan.id = 'scan-progress';
        scan.className = 'scanning';
        scan.title = 'Indexing 99999 / 100000';
        scan.innerHTML = '<progress max="100000" value="99999"></progress><span class="scan-text">Indexing 99999 / 100000</span>';
        status.appendChild(scan);
    }
"#;

/// The parts of the header outside the window (or the header scrolling sideways), as
/// `tag#id.class left..right` lines.
const OUTSIDE: &str = r#"
    const header = document.querySelector('.app-header');
    const width = window.innerWidth;
    const out = [];
    if (header.scrollWidth > header.clientWidth + 0.5) {
        out.push(`header scrolls: ${header.scrollWidth} > ${header.clientWidth}`);
    }
    for (const el of header.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (el.closest('.folders')) continue; // the folder list cuts long paths short itself
        if (r.left < -0.5 || r.right > width + 0.5) {
            out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${r.left.toFixed(0)}..${r.right.toFixed(0)}`);
        }
    }
    const open = document.querySelector('#open-folder').getBoundingClientRect();
    if (open.right > width + 0.5) out.push(`open folder ends at ${open.right}`);
    return out.join('\n');
"#;

const PAGES: [&str; 5] = ["score", "rate", "preference", "similarity", "ratings"];

#[tokio::test]
async fn the_header_fits_at_1280_px_on_every_page_in_its_widest_states() {
    let home = Home::new();
    home.install_pack(
        "efficientnet",
        image_scorer_e2e::EFFICIENTNET_PACK,
        &["efficientnet-lite0-imagenet.onnx"],
    );
    let photos = home.scratch("Generated images for the spring aesthetic run, batch 2026-12-06");
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        std::fs::copy(image_scorer_e2e::fixture(name), photos.join(name)).unwrap();
    }
    std::fs::write(photos.join("notes.png"), "not an image").unwrap();
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "3 images").await;
    app.wait_for(Locator::Id("unreadable-count")).await.unwrap();
    app.wait_for(Locator::Id("model-chip")).await.unwrap();
    app.resize(1280, 800).await;

    for touch in [false, true] {
        if touch {
            app.client
                .execute(
                    "document.body.dispatchEvent(new PointerEvent('pointerdown', {pointerType: 'touch', bubbles: true}));",
                    vec![],
                )
                .await
                .unwrap();
        }
        for page in PAGES {
            app.client
                .find(Locator::Id(&format!("nav-{page}")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            app.wait_for(Locator::Id(&format!("page-{page}")))
                .await
                .unwrap();
            for (chip, running) in [
                ("Predicting 100%", true),
                ("Paused 100%", false),
                ("A model pack with a very long name indeed", false),
            ] {
                let args = vec![chip.into(), running.into()];
                app.client.execute(WIDEST, args).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                let outside = app.client.execute(OUTSIDE, vec![]).await.unwrap();
                let what = format!("{page}, {chip}, touch {touch}");
                app.shot("1280x800", &what.replace([',', ' ', '%'], "-"))
                    .await;
                assert_eq!(
                    outside.as_str().unwrap(),
                    "",
                    "the header does not fit at 1280 px ({what})"
                );
            }
        }
    }
    app.stop().await;
}
