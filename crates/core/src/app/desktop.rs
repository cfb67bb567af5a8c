//! What only a door with a screen does for the app: native file dialogs and sharing the library
//! on the network. The window's shell gives the app a [`Desktop`] ([`App::attach_desktop`]); the
//! command line and the network door give none, and the commands that need one are refused
//! with the reason. So every command of the protocol has its handler here in core, and a path
//! never comes from a webview: it comes from the dialog the shell shows.

use super::pack_install::PackSource;
use super::App;
use crate::library::walk::DECODED_EXTENSIONS;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    AppError, ErrorKind, ExportFormat, ExportSummary, Handler, ImportReport, ImportedImages,
    LibraryState, OwnModelExported, PackFrom, PackInfo, SharingState, SimilarImages,
};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// A future a [`Desktop`] answers with.
pub type DesktopFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>;

/// What the shell of a desktop (or mobile) window does for the app.
pub trait Desktop: Send + Sync {
    /// Shows `dialog` and waits for the person: the chosen paths (one, except for
    /// [`Pick::Files`]), or `None` when they cancel.
    fn pick(&self, dialog: FileDialog) -> DesktopFuture<'_, Option<Vec<PathBuf>>>;

    /// The network door for tablets: its state after `change`.
    fn sharing(&self, change: SharingChange) -> DesktopFuture<'_, SharingState>;
}

/// A native file dialog to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDialog {
    /// Its title, which says what the file is for.
    pub title: String,
    /// What is chosen.
    pub pick: Pick,
    /// The kind of file offered: a label and its extensions (lower case); none for a folder.
    pub filter: Option<(String, Vec<String>)>,
}

/// What a [`FileDialog`] chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// One folder.
    Folder,
    /// One file to read.
    File,
    /// Several files to read.
    Files,
    /// A file to write, proposed under this name.
    Save(String),
}

/// What a sharing command asks of the network door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharingChange {
    /// Nothing: its state.
    None,
    /// Start it (a running door is kept, with its pairing).
    Start,
    /// Stop it: every device's session ends.
    Stop,
    /// Unpair this device ([`image_scorer_protocol::PairedDevice::id`]).
    Unpair(u32),
}

impl FileDialog {
    fn new(title: impl Into<String>, pick: Pick) -> Self {
        Self {
            title: title.into(),
            pick,
            filter: None,
        }
    }

    fn filter(mut self, label: &str, extensions: &[&str]) -> Self {
        self.filter = Some((
            label.to_owned(),
            extensions.iter().map(|e| e.to_string()).collect(),
        ));
        self
    }

    /// Every image format the app decodes (core's list of formats).
    fn images(self) -> Self {
        self.filter("Images", DECODED_EXTENSIONS)
    }
}

impl App {
    /// Gives the app its window's dialogs and network door (the shell does, once, at start).
    pub fn attach_desktop(&self, desktop: std::sync::Arc<dyn Desktop>) {
        let _ = self.0.desktop.set(desktop);
    }

    fn desktop(&self, what: &str) -> Result<&dyn Desktop, AppError> {
        self.0.desktop.get().map(|d| d.as_ref()).ok_or_else(|| {
            AppError::new(
                ErrorKind::InvalidInput,
                format!("{what} needs the desktop app's window: use the desktop app for it."),
            )
        })
    }

    /// The one path `dialog` gives, or `None` when the person cancelled.
    async fn pick_one(&self, dialog: FileDialog) -> Result<Option<PathBuf>, AppError> {
        let picked = self.desktop("A file dialog")?.pick(dialog).await?;
        Ok(picked.and_then(|paths| paths.into_iter().next()))
    }
}

impl Handler<ChooseFolder> for App {
    async fn handle(&self, _: ChooseFolder) -> Result<Option<LibraryState>, AppError> {
        let dialog = FileDialog::new("Open a folder of images", Pick::Folder);
        let Some(path) = self.pick_one(dialog).await? else {
            return Ok(None);
        };
        self.open_folder(&path).await.map(Some)
    }
}

impl Handler<ImportImages> for App {
    async fn handle(&self, _: ImportImages) -> Result<Option<ImportedImages>, AppError> {
        if self.app_storage().is_none() {
            // Said before a dialog opens for nothing.
            return Ok(Some(self.import_images(&[]).await?));
        }
        let dialog = FileDialog::new("Import images into the library", Pick::Files).images();
        let Some(paths) = self.desktop("Importing images")?.pick(dialog).await? else {
            return Ok(None);
        };
        Ok(Some(self.import_images(&paths).await?))
    }
}

