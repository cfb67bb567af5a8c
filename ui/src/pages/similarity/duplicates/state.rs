//! The near-duplicates view as a reducer: how groups are found (the method and its threshold),
//! the groups found, the one under review and the image kept in it, and the passing note.

use image_scorer_protocol::{
    DuplicateGroup, DuplicateGroups, DuplicateMethod, DuplicatesProgress, DEFAULT_DISTANCE,
    DEFAULT_THRESHOLD, MAX_DISTANCE, MIN_THRESHOLD,
};
use std::rc::Rc;
use yew::prelude::*;

/// One step of the cosine slider (and of `[` / `]`).
pub const STEP: f64 = 0.005;

/// The review of near-duplicate groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// Embeddings with a threshold, or the perceptual hash with a distance.
    pub method: DuplicateMethod,
    /// The groups at that threshold, once the app answered.
    pub groups: Option<DuplicateGroups>,
    /// The group under review (kept within the groups there are).
    at: usize,
    /// The position of the image to keep in it.
    keep: usize,
    /// A passing message.
    pub note: Option<String>,
    /// Bumped when the groups must be asked for again (a mark, an undo).
    pub reload: u32,
    /// How far the app is in computing the pairs of new images, while it is.
    pub searching: Option<DuplicatesProgress>,
}

/// A change to the [`Review`].
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewAction {
    /// Another method or threshold: the groups are asked for again.
    Method(DuplicateMethod),
    /// The groups the app found.
    Arrived(DuplicateGroups),
    /// Keep the image at this position (0 first).
    Keep(usize),
    /// The next group.
    Next,
    /// The group before.
    Previous,
    /// A mark or an undo is done (`note` says what): the groups are asked for again.
    Changed(Option<String>),
    /// Say something in passing.
    Note(String),
    /// The app is computing the pairs of new images, this far.
    Searching(DuplicatesProgress),
}

impl Review {
    /// The review with the method that works with what the library has: the embeddings' when
    /// the active pack has some, else the perceptual hash's.
    pub fn new(embeddings: bool) -> Self {
        Self {
            method: if embeddings {
                DuplicateMethod::Embedding {
                    threshold: DEFAULT_THRESHOLD,
                }
            } else {
                DuplicateMethod::Hash {
                    distance: DEFAULT_DISTANCE,
                }
            },
            groups: None,
            at: 0,
            keep: 0,
            note: None,
            reload: 0,
            searching: None,
        }
    }

    /// How many groups are listed.
    pub fn count(&self) -> usize {
        self.groups.as_ref().map_or(0, |g| g.groups.len())
    }

    /// The position of the group under review.
    pub fn at(&self) -> usize {
        self.at.min(self.count().saturating_sub(1))
    }

    /// The group under review.
    pub fn group(&self) -> Option<&DuplicateGroup> {
        self.groups.as_ref()?.groups.get(self.at())
    }

    /// The position of the image kept in it.
    pub fn kept(&self) -> usize {
        let images = self.group().map_or(1, |g| g.images.len());
        self.keep.min(images.saturating_sub(1))
    }

    /// The method after `[` (looser) or `]` (stricter), and after `h` (the other one).
    pub fn moved(&self, stricter: Option<bool>) -> DuplicateMethod {
        match (self.method, stricter) {
            (DuplicateMethod::Embedding { .. }, None) => DuplicateMethod::Hash {
                distance: DEFAULT_DISTANCE,
            },
            (DuplicateMethod::Hash { .. }, None) => DuplicateMethod::Embedding {
                threshold: DEFAULT_THRESHOLD,
            },
            (DuplicateMethod::Embedding { threshold }, Some(up)) => DuplicateMethod::Embedding {
                threshold: round(threshold + if up { STEP } else { -STEP })
                    .clamp(MIN_THRESHOLD, 1.0),
            },
            (DuplicateMethod::Hash { distance }, Some(up)) => DuplicateMethod::Hash {
                distance: if up {
                    distance.saturating_sub(1)
                } else {
                    (distance + 1).min(MAX_DISTANCE)
                },
            },
        }
    }
}

/// To the slider's step.
pub fn round(v: f64) -> f64 {
    (v / STEP).round() * STEP
}

impl Reducible for Review {
    type Action = ReviewAction;

