//! The scoring session as a reducer: the queue, the position in it, the image on screen's
//! scores, and what moves them (a judgement, its saving, back and skip, undo, library changes).
//! The page holds a window of the queue, topped up as it goes ([`SessionAction::Merge`]): a
//! million-image library's queue never crosses to it whole.

use image_scorer_protocol::{Claimed, QueueItem, ScoreQueue, ScoreState};
use std::collections::HashSet;
use std::rc::Rc;
use yew::prelude::*;

/// The scoring session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    /// The images, in order: those the page has read of the queue.
    pub items: Vec<QueueItem>,
    /// How many images of the queue the page has not read yet (they come as it tops up).
    pub rest: u32,
    /// How many images the team wants from this rater in the whole queue.
    pub team_wanted: u32,
    /// The images judged in this session (a reorder keeps them where they are).
    pub judged: HashSet<String>,
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
    /// The images the team still wants from this rater (the queue's first `needed`): each is
    /// reserved as the page comes to it ([`SessionAction::Claimed`]).
    pub wanted: HashSet<String>,
    /// The images reserved for this rater now.
    pub held: HashSet<String>,
    /// Reservations to give back (skipped images): sent, then cleared by
    /// [`SessionAction::Released`].
    pub releases: Vec<String>,
}

/// A change to the [`Session`].
#[derive(Debug, Clone, PartialEq)]
pub enum SessionAction {
    /// A fresh queue's first window (start over at its first image).
    Queue(ScoreQueue),
    /// A window of the queue leaving out the images the page holds, after the library changed
    /// or as the page nears the end of what it holds: those images join at the end (the team's
    /// wanted ones ahead of the others), and the held ones the queue no longer lists go.
    Merge(ScoreQueue),
    /// A window of the queue in the app's current order, leaving out the images seen: the
    /// images not reached yet take that order (on Rate, images predicted since the queue was
    /// loaded move ahead); those judged in this session stay next. Images seen stay where they
    /// are.
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
    /// What a claim of the images ahead got: the covered ones (others have them in hand or
    /// done) move to the end, as extra.
    Claimed(Claimed),
    /// The reservations in `releases` were given back.
    Released,
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            SessionAction::Queue(q) => {
                s.wanted = wanted_of(&q);
                s.held.retain(|h| s.wanted.contains(h));
                s.team_wanted = q.wanted;
                s.rest = q.rest;
                s.items = q.items;
                s.pos = 0;
                s.progress = (q.rated, q.total);
                s.loaded = true;
                // The scores on hand stay: they are only shown for their own image, and the
                // image on screen may be the same one (a merge can arrive before the queue).
            }
            SessionAction::Reorder(q) => s.reorder(q),
            SessionAction::Merge(q) => s.merge(q),
            SessionAction::State(state) => {
                s.progress = (state.rated, state.total);
                s.state = Some(state);
            }
            SessionAction::Judged(sha1) => {
                if s.wanted.remove(&sha1) {
                    s.team_wanted = s.team_wanted.saturating_sub(1);
                }
                s.held.remove(&sha1);
                s.judged.insert(sha1.clone());
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
                // Skipped: the reservation goes back to the team at once.
                if pos > s.pos {
                    if let Some(item) = s.items.get(s.pos) {
                        if s.held.remove(&item.sha1) {
                            s.releases.push(item.sha1.clone());
                        }
                    }
                }
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
                if s.held.remove(&sha1) {
                    s.releases.push(sha1.clone());
                }
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
            SessionAction::Claimed(c) => s.claimed(c),
            SessionAction::Released => s.releases.clear(),
            SessionAction::Zoom(z) => s.zoom = z,
            SessionAction::Help(h) => s.help = h,
        }
        Rc::new(s)
    }
}

impl Session {
    /// [`SessionAction::Reorder`].
    fn reorder(&mut self, q: ScoreQueue) {
        let seen = (self.pos + 1).min(self.items.len());
        let ahead = self.items.split_off(seen);
        // Images ahead judged in this session (met again after going back) stay next, so
        // going forward again finds them.
        let kept: Vec<QueueItem> = ahead
            .into_iter()
            .filter(|i| self.judged.contains(&i.sha1))
            .collect();
        let known: HashSet<String> = self
            .items
            .iter()
            .chain(&kept)
            .map(|i| i.sha1.clone())
            .collect();
        self.wanted.extend(wanted_of(&q));
        self.items.extend(kept);
        self.items
            .extend(q.items.into_iter().filter(|i| !known.contains(&i.sha1)));
        self.team_wanted = q.wanted;
        self.rest = q.rest;
        self.progress = (q.rated, q.total);
        self.loaded = true;
    }

    /// [`SessionAction::Merge`].
    fn merge(&mut self, q: ScoreQueue) {
        let absent: HashSet<&str> = q.absent.iter().map(String::as_str).collect();
        // Images that left the queue go (unless on screen); the window's join at the end.
        let current = self.items.get(self.pos).map(|i| i.sha1.clone());
        let before = self.items[..self.pos.min(self.items.len())]
            .iter()
            .filter(|i| absent.contains(i.sha1.as_str()))
            .count();
        self.items
            .retain(|i| !absent.contains(i.sha1.as_str()) || Some(&i.sha1) == current.as_ref());
        self.pos -= before.min(self.pos);
        for gone in &q.absent {
            self.wanted.remove(gone);
        }
        self.wanted.extend(wanted_of(&q));
        let known: HashSet<String> = self.items.iter().map(|i| i.sha1.clone()).collect();
        self.items
            .extend(q.items.into_iter().filter(|i| !known.contains(&i.sha1)));
        // The images ahead that the team wants from the rater come first, each part in the
        // order it came in.
        let next = (self.pos + 1).min(self.items.len());
        let wanted = &self.wanted;
        self.items[next..].sort_by_key(|i| !wanted.contains(&i.sha1));
        self.team_wanted = q.wanted;
        self.rest = q.rest;
        self.progress = (q.rated, q.total);
        self.loaded = true;
    }

