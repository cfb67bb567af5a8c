//! The team queue: the library's rule for how many different raters each image is wanted from
//! ([`QueueRule`], a setting), the reservations that keep two raters off an image that wants
//! one more rating (claimed by the page as it comes to an image, given back on a skip, else
//! expiring: [`Store::claim`](crate::Store::claim)), and how far the team has come. The
//! order of a rater's queue is [`crate::store::queue_of`]'s; this module gives it the team's
//! view and answers the commands.

use super::{settings, App, Handler};
use crate::store::{window_of, ClaimOutcome, GalleryBase, GalleryJudged, Holders};
use crate::CoreError;
use image_scorer_protocol::commands::{
    ClaimImages, GetQueueRule, GetScoreQueue, ReleaseImages, SetQueueRule,
};
use image_scorer_protocol::{
    AppError, Claimed, ErrorKind, QueueItem, QueueRule, ScoreQueue, Standing, TeamProgress,
};

/// The most images one claim or release may name.
const MOST_IMAGES: usize = 64;

/// The most images a queue window may name as known: far more than a day's scoring holds, and
/// a bound on what one request makes the core hold.
const MOST_KNOWN: usize = 100_000;

/// Now in Unix milliseconds, the leases' clock (one for every process on a database: the
/// machines' clocks, which a team server's keep in step).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl App {
    /// The library's queue rule: the default (one rater an image) until one is set; a setting
    /// this build cannot read is reported and the default used.
    pub(super) async fn queue_rule(&self) -> Result<QueueRule, AppError> {
        let Some(text) = self.0.store.setting(settings::QUEUE_RULE).await? else {
            return Ok(QueueRule::default());
        };
        match serde_json::from_str::<QueueRule>(&text) {
            Ok(rule) if rule.problem().is_none() => Ok(rule),
            _ => {
                eprintln!(
                    "image-scorer: the queue rule {text:?} cannot be read: using the default"
                );
                Ok(QueueRule::default())
            }
        }
    }

    /// The rule and the live leases, for a rater's queue.
    pub(super) async fn team_view(&self) -> Result<(QueueRule, Holders), AppError> {
        Ok((
            self.queue_rule().await?,
            self.0.store.holders(now_ms()).await?,
        ))
    }

    /// How far the team has come under the rule, over the images that can be scored.
    pub(super) async fn team_progress(&self) -> Result<TeamProgress, AppError> {
        let (rule, holders) = self.team_view().await?;
        // With the active model, as the pages ask for the rows: they stay cached for both.
        let model = self.0.predictor.model_id();
        let (base, judged, _) = self.gallery_rows(model).await?;
        // Reserved: held by a rater who has not scored it yet (a lease outlives its score
        // until it runs out, and counts for nothing then).
        let leased = holders
            .iter()
            .filter(|(id, raters)| {
                crate::store::index_of(&base, **id)
                    .is_some_and(|k| raters.iter().any(|r| judged[k].score_of(*r).is_none()))
            })
            .count();
        Ok(progress_of(&rule, &judged, leased as u32))
    }
}

/// [`TeamProgress`] of the gallery's rows under `rule`, with `leased` images held now.
pub fn progress_of(rule: &QueueRule, judged: &[GalleryJudged], leased: u32) -> TeamProgress {
    let mut progress = TeamProgress {
        rule: *rule,
        leased,
        ..TeamProgress::default()
    };
    let mut values = Vec::new();
    for j in judged.iter().filter(|j| !j.duplicate) {
        values.clear();
        values.extend(j.scores.iter().map(|s| s.1));
        let count = match rule.standing(&values) {
            Standing::Under => &mut progress.under,
            Standing::Disputed => &mut progress.disputed,
            Standing::Unsettled => &mut progress.unsettled,
            Standing::Done => &mut progress.done,
        };
        *count += 1;
        progress.wanted += rule.wanted(&values).saturating_sub(values.len() as u32);
    }
    progress
}

impl Handler<GetQueueRule> for App {
    async fn handle(&self, _: GetQueueRule) -> Result<QueueRule, AppError> {
        self.queue_rule().await
    }
}

impl Handler<SetQueueRule> for App {
    async fn handle(&self, r: SetQueueRule) -> Result<QueueRule, AppError> {
        let mut rule = r.rule;
        if rule.spread.is_none() {
            rule.max_raters = rule.overlap;
        }
        if let Some(problem) = rule.problem() {
            return Err(CoreError::InvalidInput(problem).into());
        }
        let text = serde_json::to_string(&rule).expect("a rule is plain data");
        self.0
            .store
            .set_setting(settings::QUEUE_RULE, &text)
            .await?;
        // Every queue is ordered again, here and in the other processes.
        self.0.indexer.changed().await;
        Ok(rule)
    }
}

