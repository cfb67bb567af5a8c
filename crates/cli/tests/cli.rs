//! The command line as a user runs it, on a real folder and a database of its own: `index`,
//! `embed` with the stand-in pack, `import` of a JSONL file (twice: the second adds nothing),
//! `export-model` (a rater's own model as an ONNX head over the pack's),
//! `stats`, `rename-rater`, and `export` in every format; and the binary links no display
//! library.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_image-scorer-cli");

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn fixtures() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared().join("fixtures/images"))
}

fn models() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared().join("models"))
}

fn ort() -> PathBuf {
    let lib = std::env::var_os("IMAGE_SCORER_ORT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../.cache/onnxruntime/libonnxruntime.so.1.31.1")
        });
    assert!(lib.is_file(), "ONNX Runtime missing at {}", lib.display());
    lib
}

/// Runs the CLI with `args` on the database `db`, with its own HOME (so the app's folders are
/// the test's); its standard output, or a failure with both outputs.
fn cli(home: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("IMAGE_SCORER_ORT", ort())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "image-scorer-cli {args:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A JSONL export of five scores by two raters (ana three, ben two) of the photos in
/// `photos`.
fn two_raters_scores(photos: &Path) -> String {
    let h = |name: &str| sha1_of(&photos.join(name));
    let lines = [
        (
            h("chelsea.png"),
            r#"{"ana": {"score": 8, "time": "2026-01-01T10:00:00Z"}, "ben": {"score": 6, "time": "2026-01-01T11:00:00Z"}}"#,
        ),
        (
            h("coffee.png"),
            r#"{"ana": {"score": 4, "time": "2026-01-01T10:01:00Z"}, "ben": {"score": 5, "time": "2026-01-01T11:01:00Z"}}"#,
        ),
        (
            h("rocket.jpg"),
            r#"{"ana": {"score": 9.5, "time": "2026-01-01T10:02:00Z"}}"#,
        ),
    ];
    lines
        .iter()
        .map(|(sha1, scores)| format!("{{\"sha1\": \"{sha1}\", \"scores\": {scores}}}\n"))
        .collect()
}

fn sha1_of(path: &Path) -> String {
    // The same SHA-1 the library computes, by the system's tool.
    let out = Command::new("sha1sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..40].to_owned()
}

/// A folder of packs in `home` with the stand-in encoder and head as "Stand-in".
fn standin_pack(home: &Path) -> PathBuf {
    let packs = home.join("packs");
    let pack = packs.join("standin");
    std::fs::create_dir_all(&pack).unwrap();
    for m in ["standin-encoder-d768.onnx", "standin-head-d768.onnx"] {
        let source = models().join(m);
        assert!(source.is_file(), "model {} missing", source.display());
        std::os::unix::fs::symlink(source, pack.join(m)).unwrap();
    }
    std::fs::write(
        pack.join("pack.toml"),
        r#"name = "Stand-in"
[encoder]
file = "standin-encoder-d768.onnx"
input = "pixel_values"
output = "image_embeds"
size = 224
mean = [0.48145466, 0.4578275, 0.40821073]
std = [0.26862954, 0.26130258, 0.27577711]
width = 768
normalize = true
[head]
file = "standin-head-d768.onnx"
input = "embedding"
output = "score"
"#,
    )
    .unwrap();
    packs
}

/// A home folder with `photos/` holding copies of the fixture photos `names`.
fn home_with(names: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for name in names {
        let from = fixtures().join(name);
        assert!(from.is_file(), "fixture {} missing", from.display());
        std::fs::copy(from, photos.join(name)).unwrap();
    }
    (tmp, photos)
}

#[test]
fn the_command_line_lists_near_duplicates_and_keeps_their_pairs() {
    // The stereo pair is the stand-in encoder's closest (a cosine of 0.9); the others are far.
    let (tmp, photos) = home_with(&[
        "motorcycle_left.png",
        "motorcycle_right.png",
        "chelsea.png",
        "coffee.png",
    ]);
    let home = tmp.path();
    let db = home.join("ratings.sqlite");
    let db = db.to_str().unwrap();
    cli(home, &["--db", db, "index", photos.to_str().unwrap()]);
    let packs = standin_pack(home);
    let packs = packs.to_str().unwrap();
    cli(home, &["--db", db, "--packs", packs, "embed"]);
    let line = [
        "--db",
        db,
        "--packs",
        packs,
        "duplicates",
        "--threshold",
        "0.85",
    ];
    let out = cli(home, &line);
    assert!(
        out.starts_with("1 groups, 2 images in them, of 4 images searched (4 in the library)"),
        "{out}"
    );
    let group = out.lines().nth(1).unwrap_or_default();
    assert!(
        group.contains("motorcycle_left.png") && group.contains("motorcycle_right.png"),
        "{out}"
    );
    // The pairs are kept in the cache folder, and a second run answers the same from them.
    let kept = home
        .join("cache")
        .join("org.imagescorer.ImageScorer")
        .join("near-duplicate-pairs.bin");
    let saved = std::fs::metadata(&kept)
        .expect("the pairs' file")
        .modified()
        .unwrap();
    assert_eq!(cli(home, &line), out);
    assert_eq!(std::fs::metadata(&kept).unwrap().modified().unwrap(), saved);
    // By the perceptual hash (computed first): the stereo pair is far apart at 4 bits.
    let hashed = cli(home, &["--db", db, "duplicates", "--distance", "4"]);
    assert!(
        hashed.starts_with("0 groups, 0 images in them, of 4 images searched"),
        "{hashed}"
    );
    // A threshold outside the slider's range is refused with the range.
    let refused = cli_fails(
        home,
        &[
            "--db",
            db,
            "--packs",
            packs,
            "duplicates",
            "--threshold",
            "0.5",
        ],
    );
    assert!(refused.contains("0.8 to 1"), "{refused}");
}

#[test]
fn the_command_line_indexes_embeds_imports_counts_and_exports() {
    let (tmp, photos) = home_with(&["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"]);
    let home = tmp.path();
    let db = home.join("ratings.sqlite");
    let db = db.to_str().unwrap();
    let out = cli(home, &["--db", db, "index", photos.to_str().unwrap()]);
    assert!(out.contains("4 images in 1 folder; 0 unreadable"), "{out}");

    let packs = standin_pack(home);
    let packs = packs.to_str().unwrap();
    let out = cli(home, &["--db", db, "--packs", packs, "embed"]);
    assert!(
        out.contains("4 of 4 images embedded with Stand-in"),
        "{out}"
    );

    // Two raters' scores from another machine.
    let jsonl = two_raters_scores(&photos);
    let file = home.join("tablet.jsonl");
    std::fs::write(&file, jsonl).unwrap();
    let file = file.to_str().unwrap();
    let out = cli(home, &["--db", db, "import", file]);
    assert!(
        out.contains("added 5 scores and 0 comparisons by ana, ben"),
        "{out}"
    );
    let out = cli(home, &["--db", db, "import", file]);
    assert!(out.contains("added 0 scores"), "{out}");
    assert!(
        out.contains("5 judgements are already in the database"),
        "{out}"
    );

    let out = cli(home, &["--db", db, "stats"]);
    assert!(out.contains("images: 4 (3 scored)"), "{out}");
    assert!(out.contains("ana: 3 scored, mean 7.167"), "{out}");
    assert!(out.contains("ben: 2 scored, mean 5.500"), "{out}");
    assert!(
        out.contains("over 2 images scored by two raters or more"),
        "{out}"
    );
    let out = cli(home, &["--db", db, "rename-rater", "ben", "Ben"]);
    assert!(out.contains("raters: ana, Ben"), "{out}");

    // Exports: CSV of the means, per rater; npy from the pack; every other format.
    let csv = home.join("out.csv");
    let out = cli(
        home,
        &[
            "--db",
            db,
            "export",
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap(),
        ],
    );
    assert!(out.starts_with("3 rows written"), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.remove(0), "file,score");
    rows.sort();
    let abs = |n: &str| {
        std::fs::canonicalize(&photos)
            .unwrap()
            .join(n)
            .display()
            .to_string()
    };
    assert_eq!(
        rows,
        [
            format!("{},7", abs("chelsea.png")),
            format!("{},4.5", abs("coffee.png")),
            format!("{},9.5", abs("rocket.jpg")),
        ]
    );
    let csv = home.join("ben.csv");
    cli(
        home,
        &[
            "--db",
            db,
            "export",
            "--format",
            "csv",
            "--rater",
            "Ben",
            "--per-rater",
            "--relative",
            "-o",
            csv.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text,
        "file,score,rater\nchelsea.png,6,Ben\ncoffee.png,5,Ben\n"
    );
    let npy = home.join("train.npy");
    let out = cli(
        home,
        &[
            "--db",
            db,
            "--packs",
            packs,
            "export",
            "--format",
            "npy",
            "-o",
            npy.to_str().unwrap(),
        ],
    );
    assert!(out.starts_with("3 rows written"), "{out}");
    let x = std::fs::read(home.join("train.embeddings.npy")).unwrap();
    assert!(x.starts_with(b"\x93NUMPY"));
    assert_eq!(x.len() % 16, 0);
    let header = String::from_utf8_lossy(&x[10..128]);
    assert!(
        header.contains("'shape': (3, 768)") && header.contains("<f4"),
        "{header}"
    );
    // ana's own model, over the stand-in pack's head: the ONNX file and its weights.
    let onnx = home.join("ana.onnx");
    let out = cli(
        home,
        &[
            "--db",
            db,
            "--packs",
            packs,
            "export-model",
            "--rater",
            "ana",
            "-o",
            onnx.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("ana's model from 3 scores written to")
            && out.contains("output own_score, over the pack's head"),
        "{out}"
    );
    assert!(std::fs::metadata(&onnx).unwrap().len() > 768 * 4);
    let weight = std::fs::read(home.join("ana.weight.npy")).unwrap();
    assert!(String::from_utf8_lossy(&weight[10..128]).contains("'shape': (1, 768)"));
    assert!(home.join("ana.bias.npy").is_file());
    for (format, name) in [
        ("jsonl", "all.jsonl"),
        ("parquet", "all.parquet"),
        ("comparisons", "c.jsonl"),
    ] {
        let path = home.join(name);
        cli(
            home,
            &[
                "--db",
                db,
                "export",
                "--format",
                format,
                "-o",
                path.to_str().unwrap(),
            ],
        );
        assert!(path.is_file(), "{format}");
    }
    let parquet = std::fs::read(home.join("all.parquet")).unwrap();
    assert!(parquet.starts_with(b"PAR1") && parquet.ends_with(b"PAR1"));

    // An unknown rater, a missing file: clear errors, and a failure status.
    let out = Command::new(BIN)
        .args([
            "--db", db, "export", "--format", "csv", "--rater", "zoe", "-o",
        ])
        .arg(home.join("zoe.csv"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no rater called “zoe”"));
    assert!(!home.join("zoe.csv").exists());
}

#[test]
fn the_binary_links_no_display_library() {
    let out = Command::new("ldd").arg(BIN).output().unwrap();
    let libraries = String::from_utf8_lossy(&out.stdout);
    assert!(libraries.contains("libc.so"), "{libraries}");
    for display in ["gtk", "gdk", "webkit", "X11", "wayland", "cairo"] {
        assert!(
            !libraries.contains(display),
            "links {display}:\n{libraries}"
        );
    }
}

/// Runs the CLI expecting it to fail; its standard error.
fn cli_fails(home: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("IMAGE_SCORER_ORT", ort())
        .output()
        .unwrap();
    assert!(!out.status.success(), "image-scorer-cli {args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_desktop_log_copies_to_a_team_server_and_back_once() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let photos = home.join("photos");
    std::fs::create_dir(&photos).unwrap();
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        std::fs::copy(fixtures().join(name), photos.join(name)).unwrap();
    }
    let desk = home.join("desk.sqlite");
    let desk = desk.to_str().unwrap();
    let folder = photos.to_str().unwrap();
    cli(home, &["--db", desk, "index", folder]);
    let file = home.join("scores.jsonl");
    std::fs::write(&file, two_raters_scores(&photos)).unwrap();
    cli(home, &["--db", desk, "import", file.to_str().unwrap()]);

    // The team server's database, on the same folder.
    let team = image_scorer_pgtest::fresh_database();
    let out = cli(home, &["--db", &team, "index", folder]);
    assert!(out.contains("3 images in 1 folder"), "{out}");
    let out = cli(home, &["copy", "--from", desk, "--to", &team]);
    assert!(
        out.contains("copied 5 scores, 0 comparisons and 0 other judgements by ana, ben"),
        "{out}"
    );
    let out = cli(home, &["copy", "--from", desk, "--to", &team]);
    assert!(out.contains("copied 0 scores"), "{out}");
    assert!(
        out.contains("5 judgements are in the destination already"),
        "{out}"
    );
    let out = cli(home, &["--db", &team, "stats"]);
    assert!(out.contains("ana: 3 scored, mean 7.167"), "{out}");
    assert!(out.contains("ben: 2 scored, mean 5.500"), "{out}");

    // And back, to a new file on a machine without the photos.
    let back = home.join("back.sqlite");
    let back = back.to_str().unwrap();
    let out = cli(home, &["copy", "--from", &team, "--to", back]);
    assert!(out.contains("copied 5 scores"), "{out}");
    assert!(
        out.contains("3 images are not in the destination's library yet"),
        "{out}"
    );

    // A server that cannot be reached: named, with the reason; nothing made.
    let err = cli_fails(
        home,
        &["--db", "postgres://scorer@127.0.0.1:1/team", "stats"],
    );
    assert!(
        err.contains("127.0.0.1:1") && err.contains("refused"),
        "{err}"
    );
    let err = cli_fails(home, &["copy", "--from", "missing.sqlite", "--to", &team]);
    assert!(err.contains("no such database file"), "{err}");
    assert!(!home.join("missing.sqlite").exists());
}
