//! The gallery's rows. The order is made from every image that can be shown, read by plain
//! scans of the tables and joined here, in three parts that change at different paces: the
//! images with their files ([`Store::gallery_base`]: the library), what the judgement log says
//! of them ([`Store::gallery_judged`]) and a model's predictions ([`Store::gallery_predicted`]).
//! At 100,000 images the three take about 60, 70 and 20 ms, where the views' per-image
//! subqueries take over a second. A page's tiles are read by id ([`Store::gallery_tiles`], a
//! bound list, so SQLite reads only those images' partitions of the views).

use super::backend::on_pool;
use super::snapshot::Snapshot;
use super::Store;
use super::{ScoreSummary, SizedImage, TileRow};
use crate::Result;
use sqlx::Row;

mod align;
use align::Cursor;

/// One image that can be shown: what the library knows of it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GalleryBase {
    /// Its row id.
    pub id: i64,
    /// Its SHA-1.
    pub sha1: String,
    /// The path of its first present file below its folder.
    pub name: String,
    /// The folders its present files are in.
    pub roots: Vec<i64>,
    /// Its place among all by name (then id), from 0.
    pub by_name: u32,
    /// Its place among all by first sighting (then id), from 0.
    pub by_age: u32,
}

/// What the judgement log says of one image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GalleryJudged {
    /// Each rater's current score: (rater id, value).
    pub scores: Vec<(i64, f64)>,
    /// How many judgements (not undone) name it.
    pub judgements: u32,
    /// Whether it is marked as a duplicate.
    pub duplicate: bool,
}

impl GalleryJudged {
    /// The mean of every rater's current score.
    pub fn mean(&self) -> Option<f64> {
        (!self.scores.is_empty())
            .then(|| self.scores.iter().map(|s| s.1).sum::<f64>() / self.scores.len() as f64)
    }

    /// `rater_id`'s current score.
    pub fn score_of(&self, rater_id: i64) -> Option<f64> {
        self.scores.iter().find(|s| s.0 == rater_id).map(|s| s.1)
    }
}

/// What the judgement log says of the images, by image id ([`Store::judged_rows`]), to be
/// aligned with the library's rows.
#[derive(Debug, Clone, Default)]
pub struct JudgedRows {
    /// (image, rater, current score), in image then rater order.
    scores: Vec<(i64, i64, f64)>,
    /// (image, how many judgements not undone name it).
    judgements: Vec<(i64, u32)>,
    /// The images marked as duplicates.
    duplicates: Vec<i64>,
}

impl JudgedRows {
    /// [`JudgedRows::aligned`] on a blocking thread (a million images take a while).
    pub async fn align(self, base: std::sync::Arc<Vec<GalleryBase>>) -> Result<Vec<GalleryJudged>> {
        tokio::task::spawn_blocking(move || self.aligned(&base))
            .await
            .map_err(|e| crate::CoreError::Internal(format!("reading the log: {e}")))
    }

    /// What the log says of each of `base`'s images, aligned with it.
    pub fn aligned(&self, base: &[GalleryBase]) -> Vec<GalleryJudged> {
        let mut judged = vec![GalleryJudged::default(); base.len()];
        let mut at = Cursor::new(base);
        for &(image, rater, value) in &self.scores {
            if let Some(k) = at.find(image) {
                judged[k].scores.push((rater, value));
            }
        }
        let mut at = Cursor::new(base);
        for &(image, n) in &self.judgements {
            if let Some(k) = at.find(image) {
                judged[k].judgements = n;
            }
        }
        let mut at = Cursor::new(base);
        for &image in &self.duplicates {
            if let Some(k) = at.find(image) {
                judged[k].duplicate = true;
            }
        }
        judged
    }
}

/// Present files in image order (the index holds them so), the least path of each image its
/// name: one entry per image, in id order, without its hash yet.
fn present_files(db: &mut Snapshot) -> Result<Vec<GalleryBase>> {
    let mut images: Vec<GalleryBase> = Vec::new();
    db.each(
        "SELECT image_id, rel_path, root_id FROM files
          WHERE present = TRUE AND image_id IS NOT NULL ORDER BY image_id",
        &[],
        |row| {
            let id = row.int(0)?;
            let root = row.int(2)?;
            let rel = row.text(1)?;
            match images.last_mut() {
                Some(image) if image.id == id => {
                    if !image.roots.contains(&root) {
                        image.roots.push(root);
                    }
                    if rel < image.name.as_str() {
                        image.name = rel.to_owned();
                    }
                }
                _ => images.push(GalleryBase {
                    id,
                    name: rel.to_owned(),
                    roots: vec![root],
                    ..GalleryBase::default()
                }),
            }
            Ok(())
        },
    )?;
    Ok(images)
}

