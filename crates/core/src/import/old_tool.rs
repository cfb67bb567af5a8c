//! The old tool's `ratings.db`: its users become raters (named from their hash, renamable),
//! its scores score judgements and its preferences comparisons, each at its own time. Its
//! tables:
//!
//! - `users(id, hash, created)`: a user is an opaque hash;
//! - `images(id, hash, name, created)`: `hash` is the SHA-1 of the file's bytes, as here, and
//!   one hash may appear under several names;
//! - `image_scores(id, image_id, user_id, score, created)`: several per image and user over time;
//! - `images_preferences(image_id, other_id, user_id, created)`: `image_id` won over `other_id`;
//!   a best-of-4 pick is three rows with the same winner, user and time;
//! - `user_image(image_id, user_id, created)`: what was shown to whom (not a judgement).

use super::time::normalised;
use super::Skips;
use crate::store::{ImportBatch, ImportJudgement, ImportRater, NewJudgement};
use crate::{CoreError, Result};
use image_scorer_protocol::{ComparisonOutcome, ImageRole, JudgementKind};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The `source` of the old tool's raters in `rater_sources`.
pub const SOURCE: &str = "ratings.db";
/// What the report calls the format.
pub const FORMAT: &str = "the old tool's ratings.db";

/// Reads the old tool's database at `path` into a batch, counting the rows left out.
pub fn read(path: &Path) -> Result<(ImportBatch, Skips)> {
    let name = super::file_name(path);
    let db = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| CoreError::InvalidInput(format!("Could not open “{name}”: {e}")))?;
    let tables: HashSet<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| {
            CoreError::InvalidInput(format!("“{name}” is not a readable SQLite database: {e}"))
        })?;
    if !tables.contains("images") || !tables.contains("image_scores") {
        return Err(CoreError::InvalidInput(format!(
            "“{name}” is an SQLite database, but not the old tool's ratings.db: it has no images \
             and image_scores tables."
        )));
    }
    let mut skips = Skips::default();
    let mut batch = ImportBatch {
        source: name,
        format: FORMAT.into(),
        ..ImportBatch::default()
    };

    // Users: id -> rater index (added to the batch when first used).
    let users: HashMap<i64, String> = if tables.contains("users") {
        db.prepare("SELECT id, CAST(hash AS TEXT) FROM users")?
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .map(|r| r.map(|(id, hash)| (id, hash.unwrap_or_default())))
            .collect::<rusqlite::Result<_>>()?
    } else {
        HashMap::new()
    };
    let mut rater_of: HashMap<i64, usize> = HashMap::new();
    let mut rater = |batch: &mut ImportBatch, user: i64| -> usize {
        *rater_of.entry(user).or_insert_with(|| {
            let hash = users[&user].trim().to_owned();
            let (key, name) = if hash.is_empty() {
                (format!("id:{user}"), format!("old user {user}"))
            } else {
                let short: String = hash.chars().take(8).collect();
                (hash, format!("old-{short}"))
            };
            batch.raters.push(ImportRater::Keyed {
                source: SOURCE.into(),
                key,
                name,
            });
            batch.raters.len() - 1
        })
    };

    // Images: id -> SHA-1 (several ids may share one).
    let mut images: HashMap<i64, Option<String>> = HashMap::new();
    let mut query = db.prepare("SELECT id, lower(trim(CAST(hash AS TEXT))) FROM images")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let hash: Option<String> = row.get(1)?;
        let valid = hash.filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        images.insert(row.get(0)?, valid);
    }
    let image = |id: Option<i64>, skips: &mut Skips| -> Option<String> {
        match id.and_then(|id| images.get(&id)) {
            Some(Some(sha1)) => Some(sha1.clone()),
            Some(None) => {
                skips.add("rows about an image whose hash is not a SHA-1");
                None
            }
            None => {
                skips.add("rows naming an image id the file does not have");
                None
            }
        }
    };

    // Scores.
    let sql = format!(
        "SELECT image_id, user_id, score, typeof(score), {} FROM image_scores ORDER BY rowid",
        normalised("created")
    );
    let mut query = db.prepare(&sql)?;
    let mut rows = query.query([])?;
    let mut scored_users = HashSet::new();
    while let Some(row) = rows.next()? {
        let Some(sha1) = image(row.get(0)?, &mut skips) else {
            continue;
        };
        let user: Option<i64> = row.get(1)?;
        let Some(user) = user.filter(|u| users.contains_key(u)) else {
            skips.add("rows by a user id the file does not have");
            continue;
        };
        let value: Option<f64> = match row.get::<_, String>(3)?.as_str() {
            "integer" | "real" => row.get(2)?,
            "text" => row.get::<_, String>(2)?.trim().parse().ok(),
            _ => None,
        };
        let Some(value) = value.filter(|v| (1.0..=10.0).contains(v)) else {
            skips.add("scores outside 1-10 (or not a number)");
            continue;
        };
        let Some(created) = row.get::<_, Option<String>>(4)? else {
            skips.add("rows without a time that can be read");
            continue;
        };
        scored_users.insert(user);
        let rater = rater(&mut batch, user);
        batch.judgements.push(ImportJudgement {
            rater,
            created,
            judgement: NewJudgement::score(JudgementKind::Imported, 0, &sha1, value),
        });
    }

    // Preferences, grouped by winner, user and time: three rows are one best-of-4 pick.
    if tables.contains("images_preferences") {
        let sql = format!(
            "SELECT image_id, other_id, user_id, {} FROM images_preferences ORDER BY rowid",
            normalised("created")
        );
        let mut query = db.prepare(&sql)?;
        let mut rows = query.query([])?;
        let mut groups: Vec<((String, i64, String), Vec<String>)> = Vec::new();
        let mut group_of: HashMap<(String, i64, String), usize> = HashMap::new();
        while let Some(row) = rows.next()? {
            let (Some(winner), Some(other)) = (
                image(row.get(0)?, &mut skips),
                image(row.get(1)?, &mut skips),
            ) else {
                continue;
            };
            let user: Option<i64> = row.get(2)?;
            let Some(user) = user.filter(|u| users.contains_key(u)) else {
                skips.add("rows by a user id the file does not have");
                continue;
            };
            if winner == other {
                skips.add("preferences of an image over itself");
                continue;
            }
            let Some(created) = row.get::<_, Option<String>>(3)? else {
                skips.add("rows without a time that can be read");
                continue;
            };
            let key = (winner, user, created);
            let k = *group_of.entry(key.clone()).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[k].1.push(other);
        }
        for ((winner, user, created), others) in groups {
            scored_users.insert(user);
            let rater = rater(&mut batch, user);
            let distinct: HashSet<&String> = others.iter().collect();
            let sets: Vec<Vec<String>> = if others.len() == 3 && distinct.len() == 3 {
                vec![others]
            } else {
                others.into_iter().map(|o| vec![o]).collect()
            };
            for losers in sets {
                // The screen order is not known: the winner first, the others as the file lists them.
                let images = std::iter::once((winner.clone(), ImageRole::Winner))
                    .chain(losers.into_iter().map(|o| (o, ImageRole::Shown)))
                    .collect();
                batch.judgements.push(ImportJudgement {
                    rater,
                    created: created.clone(),
                    judgement: NewJudgement {
                        kind: JudgementKind::Comparison,
                        rater_id: 0,
                        images,
                        value: None,
                        outcome: Some(ComparisonOutcome::Pick),
                        shown_prediction: None,
                        shown_cosine: None,
                        model_id: None,
                        shown_own: false,
                    },
                });
            }
        }
    }

    let idle = users.keys().filter(|u| !scored_users.contains(u)).count();
    skips.add_n("users with no scores or preferences (no rater added)", idle);
    if tables.contains("user_image") {
        let shown: i64 = db.query_row("SELECT COUNT(*) FROM user_image", [], |r| r.get(0))?;
        skips.add_n(
            "records of an image shown to a user (what was seen, not a judgement)",
            shown as usize,
        );
    }
    Ok((batch, skips))
}
