//! The Preference page's state: the set on screen, the one loaded ahead, the sets judged (for
//! undo), and what is open.

use image_scorer_protocol::{PreferenceSettings, QueueItem};
use std::rc::Rc;
use yew::prelude::*;
/// How many judged sets the page remembers (to show a set again on undo, with its names).
const HISTORY: usize = 100;

/// The page's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pref {
    /// Best of 2 or 4, active or random; `None` until the app told.
    pub settings: Option<PreferenceSettings>,
    /// Bumped when the settings change: sets asked for before are not shown.
    pub generation: u32,
    /// The set on screen.
    pub current: Option<Vec<QueueItem>>,
    /// The set after it, loaded ahead.
    pub next: Option<Vec<QueueItem>>,
    /// The library has fewer images than a set needs.
    pub too_few: bool,
    /// The sets judged, newest last.
    pub history: Vec<Vec<QueueItem>>,
    /// How many comparisons the rater made, once one was saved.
    pub comparisons: Option<u32>,
    /// Bumped at every comparison saved or undone (the ranking view reloads).
    pub saved: u32,
    /// The position of the zoomed image.
    pub zoom: Option<usize>,
    /// Whether the key help is shown.
    pub help: bool,
    /// Whether the ranking is shown.
    pub ranking: bool,
    /// A passing message.
    pub note: Option<String>,
}

/// A change to [`Pref`].
#[derive(Debug, Clone, PartialEq)]
pub enum PrefAction {
    /// New settings: start over with sets of the new kind.
    Settings(PreferenceSettings),
    /// A set the app chose (`None`: the library has too few images), for `generation`.
    Arrived {
        generation: u32,
        set: Option<Vec<QueueItem>>,
    },
    /// The set with these images was judged: the next one shows.
    Judged(Vec<String>),
    /// The set with these images was skipped: the next one shows.
    Skipped(Vec<String>),
    /// The set with these images cannot be judged (`note` says why): the next one shows.
    Dropped { sha1s: Vec<String>, note: String },
    /// A comparison was saved: the rater's count.
    Saved(u32),
    /// The choice on this set (`what` it was) was not saved: the set comes back.
    NotSaved { set: Vec<QueueItem>, what: String },
    /// A comparison of these images (in screen order) was undone: its set comes back.
    Undone(Vec<String>),
    /// Say something in passing.
    Note(String),
    /// Zoom the image at this position, or none.
    Zoom(Option<usize>),
    /// Show or hide the help.
    Help(bool),
    /// Show or hide the ranking.
    Ranking(bool),
    /// The library changed: if it had too few images, ask again.
    LibraryChanged,
}

pub fn sha1s(set: &[QueueItem]) -> Vec<String> {
    set.iter().map(|i| i.sha1.clone()).collect()
}

impl Pref {
    fn current_is(&self, images: &[String]) -> bool {
        self.current.as_deref().is_some_and(|c| sha1s(c) == images)
    }

    /// The next set on screen (or none until it arrives).
    fn advance(&mut self) {
        self.current = self.next.take();
        self.zoom = None;
    }

    /// The image `sha1` as the page knows it (its name from a set it showed).
    fn item(&self, sha1: &str) -> QueueItem {
        let known = self
            .history
            .iter()
            .rev()
            .chain(self.current.iter())
            .chain(self.next.iter())
            .flatten()
            .find(|i| i.sha1 == sha1);
        known.cloned().unwrap_or_else(|| QueueItem {
            sha1: sha1.to_owned(),
            name: format!("{}…", &sha1[..sha1.len().min(8)]),
        })
    }
}

impl Reducible for Pref {
    type Action = PrefAction;

