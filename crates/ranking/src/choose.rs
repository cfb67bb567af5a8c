//! Choosing the next set to compare.

use crate::{normal, Ranking};

/// P(Z > z) for a standard normal Z, z ≥ 0 (Abramowitz and Stegun 7.1.26, error under 1e-7).
fn normal_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    0.5 * poly * (-x * x).exp()
}

/// How [`Ranking::choose`] picks the next set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The set expected to teach the ranking most.
    Active,
    /// Any images, uniformly.
    Random,
}

/// How many images, at most, [`Ranking::choose`] considers for one set: a uniform sample of
/// the library (all of it when smaller), so that choosing costs the same at any size.
const CANDIDATES: usize = 400;

/// How many of the candidates each one's uncertainty of place is measured against.
const REFERENCE: usize = 100;

impl Ranking {
    /// The next set of `size` images to compare (2 or 4), in a random screen order, or `None`
    /// when fewer are available. Active: the image the ranking is least sure of among a sample
    /// of the library, with the images closest to it in one draw from the posterior. Random:
    /// any available images. None of `avoid` (the set on screen, or the one just shown) while
    /// there are `size` others; in a library too small for that, at least never the same set
    /// again, in any order, while there is another.
    pub fn choose(
        &self,
        size: usize,
        choice: Choice,
        avoid: Option<&[usize]>,
        rng: &mut fastrand::Rng,
    ) -> Option<Vec<usize>> {
        let available: usize = self.available.iter().filter(|a| **a).count();
        if size < 2 || available < size {
            return None;
        }
        let mut skip: std::collections::HashSet<usize> = avoid
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&i| self.available.get(i).copied().unwrap_or(false))
            .collect();
        if available - skip.len() < size {
            skip.clear();
        }
        let same = |set: &[usize]| match avoid {
            Some(avoid) if avoid.len() == set.len() => {
                let (mut a, mut b) = (avoid.to_vec(), set.to_vec());
                a.sort_unstable();
                b.sort_unstable();
                a == b
            }
            _ => false,
        };
        if choice == Choice::Random {
            for _ in 0..8 {
                let mut set = self.sample(size, &skip, rng);
                rng.shuffle(&mut set);
                if !same(&set) || available == size {
                    return Some(set);
                }
            }
            return self.sample(size, &skip, rng).into();
        }
        let candidates = self.sample(CANDIDATES, &skip, rng);
        let variance: Vec<f64> = candidates
            .iter()
            .map(|&i| {
                let (_, h) = self.slope(i);
                1.0 / h
            })
            .collect();
        // The anchor: the image whose place in the ranking is least certain: the images it may
        // be misordered with (its summed probabilities that its order against each of a sample
        // of the others is wrong) times its own standard error, which one comparison reduces
        // most where it is largest (a never-compared one first among equals). That is where a
        // comparison moves the ranking most: an image whose strength is uncertain among many of
        // similar strength, rather than an uncertain one at an end.
        let misorder = |a: usize, b: usize| {
            let gap = (self.strength[candidates[a]] - self.strength[candidates[b]]).abs();
            normal_tail(gap / (variance[a] + variance[b]).sqrt())
        };
        let reference = candidates.len().min(REFERENCE);
        let uncertainty: Vec<f64> = (0..candidates.len())
            .map(|a| {
                (0..reference)
                    .filter(|&b| b != a)
                    .map(|b| misorder(a, b))
                    .sum()
            })
            .collect();
        let anchor = (0..candidates.len()).max_by(|&a, &b| {
            let key = |k: usize| {
                (
                    uncertainty[k] * variance[k].sqrt(),
                    u32::MAX - self.comparisons[candidates[k]],
                )
            };
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
        // Its partners: the images most likely misordered with it in one draw of every
        // strength from its posterior (Thompson sampling): close to it in that draw, and
        // uncertain. Early on, when every strength is uncertain, that is nearly any image, and
        // comparisons spread through the library; as the strengths settle, partners close in
        // strength, whose comparison teaches most, take their place. (Always the closest by the
        // estimates would make a chain along which the strengths drift.)
        let drawn: Vec<f64> = (0..candidates.len())
            .map(|k| self.strength[candidates[k]] + variance[k].sqrt() * normal(rng))
            .collect();
        let drawn_misorder = |j: usize| {
            normal_tail((drawn[j] - drawn[anchor]).abs() / (variance[j] + variance[anchor]).sqrt())
        };
        let mut partners: Vec<usize> = (0..candidates.len()).filter(|&k| k != anchor).collect();
        partners.sort_by(|&a, &b| drawn_misorder(b).total_cmp(&drawn_misorder(a)));
        let mut set = vec![anchor];
        set.extend(partners.iter().take(size - 1));
        if same(&set.iter().map(|&k| candidates[k]).collect::<Vec<_>>()) {
            // The same set twice in a row: its last image gives way to the next closest.
            set.pop();
            set.push(*partners.get(size - 1)?);
        }
        let mut chosen: Vec<usize> = set.iter().map(|&k| candidates[k]).collect();
        rng.shuffle(&mut chosen);
        Some(chosen)
    }

    /// Up to `k` distinct available images not in `skip`, uniformly.
    fn sample(
        &self,
        k: usize,
        skip: &std::collections::HashSet<usize>,
        rng: &mut fastrand::Rng,
    ) -> Vec<usize> {
        let n = self.len();
        let usable = |i: usize| self.available[i] && !skip.contains(&i);
        let available = self.available.iter().filter(|a| **a).count() - skip.len();
        if available <= k {
            return (0..n).filter(|&i| usable(i)).collect();
        }
        let mut chosen = std::collections::HashSet::with_capacity(k);
        let mut out = Vec::with_capacity(k);
        while out.len() < k {
            let i = rng.usize(..n);
            if usable(i) && chosen.insert(i) {
                out.push(i);
            }
        }
        out
    }
}
