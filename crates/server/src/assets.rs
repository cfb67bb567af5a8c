//! The UI's built files, served by their exact names: the desktop door hands over the files
//! embedded in the app; the CLI a folder (`ui/dist`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The UI's files by name (`index.html`, `styles.css`, …, no leading slash).
pub trait Assets: Send + Sync + 'static {
    /// The bytes and the content type of the file `name`, if the UI has one by that name.
    fn get(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)>;
}

/// The files directly in a folder, listed once when it is opened: a name is looked up in that
/// list, so no path a request spells reaches the file system.
pub struct DirAssets {
    files: HashMap<String, PathBuf>,
}

impl DirAssets {
    /// The files of `dir` (`ui/dist` after `trunk build`).
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                if let Some(name) = entry.file_name().to_str() {
                    files.insert(name.to_owned(), entry.path());
                }
            }
        }
        if !files.contains_key("index.html") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} has no index.html: build the UI first (trunk build)",
                    dir.display()
                ),
            ));
        }
        Ok(Self { files })
    }
}

impl Assets for DirAssets {
    fn get(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)> {
        let path = self.files.get(name)?;
        let bytes = std::fs::read(path).ok()?;
        Some((Cow::Owned(bytes), content_type(name).to_owned()))
    }
}

/// The content type of a UI file, by its extension.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
