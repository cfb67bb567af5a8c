//! The Similarity experiment's commands: find similar (to a library image or an outside
//! file), pairs and likeness judgements, near-duplicate groups and duplicate marks.

use super::predictor::no_pack;
mod cache;
mod nearest;
mod pair_file;

pub(crate) use cache::{threads, SimilarityCache};

use super::{App, Handler};
use crate::store::NewJudgement;
use cache::{IndexKey, Snapshot, MAX_DISTANCE, MIN_THRESHOLD};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::PairKind;
use image_scorer_protocol::{
    AppError, AppEvent, DuplicateGroup, DuplicateGroups, DuplicateMethod, DuplicatesMarked,
    DuplicatesProgress, ErrorKind, GroupImage, ImageRole, JudgementKind, LikenessPoint,
    LikenessSaved, LikenessSummary, QueueItem, SimilarImage, SimilarImages, SimilarityPair,
    GROUP_SHOWN,
};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// How many results a dropped file gets (the page shows this many).
pub const DROP_K: u32 = 24;
/// The most results a find-similar answers.
const MAX_K: u32 = 200;
/// How far from the cosine the app computes a shown cosine may be (rounding on the way).
const COSINE_SLACK: f64 = 1e-4;
/// A near pair is an image and one of this many nearest neighbours, drawn at random.
const NEAR: usize = 5;

impl Handler<FindSimilar> for App {
    async fn handle(&self, r: FindSimilar) -> Result<SimilarImages, AppError> {
        let snapshot = self.similarity_snapshot().await?;
        let Some(row) = snapshot.row(&r.sha1) else {
            let message = match self.0.store.shown_item(&r.sha1).await? {
                Some(item) => format!(
                    "“{}” has no embedding yet; the model is still working through the library.",
                    item.name
                ),
                None => "That image is no longer in the library.".to_owned(),
            };
            return Err(AppError::new(ErrorKind::NotFound, message));
        };
        let query = snapshot.index.vector(row);
        let results = nearest(&snapshot, &query, r.k, Some(row)).await?;
        Ok(SimilarImages {
            query: Some(QueueItem {
                sha1: r.sha1,
                name: snapshot.names[row].clone(),
            }),
            file_name: None,
            model: self.model_name(),
            results,
            searched: snapshot.index.len() as u32,
        })
    }
}

impl Handler<GetSimilarPair> for App {
    async fn handle(&self, r: GetSimilarPair) -> Result<Option<SimilarityPair>, AppError> {
        let snapshot = self.similarity_snapshot().await?;
        let marked = self.0.store.duplicates().await?;
        let excluded: HashSet<&str> = r.exclude.iter().map(String::as_str).collect();
        let usable: Vec<usize> = (0..snapshot.index.len())
            .filter(|&row| !marked.contains(snapshot.index.key(row)))
            .collect();
        if usable.len() < 2 {
            return Ok(None);
        }
        // The pair on screen is avoided while there are enough others.
        let fresh: Vec<usize> = usable
            .iter()
            .copied()
            .filter(|&row| !excluded.contains(snapshot.index.key(row)))
            .collect();
        let pool = if fresh.len() >= 2 { fresh } else { usable };
        let mut rng = fastrand::Rng::new();
        let a = pool[rng.usize(..pool.len())];
        let b = match r.kind {
            PairKind::Random => {
                let mut b = pool[rng.usize(..pool.len())];
                while b == a {
                    b = pool[rng.usize(..pool.len())];
                }
                b
            }
            PairKind::Near => {
                let allowed: HashSet<usize> = pool.iter().copied().collect();
                let query = snapshot.index.vector(a);
                let want = (NEAR + 1 + excluded.len() + marked.len()).min(snapshot.index.len());
                let snap = snapshot.clone();
                let neighbours = tokio::task::spawn_blocking(move || snap.top_k(&query, want))
                    .await
                    .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
                let near: Vec<usize> = neighbours
                    .into_iter()
                    .map(|n| n.row)
                    .filter(|row| *row != a && allowed.contains(row))
                    .take(NEAR)
                    .collect();
                match near.as_slice() {
                    [] => return Ok(None),
                    rows => rows[rng.usize(..rows.len())],
                }
            }
        };
        // Which one is on the left is drawn too.
        let (a, b) = if rng.bool() { (a, b) } else { (b, a) };
        let item = |row: usize| QueueItem {
            sha1: snapshot.index.key(row).to_owned(),
            name: snapshot.names[row].clone(),
        };
        Ok(Some(SimilarityPair {
            images: vec![item(a), item(b)],
            cosine: f64::from(snapshot.index.cosine(a, b)),
            kind: r.kind,
            model: self.model_name(),
        }))
    }
}

