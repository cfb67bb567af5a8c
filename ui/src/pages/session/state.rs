//! The scoring session as a reducer: the queue, the position in it, the image on screen's
//! scores, and what moves them (a judgement, its saving, back and skip, undo, library changes).

use image_scorer_protocol::{QueueItem, ScoreQueue, ScoreState};
use std::rc::Rc;
use yew::prelude::*;

/// The scoring session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    /// The images, in order.
    pub items: Vec<QueueItem>,
    /// The index of the image on screen (`items.len()` when done).
    pub pos: usize,
    /// Scores of the image on screen, and the rater's progress.
    pub state: Option<ScoreState>,
    /// `(rated, total)` for the rater.
    pub progress: (u32, u32),
    /// A passing message (an image that could not load, an undo).
    pub note: Option<String>,
    /// Whether the first queue arrived.
    pub loaded: bool,
    /// Whether the image is zoomed.
    pub zoom: bool,
    /// Whether the key help is shown.
    pub help: bool,
}

/// A change to the [`Session`].
#[derive(Debug, Clone, PartialEq)]
pub enum SessionAction {
    /// A fresh queue (start over at its first image).
    Queue(ScoreQueue),
    /// The queue again, after the library changed: new images join at the end.
    Merge(ScoreQueue),
    /// The queue again, in the app's current order: the images not reached yet take that order
    /// (on Rate, images predicted since the queue was loaded move ahead). Images already seen
    /// stay where they are.
    Reorder(ScoreQueue),
    /// The image on screen's scores.
    State(ScoreState),
    /// The image with this SHA-1 was judged: show the next one (the judgement is saved in the
    /// background, [`in_order`](crate::api::in_order)). Nothing moves if the image on screen
    /// is another one by now.
    Judged(String),
    /// A judgement was saved: the rater's progress, and the image's scores.
    Saved(ScoreState),
    /// A judgement of the image with this SHA-1 could not be saved (`what` it was): the image
    /// comes back on screen, saying so.
    NotSaved { sha1: String, what: String },
    /// Move to another position.
    Go(usize),
    /// A score was undone: show that image again.
    Undone(ScoreState),
    /// Say something in passing (e.g. what an undo took back).
    Note(String),
    /// The image with this SHA-1 could not be shown: drop it (once, wherever it is).
    Failed(String),
    /// Toggle the zoom.
    Zoom(bool),
    /// Toggle the key help.
    Help(bool),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            SessionAction::Queue(q) => {
                s.items = q.items;
                s.pos = 0;
                s.progress = (q.rated, q.total);
                s.loaded = true;
                // The scores on hand stay: they are only shown for their own image, and the
                // image on screen may be the same one (a merge can arrive before the queue).
            }
            SessionAction::Reorder(q) => {
                let seen = (s.pos + 1).min(s.items.len());
                let kept: std::collections::HashSet<String> =
                    s.items[..seen].iter().map(|i| i.sha1.clone()).collect();
                let queued: std::collections::HashSet<&str> =
                    q.items.iter().map(|i| i.sha1.as_str()).collect();
                let ahead = s.items.split_off(seen);
                // Images ahead that the queue no longer lists (scored ones after going back)
                // stay next, so going forward again finds them.
                s.items.extend(
                    ahead
                        .into_iter()
                        .filter(|i| !queued.contains(i.sha1.as_str())),
                );
                s.items
                    .extend(q.items.into_iter().filter(|i| !kept.contains(&i.sha1)));
                s.progress = (q.rated, q.total);
                s.loaded = true;
            }
            SessionAction::Merge(q) => {
                let known: std::collections::HashSet<String> =
                    s.items.iter().map(|i| i.sha1.clone()).collect();
                let present: std::collections::HashSet<&str> =
                    q.items.iter().map(|i| i.sha1.as_str()).collect();
                // Images that left the library go (unless on screen); new ones join at the end.
                let current = s.items.get(s.pos).map(|i| i.sha1.clone());
                let before = s.items[..s.pos.min(s.items.len())]
                    .iter()
                    .filter(|i| !present.contains(i.sha1.as_str()))
                    .count();
                s.items.retain(|i| {
                    present.contains(i.sha1.as_str()) || Some(&i.sha1) == current.as_ref()
                });
                s.pos -= before.min(s.pos);
                s.items
                    .extend(q.items.into_iter().filter(|i| !known.contains(&i.sha1)));
                s.progress = (q.rated, q.total);
                s.loaded = true;
            }
            SessionAction::State(state) => {
                s.progress = (state.rated, state.total);
                s.state = Some(state);
            }
            SessionAction::Judged(sha1) => {
                if s.items.get(s.pos).is_some_and(|i| i.sha1 == sha1) {
                    s.pos += 1;
                    s.state = None;
                    s.note = None;
                }
            }
            SessionAction::Saved(state) => {
                s.progress = (state.rated, state.total);
                if s.items.get(s.pos).is_some_and(|i| i.sha1 == state.sha1) {
                    s.state = Some(state);
                }
            }
            SessionAction::NotSaved { sha1, what } => {
                if let Some(p) = s.items.iter().position(|i| i.sha1 == sha1) {
                    if p != s.pos {
                        s.pos = p;
                        s.state = None;
                    }
                    s.note = Some(format!(
                        "{what} for “{}” was not saved (see the message above): it is back on screen to try again.",
                        s.items[p].name
                    ));
                }
            }
            SessionAction::Go(pos) => {
                if pos != s.pos {
                    s.pos = pos.min(s.items.len());
                    s.state = None;
                    s.note = None;
                }
            }
            SessionAction::Undone(state) => {
                s.progress = (state.rated, state.total);
                match s.items.iter().position(|i| i.sha1 == state.sha1) {
                    Some(p) => s.pos = p,
                    None => {
                        let item = QueueItem {
                            sha1: state.sha1.clone(),
                            name: String::new(),
                        };
                        s.items.insert(s.pos.min(s.items.len()), item);
                    }
                }
                let name = s.items[s.pos].name.clone();
                s.note = Some(format!(
                    "Undid the last score ({name}); score it again or move on."
                ));
                s.state = Some(state);
            }
            SessionAction::Note(note) => s.note = Some(note),
            SessionAction::Failed(sha1) => {
                if let Some(pos) = s.items.iter().position(|i| i.sha1 == sha1) {
                    let item = s.items.remove(pos);
                    s.note = Some(format!(
                        "“{}” could not be displayed: skipped, and listed with the unreadable files.",
                        item.name
                    ));
                    if pos < s.pos {
                        s.pos -= 1;
                    }
                    s.state = None;
                }
            }
            SessionAction::Zoom(z) => s.zoom = z,
            SessionAction::Help(h) => s.help = h,
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn item(c: char) -> QueueItem {
        QueueItem {
            sha1: c.to_string().repeat(40),
            name: format!("{c}.png"),
        }
    }

