//! What a ranking is fitted from, read from the judgement log: every comparison not undone
//! (its images in screen order, and its outcome) and every current 1-10 score, over the images
//! that can be shown and those judged before (an image that left the library keeps its part in
//! the fit, but is never chosen again).

use super::backend::on_pool;
use super::Store;
use crate::ranking::{Comparison, Config, Outcome, Ranking};
use crate::Result;
use image_scorer_protocol::JudgementKind;
use std::collections::HashMap;

/// The judgements of one ranking (one rater's, or everyone's), by image index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankingLog {
    /// The images, by index.
    pub sha1s: Vec<String>,
    /// The path of one of each image's files below its folder (empty when not shown).
    pub names: Vec<String>,
    /// Whether each can be shown now.
    pub shown: Vec<bool>,
    /// The comparisons not undone, oldest first.
    pub comparisons: Vec<Comparison>,
    /// Current scores: (image, rater index, value).
    pub scores: Vec<(usize, usize, f64)>,
}

impl RankingLog {
    /// The ranking fitted from this log.
    pub fn fit(&self, config: Config) -> Ranking {
        self.fit_from(config, &[], &[])
    }

    /// The ranking fitted from this log with `prior` (per image, e.g. standardised
    /// predictions; missing ones are the middle) and started from `start` (an earlier fit's
    /// strengths, per image; missing ones start at their prior).
    pub fn fit_from(
        &self,
        config: Config,
        prior: &[Option<f64>],
        start: &[Option<f64>],
    ) -> Ranking {
        let mut ranking = Ranking::new(self.sha1s.len(), config);
        for (i, shown) in self.shown.iter().enumerate() {
            ranking.set_available(i, *shown);
        }
        for c in &self.comparisons {
            ranking.add_comparison(c);
        }
        ranking.add_scores(self.scores.iter().copied());
        ranking.set_prior(prior);
        ranking.refit_from(start);
        ranking
    }
}

impl Store {
    /// Every prediction of `model_id`, by image SHA-1.
    pub async fn predictions_by(&self, model_id: i64) -> Result<HashMap<String, f64>> {
        let rows: Vec<(String, f64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT i.sha1, p.score FROM predictions p JOIN images i ON i.id = p.image_id
              WHERE p.model_id = $1",
        )
        .bind(model_id)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().collect())
    }

    /// How many judgements of `kind` `rater_id` made, not undone.
    pub async fn judgement_count(&self, rater_id: i64, kind: JudgementKind) -> Result<u32> {
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
            "SELECT COUNT(*) FROM judgements WHERE kind = $2 AND undone = FALSE AND rater_id = $1",
        )
        .bind(rater_id)
        .bind(kind.as_str())
        .fetch_one(pool)
        .await
        })?;
        Ok(n as u32)
    }

    /// How many comparisons (not undone) each rater made, by rater id.
    pub async fn comparison_counts(&self) -> Result<HashMap<i64, u32>> {
        let rows: Vec<(i64, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT rater_id, COUNT(*) FROM judgements
              WHERE kind = 'comparison' AND undone = FALSE GROUP BY rater_id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(r, n)| (r, n as u32)).collect())
    }

    /// Those of `sha1s` that are not in the library now (cannot be shown).
    pub async fn not_shown(&self, sha1s: &[String]) -> Result<Vec<String>> {
        if sha1s.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT sha1 FROM shown_images WHERE sha1 IN ({})",
            super::placeholders(sha1s.len())
        );
        let shown: Vec<String> = on_pool!(self, |pool| {
            let mut query = sqlx::query_scalar(&sql);
            for sha1 in sha1s {
                query = query.bind(sha1);
            }
            query.fetch_all(pool).await
        })?;
        Ok(sha1s
            .iter()
            .filter(|s| !shown.contains(s))
            .cloned()
            .collect())
    }

    /// The log of `rater_id`'s judgements for a ranking, or everyone's with `None`.
    pub async fn ranking_log(&self, rater_id: Option<i64>) -> Result<RankingLog> {
        let images: Vec<(i64, String, bool, Option<String>)> =
            on_pool!(self, |pool| sqlx::query_as(
                "SELECT i.id, i.sha1, s.id IS NOT NULL, s.name
               FROM images i LEFT JOIN queue_images s ON s.id = i.id
              WHERE s.id IS NOT NULL
                 OR EXISTS (SELECT 1 FROM judgement_images ji WHERE ji.image_id = i.id)
              ORDER BY i.id",
            )
            .fetch_all(pool)
            .await)?;
        let index: HashMap<i64, usize> = images
            .iter()
            .enumerate()
            .map(|(k, (id, _, _, _))| (*id, k))
            .collect();
        let rows: Vec<(i64, i64, String, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT j.id, ji.image_id, ji.role, j.outcome
               FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
              WHERE j.kind = 'comparison' AND j.undone = FALSE
                AND ($1 IS NULL OR j.rater_id = $1)
              ORDER BY j.id, ji.position",
        )
        .bind(rater_id)
        .fetch_all(pool)
        .await)?;
        let mut comparisons: Vec<Comparison> = Vec::new();
        let mut current: Option<i64> = None;
        for (judgement, image_id, role, outcome) in rows {
            let Some(&image) = index.get(&image_id) else {
                continue;
            };
            if current != Some(judgement) {
                current = Some(judgement);
                let outcome = match outcome.as_str() {
                    "tie" => Outcome::Tie,
                    "none" => Outcome::None,
                    _ => Outcome::Pick(usize::MAX),
                };
                comparisons.push(Comparison {
                    images: Vec::new(),
                    outcome,
                });
            }
            let c = comparisons.last_mut().expect("pushed above");
            if role == "winner" {
                c.outcome = Outcome::Pick(c.images.len());
            }
            c.images.push(image);
        }
        let scores: Vec<(i64, i64, f64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT image_id, rater_id, value FROM current_scores
              WHERE ($1 IS NULL OR rater_id = $1)
              ORDER BY judgement_id",
        )
        .bind(rater_id)
        .fetch_all(pool)
        .await)?;
        let mut raters: HashMap<i64, usize> = HashMap::new();
        let scores = scores
            .into_iter()
            .filter_map(|(image_id, rater, value)| {
                let next = raters.len();
                let rater = *raters.entry(rater).or_insert(next);
                Some((*index.get(&image_id)?, rater, value))
            })
            .collect();
        Ok(RankingLog {
            sha1s: images.iter().map(|(_, s, _, _)| s.clone()).collect(),
            names: images
                .iter()
                .map(|(_, _, _, n)| n.clone().unwrap_or_default())
                .collect(),
            shown: images.iter().map(|(_, _, s, _)| *s).collect(),
            comparisons,
            scores,
        })
    }
}