impl Handler<RecordLikeness> for App {
    async fn handle(&self, r: RecordLikeness) -> Result<LikenessSaved, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        if !(1..=5).contains(&r.value) {
            return Err(invalid(format!(
                "How alike two images are is 1 to 5, not {}.",
                r.value
            )));
        }
        let [a, b] = r.images.as_slice() else {
            return Err(invalid(
                "A similarity judgement is about exactly two images.".into(),
            ));
        };
        let gone = self.0.store.not_shown(&r.images).await?;
        if !gone.is_empty() {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "An image of the pair left the library (deleted, moved or unreadable): the \
                 judgement was not recorded.",
            ));
        }
        let snapshot = self.similarity_snapshot().await?;
        let (Some(ra), Some(rb)) = (snapshot.row(a), snapshot.row(b)) else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "An image of the pair has no embedding under the active pack: the judgement was \
                 not recorded.",
            ));
        };
        let cosine = f64::from(snapshot.index.cosine(ra, rb));
        if (cosine - r.cosine).abs() > COSINE_SLACK {
            return Err(invalid(
                "The model pack changed since the pair was shown (its cosine is another now): \
                 the judgement was not recorded. Judge the new pair."
                    .into(),
            ));
        }
        let judgement = NewJudgement {
            kind: JudgementKind::Similarity,
            rater_id: rater,
            images: vec![(a.clone(), ImageRole::Shown), (b.clone(), ImageRole::Shown)],
            value: Some(f64::from(r.value)),
            outcome: None,
            shown_prediction: None,
            shown_cosine: Some(cosine),
            model_id: Some(snapshot.key.model),
            shown_own: false,
        };
        let id = self.0.store.record(&judgement).await?;
        Ok(LikenessSaved {
            id: id as u32,
            count: self
                .0
                .store
                .judgement_count(rater, JudgementKind::Similarity)
                .await?,
        })
    }
}

impl Handler<GetLikeness> for App {
    async fn handle(&self, r: GetLikeness) -> Result<LikenessSummary, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        let Some(model) = self.0.predictor.model_id() else {
            return Ok(LikenessSummary::default());
        };
        let rows = self.0.store.likeness_points(model, rater).await?;
        let values: Vec<f64> = rows.iter().map(|(v, _, _)| *v).collect();
        let cosines: Vec<f64> = rows.iter().map(|(_, c, _)| *c).collect();
        Ok(LikenessSummary {
            model: Some(self.model_name()),
            correlation: crate::stats::spearman(&values, &cosines),
            points: rows
                .into_iter()
                .map(|(value, cosine, mine)| LikenessPoint {
                    value: value.round() as u32,
                    cosine,
                    mine,
                })
                .collect(),
        })
    }
}

impl Handler<GetDuplicateGroups> for App {
    async fn handle(&self, r: GetDuplicateGroups) -> Result<DuplicateGroups, AppError> {
        let (groups, searched) = match r.method {
            DuplicateMethod::Embedding { threshold } => {
                if !(MIN_THRESHOLD..=1.0).contains(&threshold) {
                    return Err(invalid(format!(
                        "The similarity threshold is {MIN_THRESHOLD} to 1, not {threshold}."
                    )));
                }
                let snapshot = self.similarity_snapshot().await?;
                let marked = self.0.store.duplicates().await?;
                let searched = (0..snapshot.index.len())
                    .filter(|&row| !marked.contains(snapshot.index.key(row)))
                    .count();
                let sink = self.0.sink.clone();
                let progress = Box::new(move |images, done: f64| {
                    sink.emit(AppEvent::DuplicatesSearch(DuplicatesProgress {
                        images,
                        done: done as f32,
                    }))
                });
                let groups = self
                    .0
                    .similarity
                    .embedding_groups(snapshot, threshold, &marked, progress)
                    .await?;
                (groups, searched)
            }
            DuplicateMethod::Hash { distance } => {
                if distance > MAX_DISTANCE {
                    return Err(invalid(format!(
                        "Perceptual hashes are near-duplicates within 0 to {MAX_DISTANCE} bits, \
                         not {distance}."
                    )));
                }
                let hashes = self.0.store.image_hashes().await?;
                let searched = hashes.len();
                let revision = self.0.indexer.revision();
                let groups = self
                    .0
                    .similarity
                    .hash_groups(revision, hashes, distance)
                    .await?;
                (groups, searched)
            }
        };
        let total = groups.len() as u32;
        let images = groups.iter().map(|g| g.members.len() as u32).sum();
        let mut listed = Vec::new();
        for group in groups.into_iter().take(r.limit.min(1000) as usize) {
            let members: Vec<&str> = group.members.iter().map(String::as_str).collect();
            let mut found = self.0.store.group_images(&members).await?;
            let mut images: Vec<GroupImage> = members
                .iter()
                .filter_map(|s| found.remove(*s))
                .map(Into::into)
                .collect();
            // The largest first: the one to keep, usually.
            images.sort_by_key(|i| {
                let pixels = u64::from(i.width.unwrap_or(0)) * u64::from(i.height.unwrap_or(0));
                (
                    std::cmp::Reverse(pixels),
                    std::cmp::Reverse(i.bytes as u64),
                    i.name.clone(),
                )
            });
            if images.len() >= 2 {
                let size = images.len() as u32;
                images.truncate(GROUP_SHOWN);
                listed.push(DuplicateGroup {
                    images,
                    size,
                    closest: group.closest,
                });
            }
        }
        Ok(DuplicateGroups {
            method: r.method,
            groups: listed,
            total,
            images,
            searched: searched as u32,
            library: self.0.store.queue_count().await?,
        })
    }
}

