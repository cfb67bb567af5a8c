//! What a rater's own model is fitted from: their current scores of images that have an
//! embedding of the active pack, with the pack's prediction where it has a head.

use super::backend::on_pool;
use super::Store;
use crate::Result;

/// One rated image as the personal model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonalRating {
    /// The image's row id.
    pub image_id: i64,
    /// The rater's current score.
    pub score: f64,
    /// The pack head's prediction, if it has a head.
    pub prediction: Option<f64>,
    /// The pack's embedding.
    pub vector: Vec<f32>,
}

/// The rows of a current score with its embedding and prediction; one image (`?3`) or all.
const RATINGS: &str = "
SELECT c.image_id, c.value, p.score, e.vector
  FROM current_scores c
  JOIN embeddings e ON e.image_id = c.image_id AND e.model_id = $2
  LEFT JOIN predictions p ON p.image_id = c.image_id AND p.model_id = $2
 WHERE c.rater_id = $1 AND ($3 IS NULL OR c.image_id = $3)
 ORDER BY c.created, c.judgement_id";

type Row = (i64, f64, Option<f64>, Vec<u8>);

fn rating((image_id, score, prediction, blob): Row) -> PersonalRating {
    PersonalRating {
        image_id,
        score,
        prediction,
        vector: blob
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    }
}

impl Store {
    /// `rater_id`'s current scores of images embedded by `model_id`, in the order they were
    /// given (the learning curve's order), with the pack's predictions.
    pub async fn personal_ratings(
        &self,
        rater_id: i64,
        model_id: i64,
    ) -> Result<Vec<PersonalRating>> {
        let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(RATINGS)
            .bind(rater_id)
            .bind(model_id)
            .bind(None::<i64>)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(rating).collect())
    }

    /// The same for one image: `None` when the rater has no current score of it (never
    /// scored, or undone) or it has no embedding.
    pub async fn personal_rating(
        &self,
        rater_id: i64,
        model_id: i64,
        image_id: i64,
    ) -> Result<Option<PersonalRating>> {
        let row: Option<Row> = on_pool!(self, |pool| sqlx::query_as(RATINGS)
            .bind(rater_id)
            .bind(model_id)
            .bind(image_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(rating))
    }
}