/// The images that decode, in id order: their ids and SHA-1s, and when each was first seen
/// (ISO 8601), only to be sorted by (one text for all: a million strings of their own would
/// cost as many allocations).
#[derive(Default)]
struct Decodable {
    images: Vec<(i64, String)>,
    seen: String,
    seen_ends: Vec<usize>,
}

impl Decodable {
    /// The first sighting of the `k`th image.
    fn seen(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.seen_ends[k - 1] };
        &self.seen[start..self.seen_ends[k]]
    }
}

fn decodable_images(db: &mut Snapshot) -> Result<Decodable> {
    let mut found = Decodable::default();
    db.each(
        "SELECT id, sha1, first_seen FROM images WHERE status = 'ok' ORDER BY id",
        &[],
        |row| {
            found.images.push((row.int(0)?, row.text(1)?.to_owned()));
            found.seen.push_str(row.text(2)?);
            found.seen_ends.push(found.seen.len());
            Ok(())
        },
    )?;
    Ok(found)
}

/// The place of `ids` among the images, by binary search (they are in id order).
pub(crate) fn index_of(base: &[GalleryBase], id: i64) -> Option<usize> {
    base.binary_search_by_key(&id, |b| b.id).ok()
}

/// Each position's place when `order` is sorted by `cmp`.
fn places(n: usize, cmp: impl Fn(usize, usize) -> std::cmp::Ordering) -> Vec<u32> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b));
    let mut place = vec![0u32; n];
    for (rank, k) in order.into_iter().enumerate() {
        place[k] = rank as u32;
    }
    place
}

const TILES: &str = "
WITH agg AS (
    SELECT image_id, AVG(value) AS mean, COUNT(*) AS raters,
           MAX(CASE WHEN rater_id = $1 THEN value END) AS mine
      FROM current_scores WHERE image_id IN ({list})
     GROUP BY image_id
), counts AS (
    SELECT ji.image_id, COUNT(*) AS n
      FROM judgement_images ji JOIN judgements j ON j.id = ji.judgement_id
     WHERE j.undone = FALSE AND ji.image_id IN ({list})
     GROUP BY ji.image_id
), duplicates AS (
    -- duplicate_images for these images only: the database does not carry the filter into
    -- the view's window, which would number every duplicate judgement of the library.
    SELECT image_id
      FROM (SELECT ji.image_id, ji.role,
                   ROW_NUMBER() OVER (PARTITION BY ji.image_id ORDER BY j.id DESC) AS n
              FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
             WHERE j.kind = 'duplicate' AND j.undone = FALSE AND ji.image_id IN ({list})) d
     WHERE n = 1 AND role = 'duplicate'
)
SELECT s.id, s.sha1, s.name, s.width, s.height, a.mine, a.mean,
       COALESCE(a.raters, 0) AS raters, p.score, COALESCE(c.n, 0) AS n,
       EXISTS (SELECT 1 FROM duplicates d WHERE d.image_id = s.id) AS duplicate
  FROM shown_images s
  LEFT JOIN agg a ON a.image_id = s.id
  LEFT JOIN predictions p ON p.image_id = s.id AND p.model_id = $2
  LEFT JOIN counts c ON c.image_id = s.id
 WHERE s.id IN ({list})";

