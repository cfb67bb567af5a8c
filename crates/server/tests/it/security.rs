//! The network door against real requests on the loopback address, written byte for byte (so a
//! path is sent as spelled, `..` and all): every route refuses a request without the token,
//! with another, expired, or from another origin; only library images are served, by hash and
//! with the image key; an oversized request is refused and changes nothing; commands reach the
//! app under the device's rater, two devices at once lose nothing, the desktop-only commands are
//! refused; events stream; after Stop nothing answers.

use image_scorer_core::App;
use image_scorer_protocol::commands::GetRater;
use image_scorer_server::{Server, ServerOptions};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;
use common::{bearer, fixture, raw, raw_from, request};

const EVIL: &str = "http://evil.example";

/// An app over a folder with two photos, its server on the loopback address, and the folder.
struct Setup {
    app: App,
    server: Server,
    /// A paired device's credential.
    device: String,
    photos: PathBuf,
    _tmp: tempfile::TempDir,
}

async fn setup(lifetime: Duration) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for name in ["chelsea.png", "coffee.png"] {
        std::fs::copy(fixture(name), photos.join(name)).unwrap();
    }
    let ui = common::ui_folder(tmp.path());
    std::fs::write(ui.join("app.js"), "export {}").unwrap();
    let (app, hub) = common::desktop_app(tmp.path(), Some(&photos), 2).await;
    let options = ServerOptions {
        lifetime,
        max_body: 64 * 1024,
        ..common::loopback()
    };
    let server = common::door(&app, hub, &ui, options).await;
    let device = common::pair(server.local_address(), server.token()).await;
    Setup {
        app,
        server,
        device,
        photos,
        _tmp: tmp,
    }
}

