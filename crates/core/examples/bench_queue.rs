//! `cargo xtask bench queue`: the team queue at 100,000 and at 1,000,000 images, on SQLite and
//! on PostgreSQL, in the release build, through the app's commands. A synthetic library is
//! written straight into a fresh database (no files on disk: the queue reads only the
//! database), with a fifth of the images already scored by one of 30 raters; the rule wants 2
//! different raters an image. Then 30 raters work at once for a while, each at one image every
//! 500 ms on average (a fast person; each pause 250-750 ms, the starts spread over the first
//! 500 ms: 30 raters in step would queue every write behind 59 others twice a second), as the
//! Score page does: claim the next wanted images (16 candidates of their own order, two
//! reserved) and score the first.
//!
//! - Choosing a rater's next image: the claim's time, p50 and p95 (goal: p95 under 20 ms);
//! - the baseline, in the same run: reading one image's scores (`get_score_state`), the
//!   cheapest read a page makes per image;
//! - for the record: reading a rater's whole queue (`get_score_queue`), which the page does
//!   when it opens, and the score's time.
//!
//! What flatters us: the 30 raters and the database share this machine's two cores but no
//! network (in-process, or a Unix socket for PostgreSQL); each rater's candidates are mostly
//! images nobody holds (random starts over a large library).
//!
//! Usage: bench_queue DIR [SECONDS] [RATERS] [ONLY] (ONLY: one configuration, e.g. sqlite_100k)

#[path = "common/goal.rs"]
mod goal;

use goal::goal_line;
use image_scorer_core::app::NullSink;
use image_scorer_core::{App, AppConfig, Store};
use image_scorer_pgtest::{Options, PgServer};
use image_scorer_protocol::commands::{
    AddScore, ClaimImages, GetScoreQueue, GetScoreState, SetQueueRule,
};
use image_scorer_protocol::QueueRule;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Raters at work, unless the command line says otherwise.
const RATERS: usize = 30;
const PACE: Duration = Duration::from_millis(500);

/// The fake SHA-1 of the image with id `x` (as the SQL below writes it).
fn sha1_of(x: u64) -> String {
    format!("{x:040x}")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: bench_queue DIR [SECONDS]"));
    let seconds: u64 = args.next().map_or(20, |s| s.parse().expect("SECONDS"));
    let raters: usize = args.next().map_or(RATERS, |s| s.parse().expect("RATERS"));
    let only = args.next();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let pg = PgServer::start_with(Options { durable: true });
    let mut goals = Vec::new();
    for images in [100_000u64, 1_000_000] {
        for postgres in [false, true] {
            let backend = if postgres { "postgresql" } else { "sqlite" };
            let label = format!("{backend}_{}k", images / 1000);
            if only.as_ref().is_some_and(|o| *o != label) {
                continue;
            }
            let place = if postgres {
                pg.create_database(&format!("queue_{}", images / 1000))
            } else {
                dir.join(format!("queue-{}k.db", images / 1000))
                    .display()
                    .to_string()
            };
            let p95 = runtime.block_on(measure(&dir.join(&label), &place, images, seconds, raters));
            goals.push(goal_line(
                &format!("queue_next_p95_ms_{label}"),
                p95,
                "<",
                20.0,
            ));
        }
    }
    for line in goals {
        println!("{line}");
    }
}

