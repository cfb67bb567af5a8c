//! Installing a model pack in one step (real ONNX Runtime, the shared stand-in models): from a
//! folder, from a .zip, and from a .zip on a local HTTP server (a first download cut off half
//! way, then resumed with a Range request, checked against its SHA-256). A pack is listed only
//! once whole and valid: a wrong checksum, a pack missing a model and a zip with an entry
//! leaving its folder are refused with the reason and leave nothing behind.

use crate::common;

use common::{models_dir, ort_library, until, until_indexed};
use image_scorer_core::app::pack_install::{PackSource, Progress};
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{GetPredictor, GetScoreState, SetPack};
use sha2::Digest;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// A zip of the stand-in + LAION pack named `name`, its files inside a folder; with `extra`
/// entries (name, bytes) added, and `drop_head` leaving the head's model out.
fn pack_zip(name: &str, extra: &[(&str, &[u8])], drop_head: bool) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        let manifest = common::STANDIN_LAION.replace("Stand-in + LAION", name);
        zip.start_file("pack/pack.toml", options).unwrap();
        zip.write_all(manifest.as_bytes()).unwrap();
        for model in common::STANDIN_LAION_MODELS {
            if drop_head && model.starts_with("aesthetic") {
                continue;
            }
            zip.start_file(format!("pack/{model}"), options).unwrap();
            zip.write_all(&std::fs::read(models_dir().join(model)).unwrap())
                .unwrap();
        }
        for (entry, bytes) in extra {
            zip.start_file(*entry, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// Serves `body` at any path on the loopback address: the first request gets only half of it
/// (then the connection drops); later ones honour `Range: bytes=N-` with a 206. The ranges
/// asked for are kept.
fn serve(body: Vec<u8>) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/packs/served.zip", listener.local_addr().unwrap());
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                request.push(byte[0]);
            }
            let request = String::from_utf8_lossy(&request).to_lowercase();
            let from: usize = request
                .lines()
                .find_map(|l| l.strip_prefix("range: bytes="))
                .and_then(|r| {
                    r.trim_end_matches('-')
                        .trim()
                        .trim_end_matches('-')
                        .parse()
                        .ok()
                })
                .unwrap_or(0);
            seen.lock().unwrap().push(format!("from {from}"));
            let rest = &body[from..];
            let head = if from > 0 {
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
                    rest.len(),
                    body.len() - 1,
                    body.len()
                )
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    rest.len()
                )
            };
            let _ = stream.write_all(head.as_bytes());
            let cut = if n == 0 { rest.len() / 2 } else { rest.len() };
            let _ = stream.write_all(&rest[..cut]);
        }
    });
    (url, asked)
}

async fn listed(app: &App) -> Vec<String> {
    let state = app.call(GetPredictor {}).await.unwrap();
    state.packs.into_iter().map(|p| p.id).collect()
}

