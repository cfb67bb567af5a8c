//! The app's answer to every command of the protocol, one [`Handler`] impl per command. A
//! door forwards a request to [`App::call`] and sends back what it returns.

use super::rankings::Sources;
use super::{settings, App};
use crate::ranking::Choice;
use crate::store::{default_rater_name, NewJudgement};
use crate::CoreError;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{
    AppError, AppState, ComparisonOutcome, ComparisonSaved, ComparisonSet, ErrorKind, Handler,
    ImagePage, ImageRole, JudgementKind, LibraryState, PersonalModel, PredictorState,
    PreferenceSettings, Problem, RankingPage, Rater, ScoreState, SetChoice, Undone,
};

impl Handler<GetState> for App {
    async fn handle(&self, _: GetState) -> Result<AppState, AppError> {
        Ok(AppState {
            library: self.0.indexer.library().await?.into(),
            startup_errors: self.startup_errors(),
            app_storage: self.0.app_storage.is_some(),
        })
    }
}

impl Handler<AppResumed> for App {
    async fn handle(&self, _: AppResumed) -> Result<(), AppError> {
        self.resumed().await;
        Ok(())
    }
}

impl Handler<ListImages> for App {
    async fn handle(&self, r: ListImages) -> Result<ImagePage, AppError> {
        let limit = r.limit.min(10_000);
        let images = self.0.store.shown_images(limit).await?;
        Ok(ImagePage {
            images: images.into_iter().map(Into::into).collect(),
            total: self.0.store.counts().await?.ok,
        })
    }
}

impl Handler<ListProblems> for App {
    async fn handle(&self, r: ListProblems) -> Result<Vec<Problem>, AppError> {
        let problems = self.0.store.problems(r.limit.min(10_000)).await?;
        Ok(problems.into_iter().map(Into::into).collect())
    }
}

impl Handler<RemoveFolder> for App {
    async fn handle(&self, r: RemoveFolder) -> Result<LibraryState, AppError> {
        if self.0.app_storage.is_some() {
            return Err(super::app_storage::no_folders().into());
        }
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
        let rater = self.known_rater(&r.name).await?;
        self.0
            .store
            .set_setting(settings::RATER, &rater.name)
            .await?;
        Ok(rater)
    }
}

