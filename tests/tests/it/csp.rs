//! The page stays in its box, in both doors: in the desktop's WebKitGTK webview and in a
//! tablet's browser (headless Chromium against the network door), an injected inline script
//! does not run, a `<base>` does not move its addresses, a form cannot post it away, and
//! neither a file path nor another origin can be fetched or shown, even one that would answer
//! (a local server that allows every origin, which is never reached).

use image_scorer_e2e::{App, Home};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A server on the loopback address that answers every request with an image, to anyone (CORS
/// open): the page could read or show it if its policy let it. Counts the requests it gets.
fn open_server() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let counted = counted.clone();
            // A request counts, not a connection opened ahead (a browser may preconnect to
            // an address it sees, and send nothing): each is read on its own thread.
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                if !matches!(stream.read(&mut buffer), Ok(n) if n > 0) {
                    return;
                }
                counted.fetch_add(1, Ordering::SeqCst);
                // A 1 x 1 GIF, which a page may read (CORS) or show.
                const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
                let head = format!(
                    "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: image/gif\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    GIF.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(GIF);
            });
        }
    });
    (url, hits)
}

/// Tries what a hostile page would: returns what got through, as JSON.
const PROBE: &str = r#"
    const [other, done] = arguments;
    const violations = [];
    document.addEventListener('securitypolicyviolation', e => violations.push(e.effectiveDirective));
    const script = document.createElement('script');
    script.textContent = 'window.__injected = 1;';
    document.head.appendChild(script);
    const fetched = url => fetch(url).then(r => r.text()).then(t => t.length > 0, () => false);
    const shown = src => new Promise(ok => {
        const img = new Image();
        img.onload = () => ok(true);
        img.onerror = () => ok(false);
        img.src = src;
    });
    // A <base> would send relative addresses elsewhere; a form would post the page away.
    const base = document.createElement('base');
    base.href = other;
    document.head.appendChild(base);
    const based = document.baseURI.startsWith(other);
    base.remove();
    const form = document.createElement('form');
    form.method = 'post';
    form.action = other + 'form';
    document.body.appendChild(form);
    form.submit();
    form.remove();
    Promise.all([
        fetched('file:///etc/passwd'),
        fetched(other),
        shown('file:///usr/share/pixmaps/debian-logo.png'),
        shown(other + 'x.png'),
    ]).then(([file, http, fileImg, httpImg]) => setTimeout(() => done({
        injected: window.__injected === 1,
        based,
        file, http, fileImg, httpImg,
        violations: [...new Set(violations)].sort(),
    }), 300));
"#;

async fn probe(app: &App, other: &str) -> serde_json::Value {
    app.client
        .execute_async(PROBE, vec![serde_json::Value::String(other.to_owned())])
        .await
        .unwrap()
}

fn assert_boxed(result: &serde_json::Value, hits: &AtomicUsize, door: &str) {
    for what in ["injected", "based", "file", "http", "fileImg", "httpImg"] {
        assert_eq!(
            result[what],
            serde_json::Value::Bool(false),
            "{door}: {what} got through: {result}"
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "{door}: the other origin was reached"
    );
    let violations = result["violations"].to_string();
    assert!(
        ["script-src", "connect-src", "base-uri", "form-action"]
            .iter()
            .all(|d| violations.contains(d)),
        "{door}: the policy did the refusing: {violations}"
    );
}

#[tokio::test]
async fn the_desktop_webview_reaches_only_what_the_app_serves() {
    let home = Home::new();
    let photos = home.photos(&["chelsea.png"]);
    let app = App::start(&home, &[photos.to_str().unwrap()]).await;
    app.wait_for_text("#image-count", "1 image").await;
    let (other, hits) = open_server();
    let result = probe(&app, &other).await;
    assert_boxed(&result, &hits, "desktop");
    app.stop().await;
}

#[tokio::test]
async fn a_tablets_page_reaches_only_the_desktops_library() {
    let home = Home::new();
    let photos = home.photos(&["chelsea.png"]);
    home.cli(&["index", photos.to_str().unwrap()]);
    let served = home.serve();
    let tablet = App::tablet(&served.url, 768, 1024).await;
    tablet.wait_for_text("#image-count", "1 image").await;
    let (other, hits) = open_server();
    let result = probe(&tablet, &other).await;
    assert_boxed(&result, &hits, "tablet");
    tablet.stop().await;
    drop(served);
}
