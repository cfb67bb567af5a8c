//! Slow and silent clients against the door's deadlines (lowered so the test is short): a
//! connection that sends nothing is closed after the head's deadline, a body sent a byte at a
//! time is answered 408 at the request's deadline and stores nothing, and a request without a
//! credential is refused before its body is read.

use image_scorer_protocol::commands::GetRatingStats;
use image_scorer_server::{Limits, ServerOptions};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;
use common::pair;

const HEAD_TIME: Duration = Duration::from_secs(1);
const REQUEST_TIME: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_slow_clients_meet_the_deadlines_and_store_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ui = common::ui_folder(tmp.path());
    let (app, hub) = common::desktop_app(tmp.path(), None, 0).await;
    let limits = Limits {
        head_time: HEAD_TIME,
        request_time: REQUEST_TIME,
        ..Limits::default()
    };
    let options = ServerOptions {
        limits,
        ..common::loopback()
    };
    let server = common::door(&app, hub, &ui, options).await;
    let address = server.local_address();
    let credential = pair(address, server.token()).await;

    // Silent: closed at the head's deadline.
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    let opened = Instant::now();
    let mut buffer = [0u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buffer)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "closed: {read:?}");
    assert!(opened.elapsed() >= HEAD_TIME - Duration::from_millis(100));

    // A body a byte every 200 ms: 408 at the request's deadline, nothing stored.
    let body = r#"{"rater":"slow","sha1":"0123456789abcdef0123456789abcdef01234567","value":5}"#;
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/call/add_score HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {credential}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = slow.into_split();
    let trickle = tokio::spawn(async move {
        for byte in body.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < REQUEST_TIME + Duration::from_secs(2));
    trickle.abort();
    let stats = app
        .call(GetRatingStats { raters: Vec::new() })
        .await
        .unwrap();
    assert_eq!(stats.scores, 0);

    // No credential: refused at once, the declared body never sent.
    let mut stranger = tokio::net::TcpStream::connect(address).await.unwrap();
    stranger
        .write_all(
            b"POST /api/call/add_score HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer 00\r\n\
              Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n",
        )
        .await
        .unwrap();
    let asked = Instant::now();
    let mut answer = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(1), stranger.read_exact(&mut answer))
        .await
        .expect("an answer before any body")
        .unwrap();
    assert_eq!(&answer, b"HTTP/1.1 401");
    assert!(asked.elapsed() < Duration::from_secs(1));
    server.stop().await;
    app.close().await;
}
