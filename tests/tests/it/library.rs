//! The library, end to end in the real webview: counts, live updates from the watched folder,
//! thumbnails through the image scheme, and refusal of anything but library hashes.

use fantoccini::key::Key;
use image_scorer_e2e::{fixture, press_with, App, Home};

#[tokio::test]
async fn the_folder_is_counted_and_followed_live() {
    let home = Home::new();
    let photos = home.scratch("shoot");
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        std::fs::copy(fixture(name), photos.join(name)).unwrap();
    }
    std::fs::write(photos.join("broken.jpg"), b"not really a jpeg").unwrap();
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "3 images").await;
    app.wait_for_text("#unreadable-count", "1 unreadable").await;
    // The count opens the list of what is wrong.
    app.wait_for(fantoccini::Locator::Id("unreadable-count"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.wait_for_text("#problems .problem-list", "broken.jpg is not an image")
        .await;
    press_with(&app.client, Key::Alt, '1').await; // keys still work with the list open

    press_with(&app.client, Key::Alt, '5').await;
    app.wait_for_count("#gallery .tile", 3).await;

    // A photo copied in while the app runs appears by itself.
    std::fs::copy(fixture("franz-kafka.jpg"), photos.join("kafka.jpg")).unwrap();
    app.wait_for_text("#image-count", "4 images").await;
    app.wait_for_count("#gallery .tile", 4).await;
    app.wait_for_count("#gallery img[alt='kafka.jpg']", 1).await;

    // Thumbnails really load through the image scheme.
    let loaded = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const imgs = [...document.querySelectorAll('#gallery img')];
             Promise.all(imgs.map(i => i.decode().then(() => i.naturalWidth, () => 0)))
               .then(done);",
            vec![],
        )
        .await
        .unwrap();
    let widths: Vec<u64> = serde_json::from_value(loaded).unwrap();
    assert_eq!(widths.len(), 4);
    assert!(widths.iter().all(|w| *w > 0 && *w <= 384), "{widths:?}");

    // A deleted photo goes.
    std::fs::remove_file(photos.join("coffee.png")).unwrap();
    app.wait_for_text("#image-count", "3 images").await;
    app.wait_for_count("#gallery .tile", 3).await;
    app.stop().await;
}

#[tokio::test]
async fn the_image_scheme_serves_library_hashes_and_nothing_else() {
    let home = Home::new();
    let photos = home.scratch("shoot");
    std::fs::copy(fixture("chelsea.png"), photos.join("cat.png")).unwrap();
    // A file beside the library, not in it.
    std::fs::copy(
        fixture("coffee.png"),
        home.scratch("private").join("secret.png"),
    )
    .unwrap();
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "1 image").await;
    press_with(&app.client, Key::Alt, '5').await;
    app.wait_for_count("#gallery .tile", 1).await;
    let sha1 = app
        .client
        .find(fantoccini::Locator::Css("#gallery .tile"))
        .await
        .unwrap()
        .attr("data-sha1")
        .await
        .unwrap()
        .unwrap();

    let secret = home.scratch("private").join("secret.png");
    let secret_sha1 = sha1_of(&std::fs::read(&secret).unwrap());
    let probe = |src: String| {
        let client = app.client.clone();
        async move {
            let result = client
                .execute_async(
                    "const [src, done] = arguments;
                     const img = new Image();
                     img.onload = () => done(img.naturalWidth);
                     img.onerror = () => done(-1);
                     img.src = src;",
                    vec![serde_json::Value::String(src)],
                )
                .await
                .unwrap();
            result.as_i64().unwrap()
        }
    };
    assert_eq!(
        probe(format!("image://localhost/{sha1}")).await,
        451,
        "the original"
    );
    assert!(probe(format!("image://localhost/thumb/{sha1}")).await > 0);
    let refused = [
        format!("image://localhost/{secret_sha1}"),
        format!("image://localhost/thumb/{secret_sha1}"),
        format!("image://localhost/..%2F..%2F{}", secret.display()),
        format!("image://localhost/{}", secret.display()),
        format!("image://localhost/%2e%2e/%2e%2e{}", secret.display()),
        format!("image://localhost/{sha1}/../../secret.png"),
        format!("image://localhost/{}", sha1.to_uppercase()),
        "image://localhost/".to_owned(),
    ];
    for src in refused {
        assert_eq!(probe(src.clone()).await, -1, "{src} must not load");
    }
    app.stop().await;
}

fn sha1_of(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // The e2e crate has no hashing dependency: ask the system's sha1sum.
    let mut child = std::process::Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha1sum");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let mut hex = String::new();
    write!(
        hex,
        "{}",
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap()
    )
    .unwrap();
    hex
}
