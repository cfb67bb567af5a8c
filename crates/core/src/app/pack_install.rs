//! Installing a model pack in one step: from a folder, a `.zip`, or a `.zip` at a URL
//! (downloaded with resume, checked against a SHA-256 when one is given). The pack is put
//! together in a hidden folder beside the others, checked as the predictor would open it, and
//! only then renamed into the packs folder, so a pack that is listed is whole and valid. What
//! a pack may hold is capped ([`PackLimits`]): a hostile zip or download is refused with the
//! reason and leaves nothing behind.

use super::App;
use crate::{CoreError, Result};
use image_scorer_protocol::PackInfo;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Where a pack comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// A folder holding `pack.toml` and its models.
    Folder(PathBuf),
    /// A `.zip` of such a folder (or of its files).
    Zip(PathBuf),
    /// A `.zip` on the web, with its SHA-256 (hex) when the publisher gives one.
    Url { url: String, sha256: Option<String> },
}

/// What a pack being installed may hold, so that a zip bomb or an endless download cannot fill
/// the disk: the largest packs known (a CLIP ViT-bigG in 32-bit floats) stay well inside.
#[derive(Debug, Clone)]
pub struct PackLimits {
    /// Entries of a `.zip`.
    pub entries: usize,
    /// Bytes a `.zip` unpacks to, in all.
    pub unpacked_bytes: u64,
    /// How many times its packed size an entry of over a MiB may unpack to (model weights
    /// hardly pack at all).
    pub ratio: u64,
    /// Bytes of a download.
    pub download_bytes: u64,
}

impl Default for PackLimits {
    fn default() -> Self {
        Self {
            entries: 1000,
            unpacked_bytes: 16 << 30,
            ratio: 100,
            download_bytes: 16 << 30,
        }
    }
}

/// Bytes in words for a message: "16 GiB", "512 MiB", "4 KiB".
pub(super) fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{} KiB", b.div_ceil(1024)),
    }
}

/// Hears how far an installation is: bytes done and, when known, in all.
pub type Progress = std::sync::Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

pub(super) fn fault(what: impl std::fmt::Display) -> CoreError {
    CoreError::InvalidInput(format!("The model pack could not be installed: {what}"))
}

impl App {
    /// Installs the pack from `source` into the packs folder and lists it; `progress` hears of
    /// the bytes copied or downloaded. Returns the pack as the Model packs panel lists it.
    pub async fn install_pack(&self, source: PackSource, progress: Progress) -> Result<PackInfo> {
        let packs_dir = self.0.predictor.packs_dir().to_owned();
        std::fs::create_dir_all(&packs_dir).map_err(|e| CoreError::io(&packs_dir, e))?;
        let staging = tempfile::Builder::new()
            .prefix(".installing-")
            .tempdir_in(&packs_dir)
            .map_err(|e| CoreError::io(&packs_dir, e))?;
        let limits = self.0.pack_limits.clone();
        let zip = match &source {
            PackSource::Folder(dir) => {
                let (dir, to, progress) =
                    (dir.clone(), staging.path().to_owned(), progress.clone());
                blocking(move || copy_folder(&dir, &to, &progress)).await?;
                None
            }
            PackSource::Zip(file) => Some(file.clone()),
            PackSource::Url { url, sha256 } => {
                let (url, sha256) = (url.clone(), sha256.clone());
                let downloads = packs_dir.join(".downloads");
                let progress = progress.clone();
                let cap = limits.download_bytes;
                let roots = self.0.pack_roots.clone();
                let file = blocking(move || {
                    let fetched = super::pack_download::download(
                        &url,
                        sha256.as_deref(),
                        &downloads,
                        cap,
                        roots.as_deref(),
                        &progress,
                    );
                    // Nothing of a refused download stays behind but a resumable part.
                    let _ = std::fs::remove_dir(&downloads);
                    fetched
                })
                .await?;
                Some(file)
            }
        };
        if let Some(file) = &zip {
            let file = file.clone();
            let to = staging.path().to_owned();
            blocking(move || extract_zip(&file, &to, &limits)).await?;
        }
        let root = pack_root(staging.path())?;
        let (predictor, checked) = (self.0.predictor.clone(), root.clone());
        blocking(move || predictor.validate_pack(&checked)).await?;
        let manifest =
            std::fs::read_to_string(root.join(crate::inference::pack::MANIFEST)).map_err(fault)?;
        let manifest: crate::inference::PackManifest =
            toml::from_str(&manifest).map_err(|e| fault(format!("pack.toml is not valid: {e}")))?;
        let folder = folder_name(&manifest.name);
        let target = packs_dir.join(&folder);
        if target.exists() {
            return Err(fault(format!(
                "a pack is already installed as “{folder}” in {}; remove that folder first to replace it",
                packs_dir.display()
            )));
        }
        std::fs::rename(&root, &target).map_err(|e| CoreError::io(&target, e))?;
        if let PackSource::Url { .. } = source {
            if let Some(file) = zip {
                let _ = std::fs::remove_file(file);
            }
        }
        self.0.predictor.packs_changed();
        let id = format!("packs/{folder}");
        self.0
            .predictor
            .state()
            .packs
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| fault("it was installed but is not listed"))
    }
}