    fn queue(names: &str) -> ScoreQueue {
        ScoreQueue {
            items: names.chars().map(item).collect(),
            rated: 0,
            total: names.len() as u32,
        }
    }

    fn names(s: &Session) -> String {
        s.items
            .iter()
            .map(|i| i.name.chars().next().unwrap())
            .collect()
    }

    fn reduce(s: Session, action: SessionAction) -> Session {
        (*Rc::new(s).reduce(action)).clone()
    }

    fn state(c: char, rated: u32) -> ScoreState {
        ScoreState {
            sha1: c.to_string().repeat(40),
            mine: Some(7.0),
            mean: Some(7.0),
            raters: 1,
            rated,
            total: 3,
            ..ScoreState::default()
        }
    }

    #[test]
    fn a_judgement_moves_on_at_once_and_its_saving_only_updates_the_counts() {
        let mut s = reduce(Session::default(), SessionAction::Queue(queue("abc")));
        s = reduce(s, SessionAction::Judged(item('a').sha1));
        assert_eq!(s.pos, 1);
        // A second press handled before the page showed b judges a again: nothing moves.
        s = reduce(s, SessionAction::Judged(item('a').sha1));
        assert_eq!(s.pos, 1);
        s = reduce(s, SessionAction::Saved(state('a', 1)));
        assert_eq!((s.pos, s.progress), (1, (1, 3)));
        assert!(s.state.is_none(), "a's scores are not b's");
        // Back on a, its saved scores show.
        s = reduce(s, SessionAction::Go(0));
        s = reduce(s, SessionAction::Saved(state('a', 1)));
        assert_eq!(
            s.state.as_ref().map(|st| st.sha1.clone()),
            Some(item('a').sha1)
        );
    }

    #[test]
    fn a_judgement_not_saved_brings_its_image_back_with_a_note() {
        let mut s = reduce(Session::default(), SessionAction::Queue(queue("abc")));
        s = reduce(s, SessionAction::Judged(item('a').sha1));
        s = reduce(s, SessionAction::Judged(item('b').sha1));
        assert_eq!(s.pos, 2);
        s = reduce(
            s,
            SessionAction::NotSaved {
                sha1: item('a').sha1,
                what: "Score 7".into(),
            },
        );
        assert_eq!(s.pos, 0);
        let note = s.note.clone().unwrap();
        assert!(note.contains("Score 7") && note.contains("a.png"), "{note}");
    }

    #[test]
    fn reordering_moves_only_the_images_ahead() {
        let mut s = reduce(Session::default(), SessionAction::Queue(queue("abcde")));
        s = reduce(s, SessionAction::Go(1));
        // a was scored; the app now lists d and e (predicted meanwhile) first.
        s = reduce(s, SessionAction::Reorder(queue("debc")));
        assert_eq!(names(&s), "abdec");
        assert_eq!(s.pos, 1, "b stays on screen");
        // After going back to a scored image, what was ahead stays reachable.
        s = reduce(s, SessionAction::Go(0));
        s = reduce(s, SessionAction::Reorder(queue("ecd")));
        assert_eq!(names(&s), "abecd");
    }
}