    /// [`SessionAction::Claimed`].
    fn claimed(&mut self, c: Claimed) {
        self.held.extend(c.held);
        let covered: HashSet<String> = c.covered.into_iter().collect();
        for sha1 in &covered {
            self.wanted.remove(sha1);
        }
        // What lies ahead and has its raters now goes to the end, behind the images still
        // wanted: the rater may still score it, as extra. The image on screen moves only if
        // the rater had not got it yet (another took its last place meanwhile).
        let current = self.items.get(self.pos).cloned();
        let taken = current
            .as_ref()
            .filter(|i| covered.contains(&i.sha1) && !self.held.contains(&i.sha1));
        if let Some(item) = taken {
            self.note = Some(format!(
                "Another rater took the last place of “{}”: it comes again at the end, as extra.",
                item.name
            ));
            self.state = None;
        }
        let ahead = self.items.split_off(self.pos.min(self.items.len()));
        let (mut moved, mut kept) = (Vec::new(), Vec::new());
        for (k, item) in ahead.into_iter().enumerate() {
            let stays = k == 0 && taken.is_none();
            if covered.contains(&item.sha1) && !stays {
                moved.push(item);
            } else {
                kept.push(item);
            }
        }
        self.items.extend(kept);
        self.items.extend(moved);
    }
}

/// The images the team wants from the rater: the queue's first `needed`.
fn wanted_of(q: &ScoreQueue) -> HashSet<String> {
    q.items
        .iter()
        .take(q.needed as usize)
        .map(|i| i.sha1.clone())
        .collect()
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
            needed: 0,
            ..ScoreQueue::default()
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
        s = reduce(s, SessionAction::Judged(sha('a')));
        // a was scored; the app now lists d and e (predicted meanwhile) first (the window
        // leaves out a and b, which the page has seen).
        s = reduce(s, SessionAction::Reorder(queue("dec")));
        assert_eq!(names(&s), "abdec");
        assert_eq!(s.pos, 1, "b stays on screen");
        // b scored, then back to a: b, judged, stays next; the rest takes the new order.
        s = reduce(s, SessionAction::Judged(sha('b')));
        s = reduce(s, SessionAction::Go(0));
        s = reduce(s, SessionAction::Reorder(queue("ecd")));
        assert_eq!(names(&s), "abecd");
    }

    #[test]
    fn a_window_topped_up_adds_what_is_new_and_drops_what_left() {
        let mut first = queue("abc");
        first.rest = 3;
        let mut s = reduce(Session::default(), SessionAction::Queue(first));
        s = reduce(s, SessionAction::Judged(sha('a')));
        s = reduce(s, SessionAction::Judged(sha('b')));
        assert_eq!((s.pos, s.rest), (2, 3));
        // The next window: a and b were scored (absent from a queue of unrated images), the
        // team wants f from this rater, d and e join after it.
        let mut more = queue("fde");
        more.needed = 1;
        more.wanted = 1;
        more.absent = vec![sha('a'), sha('b')];
        s = reduce(s, SessionAction::Merge(more));
        assert_eq!(names(&s), "cfde");
        assert_eq!(
            (s.pos, s.rest, s.team_wanted),
            (0, 0, 1),
            "c stays on screen"
        );
        assert!(s.wanted.contains(&sha('f')));
        // Images deleted ahead go; the one on screen stays.
        let mut gone = queue("");
        gone.absent = vec![sha('c'), sha('d')];
        s = reduce(s, SessionAction::Merge(gone));
        assert_eq!(names(&s), "cfe");
    }

    fn sha(c: char) -> String {
        item(c).sha1
    }

    #[test]
    fn covered_images_wait_at_the_end_and_a_skip_gives_its_reservation_back() {
        let queue = ScoreQueue {
            items: "abcde".chars().map(item).collect(),
            rated: 0,
            total: 5,
            needed: 3,
            ..ScoreQueue::default()
        };
        let mut s = reduce(Session::default(), SessionAction::Queue(queue));
        assert_eq!(s.wanted.len(), 3);
        // a and c are reserved; b went to another rater.
        s = reduce(
            s,
            SessionAction::Claimed(Claimed {
                held: vec![sha('a'), sha('c')],
                covered: vec![sha('b')],
            }),
        );
        assert_eq!(names(&s), "acdeb", "b waits at the end, as extra");
        assert_eq!(s.pos, 0);
        // Skipping a gives it back; judging c does not (the score takes its place).
        s = reduce(s, SessionAction::Go(1));
        assert_eq!(s.releases, vec![sha('a')]);
        s = reduce(s, SessionAction::Released);
        s = reduce(s, SessionAction::Judged(sha('c')));
        assert!(s.releases.is_empty() && s.held.is_empty());
        // The image on screen, not reserved yet, taken by another: moved on, saying so.
        let mut t = reduce(
            Session::default(),
            SessionAction::Queue(ScoreQueue {
                items: "xy".chars().map(item).collect(),
                rated: 0,
                total: 2,
                needed: 2,
                ..ScoreQueue::default()
            }),
        );
        t = reduce(
            t,
            SessionAction::Claimed(Claimed {
                held: vec![sha('y')],
                covered: vec![sha('x')],
            }),
        );
        assert_eq!(names(&t), "yx");
        assert!(t.note.unwrap().contains("x.png"));
    }
}