impl Handler<MarkDuplicates> for App {
    async fn handle(&self, r: MarkDuplicates) -> Result<DuplicatesMarked, AppError> {
        let rater = self.rater_id(&r.rater).await?;
        if r.duplicates.is_empty() || r.duplicates.len() > 100 {
            return Err(invalid(
                "Mark 1 to 100 images as duplicates of the one kept.".into(),
            ));
        }
        if r.duplicates.contains(&r.keep) {
            return Err(invalid(
                "The image kept cannot also be marked as its duplicate.".into(),
            ));
        }
        let mut all = vec![r.keep.clone()];
        all.extend(r.duplicates.iter().cloned());
        let gone = self.0.store.not_shown(&all).await?;
        if !gone.is_empty() {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!(
                    "{} of the images left the library (deleted, moved or unreadable): nothing \
                     was marked.",
                    gone.len()
                ),
            ));
        }
        let mut images = vec![(r.keep, ImageRole::Kept)];
        images.extend(r.duplicates.into_iter().map(|s| (s, ImageRole::Duplicate)));
        let judgement = NewJudgement {
            kind: JudgementKind::Duplicate,
            rater_id: rater,
            images,
            value: None,
            outcome: None,
            shown_prediction: None,
            shown_cosine: None,
            model_id: None,
            shown_own: false,
        };
        let id = self.0.store.record(&judgement).await?;
        // The queues, the counts and the rankings follow the library's revision.
        self.0.indexer.changed().await;
        Ok(DuplicatesMarked {
            id: id as u32,
            marked: self.0.store.duplicate_count().await?,
        })
    }
}

impl App {
    /// The `k` library images most like the image file at `path` (from the native dialog or a
    /// drop on the window, never from the webview), which is embedded with the active pack and
    /// not added to the library.
    pub async fn similar_to_file(&self, path: &Path, k: u32) -> Result<SimilarImages, AppError> {
        let snapshot = self.similarity_snapshot().await?;
        let (query, model) = self.0.predictor.embed_outside(path).await?;
        if model != snapshot.key.model {
            return Err(AppError::new(
                ErrorKind::Model,
                "The model pack changed while the file was read; try again.",
            ));
        }
        if query.len() != snapshot.index.dim() && !snapshot.index.is_empty() {
            return Err(AppError::new(
                ErrorKind::Model,
                "The model gave the file an embedding of another size than the library's.",
            ));
        }
        let results = nearest(&snapshot, &query, k, None).await?;
        Ok(SimilarImages {
            query: None,
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            model: self.model_name(),
            results,
            searched: snapshot.index.len() as u32,
        })
    }

    /// A file dropped on the window (the path from the window system's drop event): its
    /// [`App::similar_to_file`] is sent as [`AppEvent::SimilarToFile`], a failure as an error.
    pub async fn dropped_file(&self, path: &Path) {
        match self.similar_to_file(path, DROP_K).await {
            Ok(found) => self.0.sink.emit(AppEvent::SimilarToFile(found)),
            Err(e) => super::events::report(&*self.0.sink, e),
        }
    }

    /// The active pack's embeddings as they are now; refused without an active pack.
    pub(in crate::app) async fn similarity_snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        let Some(model) = self.0.predictor.model_id() else {
            return Err(no_pack(&self.0.predictor.state()));
        };
        let key = IndexKey {
            model,
            library: self.0.indexer.revision(),
            embedded: self.0.predictor.state().progress.done,
        };
        Ok(self.0.similarity.snapshot(&self.0.store, key).await?)
    }

    pub(super) fn model_name(&self) -> String {
        self.0.predictor.model_name().unwrap_or_default()
    }
}

/// The `k` rows nearest `query`, less `skip` (the query's own row).
async fn nearest(
    snapshot: &Arc<Snapshot>,
    query: &[f32],
    k: u32,
    skip: Option<usize>,
) -> Result<Vec<SimilarImage>, AppError> {
    let k = k.clamp(1, MAX_K) as usize;
    let snap = snapshot.clone();
    let query = query.to_vec();
    let found =
        tokio::task::spawn_blocking(move || snap.top_k(&query, k + usize::from(skip.is_some())))
            .await
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
    Ok(found
        .into_iter()
        .filter(|n| Some(n.row) != skip)
        .take(k)
        .map(|n| SimilarImage {
            sha1: snapshot.index.key(n.row).to_owned(),
            name: snapshot.names[n.row].clone(),
            cosine: f64::from(n.cosine),
        })
        .collect())
}

fn invalid(message: String) -> AppError {
    AppError::new(ErrorKind::InvalidInput, message)
}
