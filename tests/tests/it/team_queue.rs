//! Team queues end to end over loopback HTTP: `image-scorer-cli serve --team` on a real
//! PostgreSQL and on a SQLite file (the store a desktop shares with its tablets), two raters'
//! devices going through the Score queue at once, as the page does (read the queue, claim the
//! next wanted images, score). With an overlap of 1 they never hold the same image at the same
//! moment, even walking the same order, and every image is scored exactly once; with an
//! overlap of 2 both may and every image is scored by both. A rater who leaves mid-image keeps
//! the other off it until the reservation runs out. The team's figures on the Ratings page
//! equal what the database holds.

use image_scorer_e2e::team::{self, Conn, Device};
use image_scorer_e2e::Home;
use image_scorer_pgtest::PgServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const IMAGES: usize = 30;
const LEASE_SECONDS: u64 = 5;

/// Sends `command` as `device` and answers its JSON; anything but 200 fails the test.
async fn call(server: SocketAddr, device: &Device, command: &str, body: Value) -> Value {
    let mut conn = Conn::open(server).await.unwrap();
    let (status, head, body) = conn
        .send(
            "POST",
            &format!("/api/call/{command}"),
            Some(&device.token),
            &body.to_string(),
        )
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{command}: {head}{text}");
    serde_json::from_str(&text).unwrap()
}

/// Reserves the next wanted image of `queue` for `device` from position `pos` on (16
/// candidates a claim, as the page asks); the image held and where the walk stands.
async fn claim_next(
    server: SocketAddr,
    device: &Device,
    queue: &[String],
    mut pos: usize,
) -> (Option<String>, usize) {
    while pos < queue.len() {
        let ahead: Vec<&String> = queue[pos..].iter().take(16).collect();
        let claimed = call(
            server,
            device,
            "claim_images",
            json!({"rater": device.rater, "images": ahead, "hold": 1}),
        )
        .await;
        match claimed["held"][0].as_str() {
            Some(held) => {
                let at = ahead.iter().position(|s| *s == held).unwrap();
                return (Some(held.to_owned()), pos + at + 1);
            }
            None => pos += ahead.len(),
        }
    }
    (None, pos)
}

/// The images the team still wants from `device` (the queue's first `needed`), in order.
async fn wanted(server: SocketAddr, device: &Device) -> Vec<String> {
    let queue = call(
        server,
        device,
        "get_score_queue",
        // One seed for both raters: they walk the same order and meet at every image.
        json!({"rater": device.rater, "include_rated": false, "seed": 7, "predicted_first": false}),
    )
    .await;
    let needed = queue["needed"].as_u64().unwrap() as usize;
    queue["items"].as_array().unwrap()[..needed]
        .iter()
        .map(|i| i["sha1"].as_str().unwrap().to_owned())
        .collect()
}

/// Both devices score at once until the team wants nothing more of them; each holds its image
/// a little while before scoring it. Fails if they hold one image at the same moment when
/// `exclusive`; answers how many scores each gave.
async fn rate_at_once(server: SocketAddr, devices: &[Device], exclusive: bool) -> Vec<usize> {
    let holding: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let mut tasks = Vec::new();
    for device in devices.iter().cloned() {
        let holding = holding.clone();
        tasks.push(tokio::spawn(async move {
            let mut given = 0;
            loop {
                let queue = wanted(server, &device).await;
                let mut pos = 0;
                let mut any = false;
                loop {
                    let (held, next) = claim_next(server, &device, &queue, pos).await;
                    pos = next;
                    let Some(sha1) = held else { break };
                    any = true;
                    {
                        let mut now = holding.lock().unwrap();
                        let clash = now.iter().any(|(r, s)| *r != device.rater && *s == sha1);
                        assert!(!(exclusive && clash), "both hold {sha1}: {now:?}");
                        now.insert(device.rater.clone(), sha1.clone());
                    }
                    tokio::time::sleep(Duration::from_millis(15)).await;
                    call(
                        server,
                        &device,
                        "add_score",
                        json!({"rater": device.rater, "sha1": sha1, "value": 6.0}),
                    )
                    .await;
                    holding.lock().unwrap().remove(&device.rater);
                    given += 1;
                }
                if !any {
                    return given;
                }
            }
        }));
    }
    let mut given = Vec::new();
    for t in tasks {
        given.push(t.await.unwrap());
    }
    given
}

