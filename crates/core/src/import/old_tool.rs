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
    let (db, tables) = open(path, &name)?;
    let mut reader = Reader::new(&db, &tables, name)?;
    reader.scores(&db)?;
    if tables.contains("images_preferences") {
        reader.preferences(&db)?;
    }
    reader.finish(&db, &tables)
}

/// The longest text or blob a value of the old tool's file may hold (its hashes, names and
/// times are short): a longer one stops the import with SQLite's "too big".
const LONGEST_VALUE: i32 = 1 << 20;

/// The tables the import reads.
const READ: [&str; 4] = ["users", "images", "image_scores", "images_preferences"];

/// Opens the file read-only as a file from elsewhere, whose schema is not trusted: SQLite's
/// defensive mode, `trusted_schema` off (functions that are not innocuous do not run from its
/// views, triggers or columns), no value over [`LONGEST_VALUE`]; then checks that it is the old
/// tool's (its tables) and that the tables read hold plain values (no virtual table, no
/// generated column, whose expressions would run as they are read).
fn open(path: &Path, name: &str) -> Result<(rusqlite::Connection, HashSet<String>)> {
    use rusqlite::config::DbConfig;
    let unreadable = |e: rusqlite::Error| {
        CoreError::InvalidInput(format!("“{name}” is not a readable SQLite database: {e}"))
    };
    let db = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| CoreError::InvalidInput(format!("Could not open “{name}”: {e}")))?;
    db.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .and_then(|_| db.pragma_update(None, "trusted_schema", false))
        .map_err(unreadable)?;
    let trusted: bool = db
        .pragma_query_value(None, "trusted_schema", |r| r.get(0))
        .map_err(unreadable)?;
    if trusted {
        return Err(CoreError::Internal(
            "this SQLite cannot distrust a file's schema (trusted_schema): the old tool's \
             database is not opened"
                .into(),
        ));
    }
    db.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, LONGEST_VALUE);
    let tables: Vec<(String, String)> = db
        .prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut q| q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(unreadable)?;
    let names: HashSet<String> = tables.iter().map(|(n, _)| n.clone()).collect();
    if !names.contains("images") || !names.contains("image_scores") {
        return Err(CoreError::InvalidInput(format!(
            "“{name}” is an SQLite database, but not the old tool's ratings.db: it has no images \
             and image_scores tables."
        )));
    }
    for (table, sql) in tables.iter().filter(|(t, _)| READ.contains(&t.as_str())) {
        let not_plain = |what: String| {
            CoreError::InvalidInput(format!(
                "“{name}” is not the old tool's ratings.db: its table {table} {what}, which \
                 would run code as it is read; nothing was imported."
            ))
        };
        if sql
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("CREATE VIRTUAL")
        {
            return Err(not_plain("is a virtual table".into()));
        }
        // `hidden` 2 and 3: a generated column (virtual or stored).
        let generated: Option<String> = db
            .prepare("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden IN (2, 3) LIMIT 1")
            .and_then(|mut q| q.query_map([table], |r| r.get(0))?.next().transpose())
            .map_err(unreadable)?;
        if let Some(column) = generated {
            return Err(not_plain(format!("computes its column {column}")));
        }
    }
    Ok((db, names))
}

/// The batch as it is read, with the file's users and images.
struct Reader {
    batch: ImportBatch,
    skips: Skips,
    /// User id -> hash.
    users: HashMap<i64, String>,
    /// User id -> rater index in the batch (added when first used).
    rater_of: HashMap<i64, usize>,
    /// The users who scored or compared.
    active: HashSet<i64>,
    /// Image id -> SHA-1 (`None`: not a SHA-1); several ids may share one.
    images: HashMap<i64, Option<String>>,
}

