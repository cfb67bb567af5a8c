//! `image-scorer-cli`: Image Scorer without a window, over the same app core and database as
//! the desktop app (`index`, `embed`, `export`, `import`, `stats`, `rename-rater`). It links no
//! display library, so it runs on a server; it shares the database with a running app safely
//! (SQLite in WAL mode: readers never wait, writers take turns).

mod progress;
mod serve;

use clap::{Parser, Subcommand, ValueEnum};
use image_scorer_core::app::IDENTIFIER;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::commands::{
    GetPredictor, GetRatingStats, GetState, PausePredictions, RenameRater, SetPack,
};
use image_scorer_protocol::text::{count, count_is};
use image_scorer_protocol::{ExportFormat, ExportOptions, PathStyle, ScoreMode};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Image Scorer without a window: index folders, embed them, export what trainers read,
/// import ratings, and count them.
#[derive(Debug, Parser)]
#[command(name = "image-scorer-cli", version)]
struct Cli {
    /// The database (default: the desktop app's, in its data folder).
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,
    /// A folder of model packs to offer besides the app's own `packs` folder.
    #[arg(long = "packs", global = true, value_name = "DIR")]
    packs: Vec<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open these folders (remembered, as in the app) and index every image below them.
    Index {
        /// The folders.
        #[arg(required = true)]
        folders: Vec<PathBuf>,
    },
    /// Embed (and predict) every image of the library with the active model pack.
    Embed {
        /// The pack to make active first (its name or id, as `stats` and the app list them).
        #[arg(long)]
        pack: Option<String>,
    },
    /// Export scores, embeddings or comparisons in the formats trainers read.
    Export {
        /// What to write.
        #[arg(long, value_enum)]
        format: Format,
        /// The file (for npy: FILE.embeddings.npy, FILE.ratings.npy and FILE.paths.txt).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Only this rater's judgements (repeat for several; default: every rater).
        #[arg(long = "rater", value_name = "NAME")]
        raters: Vec<String>,
        /// One row per image and rater, instead of the mean over raters.
        #[arg(long)]
        per_rater: bool,
        /// Paths below each image's folder, instead of full paths.
        #[arg(long)]
        relative: bool,
        /// Also the images marked as duplicates.
        #[arg(long)]
        include_duplicates: bool,
    },
    /// Import the old tool's ratings.db, or an Image Scorer JSONL export (scores or
    /// comparisons) from another machine; importing the same file again adds nothing.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Counts, each rater's mean and spread, their agreement, and the predictions' fit.
    Stats {
        /// Only these raters (repeat; default: every rater).
        #[arg(long = "rater", value_name = "NAME")]
        raters: Vec<String>,
    },
    /// Write a rater's own model (learned from their scores on the active pack's embeddings) as
    /// an ONNX head, with its weights and bias as FILE.weight.npy and FILE.bias.npy.
    ExportModel {
        /// Whose model.
        #[arg(long, value_name = "NAME")]
        rater: String,
        /// The ONNX file.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Share the library with tablets and phones on the local network until Ctrl+C: serves
    /// the app's UI and commands over HTTP; a device pairs by the printed address or QR code.
    Serve {
        /// The built UI (`cargo xtask ui` builds it into ui/dist).
        #[arg(long, value_name = "DIR", default_value = "ui/dist")]
        ui: PathBuf,
        /// The address to listen on (every interface: the local network).
        #[arg(long, default_value = "0.0.0.0")]
        bind: std::net::IpAddr,
        /// The port to ask for (when taken, any free one).
        #[arg(long, default_value_t = 8765)]
        port: u16,
    },
    /// Install a model pack from a folder, a .zip, or a .zip at an http(s) URL (downloaded with
    /// resume: run it again after an interruption); validated before it is listed.
    InstallPack {
        /// The folder, the .zip, or the URL.
        source: String,
        /// The SHA-256 the download must have (hex), when the publisher gives one.
        #[arg(long)]
        sha256: Option<String>,
    },
    /// Rename a rater (for instance one imported from the old tool); their judgements follow.
    RenameRater {
        /// The name now.
        from: String,
        /// The new name.
        to: String,
    },
}

/// The export formats, as the command line spells them.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
    Npy,
    Parquet,
    Comparisons,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Csv => ExportFormat::Csv,
            Format::Jsonl => ExportFormat::Jsonl,
            Format::Npy => ExportFormat::Npy,
            Format::Parquet => ExportFormat::Parquet,
            Format::Comparisons => ExportFormat::Comparisons,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("image-scorer-cli: {message}");
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> Result<(), String> {
    let mut config = AppConfig::for_identifier(IDENTIFIER).map_err(|e| e.to_string())?;
    config.database_file = cli.db.clone();
    // The command line is the job in front of the user: full priority.
    config.low_priority = false;
    for dir in &cli.packs {
        config
            .extra_packs
            .push((dir.display().to_string(), dir.clone()));
    }
    let bars = Arc::new(progress::Bars::new());
    // The network's browsers get every event too (`serve`); nobody listens otherwise.
    let hub = image_scorer_server::EventHub::default();
    let sink = image_scorer_core::app::FanOut(vec![bars.clone(), Arc::new(hub.clone())]);
    let app = App::open(config, Arc::new(sink))
        .await
        .map_err(|e| e.to_string())?;
    for notice in app.startup_errors() {
        eprintln!("image-scorer-cli: {}", notice.message);
    }
    let result = command(&app, &bars, hub, cli.command).await;
    bars.finish();
    app.close().await;
    result
}

async fn command(
    app: &App,
    bars: &progress::Bars,
    hub: image_scorer_server::EventHub,
    command: Command,
) -> Result<(), String> {
    match command {
        Command::Index { folders } => {
            for folder in &folders {
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
        Command::Embed { pack } => embed(app, pack).await,
        Command::Export {
            format,
            output,
            raters,
            per_rater,
            relative,
            include_duplicates,
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
            };
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
                .export_to(&output, &options)
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
        Command::Import { file } => {
            let bar = bars.import_bar();
            let report = app
                .import_file(&file, &move |done, total| {
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
        Command::ExportModel { rater, output } => {
            app.start_predictor();
            wait_for_pack(app).await?;
            let exported = app
                .export_own_model(&output, &rater)
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
        Command::Stats { raters } => stats(app, raters).await,
        Command::RenameRater { from, to } => {
            let rater = app
                .call(RenameRater { from, to })
                .await
                .map_err(|e| e.message)?;
            println!("raters: {}", rater.all.join(", "));
            Ok(())
        }
        Command::Serve { ui, bind, port } => serve::serve(app, hub, &ui, bind, port).await,
        Command::InstallPack { source, sha256 } => {
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
            let progress: image_scorer_core::app::pack_install::Progress =
                Arc::new(move |done, total| {
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
    }
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
async fn wait_for_pack(app: &App) -> Result<(), String> {
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