fn hidden_left(packs: &Path) -> Vec<String> {
    std::fs::read_dir(packs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".installing"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packs_install_from_a_folder_a_zip_and_a_url_and_bad_ones_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.onnx_runtime = vec![ort_library()];
    config.low_priority = false;
    let packs = config.packs_dir();
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    app.start();
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::copy(
        common::fixture_path("chelsea.png"),
        photos.join("chelsea.png"),
    )
    .unwrap();
    app.open_folder(&photos).await.unwrap();
    until_indexed(&app, 1).await;
    let bytes = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let progress: Progress = {
        let (bytes, calls) = (bytes.clone(), calls.clone());
        Arc::new(move |done, _| {
            bytes.store(done, Ordering::SeqCst);
            calls.fetch_add(1, Ordering::SeqCst);
        })
    };

    // From a folder (its models are links to the shared ones: their content is copied).
    let folder = common::install_pack(
        &tmp.path().join("downloaded").join("my pack"),
        common::STANDIN_LAION,
        common::STANDIN_LAION_MODELS,
    );
    let info = app
        .install_pack(PackSource::Folder(folder), progress.clone())
        .await
        .unwrap();
    assert_eq!(
        (info.id.as_str(), info.has_head, info.problem.as_deref()),
        ("packs/stand-in-laion", true, None)
    );
    assert!(!packs
        .join("stand-in-laion/standin-encoder-d768.onnx")
        .is_symlink());
    assert!(bytes.load(Ordering::SeqCst) > 3_000_000 && calls.load(Ordering::SeqCst) > 1);
    until("the only pack is used", || async {
        app.call(GetPredictor {}).await.unwrap().active.as_deref() == Some("packs/stand-in-laion")
    })
    .await;
    // Installing it again is refused: the installed one stays.
    let again = common::install_pack(
        &tmp.path().join("again"),
        common::STANDIN_LAION,
        common::STANDIN_LAION_MODELS,
    );
    let refused = app
        .install_pack(PackSource::Folder(again), progress.clone())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("already installed"),
        "{refused}"
    );

    // From a zip.
    let zip = tmp.path().join("zipped.zip");
    std::fs::write(&zip, pack_zip("Zipped", &[], false)).unwrap();
    let info = app
        .install_pack(PackSource::Zip(zip), progress.clone())
        .await
        .unwrap();
    assert_eq!(info.id, "packs/zipped");

    // Bad ones: a missing model, an entry leaving the zip, a wrong checksum.
    let missing = tmp.path().join("missing.zip");
    std::fs::write(&missing, pack_zip("Missing head", &[], true)).unwrap();
    let refused = app
        .install_pack(PackSource::Zip(missing), progress.clone())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("missing"), "{refused}");
    let evil = tmp.path().join("evil.zip");
    std::fs::write(&evil, pack_zip("Evil", &[("../../evil.txt", b"x")], false)).unwrap();
    let refused = app
        .install_pack(PackSource::Zip(evil), progress.clone())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("points outside"), "{refused}");
    assert!(!tmp.path().join("evil.txt").exists() && !packs.join("../evil.txt").exists());

    // From a URL: cut off half way, then resumed; checked against its SHA-256.
    let body = pack_zip("Served", &[], false);
    let sha256 = hex::encode(sha2::Sha256::digest(&body));
    let (url, asked) = serve(body.clone());
    let wrong = "0".repeat(64);
    let cut = app
        .install_pack(
            PackSource::Url {
                url: url.clone(),
                sha256: Some(sha256.clone()),
            },
            progress.clone(),
        )
        .await
        .unwrap_err();
    assert!(cut.to_string().contains("install again to resume"), "{cut}");
    let info = app
        .install_pack(
            PackSource::Url {
                url: url.clone(),
                sha256: Some(sha256.clone()),
            },
            progress.clone(),
        )
        .await
        .unwrap();
    assert_eq!(info.id, "packs/served");
    let ranges = asked.lock().unwrap().clone();
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!(ranges[0], "from 0");
    assert_eq!(
        ranges[1],
        format!("from {}", body.len() / 2),
        "resumed where it stopped"
    );
    assert_eq!(bytes.load(Ordering::SeqCst), body.len() as u64);
    // The same file under another address with a wrong checksum: refused, discarded.
    let (other, _) = serve(body);
    let _ = app
        .install_pack(
            PackSource::Url {
                url: other.clone(),
                sha256: Some(wrong.clone()),
            },
            progress.clone(),
        )
        .await;
    let refused = app
        .install_pack(
            PackSource::Url {
                url: other,
                sha256: Some(wrong),
            },
            progress.clone(),
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("SHA-256"), "{refused}");

    // A pack installed later (one that sorts first) does not take the place of the one in use.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let p = app.call(GetPredictor {}).await.unwrap();
    assert_eq!(p.active.as_deref(), Some("packs/stand-in-laion"));
    let ids = listed(&app).await;
    assert_eq!(
        ids,
        ["packs/served", "packs/stand-in-laion", "packs/zipped"],
        "only the good ones"
    );
    assert!(hidden_left(&packs).is_empty(), "{:?}", hidden_left(&packs));

    // An installed pack predicts.
    app.call(SetPack {
        id: "packs/served".into(),
    })
    .await
    .unwrap();
    until("the served pack predicts", || async {
        let p = app.call(GetPredictor {}).await.unwrap();
        p.problem.is_none() && p.progress.done == 1 && !p.progress.running
    })
    .await;
    let sha1 = common::sha1(&common::fixture("chelsea.png"));
    let state = app
        .call(GetScoreState {
            rater: "me".into(),
            sha1,
        })
        .await
        .unwrap();
    assert!(state.predicted.is_some_and(f64::is_finite));
    app.close().await;
}