impl Reader {
    /// Reads the users and the images.
    fn new(db: &rusqlite::Connection, tables: &HashSet<String>, name: String) -> Result<Self> {
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
        let mut images = HashMap::new();
        let mut query = db.prepare("SELECT id, lower(trim(CAST(hash AS TEXT))) FROM images")?;
        let mut rows = query.query([])?;
        while let Some(row) = rows.next()? {
            let hash: Option<String> = row.get(1)?;
            let valid = hash.filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()));
            images.insert(row.get(0)?, valid);
        }
        Ok(Self {
            batch: ImportBatch {
                source: name,
                format: FORMAT.into(),
                ..ImportBatch::default()
            },
            skips: Skips::default(),
            users,
            rater_of: HashMap::new(),
            active: HashSet::new(),
            images,
        })
    }

    /// The rater of the user `user`, added to the batch when first used: named after the
    /// start of their hash.
    fn rater(&mut self, user: i64) -> usize {
        self.active.insert(user);
        let (batch, users) = (&mut self.batch, &self.users);
        *self.rater_of.entry(user).or_insert_with(|| {
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
    }

    /// The SHA-1 of the image `id`, or the reason its row is skipped.
    fn image(&mut self, id: Option<i64>) -> Option<String> {
        match id.and_then(|id| self.images.get(&id)) {
            Some(Some(sha1)) => Some(sha1.clone()),
            Some(None) => {
                self.skips
                    .add("rows about an image whose hash is not a SHA-1");
                None
            }
            None => {
                self.skips
                    .add("rows naming an image id the file does not have");
                None
            }
        }
    }

    /// The user `user` if the file has them, else the reason the row is skipped.
    fn user(&mut self, user: Option<i64>) -> Option<i64> {
        let known = user.filter(|u| self.users.contains_key(u));
        if known.is_none() {
            self.skips.add("rows by a user id the file does not have");
        }
        known
    }

    /// The time of a row, else the reason it is skipped.
    fn time(&mut self, created: Option<String>) -> Option<String> {
        if created.is_none() {
            self.skips.add("rows without a time that can be read");
        }
        created
    }

    /// Every score: a score judgement at its own time.
    fn scores(&mut self, db: &rusqlite::Connection) -> Result<()> {
        let sql = format!(
            "SELECT image_id, user_id, score, typeof(score), {} FROM image_scores ORDER BY rowid",
            normalised("created")
        );
        let mut query = db.prepare(&sql)?;
        let mut rows = query.query([])?;
        while let Some(row) = rows.next()? {
            let Some(sha1) = self.image(row.get(0)?) else {
                continue;
            };
            let Some(user) = self.user(row.get(1)?) else {
                continue;
            };
            let value: Option<f64> = match row.get::<_, String>(3)?.as_str() {
                "integer" | "real" => row.get(2)?,
                "text" => row.get::<_, String>(2)?.trim().parse().ok(),
                _ => None,
            };
            let Some(value) = value.filter(|v| (1.0..=10.0).contains(v)) else {
                self.skips.add("scores outside 1-10 (or not a number)");
                continue;
            };
            let Some(created) = self.time(row.get(4)?) else {
                continue;
            };
            let rater = self.rater(user);
            self.batch.judgements.push(ImportJudgement {
                rater,
                created,
                judgement: NewJudgement::score(JudgementKind::Imported, 0, &sha1, value),
            });
        }
        Ok(())
    }

    /// Every preference, grouped by winner, user and time: three rows are one best-of-4 pick.
    fn preferences(&mut self, db: &rusqlite::Connection) -> Result<()> {
        let sql = format!(
            "SELECT image_id, other_id, user_id, {} FROM images_preferences ORDER BY rowid",
            normalised("created")
        );
        let mut query = db.prepare(&sql)?;
        let mut rows = query.query([])?;
        let mut groups: Vec<((String, i64, String), Vec<String>)> = Vec::new();
        let mut group_of: HashMap<(String, i64, String), usize> = HashMap::new();
        while let Some(row) = rows.next()? {
            let (Some(winner), Some(other)) = (self.image(row.get(0)?), self.image(row.get(1)?))
            else {
                continue;
            };
            let Some(user) = self.user(row.get(2)?) else {
                continue;
            };
            if winner == other {
                self.skips.add("preferences of an image over itself");
                continue;
            }
            let Some(created) = self.time(row.get(3)?) else {
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
            let rater = self.rater(user);
            let distinct: HashSet<&String> = others.iter().collect();
            let sets: Vec<Vec<String>> = if others.len() == 3 && distinct.len() == 3 {
                vec![others]
            } else {
                others.into_iter().map(|o| vec![o]).collect()
            };
            for losers in sets {
                // The screen order is not known: the winner first, the others as the file
                // lists them.
                let images = std::iter::once((winner.clone(), ImageRole::Winner))
                    .chain(losers.into_iter().map(|o| (o, ImageRole::Shown)))
                    .collect();
                self.batch.judgements.push(ImportJudgement {
                    rater,
                    created: created.clone(),
                    judgement: NewJudgement::comparison(0, images, ComparisonOutcome::Pick),
                });
            }
        }
        Ok(())
    }

    /// The batch, with what the file holds that is not a judgement counted as left out.
    fn finish(
        mut self,
        db: &rusqlite::Connection,
        tables: &HashSet<String>,
    ) -> Result<(ImportBatch, Skips)> {
        let idle = self
            .users
            .keys()
            .filter(|u| !self.active.contains(u))
            .count();
        self.skips
            .add_n("users with no scores or preferences (no rater added)", idle);
        if tables.contains("user_image") {
            let shown: i64 = db.query_row("SELECT COUNT(*) FROM user_image", [], |r| r.get(0))?;
            self.skips.add_n(
                "records of an image shown to a user (what was seen, not a judgement)",
                shown as usize,
            );
        }
        Ok((self.batch, self.skips))
    }
}
