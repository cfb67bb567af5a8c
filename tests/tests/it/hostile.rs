//! The hostile corpus (`image_scorer_e2e::hostile`) through the command line's scan and its
//! embedding (which decodes every image, as thumbnails and predictions do): nothing stops
//! either, each file is shown with its size as displayed or listed with a reason, and the peak
//! memory of each process stays under 500 MB. Files vanish, appear and change while the scan
//! runs; a second scan then agrees with the folder.

use image_scorer_e2e::hostile::{write_corpus, Expect};
use image_scorer_e2e::{goal_line, models_dir, Home};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const MEMORY_GOAL: f64 = 500.0;

/// A file as the database has it: its image's status, the reason, width and height.
type Recorded = (Option<String>, Option<String>, Option<i64>, Option<i64>);
type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Every present file by its path below the folder, as the database has it.
async fn recorded(db: &std::path::Path) -> BTreeMap<String, Recorded> {
    let mut conn = image_scorer_e2e::read_db(db).await;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT f.rel_path, i.status, COALESCE(i.error, f.error), i.width, i.height
               FROM files f LEFT JOIN images i ON i.id = f.image_id WHERE f.present = 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(p, s, e, w, h)| (p, (s, e, w, h)))
        .collect()
}

#[tokio::test]
async fn a_hostile_folder_is_scanned_and_decoded_in_bounded_memory_with_a_reason_for_each_file() {
    let home = Home::new();
    let dir = home.scratch("hostile");
    let cases = write_corpus(&dir);

    // Files that flicker while the scan runs: deleted, written again, changed in size.
    let flicker = |n: usize, side: u32| {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(side, side, image::Rgb([n as u8, 9, 9]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        std::fs::write(dir.join(format!("flicker-{n}.png")), bytes).unwrap();
    };
    for n in 0..20 {
        flicker(n, 5);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let (stop, dir) = (stop.clone(), dir.clone());
        std::thread::spawn(move || {
            let mut round = 0u32;
            while !stop.load(Ordering::Relaxed) {
                for n in 0..20 {
                    let path = dir.join(format!("flicker-{n}.png"));
                    if (n + round as usize).is_multiple_of(3) {
                        let _ = std::fs::remove_file(&path);
                    } else {
                        let mut bytes = Vec::new();
                        let side = 3 + (round + n as u32) % 7;
                        image::RgbImage::from_pixel(side, side, image::Rgb([round as u8, 1, 2]))
                            .write_to(
                                &mut std::io::Cursor::new(&mut bytes),
                                image::ImageFormat::Png,
                            )
                            .unwrap();
                        // Half written first: a scan may read it in the middle.
                        let _ = std::fs::write(&path, &bytes[..bytes.len() / 2]);
                        let _ = std::fs::write(&path, &bytes);
                    }
                }
                round += 1;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    };
    let (_, scan_bytes) = home.cli_peak_memory(&[OsStr::new("index"), dir.as_os_str()]);
    stop.store(true, Ordering::Relaxed);
    churn.join().unwrap();
    // The folder settles; a second scan agrees with it.
    for n in 0..20 {
        flicker(n, 10);
    }
    home.cli(&["index", dir.to_str().unwrap()]);

    // Decoding everything: the embedding job with the real EfficientNet pack.
    let packs = home.scratch("packs");
    let pack = packs.join("efficientnet");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        "name = \"EfficientNet-Lite0\"\n[encoder]\nfile = \"efficientnet-lite0-imagenet.onnx\"\ninput = \"pixel_values\"\noutput = \"features\"\nsize = 224\nscale = 1.9921875\noffset = -0.9921875\nwidth = 1280\n",
    )
    .unwrap();
    let model = models_dir().join("efficientnet-lite0-imagenet.onnx");
    assert!(model.is_file(), "{} is missing", model.display());
    std::os::unix::fs::symlink(&model, pack.join("efficientnet-lite0-imagenet.onnx")).unwrap();
    let (_, embed_bytes) = home.cli_peak_memory(&[
        OsStr::new("--packs"),
        packs.as_os_str(),
        OsStr::new("embed"),
        OsStr::new("--pack"),
        OsStr::new("EfficientNet-Lite0"),
    ]);

    let files = recorded(&home.database()).await;
    let mut wrong = Vec::new();
    for case in &cases {
        let name = String::from_utf8_lossy(&case.name).into_owned();
        let got = files.get(&name);
        let fine = match (&case.expect, got) {
            (Expect::Shown(w, h), Some((Some(s), _, Some(gw), Some(gh)))) => {
                s == "ok" && (*gw, *gh) == (i64::from(*w), i64::from(*h))
            }
            (Expect::Refused(why), Some((status, Some(reason), _, _))) => {
                status.as_deref() != Some("ok") && reason.contains(why) && !reason.trim().is_empty()
            }
            _ => false,
        };
        if !fine {
            wrong.push(format!(
                "{name:?}: expected {:?}, recorded {got:?}",
                case.expect
            ));
        }
    }
    for n in 0..20 {
        let name = format!("flicker-{n}.png");
        match files.get(&name) {
            Some((Some(s), _, Some(10), Some(10))) if s == "ok" => {}
            other => wrong.push(format!(
                "{name}: as the folder has it (10 x 10), not {other:?}"
            )),
        }
    }
    let listed = files.len();
    assert!(
        wrong.is_empty(),
        "{} of {listed} files recorded wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let mb = |b: u64| b as f64 / 1_048_576.0;
    println!(
        "{}",
        goal_line("hostile_scan_peak_rss_mb", mb(scan_bytes), "<", MEMORY_GOAL)
    );
    println!(
        "{}",
        goal_line(
            "hostile_decode_peak_rss_mb",
            mb(embed_bytes),
            "<",
            MEMORY_GOAL
        )
    );
    assert!(
        mb(scan_bytes) < MEMORY_GOAL,
        "the scan peaked at {:.0} MB",
        mb(scan_bytes)
    );
    assert!(
        mb(embed_bytes) < MEMORY_GOAL,
        "decoding peaked at {:.0} MB",
        mb(embed_bytes)
    );
}

/// Permissions changing between scans: a file and a folder the user may not read are listed
/// with the reason and nothing else stops; given back, they are shown; a shown file whose
/// permission is taken away leaves with the reason. Run as a user whom permissions stop.
#[tokio::test]
async fn files_and_folders_without_read_permission_get_a_reason_and_come_back_when_allowed() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let dir = home.scratch("permissions");
    let png = |n: u8| {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(6, 4, image::Rgb([n, 40, 40]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("open.png"), png(1)).unwrap();
    std::fs::write(dir.join("closed.png"), png(2)).unwrap();
    std::fs::write(dir.join("sub/inside.png"), png(3)).unwrap();
    let mode = |path: &str, mode: u32| {
        std::fs::set_permissions(dir.join(path), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let index = || home.cli_unprivileged(&[OsStr::new("index"), dir.as_os_str()]);
    let status = |files: &BTreeMap<String, Recorded>, name: &str| {
        files.get(name).map(|(s, e, _, _)| (s.clone(), e.clone()))
    };

    index();
    mode("closed.png", 0o000);
    mode("sub", 0o000);
    let out = index();
    mode("sub", 0o755);
    let files = recorded(&home.database()).await;
    assert_eq!(
        status(&files, "open.png").unwrap().0.as_deref(),
        Some("ok"),
        "{files:?}"
    );
    let (_, why) = status(&files, "closed.png").expect("the unreadable file is listed");
    let why = why.unwrap_or_default();
    assert!(
        why.contains("ermission denied"),
        "closed.png: {why:?}\n{out}"
    );
    println!("closed.png: {why}; scan said: {out}");
    let (_, folder) = status(&files, "sub").expect("the unreadable folder is listed");
    assert!(
        folder.unwrap_or_default().contains("ermission denied"),
        "{files:?}"
    );
    assert!(
        !files.contains_key("sub/inside.png"),
        "not listed while its folder is closed"
    );

    mode("closed.png", 0o644);
    index();
    let files = recorded(&home.database()).await;
    for name in ["open.png", "closed.png", "sub/inside.png"] {
        assert_eq!(
            status(&files, name).map(|s| s.0),
            Some(Some("ok".into())),
            "{name}: {files:?}"
        );
    }

    mode("open.png", 0o000);
    index();
    let files = recorded(&home.database()).await;
    let (_, why) = status(&files, "open.png").expect("still listed");
    assert!(
        why.unwrap_or_default().contains("ermission denied"),
        "{files:?}"
    );
    assert_eq!(
        status(&files, "closed.png").unwrap().0.as_deref(),
        Some("ok")
    );
}
