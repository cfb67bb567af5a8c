//! The command line's verbs, each over core's [`App`]: what it asks of the app, and what it
//! prints.

use crate::{progress, serve, Command};
use image_scorer_core::App;
use image_scorer_protocol::commands::{
    GetPredictor, GetRatingStats, GetState, PausePredictions, RenameRater, SetPack,
};
use image_scorer_protocol::text::{count, count_is};
use image_scorer_protocol::{ExportFormat, ExportOptions, PathStyle, ScoreMode};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Runs one verb of the command line.
pub async fn command(
    app: &App,
    bars: &progress::Bars,
    hub: image_scorer_server::EventHub,
    command: Command,
) -> Result<(), String> {
    match command {
        Command::Index { folders } => index(app, &folders).await,
        Command::Embed { pack } => embed(app, pack).await,
        Command::Export {
            format,
            output,
            raters,
            per_rater,
            relative,
            include_duplicates,
            count,
        } => {
            let options = ExportOptions {
                format: format.into(),
                raters,
                mode: if per_rater {
                    ScoreMode::PerRater
                } else {
                    ScoreMode::Mean
                },
                paths: if relative {
                    PathStyle::Relative
                } else {
                    PathStyle::Absolute
                },
                include_duplicates,
                count,
            };
            export(app, &output, &options).await
        }
        Command::Import { file } => import(app, bars, &file).await,
        Command::ExportModel { rater, output } => export_model(app, &rater, &output).await,
        Command::Stats { raters } => stats(app, raters).await,
        Command::QueueRule(args) => crate::queue::queue_rule(app, args).await,
        Command::Duplicates(args) => crate::duplicates::duplicates(app, args).await,
        Command::RenameRater { from, to } => {
            let rater = app
                .call(RenameRater { from, to })
                .await
                .map_err(|e| e.message)?;
            println!("raters: {}", rater.all.join(", "));
            Ok(())
        }
        Command::Serve(args) => serve::serve(app, hub, args).await,
        Command::Team { action } => crate::team::run(app, action).await,
        Command::Copy { .. } => Err("copy runs without the app's database".into()),
        Command::InstallPack { source, sha256 } => install_pack(app, bars, source, sha256).await,
    }
}

/// `index`: opens (and remembers) the folders and indexes them.
async fn index(app: &App, folders: &[PathBuf]) -> Result<(), String> {
    for folder in folders {
        let folder = std::path::absolute(folder).map_err(|e| e.to_string())?;
        app.open_folder(&folder).await.map_err(|e| e.message)?;
    }
    app.index_now().await;
    let state = app.call(GetState {}).await.map_err(|e| e.message)?;
    println!(
        "{} in {}; {} unreadable",
        count(state.library.counts.ok, "image", "images"),
        count(state.library.roots.len(), "folder", "folders"),
        state.library.counts.unreadable
    );
    Ok(())
}

/// `export`: what `options` ask for, written to `output`.
async fn export(app: &App, output: &Path, options: &ExportOptions) -> Result<(), String> {
    if options.format == ExportFormat::Npy {
        // The embeddings come from the active pack, which the predictor opens; it
        // embeds nothing meanwhile.
        app.call(PausePredictions { paused: true })
            .await
            .map_err(|e| e.message)?;
        app.start_predictor();
        wait_for_pack(app).await?;
    }
    let summary = app
        .export_to(output, options)
        .await
        .map_err(|e| e.message)?;
    println!(
        "{} written to {}",
        count(summary.rows, "row", "rows"),
        summary.files.join(", ")
    );
    for s in &summary.skipped {
        println!("  left out {}: {}", s.count, s.reason);
    }
    Ok(())
}

