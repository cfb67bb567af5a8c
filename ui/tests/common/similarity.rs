//! The stub's Similarity commands. Without a pack (the default) the embedding commands are
//! refused as the app refuses them; with [`set_similarity_pack`], pairs and look-alikes come
//! from the scoring queue's images in turn, likeness judgements and duplicate marks are kept in
//! logs that undo flags, and the first two images not marked are a near-duplicate group.

use super::{on, with, Handler, StubState};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::*;

/// What the stub keeps of the Similarity page.
#[derive(Default)]
pub(super) struct SimilarityStub {
    /// Whether a pack is active (embeddings exist).
    pub pack: bool,
    /// Where the next pair starts in the queue's images.
    pub cursor: usize,
    /// Every likeness judgement, with its undone flag.
    pub likeness: Vec<(RecordLikeness, bool)>,
    /// Every duplicate mark, with its undone flag.
    pub marks: Vec<(MarkDuplicates, bool)>,
}

fn no_pack() -> AppError {
    AppError::new(
        ErrorKind::Model,
        "Similarity needs a model pack's embeddings. No model pack is installed.",
    )
}

/// The queue's images less those marked as duplicates.
fn unmarked(s: &StubState) -> Vec<QueueItem> {
    let marked: Vec<&String> = s
        .similarity
        .marks
        .iter()
        .filter(|(_, undone)| !undone)
        .flat_map(|(m, _)| &m.duplicates)
        .collect();
    s.queue
        .as_ref()
        .map(|q| q.items.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !marked.contains(&&i.sha1))
        .collect()
}

/// The stand-in cosine of the pair starting at queue position `k`.
fn cosine(k: usize) -> f64 {
    0.5 + 0.1 * (k % 5) as f64
}

/// Starts a test afresh: no pack, no judgements.
pub fn reset_similarity() {
    with(|s| {
        s.similarity = SimilarityStub::default();
        s.undo_order.clear();
        s.predictor = None;
    });
}

/// Makes a pack active: the predictor reports one, and the embedding commands answer.
pub fn set_similarity_pack() {
    with(|s| {
        s.similarity.pack = true;
        s.predictor = Some(PredictorState {
            active: Some("stand-in".into()),
            problem: None,
            ..PredictorState::default()
        });
    });
}

