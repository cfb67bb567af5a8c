//! The gallery's rows: every image that can be shown with what its tile shows (the asking
//! rater's score, the mean, the prediction, how many judgements name it, its duplicate flag),
//! for the whole filtered library when the order is computed, and for a page of ids when a page
//! is shown (bound as a list, so SQLite reads only those images' partitions of the views).

use super::Store;
use crate::Result;
use image_scorer_protocol::{GalleryShow, GalleryTile, Presence};
use sqlx::Row;

/// Which images, and whose score is "mine".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GalleryFilter {
    /// Whose score a tile shows as "mine".
    pub rater_id: i64,
    /// The active pack's model, for predictions.
    pub model_id: Option<i64>,
    /// All images, or only those marked as duplicates.
    pub show: GalleryShow,
    /// Only images with a present file below this folder.
    pub folder: Option<i64>,
    /// Scored (or not) by `rated_by`, or by anyone when it is `None`.
    pub rated: Presence,
    /// See `rated`.
    pub rated_by: Option<i64>,
    /// With (or without) a prediction of `model_id`.
    pub predicted: Presence,
}

/// One image's row.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryRow {
    /// Its row id.
    pub id: i64,
    /// When it first appeared (ISO 8601).
    pub first_seen: String,
    /// The tile (without its rank, which the rankings give).
    pub tile: GalleryTile,
}

const SELECT: &str = "
WITH agg AS (
    SELECT image_id, AVG(value) AS mean, COUNT(*) AS raters,
           MAX(CASE WHEN rater_id = ?1 THEN value END) AS mine,
           MAX(rater_id IS ?2) AS by_them
      FROM current_scores {scores}
     GROUP BY image_id
), counts AS (
    SELECT ji.image_id, COUNT(*) AS n
      FROM judgement_images ji JOIN judgements j ON j.id = ji.judgement_id
     WHERE j.undone = 0 {counts}
     GROUP BY ji.image_id
)
SELECT s.id, s.sha1, s.name, s.width, s.height, i.first_seen, a.mine, a.mean,
       COALESCE(a.raters, 0) AS raters, p.score, COALESCE(c.n, 0) AS n,
       d.image_id IS NOT NULL AS duplicate
  FROM shown_images s
  JOIN images i ON i.id = s.id
  LEFT JOIN agg a ON a.image_id = s.id
  LEFT JOIN predictions p ON p.image_id = s.id AND p.model_id = ?3
  LEFT JOIN counts c ON c.image_id = s.id
  LEFT JOIN duplicate_images d ON d.image_id = s.id
 WHERE (?4 = 0 OR d.image_id IS NOT NULL)
   AND (?5 IS NULL OR EXISTS (SELECT 1 FROM files f
                               WHERE f.image_id = s.id AND f.present = 1 AND f.root_id = ?5))
   AND (?6 = 0 OR (?6 = 1) = (CASE WHEN ?2 IS NULL THEN a.raters > 0 ELSE a.by_them = 1 END
                               IS TRUE))
   AND (?7 = 0 OR (?7 = 1) = (p.score IS NOT NULL))
   {ids}";

fn presence(p: Presence) -> i64 {
    match p {
        Presence::Any => 0,
        Presence::With => 1,
        Presence::Without => 2,
    }
}

impl Store {
    /// Every image that `filter` lets through (`ids`: only these), in no order.
    pub async fn gallery_rows(
        &self,
        filter: &GalleryFilter,
        ids: Option<&[i64]>,
    ) -> Result<Vec<GalleryRow>> {
        let sql = match ids {
            None => SELECT
                .replace("{scores}", "")
                .replace("{counts}", "")
                .replace("{ids}", ""),
            Some(ids) => {
                // A bound list (not a subquery), so SQLite reads only these images' rows of
                // the views; ids come from the order the app computed, never from the page.
                // Numbered after the seven fixed parameters; the three `IN`s share them.
                let list = (0..ids.len().max(1))
                    .map(|k| format!("?{}", k + 8))
                    .collect::<Vec<_>>()
                    .join(", ");
                SELECT
                    .replace("{scores}", &format!("WHERE image_id IN ({list})"))
                    .replace("{counts}", &format!("AND ji.image_id IN ({list})"))
                    .replace("{ids}", &format!("AND s.id IN ({list})"))
            }
        };
        let mut query = sqlx::query(&sql)
            .bind(filter.rater_id)
            .bind(filter.rated_by)
            .bind(filter.model_id)
            .bind(i64::from(filter.show == GalleryShow::Duplicates))
            .bind(filter.folder)
            .bind(presence(filter.rated))
            .bind(presence(filter.predicted));
        if let Some(ids) = ids {
            let ids = if ids.is_empty() { &[0][..] } else { ids };
            for id in ids {
                query = query.bind(*id);
            }
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|row| {
                Ok(GalleryRow {
                    id: row.try_get(0)?,
                    first_seen: row.try_get(5)?,
                    tile: GalleryTile {
                        sha1: row.try_get(1)?,
                        name: row.try_get(2)?,
                        width: row.try_get::<Option<i64>, _>(3)?.unwrap_or(0) as u32,
                        height: row.try_get::<Option<i64>, _>(4)?.unwrap_or(0) as u32,
                        mine: row.try_get(6)?,
                        mean: row.try_get(7)?,
                        raters: row.try_get::<i64, _>(8)? as u32,
                        predicted: row.try_get(9)?,
                        rank: None,
                        judgements: row.try_get::<i64, _>(10)? as u32,
                        duplicate: row.try_get(11)?,
                        problem: None,
                    },
                })
            })
            .collect()
    }

    /// Every present file that cannot be shown (below `folder`, or any), as tiles with the
    /// reason, by folder and path.
    pub async fn problem_tiles(&self, folder: Option<i64>) -> Result<Vec<GalleryTile>> {
        let rows: Vec<(Option<String>, String, Option<String>)> = sqlx::query_as(
            "SELECT i.sha1, f.rel_path, COALESCE(i.error, f.error)
               FROM files f LEFT JOIN images i ON i.id = f.image_id
              WHERE f.present = 1 AND (f.image_id IS NULL OR i.status <> 'ok')
                AND (?1 IS NULL OR f.root_id = ?1)
              ORDER BY f.root_id, f.rel_path",
        )
        .bind(folder)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(sha1, name, error)| GalleryTile {
                sha1: sha1.unwrap_or_default(),
                name,
                width: 0,
                height: 0,
                mine: None,
                mean: None,
                raters: 0,
                predicted: None,
                rank: None,
                judgements: 0,
                duplicate: false,
                problem: Some(error.unwrap_or_else(|| "cannot be shown".into())),
            })
            .collect())
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
        let Some((id, width, height, format)) =
            sqlx::query_as::<_, (i64, Option<i64>, Option<i64>, Option<String>)>(
                "SELECT id, width, height, format FROM images WHERE sha1 = ?1",
            )
            .bind(sha1)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let files: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT r.path, f.rel_path, f.present FROM files f JOIN roots r ON r.id = f.root_id
              WHERE f.image_id = ?1 ORDER BY f.present DESC, f.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let predictions: Vec<(String, f64)> = sqlx::query_as(
            "SELECT m.name, p.score FROM predictions p JOIN models m ON m.id = p.model_id
              WHERE p.image_id = ?1 ORDER BY m.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
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
