//! Model packs made to hurt, installed as a user would (real ONNX Runtime, the shared stand-in
//! models): a zip bomb (a small file that unpacks to many times its size), a zip over the bytes
//! a pack may unpack to, 100,000 entries, a link, an absolute path, a model path with `..`, a
//! download that never ends, a plain-http address without a SHA-256, and an https address that
//! redirects to plain http (its server trusted through the app's own roots). Each is refused with
//! its reason; nothing is left in the packs folder and its disk use is back where it was. The
//! caps are the app's own ([`PackLimits`]), lowered so the test stays small.

use crate::common;

use common::{models_dir, ort_library};
use image_scorer_core::app::pack_install::{PackLimits, PackSource, Progress};
use image_scorer_core::{App, AppConfig};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const UNPACKED: u64 = 32 << 20;
const DOWNLOAD: u64 = 8 << 20;

/// A zip of the stand-in + LAION pack at its root, `manifest` as its pack.toml, and what
/// `more` adds to it.
fn zip_of(
    path: &Path,
    manifest: &str,
    more: impl FnOnce(&mut zip::ZipWriter<std::fs::File>),
) -> PathBuf {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("pack.toml", options).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    for model in common::STANDIN_LAION_MODELS {
        zip.start_file(*model, options).unwrap();
        zip.write_all(&std::fs::read(models_dir().join(model)).unwrap())
            .unwrap();
    }
    more(&mut zip);
    zip.finish().unwrap();
    path.to_owned()
}

/// The files under `dir` and their bytes in all.
fn disk_use(dir: &Path) -> (Vec<String>, u64) {
    let mut files = Vec::new();
    let mut bytes = 0;
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            files.push(entry.path().display().to_string());
            bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    (files, bytes)
}

/// Serves an endless body of zeros (no length) on the loopback address.
fn endless() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/pack.zip", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let zeros = vec![0u8; 1 << 16];
                while stream.write_all(&zeros).is_ok() {}
            });
        }
    });
    url
}

async fn refused(app: &App, source: PackSource, packs: &Path) -> String {
    let progress: Progress = Arc::new(|_, _| {});
    let message = match app.install_pack(source, progress).await {
        Ok(pack) => panic!("installed: {pack:?}"),
        Err(e) => e.to_string(),
    };
    let (left, bytes) = disk_use(packs);
    assert!(left.is_empty() && bytes == 0, "{message}: left {left:?}");
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_packs_are_refused_with_their_reason_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = AppConfig::in_folders(tmp.path().join("data"), tmp.path().join("cache"));
    config.onnx_runtime = vec![ort_library()];
    config.pack_limits = PackLimits {
        entries: 100,
        unpacked_bytes: UNPACKED,
        ratio: 100,
        download_bytes: DOWNLOAD,
    };
    let packs = config.packs_dir();
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    std::fs::create_dir_all(&packs).unwrap();
    assert_eq!(disk_use(&packs).1, 0);
    let manifest = common::STANDIN_LAION;
    let dir = tmp.path();
    let zip_source = |path: PathBuf| PackSource::Zip(path);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    let deflated = zip::write::SimpleFileOptions::default();

    // A bomb: 64 MiB of zeros in well under a MiB.
    let bomb = zip_of(&dir.join("bomb.zip"), manifest, |zip| {
        zip.start_file("weights.bin", deflated).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            zip.write_all(&zeros).unwrap();
        }
    });
    assert!(std::fs::metadata(&bomb).unwrap().len() < 5 << 20);
    let message = refused(&app, zip_source(bomb), &packs).await;
    assert!(message.contains("zip bomb"), "{message}");

    // More bytes than a pack may unpack to, packed honestly.
    let big = zip_of(&dir.join("big.zip"), manifest, |zip| {
        zip.start_file("weights.bin", stored).unwrap();
        let noise: Vec<u8> = (0..(UNPACKED + (1 << 20)))
            .map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        zip.write_all(&noise).unwrap();
    });
    let message = refused(&app, zip_source(big), &packs).await;
    assert!(message.contains("more than 32 MiB"), "{message}");

    // 100,000 entries.
    let many = zip_of(&dir.join("many.zip"), manifest, |zip| {
        for k in 0..100_000 {
            zip.start_file(format!("e/{k}"), stored).unwrap();
        }
    });
    let message = refused(&app, zip_source(many), &packs).await;
    assert!(message.contains("100003 entries"), "{message}");

    // A link, and an absolute path.
    let link = zip_of(&dir.join("link.zip"), manifest, |zip| {
        zip.add_symlink("passwd", "/etc/passwd", deflated).unwrap();
    });
    let message = refused(&app, zip_source(link), &packs).await;
    assert!(message.contains("is a link"), "{message}");
    let absolute = zip_of(&dir.join("absolute.zip"), manifest, |zip| {
        zip.start_file("/tmp/evil.txt", deflated).unwrap();
        zip.write_all(b"evil").unwrap();
    });
    let message = refused(&app, zip_source(absolute), &packs).await;
    assert!(message.contains("points outside it"), "{message}");

    // A model path leaving the pack (the model sits beside the zip's folder).
    let escaping = manifest.replace(
        "file = \"standin-encoder-d768.onnx\"",
        "file = \"../standin-encoder-d768.onnx\"",
    );
    assert_ne!(escaping, manifest);
    std::fs::copy(
        models_dir().join("standin-encoder-d768.onnx"),
        packs.join("standin-encoder-d768.onnx"),
    )
    .unwrap();
    let progress: Progress = Arc::new(|_, _| {});
    let outside = zip_of(&dir.join("outside.zip"), &escaping, |_| {});
    let message = app
        .install_pack(zip_source(outside), progress)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("must be a path inside the pack"),
        "{message}"
    );
    std::fs::remove_file(packs.join("standin-encoder-d768.onnx")).unwrap();
    assert_eq!(disk_use(&packs), (Vec::new(), 0));

    // A download that never ends: refused at the cap, its part deleted.
    let url = endless();
    let message = refused(
        &app,
        PackSource::Url {
            url: url.clone(),
            sha256: Some("0".repeat(64)),
        },
        &packs,
    )
    .await;
    assert!(message.contains("larger than 8 MiB"), "{message}");
    // Plain http without a SHA-256: refused before anything is fetched.
    let message = refused(&app, PackSource::Url { url, sha256: None }, &packs).await;
    assert!(message.contains("plain http"), "{message}");

    // The caps leave a real pack alone.
    let fine = zip_of(&dir.join("fine.zip"), manifest, |_| {});
    let progress: Progress = Arc::new(|_, _| {});
    let pack = app.install_pack(zip_source(fine), progress).await.unwrap();
    assert_eq!(pack.id, "packs/stand-in-laion");
    app.close().await;
}

