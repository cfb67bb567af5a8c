//! Finding what inference needs on disk: the ONNX Runtime library and the model packs.

use super::pack::{PackManifest, MANIFEST};
use crate::library::content_hash::hash_file;
use crate::{CoreError, Result};
use image_scorer_protocol::PackInfo;
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};

/// The ONNX Runtime library's file name on this platform.
pub const LIBRARY_NAME: &str = if cfg!(target_os = "windows") {
    "onnxruntime.dll"
} else if cfg!(target_os = "macos") {
    "libonnxruntime.dylib"
} else {
    "libonnxruntime.so"
};

/// Where the ONNX Runtime library is looked for, in order: beside the executable (`exe_dir`),
/// in `../lib/image-scorer` from it (where the Linux packages put it), then the configured path
/// (a file, or a folder holding it).
pub fn library_candidates(exe_dir: Option<&Path>, configured: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(exe) = exe_dir {
        dirs.push(exe.to_owned());
        dirs.push(exe.join("../lib/image-scorer"));
    }
    let mut candidates: Vec<PathBuf> = dirs.iter().map(|d| d.join(LIBRARY_NAME)).collect();
    if let Some(configured) = configured {
        if configured.is_dir() {
            candidates.push(configured.join(LIBRARY_NAME));
        } else {
            candidates.push(configured.to_owned());
        }
    }
    candidates
}

/// The folder a shared library whose file name starts with `name` was loaded from, read from
/// a `/proc/<pid>/maps` listing. On Android the app is a library in the APK's native folder,
/// where ONNX Runtime's library (from the `onnxruntime-android` package) sits beside it: this
/// is that folder, as the executable's is on the desktop.
pub fn loaded_from(maps: &str, name: &str) -> Option<PathBuf> {
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .map(Path::new)
        .find(|path| {
            path.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(name))
        })
        .and_then(|path| path.parent().map(Path::to_owned))
}

/// The folder this process loaded the library named `name` from (see [`loaded_from`]).
pub fn own_library_dir(name: &str) -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    loaded_from(&maps, name)
}

/// The first of `candidates` that is a file, in each folder also accepting a versioned name
/// (`libonnxruntime.so.1.31.1`), or an error that lists where it looked.
pub fn find_library(candidates: &[PathBuf]) -> Result<PathBuf> {
    for candidate in candidates {
        if candidate.is_file() {
            return Ok(candidate.clone());
        }
        let (Some(dir), Some(name)) = (candidate.parent(), candidate.file_name()) else {
            continue;
        };
        let prefix = format!("{}.", name.to_string_lossy());
        let mut versioned: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        versioned.sort();
        if let Some(found) = versioned.pop() {
            return Ok(found);
        }
    }
    let places: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    Err(CoreError::Model(format!(
        "ONNX Runtime ({LIBRARY_NAME}) was not found, so there are no predictions; everything \
         else works. Looked in: {}. Put the library beside the app or set IMAGE_SCORER_ORT to it.",
        places.join(", ")
    )))
}

/// The packs in `sources` (each a label such as `packs` and a folder): every sub-folder with a
/// `pack.toml`, by folder name. A manifest that cannot be read is listed with its problem; the
/// models themselves are checked when the pack is opened.
pub fn discover_packs(sources: &[(&str, PathBuf)]) -> Vec<(PackInfo, PathBuf)> {
    let mut found = Vec::new();
    for (label, folder) in sources {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            // Hidden folders are not packs (a pack being installed, downloads).
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .filter(|p| p.join(MANIFEST).is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let folder_name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let manifest = std::fs::read_to_string(dir.join(MANIFEST))
                .map_err(|e| e.to_string())
                .and_then(|t| toml::from_str::<PackManifest>(&t).map_err(|e| e.to_string()));
            let info = match manifest {
                Ok(m) => PackInfo {
                    id: format!("{label}/{folder_name}"),
                    name: m.name,
                    source: (*label).to_owned(),
                    has_head: m.head.is_some(),
                    problem: None,
                },
                Err(e) => PackInfo {
                    id: format!("{label}/{folder_name}"),
                    name: folder_name.clone(),
                    source: (*label).to_owned(),
                    has_head: false,
                    problem: Some(format!("{MANIFEST} is not valid: {}", e.trim())),
                },
            };
            found.push((info, dir));
        }
    }
    found
}