impl Store {
    /// Every image that can be shown (it decodes, and a file of it is present), with its
    /// folders and its places by name and by age, in id order.
    ///
    /// The files and the images are read at once, each in a snapshot of its own (at a million
    /// images each scan keeps a core busy): an image written between the two is left out or
    /// has its files missed, and every such write is followed by a change of the library,
    /// which reads the rows again.
    pub async fn gallery_base(&self) -> Result<Vec<GalleryBase>> {
        let (mut images, mut decodable) = tokio::try_join!(
            self.read_snapshot(present_files),
            self.read_snapshot(decodable_images)
        )?;
        tokio::task::spawn_blocking(move || {
            // Those that decode, with their hash, merged in id order; where each one's first
            // sighting is among the decodable.
            let mut ok = vec![false; images.len()];
            let mut seen_at = Vec::with_capacity(images.len());
            let mut at = 0;
            let Decodable { images: ids, .. } = &mut decodable;
            for (d, (id, sha1)) in ids.iter_mut().enumerate() {
                while at < images.len() && images[at].id < *id {
                    at += 1;
                }
                if at < images.len() && images[at].id == *id {
                    images[at].sha1 = std::mem::take(sha1);
                    ok[at] = true;
                    seen_at.push(d);
                }
            }
            let mut keep = ok.into_iter();
            images.retain(|_| keep.next().unwrap_or(false));
            let seen = |k: usize| decodable.seen(seen_at[k]);
            let (by_name, by_age) = std::thread::scope(|scope| {
                let images = &images;
                let by_name = scope.spawn(|| {
                    places(images.len(), |a, b| {
                        (&images[a].name, images[a].id).cmp(&(&images[b].name, images[b].id))
                    })
                });
                let by_age = places(images.len(), |a, b| {
                    (seen(a), images[a].id).cmp(&(seen(b), images[b].id))
                });
                (by_name.join().expect("sorting names"), by_age)
            });
            for (k, image) in images.iter_mut().enumerate() {
                image.by_name = by_name[k];
                image.by_age = by_age[k];
            }
            images
        })
        .await
        .map_err(|e| crate::CoreError::Internal(format!("reading the library: {e}")))
    }

    /// What the judgement log says of each of `base`'s images, aligned with it: every rater's
    /// current score, the judgements naming it, its duplicate flag ([`JudgedRows::aligned`]).
    pub async fn gallery_judged(
        &self,
        base: std::sync::Arc<Vec<GalleryBase>>,
    ) -> Result<Vec<GalleryJudged>> {
        self.judged_rows().await?.align(base).await
    }

    /// What the judgement log says of the images, by image id: its three reads at once, each
    /// in a snapshot of its own (a judgement written between them is counted in one and not
    /// the others, and is followed by a change of the log, which reads the rows again).
    ///
    /// The current scores follow the `current_scores` view's rule (each rater's newest score
    /// event by time, then id), read from `score_events` in that order, each (image, rater)'s
    /// last event kept: the view's window takes several times as long over a whole library,
    /// and keeping the newest in a map a third as long again. The gallery test holds the two
    /// together.
    pub async fn judged_rows(&self) -> Result<JudgedRows> {
        let (scores, judgements, duplicates) = tokio::try_join!(
            self.read_snapshot(|db| {
                let mut scores: Vec<(i64, i64, f64)> = Vec::new();
                // Each (image, rater)'s events oldest first: the last one read is the score.
                db.each(
                    "SELECT image_id, rater_id, value FROM score_events
                      ORDER BY image_id, rater_id, created, id",
                    &[],
                    |row| {
                        let (image, rater, value) = (row.int(0)?, row.int(1)?, row.real(2)?);
                        match scores.last_mut() {
                            Some(last) if (last.0, last.1) == (image, rater) => last.2 = value,
                            _ => scores.push((image, rater, value)),
                        }
                        Ok(())
                    },
                )?;
                Ok(scores)
            }),
            self.read_snapshot(|db| {
                let mut counts: Vec<(i64, u32)> = Vec::new();
                db.each(
                    "SELECT ji.image_id, COUNT(*) FROM judgement_images ji
                       JOIN judgements j ON j.id = ji.judgement_id
                      WHERE j.undone = FALSE GROUP BY ji.image_id",
                    &[],
                    |row| {
                        counts.push((row.int(0)?, row.int(1)? as u32));
                        Ok(())
                    },
                )?;
                Ok(counts)
            }),
            self.read_snapshot(|db| {
                let mut ids = Vec::new();
                db.each("SELECT image_id FROM duplicate_images", &[], |row| {
                    ids.push(row.int(0)?);
                    Ok(())
                })?;
                Ok(ids)
            }),
        )?;
        Ok(JudgedRows {
            scores,
            judgements,
            duplicates,
        })
    }