impl App {
    /// The rater `name` (created if new) with every rater known, without making it the rater
    /// the app starts with: a device on the network keeps its own choice.
    pub async fn known_rater(&self, name: &str) -> Result<Rater, AppError> {
        self.rater_id(name).await?;
        Ok(Rater {
            name: name.trim().to_owned(),
            all: self.0.store.raters().await?,
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
        let image = self.record_score(&judgement).await?;
        Ok(self.score_state_of(&r.sha1, Some(image), rater).await?)
    }
}

impl Handler<AddRating> for App {
    async fn handle(&self, r: AddRating) -> Result<ScoreState, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let value = (r.value * 10.0).round() / 10.0;
        let judgement = NewJudgement::score(JudgementKind::Rate, rater, &r.sha1, value)
            .shown_prediction(r.predicted, self.0.predictor.model_id())
            .shown_own(r.own);
        let image = self.record_score(&judgement).await?;
        Ok(self.score_state_of(&r.sha1, Some(image), rater).await?)
    }
}

impl Handler<Undo> for App {
    async fn handle(&self, r: Undo) -> Result<Option<Undone>, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let revision = self.0.indexer.revision();
        // A comparison's undo goes into the rankings as it goes into the log.
        let mut rankings = self.0.rankings.hold().await;
        let mut counts = self.0.progress.hold(revision, rater).await;
        let Some(judgement) = self.0.store.undo_last(rater).await? else {
            return Ok(None);
        };
        if judgement.kind.is_score() {
            counts
                .unscored(&self.0.store, &judgement.images[0].sha1)
                .await?;
        }
        drop(counts);
        rankings.undone(&judgement, rater);
        drop(rankings);
        if judgement.kind == JudgementKind::Duplicate {
            // The images it marked are back in the queues.
            self.0.indexer.changed().await;
        }
        let score = match judgement.images.first() {
            Some(image) if judgement.kind.is_score() => {
                self.own_model_changed(rater, &image.sha1).await?;
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

impl Handler<GetPreference> for App {
    async fn handle(&self, _: GetPreference) -> Result<PreferenceSettings, AppError> {
        let stored = self.0.store.setting(settings::PREFERENCE).await?;
        // Stored as "<size> <choice>", e.g. "4 active".
        let parsed = stored.as_deref().and_then(|s| {
            let (size, choice) = s.split_once(' ')?;
            Some(PreferenceSettings {
                size: size.parse().ok().filter(|n| matches!(n, 2 | 4))?,
                choice: match choice {
                    "random" => SetChoice::Random,
                    _ => SetChoice::Active,
                },
            })
        });
        Ok(parsed.unwrap_or_default())
    }
}

impl Handler<SetPreference> for App {
    async fn handle(&self, r: SetPreference) -> Result<PreferenceSettings, AppError> {
        check_size(r.settings.size)?;
        let choice = match r.settings.choice {
            SetChoice::Active => "active",
            SetChoice::Random => "random",
        };
        let value = format!("{} {choice}", r.settings.size);
        self.0
            .store
            .set_setting(settings::PREFERENCE, &value)
            .await?;
        Ok(r.settings)
    }
}

impl Handler<NextSet> for App {
    async fn handle(&self, r: NextSet) -> Result<Option<ComparisonSet>, AppError> {
        check_size(r.size)?;
        let rater = self.rater_id(&r.rater).await?;
        let choice = match r.choice {
            SetChoice::Active => Choice::Active,
            SetChoice::Random => Choice::Random,
        };
        let sources = self.ranking_sources();
        let set = self
            .0
            .rankings
            .choose(
                &self.0.store,
                Some(rater),
                sources,
                r.size as usize,
                choice,
                &r.exclude,
            )
            .await?;
        Ok(set.map(|images| ComparisonSet { images }))
    }
}

impl Handler<RecordComparison> for App {
    async fn handle(&self, r: RecordComparison) -> Result<ComparisonSaved, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let winner = match (r.outcome, r.winner) {
            (ComparisonOutcome::Pick, Some(w)) if (w as usize) < r.images.len() => Some(w as usize),
            (ComparisonOutcome::Pick, _) => {
                return Err(invalid(
                    "A pick names the position of one of the images shown.",
                ))
            }
            (_, Some(_)) => return Err(invalid("Only a pick has a winner.")),
            (_, None) => None,
        };
        // No event names an image the rater could not have seen as it is now.
        let gone = self.0.store.not_shown(&r.images).await?;
        if !gone.is_empty() {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!(
                    "{} of the images shown left the library (deleted, moved or unreadable): the \
                     comparison was not recorded.",
                    gone.len()
                ),
            ));
        }
        let images = r
            .images
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let role = if Some(k) == winner {
                    ImageRole::Winner
                } else {
                    ImageRole::Shown
                };
                (s.clone(), role)
            })
            .collect();
        let judgement = NewJudgement::comparison(rater, images, r.outcome);
        let id = {
            let mut rankings = self.0.rankings.hold().await;
            let id = self.0.store.record(&judgement).await?;
            rankings.apply(rater, &judgement.images, r.outcome, 1);
            id
        };
        Ok(ComparisonSaved {
            id: id as u32,
            comparisons: self
                .0
                .store
                .judgement_count(rater, JudgementKind::Comparison)
                .await?,
        })
    }
}

impl Handler<GetRanking> for App {
    async fn handle(&self, r: GetRanking) -> Result<RankingPage, AppError> {
        let scope = match &r.rater {
            Some(name) => Some(self.rater_id(name).await?),
            None => None,
        };
        let sources = self.ranking_sources();
        let page = self
            .0
            .rankings
            .ranking(&self.0.store, scope, sources, r.limit.min(10_000) as usize)
            .await?;
        Ok(RankingPage {
            rater: r.rater.map(|n| n.trim().to_owned()),
            ..page
        })
    }
}

fn invalid(message: &str) -> AppError {
    AppError::new(ErrorKind::InvalidInput, message)
}

