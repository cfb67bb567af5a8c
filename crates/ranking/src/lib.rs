//! One ranking of the library from every judgement: a strength per image, fitted from the
//! comparisons (Bradley-Terry with Davidson's ties), the 1-10 scores (each a noisy observation
//! of the strength through its rater's own linear map), and a weak prior (the active pack's
//! prediction where it has one, else the middle), so that unseen and unbeaten images have
//! finite strengths. It also chooses what to compare next.
//!
//! The fit is the maximum of the posterior, which the prior makes strictly concave: it has one
//! optimum, and every way of reaching it ends in the same place. It is kept current by
//! coordinate Newton steps that spread from the images an event touched to their neighbours
//! until no strength moves by more than [`Config::tolerance`], so one event costs what it
//! changes, not the whole library; removing an event (undo) is the same, and leaves the fit the
//! log without it would have. A best-of-4 pick counts as the winner over each of the three
//! others; a tie as a tie of every pair shown; "none of these" as a comparison won by nobody.
//!
//! `choose.rs` picks the next set; `stats.rs` has the helpers (a normal draw, standardising,
//! Spearman's correlation).
//!
//! Pure computation over image indices; the app (`image-scorer-core`) maps its images onto
//! them and keeps the ranking current as judgements arrive.

mod choose;
mod stats;

pub use choose::Choice;
pub use stats::{normal, pearson, spearman, standardise};
use std::collections::VecDeque;

/// The model's constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Davidson's tie parameter ν: two equally strong images tie with probability ν / (2 + ν).
    pub tie: f64,
    /// The prior's standard deviation, in strength units (logits of a win), for an image
    /// without a prediction.
    pub prior_sd: f64,
    /// The prior's standard deviation around an image's prediction (see [`Ranking::set_prior`]).
    pub predicted_sd: f64,
    /// The standard deviation of one score around its image's strength, once the rater's map is
    /// applied (in strength units).
    pub score_sd: f64,
    /// How far a strength may move unnoticed: the fit is current when no Newton step of any
    /// image is larger (1e-4 logits: far below any difference a ranking shows, and what keeps
    /// an update of a 20,000-image fit within a few milliseconds).
    pub tolerance: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tie: 0.5,
            prior_sd: 1.5,
            predicted_sd: 0.8,
            score_sd: 0.7,
            tolerance: 1e-4,
        }
    }
}

/// How a comparison ended, over the images shown (by their position in the set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The image at this position was picked.
    Pick(usize),
    /// "Equally good".
    Tie,
    /// "None of these is good": recorded, a win for nobody.
    None,
}

/// One comparison: the images shown (2 or 4, in screen order) and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The images, by index.
    pub images: Vec<usize>,
    /// The outcome.
    pub outcome: Outcome,
}

/// The outcomes recorded between two images, from one side.
#[derive(Debug, Clone, Copy, Default)]
struct Pair {
    other: u32,
    wins: f64,
    losses: f64,
    ties: f64,
}

impl Pair {
    fn total(&self) -> f64 {
        self.wins + self.losses + self.ties
    }
}

/// A rater's map from 1-10 scores to strengths: their scores standardised by the rater's own
/// mean and spread, shrunk towards the scale's middle (5.5) and a spread of 2 while the rater
/// has few scores.
#[derive(Debug, Clone, Copy, Default)]
struct RaterScale {
    n: f64,
    sum: f64,
    sum_sq: f64,
}

/// Pseudo-scores behind each rater's map.
const SCALE_PRIOR_WEIGHT: f64 = 5.0;

impl RaterScale {
    fn map(&self, value: f64) -> f64 {
        let k = SCALE_PRIOR_WEIGHT;
        let n = self.n + k;
        let mean = (self.sum + 5.5 * k) / n;
        // Σ(s - mean)² from the sums, plus the prior's spread of 2 on its pseudo-scores.
        let dev = self.sum_sq - 2.0 * mean * self.sum + self.n * mean * mean;
        let var = (dev.max(0.0) + k * 4.0) / n;
        (value - mean) / var.sqrt()
    }
}

