//! The Ratings page's numbers and files: exports, imports, statistics, plots and renaming a
//! rater. The exports and the import take their path from a door (the native dialog, the
//! command line), never from the webview.

use super::rankings::Scope;
use super::App;
use crate::export::{self, ExportData};
use crate::import;
use crate::store::Ratings;
use crate::{plots, stats, CoreError};
use image_scorer_protocol::commands::{GetPlot, GetRatingStats, RenameRater};
use image_scorer_protocol::{
    AppError, ExportFormat, ExportOptions, ExportSummary, ImportReport, PersonalModel, Plot,
    PlotKind, PredictionFit, Rater, RaterStats, RatingStats,
};
use std::collections::HashMap;
use std::path::Path;

use super::Handler;

impl App {
    /// Exports what `options` ask for to `path` (see [`crate::export`]).
    pub async fn export_to(
        &self,
        path: &Path,
        options: &ExportOptions,
    ) -> Result<ExportSummary, AppError> {
        let raters = self.0.store.raters_named(&options.raters).await?;
        let ids: Vec<i64> = raters.iter().map(|(id, _)| *id).collect();
        let mut data = ExportData::default();
        match options.format {
            ExportFormat::Comparisons => {
                data.comparisons = self.0.store.logged_comparisons(ids).await?;
            }
            format => {
                data.ratings = self.0.store.ratings(raters, false).await?;
                if format == ExportFormat::Jsonl {
                    data.strengths = self.strengths(scope_of(&ids)).await?;
                }
                if format == ExportFormat::Npy {
                    let model = self.0.predictor.model_id().ok_or_else(|| {
                        AppError::from(CoreError::InvalidInput(
                            "An embeddings export needs an active model pack: install one and \
                             let it embed the library."
                                .into(),
                        ))
                    })?;
                    let image_ids = data.ratings.images.iter().map(|i| i.id).collect();
                    let vectors = self.0.store.embeddings_of(model, image_ids).await?;
                    data.embeddings = Some((self.model_name(), vectors));
                }
            }
        }
        let (path, options) = (path.to_owned(), options.clone());
        let summary = tokio::task::spawn_blocking(move || export::write(&path, &options, &data))
            .await
            .map_err(|e| CoreError::Internal(format!("writing the export: {e}")))??;
        Ok(summary)
    }