    /// `model_id`'s prediction of each of `base`'s images, aligned with it.
    pub async fn gallery_predicted(
        &self,
        base: std::sync::Arc<Vec<GalleryBase>>,
        model_id: i64,
    ) -> Result<Vec<Option<f64>>> {
        self.read_snapshot(move |db| {
            let mut predicted = vec![None; base.len()];
            db.each(
                "SELECT image_id, score FROM predictions WHERE model_id = $1",
                &[model_id],
                |row| {
                    if let Some(k) = index_of(&base, row.int(0)?) {
                        predicted[k] = Some(row.real(1)?);
                    }
                    Ok(())
                },
            )?;
            Ok(predicted)
        })
        .await
    }

    /// What the gallery's rows are made from in the judgement log, as a key that changes
    /// whenever the log does: its newest id (a judgement or an import) and how many are undone
    /// (an undo).
    pub async fn judgement_log_key(&self) -> Result<(i64, i64)> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT COALESCE(MAX(id), 0), (SELECT COUNT(*) FROM judgements WHERE undone = TRUE)
               FROM judgements",
        )
        .fetch_one(pool)
        .await)?)
    }

    /// The tiles of the images `ids` (those that can still be shown), with `rater_id`'s score
    /// as "mine" and `model_id`'s prediction, in no order (their rank left for the rankings).
    pub async fn gallery_tiles(
        &self,
        rater_id: i64,
        model_id: Option<i64>,
        ids: &[i64],
    ) -> Result<Vec<(i64, TileRow)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Numbered after the two fixed parameters; every `IN` shares them. The ids come from
        // the order the app computed, never from the page.
        let list = (0..ids.len())
            .map(|k| format!("${}", k + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = TILES.replace("{list}", &list);
        on_pool!(self, |pool| {
            let mut query = sqlx::query(&sql).bind(rater_id).bind(model_id);
            for id in ids {
                query = query.bind(*id);
            }
            let rows = query.fetch_all(pool).await?;
            rows.into_iter()
                .map(|row| {
                    Ok((
                        row.try_get(0)?,
                        TileRow {
                            image: SizedImage {
                                sha1: row.try_get(1)?,
                                name: row.try_get(2)?,
                                width: row.try_get::<Option<i64>, _>(3)?.unwrap_or(0) as u32,
                                height: row.try_get::<Option<i64>, _>(4)?.unwrap_or(0) as u32,
                            },
                            scores: ScoreSummary {
                                mine: row.try_get(5)?,
                                mean: row.try_get(6)?,
                                raters: row.try_get::<i64, _>(7)? as u32,
                            },
                            predicted: row.try_get(8)?,
                            judgements: row.try_get::<i64, _>(9)? as u32,
                            duplicate: row.try_get(10)?,
                        },
                    ))
                })
                .collect()
        })
    }

    /// Everything the detail view shows of the image `sha1` but its judgements: (width,
    /// height, format), every file of it (full path, present), and each model's prediction by
    /// model name. `None` when no image has that hash.
    #[allow(clippy::type_complexity)]
    pub async fn image_record(
        &self,
        sha1: &str,
    ) -> Result<
        Option<(
            (u32, u32, Option<String>),
            Vec<(String, bool)>,
            Vec<(String, f64)>,
        )>,
    > {
        let record: Option<(i64, Option<i64>, Option<i64>, Option<String>)> = on_pool!(
            self,
            |pool| sqlx::query_as("SELECT id, width, height, format FROM images WHERE sha1 = $1",)
                .bind(sha1)
                .fetch_optional(pool)
                .await
        )?;
        let Some((id, width, height, format)) = record else {
            return Ok(None);
        };
        let files: Vec<(String, String, bool)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT r.path, f.rel_path, f.present FROM files f JOIN roots r ON r.id = f.root_id
              WHERE f.image_id = $1 ORDER BY f.present DESC, f.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        let predictions: Vec<(String, f64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT m.name, p.score FROM predictions p JOIN models m ON m.id = p.model_id
              WHERE p.image_id = $1 ORDER BY m.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        Ok(Some((
            (
                width.unwrap_or(0) as u32,
                height.unwrap_or(0) as u32,
                format,
            ),
            files
                .into_iter()
                .map(|(root, rel, present)| {
                    (
                        std::path::Path::new(&root).join(rel).display().to_string(),
                        present,
                    )
                })
                .collect(),
            predictions,
        )))
    }
}