/// One image's strength with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    /// The fitted strength (0 is the middle of the prior).
    pub value: f64,
    /// Its standard error (from the posterior's curvature at the optimum).
    pub se: f64,
    /// How many comparisons showed the image.
    pub comparisons: u32,
    /// How many scores it has.
    pub scores: u32,
}

/// The ranking; see the module.
#[derive(Debug, Clone)]
pub struct Ranking {
    config: Config,
    strength: Vec<f64>,
    prior: Vec<f64>,
    /// Whether the image's prior is a prediction.
    predicted: Vec<bool>,
    pairs: Vec<Vec<Pair>>,
    /// Each image's scores: (rater, value).
    scores: Vec<Vec<(u32, f64)>>,
    raters: Vec<RaterScale>,
    /// The images each rater scored (an image once per score).
    rated_by: Vec<Vec<u32>>,
    comparisons: Vec<u32>,
    available: Vec<bool>,
    /// Images whose Newton step may exceed the tolerance.
    dirty: VecDeque<u32>,
    queued: Vec<bool>,
}

impl Ranking {
    /// A ranking of `n` images with no judgements: every strength at its prior.
    pub fn new(n: usize, config: Config) -> Self {
        Ranking {
            config,
            strength: vec![0.0; n],
            prior: vec![0.0; n],
            predicted: vec![false; n],
            pairs: vec![Vec::new(); n],
            scores: vec![Vec::new(); n],
            raters: Vec::new(),
            rated_by: Vec::new(),
            comparisons: vec![0; n],
            available: vec![true; n],
            dirty: VecDeque::new(),
            queued: vec![false; n],
        }
    }

    /// How many images it ranks.
    pub fn len(&self) -> usize {
        self.strength.len()
    }

    /// Whether it ranks no image.
    pub fn is_empty(&self) -> bool {
        self.strength.is_empty()
    }

    /// Sets the prior's means, one per image (e.g. the pack's predictions, standardised over the
    /// library: see [`standardise`]); images without one keep 0.
    pub fn set_prior(&mut self, means: &[Option<f64>]) {
        for (i, m) in means.iter().enumerate().take(self.len()) {
            let m = m.filter(|m| m.is_finite());
            if m.unwrap_or(0.0) != self.prior[i] || m.is_some() != self.predicted[i] {
                self.prior[i] = m.unwrap_or(0.0);
                self.predicted[i] = m.is_some();
                self.mark(i);
            }
        }
    }

    /// Whether the image can be shown (chosen for a set); an image that left the library keeps
    /// its judgements in the fit.
    pub fn set_available(&mut self, image: usize, available: bool) {
        self.available[image] = available;
    }

    /// Adds a comparison; the fit is current again after [`Ranking::settle`].
    pub fn add_comparison(&mut self, c: &Comparison) {
        self.apply(c, 1.0);
    }

    /// Takes a comparison back (an undo): the fit becomes that of the log without it.
    pub fn remove_comparison(&mut self, c: &Comparison) {
        self.apply(c, -1.0);
    }

    fn apply(&mut self, c: &Comparison, sign: f64) {
        let images = &c.images;
        for &i in images {
            self.comparisons[i] = (i64::from(self.comparisons[i]) + sign as i64).max(0) as u32;
            self.mark(i);
        }
        match c.outcome {
            Outcome::Pick(position) => {
                let Some(&winner) = images.get(position) else {
                    return;
                };
                for &other in images.iter().filter(|&&o| o != winner) {
                    self.pair(winner, other).wins += sign;
                    self.pair(other, winner).losses += sign;
                }
            }
            Outcome::Tie => {
                for (a, &i) in images.iter().enumerate() {
                    for &j in &images[a + 1..] {
                        self.pair(i, j).ties += sign;
                        self.pair(j, i).ties += sign;
                    }
                }
            }
            Outcome::None => {}
        }
        for &i in images {
            // Pairs whose outcomes all went (an undo) no longer tie the images together.
            self.pairs[i].retain(|p| p.total() > 0.5);
        }
    }