impl App {
    /// [`App::install_pack`] with its progress shown in the predictor's state (the Model packs
    /// panel), a few times a second at most, and cleared at the end.
    pub async fn install_pack_shown(&self, source: PackSource) -> Result<PackInfo> {
        let predictor = self.0.predictor.clone();
        let last = std::sync::Mutex::new((std::time::Instant::now(), 0u32));
        let progress: Progress = {
            let predictor = predictor.clone();
            std::sync::Arc::new(move |done: u64, total: Option<u64>| {
                let kib = |b: u64| u32::try_from(b / 1024).unwrap_or(u32::MAX);
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                let finished = total == Some(done);
                if !finished && last.0.elapsed() < std::time::Duration::from_millis(200) {
                    return;
                }
                *last = (std::time::Instant::now(), kib(done));
                predictor.installing(Some(image_scorer_protocol::InstallProgress {
                    done_kib: kib(done),
                    total_kib: total.map(kib),
                }));
            })
        };
        predictor.installing(Some(image_scorer_protocol::InstallProgress::default()));
        let installed = self.install_pack(source, progress).await;
        predictor.installing(None);
        installed
    }
}

/// Runs blocking I/O (copies, downloads, unzipping, opening the models) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::Internal(format!("installing a pack stopped: {e}")))?
}

/// The packs folder's name for a pack called `name`: lowercase letters, digits and dashes.
pub fn folder_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "pack".into()
    } else {
        out
    }
}

/// The folder in `staging` that holds `pack.toml`: itself, or its one subfolder (a zip of a
/// folder).
fn pack_root(staging: &Path) -> Result<PathBuf> {
    if staging.join(crate::inference::pack::MANIFEST).is_file() {
        return Ok(staging.to_owned());
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(staging)
        .map_err(|e| CoreError::io(staging, e))?
        .flatten()
        .map(|e| e.path())
        .collect();
    match entries.as_slice() {
        [one] if one.join(crate::inference::pack::MANIFEST).is_file() => Ok(one.clone()),
        _ => Err(fault(
            "it holds no pack.toml (a pack is a folder with pack.toml and its models)",
        )),
    }
}

/// Copies the files of `from` into `to` (following links to the model files), reporting bytes.
fn copy_folder(from: &Path, to: &Path, progress: &Progress) -> Result<()> {
    if !from.join(crate::inference::pack::MANIFEST).is_file() {
        return Err(fault(format!("{} holds no pack.toml", from.display())));
    }
    let entries: Vec<_> = walkdir::WalkDir::new(from)
        .follow_links(true)
        .into_iter()
        .collect::<std::result::Result<_, _>>()
        .map_err(fault)?;
    let total: u64 = entries
        .iter()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut done = 0u64;
    for entry in entries {
        let rel = entry.path().strip_prefix(from).map_err(fault)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| CoreError::io(&dest, e))?;
        } else if entry.file_type().is_file() {
            let mut input =
                std::fs::File::open(entry.path()).map_err(|e| CoreError::io(entry.path(), e))?;
            let mut output = std::fs::File::create(&dest).map_err(|e| CoreError::io(&dest, e))?;
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let n = input
                    .read(&mut buffer)
                    .map_err(|e| CoreError::io(entry.path(), e))?;
                if n == 0 {
                    break;
                }
                output
                    .write_all(&buffer[..n])
                    .map_err(|e| CoreError::io(&dest, e))?;
                done += n as u64;
                progress(done, Some(total));
            }
            output.sync_all().map_err(|e| CoreError::io(&dest, e))?;
        }
    }
    Ok(())
}

/// Extracts the zip at `file` into `to`: an entry whose name would leave `to`, a link, more
/// entries or bytes than `limits` allow, or an entry that unpacks to many times its size is
/// refused (the bytes written are counted, whatever the entries declare).
fn extract_zip(file: &Path, to: &Path, limits: &PackLimits) -> Result<()> {
    let reader = std::fs::File::open(file).map_err(|e| CoreError::io(file, e))?;
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| fault(format!("{} is not a usable zip: {e}", file.display())))?;
    if archive.len() > limits.entries {
        return Err(fault(format!(
            "the zip has {} entries; a pack holds at most {}",
            archive.len(),
            limits.entries
        )));
    }
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(fault)?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(fault(format!(
                "the zip's entry “{}” points outside it",
                entry.name()
            )));
        };
        if entry.is_symlink() {
            return Err(fault(format!(
                "the zip's entry “{}” is a link; a pack holds files only",
                entry.name()
            )));
        }
        let dest = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| CoreError::io(&dest, e))?;
            continue;
        }
        let declared = entry.size();
        if declared > 1 << 20 && declared / entry.compressed_size().max(1) > limits.ratio {
            return Err(fault(format!(
                "the zip's entry “{}” unpacks to {} times its size (a zip bomb?); a pack's \
                 files unpack to at most {} times theirs",
                entry.name(),
                declared / entry.compressed_size().max(1),
                limits.ratio
            )));
        }
        let left = limits.unpacked_bytes - unpacked;
        let too_big = || {
            fault(format!(
                "the zip unpacks to more than {}, the most a pack may hold",
                size(limits.unpacked_bytes)
            ))
        };
        if declared > left {
            return Err(too_big());
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CoreError::io(parent, e))?;
        }
        let mut out = std::fs::File::create(&dest).map_err(|e| CoreError::io(&dest, e))?;
        let written = std::io::copy(&mut (&mut entry).take(declared.min(left) + 1), &mut out)
            .map_err(|e| fault(format!("the zip is damaged: {e}")))?;
        if written > declared {
            return Err(fault(format!(
                "the zip's entry “{}” unpacks to more than it declares",
                entry.name()
            )));
        }
        unpacked += written;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::folder_name;

    #[test]
    fn a_packs_folder_is_named_after_it() {
        assert_eq!(folder_name("CLIP ViT-L/14 + LAION"), "clip-vit-l-14-laion");
        assert_eq!(folder_name("../../etc"), "etc");
        assert_eq!(folder_name("  "), "pack");
    }
}
