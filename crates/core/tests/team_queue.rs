//! Team queues: the reservations on both backends (many raters claiming at once never take
//! more places than an image has, a lease past its time frees its place, a rater never gets
//! an image they scored), and a seeded simulation of a team of ten through the app's own
//! commands: with an overlap of 3 every image gets exactly three raters; with the
//! disagreement rule, for the same number of ratings, the means are nearer the truth.

mod common;

use common::Backend;
use image_scorer_core::store::{ClaimOutcome, NewJudgement};
use image_scorer_core::{App, Store};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{JudgementKind, QueueRule};
use std::collections::HashMap;
use std::path::Path;

both_backends!(
    concurrent_claims_never_overfill_an_image,
    leases_expire_and_scores_count
);

fn rule(overlap: u32, spread: Option<f64>, max_raters: u32) -> QueueRule {
    QueueRule {
        overlap,
        spread,
        max_raters,
        lease_seconds: 60,
    }
}

async fn image_ids(store: &Store, hashes: &[String]) -> Vec<i64> {
    let ids = store.image_ids(hashes).await.unwrap();
    hashes.iter().map(|h| ids[h]).collect()
}

/// Twelve raters claim the seven images at once, each asking for two: with an overlap of 2,
/// every image ends up held by exactly two of them.
async fn concurrent_claims_never_overfill_an_image(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, hashes) = common::library_on(tmp.path(), backend).await;
    let ids = image_ids(&store, &hashes).await;
    let rule = rule(2, None, 2);
    let mut tasks = Vec::new();
    for r in 0..12 {
        let store = store.clone();
        let mut order = ids.clone();
        order.rotate_left(r % ids.len());
        tasks.push(tokio::spawn(async move {
            let rater = store.rater(&format!("r{r}")).await.unwrap();
            store.claim(rater, &order, 2, &rule, 1_000).await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let holders = store.holders(1_000).await.unwrap();
    for id in &ids {
        assert_eq!(holders[id].len(), 2, "image {id}: {:?}", holders[id]);
    }
    assert_eq!(holders.values().map(Vec::len).sum::<usize>(), 14);
}

/// A lease holds its place until its time; a score takes the place for good; a rater's own
/// scored image is covered for them; a release gives the place back.
async fn leases_expire_and_scores_count(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, hashes) = common::library_on(tmp.path(), backend).await;
    let ids = image_ids(&store, &hashes[..1]).await;
    let rule = rule(1, None, 1);
    let (ana, ben) = (
        store.rater("ana").await.unwrap(),
        store.rater("ben").await.unwrap(),
    );
    let held = store.claim(ana, &ids, 1, &rule, 0).await.unwrap();
    assert_eq!(held, [ClaimOutcome::Held]);
    // Ben is kept off it while ana's lease runs, and gets it once it ran out.
    assert_eq!(
        store.claim(ben, &ids, 1, &rule, 59_999).await.unwrap(),
        [ClaimOutcome::Covered]
    );
    assert_eq!(
        store.claim(ben, &ids, 1, &rule, 60_000).await.unwrap(),
        [ClaimOutcome::Held]
    );
    // Ana comes back: her place went to ben.
    assert_eq!(
        store.claim(ana, &ids, 1, &rule, 60_001).await.unwrap(),
        [ClaimOutcome::Covered]
    );
    // Ben gives it back: ana may take it again.
    store.release(ben, &ids).await.unwrap();
    assert_eq!(
        store.claim(ana, &ids, 1, &rule, 60_002).await.unwrap(),
        [ClaimOutcome::Held]
    );
    // Ana scores it: done for everyone, whatever the time; ana's own score covers it for her.
    let score = NewJudgement::score(JudgementKind::Score, ana, &hashes[0], 7.0);
    store.record(&score).await.unwrap();
    let late = 10_000_000;
    for rater in [ana, ben] {
        assert_eq!(
            store.claim(rater, &ids, 1, &rule, late).await.unwrap(),
            [ClaimOutcome::Covered]
        );
    }
    // With two raters wanted, ben may add his.
    let two = self::rule(2, None, 2);
    assert_eq!(
        store.claim(ben, &ids, 1, &two, late).await.unwrap(),
        [ClaimOutcome::Held]
    );
    assert_eq!(
        store.claim(ana, &ids, 1, &two, late).await.unwrap(),
        [ClaimOutcome::Covered]
    );
}

/// A simulated rater: a bias, a noise that grows on hard images, and lapses (a score at
/// random).
struct Sim {
    name: String,
    bias: f64,
    noise: f64,
    lapse: f64,
    queue: Vec<String>,
    needed: usize,
    pos: usize,
    holding: Option<String>,
    idle: bool,
}

/// The library's truth: each image's quality and how hard it is to judge.
struct Truth {
    quality: HashMap<String, f64>,
    hard: HashMap<String, bool>,
}

fn gauss(rng: &mut fastrand::Rng) -> f64 {
    let (u, v) = (rng.f64().max(1e-12), rng.f64());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Writes `n` distinct small PNGs into `dir`; their hashes.
fn small_photos(dir: &Path, n: usize) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|k| {
            let image = image::RgbImage::from_fn(16, 16, |x, y| {
                let v = k as u32;
                image::Rgb([(v % 251) as u8, ((v / 251) * 16 + x) as u8, y as u8])
            });
            let path = dir.join(format!("img-{k:04}.png"));
            image.save(&path).unwrap();
            common::sha1(&std::fs::read(&path).unwrap())
        })
        .collect()
}

/// The scores of one run: each image's values by rater.
type Scores = HashMap<String, HashMap<String, f64>>;

/// Runs the team of ten on `app` under `rule` until no one is wanted or `budget` ratings are
/// spent, interleaved so that every rater holds an image while the others claim; answers the
/// scores given.
async fn simulate(app: &App, rule: QueueRule, truth: &Truth, seed: u64, budget: usize) -> Scores {
    app.call(SetQueueRule { rule }).await.unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut raters: Vec<Sim> = (0..10)
        .map(|r| Sim {
            name: format!("rater-{r}"),
            bias: 0.4 * gauss(&mut rng),
            noise: 0.5 + 0.5 * rng.f64(),
            lapse: 0.02 + 0.08 * rng.f64(),
            queue: Vec::new(),
            needed: 0,
            pos: 0,
            holding: None,
            idle: false,
        })
        .collect();
    let mut scores = Scores::new();
    let mut spent = 0;
    let mut order: Vec<usize> = (0..raters.len()).collect();
    while raters.iter().any(|r| !r.idle || r.holding.is_some()) {
        rng.shuffle(&mut order);
        for &k in &order {
            let rater = &mut raters[k];
            if let Some(sha1) = rater.holding.take() {
                let value = if rng.f64() < rater.lapse {
                    f64::from(rng.u8(1..=10))
                } else {
                    let noise = rater.noise * if truth.hard[&sha1] { 3.0 } else { 0.5 };
                    (truth.quality[&sha1] + rater.bias + noise * gauss(&mut rng))
                        .round()
                        .clamp(1.0, 10.0)
                };
                app.call(AddScore {
                    rater: rater.name.clone(),
                    sha1: sha1.clone(),
                    value,
                })
                .await
                .unwrap();
                scores
                    .entry(sha1)
                    .or_default()
                    .insert(rater.name.clone(), value);
            }
            // Claimed counts as spent: what is in hand will be scored.
            if rater.idle || spent >= budget {
                rater.idle = true;
                continue;
            }
            if let Some(sha1) = next(app, rater, seed).await {
                rater.holding = Some(sha1);
                spent += 1;
            }
        }
    }
    scores
}

/// Claims the rater's next wanted image, reading their queue again when what they hold of it
/// ran out; marks them idle when the team wants nothing more of them.
async fn next(app: &App, rater: &mut Sim, seed: u64) -> Option<String> {
    for fresh in [false, true] {
        if fresh {
            let queue = app
                .call(GetScoreQueue {
                    rater: rater.name.clone(),
                    include_rated: false,
                    seed: seed as u32 ^ rater.name.len() as u32 ^ rater.bias.to_bits() as u32,
                    predicted_first: false,
                    teach: false,
                })
                .await
                .unwrap();
            rater.needed = queue.needed as usize;
            rater.queue = queue.items.into_iter().map(|i| i.sha1).collect();
            rater.pos = 0;
        }
        while rater.pos < rater.needed {
            let end = (rater.pos + 16).min(rater.needed);
            let images = rater.queue[rater.pos..end].to_vec();
            let claimed = app
                .call(ClaimImages {
                    rater: rater.name.clone(),
                    images: images.clone(),
                    hold: 1,
                })
                .await
                .unwrap();
            let held = claimed.held.first().cloned();
            // Past the held one, or past all of them when none was.
            rater.pos += match &held {
                Some(h) => images.iter().position(|s| s == h).unwrap() + 1,
                None => images.len(),
            };
            if held.is_some() {
                return held;
            }
        }
    }
    rater.idle = true;
    None
}

/// The root mean square error of the images' mean scores against their quality, over the
/// images scored.
fn error(scores: &Scores, truth: &Truth) -> f64 {
    let squares: Vec<f64> = scores
        .iter()
        .map(|(sha1, by)| {
            let mean = by.values().sum::<f64>() / by.len() as f64;
            (mean - truth.quality[sha1]).powi(2)
        })
        .collect();
    (squares.iter().sum::<f64>() / squares.len() as f64).sqrt()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_of_ten_covers_two_thousand_images_as_the_rule_says() {
    const IMAGES: usize = 2000;
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    let hashes = small_photos(&photos, IMAGES);
    let mut rng = fastrand::Rng::with_seed(29);
    let truth = Truth {
        quality: hashes
            .iter()
            .map(|h| (h.clone(), 1.0 + 9.0 * rng.f64()))
            .collect(),
        hard: hashes
            .iter()
            .map(|h| (h.clone(), rng.f64() < 0.25))
            .collect(),
    };
    let mut runs = Vec::new();
    for (name, rule, budget) in [
        ("flat overlap 3", rule(3, None, 3), usize::MAX),
        (
            "overlap 2, up to 10 while spread > 1.2",
            rule(2, Some(1.2), 10),
            3 * IMAGES,
        ),
    ] {
        let dir = tmp.path().join(name.replace([' ', ',', '>'], "-"));
        let app = common::app_with_packs(&dir, &[]).await;
        app.open_folder(&photos).await.unwrap();
        common::until_indexed(&app, IMAGES as u32).await;
        let scores = simulate(&app, rule, &truth, 7, budget).await;
        let spent: usize = scores.values().map(HashMap::len).sum();
        let stats = app
            .call(GetRatingStats { raters: Vec::new() })
            .await
            .unwrap();
        assert_eq!(
            stats.scores as usize, spent,
            "{name}: the database holds what was given"
        );
        let rmse = error(&scores, &truth);
        println!(
            "{name}: {spent} ratings, {} images done, {} under, {} disputed, {} unsettled; \
             RMSE of the means {rmse:.3}",
            stats.team.done, stats.team.under, stats.team.disputed, stats.team.unsettled
        );
        runs.push((scores, stats, rmse));
        app.close().await;
    }
    let (flat, flat_stats, flat_rmse) = &runs[0];
    // Overlap 3: every image has exactly three different raters, and nothing more was spent.
    assert_eq!(flat.len(), IMAGES);
    assert!(flat.values().all(|by| by.len() == 3));
    assert_eq!(flat_stats.scores as usize, 3 * IMAGES);
    assert_eq!(
        (flat_stats.team.done, flat_stats.team.under),
        (IMAGES as u32, 0)
    );
    assert_eq!(flat_stats.team.wanted, 0);
    // The rule: every image scored, nearly all twice (a rater's queue is read when they
    // start and when it runs out, so in the last rounds a few are sent to a disputed image
    // while an image still wants its second), and no more ratings than the flat run.
    let (rule_scores, rule_stats, rule_rmse) = &runs[1];
    assert_eq!(rule_scores.len(), IMAGES);
    assert!(rule_stats.team.under <= 10, "{:?}", rule_stats.team);
    let spent: usize = rule_scores.values().map(HashMap::len).sum();
    assert!(spent <= 3 * IMAGES, "{spent}");
    let gain = 1.0 - rule_rmse / flat_rmse;
    println!(
        "the disagreement rule's error is {:.1} % lower",
        100.0 * gain
    );
    assert!(gain >= 0.10, "only {:.1} % lower", 100.0 * gain);
}
