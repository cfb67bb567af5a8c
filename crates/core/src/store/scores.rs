//! Raters, and what the judgement log says of scores: an image's current score per rater, the
//! mean, the queue of images to score and a rater's progress. Current scores come from the
//! `current_scores` view and the images that can be shown from `shown_images`, the one place
//! each rule is written (migration 0006). Whether a rater has scored an image at all is asked
//! of `score_events`, the view `current_scores` is made from: they have a current score
//! exactly when they have a score event, and the existence check costs a third of the ranking.

use super::backend::on_pool;
use super::NamedImage;
use super::{Holders, Store};
use crate::{CoreError, Result};
use image_scorer_protocol::QueueRule;

/// What is known of one image's scores.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ScoreSummary {
    /// The current score by the asking rater.
    pub mine: Option<f64>,
    /// The mean of every rater's current score.
    pub mean: Option<f64>,
    /// How many raters have a current score.
    pub raters: u32,
}

/// The name of the default rater: the operating-system user (from the environment, else the
/// home folder's name), else "me".
pub fn default_rater_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .or_else(|| {
            let home = std::path::PathBuf::from(std::env::var_os("HOME")?);
            Some(home.file_name()?.to_str()?.to_owned())
        })
        .unwrap_or_else(|| "me".to_owned())
}

impl Store {
    /// The id of the rater called `name` (trimmed), created if new.
    pub async fn rater(&self, name: &str) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(CoreError::InvalidInput(
                "A rater's name must have 1 to 64 characters.".into(),
            ));
        }
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO raters (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
        )
        .bind(name)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM raters WHERE name = $1"
        )
        .bind(name)
        .fetch_one(pool)
        .await)?)
    }

    /// The name of the rater `id`, if there is one.
    pub async fn rater_name(&self, id: i64) -> Result<Option<String>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT name FROM raters WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Every rater's name, oldest first.
    pub async fn raters(&self) -> Result<Vec<String>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT name FROM raters ORDER BY id"
        )
        .fetch_all(pool)
        .await)?)
    }

    /// The image's current score by `rater_id`, and the mean over every rater.
    pub async fn score_summary(&self, sha1: &str, rater_id: i64) -> Result<ScoreSummary> {
        let Some(image_id) = self.image_id(sha1).await? else {
            return Ok(ScoreSummary::default());
        };
        self.score_summary_of(image_id, rater_id).await
    }

    /// [`Store::score_summary`] of the image with id `image_id`.
    pub async fn score_summary_of(&self, image_id: i64, rater_id: i64) -> Result<ScoreSummary> {
        // Bound to a plain id, the view reads only this image's partition.
        let rows: Vec<(i64, f64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT rater_id, value FROM current_scores WHERE image_id = $1"
        )
        .bind(image_id)
        .fetch_all(pool)
        .await)?;
        let mine = rows.iter().find(|(r, _)| *r == rater_id).map(|(_, v)| *v);
        let mean = (!rows.is_empty())
            .then(|| rows.iter().map(|(_, v)| v).sum::<f64>() / rows.len() as f64);
        Ok(ScoreSummary {
            mine,
            mean,
            raters: rows.len() as u32,
        })
    }

    /// The images to score, by SHA-1: those `rater_id` has not scored first, then (with
    /// `include_rated`) the rest; each group shuffled by `seed`, so one session keeps one order.
    /// Only images that can be shown and are not marked as duplicates take part. With
    /// `predicted_by` (a model id), unscored images with that model's prediction come before
    /// those without (the Rate page shows predictions). Read by the gallery's plain scans (at
    /// 100,000 images a tenth of a second, where the views take over a second).
    pub async fn score_queue(
        &self,
        rater_id: i64,
        include_rated: bool,
        seed: u64,
        predicted_by: Option<i64>,
    ) -> Result<Vec<NamedImage>> {
        let base = std::sync::Arc::new(self.gallery_base().await?);
        let judged = self.gallery_judged(base.clone()).await?;
        let predicted = match predicted_by {
            Some(model) => self.gallery_predicted(base.clone(), model).await?,
            None => Vec::new(),
        };
        Ok(queue_of(
            &base,
            &judged,
            &predicted,
            rater_id,
            include_rated,
            seed,
            predicted_by.is_some(),
            None,
        )
        .images
        .into_iter()
        .map(|b| NamedImage {
            sha1: b.sha1.clone(),
            name: b.name.clone(),
        })
        .collect())
    }

    /// `(score events, shown)`: how many score judgements (not undone) `rater_id` gave the image
    /// `sha1`, and whether it can be shown.
    pub async fn score_standing(&self, sha1: &str, rater_id: i64) -> Result<(i64, bool)> {
        let Some(image_id) = self.image_id(sha1).await? else {
            return Ok((0, false));
        };
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM score_events WHERE image_id = $1 AND rater_id = $2),
                    EXISTS (SELECT 1 FROM queue_images WHERE id = $1)",
        )
        .bind(image_id)
        .bind(rater_id)
        .fetch_one(pool)
        .await)?)
    }

    /// `(rated, total)`: how many of the images that can be scored `rater_id` has scored.
    pub async fn score_progress(&self, rater_id: i64) -> Result<(u32, u32)> {
        let base = std::sync::Arc::new(self.gallery_base().await?);
        let judged = self.gallery_judged(base).await?;
        Ok(progress_of(&judged, rater_id))
    }
}

