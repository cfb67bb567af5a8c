//! `image-scorer-cli`: Image Scorer without a window, over the same app core and database as
//! the desktop app (`index`, `embed`, `export`, `import`, `stats`, `rename-rater`). It links no
//! display library, so it runs on a server; it shares the database with a running app safely
//! (SQLite in WAL mode: readers never wait, writers take turns).

mod copy;
mod duplicates;
mod progress;
mod queue;
mod serve;
mod team;
mod verbs;

use clap::{Parser, Subcommand, ValueEnum};
use image_scorer_core::app::IDENTIFIER;
use image_scorer_core::{App, AppConfig};
use image_scorer_protocol::ExportFormat;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Image Scorer without a window: index folders, embed them, export what trainers read,
/// import ratings, and count them.
#[derive(Debug, Parser)]
#[command(name = "image-scorer-cli", version)]
struct Cli {
    /// The database: a SQLite file, or a team server's PostgreSQL (`postgres://…`; also read
    /// from IMAGE_SCORER_DATABASE_URL). Default: the desktop app's file, in its data folder.
    #[arg(
        long,
        global = true,
        value_name = "FILE|URL",
        env = "IMAGE_SCORER_DATABASE_URL",
        hide_env_values = true
    )]
    db: Option<String>,
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
        /// Add how many raters each mean rests on (CSV `count`, parquet `RATING_COUNT`).
        #[arg(long)]
        count: bool,
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
    /// On PostgreSQL (or with --team) it is a team server: raters sign in with the addresses
    /// `team add-rater` prints, and several serve processes may share the database.
    Serve(serve::ServeArgs),
    /// Copy a library's judgement log from one database to another: a desktop's file to a
    /// team server (postgres://…) or back. Raters and times come along; what the destination
    /// has already is not added again.
    Copy {
        /// The database read (a file or postgres://…); it is not changed.
        #[arg(long, value_name = "FILE|URL")]
        from: String,
        /// The database written to (a file or postgres://…); created and prepared if new.
        #[arg(long, value_name = "FILE|URL")]
        to: String,
    },
    /// A team server's accounts: add raters (each gets a one-time sign-in address), list
    /// them and their devices, sign devices out.
    Team {
        #[command(subcommand)]
        action: team::TeamAction,
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
    /// The team queue's rule: how many different raters each image is wanted from, and more
    /// while their scores disagree. Shows the rule; with options, sets it first.
    QueueRule(queue::QueueRuleArgs),
    /// The near-duplicate groups: images whose embeddings (the active pack's, those computed
    /// so far) are at least a cosine apart, or whose perceptual hashes differ in few bits;
    /// closest first, the largest image of each group first.
    Duplicates(duplicates::DuplicatesArgs),
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
    // Between two databases named on the line: the app's own is not opened.
    if let Command::Copy { from, to } = &cli.command {
        let bars = progress::Bars::new();
        return copy::copy(&bars, from, to).await;
    }
    let mut config = AppConfig::for_identifier(IDENTIFIER).map_err(|e| e.to_string())?;
    match &cli.db {
        Some(place) if image_scorer_core::store::is_postgres_url(place) => {
            config.database_url = Some(place.clone());
        }
        Some(file) => config.database_file = Some(PathBuf::from(file)),
        None => {}
    }
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
    let result = verbs::command(&app, &bars, hub, cli.command).await;
    bars.finish();
    app.close().await;
    result
}
