//! The walking skeleton, end to end in the real webview: opening a folder from the command line,
//! its persistence, errors for bad folders, and reaching every page by click and by key.

use fantoccini::key::Key;
use fantoccini::Locator;
use image_scorer_e2e::{press_with, stored_folders, App, Home};

/// The pages in navigation order: (slug, title).
const PAGES: [(&str, &str); 5] = [
    ("score", "Score"),
    ("rate", "Rate"),
    ("preference", "Preference"),
    ("similarity", "Similarity"),
    ("ratings", "Ratings"),
];

async fn assert_on_page(app: &App, slug: &str, title: &str) {
    let heading = app.text(&format!("#page-{slug} h1")).await;
    assert_eq!(heading, title);
    let active = app.text(".nav-link.active").await;
    assert!(
        active.starts_with(title),
        "active nav link is {active:?}, want {title}"
    );
}

#[tokio::test]
async fn folder_from_the_command_line_is_shown_stored_and_kept_after_restart() {
    let home = Home::new();
    let photos = home.scratch("My Photos");
    let canonical = photos.canonicalize().unwrap().to_str().unwrap().to_owned();

    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    assert_eq!(
        app.header_folders().await,
        [(canonical.clone(), "My Photos".into())]
    );
    assert!(
        app.client.find(Locator::Id("errors")).await.is_err(),
        "no errors"
    );
    assert_on_page(&app, "score", "Score").await;
    app.stop().await;
    assert_eq!(stored_folders(&home).await, vec![canonical.clone()]);

    // Restart without arguments: the folder is still open.
    let app = App::start(&home, &[]).await;
    assert_eq!(
        app.header_folders().await,
        [(canonical.clone(), "My Photos".into())]
    );
    app.stop().await;
    assert_eq!(stored_folders(&home).await, vec![canonical]);
}

#[tokio::test]
async fn every_page_is_reached_by_click_and_by_key() {
    let home = Home::new();
    let photos = home.scratch("photos");
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;

    for (slug, title) in PAGES {
        app.wait_for(Locator::Id(&format!("nav-{slug}")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_on_page(&app, slug, title).await;
    }
    // Keys, in an order that changes page every time (starting from Ratings).
    for position in [1, 3, 2, 5, 4, 1] {
        let (slug, title) = PAGES[position - 1];
        let digit = char::from_digit(position as u32, 10).unwrap();
        press_with(&app.client, Key::Alt, digit).await;
        assert_on_page(&app, slug, title).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_missing_folder_shows_a_clear_error_and_the_app_stays_usable() {
    let home = Home::new();
    let missing = home.scratch("here").join("no such folder");
    let app = App::start(&home, &[missing.to_str().unwrap()]).await;

    let error = app.text("#errors .error .message").await;
    assert!(error.contains("does not exist"), "{error}");
    assert!(error.contains("no such folder"), "{error}");
    assert_eq!(app.text("#no-folders").await, "No folder open");
    // The empty page says what to do first.
    assert!(app
        .text("#page-score .next")
        .await
        .contains("open a folder"));

    // Navigation still works, by click and by key.
    app.wait_for(Locator::Id("nav-rate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_on_page(&app, "rate", "Rate").await;
    press_with(&app.client, Key::Alt, '5').await;
    assert_on_page(&app, "ratings", "Ratings").await;

    // The error can be dismissed.
    app.wait_for(Locator::Css("#errors .dismiss"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        app.client.find(Locator::Id("errors")).await.is_err(),
        "error dismissed"
    );
    app.stop().await;
    assert!(stored_folders(&home).await.is_empty());
}

#[tokio::test]
async fn a_file_instead_of_a_folder_is_refused() {
    let home = Home::new();
    let file = home.scratch("x").join("photo.png");
    std::fs::write(&file, b"not a folder").unwrap();
    let app = App::start(&home, &[file.to_str().unwrap()]).await;
    let error = app.text("#errors .error .message").await;
    assert!(error.contains("is not a folder"), "{error}");
    app.stop().await;
    assert!(stored_folders(&home).await.is_empty());
}

/// Also run against the binary the .deb installs (`cargo xtask test` filters on this name).
#[tokio::test]
async fn installed_app_starts_opens_a_folder_and_navigates() {
    // The tests' hook that answers file dialogs is not in the build users install
    // (`cargo xtask test` says when the binary is the installed one).
    if std::env::var_os("IMAGE_SCORER_INSTALLED").is_some() {
        let binary = std::fs::read(std::env::var_os("IMAGE_SCORER_APP").unwrap()).unwrap();
        assert!(
            !binary.windows(24).any(|w| w == b"IMAGE_SCORER_DIALOG_FILE"),
            "the installed app answers IMAGE_SCORER_DIALOG_FILE"
        );
    }
    let home = Home::new();
    let photos = home.scratch("installed photos");
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    let canonical = photos.canonicalize().unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        app.header_folders().await,
        [(canonical.clone(), "installed photos".into())]
    );
    press_with(&app.client, Key::Alt, '3').await;
    assert_on_page(&app, "preference", "Preference").await;
    // The package ships ONNX Runtime: what is missing is only a model pack.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let title = loop {
        let title = app
            .wait_for(fantoccini::Locator::Id("model-chip"))
            .await
            .unwrap()
            .attr("title")
            .await
            .unwrap()
            .unwrap_or_default();
        if title.contains("model pack") || std::time::Instant::now() > deadline {
            break title;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(title.contains("No model pack is installed"), "{title}");
    app.stop().await;
    assert_eq!(stored_folders(&home).await, vec![canonical]);
}