/// The likeness judgements, as `<value>@<cosine>:<first letters of the pair>` with `~` after
/// an undone one, comma-separated.
pub fn likeness() -> String {
    with(|s| {
        s.similarity
            .likeness
            .iter()
            .map(|(r, undone)| {
                let letters: String = r.images.iter().filter_map(|i| i.chars().next()).collect();
                format!(
                    "{}@{:.1}:{letters}{}",
                    r.value,
                    r.cosine,
                    if *undone { "~" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The duplicate marks, as `<kept letter>><marked letters>` with `~` after an undone one.
pub fn marks() -> String {
    with(|s| {
        s.similarity
            .marks
            .iter()
            .map(|(m, undone)| {
                let marked: String = m
                    .duplicates
                    .iter()
                    .filter_map(|i| i.chars().next())
                    .collect();
                let kept = m.keep.chars().next().unwrap_or('?');
                format!("{kept}>{marked}{}", if *undone { "~" } else { "" })
            })
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// Undoes the newest likeness judgement or duplicate mark (`kind` says which log).
pub(super) fn undo(s: &mut StubState, kind: JudgementKind) -> Option<Judgement> {
    let (images, value, cosine) = match kind {
        JudgementKind::Similarity => {
            let (r, undone) = s.similarity.likeness.iter_mut().rev().find(|(_, u)| !u)?;
            *undone = true;
            let images = r
                .images
                .iter()
                .enumerate()
                .map(|(k, sha1)| (sha1.clone(), k, ImageRole::Shown))
                .collect::<Vec<_>>();
            (images, Some(f64::from(r.value)), Some(r.cosine))
        }
        _ => {
            let (m, undone) = s.similarity.marks.iter_mut().rev().find(|(_, u)| !u)?;
            *undone = true;
            let mut images = vec![(m.keep.clone(), 0, ImageRole::Kept)];
            images.extend(
                m.duplicates
                    .iter()
                    .enumerate()
                    .map(|(k, d)| (d.clone(), k + 1, ImageRole::Duplicate)),
            );
            (images, None, None)
        }
    };
    Some(Judgement {
        id: 1,
        kind,
        rater: "stub".into(),
        created: "2026-01-01T00:00:00.000Z".into(),
        images: images
            .into_iter()
            .map(|(sha1, position, role)| JudgedImage {
                sha1,
                position: position as u32,
                role,
            })
            .collect(),
        value,
        outcome: None,
        shown_prediction: None,
        shown_cosine: cosine,
        undone: true,
    })
}

/// The handlers.
pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        on(|r: FindSimilar, s| {
            if !s.similarity.pack {
                return Err(no_pack());
            }
            let all = s
                .queue
                .as_ref()
                .map(|q| q.items.clone())
                .unwrap_or_default();
            let query = all.iter().find(|i| i.sha1 == r.sha1).cloned();
            let results = all
                .iter()
                .filter(|i| i.sha1 != r.sha1)
                .enumerate()
                .map(|(k, i)| SimilarImage {
                    sha1: i.sha1.clone(),
                    name: i.name.clone(),
                    cosine: 0.95 - 0.1 * k as f64,
                })
                .collect();
            Ok(SimilarImages {
                query,
                file_name: None,
                model: "stand-in".into(),
                results,
                searched: all.len() as u32,
            })
        }),
        on(|_: FindSimilarToFile, _| Ok(None)),
        on(|r: GetSimilarPair, s| {
            if !s.similarity.pack {
                return Err(no_pack());
            }
            let all = unmarked(s);
            if all.len() < 2 {
                return Ok(None);
            }
            let k = s.similarity.cursor;
            s.similarity.cursor += 1;
            Ok(Some(SimilarityPair {
                images: vec![all[k % all.len()].clone(), all[(k + 1) % all.len()].clone()],
                cosine: cosine(k),
                kind: r.kind,
                model: "stand-in".into(),
            }))
        }),
        on(|r: RecordLikeness, s| {
            if !s.similarity.pack {
                return Err(no_pack());
            }
            s.similarity.likeness.push((r, false));
            s.undo_order.push(JudgementKind::Similarity);
            let count = s.similarity.likeness.iter().filter(|(_, u)| !u).count();
            Ok(LikenessSaved {
                id: s.similarity.likeness.len() as u32,
                count: count as u32,
            })
        }),
        on(|r: GetLikeness, s| {
            Ok(LikenessSummary {
                model: s.similarity.pack.then(|| "stand-in".into()),
                points: s
                    .similarity
                    .likeness
                    .iter()
                    .filter(|(_, u)| !u)
                    .map(|(l, _)| LikenessPoint {
                        value: l.value,
                        cosine: l.cosine,
                        mine: l.rater == r.rater,
                    })
                    .collect(),
                correlation: None,
            })
        }),
        on(|r: GetDuplicateGroups, s| {
            let all = unmarked(s);
            let groups: Vec<DuplicateGroup> = (all.len() >= 2)
                .then(|| DuplicateGroup {
                    images: all[..2]
                        .iter()
                        .map(|i| GroupImage {
                            sha1: i.sha1.clone(),
                            name: i.name.clone(),
                            width: Some(64),
                            height: Some(64),
                            bytes: 2048.0,
                        })
                        .collect(),
                    // The group holds every image not marked; the largest two are listed.
                    size: all.len() as u32,
                    closest: 0.97,
                })
                .into_iter()
                .collect();
            Ok(DuplicateGroups {
                method: r.method,
                total: groups.len() as u32,
                images: 2 * groups.len() as u32,
                groups,
                searched: all.len() as u32,
                library: all.len() as u32,
            })
        }),
        on(|r: MarkDuplicates, s| {
            s.similarity.marks.push((r, false));
            s.undo_order.push(JudgementKind::Duplicate);
            let marked = s
                .similarity
                .marks
                .iter()
                .filter(|(_, u)| !u)
                .map(|(m, _)| m.duplicates.len())
                .sum::<usize>();
            Ok(DuplicatesMarked {
                id: s.similarity.marks.len() as u32,
                marked: marked as u32,
            })
        }),
    ]
}
