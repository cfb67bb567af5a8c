//! Where an index keeps its low halves: in memory, or, for a large library, in a file of the
//! cache folder mapped into memory, so that only the rows a query scores again (its
//! candidates) are read from it and the rest stays on disk. The high halves, which every
//! query reads whole, always stay in memory.
//!
//! The file is a temporary one (unlinked as it is made, gone when the index is dropped or the
//! app stops), written in chunks as rows arrive and mapped again after each chunk; rows not yet
//! written are read from memory, so an index being filled answers at any moment.

use half::f16;
use memmap2::Mmap;
use std::fs::File;
use std::io::Write;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// How a row's low halves are read where they are on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// A few rows (a query's candidates, a query row): read from the file, so the process
    /// maps none of it (the system maps a file's pages in large runs, so a few thousand
    /// scattered rows read through the map would map nearly all of it).
    Point,
    /// Every row (a pair search, a projection): through the map, whose pages are the system's
    /// page cache, kept or dropped as memory allows.
    Bulk,
}

/// Halves gathered in memory before they are written to the file at once (8 MB).
const CHUNK: usize = 4 << 20;

/// The low halves of an index's rows, row after row.
#[derive(Default)]
pub(super) struct LowHalves {
    /// The halves not in the file: all of them while in memory.
    tail: Vec<f16>,
    /// The file and its map, once the halves moved there.
    disk: Option<Disk>,
    /// When, and where, they move: from this many rows, into this folder.
    spill: Option<(usize, PathBuf)>,
    rows: usize,
}

struct Disk {
    file: File,
    map: Mmap,
    /// Halves in the file (and its map).
    written: usize,
}

impl LowHalves {
    /// Moves the halves into a temporary file in `dir` once there are `from` rows or more; until
    /// then (and where the file cannot be made) they stay in memory.
    pub fn spill_from(&mut self, from: usize, dir: PathBuf) {
        self.spill = Some((from, dir));
        self.maybe_spill();
    }

    /// Appends one row's halves.
    pub fn push_row(&mut self, row: &[f16]) {
        self.tail.extend_from_slice(row);
        self.rows += 1;
        self.maybe_spill();
    }

    /// How many halves in all.
    pub fn len(&self) -> usize {
        self.disk.as_ref().map_or(0, |d| d.written) + self.tail.len()
    }

    /// `f` of the halves of `span` (one row's), read as `reading` says.
    pub fn with<R>(&self, span: Range<usize>, reading: Reading, f: impl FnOnce(&[f16]) -> R) -> R {
        match (&self.disk, reading) {
            (Some(d), Reading::Point) if span.start < d.written => {
                let mut row = vec![f16::ZERO; span.len()];
                let at = (span.start * 2) as u64;
                match d.file.read_exact_at(bytemuck::cast_slice_mut(&mut row), at) {
                    Ok(()) => f(&row),
                    // The file is this process's own; should a read fail, the map answers.
                    Err(_) => f(self.get(span)),
                }
            }
            _ => f(self.get(span)),
        }
    }

    /// The halves of `span` (one row's: a span never crosses from the file into memory).
    fn get(&self, span: Range<usize>) -> &[f16] {
        match &self.disk {
            Some(d) if span.start < d.written => &halves(&d.map)[span],
            Some(d) => &self.tail[span.start - d.written..span.end - d.written],
            None => &self.tail[span],
        }
    }

    /// Bytes held in memory (the file's pages are the system's to keep or drop).
    pub fn bytes_in_memory(&self) -> usize {
        self.tail.capacity() * 2
    }

    /// Bytes in the file.
    pub fn bytes_on_disk(&self) -> usize {
        self.disk.as_ref().map_or(0, |d| d.written * 2)
    }

    /// Writes the tail to the file when it is due: the first time at the spill size, then a
    /// chunk at a time. A file that cannot be made or written leaves the halves in memory.
    fn maybe_spill(&mut self) {
        let due = match (&self.disk, &self.spill) {
            (Some(_), _) => self.tail.len() >= CHUNK,
            (None, Some((from, _))) => self.rows >= *from,
            (None, None) => false,
        };
        if !due {
            return;
        }
        if let Err(error) = self.write_tail() {
            eprintln!("image-scorer: the embeddings' low halves stay in memory: {error}");
            self.spill = None;
        }
    }