fn check_size(size: u32) -> Result<(), AppError> {
    if matches!(size, 2 | 4) {
        Ok(())
    } else {
        Err(invalid(&format!("A set has 2 or 4 images, not {size}.")))
    }
}

impl App {
    /// Records a score-kind judgement (committed when this returns); the image's id.
    async fn record_score(&self, judgement: &NewJudgement) -> Result<i64, CoreError> {
        let mut counts = self
            .0
            .progress
            .hold(self.0.indexer.revision(), judgement.rater_id)
            .await;
        let (_, images) = self.0.store.record_images(judgement).await?;
        counts.scored(&self.0.store, &judgement.images[0].0).await?;
        drop(counts);
        self.0.rankings.scores_changed();
        self.0.personal.score_changed(judgement.rater_id, images[0]);
        Ok(images[0])
    }

    /// The score of `sha1` by `rater` changed: their own model takes it in, in the background.
    async fn own_model_changed(&self, rater: i64, sha1: &str) -> Result<(), CoreError> {
        if let Some(image) = self.0.store.image_id(sha1).await? {
            self.0.personal.score_changed(rater, image);
        }
        Ok(())
    }

    /// What the rankings are fitted from now, besides comparisons: the library, the scores,
    /// and the active pack's predictions (taken in again each time another twentieth of the
    /// library has been predicted, so that the embedding job does not refit them at every set).
    pub(super) fn ranking_sources(&self) -> Sources {
        let predictions = self.0.predictor.model_id().map(|model| {
            let p = self.0.predictor.state().progress;
            let step = if p.done >= p.total {
                u32::MAX
            } else {
                p.done * 20 / p.total.max(1)
            };
            (model, step)
        });
        Sources {
            scores: self.0.rankings.score_revision(),
            library: self.0.indexer.revision(),
            predictions,
        }
    }

    /// `rater`'s `(rated, total)`.
    pub(super) async fn progress(&self, rater: i64) -> Result<(u32, u32), CoreError> {
        let revision = self.0.indexer.revision();
        // Counted from the gallery's rows, which the Score queue and the gallery read anyway
        // (a million images' rows are not read a second time for a count).
        let count = || async {
            let (_, judged, _) = self.gallery_rows(self.0.predictor.model_id()).await?;
            Ok(crate::store::progress_of(&judged, rater))
        };
        self.0.progress.get(revision, rater, count).await
    }

    /// The image's scores as `rater` sees them, its prediction, and their progress.
    async fn score_state(&self, sha1: &str, rater: i64) -> Result<ScoreState, CoreError> {
        self.score_state_of(sha1, None, rater).await
    }

    /// [`App::score_state`], with the image's id when the caller has it (one query less).
    async fn score_state_of(
        &self,
        sha1: &str,
        image: Option<i64>,
        rater: i64,
    ) -> Result<ScoreState, CoreError> {
        let summary = match image {
            Some(id) => self.0.store.score_summary_of(id, rater).await?,
            None => self.0.store.score_summary(sha1, rater).await?,
        };
        let (predicted, own) = match self.0.predictor.model_id() {
            Some(model) => {
                let predicted = self.0.store.prediction(sha1, model).await?;
                let own = self.own_prediction(rater, model, sha1, predicted).await?;
                (predicted, own)
            }
            None => (None, None),
        };
        let (rated, total) = self.progress(rater).await?;
        Ok(ScoreState {
            sha1: sha1.to_owned(),
            mine: summary.mine,
            mean: summary.mean,
            raters: summary.raters,
            predicted,
            own_predicted: own.map(|(p, _)| p),
            own_better: own.is_some_and(|(_, better)| better),
            rated,
            total,
        })
    }
}

impl Handler<GetPersonalModel> for App {
    async fn handle(&self, r: GetPersonalModel) -> Result<PersonalModel, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let model = self.0.predictor.model_id();
        if let Some(model) = model {
            self.own_model_ready(rater, model);
        }
        let has_head = self.0.predictor.state().predicts;
        Ok(self.0.personal.describe(rater, model, has_head))
    }
}