/// Answers each request over TLS (a certificate for 127.0.0.1) with what `answer` gives for
/// its path, on the loopback address; returns the server's address and its certificate's PEM.
fn https_server(answer: fn(&str) -> Vec<u8>) -> (std::net::SocketAddr, String) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![certified.cert.der().clone()];
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                let connection = rustls::ServerConnection::new(config).unwrap();
                let mut stream = rustls::StreamOwned::new(connection, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head);
                let path = head.split(' ').nth(1).unwrap_or("/");
                let _ = stream.write_all(&answer(path));
                let _ = stream.flush();
                stream.conn.send_close_notify();
                let _ = stream.flush();
            });
        }
    });
    (address, certified.cert.pem())
}

/// The stand-in pack as a zip, once per test process.
fn pack_zip() -> &'static [u8] {
    static ZIP: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    ZIP.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = zip_of(&dir.path().join("pack.zip"), common::STANDIN_LAION, |_| {});
        std::fs::read(path).unwrap()
    })
}

/// Serves the pack over plain http on the loopback address, to whoever asks.
fn plain_pack_server() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let zip = pack_zip();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                zip.len()
            );
            let _ = stream.write_all(zip);
        }
    });
    address
}

static PLAIN: std::sync::OnceLock<std::net::SocketAddr> = std::sync::OnceLock::new();

/// The https server's answers: `/pack.zip` the pack itself, `/moved.zip` a redirect to the
/// same pack over plain http.
fn answer(path: &str) -> Vec<u8> {
    if path == "/moved.zip" {
        let plain = PLAIN.get().unwrap();
        return format!(
            "HTTP/1.1 302 Found\r\nLocation: http://{plain}/pack.zip\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .into_bytes();
    }
    let zip = pack_zip();
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        zip.len()
    )
    .into_bytes();
    out.extend_from_slice(zip);
    out
}

/// The app in `dir` with its default caps, its pack downloads trusting the certificates in
/// `roots` besides the public ones, and its packs folder (made, empty).
async fn app_trusting(dir: &Path, roots: Option<PathBuf>) -> (App, PathBuf) {
    let mut config = AppConfig::in_folders(dir.join("data"), dir.join("cache"));
    config.onnx_runtime = vec![ort_library()];
    config.pack_roots = roots;
    let packs = config.packs_dir();
    let app = App::open(config, Arc::new(image_scorer_core::app::NullSink))
        .await
        .unwrap();
    std::fs::create_dir_all(&packs).unwrap();
    (app, packs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_download_that_redirects_to_plain_http_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    PLAIN.get_or_init(plain_pack_server);
    let (address, certificate) = https_server(answer);
    let roots = tmp.path().join("roots.pem");
    std::fs::write(&roots, certificate).unwrap();
    let (app, packs) = app_trusting(tmp.path(), Some(roots)).await;

    // Redirected from https to http (where the same pack waits): refused, nothing kept.
    let url = format!("https://{address}/moved.zip");
    let message = refused(&app, PackSource::Url { url, sha256: None }, &packs).await;
    assert!(
        message.contains("sent the download to a plain http address, which is refused"),
        "{message}"
    );

    // The same server's own https address installs the pack: the refusal was the redirect's.
    let url = format!("https://{address}/pack.zip");
    let progress: Progress = Arc::new(|_, _| {});
    let pack = app
        .install_pack(PackSource::Url { url, sha256: None }, progress)
        .await
        .unwrap();
    assert_eq!(pack.id, "packs/stand-in-laion");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_from_an_untrusted_certificate_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (address, _) = https_server(answer);
    let (app, packs) = app_trusting(tmp.path(), None).await;
    let url = format!("https://{address}/pack.zip");
    let message = refused(&app, PackSource::Url { url, sha256: None }, &packs).await;
    assert!(message.contains("could not be reached"), "{message}");
    assert!(message.to_lowercase().contains("certificate"), "{message}");
    app.close().await;
}
