//! The rankings the app keeps in memory: one per rater who compared or asked, and one of every
//! rater pooled, each fitted from the judgement log ([`Store::ranking_log`]) with the active
//! pack's predictions, standardised, as its prior.
//!
//! A comparison, or the undo of one, is committed by its handler while it holds the rankings
//! ([`Rankings::hold`]), then goes into every ranking built so far, and they settle before the
//! answer (a few milliseconds at 20,000 images:
//! `cargo xtask bench ranking`). Anything else that changes what a ranking is fitted from (a
//! score or its undo, the library, the active pack or its predictions) marks it stale; the next
//! question refits it, warm-started from its strengths. So a morning of scoring costs the
//! rankings nothing until the Preference page asks, and then one warm refit.

use crate::ranking::{Choice, Comparison, Config, Outcome, Ranking};
use crate::store::RankingLog;
use crate::{CoreError, Result, Store};
use image_scorer_protocol::{
    ComparisonOutcome, ImageRole, Judgement, QueueItem, RankedImage, RankingPage,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Mutex, MutexGuard};

/// Whose ranking: a rater's (by id), or everyone's pooled (`None`).
pub type Scope = Option<i64>;

/// What a fit was made from, besides comparisons (which it takes in as they come).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sources {
    /// The library's revision.
    pub library: u64,
    /// How many scores were recorded or undone (any rater).
    pub scores: u64,
    /// The active pack's model, and how many images it has predicted.
    pub predictions: Option<(i64, u32)>,
}

/// One fitted ranking and the log behind it.
struct Fit {
    log: RankingLog,
    index: HashMap<String, usize>,
    ranking: Ranking,
    sources: Sources,
    predicted_prior: bool,
}

impl Fit {
    fn comparison(
        &self,
        images: &[(String, ImageRole)],
        outcome: ComparisonOutcome,
    ) -> Option<Comparison> {
        let indices: Option<Vec<usize>> = images
            .iter()
            .map(|(s, _)| self.index.get(s).copied())
            .collect();
        let winner = images.iter().position(|(_, r)| *r == ImageRole::Winner);
        Some(Comparison {
            images: indices?,
            outcome: match (outcome, winner) {
                (ComparisonOutcome::Pick, Some(w)) => Outcome::Pick(w),
                (ComparisonOutcome::Tie, _) => Outcome::Tie,
                _ => Outcome::None,
            },
        })
    }
}

/// The rankings; see the module.
#[derive(Default)]
pub struct Rankings {
    fits: Mutex<HashMap<Scope, Fit>>,
    scores: AtomicU64,
}

/// The rankings held for a change that goes into them as it goes into the database.
pub struct Held<'a> {
    fits: MutexGuard<'a, HashMap<Scope, Fit>>,
    scores: &'a AtomicU64,
}

impl Rankings {
    /// A score was recorded or undone: every ranking is stale.
    pub fn scores_changed(&self) {
        self.scores.fetch_add(1, Ordering::SeqCst);
    }

    /// How many score changes there were (part of [`Sources`]; read it before the log).
    pub fn score_revision(&self) -> u64 {
        self.scores.load(Ordering::SeqCst)
    }

    /// Holds the rankings while a change is written.
    pub async fn hold(&self) -> Held<'_> {
        Held {
            fits: self.fits.lock().await,
            scores: &self.scores,
        }
    }

    /// The next set for `scope`'s ranking (see [`Ranking::choose`]), fitted from `sources`.
    pub async fn choose(
        &self,
        store: &Store,
        scope: Scope,
        sources: Sources,
        size: usize,
        choice: Choice,
        exclude: &[String],
    ) -> Result<Option<Vec<QueueItem>>> {
        let mut fits = self.fits.lock().await;
        let fit = current(&mut fits, store, scope, sources).await?;
        let avoid: Vec<usize> = exclude
            .iter()
            .filter_map(|s| fit.index.get(s).copied())
            .collect();
        let mut rng = fastrand::Rng::new();
        let Some(set) = fit.ranking.choose(size, choice, Some(&avoid), &mut rng) else {
            return Ok(None);
        };
        Ok(Some(
            set.into_iter()
                .map(|i| QueueItem {
                    sha1: fit.log.sha1s[i].clone(),
                    name: fit.log.names[i].clone(),
                })
                .collect(),
        ))
    }

    /// `scope`'s ranking, strongest first, at most `limit` images (its `rater` left for the
    /// caller to name).
    pub async fn ranking(
        &self,
        store: &Store,
        scope: Scope,
        sources: Sources,
        limit: usize,
    ) -> Result<RankingPage> {
        let mut fits = self.fits.lock().await;
        let fit = current(&mut fits, store, scope, sources).await?;
        let entries = fit
            .ranking
            .order()
            .into_iter()
            .take(limit)
            .enumerate()
            .map(|(k, i)| {
                let s = fit.ranking.strength(i);
                RankedImage {
                    rank: k as u32 + 1,
                    sha1: fit.log.sha1s[i].clone(),
                    name: fit.log.names[i].clone(),
                    strength: s.value,
                    se: s.se,
                    comparisons: s.comparisons,
                    scores: s.scores,
                    shown: fit.log.shown[i],
                }
            })
            .collect();
        Ok(RankingPage {
            rater: None,
            entries,
            total: fit.ranking.len() as u32,
            comparisons: fit.log.comparisons.len() as u32,
            scores: fit.log.scores.len() as u32,
            predicted_prior: fit.predicted_prior,
        })
    }
}

