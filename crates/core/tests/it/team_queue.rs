//! Team queues: the reservations on both backends (many raters claiming at once never take
//! more places than an image has, a lease past its time frees its place, a rater never gets
//! an image they scored). The simulated team is in `team_simulation.rs`.

use crate::common;

use common::queue_rule as rule;

use common::Backend;
use image_scorer_core::store::{ClaimOutcome, NewJudgement};
use image_scorer_core::Store;
use image_scorer_protocol::JudgementKind;

both_backends!(
    concurrent_claims_never_overfill_an_image,
    leases_expire_and_scores_count
);

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
    let two = common::queue_rule(2, None, 2);
    assert_eq!(
        store.claim(ben, &ids, 1, &two, late).await.unwrap(),
        [ClaimOutcome::Held]
    );
    assert_eq!(
        store.claim(ana, &ids, 1, &two, late).await.unwrap(),
        [ClaimOutcome::Covered]
    );
}
