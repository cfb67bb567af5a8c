//! Helpers of the door's tests: an app with a door on the loopback address, the shared photos
//! and raw HTTP/1.1 requests written byte for byte.
#![allow(dead_code)] // each test binary uses its own subset

use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::GetState;
use image_scorer_server::{DirAssets, EventHub, Server, ServerOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A one-page UI folder under `root`.
pub fn ui_folder(root: &Path) -> PathBuf {
    let ui = root.join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<html>the ui</html>").unwrap();
    ui
}

/// An app with its data under `root` and the events a door forwards, started, watching
/// `photos` (when given) once `images` of them are indexed.
pub async fn desktop_app(root: &Path, photos: Option<&Path>, images: u32) -> (App, EventHub) {
    let hub = EventHub::default();
    let mut config = AppConfig::in_folders(root.join("data"), root.join("cache"));
    config.low_priority = false;
    let app = App::open(config, Arc::new(hub.clone())).await.unwrap();
    app.start();
    if let Some(photos) = photos {
        app.open_folder(photos).await.unwrap();
        until_indexed(&app, images).await;
    }
    (app, hub)
}

/// Waits (up to a minute) until `n` images are indexed.
pub async fn until_indexed(app: &App, n: u32) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ok = app.call(GetState {}).await.unwrap().library.counts.ok;
        if ok >= n {
            return;
        }
        assert!(Instant::now() < deadline, "{ok} of {n} indexed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The options of a door on the loopback address, on any free port.
pub fn loopback() -> ServerOptions {
    ServerOptions {
        bind: std::net::Ipv4Addr::LOCALHOST.into(),
        port: 0,
        ..ServerOptions::default()
    }
}

/// Starts a door for `app` serving the UI folder `ui`.
pub async fn door(app: &App, hub: EventHub, ui: &Path, options: ServerOptions) -> Server {
    let assets = Arc::new(DirAssets::open(ui).unwrap());
    Server::start(app.clone(), hub, assets, options)
        .await
        .unwrap()
}

/// The shared fixture photo `name` (missing: the test fails).
pub fn fixture(name: &str) -> PathBuf {
    let dir = std::env::var_os("IMAGE_SCORER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/images")
        });
    let path = dir.join(name);
    assert!(path.is_file(), "fixture {} is missing", path.display());
    path
}

/// The status and body of one raw HTTP/1.1 request (the server must answer and close
/// within 20 s).
pub async fn raw(address: SocketAddr, request: &[u8]) -> (u16, Vec<u8>) {
    raw_from(std::net::Ipv4Addr::LOCALHOST, address, request).await
}

/// A request with these extra header lines and body.
pub fn request(method: &str, path: &str, headers: &[String], body: &str) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    if method == "POST" {
        r.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r.into_bytes()
}

pub fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

/// [`raw`] from the loopback address `source` (127.0.0.2 and up: another machine of the LAN
/// as the server sees it).
pub async fn raw_from(
    source: std::net::Ipv4Addr,
    address: SocketAddr,
    request: &[u8],
) -> (u16, Vec<u8>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source.into(), 0)).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        let _ = stream.write_all(request).await;
        let _ = stream.read_to_end(&mut answer).await;
    })
    .await
    .expect("an answer within 20 s");
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let body = match answer.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => answer[i + 4..].to_vec(),
        None => Vec::new(),
    };
    (status, body)
}

/// Pairs a device with the desktop's pairing `code` from the loopback address: its own
/// credential.
pub async fn pair(address: SocketAddr, code: &str) -> String {
    let (status, body) = raw(address, &request("POST", "/api/pair", &[bearer(code)], "")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    answer["token"].as_str().unwrap().to_owned()
}