    fn pair(&mut self, i: usize, j: usize) -> &mut Pair {
        let list = &mut self.pairs[i];
        let at = match list.iter().position(|p| p.other as usize == j) {
            Some(at) => at,
            None => {
                list.push(Pair {
                    other: j as u32,
                    ..Pair::default()
                });
                list.len() - 1
            }
        };
        &mut list[at]
    }

    /// Adds a 1-10 score of `image` by `rater` (raters are numbered from 0).
    pub fn add_score(&mut self, image: usize, rater: usize, value: f64) {
        self.score(image, rater, value, 1.0);
    }

    /// Adds many 1-10 scores at once (`(image, rater, value)`, e.g. a whole log): the same as
    /// [`Ranking::add_score`] for each, but each image a moved rater scored is marked once,
    /// not once for every score the rater gives (which grows with the square of a rater's
    /// scores).
    pub fn add_scores(&mut self, scores: impl IntoIterator<Item = (usize, usize, f64)>) {
        let mut moved = Vec::new();
        for (image, rater, value) in scores {
            if self.raters.len() <= rater {
                self.raters.resize(rater + 1, RaterScale::default());
                self.rated_by.resize(rater + 1, Vec::new());
            }
            let scale = &mut self.raters[rater];
            scale.n += 1.0;
            scale.sum += value;
            scale.sum_sq += value * value;
            self.scores[image].push((rater as u32, value));
            self.rated_by[rater].push(image as u32);
            moved.push(rater);
        }
        moved.sort_unstable();
        moved.dedup();
        for rater in moved {
            for k in 0..self.rated_by[rater].len() {
                let i = self.rated_by[rater][k] as usize;
                self.mark(i);
            }
        }
    }

    /// Takes a score back.
    pub fn remove_score(&mut self, image: usize, rater: usize, value: f64) {
        self.score(image, rater, value, -1.0);
    }

    fn score(&mut self, image: usize, rater: usize, value: f64, sign: f64) {
        if self.raters.len() <= rater {
            self.raters.resize(rater + 1, RaterScale::default());
            self.rated_by.resize(rater + 1, Vec::new());
        }
        let scale = &mut self.raters[rater];
        scale.n += sign;
        scale.sum += sign * value;
        scale.sum_sq += sign * value * value;
        if sign > 0.0 {
            self.scores[image].push((rater as u32, value));
            self.rated_by[rater].push(image as u32);
        } else {
            let list = &mut self.scores[image];
            if let Some(at) = list
                .iter()
                .position(|&(r, v)| r as usize == rater && v == value)
            {
                list.swap_remove(at);
            }
            let by = &mut self.rated_by[rater];
            if let Some(at) = by.iter().position(|&i| i as usize == image) {
                by.swap_remove(at);
            }
            self.mark(image);
        }
        // The rater's map moved: every image they scored sees it.
        for k in 0..self.rated_by[rater].len() {
            let i = self.rated_by[rater][k] as usize;
            self.mark(i);
        }
    }

    fn mark(&mut self, i: usize) {
        if !self.queued[i] {
            self.queued[i] = true;
            self.dirty.push_back(i as u32);
        }
    }

    /// The gradient and the curvature (minus the second derivative) of the log posterior in the
    /// strength of image `i`, the others held.
    fn slope(&self, i: usize) -> (f64, f64) {
        let c = &self.config;
        let s = self.strength[i];
        let prior_sd = if self.predicted[i] {
            c.predicted_sd
        } else {
            c.prior_sd
        };
        let prior_precision = 1.0 / (prior_sd * prior_sd);
        let mut g = -(s - self.prior[i]) * prior_precision;
        let mut h = prior_precision;
        let score_precision = 1.0 / (c.score_sd * c.score_sd);
        for &(rater, value) in &self.scores[i] {
            let target = self.raters[rater as usize].map(value);
            g += (target - s) * score_precision;
            h += score_precision;
        }
        for p in &self.pairs[i] {
            let (q, d2) = davidson(s - self.strength[p.other as usize], c.tie);
            g += p.wins + 0.5 * p.ties - p.total() * q;
            h += p.total() * d2;
        }
        (g, h)
    }