impl Handler<ClaimImages> for App {
    async fn handle(&self, r: ClaimImages) -> Result<Claimed, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let images = bounded(r.images)?;
        let ids = self.0.store.image_ids(&images).await?;
        let known: Vec<(&String, i64)> = images
            .iter()
            .filter_map(|s| ids.get(s).map(|id| (s, *id)))
            .collect();
        let rule = self.queue_rule().await?;
        let id_list: Vec<i64> = known.iter().map(|k| k.1).collect();
        let hold = (r.hold as usize).min(MOST_IMAGES);
        let outcomes = self
            .0
            .store
            .claim(rater, &id_list, hold, &rule, now_ms())
            .await?;
        let mut claimed = Claimed::default();
        for ((sha1, _), outcome) in known.iter().zip(outcomes) {
            match outcome {
                ClaimOutcome::Held => claimed.held.push((*sha1).clone()),
                ClaimOutcome::Covered => claimed.covered.push((*sha1).clone()),
                ClaimOutcome::Left => {}
            }
        }
        // An image no longer in the library is nobody's to score.
        claimed
            .covered
            .extend(images.iter().filter(|s| !ids.contains_key(*s)).cloned());
        Ok(claimed)
    }
}

impl Handler<ReleaseImages> for App {
    async fn handle(&self, r: ReleaseImages) -> Result<(), AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let images = bounded(r.images)?;
        let ids: Vec<i64> = self
            .0
            .store
            .image_ids(&images)
            .await?
            .into_values()
            .collect();
        self.0.store.release(rater, &ids).await?;
        Ok(())
    }
}

/// `images`, refused when more than [`MOST_IMAGES`].
fn bounded(images: Vec<String>) -> Result<Vec<String>, AppError> {
    if images.len() > MOST_IMAGES {
        return Err(CoreError::InvalidInput(format!(
            "At most {MOST_IMAGES} images can be claimed or given back at once."
        ))
        .into());
    }
    Ok(images)
}

impl Handler<GetScoreQueue> for App {
    async fn handle(&self, r: GetScoreQueue) -> Result<ScoreQueue, AppError> {
        if r.window
            .as_ref()
            .is_some_and(|w| w.known.len() > MOST_KNOWN)
        {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                format!("a queue window may name at most {MOST_KNOWN} known images"),
            ));
        }
        let rater = self.rater_id(&r.rater).await?;
        // The gallery's rows (read again only when the library, the log or the predictions
        // changed): at 100,000 images a few milliseconds when nothing did.
        let model = self.0.predictor.model_id();
        let (base, judged, predicted) = self.gallery_rows(model).await?;
        let (rule, holders) = self.team_view().await?;
        let team = crate::store::TeamView {
            rule,
            holders: &holders,
        };
        let order = crate::store::queue_of(
            &base,
            &judged,
            &predicted,
            rater,
            r.include_rated,
            u64::from(r.seed),
            r.predicted_first && model.is_some(),
            Some(team),
        );
        let (needed, unscored) = (order.needed, order.unscored);
        let (rated, total) = self.progress(rater).await?;
        let (limit, known) = match &r.window {
            Some(w) => (w.limit as usize, w.known.as_slice()),
            None => (usize::MAX, &[][..]),
        };
        let item = |b: &GalleryBase| QueueItem {
            sha1: b.sha1.clone(),
            name: b.name.clone(),
        };
        let part = match (r.teach, model) {
            (true, Some(model)) => {
                let mut items: Vec<QueueItem> = order.images.into_iter().map(item).collect();
                // The team's wanted images stay first, each part in the model's order.
                let (wanted, others) = items[..unscored].split_at_mut(needed);
                self.teaching_order(rater, model, &base, wanted).await?;
                self.teaching_order(rater, model, &base, others).await?;
                window_of(items, needed, limit, known, |i| i.sha1.as_str())
            }
            _ => window_of(order.images, needed, limit, known, |b| b.sha1.as_str()).map(item),
        };
        self.0.page_served.notify_one();
        Ok(ScoreQueue {
            items: part.items,
            rated,
            total,
            needed: part.needed as u32,
            wanted: needed as u32,
            rest: part.rest as u32,
            absent: part.absent,
        })
    }
}
