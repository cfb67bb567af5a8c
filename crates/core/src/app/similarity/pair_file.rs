//! The near-duplicate pairs kept on disk, in the app's cache folder: written after each part
//! of a long search, so a search stopped half-way (the app closed, the machine asleep) goes on
//! from the last part, and a restart does not compute a large library's pairs again. A file
//! that is damaged, of another version, threshold or model is ignored (the pairs are computed
//! again); it is written whole beside its place and renamed into it (`write_atomically`).

use crate::export::write_atomically;
use crate::similarity::Pair;
use crate::CoreError;
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8] = b"image-scorer near-duplicate pairs\n";
const VERSION: u32 = 1;

/// The pairs of one model over `keys` (the images' SHA-1s, in the order the pairs number
/// them), every pair among them at or above `threshold` found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SavedPairs {
    pub model: i64,
    pub dim: usize,
    pub threshold: f32,
    pub keys: Vec<String>,
    pub pairs: Vec<Pair>,
}

/// Writes the pairs of `keys` to `path`, replacing what was there.
pub(super) fn save(
    path: &Path,
    model: i64,
    dim: usize,
    threshold: f32,
    keys: &[String],
    pairs: &[Pair],
) -> crate::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| CoreError::io(folder, e))?;
    write_atomically(path, |out| {
        let mut write = || -> std::io::Result<()> {
            out.write_all(MAGIC)?;
            out.write_all(&VERSION.to_le_bytes())?;
            out.write_all(&model.to_le_bytes())?;
            out.write_all(&(dim as u32).to_le_bytes())?;
            out.write_all(&threshold.to_le_bytes())?;
            out.write_all(&(keys.len() as u32).to_le_bytes())?;
            for key in keys {
                let bytes = key.as_bytes();
                let len = u8::try_from(bytes.len())
                    .map_err(|_| std::io::Error::other("an image key over 255 bytes"))?;
                out.write_all(&[len])?;
                out.write_all(bytes)?;
            }
            out.write_all(&(pairs.len() as u64).to_le_bytes())?;
            for p in pairs {
                out.write_all(&p.a.to_le_bytes())?;
                out.write_all(&p.b.to_le_bytes())?;
                out.write_all(&p.cosine.to_le_bytes())?;
            }
            Ok(())
        };
        write().map_err(|e| CoreError::io(path, e))
    })
}

/// The pairs in `path`, when it holds a whole file of this version; `None` otherwise.
pub(super) fn load(path: &Path) -> Option<SavedPairs> {
    let bytes = std::fs::read(path).ok()?;
    let mut r = Reader(&bytes);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION {
        return None;
    }
    let model = i64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let dim = r.u32()? as usize;
    let threshold = f32::from_le_bytes(r.take(4)?.try_into().ok()?);
    let count = r.u32()? as usize;
    // Each key takes a byte at least: a count beyond the file is a damaged one.
    if count > r.0.len() {
        return None;
    }
    let mut keys = Vec::with_capacity(count);
    for _ in 0..count {
        let len = r.take(1)?[0] as usize;
        keys.push(String::from_utf8(r.take(len)?.to_vec()).ok()?);
    }
    let pairs = u64::from_le_bytes(r.take(8)?.try_into().ok()?) as usize;
    if pairs.checked_mul(12)? != r.0.len() {
        return None;
    }
    let pairs = (0..pairs)
        .map(|_| {
            let (a, b) = (r.u32()?, r.u32()?);
            let cosine = f32::from_le_bytes(r.take(4)?.try_into().ok()?);
            ((a as usize) < count && b < a && cosine.is_finite()).then_some(Pair { a, b, cosine })
        })
        .collect::<Option<Vec<Pair>>>()?;
    Some(SavedPairs {
        model,
        dim,
        threshold,
        keys,
        pairs,
    })
}

/// Reads a file's fields from its front.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_come_back_as_written_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache").join("pairs.bin");
        let keys: Vec<String> = (0..5).map(|i| format!("{i:040x}")).collect();
        let pairs = vec![
            Pair {
                a: 1,
                b: 0,
                cosine: 0.93,
            },
            Pair {
                a: 4,
                b: 2,
                cosine: 0.81,
            },
        ];
        save(&path, 7, 768, 0.8, &keys, &pairs).unwrap();
        let saved = load(&path).unwrap();
        assert_eq!(
            saved,
            SavedPairs {
                model: 7,
                dim: 768,
                threshold: 0.8,
                keys: keys.clone(),
                pairs: pairs.clone(),
            }
        );
        // Cut short, a pair naming a row that is not there, another file: ignored.
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
        assert_eq!(load(&path), None);
        save(&path, 7, 768, 0.8, &keys[..3], &pairs).unwrap();
        assert_eq!(load(&path), None, "row 4 of 3");
        std::fs::write(&path, b"something else").unwrap();
        assert_eq!(load(&path), None);
        assert_eq!(load(&dir.path().join("none.bin")), None);
    }
}