async fn call(s: &Setup, command: &str, body: &str) -> (u16, serde_json::Value) {
    let (status, body) = raw(
        s.server.local_address(),
        &request(
            "POST",
            &format!("/api/call/{command}"),
            &[bearer(&s.device)],
            body,
        ),
    )
    .await;
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

fn sha1_of(path: &Path) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(std::fs::read(path).unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_a_request_without_the_token_or_from_another_origin() {
    let s = setup(Duration::from_secs(600)).await;
    let address = s.server.local_address();
    let token = s.device.clone();
    let routes = [
        ("POST", "/api/call/get_state"),
        ("POST", "/api/session"),
        ("GET", "/api/events"),
    ];
    // The refused requests come from other addresses of the LAN (127.0.0.3 and up), as a
    // stranger's would: an address with more than five wrong tokens waits (429) before it is
    // heard again.
    for (k, (method, path)) in routes.into_iter().enumerate() {
        let stranger = Ipv4Addr::new(127, 0, 0, 3 + k as u8);
        let none = raw_from(stranger, address, &request(method, path, &[], ""))
            .await
            .0;
        let wrong = raw_from(
            stranger,
            address,
            &request(method, path, &[bearer(&"0".repeat(32))], ""),
        )
        .await
        .0;
        let cookie = raw_from(
            stranger,
            address,
            &request(method, path, &[format!("Cookie: token={token}")], ""),
        )
        .await
        .0;
        let other = raw(
            address,
            &request(
                method,
                path,
                &[bearer(&token), format!("Origin: {EVIL}")],
                "",
            ),
        )
        .await
        .0;
        assert_eq!(
            (none, wrong, cookie, other),
            (401, 401, 401, 403),
            "{method} {path}"
        );
    }
    // With the token, from the page's own origin.
    let (status, body) = raw(
        address,
        &request(
            "POST",
            "/api/call/get_state",
            &[bearer(&token), "Origin: http://127.0.0.1".into()],
            "{}",
        ),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let state: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(state["library"]["counts"]["ok"], 2);
    // A guesser waits after five wrong tokens; the paired device does not.
    let guesser = Ipv4Addr::new(127, 0, 0, 9);
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let wrong = request("POST", "/api/session", &[bearer(&"1".repeat(32))], "");
        statuses.push(raw_from(guesser, address, &wrong).await.0);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 401, 429]);
    let mine = request("POST", "/api/session", &[bearer(&token)], "");
    assert_eq!(raw(address, &mine).await.0, 200);
    // A page under another name (DNS rebinding) is not answered, token or not.
    let rebound = String::from_utf8(mine)
        .unwrap()
        .replace("Host: 127.0.0.1", "Host: rebind.evil.example:8765");
    let (status, body) = raw(address, rebound.as_bytes()).await;
    assert_eq!(status, 421, "{}", String::from_utf8_lossy(&body));
    // No answer carries a CORS permission.
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"OPTIONS /api/call/get_state HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(
        !answer.to_ascii_lowercase().contains("access-control-allow"),
        "{answer}"
    );
    s.server.stop().await;
    s.app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_library_images_are_served_by_hash_with_the_image_key() {
    let s = setup(Duration::from_secs(600)).await;
    let address = s.server.local_address();
    let (status, session) = call(&s, "../session", "").await;
    assert_ne!(status, 200, "no route escapes /api/call");
    let (status, body) = raw(
        address,
        &request("POST", "/api/session", &[bearer(&s.device)], ""),
    )
    .await;
    assert_eq!(status, 200);
    let session: serde_json::Value = serde_json::from_slice(&body).unwrap_or(session);
    let key = session["image_key"].as_str().unwrap().to_owned();
    assert_ne!(key, s.server.token());

    let cat = s.photos.join("chelsea.png");
    let sha1 = sha1_of(&cat);
    let get = |path: String| async move { raw(address, &request("GET", &path, &[], "")).await };
    let (status, bytes) = get(format!("/image/{sha1}?key={key}")).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, std::fs::read(&cat).unwrap(), "the file's own bytes");
    let (status, thumb) = get(format!("/image/thumb/{sha1}?key={key}")).await;
    assert_eq!(status, 200);
    assert_eq!(&thumb[..2], &[0xff, 0xd8], "a JPEG thumbnail");
    assert_eq!(get(format!("/image/{sha1}")).await.0, 401);
    assert_eq!(
        get(format!("/image/{sha1}?key={}", s.server.token()))
            .await
            .0,
        401
    );
    // Content that is not in the library, and paths that try to leave it.
    let outside = sha1_of(&fixture("rocket.jpg"));
    assert_eq!(get(format!("/image/{outside}?key={key}")).await.0, 404);
    for path in [
        format!("/image/../../../../etc/passwd?key={key}"),
        format!("/image/..%2f..%2f..%2fetc%2fpasswd?key={key}"),
        format!("/image/thumb/%2e%2e?key={key}"),
        format!("/image/{}?key={key}", sha1.to_uppercase()),
        "/../Cargo.toml".into(),
        "/..%2fCargo.toml".into(),
        "/%2e%2e/%2e%2e/etc/passwd".into(),
    ] {
        let (status, body) = get(path.clone()).await;
        assert!(
            status == 404 || status == 400,
            "{path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    // The UI's files, by their exact names only.
    let (status, body) = get("/".into()).await;
    assert_eq!(
        (status, body.as_slice()),
        (200, &b"<html>the ui</html>"[..])
    );
    assert_eq!(get("/app.js".into()).await.0, 200);
    assert_eq!(get("/nothing.js".into()).await.0, 404);
    s.server.stop().await;
    s.app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_reach_the_app_under_the_devices_rater_and_two_devices_lose_nothing() {
    let s = setup(Duration::from_secs(600)).await;
    let desktop = s.app.call(GetRater {}).await.unwrap().name;
    let (status, rater) = call(&s, "set_rater", r#"{"name":"couch"}"#).await;
    assert_eq!((status, rater["name"].as_str()), (200, Some("couch")));
    assert!(rater["all"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "couch"));
    assert_eq!(
        s.app.call(GetRater {}).await.unwrap().name,
        desktop,
        "a device's choice is not the desktop's"
    );

    let sha1s = [
        sha1_of(&s.photos.join("chelsea.png")),
        sha1_of(&s.photos.join("coffee.png")),
    ];
    // Two devices score at once, 20 scores each.
    let mut tasks = Vec::new();
    for device in ["couch", "kitchen"] {
        let address = s.server.local_address();
        let code = s.server.token().to_owned();
        let sha1s = sha1s.clone();
        tasks.push(tokio::spawn(async move {
            let token = common::pair(address, &code).await;
            for k in 0..20 {
                let body = format!(
                    r#"{{"rater":"{device}","sha1":"{}","value":{}}}"#,
                    sha1s[k % 2],
                    1 + k % 10
                );
                let (status, answer) = raw(
                    address,
                    &request("POST", "/api/call/add_score", &[bearer(&token)], &body),
                )
                .await;
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let db = s.app.store().file_path().await.unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let by: Vec<(String, i64)> = conn
        .prepare(
            "SELECT r.name, COUNT(*) FROM judgements j JOIN raters r ON r.id = j.rater_id
              WHERE j.kind = 'score' GROUP BY r.name ORDER BY r.name",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(by, [("couch".to_owned(), 20), ("kitchen".to_owned(), 20)]);

    // Undo over the network undoes that device's rater's last score.
    let (status, undone) = call(&s, "undo", r#"{"rater":"couch"}"#).await;
    assert_eq!(status, 200);
    assert!(undone.is_object(), "{undone}");

    // The desktop-only commands are refused with the reason; an unknown one is not found.
    for command in ["choose_folder", "export", "remove_folder", "set_pack"] {
        let (status, error) = call(&s, command, "{}").await;
        assert_eq!(status, 422, "{command}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("not available from another device"),
            "{error}"
        );
    }
    let (status, error) = call(&s, "drop_tables", "{}").await;
    assert_eq!((status, error["kind"].as_str()), (422, Some("not_found")));
    let (status, error) = call(&s, "add_score", r#"{"rater":"couch"}"#).await;
    assert_eq!(
        (status, error["kind"].as_str()),
        (422, Some("invalid_input"))
    );
    s.server.stop().await;
    s.app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_is_refused_and_changes_nothing() {
    let s = setup(Duration::from_secs(600)).await;
    let sha1 = sha1_of(&s.photos.join("chelsea.png"));
    let padding = "x".repeat(200 * 1024);
    let body = format!(r#"{{"rater":"couch","sha1":"{sha1}","value":7,"pad":"{padding}"}}"#);
    let (status, _) = call(&s, "add_score", &body).await;
    assert_eq!(status, 413);
    let db = s.app.store().file_path().await.unwrap();
    let count: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM judgements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
    // A declared length far beyond the limit, with no body behind it.
    let mut huge = format!(
        "POST /api/call/add_score HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\nContent-Length: 10000000000\r\nConnection: close\r\n\r\n",
        bearer(&s.device)
    )
    .into_bytes();
    huge.extend_from_slice(b"{}");
    // Refused at once, on the declared length (the connection may stay open for the rest).
    let mut stream = tokio::net::TcpStream::connect(s.server.local_address())
        .await
        .unwrap();
    stream.write_all(&huge).await.unwrap();
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer))
            .await
            .expect("an answer within 20 s")
            .unwrap();
        assert!(n > 0, "closed without an answer");
        head.extend_from_slice(&buffer[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    drop(stream);
    assert_eq!(call(&s, "get_state", "{}").await.0, 200, "still answering");
    s.server.stop().await;
    s.app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_pairing_is_refused() {
    // A device paired in time; then the pairing runs out.
    let s = setup(Duration::from_secs(2)).await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let (status, error) = call(&s, "get_state", "{}").await;
    assert_eq!(status, 401);
    assert!(
        error["message"].as_str().unwrap().contains("expired"),
        "{error}"
    );
    // Nor can a device pair with it any more.
    let (status, body) = raw(
        s.server.local_address(),
        &request("POST", "/api/pair", &[bearer(s.server.token())], ""),
    )
    .await;
    assert_eq!(status, 401);
    assert!(String::from_utf8_lossy(&body).contains("expired"));
    s.server.stop().await;
    s.app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_until_stop_and_then_nothing_answers() {
    let s = setup(Duration::from_secs(600)).await;
    let address = s.server.local_address();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(&request("GET", "/api/events", &[bearer(&s.device)], ""))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    // The head of the answer first.
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
        let n = stream.read(&mut buffer).await.unwrap();
        seen.extend_from_slice(&buffer[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).contains("text/event-stream"));
    for _ in 0..100 {
        if s.server.sessions() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(s.server.sessions(), 1);
    // A new photo: the library's event reaches the stream.
    std::fs::copy(fixture("rocket.jpg"), s.photos.join("rocket.jpg")).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&seen).contains("event: library-changed") {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buffer))
            .await
            .expect("library-changed within 20 s")
            .unwrap();
        seen.extend_from_slice(&buffer[..n]);
    }
    // Stop ends the stream and the listener.
    s.server.stop().await;
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the event stream ended at Stop");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "nothing listens"
    );
    s.app.close().await;
}