impl Handler<InstallPack> for App {
    async fn handle(&self, r: InstallPack) -> Result<Option<PackInfo>, AppError> {
        let source = match r.from {
            PackFrom::Url { url, sha256 } => PackSource::Url { url, sha256 },
            PackFrom::Folder => {
                let dialog = FileDialog::new("Install a model pack: its folder", Pick::Folder);
                match self.pick_one(dialog).await? {
                    Some(path) => PackSource::Folder(path),
                    None => return Ok(None),
                }
            }
            PackFrom::Zip => {
                let dialog = FileDialog::new("Install a model pack: its .zip", Pick::File)
                    .filter("Zip", &["zip"]);
                match self.pick_one(dialog).await? {
                    Some(path) => PackSource::Zip(path),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(self.install_pack_shown(source).await?))
    }
}

impl Handler<FindSimilarToFile> for App {
    async fn handle(&self, r: FindSimilarToFile) -> Result<Option<SimilarImages>, AppError> {
        let dialog = FileDialog::new("Find images like this one", Pick::File).images();
        let Some(path) = self.pick_one(dialog).await? else {
            return Ok(None);
        };
        self.similar_to_file(&path, r.k).await.map(Some)
    }
}

impl Handler<SavePlot> for App {
    async fn handle(&self, r: SavePlot) -> Result<Option<String>, AppError> {
        let name = format!("{}.svg", r.plot.kind.as_str());
        let dialog =
            FileDialog::new("Save the plot", Pick::Save(name)).filter("SVG image", &["svg"]);
        let Some(path) = self.pick_one(dialog).await? else {
            return Ok(None);
        };
        self.save_plot(&path, r.plot).await.map(Some)
    }
}

impl Handler<Export> for App {
    async fn handle(&self, r: Export) -> Result<Option<ExportSummary>, AppError> {
        let format = r.options.format;
        let name = match format {
            ExportFormat::Comparisons => "comparisons.jsonl".to_owned(),
            other => format!("ratings.{}", other.extension()),
        };
        let dialog = FileDialog::new(format!("Export {}", format.label()), Pick::Save(name))
            .filter(format.label(), &[format.extension()]);
        let Some(path) = self.pick_one(dialog).await? else {
            return Ok(None);
        };
        self.export_to(&path, &r.options).await.map(Some)
    }
}

impl Handler<ImportRatings> for App {
    async fn handle(&self, _: ImportRatings) -> Result<Option<ImportReport>, AppError> {
        let dialog = FileDialog::new(
            "Import ratings (the old tool's ratings.db, or an Image Scorer JSONL export)",
            Pick::File,
        )
        .filter("Ratings", &["db", "sqlite", "jsonl", "json"]);
        let Some(path) = self.pick_one(dialog).await? else {
            return Ok(None);
        };
        self.import_file(&path, &|_, _| {}).await.map(Some)
    }
}

impl Handler<ExportOwnModel> for App {
    async fn handle(&self, r: ExportOwnModel) -> Result<Option<OwnModelExported>, AppError> {
        let dialog = FileDialog::new(
            "Export your own model as an ONNX head",
            Pick::Save("my-model.onnx".into()),
        )
        .filter("ONNX", &["onnx"]);
        let Some(path) = self.pick_one(dialog).await? else {
            return Ok(None);
        };
        self.export_own_model(&path, &r.rater).await.map(Some)
    }
}

impl Handler<GetSharing> for App {
    async fn handle(&self, _: GetSharing) -> Result<SharingState, AppError> {
        match self.0.desktop.get() {
            Some(desktop) => desktop.sharing(SharingChange::None).await,
            // Nothing shares this library from here.
            None => Ok(SharingState::default()),
        }
    }
}

impl Handler<StartSharing> for App {
    async fn handle(&self, _: StartSharing) -> Result<SharingState, AppError> {
        self.desktop("Sharing with tablets")?
            .sharing(SharingChange::Start)
            .await
    }
}

impl Handler<UnpairDevice> for App {
    async fn handle(&self, request: UnpairDevice) -> Result<SharingState, AppError> {
        self.desktop("Sharing with tablets")?
            .sharing(SharingChange::Unpair(request.device))
            .await
    }
}

impl Handler<StopSharing> for App {
    async fn handle(&self, _: StopSharing) -> Result<SharingState, AppError> {
        self.desktop("Sharing with tablets")?
            .sharing(SharingChange::Stop)
            .await
    }
}
