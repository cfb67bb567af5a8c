//! The stub's Preference commands: sets from the scoring queue's images in turn, comparisons
//! kept in a log that undo flags, and a ranking by wins.

use super::{on, with, Handler, StubState};
use image_scorer_protocol::commands::*;
use image_scorer_protocol::*;

/// What the stub keeps of the Preference page.
#[derive(Default)]
pub(super) struct PreferenceStub {
    pub settings: PreferenceSettings,
    /// Every comparison recorded, with its undone flag.
    pub log: Vec<(RecordComparison, bool)>,
    /// Where the next set starts in the queue's images.
    pub cursor: usize,
    /// Images that left the library: a comparison naming one is refused.
    pub gone: std::collections::HashSet<String>,
}

fn items(s: &StubState) -> Vec<QueueItem> {
    s.queue
        .as_ref()
        .map(|q| q.items.clone())
        .unwrap_or_default()
}

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        on(|_: GetPreference, s| Ok(s.preference.settings)),
        on(|r: SetPreference, s| {
            s.preference.settings = r.settings;
            Ok(r.settings)
        }),
        on(|r: NextSet, s| {
            // The images in queue order from where the last set ended, without those excluded.
            let all = items(s);
            let size = r.size as usize;
            let mut images = Vec::new();
            for k in 0..all.len() {
                let item = &all[(s.preference.cursor + k) % all.len()];
                if !r.exclude.contains(&item.sha1) && images.len() < size {
                    images.push(item.clone());
                    if images.len() == size {
                        s.preference.cursor = (s.preference.cursor + k + 1) % all.len();
                    }
                }
            }
            Ok((images.len() == size).then_some(ComparisonSet { images }))
        }),
        on(|r: RecordComparison, s| {
            if r.images.iter().any(|i| s.preference.gone.contains(i)) {
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    "1 of the images shown left the library (deleted, moved or unreadable): the comparison was not recorded.",
                ));
            }
            s.preference.log.push((r, false));
            s.undo_order.push(JudgementKind::Comparison);
            let n = s
                .preference
                .log
                .iter()
                .filter(|(_, undone)| !undone)
                .count();
            Ok(ComparisonSaved {
                id: s.preference.log.len() as u32,
                comparisons: n as u32,
            })
        }),
        on(|r: GetRanking, s| {
            let wins = |sha1: &str| {
                s.preference
                    .log
                    .iter()
                    .filter(|(c, undone)| {
                        !undone && c.winner.is_some_and(|w| c.images[w as usize] == sha1)
                    })
                    .count()
            };
            let mut all = items(s);
            all.sort_by_key(|i| std::cmp::Reverse(wins(&i.sha1)));
            let entries: Vec<RankedImage> = all
                .iter()
                .enumerate()
                .take(r.limit as usize)
                .map(|(k, i)| RankedImage {
                    rank: k as u32 + 1,
                    sha1: i.sha1.clone(),
                    name: i.name.clone(),
                    strength: wins(&i.sha1) as f64,
                    se: 0.5,
                    comparisons: 0,
                    scores: 0,
                    shown: true,
                })
                .collect();
            Ok(RankingPage {
                rater: r.rater,
                total: all.len() as u32,
                comparisons: s.preference.log.iter().filter(|(_, u)| !u).count() as u32,
                scores: 0,
                predicted_prior: false,
                entries,
            })
        }),
    ]
}

/// The comparisons recorded and not undone, as `ab:2` (the images' first letters, the winner's
/// position from 1), `ab:tie` or `abcd:none`, comma-separated.
pub fn comparisons() -> String {
    with(|s| {
        s.preference
            .log
            .iter()
            .filter(|(_, undone)| !undone)
            .map(|(c, _)| {
                let letters: String = c.images.iter().map(|i| &i[..1]).collect();
                let outcome = match (c.outcome, c.winner) {
                    (ComparisonOutcome::Pick, Some(w)) => (w + 1).to_string(),
                    (ComparisonOutcome::Tie, _) => "tie".into(),
                    _ => "none".into(),
                };
                format!("{letters}:{outcome}")
            })
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// Starts the Preference stub afresh: best of 2, active, no comparisons.
pub fn reset_preference() {
    with(|s| s.preference = PreferenceStub::default());
}

/// The image `sha1` left the library: comparisons naming it are refused.
pub fn remove_from_library(sha1: &str) {
    with(|s| s.preference.gone.insert(sha1.to_owned()));
}

/// Undoes the newest comparison not undone yet.
pub(super) fn undo(s: &mut StubState) -> Result<Option<Undone>, AppError> {
    let Some((c, undone)) = s.preference.log.iter_mut().rev().find(|(_, u)| !u) else {
        return Ok(None);
    };
    *undone = true;
    let images = c
        .images
        .iter()
        .enumerate()
        .map(|(k, sha1)| JudgedImage {
            sha1: sha1.clone(),
            position: k as u32,
            role: if c.winner == Some(k as u32) {
                ImageRole::Winner
            } else {
                ImageRole::Shown
            },
        })
        .collect();
    Ok(Some(Undone {
        judgement: Judgement {
            id: 1,
            kind: JudgementKind::Comparison,
            rater: c.rater.clone(),
            created: "2026-01-01T00:00:00.000Z".into(),
            images,
            value: None,
            outcome: Some(c.outcome),
            shown_prediction: None,
            shown_cosine: None,
            undone: true,
        },
        score: None,
    }))
}
