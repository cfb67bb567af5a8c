//! The Similarity page's keys.

use super::{bind, Binding, Does, Key, KeyTable};

/// An action on the Similarity page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimilarityAction {
    /// A digit: the likeness 1-5 of the pair, or which image of a duplicate group to keep.
    Digit(u8),
    /// Show a random pair.
    Random,
    /// Show an image and one of its nearest neighbours.
    Near,
    /// Another pair of the same kind, or the next duplicate group; nothing recorded.
    Skip,
    /// The previous duplicate group.
    Previous,
    /// Undo the last judgement (a likeness or a duplicate mark).
    Undo,
    /// Mark the group's other images as duplicates of the one kept.
    Mark,
    /// The pair view.
    PairView,
    /// The find-similar view (of the pair's left image when it comes from the pair view).
    FindView,
    /// The near-duplicates view.
    DuplicatesView,
    /// Find images like an outside file (the system file picker).
    OpenFile,
    /// Switch near-duplicates between the embeddings and the perceptual hash.
    Method,
    /// Lower the near-duplicate threshold (more groups).
    Looser,
    /// Raise the near-duplicate threshold (fewer groups).
    Stricter,
    /// Close the help.
    Close,
    /// Show every key.
    Help,
}

/// The Similarity page's keys: 1-5 judge the pair (1 nothing alike … 5 the same picture) or
/// keep image 1-9 of a group; `r` random pair, `n` near pair, Space or `s` another; Backspace,
/// Ctrl+Z or `z` undo; `p`, `f`, `d` the views; `o` an outside file; Enter marks the rest of a
/// group; Left / Right the groups; `h` hash or embeddings; `[` and `]` the threshold.
pub const SIMILARITY_KEYS: KeyTable<SimilarityAction> = KeyTable {
    bindings: &[
        Binding {
            keys: &[Key::Digits],
            does: Does::Digit(SimilarityAction::Digit),
            also: "",
            help: "pair: how alike, 1 nothing alike … 5 the same picture; group: keep image 1 – 9",
        },
        bind(
            &[Key::Plain("r")],
            SimilarityAction::Random,
            "a random pair",
        ),
        bind(
            &[Key::Plain("n")],
            SimilarityAction::Near,
            "a near pair: an image and one of its nearest neighbours",
        ),
        bind(
            &[Key::Plain(" "), Key::Plain("s")],
            SimilarityAction::Skip,
            "another pair, or the next group (nothing recorded)",
        ),
        bind(&[Key::Plain("ArrowRight")], SimilarityAction::Skip, ""),
        bind(
            &[Key::Plain("ArrowLeft")],
            SimilarityAction::Previous,
            "the previous group",
        ),
        bind(
            &[Key::Plain("Backspace"), Key::Ctrl("z"), Key::Plain("z")],
            SimilarityAction::Undo,
            "undo your last judgement (a likeness, a duplicate mark)",
        ),
        bind(
            &[Key::Plain("Enter")],
            SimilarityAction::Mark,
            "group: mark the others as duplicates of the one kept",
        ),
        bind(
            &[Key::Plain("p")],
            SimilarityAction::PairView,
            "judge pairs",
        ),
        bind(
            &[Key::Plain("f")],
            SimilarityAction::FindView,
            "find similar (to the pair's left image)",
        ),
        bind(
            &[Key::Plain("d")],
            SimilarityAction::DuplicatesView,
            "near-duplicates",
        ),
        bind(
            &[Key::Plain("o")],
            SimilarityAction::OpenFile,
            "find images like a file outside the library (or drop one on the window)",
        ),
        bind(
            &[Key::Plain("h")],
            SimilarityAction::Method,
            "near-duplicates by the model's embeddings or by the perceptual hash",
        ),
        bind(
            &[Key::Plain("[")],
            SimilarityAction::Looser,
            "lower the threshold",
        ),
        bind(
            &[Key::Plain("]")],
            SimilarityAction::Stricter,
            "raise the threshold",
        ),
        bind(&[Key::Plain("Escape")], SimilarityAction::Close, ""),
        bind(&[Key::Plain("?")], SimilarityAction::Help, "this help"),
    ],
};

/// The key that shows the images most like the one on screen, on every page that shows one.
pub const FIND_SIMILAR_KEY: &str = "F";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Modifiers;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn digits_judge_and_letters_switch_views() {
        let none = Modifiers::default();
        let table = SIMILARITY_KEYS;
        assert_eq!(
            table.action("4", "Digit4", none),
            Some(SimilarityAction::Digit(4))
        );
        assert_eq!(
            table.action("5", "Numpad5", none),
            Some(SimilarityAction::Digit(5))
        );
        assert_eq!(
            table.action("n", "KeyN", none),
            Some(SimilarityAction::Near)
        );
        assert_eq!(
            table.action("d", "KeyD", none),
            Some(SimilarityAction::DuplicatesView)
        );
        let ctrl = Modifiers { ctrl: true, ..none };
        assert_eq!(
            table.action("z", "KeyZ", ctrl),
            Some(SimilarityAction::Undo)
        );
        assert_eq!(table.action("q", "KeyQ", none), None);
    }
}