    fn reduce(self: Rc<Self>, action: PrefAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            PrefAction::Settings(settings) => {
                if s.settings != Some(settings) {
                    s.settings = Some(settings);
                    s.generation = s.generation.wrapping_add(1);
                    s.current = None;
                    s.next = None;
                    s.too_few = false;
                    s.zoom = None;
                }
            }
            PrefAction::Arrived { generation, set } => {
                if generation != s.generation {
                    return self;
                }
                match set {
                    None => s.too_few = s.current.is_none(),
                    Some(set) if s.current.is_none() => s.current = Some(set),
                    Some(set) if s.next.is_none() => {
                        let on_screen = s.current.as_deref().map(sha1s).unwrap_or_default();
                        // Chosen while another set was on screen (after an undo): not again.
                        if set.iter().all(|i| !on_screen.contains(&i.sha1)) {
                            s.next = Some(set);
                        }
                    }
                    Some(_) => return self,
                }
            }
            PrefAction::Judged(images) => {
                if s.current_is(&images) {
                    let judged = s.current.clone().unwrap_or_default();
                    s.history.push(judged);
                    if s.history.len() > HISTORY {
                        s.history.remove(0);
                    }
                    s.advance();
                    s.note = None;
                }
            }
            PrefAction::Skipped(images) => {
                if s.current_is(&images) {
                    s.advance();
                    s.note = None;
                }
            }
            PrefAction::Dropped { sha1s, note } => {
                if s.current_is(&sha1s) {
                    s.advance();
                }
                s.note = Some(note);
            }
            PrefAction::Saved(n) => {
                s.comparisons = Some(n);
                s.saved = s.saved.wrapping_add(1);
            }
            PrefAction::NotSaved { set, what } => {
                if !s.current_is(&sha1s(&set)) {
                    s.next = s.current.take();
                    s.current = Some(set);
                    s.zoom = None;
                }
                s.note = Some(format!(
                    "{what} was not saved (see the message above): the set is back on screen to try again."
                ));
            }
            PrefAction::Undone(images) => {
                let set: Vec<QueueItem> = images.iter().map(|sha1| s.item(sha1)).collect();
                if let Some(at) = s.history.iter().rposition(|h| sha1s(h) == images) {
                    s.history.remove(at);
                }
                if !s.current_is(&images) {
                    s.next = s.current.take();
                    s.current = Some(set);
                }
                s.zoom = None;
                s.comparisons = s.comparisons.map(|n| n.saturating_sub(1));
                s.saved = s.saved.wrapping_add(1);
                s.note = Some(
                    "Undid your last choice: its set is back; choose again or move on.".into(),
                );
            }
            PrefAction::Note(note) => s.note = Some(note),
            PrefAction::Zoom(z) => s.zoom = z,
            PrefAction::Help(h) => s.help = h,
            PrefAction::Ranking(r) => s.ranking = r,
            PrefAction::LibraryChanged => {
                if !s.too_few {
                    return self;
                }
                s.too_few = false;
                s.generation = s.generation.wrapping_add(1);
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image_scorer_protocol::SetChoice;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn set(names: &str) -> Vec<QueueItem> {
        names
            .chars()
            .map(|c| QueueItem {
                sha1: c.to_string().repeat(40),
                name: format!("{c}.png"),
            })
            .collect()
    }

    fn reduce(s: Pref, action: PrefAction) -> Pref {
        (*Rc::new(s).reduce(action)).clone()
    }

    fn names(s: &Option<Vec<QueueItem>>) -> String {
        s.iter()
            .flatten()
            .map(|i| i.name.chars().next().unwrap())
            .collect()
    }

    fn arrived(s: Pref, names: &str) -> Pref {
        let generation = s.generation;
        reduce(
            s,
            PrefAction::Arrived {
                generation,
                set: Some(set(names)),
            },
        )
    }

    #[test]
    fn a_choice_shows_the_set_loaded_ahead_and_undo_brings_it_back() {
        let mut s = reduce(
            Pref::default(),
            PrefAction::Settings(PreferenceSettings::default()),
        );
        s = arrived(s, "ab");
        s = arrived(s, "cd");
        assert_eq!(
            (names(&s.current), names(&s.next)),
            ("ab".into(), "cd".into())
        );
        s = reduce(s, PrefAction::Judged(sha1s(&set("ab"))));
        assert_eq!(
            (names(&s.current), names(&s.next)),
            ("cd".into(), "".into())
        );
        // A second press on the set already judged moves nothing.
        s = reduce(s, PrefAction::Judged(sha1s(&set("ab"))));
        assert_eq!(names(&s.current), "cd");
        s = arrived(s, "ef");
        s = reduce(s, PrefAction::Undone(sha1s(&set("ab"))));
        assert_eq!(
            (names(&s.current), names(&s.next)),
            ("ab".into(), "cd".into())
        );
        assert_eq!(
            s.current.as_ref().unwrap()[0].name,
            "a.png",
            "names from the history"
        );
        assert!(s.history.is_empty());
    }

    #[test]
    fn sets_of_old_settings_or_with_the_images_on_screen_are_not_shown() {
        let mut s = reduce(
            Pref::default(),
            PrefAction::Settings(PreferenceSettings::default()),
        );
        let old = s.generation;
        s = reduce(
            s,
            PrefAction::Settings(PreferenceSettings {
                size: 4,
                choice: SetChoice::Active,
            }),
        );
        s = reduce(
            s,
            PrefAction::Arrived {
                generation: old,
                set: Some(set("ab")),
            },
        );
        assert!(s.current.is_none());
        s = arrived(s, "abcd");
        s = arrived(s, "cdef");
        assert!(s.next.is_none(), "overlaps the set on screen");
        let generation = s.generation;
        s = reduce(
            s,
            PrefAction::Arrived {
                generation,
                set: None,
            },
        );
        assert!(!s.too_few, "a set is on screen");
    }

    #[test]
    fn a_choice_not_saved_brings_its_set_back_with_a_note() {
        let mut s = reduce(
            Pref::default(),
            PrefAction::Settings(PreferenceSettings::default()),
        );
        s = arrived(s, "ab");
        s = arrived(s, "cd");
        s = reduce(s, PrefAction::Judged(sha1s(&set("ab"))));
        s = reduce(
            s,
            PrefAction::NotSaved {
                set: set("ab"),
                what: "Your pick of image 2".into(),
            },
        );
        assert_eq!(
            (names(&s.current), names(&s.next)),
            ("ab".into(), "cd".into())
        );
        assert!(s.note.as_ref().unwrap().contains("pick of image 2"));
    }
}
