//! The team queue's reservations (`leases`, migration 0011): an image handed out to a rater is
//! theirs until a time, so that another rater is not sent to an image that wants only one more
//! rating. A claim decides and writes in one transaction, with the claimed images locked on
//! PostgreSQL (SQLite's write transaction holds the whole file), so two raters claiming at once
//! cannot both take the last place of an image. Who has scored an image comes from
//! `current_scores`, the one rule for that; a rater's lease and score of one image count once.

use super::backend::{on_pool, on_tx, Tx};
use super::{placeholders, placeholders_from, Store};
use crate::Result;
use image_scorer_protocol::QueueRule;
use std::collections::{HashMap, HashSet};

/// What a claim did with one of its images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// Reserved for the rater (or their reservation renewed).
    Held,
    /// The rater need not score it: they have, or others have it in hand or done.
    Covered,
    /// Not looked at: the claim held as many as it was asked to before.
    Left,
}

/// The live leases of some images: image id -> the raters holding them.
pub type Holders = HashMap<i64, Vec<i64>>;

/// How many raters other than `rater_id` have an image in hand or done: those among its
/// current `scores` (rater, value) and its live `holders`, each once. The one count both the
/// claim and a rater's queue compare with what the rule wants.
pub(crate) fn others_covering(scores: &[(i64, f64)], holders: &[i64], rater_id: i64) -> u32 {
    let mut raters: HashSet<i64> = scores.iter().map(|s| s.0).collect();
    raters.extend(holders);
    raters.remove(&rater_id);
    raters.len() as u32
}

impl Store {
    /// Reserves for `rater_id`, of `image_ids` (in order), up to `hold` images still wanted
    /// from them under `rule` at `now_ms` (Unix milliseconds), until `now_ms` plus the rule's
    /// lease; answers each image's outcome, aligned with `image_ids`. Afterwards the rater holds
    /// exactly the images held of these; their expired leases are cleared.
    pub async fn claim(
        &self,
        rater_id: i64,
        image_ids: &[i64],
        hold: usize,
        rule: &QueueRule,
        now_ms: i64,
    ) -> Result<Vec<ClaimOutcome>> {
        if image_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(image_ids.len());
        // A reservation lost in a crash costs nothing: its commit does not wait for the disk.
        let mut tx = self.write_soft().await?;
        if let Tx::Postgres(conn) = &mut tx {
            // Claims of the same images wait for each other; others go on.
            let sql = format!("SELECT id FROM images WHERE id IN ({list}) ORDER BY id FOR UPDATE");
            let mut query = sqlx::query(&sql);
            for id in image_ids {
                query = query.bind(id);
            }
            query.execute(&mut **conn).await?;
        }
        let (scores, holders) = standing_of(&mut tx, image_ids, now_ms).await?;
        let mut outcomes = Vec::with_capacity(image_ids.len());
        let mut held = Vec::new();
        for &id in image_ids {
            let scored = scores.get(&id).map_or(&[][..], Vec::as_slice);
            let holding = holders.get(&id).map_or(&[][..], Vec::as_slice);
            let mine = scored.iter().any(|s| s.0 == rater_id);
            let values: Vec<f64> = scored.iter().map(|s| s.1).collect();
            let covered = others_covering(scored, holding, rater_id);
            let outcome = if mine || covered >= rule.wanted(&values) {
                ClaimOutcome::Covered
            } else if held.len() < hold {
                held.push(id);
                ClaimOutcome::Held
            } else {
                ClaimOutcome::Left
            };
            outcomes.push(outcome);
        }
        let until = now_ms + i64::from(rule.lease_seconds) * 1000;
        // The rater's leases of these images go with the expired ones; those held now come
        // back with their new time.
        let clear = format!(
            "DELETE FROM leases WHERE image_id IN ({}) AND (until_ms <= $1 OR rater_id = $2)",
            placeholders_from(3, image_ids.len())
        );
        let rows: Vec<String> = (0..held.len())
            .map(|k| format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3))
            .collect();
        let insert = format!(
            "INSERT INTO leases (image_id, rater_id, until_ms) VALUES {}
             ON CONFLICT (image_id, rater_id) DO UPDATE SET until_ms = excluded.until_ms",
            rows.join(", ")
        );
        on_tx!(&mut tx, |conn| {
            let mut query = sqlx::query(&clear).bind(now_ms).bind(rater_id);
            for id in image_ids {
                query = query.bind(id);
            }
            query.execute(&mut **conn).await?;
            if !held.is_empty() {
                let mut query = sqlx::query(&insert);
                for id in &held {
                    query = query.bind(id).bind(rater_id).bind(until);
                }
                query.execute(&mut **conn).await?;
            }
            Ok::<_, sqlx::Error>(())
        })?;
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Gives back `rater_id`'s leases of `image_ids`.
    pub async fn release(&self, rater_id: i64, image_ids: &[i64]) -> Result<()> {
        if image_ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "DELETE FROM leases WHERE rater_id = $1 AND image_id IN ({})",
            placeholders_from(2, image_ids.len())
        );
        let mut tx = self.write_soft().await?;
        on_tx!(&mut tx, |conn| {
            let mut query = sqlx::query(&sql).bind(rater_id);
            for id in image_ids {
                query = query.bind(id);
            }
            query
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        Ok(())
    }

    /// Every live lease at `now_ms`: image id -> its holders. Few rows: a handful per rater
    /// at work.
    pub async fn holders(&self, now_ms: i64) -> Result<Holders> {
        let rows: Vec<(i64, i64)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT image_id, rater_id FROM leases WHERE until_ms > $1"
        )
        .bind(now_ms)
        .fetch_all(pool)
        .await)?;
        let mut holders = Holders::new();
        for (image, rater) in rows {
            holders.entry(image).or_default().push(rater);
        }
        Ok(holders)
    }
}

/// The current scores of `image_ids` (image id -> (rater id, value)) and their live leases
/// at `now_ms`, in one statement.
async fn standing_of(
    tx: &mut Tx,
    image_ids: &[i64],
    now_ms: i64,
) -> Result<(HashMap<i64, Vec<(i64, f64)>>, Holders)> {
    let list = placeholders_from(2, image_ids.len());
    let sql = format!(
        "SELECT image_id, rater_id, value FROM current_scores WHERE image_id IN ({list})
         UNION ALL
         SELECT image_id, rater_id, NULL FROM leases WHERE until_ms > $1 AND image_id IN ({list})"
    );
    let rows: Vec<(i64, i64, Option<f64>)> = on_tx!(tx, |conn| {
        let mut query = sqlx::query_as(&sql).bind(now_ms);
        for id in image_ids {
            query = query.bind(id);
        }
        query.fetch_all(&mut **conn).await
    })?;
    let mut scores: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    let mut holders = Holders::new();
    for (image, rater, value) in rows {
        match value {
            Some(value) => scores.entry(image).or_default().push((rater, value)),
            None => holders.entry(image).or_default().push(rater),
        }
    }
    Ok((scores, holders))
}