/// Writes the library and the scores into the database at `place`, then measures; answers
/// the claim's p95 in milliseconds.
async fn measure(folders: &Path, place: &str, images: u64, seconds: u64, raters: usize) -> f64 {
    let start = Instant::now();
    fill(place, images).await;
    println!(
        "\n{place_kind} with {images} images, {scored} scores by {RATERS} raters (written in {:.1} s)",
        start.elapsed().as_secs_f64(),
        place_kind = if place.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        scored = images / 5,
    );
    let mut config = AppConfig::in_folders(folders.join("data"), folders.join("cache"));
    if place.starts_with("postgres") {
        config.database_url = Some(place.to_owned());
    } else {
        config.database_file = Some(PathBuf::from(place));
    }
    let app = Arc::new(App::open(config, Arc::new(NullSink)).await.unwrap());
    let rule = QueueRule {
        overlap: 2,
        ..QueueRule::default()
    };
    app.call(SetQueueRule { rule }).await.unwrap();
    for pass in ["first", "again"] {
        let t = Instant::now();
        let q = app
            .call(GetScoreQueue {
                rater: "rater-00".into(),
                include_rated: false,
                seed: 1,
                predicted_first: false,
                teach: false,
                window: None,
            })
            .await
            .unwrap();
        println!(
            "  a rater's whole queue ({pass}): {:.0} ms ({} images, {} wanted)",
            t.elapsed().as_secs_f64() * 1000.0,
            q.items.len(),
            q.needed
        );
    }
    // Each rater opens the page first: their progress is counted once (a read of the whole
    // library, as the Score page's first queue makes it), not in the timed steps.
    let t = Instant::now();
    for r in 0..raters {
        app.call(GetScoreState {
            rater: format!("rater-{r:02}"),
            sha1: sha1_of(1),
        })
        .await
        .unwrap();
    }
    println!(
        "  {raters} raters' pages opened (each one's progress counted): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for r in 0..raters {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let rater = format!("rater-{r:02}");
            let mut rng = fastrand::Rng::with_seed(r as u64);
            let mut next = 1 + rng.u64(0..images);
            // People do not start together nor keep a metronome's time: a start anywhere in
            // the first pace, each pause between half and one and a half paces.
            tokio::time::sleep(PACE.mul_f64(rng.f64())).await;
            let (mut claims, mut scores, mut reads) = (Vec::new(), Vec::new(), Vec::new());
            while Instant::now() < until {
                let step = Instant::now();
                let candidates: Vec<String> = (0..16)
                    .map(|k| sha1_of(1 + (next - 1 + k) % images))
                    .collect();
                let t = Instant::now();
                let claimed = app
                    .call(ClaimImages {
                        rater: rater.clone(),
                        images: candidates.clone(),
                        hold: 2,
                    })
                    .await
                    .unwrap();
                claims.push(t.elapsed());
                let place = match claimed.held.first() {
                    Some(held) => candidates.iter().position(|c| c == held).unwrap(),
                    None => 15,
                };
                next = 1 + (next - 1 + place as u64 + 1) % images;
                if let Some(sha1) = claimed.held.first() {
                    let t = Instant::now();
                    app.call(GetScoreState {
                        rater: rater.clone(),
                        sha1: sha1.clone(),
                    })
                    .await
                    .unwrap();
                    reads.push(t.elapsed());
                    let t = Instant::now();
                    app.call(AddScore {
                        rater: rater.clone(),
                        sha1: sha1.clone(),
                        value: f64::from(rng.u8(1..=10)),
                    })
                    .await
                    .unwrap();
                    scores.push(t.elapsed());
                }
                let pause = PACE.mul_f64(0.5 + rng.f64());
                tokio::time::sleep(pause.saturating_sub(step.elapsed())).await;
            }
            (claims, scores, reads)
        }));
    }
    let (mut claims, mut scores, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    for t in tasks {
        let (c, s, r) = t.await.unwrap();
        claims.extend(c);
        scores.extend(s);
        reads.extend(r);
    }
    let ms = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v.get(((v.len() as f64 - 1.0) * p).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let (c50, c95) = (ms(&mut claims, 0.5), ms(&mut claims, 0.95));
    let (r50, r95) = (ms(&mut reads, 0.5), ms(&mut reads, 0.95));
    println!(
        "  choosing the next image (claim of 16, 2 held), {} claims: p50 {c50:.2} ms, p95 {c95:.2} ms",
        claims.len()
    );
    println!(
        "  baseline, one image's scores: p50 {r50:.2} ms, p95 {r95:.2} ms (p95 ratio {:.1})",
        c95 / r95
    );
    println!(
        "  a score, {} of them: p50 {:.2} ms, p95 {:.2} ms",
        scores.len(),
        ms(&mut scores, 0.5),
        ms(&mut scores, 0.95)
    );
    match Arc::try_unwrap(app) {
        Ok(app) => app.close().await,
        Err(_) => panic!("the raters are done"),
    }
    c95
}

/// Writes `images` images (one file each), 30 raters and a fifth as many scores into the
/// fresh database at `place`, in a few statements.
async fn fill(place: &str, images: u64) {
    let store = Store::open_place(place).await.unwrap();
    store.close().await;
    let scored = images / 5;
    if place.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(place).await.unwrap();
        for sql in [
            "INSERT INTO roots (path) VALUES ('/bench/photos')",
            "INSERT INTO images (id, sha1, width, height, format, status)
             SELECT x, lpad(to_hex(x), 40, '0'), 64, 64, 'png', 'ok'
               FROM generate_series(1, $1) x",
            "INSERT INTO files (root_id, rel_path, size, mtime_ns, present, image_id)
             SELECT 1, 'd' || (id / 1000) || '/img-' || id || '.png', 1000, 0, TRUE, id FROM images",
            "INSERT INTO raters (name) SELECT 'rater-' || lpad(r::text, 2, '0')
               FROM generate_series(0, 29) r",
            "INSERT INTO judgements (id, kind, rater_id, created, value)
             SELECT x, 'score', 1 + x % 30, '2026-11-01T10:00:00.000Z', 1 + x % 10
               FROM generate_series(1, $1) x",
            "INSERT INTO judgement_images (judgement_id, position, image_id, role)
             SELECT id, 0, 1 + (id * 7919) % $1, 'subject' FROM judgements",
            "SELECT setval(pg_get_serial_sequence('images', 'id'), $1)",
            "SELECT setval(pg_get_serial_sequence('judgements', 'id'), (SELECT MAX(id) FROM judgements))",
            "SELECT setval(pg_get_serial_sequence('files', 'id'), (SELECT MAX(id) FROM files))",
            "ANALYZE",
        ] {
            let mut query = sqlx::query(sql);
            if sql.contains("INSERT INTO judgements") {
                query = query.bind(scored as i64);
            } else if sql.contains("$1") {
                query = query.bind(images as i64);
            }
            query.execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let conn = rusqlite::Connection::open(place).unwrap();
        let series = "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ?1)";
        conn.execute_batch("BEGIN").unwrap();
        conn.execute("INSERT INTO roots (path) VALUES ('/bench/photos')", ())
            .unwrap();
        conn.execute(
            &format!(
                "{series} INSERT INTO images (id, sha1, width, height, format, status)
                 SELECT x, printf('%040x', x), 64, 64, 'png', 'ok' FROM g"
            ),
            [images as i64],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO files (root_id, rel_path, size, mtime_ns, present, image_id)
             SELECT 1, 'd' || (id / 1000) || '/img-' || id || '.png', 1000, 0, 1, id FROM images",
            (),
        )
        .unwrap();
        for r in 0..RATERS {
            conn.execute(
                "INSERT INTO raters (name) VALUES (?1)",
                [format!("rater-{r:02}")],
            )
            .unwrap();
        }
        conn.execute(
            &format!(
                "{series} INSERT INTO judgements (id, kind, rater_id, created, value)
                 SELECT x, 'score', 1 + x % 30, '2026-11-01T10:00:00.000Z', 1 + x % 10 FROM g"
            ),
            [scored as i64],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO judgement_images (judgement_id, position, image_id, role)
             SELECT id, 0, 1 + (id * 7919) % ?1, 'subject' FROM judgements",
            [images as i64],
        )
        .unwrap();
        conn.execute_batch("COMMIT; ANALYZE;").unwrap();
    }
}
