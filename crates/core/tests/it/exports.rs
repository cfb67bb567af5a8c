//! Every export, made through the app on a real folder and database with a real pack, then read
//! back in Python the way trainers read it (`read_exports.py`: numpy loads the .npy and its rows
//! match the paths, pyarrow reads the parquet, csv and json the others); and the JSONL export
//! merged into another machine's app, twice, adding nothing the second time.

use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{ComparisonOutcome, ExportFormat, ExportOptions, PathStyle, ScoreMode};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common;
use common::Backend;

const PACK: (&str, &str, &[&str]) = (
    "standin",
    common::STANDIN_LAION,
    common::STANDIN_LAION_MODELS,
);

async fn score(app: &App, rater: &str, sha1: &str, value: f64) {
    app.call(AddScore {
        rater: rater.into(),
        sha1: sha1.into(),
        value,
    })
    .await
    .unwrap();
}

async fn export(
    app: &App,
    path: &Path,
    options: ExportOptions,
) -> image_scorer_protocol::ExportSummary {
    app.export_to(path, &options).await.unwrap()
}

async fn every_export_reads_back_as_trainers_read_it(backend: Backend) {
    let python = common::trainer_python();
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("photos");
    let mut photos = common::photos(&folder, 0..6);
    // A name that needs quoting in CSV, and one that is not ASCII.
    let odd = "odd, \"name\" é.png";
    let mut bytes = common::fixture("chelsea.png");
    bytes.extend_from_slice(b"odd");
    std::fs::write(folder.join(odd), &bytes).unwrap();
    photos.push((odd.to_owned(), common::sha1(&bytes)));
    let app = common::app_with_packs_on(tmp.path(), &[PACK], backend).await;
    app.open_folder(&folder).await.unwrap();
    common::until_indexed(&app, 7).await;
    common::until_embedded(&app, 7).await;
    let root = std::fs::canonicalize(&folder).unwrap();
    let abs = |name: &str| root.join(name).display().to_string();
    let h = |k: usize| photos[k].1.clone();
    let name = |k: usize| photos[k].0.clone();

    // ana scores 0-3 (re-scoring 1: the newest counts) and the odd name; ben scores 2-4 and
    // undoes 4; image 5 is nobody's. ana marks 3 as a duplicate of 0.
    for (k, v) in [(0, 8.0), (1, 3.0), (2, 6.0), (3, 9.0), (6, 5.5)] {
        score(&app, "ana", &h(k), v).await;
    }
    score(&app, "ana", &h(1), 4.0).await;
    for (k, v) in [(2, 7.0), (3, 2.0), (4, 10.0)] {
        score(&app, "ben", &h(k), v).await;
    }
    app.call(Undo {
        rater: "ben".into(),
    })
    .await
    .unwrap()
    .unwrap();
    app.call(RecordComparison {
        rater: "ana".into(),
        images: vec![h(1), h(0), h(2), h(4)],
        outcome: ComparisonOutcome::Pick,
        winner: Some(1),
    })
    .await
    .unwrap();
    app.call(RecordComparison {
        rater: "ben".into(),
        images: vec![h(5), h(2)],
        outcome: ComparisonOutcome::Tie,
        winner: None,
    })
    .await
    .unwrap();
    app.call(MarkDuplicates {
        rater: "ana".into(),
        keep: h(0),
        duplicates: vec![h(3)],
    })
    .await
    .unwrap();

    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mean = |format| ExportOptions {
        format,
        ..ExportOptions::default()
    };

    // CSV, the mean over raters, full paths; the duplicate is left out and said so.
    let csv = out.join("mean.csv");
    let summary = export(&app, &csv, mean(ExportFormat::Csv)).await;
    assert_eq!(summary.rows, 4, "{summary:?}");
    assert!(summary
        .skipped
        .iter()
        .any(|s| s.reason.contains("duplicates") && s.count == 1));
    let csv_rows = json!({
        abs(&name(0)): 8.0, abs(&name(1)): 4.0, abs(&name(2)): 6.5, abs(odd): 5.5,
    });
    // CSV per rater, relative paths, ana only, duplicates too.
    let per_rater = out.join("ana.csv");
    let options = ExportOptions {
        format: ExportFormat::Csv,
        raters: vec!["ana".into()],
        mode: ScoreMode::PerRater,
        paths: PathStyle::Relative,
        include_duplicates: true,
        count: false,
    };
    assert_eq!(export(&app, &per_rater, options).await.rows, 5);
    let per_rater_rows = json!([
        [name(0), 8.0, "ana"],
        [name(1), 4.0, "ana"],
        [name(2), 6.0, "ana"],
        [name(3), 9.0, "ana"],
        [odd, 5.5, "ana"],
    ]);
    // An unknown rater is refused with their name.
    let refused = app
        .export_to(
            &out.join("x.csv"),
            &ExportOptions {
                raters: vec!["zoe".into()],
                ..ExportOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(refused.message.contains("zoe"), "{refused:?}");
    assert!(!out.join("x.csv").exists());

    // Parquet and npy, as the CSV's rows.
    let parquet = out.join("ratings.parquet");
    assert_eq!(
        export(&app, &parquet, mean(ExportFormat::Parquet))
            .await
            .rows,
        4
    );
    // With how many raters each mean rests on, as an extra column of each.
    let with_count = |format| ExportOptions {
        format,
        count: true,
        ..ExportOptions::default()
    };
    let csv_count = out.join("mean-count.csv");
    export(&app, &csv_count, with_count(ExportFormat::Csv)).await;
    let parquet_count = out.join("ratings-count.parquet");
    export(&app, &parquet_count, with_count(ExportFormat::Parquet)).await;
    let count_rows = json!({
        abs(&name(0)): [8.0, 1], abs(&name(1)): [4.0, 1], abs(&name(2)): [6.5, 2], abs(odd): [5.5, 1],
    });
    let npy = out.join("train.npy");
    let summary = export(&app, &npy, mean(ExportFormat::Npy)).await;
    assert_eq!(summary.rows, 4);
    assert_eq!(summary.files.len(), 3);
    let model = app.predictor().model_id().unwrap();
    let mut embeddings = BTreeMap::new();
    for k in [0, 1, 2, 6] {
        let v = app.store().embedding(&h(k), model).await.unwrap().unwrap();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let unit: Vec<f32> = v.iter().map(|x| x / norm).collect();
        embeddings.insert(abs(&name(k)), unit);
    }

    // JSONL: every judged image (the duplicate left out), with scores, mean, predictions.
    let jsonl = out.join("images.jsonl");
    assert_eq!(
        export(&app, &jsonl, mean(ExportFormat::Jsonl)).await.rows,
        6
    );
    let mut predictions = BTreeMap::new();
    for k in [0, 1, 2, 4, 5, 6] {
        let p = app.store().prediction(&h(k), model).await.unwrap().unwrap();
        predictions.insert(h(k), p);
    }
    let jsonl_images = json!({
        h(0): {"paths": [abs(&name(0))], "scores": {"ana": 8.0}, "mean": 8.0, "comparisons": 1},
        h(1): {"paths": [abs(&name(1))], "scores": {"ana": 4.0}, "mean": 4.0, "comparisons": 1},
        h(2): {"paths": [abs(&name(2))], "scores": {"ana": 6.0, "ben": 7.0}, "mean": 6.5, "comparisons": 2},
        h(4): {"paths": [abs(&name(4))], "scores": {}, "mean": null, "comparisons": 1},
        h(5): {"paths": [abs(&name(5))], "scores": {}, "mean": null, "comparisons": 1},
        h(6): {"paths": [abs(odd)], "scores": {"ana": 5.5}, "mean": 5.5, "comparisons": 0},
    });
    // h(4) and h(5) were only compared; the JSONL holds them with their comparisons.
    let comparisons = out.join("comparisons.jsonl");
    assert_eq!(
        export(&app, &comparisons, mean(ExportFormat::Comparisons))
            .await
            .rows,
        2
    );
    let comparison_rows = json!([
        {"rater": "ana", "images": [h(1), h(0), h(2), h(4)], "outcome": "pick", "winner": 1},
        {"rater": "ben", "images": [h(5), h(2)], "outcome": "tie", "winner": null},
    ]);

    let expected = json!({
        "csv_mean": {"file": csv, "rows": csv_rows},
        "csv_rater": {"file": per_rater, "rows": per_rater_rows},
        "parquet": {"file": parquet, "rows": csv_rows},
        "csv_count": {"file": csv_count, "rows": count_rows},
        "parquet_count": {"file": parquet_count, "rows": count_rows},
        "npy": {"files": summary.files, "rows": csv_rows, "embeddings": embeddings},
        "jsonl": {"file": jsonl, "images": jsonl_images, "pack": "Stand-in + LAION", "predictions": predictions},
        "comparisons": {"file": comparisons, "rows": comparison_rows},
    });
    let expect = out.join("expected.json");
    std::fs::write(&expect, serde_json::to_vec_pretty(&expected).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_exports.py");
    let run = std::process::Command::new(&python)
        .arg(&script)
        .arg(&expect)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "Python could not read the exports as trainers do:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );

    // Another machine with the same photos merges the JSONL and the comparisons: the scores
    // arrive with their raters and times, and a second import adds nothing.
    let other = tmp.path().join("tablet");
    std::fs::create_dir(&other).unwrap();
    let theirs = common::app_with_packs_on(&other, &[], backend).await;
    let copy = other.join("photos");
    copy_dir(&folder, &copy);
    theirs.open_folder(&copy).await.unwrap();
    common::until_indexed(&theirs, 7).await;
    let merged = theirs.import_file(&jsonl, &|_, _| {}).await.unwrap();
    assert_eq!(
        (merged.scores, merged.comparisons, merged.already),
        (5, 0, 0),
        "{merged:?}"
    );
    assert_eq!(merged.raters, ["ana", "ben"]);
    let merged = theirs.import_file(&comparisons, &|_, _| {}).await.unwrap();
    assert_eq!((merged.scores, merged.comparisons), (0, 2), "{merged:?}");
    for file in [&jsonl, &comparisons] {
        let again = theirs.import_file(file, &|_, _| {}).await.unwrap();
        assert_eq!((again.scores, again.comparisons), (0, 0), "{again:?}");
        assert!(again.already > 0);
    }
    let state = theirs
        .call(GetScoreState {
            rater: "ana".into(),
            sha1: h(2),
        })
        .await
        .unwrap();
    assert_eq!((state.mine, state.mean), (Some(6.0), Some(6.5)));
    // The merged scores keep their times: the tablet's JSONL export equals the desktop's.
    let back = other.join("back.jsonl");
    theirs
        .export_to(
            &back,
            &ExportOptions {
                format: ExportFormat::Jsonl,
                paths: PathStyle::Relative,
                ..ExportOptions::default()
            },
        )
        .await
        .unwrap();
    let mine = out.join("relative.jsonl");
    app.export_to(
        &mine,
        &ExportOptions {
            format: ExportFormat::Jsonl,
            paths: PathStyle::Relative,
            ..ExportOptions::default()
        },
    )
    .await
    .unwrap();
    let scores_of = |file: &PathBuf| -> Vec<serde_json::Value> {
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                json!([v["sha1"], v["paths"], v["scores"]])
            })
            .filter(|v| v[2].as_object().is_some_and(|s| !s.is_empty()))
            .collect()
    };
    let (mut a, mut b) = (scores_of(&mine), scores_of(&back));
    a.sort_by_key(|v| v.to_string());
    b.sort_by_key(|v| v.to_string());
    assert_eq!(a, b);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

both_backends!(every_export_reads_back_as_trainers_read_it);