/// What a rater's queue needs to know of the team: the library's rule, and who holds which
/// images now ([`Store::holders`]).
#[derive(Debug, Clone, Copy)]
pub struct TeamView<'a> {
    /// The library's rule.
    pub rule: QueueRule,
    /// The live leases.
    pub holders: &'a Holders,
}

/// A rater's queue in order ([`queue_of`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreOrder<'a> {
    /// The images' rows (a page is sent a window of them: a million are not copied).
    pub images: Vec<&'a super::GalleryBase>,
    /// How many of the first ones the team still wants from the rater.
    pub needed: usize,
    /// How many of the first ones the rater has not scored (`needed` among them).
    pub unscored: usize,
}

/// The scoring queue of [`Store::score_queue`] from the gallery's rows (aligned `base`,
/// `judged` and, with `predicted_first`, `predicted`): the images in the queues (not marked
/// as duplicates), those `rater_id` has not scored before those they have. With `team`, the
/// unscored ones the team still wants from the rater come first: those with fewer raters than
/// the overlap (counting raters who hold them now), then those disputed, each the fewest
/// raters first; the others after them have their raters. Each group is shuffled by `seed`;
/// with `predicted_first`, images with a prediction come first within it.
#[allow(clippy::too_many_arguments)]
pub fn queue_of<'a>(
    base: &'a [super::GalleryBase],
    judged: &[super::GalleryJudged],
    predicted: &[Option<f64>],
    rater_id: i64,
    include_rated: bool,
    seed: u64,
    predicted_first: bool,
    team: Option<TeamView<'_>>,
) -> ScoreOrder<'a> {
    let mut rng = fastrand::Rng::with_seed(seed);
    // Under the overlap, disputed, unscored with its raters, scored; each image with how many
    // raters have it (scored or in hand) and whether it has a prediction.
    let mut groups: [Vec<(&'a super::GalleryBase, u32, bool)>; 4] = Default::default();
    let mut values = Vec::new();
    for (k, (b, j)) in base.iter().zip(judged).enumerate() {
        if j.duplicate {
            continue;
        }
        let (group, covered) = if j.score_of(rater_id).is_some() {
            (3, 0)
        } else if let Some(team) = team {
            values.clear();
            values.extend(j.scores.iter().map(|s| s.1));
            let holding = team.holders.get(&b.id).map_or(&[][..], Vec::as_slice);
            let covered = super::leases::others_covering(&j.scores, holding, rater_id);
            if covered < team.rule.overlap {
                (0, covered)
            } else if covered < team.rule.wanted(&values) {
                (1, covered)
            } else {
                (2, 0)
            }
        } else {
            (2, 0)
        };
        let has_prediction = predicted.get(k).is_some_and(Option::is_some);
        groups[group].push((b, covered, has_prediction));
    }
    for group in &mut groups {
        rng.shuffle(group);
        // Stable, so each keeps its shuffled order within: the wanted images with the fewest
        // raters first (a team covers every image once before any twice, and a disputed
        // image's third rating before another's ninth), and, asked for, predicted ones.
        group.sort_by_key(|(_, covered, predicted)| (*covered, predicted_first && !*predicted));
    }
    if !include_rated {
        groups[3].clear();
    }
    let needed = groups[0].len() + groups[1].len();
    let unscored = needed + groups[2].len();
    ScoreOrder {
        images: groups.into_iter().flatten().map(|(b, _, _)| b).collect(),
        needed,
        unscored,
    }
}

/// A part of a queue ([`window_of`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Windowed<T> {
    /// The queue's first `limit` items that are not known, in its order.
    pub items: Vec<T>,
    /// How many of them the team wants (those that were among the queue's first `needed`).
    pub needed: usize,
    /// How many of the queue's items come after them (neither in `items` nor known).
    pub rest: usize,
    /// The known SHA-1s that are not in the queue.
    pub absent: Vec<String>,
}