impl Rankings {
    /// Each image's (rank from 1, strength, standard error) in `scope`'s ranking, by SHA-1.
    pub async fn standings(
        &self,
        store: &Store,
        scope: Scope,
        sources: Sources,
    ) -> Result<HashMap<String, (u32, f64, f64)>> {
        let mut fits = self.fits.lock().await;
        let fit = current(&mut fits, store, scope, sources).await?;
        Ok(fit
            .ranking
            .order()
            .into_iter()
            .enumerate()
            .map(|(k, i)| {
                let s = fit.ranking.strength(i);
                (fit.log.sha1s[i].clone(), (k as u32 + 1, s.value, s.se))
            })
            .collect())
    }
}

impl Held<'_> {
    /// Takes a comparison (`sign` 1) or its undo (`sign` -1) by `rater_id` into the rankings it
    /// belongs to; a ranking that does not know one of its images is rebuilt when next asked.
    pub fn apply(
        &mut self,
        rater_id: i64,
        images: &[(String, ImageRole)],
        outcome: ComparisonOutcome,
        sign: i32,
    ) {
        for scope in [Some(rater_id), None] {
            let Some(fit) = self.fits.get_mut(&scope) else {
                continue;
            };
            match fit.comparison(images, outcome) {
                Some(c) => {
                    if sign > 0 {
                        fit.ranking.add_comparison(&c);
                        fit.log.comparisons.push(c);
                    } else {
                        fit.ranking.remove_comparison(&c);
                        if let Some(at) = fit.log.comparisons.iter().rposition(|o| *o == c) {
                            fit.log.comparisons.remove(at);
                        }
                    }
                    fit.ranking.settle();
                }
                None => {
                    self.fits.remove(&scope);
                }
            }
        }
    }

    /// Takes an undone judgement into the rankings: a comparison's undo exactly, a score's as a
    /// change of the scores.
    pub fn undone(&mut self, judgement: &Judgement, rater_id: i64) {
        if judgement.kind.is_score() {
            self.scores.fetch_add(1, Ordering::SeqCst);
        } else if let (image_scorer_protocol::JudgementKind::Comparison, Some(outcome)) =
            (judgement.kind, judgement.outcome)
        {
            let images: Vec<(String, ImageRole)> = judgement
                .images
                .iter()
                .map(|i| (i.sha1.clone(), i.role))
                .collect();
            self.apply(rater_id, &images, outcome, -1);
        }
    }
}

/// `scope`'s fit, made current with `sources`: built when new, refitted warm when a score, the
/// library or the predictions changed since it was made.
async fn current<'a>(
    fits: &'a mut HashMap<Scope, Fit>,
    store: &Store,
    scope: Scope,
    sources: Sources,
) -> Result<&'a mut Fit> {
    let stale = fits.get(&scope).map(|f| f.sources != sources);
    if stale != Some(false) {
        let old = fits.remove(&scope);
        let log = store.ranking_log(scope).await?;
        let predictions = match sources.predictions {
            Some((model, _)) => store.predictions_by(model).await?,
            None => HashMap::new(),
        };
        let prior = crate::ranking::standardise(
            &log.sha1s
                .iter()
                .map(|s| predictions.get(s).copied())
                .collect::<Vec<_>>(),
        );
        let start: Vec<Option<f64>> = match &old {
            Some(old) => log
                .sha1s
                .iter()
                .map(|s| old.index.get(s).map(|&i| old.ranking.strengths()[i]))
                .collect(),
            None => Vec::new(),
        };
        let ranking = log.fit_from(Config::default(), &prior, &start);
        let index = log
            .sha1s
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        fits.insert(
            scope,
            Fit {
                log,
                index,
                ranking,
                sources,
                predicted_prior: !predictions.is_empty(),
            },
        );
    }
    fits.get_mut(&scope)
        .ok_or_else(|| CoreError::Internal("a ranking vanished while in use".into()))
}