/// The team's figures as the Ratings page reads them.
async fn team_figures(server: SocketAddr, device: &Device) -> Value {
    call(server, device, "get_rating_stats", json!({"raters": []})).await["team"].clone()
}

/// How many images of `database` have exactly `n` raters' current scores, read with the
/// store's own reader of the exports (not the team queue's).
async fn images_with(database: &str, n: usize) -> usize {
    let store = image_scorer_core::Store::open_place(database)
        .await
        .unwrap();
    let raters = store.raters_named(&[]).await.unwrap();
    let ratings = store.ratings(raters, false).await.unwrap();
    let count = ratings
        .images
        .iter()
        .filter(|i| i.shown && i.scores.len() == n)
        .count();
    store.close().await;
    count
}

async fn a_team_shares_its_images(database: &str) {
    let home = Home::new();
    let photos = home.scratch("photos");
    team::distinct_photos(&photos, IMAGES);
    let out = home.cli(&["--db", database, "index", photos.to_str().unwrap()]);
    assert!(out.contains(&format!("{IMAGES} images")), "{out}");
    let lease = LEASE_SECONDS.to_string();
    let rule = home.cli(&[
        "--db",
        database,
        "queue-rule",
        "--overlap",
        "1",
        "--lease-seconds",
        &lease,
    ]);
    assert!(rule.contains("1 rater"), "{rule}");
    let server = home.serve_team(database, 0);
    let devices = team::sign_in(database, server.address, 2).await;
    let (ana, ben) = (&devices[0], &devices[1]);

    // Ana takes the first image and leaves: ben is kept off it until her reservation runs out.
    let first = wanted(server.address, ana).await[0].clone();
    let (held, _) = claim_next(server.address, ana, std::slice::from_ref(&first), 0).await;
    assert_eq!(held.as_deref(), Some(first.as_str()));
    let (held, _) = claim_next(server.address, ben, std::slice::from_ref(&first), 0).await;
    assert_eq!(held, None, "ben is sent elsewhere while ana has it");
    let figures = team_figures(server.address, ben).await;
    assert_eq!(figures["leased"], 1, "{figures}");
    tokio::time::sleep(Duration::from_millis(LEASE_SECONDS * 1000 + 300)).await;
    let (held, _) = claim_next(server.address, ben, std::slice::from_ref(&first), 0).await;
    assert_eq!(
        held.as_deref(),
        Some(first.as_str()),
        "ana's reservation ran out"
    );
    let skipped = call(
        server.address,
        ben,
        "release_images",
        json!({"rater": ben.rater, "images": [first]}),
    )
    .await;
    assert_eq!(skipped, Value::Null);
    let figures = team_figures(server.address, ben).await;
    assert_eq!(figures["leased"], 0, "a skip gives it back: {figures}");

    // Overlap 1: both at once, the same order, never the same image; each scored once.
    let given = rate_at_once(server.address, &devices, true).await;
    assert_eq!(given.iter().sum::<usize>(), IMAGES, "{given:?}");
    assert!(given.iter().all(|g| *g > 0), "both rated: {given:?}");
    assert_eq!(images_with(database, 1).await, IMAGES);
    let figures = team_figures(server.address, ana).await;
    assert_eq!(figures["done"], IMAGES, "{figures}");
    assert_eq!(
        (figures["under"].clone(), figures["wanted"].clone()),
        (json!(0), json!(0))
    );

    // Overlap 2: each image wants the other rater too; both may hold one at once.
    home.cli(&["--db", database, "queue-rule", "--overlap", "2"]);
    let figures = team_figures(server.address, ana).await;
    assert_eq!(
        (figures["under"].clone(), figures["wanted"].clone()),
        (json!(IMAGES), json!(IMAGES))
    );
    let given = rate_at_once(server.address, &devices, false).await;
    assert_eq!(given.iter().sum::<usize>(), IMAGES, "{given:?}");
    assert_eq!(images_with(database, 2).await, IMAGES);
    let figures = team_figures(server.address, ben).await;
    assert_eq!(figures["done"], IMAGES, "{figures}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_team_server_on_postgresql() {
    let pg = PgServer::start();
    let url = pg.create_database("team_queue");
    a_team_shares_its_images(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_shared_sqlite_file() {
    let home = Home::new();
    let file = home.scratch("db").join("library.db");
    a_team_shares_its_images(file.to_str().unwrap()).await;
}
