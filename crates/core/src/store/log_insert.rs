//! The judgement log's one INSERT, for the judgements made in the app (timed now) and the
//! imported ones (with their own times), and the log's spelling of a time.

use super::backend::on_tx;
use super::NewJudgement;
use crate::Result;
use image_scorer_protocol::{ComparisonOutcome, ImageRole};

/// Now as a log time (`2024-05-01T12:00:00.000Z`, UTC): the time of a judgement made in the
/// app, taken here so that both backends write the same spelling.
pub(crate) fn log_time_now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// An imported judgement's origin: its import and its own time.
pub(super) struct Imported<'a> {
    /// The import it came in with.
    pub import_id: i64,
    /// When it was made, as a log time.
    pub created: &'a str,
}

/// Writes `j` by `rater_id` about `images` (ids in screen order, with their parts) in `tx`:
/// the log's one INSERT, for judgements made in the app (timed now) and imported ones.
pub(super) async fn insert(
    tx: &mut super::backend::Tx,
    j: &NewJudgement,
    rater_id: i64,
    images: &[(i64, ImageRole)],
    imported: Option<Imported<'_>>,
) -> Result<i64> {
    let id: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
        "INSERT INTO judgements (kind, rater_id, created, value, outcome, shown_prediction,
                                 shown_cosine, model_id, shown_own, import_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
                 $8, $9, $10)
         RETURNING id",
    )
    .bind(j.kind.as_str())
    .bind(rater_id)
    .bind(
        imported
            .as_ref()
            .map_or_else(log_time_now, |i| i.created.to_owned())
    )
    .bind(j.value)
    .bind(j.outcome.map(ComparisonOutcome::as_str))
    .bind(j.shown_prediction)
    .bind(j.shown_cosine)
    .bind(j.model_id)
    .bind(j.shown_own)
    .bind(imported.as_ref().map(|i| i.import_id))
    .fetch_one(&mut **conn)
    .await)?;
    // Every image in one statement.
    let rows: Vec<String> = (0..images.len())
        .map(|k| {
            let b = 4 * k;
            format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4)
        })
        .collect();
    let sql = format!(
        "INSERT INTO judgement_images (judgement_id, position, image_id, role) VALUES {}",
        rows.join(", ")
    );
    on_tx!(tx, |conn| {
        let mut query = sqlx::query(&sql);
        for (position, (image_id, role)) in images.iter().enumerate() {
            query = query
                .bind(id)
                .bind(position as i64)
                .bind(*image_id)
                .bind(role.as_str());
        }
        query
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(id)
}