    fn write_tail(&mut self) -> std::io::Result<()> {
        // The old map stays until the new one is made, so a failed write loses nothing.
        let old = self.disk.take();
        let made = match &old {
            Some(d) => d.file.try_clone().map(|f| (f, d.written)),
            None => {
                let dir = self
                    .spill
                    .as_ref()
                    .map(|(_, d)| d.clone())
                    .unwrap_or_default();
                std::fs::create_dir_all(&dir)
                    .and_then(|()| tempfile::tempfile_in(&dir))
                    .map(|f| (f, 0))
            }
        };
        let appended = made.and_then(|(file, written)| {
            (&file).write_all(bytemuck::cast_slice(&self.tail))?;
            // SAFETY: the file is unlinked and only this value writes to it, never while a
            // map of it is borrowed (writing takes `&mut self`).
            let map = unsafe { Mmap::map(&file)? };
            Ok(Disk {
                file,
                map,
                written: written + self.tail.len(),
            })
        });
        match appended {
            Ok(disk) => {
                self.disk = Some(disk);
                self.tail = Vec::new();
                Ok(())
            }
            Err(error) => {
                // Bring what the file held back into memory, before the rest.
                if let Some(d) = old {
                    let mut all = halves(&d.map)[..d.written].to_vec();
                    all.append(&mut self.tail);
                    self.tail = all;
                }
                Err(error)
            }
        }
    }
}

/// A map's bytes as halves (the map is page-aligned and holds whole halves).
fn halves(map: &Mmap) -> &[f16] {
    bytemuck::cast_slice(&map[..map.len() / 2 * 2])
}

impl Clone for LowHalves {
    /// A copy in memory, spilling as the original would.
    fn clone(&self) -> Self {
        let mut tail = Vec::with_capacity(self.len());
        if let Some(d) = &self.disk {
            tail.extend_from_slice(&halves(&d.map)[..d.written]);
        }
        tail.extend_from_slice(&self.tail);
        let mut copy = Self {
            tail,
            disk: None,
            spill: self.spill.clone(),
            rows: self.rows,
        };
        copy.maybe_spill();
        copy
    }
}

impl std::fmt::Debug for LowHalves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LowHalves")
            .field("in_memory", &self.tail.len())
            .field("on_disk", &self.disk.as_ref().map_or(0, |d| d.written))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::similarity::EmbeddingIndex;

    fn rows(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..n)
            .map(|_| (0..dim).map(|_| rng.f32().powi(2)).collect())
            .collect()
    }

    /// The same rows in memory and spilled (from 1,000 rows, then a chunk written as more
    /// arrive, the last ones still in memory) give the same vectors, cosines and top-k.
    #[test]
    fn halves_on_disk_answer_as_in_memory() {
        let dim = 768;
        let data = rows(7_000, dim, 3);
        let dir = tempfile::tempdir().unwrap();
        let (mut memory, mut disk) = (EmbeddingIndex::new(dim), EmbeddingIndex::new(dim));
        disk.low_on_disk_from(1_000, dir.path().join("cache"));
        for (i, row) in data.iter().enumerate() {
            assert!(memory.push(format!("r{i}"), row));
            assert!(disk.push(format!("r{i}"), row));
            if i == 500 {
                assert_eq!(disk.bytes_on_disk(), 0, "in memory below the spill size");
            }
        }
        // 7,000 x 768 halves: the first spill, a chunk more, and a tail in memory.
        assert!(disk.bytes_on_disk() > 1_000 * dim * 2 + (4 << 20));
        assert!(disk.bytes_on_disk() < 7_000 * dim * 2);
        assert!(
            disk.bytes_in_memory() + 2_000_000 < memory.bytes_in_memory(),
            "{} vs {}",
            disk.bytes_in_memory(),
            memory.bytes_in_memory()
        );
        for row in [0, 999, 1_000, 6_461, 6_462, 6_999] {
            assert_eq!(memory.vector(row), disk.vector(row), "row {row}");
            assert_eq!(memory.cosine(row, 17), disk.cosine(row, 17));
        }
        for q in [3, 4_000, 6_998] {
            assert_eq!(
                memory.top_k(&data[q], 10, 2),
                disk.top_k(&data[q], 10, 2),
                "query {q}"
            );
        }
        let w: Vec<f32> = (0..dim).map(|i| (i as f32).sin()).collect();
        assert_eq!(memory.project(&w, 2), disk.project(&w, 2));
        // A copy is one in memory with the same rows.
        assert_eq!(disk.clone().vector(5_000), memory.vector(5_000));
    }

    /// Where the file cannot be made, the halves stay in memory and nothing is lost.
    #[test]
    fn a_folder_that_cannot_hold_the_file_keeps_them_in_memory() {
        let dim = 64;
        let data = rows(300, dim, 5);
        let dir = tempfile::tempdir().unwrap();
        let blocked = dir.path().join("a-file");
        std::fs::write(&blocked, b"not a folder").unwrap();
        let mut index = EmbeddingIndex::new(dim);
        index.low_on_disk_from(100, blocked.join("cache"));
        for (i, row) in data.iter().enumerate() {
            index.push(format!("r{i}"), row);
        }
        assert_eq!(index.bytes_on_disk(), 0);
        let mut memory = EmbeddingIndex::new(dim);
        for (i, row) in data.iter().enumerate() {
            memory.push(format!("r{i}"), row);
        }
        for row in [0, 150, 299] {
            assert_eq!(index.vector(row), memory.vector(row));
        }
    }
}