/// `import`: the old tool's ratings.db or a JSONL export, with a progress bar.
async fn import(app: &App, bars: &progress::Bars, file: &Path) -> Result<(), String> {
    let bar = bars.import_bar();
    let report = app
        .import_file(file, &move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await
        .map_err(|e| e.message)?;
    println!("{} read as {}", report.source, report.format);
    println!(
        "added {} and {} by {}",
        count(report.scores, "score", "scores"),
        count(report.comparisons, "comparison", "comparisons"),
        if report.raters.is_empty() {
            "nobody".to_owned()
        } else {
            report.raters.join(", ")
        }
    );
    if report.already > 0 {
        println!(
            "{} already in the database",
            count_is(report.already, "judgement", "judgements")
        );
    }
    if report.absent_images > 0 {
        println!(
            "{} not in the library yet: their judgements attach when a file with \
             their content appears",
            count_is(report.absent_images, "image", "images")
        );
    }
    for s in &report.skipped {
        println!("  skipped {}: {}", s.count, s.reason);
    }
    Ok(())
}

/// `export-model`: `rater`'s own model as an ONNX head at `output`.
async fn export_model(app: &App, rater: &str, output: &Path) -> Result<(), String> {
    app.start_predictor();
    wait_for_pack(app).await?;
    let exported = app
        .export_own_model(output, rater)
        .await
        .map_err(|e| e.message)?;
    println!(
        "{rater}'s model from {} written to {} (input {}, output {}{})",
        count(exported.ratings, "score", "scores"),
        exported.files.join(", "),
        exported.input,
        exported.output,
        if exported.over_head {
            ", over the pack's head"
        } else {
            ""
        }
    );
    Ok(())
}

/// `install-pack`: a model pack from a folder, a .zip or a URL, with a progress bar.
async fn install_pack(
    app: &App,
    bars: &progress::Bars,
    source: String,
    sha256: Option<String>,
) -> Result<(), String> {
    use image_scorer_core::app::pack_install::PackSource;
    let source = if source.starts_with("http://") || source.starts_with("https://") {
        PackSource::Url {
            url: source,
            sha256,
        }
    } else {
        let path = PathBuf::from(&source);
        if sha256.is_some() {
            return Err("--sha256 checks a download; give a URL".into());
        }
        if path.is_dir() {
            PackSource::Folder(path)
        } else {
            PackSource::Zip(path)
        }
    };
    let bar = bars.install_bar();
    let shown = bar.clone();
    let progress: image_scorer_core::app::pack_install::Progress = Arc::new(move |done, total| {
        if let Some(total) = total {
            shown.set_length(total);
        }
        shown.set_position(done);
    });
    let installed = app.install_pack(source, progress).await;
    bar.finish_and_clear();
    let info = installed.map_err(|e| e.to_string())?;
    println!(
        "installed the model pack “{}” as {}{}",
        info.name,
        info.id,
        if info.has_head {
            " (predicts scores)"
        } else {
            " (embeddings only)"
        }
    );
    Ok(())
}

/// Starts the app's background work and waits until the active pack has embedded every image
/// that can be shown.
async fn embed(app: &App, pack: Option<String>) -> Result<(), String> {
    if let Some(wanted) = pack {
        let state = app.call(GetPredictor {}).await.map_err(|e| e.message)?;
        let id = state
            .packs
            .iter()
            .find(|p| p.id == wanted || p.name == wanted)
            .map(|p| p.id.clone())
            .ok_or_else(|| {
                let known: Vec<&str> = state.packs.iter().map(|p| p.name.as_str()).collect();
                format!("no pack called “{wanted}” (packs: {})", known.join(", "))
            })?;
        app.call(SetPack { id }).await.map_err(|e| e.message)?;
    }
    app.index_now().await;
    app.start_predictor();
    wait_for_pack(app).await?;
    loop {
        let p = app.call(GetPredictor {}).await.map_err(|e| e.message)?;
        let shown = app
            .call(GetState {})
            .await
            .map_err(|e| e.message)?
            .library
            .counts
            .ok;
        if let Some(problem) = p.problem {
            return Err(problem);
        }
        if !p.progress.running && p.progress.total == shown && p.progress.done == p.progress.total {
            let pack = p
                .packs
                .iter()
                .find(|k| Some(&k.id) == p.active.as_ref())
                .map(|k| k.name.clone())
                .unwrap_or_default();
            println!(
                "{} of {} images embedded with {pack}",
                p.progress.done, p.progress.total
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the predictor has opened a pack (or says why it cannot).
pub async fn wait_for_pack(app: &App) -> Result<(), String> {
    let mut last = None;
    for _ in 0..1200 {
        if app.predictor().model_id().is_some() {
            return Ok(());
        }
        let p = app.call(GetPredictor {}).await.map_err(|e| e.message)?;
        // "Predictions are starting…", "Opening the model pack…" are the way there; any other
        // problem is final.
        match p.problem {
            Some(problem) if !problem.ends_with('…') => return Err(problem),
            problem => last = problem,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.unwrap_or_else(|| "no model pack opened within two minutes".into()))
}

async fn stats(app: &App, raters: Vec<String>) -> Result<(), String> {
    let s = app
        .call(GetRatingStats { raters })
        .await
        .map_err(|e| e.message)?;
    let number = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.3}"));
    println!("images: {} ({} scored)", s.images, s.scored);
    if s.absent > 0 {
        println!("known only from an import: {}", s.absent);
    }
    println!("scores: {}; comparisons: {}", s.scores, s.comparisons);
    println!("raters:");
    for r in &s.raters {
        println!(
            "  {}: {} scored, mean {}, sd {}, {} comparisons",
            r.name,
            r.scored,
            number(r.mean),
            number(r.sd),
            r.comparisons
        );
    }
    println!(
        "agreement (Krippendorff's alpha, interval): {} over {} images scored by two raters or more",
        number(s.agreement),
        s.pairable
    );
    crate::queue::print_progress(&s.team);
    if let Some(p) = &s.prediction {
        println!(
            "predictions of {} against the mean score ({} images): Pearson {}, Spearman {}, MAE {}",
            p.pack,
            p.n,
            number(p.pearson),
            number(p.spearman),
            number(p.mae)
        );
    }
    Ok(())
}
