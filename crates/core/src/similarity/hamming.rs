//! Every pair of 64-bit perceptual hashes within a few differing bits, through a multi-index
//! hash rather than every pair: split into `distance + 1` runs of bits, two hashes within
//! `distance` bits agree on one run at least (pigeonhole), so each run's table of equal values
//! gives every candidate, and each pair is reported from the first run it agrees on. Beyond
//! [`MOST_RUNS`] runs (short runs put most hashes in one bucket) or on few hashes every pair is
//! compared.

/// The most runs the hashes are split into (runs of eight bits: buckets of a 256th of the
/// hashes); a larger distance compares every pair.
const MOST_RUNS: u32 = 8;
/// Up to this many hashes every pair is compared (a few milliseconds).
const EVERY_PAIR_UP_TO: usize = 4000;

/// Two hashes `(a, b)`, `b < a`, and the bits they differ in.
pub type HashPair = (u32, u32, u32);

/// Every pair of `hashes` within `distance` differing bits, as `(later, earlier, bits)`,
/// sorted, on `threads` threads.
pub fn hamming_pairs(hashes: &[u64], distance: u32, threads: usize) -> Vec<HashPair> {
    let runs = distance + 1;
    let mut pairs = if runs > MOST_RUNS || hashes.len() <= EVERY_PAIR_UP_TO {
        every_pair(hashes, distance, threads)
    } else {
        indexed(hashes, distance, runs, threads)
    };
    pairs.sort_unstable();
    pairs
}

/// The bits of run `r` of `runs` (nearly equal runs covering the 64 bits).
fn run_mask(r: u32, runs: u32) -> u64 {
    let (start, end) = (64 * r / runs, 64 * (r + 1) / runs);
    let width = end - start;
    let ones = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    ones << start
}

/// The pairs within `distance` from each run's buckets of equal bits, a run per job.
fn indexed(hashes: &[u64], distance: u32, runs: u32, threads: usize) -> Vec<HashPair> {
    let masks: Vec<u64> = (0..runs).map(|r| run_mask(r, runs)).collect();
    let next = std::sync::atomic::AtomicU32::new(0);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, runs as usize) {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let r = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if r >= runs {
                        break;
                    }
                    let mask = masks[r as usize];
                    // The hashes by their bits in this run (then by row, so a bucket's rows
                    // ascend).
                    let mut order: Vec<(u64, u32)> = hashes
                        .iter()
                        .enumerate()
                        .map(|(row, h)| (h & mask, row as u32))
                        .collect();
                    order.sort_unstable();
                    for bucket in order.chunk_by(|x, y| x.0 == y.0) {
                        for (i, &(_, a)) in bucket.iter().enumerate() {
                            for &(_, b) in &bucket[..i] {
                                let (ha, hb) = (hashes[a as usize], hashes[b as usize]);
                                let bits = (ha ^ hb).count_ones();
                                // Reported from the first run the two agree on.
                                let first = masks[..r as usize].iter().any(|m| (ha ^ hb) & m == 0);
                                if bits <= distance && !first {
                                    mine.push((a, b, bits));
                                }
                            }
                        }
                    }
                }
                found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .append(&mut mine);
            });
        }
    });
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Every pair compared, the rows split among the threads.
fn every_pair(hashes: &[u64], distance: u32, threads: usize) -> Vec<HashPair> {
    let n = hashes.len();
    let chunk = n.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                scope.spawn(move || {
                    let mut found = Vec::new();
                    for a in start..(start + chunk).min(n) {
                        for b in 0..a {
                            let d = (hashes[a] ^ hashes[b]).count_ones();
                            if d <= distance {
                                found.push((a as u32, b as u32, d));
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes in families: each a random one and copies with up to `spread` bits flipped.
    fn families(n: usize, spread: u32, seed: u64) -> Vec<u64> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let base = rng.u64(..);
            out.push(base);
            for _ in 0..rng.usize(0..4) {
                let mut copy = base;
                for _ in 0..rng.u32(0..=spread) {
                    copy ^= 1 << rng.u32(0..64);
                }
                out.push(copy);
            }
        }
        out.truncate(n);
        out
    }

    #[test]
    fn the_index_finds_exactly_the_pairs_of_every_pair() {
        let hashes = families(20_000, 9, 3);
        for distance in [0, 1, 4, 7] {
            let mut every = every_pair(&hashes, distance, 2);
            every.sort_unstable();
            let indexed = hamming_pairs(&hashes, distance, 3);
            assert!(
                every.len() > 1000,
                "{} pairs within {distance}",
                every.len()
            );
            assert_eq!(indexed, every, "within {distance}");
        }
        // Beyond eight runs, and on few hashes, every pair is compared: the same answer.
        let mut every = every_pair(&hashes, 12, 2);
        every.sort_unstable();
        assert_eq!(hamming_pairs(&hashes, 12, 2), every);
        let few = &hashes[..100];
        let mut every = every_pair(few, 4, 1);
        every.sort_unstable();
        assert_eq!(hamming_pairs(few, 4, 2), every);
    }

    #[test]
    fn runs_cover_every_bit_once() {
        for runs in 1..=8 {
            let masks: Vec<u64> = (0..runs).map(|r| run_mask(r, runs)).collect();
            assert_eq!(masks.iter().fold(0, |a, m| a | m), u64::MAX);
            assert_eq!(masks.iter().map(|m| m.count_ones()).sum::<u32>(), 64);
        }
    }
}
