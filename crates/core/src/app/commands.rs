//! The app's answer to every command of the protocol, one [`Handler`] impl per command. A
//! door forwards a request to [`App::call`] and sends back what it returns.

use super::{settings, App};
use crate::store::{default_rater_name, NewJudgement};
use crate::CoreError;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    AppError, AppState, Command, ImagePage, JudgementKind, LibraryState, PredictorState, Problem,
    Rater, ScoreQueue, ScoreState, Undone,
};
use std::future::Future;

/// Answers the command `C`.
pub trait Handler<C: Command> {
    /// The answer to `request`; a write is committed before the answer.
    fn handle(&self, request: C) -> impl Future<Output = Result<C::Response, AppError>> + Send;
}

impl Handler<GetState> for App {
    async fn handle(&self, _: GetState) -> Result<AppState, AppError> {
        Ok(AppState {
            library: self.0.store.library().await?,
            startup_errors: self.startup_errors(),
        })
    }
}

impl Handler<ListImages> for App {
    async fn handle(&self, r: ListImages) -> Result<ImagePage, AppError> {
        Ok(self.0.store.image_page(r.limit.min(10_000)).await?)
    }
}

impl Handler<ListProblems> for App {
    async fn handle(&self, r: ListProblems) -> Result<Vec<Problem>, AppError> {
        Ok(self.0.store.problems(r.limit.min(10_000)).await?)
    }
}

impl Handler<RemoveFolder> for App {
    async fn handle(&self, r: RemoveFolder) -> Result<LibraryState, AppError> {
        self.0.store.remove_root(i64::from(r.root_id)).await?;
        self.folders_changed().await
    }
}

impl Handler<SetExcludes> for App {
    async fn handle(&self, r: SetExcludes) -> Result<LibraryState, AppError> {
        self.0
            .store
            .set_excludes(i64::from(r.root_id), &r.patterns)
            .await?;
        self.folders_changed().await
    }
}

impl Handler<GetRater> for App {
    async fn handle(&self, _: GetRater) -> Result<Rater, AppError> {
        let name = match self.0.store.setting(settings::RATER).await? {
            Some(name) => name,
            None => default_rater_name(),
        };
        self.rater_id(&name).await?;
        Ok(Rater {
            name,
            all: self.0.store.raters().await?,
        })
    }
}

impl Handler<SetRater> for App {
    async fn handle(&self, r: SetRater) -> Result<Rater, AppError> {
        self.rater_id(&r.name).await?;
        let name = r.name.trim().to_owned();
        self.0.store.set_setting(settings::RATER, &name).await?;
        Ok(Rater {
            name,
            all: self.0.store.raters().await?,
        })
    }
}

impl Handler<GetScoreQueue> for App {
    async fn handle(&self, r: GetScoreQueue) -> Result<ScoreQueue, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let model = self.0.predictor.model_id().filter(|_| r.predicted_first);
        let items = self
            .0
            .store
            .score_queue(rater, r.include_rated, u64::from(r.seed), model)
            .await?;
        let (rated, total) = self.progress(rater).await?;
        Ok(ScoreQueue {
            items,
            rated,
            total,
        })
    }
}

impl Handler<GetScoreState> for App {
    async fn handle(&self, r: GetScoreState) -> Result<ScoreState, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        Ok(self.score_state(&r.sha1, rater).await?)
    }
}

impl Handler<AddScore> for App {
    async fn handle(&self, r: AddScore) -> Result<ScoreState, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let judgement = NewJudgement::score(JudgementKind::Score, rater, &r.sha1, r.value);
        self.record_score(&judgement).await?;
        Ok(self.score_state(&r.sha1, rater).await?)
    }
}

impl Handler<AddRating> for App {
    async fn handle(&self, r: AddRating) -> Result<ScoreState, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let value = (r.value * 10.0).round() / 10.0;
        let judgement = NewJudgement::score(JudgementKind::Rate, rater, &r.sha1, value)
            .shown_prediction(r.predicted, self.0.predictor.model_id());
        self.record_score(&judgement).await?;
        Ok(self.score_state(&r.sha1, rater).await?)
    }
}

impl Handler<Undo> for App {
    async fn handle(&self, r: Undo) -> Result<Option<Undone>, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let revision = self.0.indexer.revision();
        let Some(judgement) = self.0.progress.undo(&self.0.store, revision, rater).await? else {
            return Ok(None);
        };
        let score = match judgement.images.first() {
            Some(image) if judgement.kind.is_score() => {
                Some(self.score_state(&image.sha1, rater).await?)
            }
            _ => None,
        };
        Ok(Some(Undone { judgement, score }))
    }
}

impl Handler<ImageFailed> for App {
    async fn handle(&self, r: ImageFailed) -> Result<(), AppError> {
        self.0
            .store
            .mark_unreadable(&r.sha1, "could not be displayed (the file may be damaged)")
            .await?;
        self.0.indexer.changed().await;
        Ok(())
    }
}

impl Handler<GetPredictor> for App {
    async fn handle(&self, _: GetPredictor) -> Result<PredictorState, AppError> {
        Ok(self.0.predictor.state())
    }
}

impl Handler<SetPack> for App {
    async fn handle(&self, r: SetPack) -> Result<PredictorState, AppError> {
        self.0.predictor.choose(&r.id).await.map_err(|e| match e {
            CoreError::InvalidInput(message) => {
                AppError::new(image_scorer_protocol::ErrorKind::NotFound, message)
            }
            e => e.into(),
        })?;
        Ok(self.0.predictor.state())
    }
}

impl Handler<PausePredictions> for App {
    async fn handle(&self, r: PausePredictions) -> Result<PredictorState, AppError> {
        self.0.predictor.pause(r.paused);
        Ok(self.0.predictor.state())
    }
}

impl App {
    /// Records a score-kind judgement (committed when this returns).
    async fn record_score(&self, judgement: &NewJudgement) -> Result<i64, CoreError> {
        let revision = self.0.indexer.revision();
        self.0
            .progress
            .record_score(&self.0.store, revision, judgement)
            .await
    }

    /// `rater`'s `(rated, total)`.
    async fn progress(&self, rater: i64) -> Result<(u32, u32), CoreError> {
        let revision = self.0.indexer.revision();
        self.0.progress.get(&self.0.store, revision, rater).await
    }

    /// The image's scores as `rater` sees them, its prediction, and their progress.
    async fn score_state(&self, sha1: &str, rater: i64) -> Result<ScoreState, CoreError> {
        let summary = self.0.store.score_summary(sha1, rater).await?;
        let predicted = match self.0.predictor.model_id() {
            Some(model) => self.0.store.prediction(sha1, model).await?,
            None => None,
        };
        let (rated, total) = self.progress(rater).await?;
        Ok(ScoreState {
            sha1: sha1.to_owned(),
            mine: summary.mine,
            mean: summary.mean,
            raters: summary.raters,
            predicted,
            rated,
            total,
        })
    }
}
