//! Embedding many image files: reading, decoding and preprocessing on worker threads while the
//! encoder runs batches, so both parts keep the cores busy.

use super::Pack;
use crate::{CoreError, Result};
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

/// What became of one file.
pub type Embedded = std::result::Result<Vec<f32>, String>;

/// Embeds `files` with `pack` in batches of `batch`, decoding on `decoders` threads. Calls
/// `on_batch` with `(index into files, embedding or the file's error)` for each batch as it is
/// done; a file that cannot be read or decoded gets its error and never stops the run. Stops
/// early (without error) when `on_batch` returns `false`.
pub fn embed_files(
    pack: &Pack,
    files: &[PathBuf],
    batch: usize,
    decoders: usize,
    mut on_batch: impl FnMut(Vec<(usize, Embedded)>) -> bool,
) -> Result<()> {
    let batch = batch.max(1);
    let next = Mutex::new(0usize);
    let (tx, rx) = sync_channel::<(usize, std::result::Result<Vec<f32>, String>)>(batch * 2);
    std::thread::scope(|scope| -> Result<()> {
        // Owned here, so an early return drops it and unblocks the decoders before the join.
        let rx = rx;
        for _ in 0..decoders.max(1) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let index = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(path) = files.get(index) else { break };
                let tensor = crate::library::decode_at_least(path, pack.input_side() * 4)
                    .map(|img| pack.preprocess(&img));
                if tx.send((index, tensor)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: Vec<(usize, Vec<f32>)> = Vec::with_capacity(batch);
        let mut failed: Vec<(usize, Embedded)> = Vec::new();
        let mut received = 0;
        let mut flush = |pending: &mut Vec<(usize, Vec<f32>)>,
                         failed: &mut Vec<(usize, Embedded)>|
         -> Result<bool> {
            let mut done: Vec<(usize, Embedded)> = std::mem::take(failed);
            if !pending.is_empty() {
                let (indexes, tensors): (Vec<usize>, Vec<Vec<f32>>) = pending.drain(..).unzip();
                let embeddings = pack.embed(&tensors)?;
                done.extend(indexes.into_iter().zip(embeddings.into_iter().map(Ok)));
            }
            Ok(done.is_empty() || on_batch(done))
        };
        for (index, tensor) in rx.iter() {
            received += 1;
            match tensor {
                Ok(t) => pending.push((index, t)),
                Err(e) => failed.push((index, Err(e))),
            }
            if pending.len() == batch && !flush(&mut pending, &mut failed)? {
                // Dropping the receiver stops the decoders at their next send.
                return Ok(());
            }
        }
        flush(&mut pending, &mut failed)?;
        if received < files.len() {
            return Err(CoreError::Internal("a decoder stopped early".into()));
        }
        Ok(())
    })
}
