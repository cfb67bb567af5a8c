//! The UI's files over the network, served through a resolver that reads the name from disk
//! as a development build's does (`cargo tauri dev`): a name that could reach beyond the UI's
//! folder, spelled plainly or encoded, is refused before the resolver sees it, and a file
//! beside the folder is never sent.

use image_scorer_core::{App, AppConfig};
use image_scorer_server::{Assets, EventHub, Server, ServerOptions};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common;
use common::{raw, request};

/// Reads `root.join(name)`, whatever the name, and remembers every name it was asked for.
struct DiskResolver {
    root: PathBuf,
    asked: Mutex<Vec<String>>,
}

impl Assets for DiskResolver {
    fn get(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)> {
        self.asked.lock().unwrap().push(name.to_owned());
        let bytes = std::fs::read(self.root.join(name)).ok()?;
        Some((Cow::Owned(bytes), "text/plain".into()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_leave_the_ui_folder_never_reach_a_disk_resolver() {
    let tmp = tempfile::tempdir().unwrap();
    let ui = tmp.path().join("site").join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<html>the ui</html>").unwrap();
    std::fs::write(ui.join(".env"), "hidden").unwrap();
    std::fs::write(tmp.path().join("site").join("secret.txt"), "SECRET").unwrap();
    let resolver = Arc::new(DiskResolver {
        root: ui.clone(),
        asked: Mutex::default(),
    });
    let config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    let hub = EventHub::default();
    let app = App::open(config, Arc::new(hub.clone())).await.unwrap();
    let server = Server::start(
        app.clone(),
        hub,
        resolver.clone(),
        ServerOptions {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            lifetime: Duration::from_secs(600),
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap();
    let address = server.local_address();

    let (status, body) = raw(address, &request("GET", "/index.html", &[], "")).await;
    assert_eq!(
        (status, body.as_slice()),
        (200, &b"<html>the ui</html>"[..])
    );
    for path in [
        "/..%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/%2e%2e/secret.txt",
        "/..%5Csecret.txt",
        "/%252e%252e%252fsecret.txt",
        "/.env",
        "/%2Eenv",
        "/..",
        "/%2E%2E",
        "/index.html%00",
    ] {
        let (status, body) = raw(address, &request("GET", path, &[], "")).await;
        assert!(
            (400..500).contains(&status),
            "{path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("SECRET")
                && !String::from_utf8_lossy(&body).contains("hidden"),
            "{path} leaked a file"
        );
    }
    // The resolver only ever saw the plain name.
    assert_eq!(*resolver.asked.lock().unwrap(), ["index.html"]);
    server.stop().await;
    app.close().await;
}