impl<T> Windowed<T> {
    /// The same window with each item made into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Windowed<U> {
        Windowed {
            items: self.items.into_iter().map(f).collect(),
            needed: self.needed,
            rest: self.rest,
            absent: self.absent,
        }
    }
}

/// The window of a queue (in order, its first `needed` wanted by the team) that a page holding
/// `known` asks for: at most `limit` items it does not hold, and which of those it holds left.
/// One pass, and a set of the known ones: a page tops up a window of a million-image queue
/// without the rest crossing to it.
pub fn window_of<T>(
    queue: Vec<T>,
    needed: usize,
    limit: usize,
    known: &[String],
    sha1: impl Fn(&T) -> &str,
) -> Windowed<T> {
    let held: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    let mut present = std::collections::HashSet::new();
    let mut out = Windowed {
        items: Vec::with_capacity(limit.min(queue.len())),
        needed: 0,
        rest: 0,
        absent: Vec::new(),
    };
    for (k, item) in queue.into_iter().enumerate() {
        if let Some(&key) = held.get(sha1(&item)) {
            present.insert(key);
        } else if out.items.len() < limit {
            out.needed += usize::from(k < needed);
            out.items.push(item);
        } else {
            out.rest += 1;
        }
    }
    out.absent = known
        .iter()
        .filter(|k| !present.contains(k.as_str()))
        .cloned()
        .collect();
    out
}

/// `(rated, total)` of [`Store::score_progress`] from the gallery's rows.
pub fn progress_of(judged: &[super::GalleryJudged], rater_id: i64) -> (u32, u32) {
    let queued = judged.iter().filter(|j| !j.duplicate);
    let (mut rated, mut total) = (0, 0);
    for j in queued {
        total += 1;
        rated += u32::from(j.score_of(rater_id).is_some());
    }
    (rated, total)
}

impl Store {
    /// The setting `key`, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT value FROM settings WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(pool)
        .await)?)
    }

    /// Sets the setting `key` to `value`.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Marks the image `sha1` unreadable with `error` (e.g. the webview could not display it),
    /// so it leaves every queue; its files and judgements stay.
    pub async fn mark_unreadable(&self, sha1: &str, error: &str) -> Result<()> {
        on_pool!(self, |pool| sqlx::query(
            "UPDATE images SET status = 'unreadable', error = $2 WHERE sha1 = $1"
        )
        .bind(sha1)
        .bind(error)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::window_of;

    /// Of a queue `abcdef` whose first three are wanted, a page holding `a` and `c` gets
    /// `b` (wanted) and `d`, with `e` and `f` after them, and hears that `x` left.
    #[test]
    fn a_window_leaves_out_what_the_page_holds_and_counts_the_wanted_in_it() {
        let queue: Vec<String> = "abcdef".chars().map(String::from).collect();
        let known: Vec<String> = ["a", "c", "x"].map(String::from).to_vec();
        let part = window_of(queue, 3, 2, &known, String::as_str);
        assert_eq!(part.items, ["b", "d"]);
        assert_eq!((part.needed, part.rest), (1, 2));
        assert_eq!(part.absent, ["x"]);
    }
}