    /// Imports the file at `path` (the old tool's `ratings.db` or an Image Scorer JSONL
    /// export); `progress(done, total)` as judgements go in.
    pub async fn import_file(
        &self,
        path: &Path,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ImportReport, AppError> {
        let owned = path.to_owned();
        let (batch, skips) = tokio::task::spawn_blocking(move || import::read(&owned))
            .await
            .map_err(|e| CoreError::Internal(format!("reading the import: {e}")))??;
        let counts = self.0.store.import(&batch, progress).await?;
        // The rankings read the log again, the counts and the pages follow the library.
        self.0.rankings.scores_changed();
        self.0.personal.reset();
        self.0.indexer.changed().await;
        let report = ImportReport {
            source: batch.source,
            format: batch.format,
            raters: counts.raters,
            scores: counts.scores,
            comparisons: counts.comparisons,
            already: counts.already,
            absent_images: counts.absent_images,
            skipped: skips.into_list(),
        };
        let json = serde_json::to_string(&report).unwrap_or_default();
        self.0
            .store
            .set_import_report(counts.import_id, &json)
            .await?;
        Ok(report)
    }

    /// Writes the plot `request` asks for to `path` as an SVG file; refused when there is
    /// nothing to plot yet.
    pub async fn save_plot(&self, path: &Path, request: GetPlot) -> Result<String, AppError> {
        let plot = self.handle(request).await?;
        if plot.svg.is_empty() {
            return Err(CoreError::InvalidInput(plot.note).into());
        }
        let target = path.to_owned();
        tokio::task::spawn_blocking(move || {
            export::write_atomically(&target, |w| {
                std::io::Write::write_all(w, plot.svg.as_bytes()).map_err(|e| CoreError::Io {
                    path: target.clone(),
                    source: e,
                })
            })
        })
        .await
        .map_err(|e| CoreError::Internal(format!("writing the plot: {e}")))??;
        Ok(path.display().to_string())
    }

    /// Each image's (strength, standard error) in `scope`'s ranking, by SHA-1.
    async fn strengths(&self, scope: Scope) -> Result<HashMap<String, (f64, f64)>, AppError> {
        let sources = self.ranking_sources();
        let page = self
            .0
            .rankings
            .ranking(&self.0.store, scope, sources, usize::MAX)
            .await?;
        Ok(page
            .entries
            .into_iter()
            .map(|e| (e.sha1, (e.strength, e.se)))
            .collect())
    }

    /// The chosen raters' judgements (every rater when `names` is empty).
    async fn ratings_of(&self, names: &[String]) -> Result<Ratings, AppError> {
        let raters = self.0.store.raters_named(names).await?;
        Ok(self.0.store.ratings(raters, false).await?)
    }
}

/// The ranking for these raters: one rater's own, else everyone's pooled.
fn scope_of(rater_ids: &[i64]) -> Scope {
    match rater_ids {
        [one] => Some(*one),
        _ => None,
    }
}

impl Handler<GetRatingStats> for App {
    async fn handle(&self, r: GetRatingStats) -> Result<RatingStats, AppError> {
        let ratings = self.ratings_of(&r.raters).await?;
        let comparisons = self.0.store.comparison_counts().await?;
        let mut by_rater: Vec<Vec<f64>> = vec![Vec::new(); ratings.raters.len()];
        let mut units = Vec::new();
        for image in &ratings.images {
            for s in &image.scores {
                by_rater[s.rater].push(s.value);
            }
            if image.scores.len() >= 2 {
                units.push(image.scores.iter().map(|s| s.value).collect::<Vec<_>>());
            }
        }
        let prediction = match self.0.predictor.model_id() {
            Some(model) => {
                let points = prediction_points(&ratings, model);
                let (x, y): (Vec<f64>, Vec<f64>) = points.into_iter().unzip();
                Some(PredictionFit {
                    pack: self.model_name(),
                    n: x.len() as u32,
                    pearson: stats::pearson(&x, &y),
                    spearman: stats::spearman(&x, &y),
                    mae: stats::mae(&x, &y),
                })
            }
            None => None,
        };
        Ok(RatingStats {
            team: self.team_progress().await?,
            images: self.0.store.counts().await?.ok,
            scored: ratings
                .images
                .iter()
                .filter(|i| i.shown && !i.scores.is_empty())
                .count() as u32,
            absent: ratings.images.iter().filter(|i| i.files.is_empty()).count() as u32,
            scores: by_rater.iter().map(Vec::len).sum::<usize>() as u32,
            comparisons: ratings
                .raters
                .iter()
                .map(|(id, _)| comparisons.get(id).copied().unwrap_or(0))
                .sum(),
            raters: ratings
                .raters
                .iter()
                .zip(&by_rater)
                .map(|((id, name), scores)| {
                    let spread = stats::mean_sd(scores);
                    RaterStats {
                        name: name.clone(),
                        scored: scores.len() as u32,
                        mean: spread.map(|s| s.0),
                        sd: spread.map(|s| s.1),
                        comparisons: comparisons.get(id).copied().unwrap_or(0),
                    }
                })
                .collect(),
            agreement: stats::krippendorff_interval(&units),
            pairable: units.len() as u32,
            prediction,
        })
    }
}

/// (prediction of `model`, mean score) of every scored image that has both.
fn prediction_points(ratings: &Ratings, model: i64) -> Vec<(f64, f64)> {
    let Some(m) = ratings.models.iter().position(|(id, _)| *id == model) else {
        return Vec::new();
    };
    ratings
        .images
        .iter()
        .filter_map(|i| {
            let p = i.predictions.iter().find(|(k, _)| *k == m)?.1;
            Some((p, i.mean()?))
        })
        .collect()
}

impl Handler<GetPlot> for App {
    async fn handle(&self, r: GetPlot) -> Result<Plot, AppError> {
        let ratings = self.ratings_of(&r.raters).await?;
        let scores_by_rater = || {
            let mut by: Vec<Vec<f64>> = vec![Vec::new(); ratings.raters.len()];
            for image in &ratings.images {
                for s in &image.scores {
                    by[s.rater].push(s.value);
                }
            }
            ratings
                .raters
                .iter()
                .map(|(_, n)| n.clone())
                .zip(by)
                .collect::<Vec<_>>()
        };
        Ok(match r.kind {
            PlotKind::Histogram => plots::histogram(&scores_by_rater()),
            PlotKind::Predicted => {
                let model = self.0.predictor.model_id();
                let points = model
                    .map(|m| prediction_points(&ratings, m))
                    .unwrap_or_default();
                let name = model.map(|_| self.model_name());
                plots::predicted(name.as_deref(), &points)
            }
            PlotKind::Strengths => {
                let ids: Vec<i64> = ratings.raters.iter().map(|(id, _)| *id).collect();
                let scope = scope_of(&ids);
                let sources = self.ranking_sources();
                let page = self
                    .0
                    .rankings
                    .ranking(&self.0.store, scope, sources, usize::MAX)
                    .await?;
                let entries: Vec<(f64, f64)> =
                    page.entries.iter().map(|e| (e.strength, e.se)).collect();
                let who = match (scope, ratings.raters.first()) {
                    (Some(_), Some((_, name))) => name.clone(),
                    _ => "everyone".to_owned(),
                };
                plots::strengths(&who, &entries)
            }
            PlotKind::OwnModel => {
                let model = self.0.predictor.model_id();
                match ratings.raters.as_slice() {
                    [(rater, name)] => {
                        if let Some(model) = model {
                            self.own_model_ready(*rater, model);
                        }
                        let has_head = self.0.predictor.state().predicts;
                        let described = self.0.personal.describe(*rater, model, has_head);
                        plots::own_model(Some(name), &described)
                    }
                    _ => plots::own_model(None, &PersonalModel::default()),
                }
            }
            PlotKind::Agreement => {
                let mut units = Vec::new();
                for image in &ratings.images {
                    if image.scores.len() >= 2 {
                        units.push(image.scores.iter().map(|s| s.value).collect::<Vec<_>>());
                    }
                }
                let raters: Vec<(String, f64, f64, u32)> = scores_by_rater()
                    .into_iter()
                    .filter_map(|(name, scores)| {
                        let (mean, sd) = stats::mean_sd(&scores)?;
                        Some((name, mean, sd, scores.len() as u32))
                    })
                    .collect();
                plots::agreement(
                    &raters,
                    stats::krippendorff_interval(&units),
                    units.len() as u32,
                )
            }
        })
    }
}

impl Handler<RenameRater> for App {
    async fn handle(&self, r: RenameRater) -> Result<Rater, AppError> {
        self.0.store.rename_rater(&r.from, &r.to).await?;
        self.forget_raters();
        let current = self
            .0
            .store
            .setting(super::settings::RATER)
            .await?
            .unwrap_or_else(crate::store::default_rater_name);
        let name = if current.trim() == r.from.trim() {
            // The door's own rater was renamed: it goes on as them.
            let to = r.to.trim().to_owned();
            self.0
                .store
                .set_setting(super::settings::RATER, &to)
                .await?;
            to
        } else {
            current
        };
        Ok(Rater {
            name,
            all: self.0.store.raters().await?,
        })
    }
}