    /// Brings the fit up to date with every change since the last call: one Newton step per
    /// visit of a changed image, which comes round again, with its neighbours, while its step
    /// is larger than the tolerance. Returns how many visits it made.
    pub fn settle(&mut self) -> usize {
        let tol = self.config.tolerance;
        let mut visits = 0;
        while let Some(i) = self.dirty.pop_front() {
            let i = i as usize;
            self.queued[i] = false;
            visits += 1;
            let (g, h) = self.slope(i);
            let step = (g / h).clamp(-2.0, 2.0);
            self.strength[i] += step;
            if step.abs() >= tol {
                // Not there yet: the image comes round again, after its neighbours moved too.
                self.mark(i);
                for k in 0..self.pairs[i].len() {
                    let j = self.pairs[i][k].other as usize;
                    self.mark(j);
                }
            }
        }
        visits
    }

    /// Fits from scratch: every strength back to its prior, then settled.
    pub fn refit(&mut self) -> usize {
        self.strength.clone_from(&self.prior);
        for i in 0..self.len() {
            self.mark(i);
        }
        self.settle()
    }

    /// Fits starting from `start` (the strengths of an earlier fit of nearly the same log, by
    /// image; an image without one starts at its prior): the same optimum as
    /// [`Ranking::refit`]'s, in fewer steps when the start is close.
    pub fn refit_from(&mut self, start: &[Option<f64>]) -> usize {
        for i in 0..self.len() {
            self.strength[i] = start
                .get(i)
                .copied()
                .flatten()
                .filter(|v| v.is_finite())
                .unwrap_or(self.prior[i]);
            self.mark(i);
        }
        self.settle()
    }

    /// The strengths, by image (current after [`Ranking::settle`]).
    pub fn strengths(&self) -> &[f64] {
        &self.strength
    }

    /// Image `i`'s strength with its standard error and counts.
    pub fn strength(&self, i: usize) -> Strength {
        let (_, h) = self.slope(i);
        Strength {
            value: self.strength[i],
            se: 1.0 / h.sqrt(),
            comparisons: self.comparisons[i],
            scores: self.scores[i].len() as u32,
        }
    }

    /// The images from strongest to weakest (ties in strength by index).
    pub fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| {
            self.strength[b]
                .total_cmp(&self.strength[a])
                .then(a.cmp(&b))
        });
        order
    }
}

/// For image i against image j with strengths differing by `x` (i's minus j's), under
/// Davidson's model with tie parameter `tie`: the derivative of log D in i's strength (the
/// expected "win score" of i, a tie counting half) and its second derivative (the information
/// one comparison carries about `x`).
fn davidson(x: f64, tie: f64) -> (f64, f64) {
    let u = (x.clamp(-60.0, 60.0) / 2.0).exp();
    let d = u + 1.0 / u + tie;
    let q = (u + tie / 2.0) / d;
    let d2 = ((u + tie / 4.0) * d - (u + tie / 2.0) * (u + tie / 2.0)) / (d * d);
    (q, d2.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_davidson_derivatives_match_finite_differences() {
        let tie = 0.5;
        let log_d = |x: f64| ((x / 2.0).exp() + (-x / 2.0).exp() + tie).ln();
        for x in [-3.0, -0.4, 0.0, 0.7, 2.5] {
            let (q, d2) = davidson(x, tie);
            // log D = (θi+θj)/2 + ln(u + 1/u + ν): its θi-derivative is 1/2 + d/dx ln(...).
            let e = 1e-5;
            let dq = 0.5 + (log_d(x + e) - log_d(x - e)) / (2.0 * e);
            let dd = (log_d(x + e) - 2.0 * log_d(x) + log_d(x - e)) / (e * e);
            assert!((q - dq).abs() < 1e-6, "q at {x}: {q} vs {dq}");
            assert!((d2 - dd).abs() < 1e-4, "d2 at {x}: {d2} vs {dd}");
        }
    }
}