/// The pack to use among `packs` (from [`discover_packs`]): the one with id `wanted` if it is
/// there, else the first usable pack with a score head, else the first usable one, else the
/// first (which then reports its problem).
pub fn choose_pack<'a>(
    packs: &'a [(PackInfo, PathBuf)],
    wanted: Option<&str>,
) -> Option<&'a (PackInfo, PathBuf)> {
    let usable = |p: &&(PackInfo, PathBuf)| p.0.problem.is_none();
    wanted
        .and_then(|id| packs.iter().find(|(p, _)| p.id == id))
        .or_else(|| packs.iter().filter(usable).find(|(p, _)| p.has_head))
        .or_else(|| packs.iter().find(usable))
        .or(packs.first())
}

/// A hash of what a pack computes: its models' bytes and the encoder's settings (not its
/// name), so a changed model is a new model and a renamed pack keeps its cache. Reads every
/// model file in full (a CLIP ViT-L/14 tower is over a gigabyte): [`pack_stat_key`] says when a
/// fingerprint computed before still holds.
pub fn pack_fingerprint(dir: &Path, manifest: &PackManifest) -> Result<String> {
    let mut hasher = Sha1::new();
    hasher.update(settings(manifest).as_bytes());
    for path in model_files(dir, manifest) {
        let hashed = hash_file(&path)
            .map_err(|err| CoreError::Model(format!("{} cannot be read: {err}", path.display())))?;
        hasher.update(hashed.sha1.as_bytes());
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A cheap key for a pack as it is on disk now: its settings and each model file's resolved
/// path, size and modification time. While it is unchanged, so is [`pack_fingerprint`].
pub fn pack_stat_key(dir: &Path, manifest: &PackManifest) -> Result<String> {
    let mut hasher = Sha1::new();
    hasher.update(settings(manifest).as_bytes());
    for path in model_files(dir, manifest) {
        let fault = |err: std::io::Error| {
            CoreError::Model(format!("{} cannot be read: {err}", path.display()))
        };
        let resolved = path.canonicalize().map_err(fault)?;
        let meta = std::fs::metadata(&resolved).map_err(fault)?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        hasher.update(format!("|{}|{}|{modified}", resolved.display(), meta.len()).as_bytes());
    }
    Ok(hex::encode(hasher.finalize()))
}

/// What of the manifest changes the numbers a pack computes (not its name or file names).
fn settings(manifest: &PackManifest) -> String {
    let e = &manifest.encoder;
    let mut settings = format!(
        "{}|{}|{:?}|{}|{}|{:?}|{:?}|{:?}|{:?}|{}|{}",
        e.input,
        e.output,
        e.layout,
        e.size,
        e.channels,
        e.mean,
        e.std,
        e.scale,
        e.offset,
        e.width,
        e.normalize
    );
    if let Some(h) = &manifest.head {
        settings.push_str(&format!("|head|{}|{}", h.input, h.output));
    }
    settings
}

fn model_files(dir: &Path, manifest: &PackManifest) -> Vec<PathBuf> {
    std::iter::once(&manifest.encoder.file)
        .chain(manifest.head.as_ref().map(|h| &h.file))
        .map(|f| dir.join(f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_of_a_loaded_library_is_read_from_the_process_maps() {
        let maps = "\
7f00-7f10 r--p 00000000 fd:01 100 /data/app/~~x==/org.imagescorer-1/lib/arm64/libimage_scorer_lib.so
7f10-7f20 r-xp 00010000 fd:01 100 /data/app/~~x==/org.imagescorer-1/lib/arm64/libimage_scorer_lib.so
7f30-7f40 rw-p 00000000 00:00 0
7f50-7f60 r--p 00000000 fd:01 7 /system/lib64/libc.so
";
        assert_eq!(
            loaded_from(maps, "libimage_scorer_lib"),
            Some(PathBuf::from("/data/app/~~x==/org.imagescorer-1/lib/arm64"))
        );
        assert_eq!(loaded_from(maps, "libonnxruntime"), None);
        assert_eq!(
            loaded_from(maps, "libc.so"),
            Some(PathBuf::from("/system/lib64"))
        );
        // This very process: the C library it runs on is found where it is.
        let libc = own_library_dir("libc.so").expect("libc is loaded");
        assert!(
            std::fs::read_dir(&libc).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("libc.so")),
            "{libc:?}"
        );
    }

    #[test]
    fn the_library_is_found_beside_the_binary_before_the_configured_path() {
        let exe = tempfile::tempdir().unwrap();
        let configured = tempfile::tempdir().unwrap();
        std::fs::write(configured.path().join("libonnxruntime.so.1.31.1"), b"x").unwrap();
        let candidates = library_candidates(Some(exe.path()), Some(configured.path()));
        let found = find_library(&candidates).unwrap();
        assert_eq!(found, configured.path().join("libonnxruntime.so.1.31.1"));
        std::fs::write(exe.path().join(LIBRARY_NAME), b"x").unwrap();
        assert_eq!(
            find_library(&candidates).unwrap(),
            exe.path().join(LIBRARY_NAME)
        );
    }

    #[test]
    fn the_wanted_pack_else_a_usable_one_with_a_head_is_chosen() {
        let pack = |id: &str, head: bool, problem: bool| {
            let info = PackInfo {
                id: id.into(),
                name: id.into(),
                source: "packs".into(),
                has_head: head,
                problem: problem.then(|| "broken".to_owned()),
            };
            (info, PathBuf::from(id))
        };
        let packs = [
            pack("a-broken", true, true),
            pack("b-encoder", false, false),
            pack("c-head", true, false),
        ];
        let chosen = |wanted| choose_pack(&packs, wanted).map(|(p, _)| p.id.as_str());
        assert_eq!(chosen(None), Some("c-head"));
        assert_eq!(chosen(Some("b-encoder")), Some("b-encoder"));
        assert_eq!(chosen(Some("gone")), Some("c-head"));
        assert_eq!(
            chosen(Some("a-broken")),
            Some("a-broken"),
            "asked for, it says why it fails"
        );
        assert_eq!(
            choose_pack(&packs[..2], None).map(|(p, _)| p.id.as_str()),
            Some("b-encoder")
        );
        assert_eq!(
            choose_pack(&packs[..1], None).map(|(p, _)| p.id.as_str()),
            Some("a-broken")
        );
        assert!(choose_pack(&[], None).is_none());
    }

    #[test]
    fn a_missing_library_says_where_it_looked() {
        let exe = tempfile::tempdir().unwrap();
        let err = find_library(&library_candidates(Some(exe.path()), None)).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("was not found"), "{message}");
        assert!(
            message.contains(&exe.path().display().to_string()),
            "{message}"
        );
    }

    #[test]
    fn packs_are_listed_with_broken_manifests_named() {
        let root = tempfile::tempdir().unwrap();
        let good = root.path().join("b-good");
        let bad = root.path().join("a-bad");
        std::fs::create_dir_all(&good).unwrap();
        std::fs::create_dir_all(&bad).unwrap();
        std::fs::create_dir_all(root.path().join("not-a-pack")).unwrap();
        std::fs::write(
            good.join(MANIFEST),
            "name = \"Good\"\n[encoder]\nfile = \"e.onnx\"\ninput = \"x\"\noutput = \"y\"\nsize = 8\nscale = 1.0\nwidth = 4\n",
        )
        .unwrap();
        std::fs::write(bad.join(MANIFEST), "name = 3").unwrap();
        let packs = discover_packs(&[("packs", root.path().to_owned())]);
        let ids: Vec<&str> = packs.iter().map(|(p, _)| p.id.as_str()).collect();
        assert_eq!(ids, ["packs/a-bad", "packs/b-good"]);
        assert!(packs[0].0.problem.as_deref().unwrap().contains("not valid"));
        assert_eq!(packs[1].0.name, "Good");
        assert!(!packs[1].0.has_head);
        assert_eq!(packs[1].1, good);
    }
}