    fn reduce(self: Rc<Self>, action: ReviewAction) -> Rc<Self> {
        let mut r = (*self).clone();
        match action {
            ReviewAction::Method(method) => {
                r.method = method;
                r.keep = 0;
            }
            ReviewAction::Arrived(groups) => {
                r.groups = Some(groups);
                r.searching = None;
            }
            ReviewAction::Searching(p) => r.searching = (p.done < 1.0).then_some(p),
            ReviewAction::Keep(k) => {
                if r.group().is_some_and(|g| k < g.images.len()) {
                    r.keep = k;
                }
            }
            ReviewAction::Next => {
                r.keep = 0;
                r.at = (r.at() + 1).min(r.count().saturating_sub(1));
            }
            ReviewAction::Previous => {
                r.keep = 0;
                r.at = r.at().saturating_sub(1);
            }
            ReviewAction::Changed(note) => {
                if note.is_some() {
                    r.note = note;
                }
                r.keep = 0;
                r.reload = r.reload.wrapping_add(1);
            }
            ReviewAction::Note(note) => r.note = Some(note),
        }
        Rc::new(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image_scorer_protocol::GroupImage;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn groups(sizes: &[usize]) -> DuplicateGroups {
        DuplicateGroups {
            method: DuplicateMethod::Hash { distance: 4 },
            groups: sizes
                .iter()
                .map(|n| DuplicateGroup {
                    images: (0..*n)
                        .map(|k| GroupImage {
                            sha1: k.to_string(),
                            name: format!("{k}.png"),
                            width: None,
                            height: None,
                            bytes: 0.0,
                        })
                        .collect(),
                    size: *n as u32,
                    closest: 1.0,
                })
                .collect(),
            total: sizes.len() as u32,
            images: sizes.iter().sum::<usize>() as u32,
            searched: 10,
            library: 10,
        }
    }

    fn reduce(r: Review, action: ReviewAction) -> Review {
        (*Rc::new(r).reduce(action)).clone()
    }

    #[test]
    fn moving_between_groups_keeps_the_largest_and_stays_in_bounds() {
        let mut r = reduce(Review::new(false), ReviewAction::Arrived(groups(&[3, 2])));
        r = reduce(r, ReviewAction::Keep(2));
        assert_eq!(r.kept(), 2);
        r = reduce(r, ReviewAction::Keep(5));
        assert_eq!(r.kept(), 2, "no image 6 in a group of 3");
        r = reduce(r, ReviewAction::Next);
        assert_eq!((r.at(), r.kept()), (1, 0));
        r = reduce(r, ReviewAction::Next);
        assert_eq!(r.at(), 1, "no group after the last");
        // Fewer groups after a mark: the position stays within them.
        r = reduce(r, ReviewAction::Arrived(groups(&[4])));
        assert_eq!(r.at(), 0);
        r = reduce(r, ReviewAction::Changed(Some("marked".into())));
        assert_eq!((r.reload, r.note.as_deref()), (1, Some("marked")));
    }

    #[test]
    fn the_search_shows_its_progress_until_the_groups_arrive() {
        let p = |done| DuplicatesProgress { images: 5000, done };
        let mut r = reduce(Review::new(true), ReviewAction::Searching(p(0.25)));
        assert_eq!(r.searching, Some(p(0.25)));
        r = reduce(r, ReviewAction::Searching(p(1.0)));
        assert_eq!(r.searching, None, "done: nothing to wait for");
        r = reduce(r, ReviewAction::Searching(p(0.5)));
        r = reduce(r, ReviewAction::Arrived(groups(&[2])));
        assert_eq!((r.searching, r.count()), (None, 1));
    }

    #[test]
    fn the_slider_keys_move_by_a_step_within_bounds() {
        let mut r = Review::new(true);
        let start = DEFAULT_THRESHOLD;
        let moved = r.moved(Some(true));
        r = reduce(r, ReviewAction::Method(moved));
        assert_eq!(
            r.method,
            DuplicateMethod::Embedding {
                threshold: round(start + STEP)
            }
        );
        let moved = r.moved(None);
        r = reduce(r, ReviewAction::Method(moved));
        assert_eq!(
            r.method,
            DuplicateMethod::Hash {
                distance: DEFAULT_DISTANCE
            }
        );
        let mut hash = r;
        for _ in 0..100 {
            let moved = hash.moved(Some(false));
            hash = reduce(hash, ReviewAction::Method(moved));
        }
        assert_eq!(
            hash.method,
            DuplicateMethod::Hash {
                distance: MAX_DISTANCE
            }
        );
    }
}
