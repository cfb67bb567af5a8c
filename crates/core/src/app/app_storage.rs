//! The library as the app's own folder, as on a phone or tablet: no folder picker and no
//! watching of folders elsewhere (a mobile system gives an app neither); images are imported
//! (copied) into `<data>/library`, and the folder is scanned again when the app comes back to
//! the front ([`App::resumed`]).
//!
//! Desktop builds open the folders the user chooses and watch them ([`LibraryPlace::Folders`]);
//! `IMAGE_SCORER_LIBRARY=app-storage` gives them the mobile arrangement, to try it.

use super::App;
use crate::{CoreError, Result};
use image_scorer_protocol::ImportedImages;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the library's images live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryPlace {
    /// The folders the user opens, watched for changes (the desktop).
    Folders,
    /// One folder of the app's own, images imported into it (a phone or tablet).
    AppStorage,
}

/// The environment variable that chooses [`LibraryPlace::AppStorage`] on the desktop
/// (`app-storage`), to try the mobile arrangement.
pub const LIBRARY_VARIABLE: &str = "IMAGE_SCORER_LIBRARY";

impl LibraryPlace {
    /// App storage on Android and iOS; on the desktop folders, unless [`LIBRARY_VARIABLE`] says
    /// `app-storage`.
    pub fn for_this_system() -> Self {
        let mobile = cfg!(any(target_os = "android", target_os = "ios"));
        let asked = std::env::var(LIBRARY_VARIABLE).is_ok_and(|v| v == "app-storage");
        if mobile || asked {
            Self::AppStorage
        } else {
            Self::Folders
        }
    }
}

/// The library folder in app storage, below the app's data folder.
pub fn library_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("library")
}

/// What a device's app says when asked to open a folder.
pub(super) fn no_folders() -> CoreError {
    CoreError::InvalidInput(
        "On this device the library is the app's own folder: import images into it instead of opening a folder.".into(),
    )
}

impl App {
    /// The library's folder, when it is the app's own ([`LibraryPlace::AppStorage`]).
    pub fn app_storage(&self) -> Option<&Path> {
        self.0.app_storage.as_deref()
    }

    /// The app came back to the front: the library in app storage is scanned again (files
    /// shared into it meanwhile appear). Folders on the desktop are watched instead.
    pub async fn resumed(&self) {
        if self.0.app_storage.is_some() {
            self.0.indexer.index_once().await;
        }
    }

    /// Copies the files at `paths` into the library in app storage and indexes it. A file
    /// whose content the library has is not copied again; a file that is not an image, or
    /// cannot be read, is reported and skipped; the others are copied under their own names
    /// (`name (2).jpg` beside a different file of that name), each written under a temporary
    /// name and renamed, so a crash leaves no half image.
    pub async fn import_images(&self, paths: &[PathBuf]) -> Result<ImportedImages> {
        let dir = self.0.app_storage.clone().ok_or_else(|| {
            CoreError::InvalidInput(
                "Importing copies images into a phone's or tablet's own library; on the desktop, open the folder (Ctrl+O).".into(),
            )
        })?;
        let mut report = ImportedImages::default();
        for path in paths {
            let shown = path.display().to_string();
            let checked = {
                let path = path.clone();
                tokio::task::spawn_blocking(move || read_image(&path))
                    .await
                    .map_err(|e| CoreError::Internal(e.to_string()))?
            };
            let (bytes, sha1) = match checked {
                Ok(found) => found,
                Err(why) => {
                    report.problems.push(format!("{shown} {why}"));
                    continue;
                }
            };
            if self.0.store.has_present_file(&sha1).await? {
                report.already += 1;
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("{sha1}.img"));
            let dir = dir.clone();
            let written = tokio::task::spawn_blocking(move || write_new(&dir, &name, &bytes))
                .await
                .map_err(|e| CoreError::Internal(e.to_string()))?;
            match written {
                Ok(_) => report.copied += 1,
                Err(e) => report
                    .problems
                    .push(format!("{shown} could not be copied: {e}")),
            }
        }
        self.0.indexer.index_once().await;
        report.library = self.0.indexer.library().await?.into();
        Ok(report)
    }
}

/// The bytes of the image file at `path` and their SHA-1, or why it is not imported.
fn read_image(path: &Path) -> std::result::Result<(Vec<u8>, String), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a file".into());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    if image::guess_format(&bytes).is_err() {
        return Err("is not an image: its content matches no known image format".into());
    }
    let sha1 = crate::library::content_hash::hash_reader(bytes.as_slice())
        .map_err(|e| format!("cannot be read: {e}"))?
        .sha1;
    Ok((bytes, sha1))
}

/// Writes `bytes` as a new file named `name` in `dir` (with ` (2)`, ` (3)`… before the
/// extension while that name is taken): under a temporary name first, then renamed.
fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    // Only the name: a separator or a leading dot in it cannot place the file elsewhere.
    let name = name.replace(['/', '\\'], "_");
    let name = name.trim_start_matches('.');
    let name = if name.is_empty() { "image" } else { name };
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".import-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    for n in 1u32.. {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        // persist_noclobber never replaces a file that appeared meanwhile.
        match temp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => temp = e.file,
            Err(e) => return Err(e.error),
        }
    }
    unreachable!("some name is free")
}

#[cfg(test)]
mod tests {
    use super::write_new;

    #[test]
    fn a_taken_name_gets_a_number_and_a_name_stays_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_new(dir.path(), "cat.jpg", b"one").unwrap();
        let second = write_new(dir.path(), "cat.jpg", b"two").unwrap();
        let third = write_new(dir.path(), "cat.jpg", b"three").unwrap();
        assert_eq!(first, dir.path().join("cat.jpg"));
        assert_eq!(second, dir.path().join("cat (2).jpg"));
        assert_eq!(third, dir.path().join("cat (3).jpg"));
        assert_eq!(std::fs::read(&first).unwrap(), b"one");
        assert_eq!(std::fs::read(&second).unwrap(), b"two");
        let odd = write_new(dir.path(), "../../escape.png", b"x").unwrap();
        assert_eq!(odd.parent().unwrap(), dir.path());
        let hidden = write_new(dir.path(), ".hidden", b"y").unwrap();
        assert_eq!(hidden, dir.path().join("hidden"));
        // No temporary file is left.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".partial"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
